namespace DeepMD.Sharp.Models.Descriptors;

using DeepMD.Sharp.Models.Networks;

/// <summary>
/// What every smooth-edition (se_*) descriptor shares: cutoffs, per-type neighbor slots (<see cref="Sel"/>),
/// the normalisation tensors and the embedding nets. Immutable once loaded.
/// </summary>
public abstract class DescriptorSpec
{
    protected DescriptorSpec(int typeCount, double rcut, double rcutSmooth, int[] sel, double envProtection,
        int[] neuron, bool typeOneSide, IReadOnlyList<(int A, int B)> excludeTypes, double[] davg, double[] dstd,
        int componentCount, NeuralNetwork?[] embeddings, string precision, Compression.EmbeddingTable?[]? tables = null)
    {
        if (tables is not null && tables.Length != embeddings.Length)
            throw new ArgumentException("one table per embedding net is needed");
        Tables = tables;
        TypeCount = typeCount;
        Rcut = rcut;
        RcutSmooth = rcutSmooth;
        Sel = sel;
        EnvProtection = envProtection;
        Neuron = neuron;
        TypeOneSide = typeOneSide;
        ExcludeTypes = excludeTypes;
        Davg = davg;
        Dstd = dstd;
        ComponentCount = componentCount;
        Embeddings = embeddings;
        Precision = precision;
        SlotCount = sel.Sum();
        SelOffsets = new int[sel.Length + 1];
        for (var t = 0; t < sel.Length; t++) SelOffsets[t + 1] = SelOffsets[t] + sel[t];
        _excluded = new bool[typeCount * typeCount];
        foreach (var (a, b) in excludeTypes)
        {
            _excluded[a * typeCount + b] = true;
            _excluded[b * typeCount + a] = true;
        }
    }

    private readonly bool[] _excluded;

    /// <summary>
    /// Tabulated embedding nets (a compressed model, DeePMD-kit's Descriptor v3 <c>compress</c> block), in
    /// NetworkCollection order, or null when the model is not compressed. When present they replace the nets.
    /// </summary>
    public Compression.EmbeddingTable?[]? Tables { get; }

    /// <summary>Whether the embedding nets are evaluated from tables.</summary>
    public virtual bool IsCompressed => Tables is not null;

    /// <summary>The table for center type <paramref name="ti"/> and neighbor type <paramref name="tj"/>, if compressed.</summary>
    public Compression.EmbeddingTable? TableFor(int ti, int tj) => Tables?[TypeOneSide ? tj : ti + TypeCount * tj];

    /// <summary>DeePMD-kit type name (<c>se_e2_a</c>, <c>se_r</c>).</summary>
    public abstract string TypeName { get; }

    public int TypeCount { get; }

    /// <summary>Cutoff radius, Å.</summary>
    public double Rcut { get; }

    /// <summary>Where the smooth switch starts, Å.</summary>
    public double RcutSmooth { get; }

    /// <summary>Neighbor slots per neighbor type.</summary>
    public int[] Sel { get; }

    /// <summary>Start of each type block in the slot list; length types+1.</summary>
    public int[] SelOffsets { get; }

    /// <summary>Σ sel: the slot count the descriptor is normalised by.</summary>
    public int SlotCount { get; }

    /// <summary>env_protection p in 1/(r+p).</summary>
    public double EnvProtection { get; }

    /// <summary>Embedding net widths.</summary>
    public int[] Neuron { get; }

    /// <summary>True: one embedding net per neighbor type; false: one per (center, neighbor) type pair.</summary>
    public bool TypeOneSide { get; }

    /// <summary>Excluded (symmetric) type pairs; their neighbor rows contribute nothing.</summary>
    public IReadOnlyList<(int A, int B)> ExcludeTypes { get; }

    /// <summary>Mean of the environment matrix, [types][slots][components], row-major.</summary>
    public double[] Davg { get; }

    /// <summary>Std of the environment matrix, [types][slots][components], row-major.</summary>
    public double[] Dstd { get; }

    /// <summary>Components per environment-matrix row: 4 for se_e2_a, 1 for se_r.</summary>
    public int ComponentCount { get; }

    /// <summary>Embedding nets in NetworkCollection order (index tt, or ti + types·tt); null where absent.</summary>
    public NeuralNetwork?[] Embeddings { get; }

    /// <summary>Stored parameter precision (<c>float64</c> or <c>float32</c>).</summary>
    public string Precision { get; }

    /// <summary>Length of the descriptor vector per atom.</summary>
    public abstract int OutputSize { get; }

    /// <summary>
    /// The descriptor's reference (oracle) code for one center, which the reference backend runs; every descriptor
    /// provides one, so adding a descriptor needs no switch in the evaluator.
    /// </summary>
    public abstract Evaluation.IReferenceDescriptor Reference { get; }

    /// <summary>
    /// The descriptor's reference code over a whole frame, for descriptors that cannot be computed center by center
    /// (message passing); null (the default) when <see cref="Reference"/> is used.
    /// </summary>
    public virtual Evaluation.IFrameReferenceDescriptor? FrameReference => null;

    /// <summary>Whether neighbors of type <paramref name="b"/> around centers of type <paramref name="a"/> are excluded.</summary>
    public bool IsExcluded(int a, int b) => _excluded[a * TypeCount + b];

    /// <summary>The embedding net for center type <paramref name="ti"/> and neighbor type <paramref name="tj"/>.</summary>
    public NeuralNetwork? EmbeddingFor(int ti, int tj) => TypeOneSide ? Embeddings[tj] : Embeddings[ti + TypeCount * tj];

    public virtual int ParameterCount => Embeddings.Sum(e => e?.ParameterCount ?? 0);

    /// <summary>What the descriptor needs from the neighbor list: per-type blocks of <see cref="Sel"/> within <see cref="Rcut"/>.</summary>
    public virtual NeighborRequirements Neighbors => new(Rcut, Sel, MixedTypes: false, DynamicSel: false);

    /// <summary>The descriptor's lines of <c>dpsharp info</c> (cutoffs, sel, embedding nets, then its own).</summary>
    public virtual IReadOnlyList<string> Describe()
    {
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        static string Ints(IEnumerable<int> v) => "[" + string.Join(", ", v) + "]";
        return
        [
            string.Create(ci, $"rcut             {Rcut} Å   (rcut_smth {RcutSmooth} Å, env_protection {EnvProtection})"),
            $"sel              {Ints(Sel)}   (Σ = {SlotCount})",
            EmbeddingLine(Ints(Neuron)),
            .. DescribeSpecific(),
        ];
    }

    /// <summary>The <c>info</c> line about the embedding nets.</summary>
    protected virtual string EmbeddingLine(string neuron) =>
        $"embedding net    {neuron}   ({(TypeOneSide ? "one net per neighbor type" : "one net per (center, neighbor) type pair")}, {Embeddings.Count(e => e is not null)} nets)";

    /// <summary>The lines of <see cref="Describe"/> particular to this descriptor (by default its size).</summary>
    protected virtual IEnumerable<string> DescribeSpecific()
    {
        yield return $"descriptor size  {OutputSize}";
    }
}
