namespace DeepMD.Sharp.Models;

using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.Models.Coverage;
using DeepMD.Sharp.Models.Descriptors;
using DeepMD.Sharp.Models.Fitting;

/// <summary>
/// An energy model of the DeePMD family (DeePMD-kit's <c>standard</c> model): a descriptor, an energy fitting,
/// the atomic-model output bias and the model-level exclusions. Immutable once loaded.
/// </summary>
public sealed class DeepPotModel
{
    public DeepPotModel(TypeMap typeMap, DescriptorSpec descriptor, EnergyFittingSpec fitting, double[] outBias,
        int[] atomExcludeTypes, IReadOnlyList<(int A, int B)> pairExcludeTypes, string? source = null)
    {
        TypeMap = typeMap;
        Descriptor = descriptor;
        Fitting = fitting;
        OutBias = outBias;
        AtomExcludeTypes = atomExcludeTypes;
        PairExcludeTypes = pairExcludeTypes;
        Source = source;
        _pairExcluded = new bool[typeMap.Count * typeMap.Count];
        foreach (var (a, b) in pairExcludeTypes)
        {
            _pairExcluded[a * typeMap.Count + b] = true;
            _pairExcluded[b * typeMap.Count + a] = true;
        }
        _atomExcluded = new bool[typeMap.Count];
        foreach (var t in atomExcludeTypes.Concat(fitting.ExcludeTypes)) _atomExcluded[t] = true;
    }

    private readonly bool[] _pairExcluded;
    private readonly bool[] _atomExcluded;

    public TypeMap TypeMap { get; }

    public DescriptorSpec Descriptor { get; }

    public EnergyFittingSpec Fitting { get; }

    /// <summary>Per-type energy shift added by the atomic model (out_bias[0, t, 0]), eV.</summary>
    public double[] OutBias { get; }

    /// <summary>Types whose atomic energy is zeroed at model level.</summary>
    public int[] AtomExcludeTypes { get; }

    /// <summary>Type pairs removed from the neighbor list at model level (their slots become padding).</summary>
    public IReadOnlyList<(int A, int B)> PairExcludeTypes { get; }

    /// <summary>The file the model was read from, if any.</summary>
    public string? Source { get; }

    /// <summary>Cutoff radius, Å: the descriptor's, or for a composite model the largest of its parts'.</summary>
    public double Cutoff => Linear is { } lin ? Math.Max(Descriptor.Rcut, lin.PairTable.Rcut) : Descriptor.Rcut;

    /// <summary>
    /// For DeePMD-kit's composite energy models (<c>zbl</c>, <c>linear_ener</c>): the DP part (its own model, evaluated by any
    /// backend), the pair table and the weights; null for a plain model. Descriptor, fitting and type map above are the
    /// DP part's, <see cref="OutBias"/> is the composite's own (added to the weighted sum). docs/zbl-and-linear-models.md.
    /// </summary>
    public Linear.LinearComposition? Linear { get; init; }

    public bool IsPairExcluded(int a, int b) => _pairExcluded[a * TypeMap.Count + b];

    /// <summary>Whether atoms of type <paramref name="t"/> have their energy zeroed (model or fitting exclusion).</summary>
    public bool IsAtomExcluded(int t) => _atomExcluded[t];

    public int ParameterCount => Descriptor.ParameterCount + Fitting.ParameterCount;

    /// <summary>
    /// What the training data covered (<c>@variables/coverage_*</c>, see <see cref="TrainingCoverage"/>), or null when
    /// the file does not say; the extrapolation guard of <c>pair_style deepmd</c> compares with it.
    /// </summary>
    public TrainingCoverage? Coverage { get; init; }

    /// <summary>DeePMD-kit's <c>@variables/min_nbor_dist</c> (smallest neighbor distance of the training data, Å), or null.</summary>
    public double? MinNeighborDistance { get; init; }

    /// <summary>The same model with another descriptor (e.g. its compressed form).</summary>
    public DeepPotModel WithDescriptor(DescriptorSpec descriptor) =>
        new(TypeMap, descriptor, Fitting, OutBias, AtomExcludeTypes, PairExcludeTypes, Source)
        {
            Coverage = Coverage,
            MinNeighborDistance = MinNeighborDistance,
        };
}
