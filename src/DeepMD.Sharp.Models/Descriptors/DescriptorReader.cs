namespace DeepMD.Sharp.Models.Descriptors;

using DeepMD.Sharp.Models.Serialization;

/// <summary>
/// How a descriptor is read from DeePMD-kit's model dict: the <c>type</c> string it is stored under (and older
/// spellings), and the reader that turns its Descriptor dict into a <see cref="DescriptorSpec"/> (every shape checked).
/// Registered in <see cref="Loading.DescriptorReaders"/>.
/// </summary>
/// <param name="Name">The canonical <c>type</c> string (<c>se_e2_a</c>).</param>
/// <param name="Aliases">Other <c>type</c> strings that mean the same descriptor (<c>se_a</c>).</param>
/// <param name="Read">Reads the Descriptor node for a model with the given number of types.</param>
public sealed record DescriptorReader(string Name, IReadOnlyList<string> Aliases, Func<ModelNode, int, DescriptorSpec> Read);
