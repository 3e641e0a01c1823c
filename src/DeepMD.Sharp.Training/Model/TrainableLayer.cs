namespace DeepMD.Sharp.Training.Model;

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// A dense layer in DeePMD-kit's form (notes §1.4): y = φ(x·W + b) ⊙ idt, plus x (out = in) or [x, x] (out = 2·in)
/// when <see cref="Resnet"/>. W is [in, out], the layout of the model dict.
/// </summary>
public sealed class TrainableLayer
{
    /// <summary>Creates a layer from existing tensors (float64).</summary>
    public TrainableLayer(Parameter w, Parameter? b, Parameter? idt, string activation, bool resnet)
    {
        W = w;
        B = b;
        Idt = idt;
        Activation = activation;
        Resnet = resnet;
    }

    /// <summary>Weights [in, out].</summary>
    public Parameter W { get; }

    /// <summary>Bias [out] or null.</summary>
    public Parameter? B { get; }

    /// <summary>Timestep scale [out] or null.</summary>
    public Parameter? Idt { get; }

    /// <summary>Activation name as in the model dict ("tanh", "none", …).</summary>
    public string Activation { get; }

    /// <summary>Whether the residual rule applies.</summary>
    public bool Resnet { get; }

    /// <summary>Input width.</summary>
    public int InputSize => (int)W.shape[0];

    /// <summary>Output width.</summary>
    public int OutputSize => (int)W.shape[1];

    /// <summary>Randomly initialised layer (DeePMD-style: W ~ N(0, 1/√(in+out)), b ~ N(0, 1), idt ~ N(0.1, 0.001)).</summary>
    public static TrainableLayer Create(int input, int output, string activation, bool resnet, bool useTimestep, Generator generator) =>
        TorchGcGuard.Run(() => CreateUnguarded(input, output, activation, resnet, useTimestep, generator));

    private static TrainableLayer CreateUnguarded(int input, int output, string activation, bool resnet, bool useTimestep, Generator generator)
    {
        // Constants are 0-d tensors, not implicit Scalars: this runs outside any dispose scope, where a temporary
        // Scalar can be finalised while libtorch still reads it (seen as a sporadic c10 toDouble failure).
        using var scale = tensor(1.0 / Math.Sqrt(input + output), dtype: float64);
        using var idtScale = tensor(0.001, dtype: float64);
        using var idtMean = tensor(0.1, dtype: float64);
        var w = randn(input, output, dtype: float64, generator: generator).mul(scale);
        var b = randn(output, dtype: float64, generator: generator);
        var hasIdt = useTimestep && resnet && (output == input || output == 2 * input);
        Parameter? idt = hasIdt ? new Parameter(randn(output, dtype: float64, generator: generator).mul(idtScale).add(idtMean)) : null;
        return new TrainableLayer(new Parameter(w), new Parameter(b), idt, activation, resnet);
    }

    /// <summary>Applies the layer to x [..., in].</summary>
    public Tensor Forward(Tensor x)
    {
        var z = matmul(x, W);
        if (B is not null) z = z + B;
        var y = Activate(z, Activation);
        if (Idt is not null) y = y * Idt;
        if (Resnet && OutputSize == InputSize) y = y + x;
        else if (Resnet && OutputSize == 2 * InputSize) y = y + cat([x, x], -1);
        return y;
    }

    /// <summary>The activation functions of DeePMD-kit (gelu is the tanh approximation).</summary>
    public static Tensor Activate(Tensor z, string name) => name.ToLowerInvariant() switch
    {
        "tanh" => tanh(z),
        "relu" => nn.functional.relu(z),
        "relu6" => clamp(z, 0.0, 6.0),
        "softplus" => nn.functional.softplus(z),
        "sigmoid" => sigmoid(z),
        "silu" => z * sigmoid(z),
        "gelu" or "gelu_tf" => 0.5 * z * (1 + tanh(0.7978845608028654 * (z + 0.044715 * z.pow(3)))),
        "linear" or "none" or "" => z,
        _ => throw new ArgumentException($"activation '{name}' is not supported in training; supported: tanh, relu, relu6, softplus, sigmoid, silu, gelu, gelu_tf, linear, none"),
    };

    /// <summary>The trainable tensors.</summary>
    public IEnumerable<Parameter> Parameters()
    {
        yield return W;
        if (B is not null) yield return B;
        if (Idt is not null) yield return Idt;
    }
}
