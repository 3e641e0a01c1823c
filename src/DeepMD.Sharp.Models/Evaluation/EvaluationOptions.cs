namespace DeepMD.Sharp.Models.Evaluation;

/// <summary>Options of one model evaluation.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Behaviour when a neighbor type block overflows its sel.</summary>
    public SelOverflowPolicy SelOverflow { get; init; } = SelOverflowPolicy.Error;

    /// <summary>Frame parameters (numb_fparam values), or null to use the model's default_fparam.</summary>
    public double[]? Fparam { get; init; }

    /// <summary>Atomic parameters, [atoms][numb_aparam] row-major, or null.</summary>
    public double[]? Aparam { get; init; }

    /// <summary>Per-atom labels for error messages (e.g. species); optional.</summary>
    public IReadOnlyList<string>? AtomLabels { get; init; }

    /// <summary>Maximum number of threads; null means all cores (or DPSHARP_THREADS when set).</summary>
    public int? Threads { get; init; }

    /// <summary>The ParallelOptions implied by <see cref="Threads"/> and the DPSHARP_THREADS environment variable.</summary>
    public ParallelOptions ParallelOptions()
    {
        return new ParallelOptions { MaxDegreeOfParallelism = MaxDegreeOfParallelism() };
    }

    /// <summary>
    /// The thread limit implied by <see cref="Threads"/> and DPSHARP_THREADS, as <see cref="ParallelOptions.MaxDegreeOfParallelism"/>
    /// (−1: all cores). Unlike <see cref="ParallelOptions()"/> it makes no object (what the per-step loops call).
    /// </summary>
    public int MaxDegreeOfParallelism()
    {
        var threads = Threads;
        if (threads is null && int.TryParse(Environment.GetEnvironmentVariable("DPSHARP_THREADS"), out var env) && env > 0) threads = env;
        return threads is > 0 ? threads.Value : -1;
    }

    /// <summary>
    /// Sees every center's descriptor (the fitting input) as it is computed: records training ranges or checks them
    /// (the extrapolation guard). Null: nothing is watched. Backends that do not support it leave its count at 0.
    /// </summary>
    public Coverage.DescriptorWatch? DescriptorWatch { get; init; }

    /// <summary>
    /// Positions of the atoms (x, y, z, each of all atoms), wrapped into the cell as DeePMD-kit wraps them, or null. Only
    /// message-passing descriptors use them: DeePMD-kit's per-atom virial of such a model, −Σ_i ∂e_i/∂x_k ⊗ (x_k − x_i),
    /// depends on where the atoms i sit, which the neighbor list's displacements do not say. Without them the per-atom
    /// virial is the pair form (it sums to the same virial).
    /// </summary>
    public (double[] X, double[] Y, double[] Z)? AtomPositions { get; init; }

    /// <summary>
    /// Per local atom (center) weights w_i, or null (all 1): forces, virial and per-atom virial are then those of
    /// Σ_i w_i e_i, while per-atom energies and the energy stay unweighted. Only evaluators that implement
    /// <see cref="ICenterWeightedEvaluator"/> honour it (the composite models' switch, docs/zbl-and-linear-models.md).
    /// </summary>
    public double[]? CenterWeights { get; init; }

    /// <summary>Distance below which two atoms count as on top of each other, Å.</summary>
    public double OverlapDistance { get; init; } = 1e-6;
}
