namespace DeepMD.Sharp.Models.Descriptors;

using DeepMD.Sharp.Models.Networks;

/// <summary>
/// DPA-1, DeePMD-kit's <c>se_atten</c> (serialized as <c>dpa1</c>) and <c>se_atten_v2</c> (the same with strip mode and
/// smooth type embedding fixed): a <see cref="SeAttenBlock"/> and the type embedding, whose row for the center's type is
/// appended to the output when <see cref="ConcatOutputTebd"/>. Mixed types: one block of <see cref="DescriptorSpec.SlotCount"/>
/// slots for all neighbor types, so the model's fitting is one net for all types.
/// </summary>
public sealed class SeAttenSpec : DescriptorSpec
{
    public SeAttenSpec(string typeName, SeAttenBlock block, bool concatOutputTebd)
        : base(block.TypeCount, block.Rcut, block.RcutSmooth, [block.Nsel], block.EnvProtection, block.Neuron, block.TypeOneSide,
            block.ExcludeTypes, block.Davg, block.Dstd, 4, [block.Embedding], block.Precision)
    {
        TypeNameValue = typeName;
        Block = block;
        ConcatOutputTebd = concatOutputTebd;
    }

    private string TypeNameValue { get; }

    /// <summary>How DPA-1 is read: type <c>se_atten</c> (or <c>dpa1</c>).</summary>
    public static readonly DescriptorReader ReadAs = new("se_atten", ["dpa1"], (d, nt) => Loading.SeAttenReader.Read(d, nt, "se_atten"));

    /// <summary>How se_atten_v2 is read.</summary>
    public static readonly DescriptorReader ReadAsV2 = new("se_atten_v2", [], (d, nt) => Loading.SeAttenReader.Read(d, nt, "se_atten_v2"));

    /// <summary><c>se_atten</c> or <c>se_atten_v2</c>.</summary>
    public override string TypeName => TypeNameValue;

    /// <summary>The attention block (environment, embedding, attention, contraction).</summary>
    public SeAttenBlock Block { get; }

    /// <summary>The type embedding (<see cref="SeAttenBlock.TypeEmbedding"/>).</summary>
    public TypeEmbedding TypeEmbedding => Block.TypeEmbedding;

    /// <summary>Whether the center's type embedding is appended to the descriptor.</summary>
    public bool ConcatOutputTebd { get; }

    /// <summary>Whether the model is compressed (<see cref="SeAttenBlock.IsCompressed"/>).</summary>
    public override bool IsCompressed => Block.IsCompressed;

    public override int OutputSize => Block.OutputSize + (ConcatOutputTebd ? TypeEmbedding.Dim : 0);

    /// <inheritdoc />
    public override NeighborRequirements Neighbors => new(Rcut, Sel, MixedTypes: true, DynamicSel: false);

    /// <inheritdoc />
    public override Evaluation.IReferenceDescriptor Reference => _reference ??= new Evaluation.SeAttenReference(this);

    private Evaluation.IReferenceDescriptor? _reference;

    public override int ParameterCount => Block.ParameterCount + TypeEmbedding.Net.ParameterCount;

    public override IReadOnlyList<string> Describe() =>
    [
        .. Block.Describe(),
        $"type embedding   tebd_dim {TypeEmbedding.Dim}{(ConcatOutputTebd ? ", appended to the output" : "")}   (descriptor size {OutputSize})",
    ];
}
