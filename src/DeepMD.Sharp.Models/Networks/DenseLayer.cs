namespace DeepMD.Sharp.Models.Networks;

/// <summary>
/// One DeePMD-kit <c>NativeLayer</c>: y = φ(x·W + b), then y ⊙ idt if present, then the residual
/// (y + x when out = in, y + [x, x] when out = 2·in) if <see cref="Resnet"/>.
/// </summary>
public sealed class DenseLayer
{
    public DenseLayer(int inputSize, int outputSize, double[] weights, double[]? bias, double[]? timestep, Activation activation, bool resnet)
    {
        if (weights.Length != inputSize * outputSize) throw new ArgumentException("weight matrix has the wrong size");
        if (bias is not null && bias.Length != outputSize) throw new ArgumentException("bias has the wrong size");
        if (timestep is not null && timestep.Length != outputSize) throw new ArgumentException("idt has the wrong size");
        InputSize = inputSize;
        OutputSize = outputSize;
        Weights = weights;
        Bias = bias;
        Timestep = timestep;
        Activation = activation;
        Resnet = resnet;
    }

    public int InputSize { get; }

    public int OutputSize { get; }

    /// <summary>W, row-major [in][out] (DeePMD-kit's layout: the product is x·W).</summary>
    public double[] Weights { get; }

    /// <summary>b [out], or null.</summary>
    public double[]? Bias { get; }

    /// <summary>idt [out] (the ResNet timestep), or null.</summary>
    public double[]? Timestep { get; }

    public Activation Activation { get; }

    /// <summary>Whether the residual rule is enabled (it only acts when out = in or out = 2·in).</summary>
    public bool Resnet { get; }

    /// <summary>Residual kind actually applied: 0 none, 1 identity, 2 concatenated copy.</summary>
    public int ResidualKind => !Resnet ? 0 : OutputSize == InputSize ? 1 : OutputSize == 2 * InputSize ? 2 : 0;

    /// <summary>Number of trainable numbers.</summary>
    public int ParameterCount => Weights.Length + (Bias?.Length ?? 0) + (Timestep?.Length ?? 0);
}
