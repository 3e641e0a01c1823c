namespace DeepMD.Sharp.Models.Fitting;

using DeepMD.Sharp.Models.Networks;

/// <summary>
/// DeePMD-kit's energy fitting (<c>ener</c>): per-atom energy e_i = F_{t_i}([D_i, f̂, â_i, case]) + bias_atom_e[t_i].
/// </summary>
public sealed class EnergyFittingSpec
{
    public EnergyFittingSpec(int typeCount, int descriptorSize, NeuralNetwork?[] nets, bool mixedTypes, double[] biasAtomE,
        int fparamCount, int aparamCount, double[]? fparamAvg, double[]? fparamInvStd, double[]? aparamAvg,
        double[]? aparamInvStd, double[]? defaultFparam, double[]? caseEmbedding, bool useAparamAsMask,
        int[] excludeTypes, string precision)
    {
        TypeCount = typeCount;
        DescriptorSize = descriptorSize;
        Nets = nets;
        MixedTypes = mixedTypes;
        BiasAtomE = biasAtomE;
        FparamCount = fparamCount;
        AparamCount = aparamCount;
        FparamAvg = fparamAvg;
        FparamInvStd = fparamInvStd;
        AparamAvg = aparamAvg;
        AparamInvStd = aparamInvStd;
        DefaultFparam = defaultFparam;
        CaseEmbedding = caseEmbedding;
        UseAparamAsMask = useAparamAsMask;
        ExcludeTypes = excludeTypes;
        Precision = precision;
    }

    public int TypeCount { get; }

    public int DescriptorSize { get; }

    /// <summary>One net per center type, or one shared net when <see cref="MixedTypes"/>.</summary>
    public NeuralNetwork?[] Nets { get; }

    public bool MixedTypes { get; }

    /// <summary>Per-type energy constant, eV, [types] (dim_out = 1).</summary>
    public double[] BiasAtomE { get; }

    public int FparamCount { get; }

    public int AparamCount { get; }

    public double[]? FparamAvg { get; }

    public double[]? FparamInvStd { get; }

    public double[]? AparamAvg { get; }

    public double[]? AparamInvStd { get; }

    /// <summary>Frame parameters used when none are given, or null.</summary>
    public double[]? DefaultFparam { get; }

    /// <summary>Multi-task case embedding appended to every input, or null.</summary>
    public double[]? CaseEmbedding { get; }

    /// <summary>When true, aparam is a mask and is not fed to the net.</summary>
    public bool UseAparamAsMask { get; }

    /// <summary>Atom types whose energy is set to zero.</summary>
    public int[] ExcludeTypes { get; }

    public string Precision { get; }

    /// <summary>Length of the fitting net input.</summary>
    public int InputSize => DescriptorSize + FparamCount + (UseAparamAsMask ? 0 : AparamCount) + (CaseEmbedding?.Length ?? 0);

    /// <summary>The net for center type <paramref name="t"/>.</summary>
    public NeuralNetwork? NetFor(int t) => MixedTypes ? Nets[0] : Nets[t];

    public int ParameterCount => Nets.Sum(n => n?.ParameterCount ?? 0);
}
