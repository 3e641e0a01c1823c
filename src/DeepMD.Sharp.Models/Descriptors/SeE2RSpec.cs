namespace DeepMD.Sharp.Models.Descriptors;

using DeepMD.Sharp.Models.Networks;

/// <summary>DeepPot-SE with radial information only, DeePMD-kit's <c>se_e2_r</c> (serialized as <c>se_r</c>).</summary>
public sealed class SeE2RSpec : DescriptorSpec
{
    /// <summary>The constant DeePMD-kit multiplies the averaged embedding by.</summary>
    public const double ResultRescale = 1.0 / 5.0;

    public SeE2RSpec(int typeCount, double rcut, double rcutSmooth, int[] sel, double envProtection, int[] neuron,
        bool typeOneSide, IReadOnlyList<(int A, int B)> excludeTypes, double[] davg, double[] dstd,
        NeuralNetwork?[] embeddings, string precision, Compression.EmbeddingTable?[]? tables = null)
        : base(typeCount, rcut, rcutSmooth, sel, envProtection, neuron, typeOneSide, excludeTypes, davg, dstd, 1, embeddings, precision, tables)
    {
    }

    /// <summary>The same descriptor with the embedding nets tabulated.</summary>
    public SeE2RSpec WithTables(Compression.EmbeddingTable?[] tables) =>
        new(TypeCount, Rcut, RcutSmooth, Sel, EnvProtection, Neuron, TypeOneSide, ExcludeTypes, Davg, Dstd, Embeddings.ToArray(), Precision, tables);

    /// <summary>The descriptor's type name (<see cref="TypeName"/>).</summary>
    public const string DescriptorType = "se_r";

    /// <summary>How it is read: type <c>se_e2_r</c> (or <c>se_r</c>).</summary>
    public static readonly DescriptorReader ReadAs = new("se_e2_r", ["se_r"], (d, nt) => Loading.ModelReader.ReadSmoothDescriptor(d, nt, "se_e2_r"));

    public override string TypeName => DescriptorType;

    /// <inheritdoc />
    public override Evaluation.IReferenceDescriptor Reference => _reference ??= new Evaluation.SeE2RReference(this);

    private Evaluation.IReferenceDescriptor? _reference;

    public override int OutputSize => Neuron[^1];
}
