namespace DeepMD.Sharp.Training.Model;

/// <summary>
/// Hyper-parameters of a DPA-1 (<c>se_atten</c> / <c>se_atten_v2</c>) + mixed-type <c>ener</c> model, with DeePMD-kit's
/// input defaults (argcheck.py: descrpt_se_atten_args, descrpt_se_atten_v2_args).
/// </summary>
public sealed record Dpa1Config
{
    /// <summary>Element names; the model's type indices.</summary>
    public required string[] TypeMap { get; init; }

    /// <summary><c>se_atten</c> or <c>se_atten_v2</c> (strip mode and smooth type embedding fixed).</summary>
    public string DescriptorType { get; init; } = "se_atten";

    /// <summary>Cutoff radius, Å.</summary>
    public double Rcut { get; init; } = 6.0;

    /// <summary>Start of the smooth switch, Å.</summary>
    public double RcutSmooth { get; init; } = 0.5;

    /// <summary>Σ sel: the number of nearest neighbors kept, whatever their type.</summary>
    public required int Nsel { get; init; }

    /// <summary>Embedding widths.</summary>
    public int[] Neuron { get; init; } = [10, 20, 40];

    /// <summary>M2, the number of axis rows.</summary>
    public int AxisNeuron { get; init; } = 4;

    /// <summary>Width of the type embedding.</summary>
    public int TebdDim { get; init; } = 8;

    /// <summary>tebd_input_mode strip (true) or concat (false).</summary>
    public bool Strip { get; init; }

    /// <summary>Embedding sees only the neighbor's type (true) or the neighbor's and the center's.</summary>
    public bool TypeOneSide { get; init; }

    /// <summary>Timestep (idt) in the embedding nets.</summary>
    public bool ResnetDt { get; init; }

    /// <summary>Activation of the embedding nets.</summary>
    public string Activation { get; init; } = "tanh";

    /// <summary>Hidden width of the attention.</summary>
    public int Attn { get; init; } = 128;

    /// <summary>Number of attention layers.</summary>
    public int AttnLayer { get; init; } = 2;

    /// <summary>Multiply the attention weights by r̂_j·r̂_k.</summary>
    public bool AttnDotr { get; init; } = true;

    /// <summary>scaling_factor: Q is scaled by (attn·scaling_factor)^(−1/2) unless a temperature is set.</summary>
    public double ScalingFactor { get; init; } = 1.0;

    /// <summary>L2-normalise Q, K and V per neighbor.</summary>
    public bool Normalize { get; init; } = true;

    /// <summary>The scale on Q when set.</summary>
    public double? Temperature { get; init; }

    /// <summary>smooth_type_embedding: the switch enters the attention (and the strip type net).</summary>
    public bool Smooth { get; init; }

    /// <summary>Layer-norm epsilon.</summary>
    public double LnEps { get; init; } = 1e-5;

    /// <summary>Whether the layer-norm weights are trained.</summary>
    public bool TrainableLn { get; init; } = true;

    /// <summary>Append the center's type embedding to the descriptor.</summary>
    public bool ConcatOutputTebd { get; init; } = true;

    /// <summary>Bias in the type embedding net.</summary>
    public bool UseTebdBias { get; init; }

    /// <summary>Keep davg = 0.</summary>
    public bool SetDavgZero { get; init; } = true;

    /// <summary>descriptor.trainable: false freezes the type embedding, embedding nets and attention layers.</summary>
    public bool DescriptorTrainable { get; init; } = true;

    /// <summary>Fitting widths.</summary>
    public int[] FittingNeuron { get; init; } = [120, 120, 120];

    /// <summary>Timestep (idt) in the fitting net.</summary>
    public bool FittingResnetDt { get; init; } = true;

    /// <summary>Activation of the fitting net.</summary>
    public string FittingActivation { get; init; } = "tanh";

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

    /// <summary>ng, the embedding width.</summary>
    public int EmbeddingWidth => Neuron[^1];

    /// <summary>The fitting net's input: ng·axis_neuron (+ tebd_dim with concat_output_tebd).</summary>
    public int DescriptorWidth => EmbeddingWidth * AxisNeuron + (ConcatOutputTebd ? TebdDim : 0);

    /// <summary>The factor on Q.</summary>
    public double AttentionScale => Temperature ?? Math.Pow(Attn * ScalingFactor, -0.5);
}
