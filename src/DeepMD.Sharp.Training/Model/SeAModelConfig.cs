namespace DeepMD.Sharp.Training.Model;

/// <summary>Hyper-parameters of an se_e2_a + ener model (the input.json <c>model</c> section).</summary>
public sealed record SeAModelConfig
{
    /// <summary>Element names; the model's type indices.</summary>
    public required string[] TypeMap { get; init; }

    /// <summary>Cutoff radius, Å.</summary>
    public double Rcut { get; init; } = 6.0;

    /// <summary>Start of the smooth switch, Å.</summary>
    public double RcutSmooth { get; init; } = 0.5;

    /// <summary>Neighbor slots per type.</summary>
    public required int[] Sel { get; init; }

    /// <summary>Embedding widths.</summary>
    public int[] Neuron { get; init; } = [10, 20, 40];

    /// <summary>M2, the number of axis rows.</summary>
    public int AxisNeuron { get; init; } = 4;

    /// <summary>
    /// The descriptor: <c>se_e2_a</c> (angular, D = T·T&lt;ᵀ) or <c>se_e2_r</c> (radial only: D = (1/5)·(1/Σsel)·Σ_j G(s_j),
    /// notes §1.6; axis_neuron unused).
    /// </summary>
    public string DescriptorType { get; init; } = "se_e2_a";

    /// <summary>Whether the descriptor is se_e2_r.</summary>
    public bool Radial => DescriptorType == "se_e2_r";

    /// <summary>Columns of the environment matrix per slot: 4 for se_e2_a (s, s·x/r, s·y/r, s·z/r), 1 for se_e2_r.</summary>
    public int EnvColumns => Radial ? 1 : 4;

    /// <summary>Descriptor width, the fitting net's input size.</summary>
    public int DescriptorWidth => Radial ? Neuron[^1] : Neuron[^1] * AxisNeuron;

    /// <summary>One embedding net per neighbor type (true) or per (center, neighbor) pair.</summary>
    public bool TypeOneSide { get; init; }

    /// <summary>Timestep (idt) in the embedding nets.</summary>
    public bool DescriptorResnetDt { get; init; }

    /// <summary>Activation of the embedding nets.</summary>
    public string DescriptorActivation { get; init; } = "tanh";

    /// <summary>Fitting widths.</summary>
    public int[] FittingNeuron { get; init; } = [120, 120, 120];

    /// <summary>Timestep (idt) in the fitting nets.</summary>
    public bool FittingResnetDt { get; init; } = true;

    /// <summary>Activation of the fitting nets.</summary>
    public string FittingActivation { get; init; } = "tanh";

    /// <summary>Keep davg = 0.</summary>
    public bool SetDavgZero { get; init; }

    /// <summary>Frames per system for statistics (data_stat_nbatch batches).</summary>
    public int DataStatNBatch { get; init; } = 10;

    /// <summary>Protection of the std in statistics.</summary>
    public double DataStatProtect { get; init; } = 1e-2;

    /// <summary>Seed of the initial weights.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>The original input.json model section (stored as model_def_script), or null.</summary>
    public string? DefinitionJson { get; init; }

    /// <summary>Number of types.</summary>
    public int TypeCount => TypeMap.Length;

    /// <summary>Σ sel.</summary>
    public int SlotCount => Sel.Sum();
}
