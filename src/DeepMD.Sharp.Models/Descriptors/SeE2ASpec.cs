namespace DeepMD.Sharp.Models.Descriptors;

using DeepMD.Sharp.Models.Networks;

/// <summary>DeepPot-SE with full (radial + angular) information, DeePMD-kit's <c>se_e2_a</c>.</summary>
public sealed class SeE2ASpec : DescriptorSpec
{
    public SeE2ASpec(int typeCount, double rcut, double rcutSmooth, int[] sel, double envProtection, int[] neuron,
        int axisNeuron, bool typeOneSide, IReadOnlyList<(int A, int B)> excludeTypes, double[] davg, double[] dstd,
        NeuralNetwork?[] embeddings, string precision, Compression.EmbeddingTable?[]? tables = null)
        : base(typeCount, rcut, rcutSmooth, sel, envProtection, neuron, typeOneSide, excludeTypes, davg, dstd, 4, embeddings, precision, tables)
    {
        AxisNeuron = axisNeuron;
    }

    /// <summary>The same descriptor with the embedding nets tabulated.</summary>
    public SeE2ASpec WithTables(Compression.EmbeddingTable?[] tables) =>
        new(TypeCount, Rcut, RcutSmooth, Sel, EnvProtection, Neuron, AxisNeuron, TypeOneSide, ExcludeTypes, Davg, Dstd, Embeddings.ToArray(), Precision, tables);

    /// <summary>The descriptor's type name (<see cref="TypeName"/>).</summary>
    public const string DescriptorType = "se_e2_a";

    /// <summary>How it is read: type <c>se_e2_a</c> (or <c>se_a</c>).</summary>
    public static readonly DescriptorReader ReadAs = new("se_e2_a", ["se_a"], (d, nt) => Loading.ModelReader.ReadSmoothDescriptor(d, nt, "se_e2_a"));

    public override string TypeName => DescriptorType;

    /// <summary>M2: how many rows of T form the axis matrix.</summary>
    public int AxisNeuron { get; }

    /// <summary>M1 = neuron[-1], the embedding width.</summary>
    public int EmbeddingWidth => Neuron[^1];

    /// <inheritdoc />
    public override Evaluation.IReferenceDescriptor Reference => _reference ??= new Evaluation.SeE2AReference(this);

    private Evaluation.IReferenceDescriptor? _reference;

    public override int OutputSize => EmbeddingWidth * AxisNeuron;

    protected override IEnumerable<string> DescribeSpecific()
    {
        yield return $"axis_neuron      {AxisNeuron}   (descriptor size {OutputSize})";
        if (Tables?.FirstOrDefault(t => t is not null) is { } t0)
            yield return string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"compression      tabulated embedding nets: {Tables.Count(t => t is not null)} tables of {t0.SplineCount} intervals, s in [{t0.Lower}, {t0.TableMax}], strides {t0.Stride0}/{t0.Stride1}");
    }
}
