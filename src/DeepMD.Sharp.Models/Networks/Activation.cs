namespace DeepMD.Sharp.Models.Networks;

using DeepMD.Sharp.Core.Errors;

/// <summary>The activation functions DeePMD-kit offers (<c>get_activation_fn</c>), with their derivatives.</summary>
public sealed class Activation
{
    private const double GeluC = 0.7978845608028654; // sqrt(2/pi)

    private Activation(ActivationKind kind, string name, double threshold = 0)
    {
        Kind = kind;
        Name = name;
        Threshold = threshold;
        if (kind == ActivationKind.SiluT)
        {
            var s = Sigmoid(threshold);
            SiluTSlope = s + threshold * s * (1 - s);
            SiluTOffset = threshold * s;
        }
    }

    public ActivationKind Kind { get; }

    /// <summary>The name as written in the model file.</summary>
    public string Name { get; }

    /// <summary>Switch point T of <c>silut:T</c>.</summary>
    public double Threshold { get; }

    private double SiluTSlope { get; }

    private double SiluTOffset { get; }

    /// <summary>Identity (DeePMD-kit's <c>none</c>/<c>linear</c>).</summary>
    public static Activation Linear { get; } = new(ActivationKind.Linear, "none");

    /// <summary>Parses a DeePMD-kit activation name (case-insensitive), e.g. <c>tanh</c>, <c>gelu_tf</c>, <c>silut:3.0</c>.</summary>
    public static Activation Parse(string name, string? where = null)
    {
        var lower = name.Trim().ToLowerInvariant();
        var threshold = 3.0;
        var baseName = lower;
        var colon = lower.IndexOf(':');
        if (colon >= 0)
        {
            baseName = lower[..colon];
            if (!double.TryParse(lower[(colon + 1)..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out threshold))
                throw new UserInputException($"activation '{name}' has an unreadable threshold", where);
        }
        return baseName switch
        {
            "tanh" => new Activation(ActivationKind.Tanh, name),
            "relu" => new Activation(ActivationKind.Relu, name),
            "relu6" => new Activation(ActivationKind.Relu6, name),
            "softplus" => new Activation(ActivationKind.Softplus, name),
            "sigmoid" => new Activation(ActivationKind.Sigmoid, name),
            "silu" => new Activation(ActivationKind.Silu, name),
            "gelu" or "gelu_tf" => new Activation(ActivationKind.Gelu, name),
            "silut" or "custom_silu" => new Activation(ActivationKind.SiluT, name, threshold),
            "linear" or "none" or "" => new Activation(ActivationKind.Linear, name),
            _ => throw new UserInputException(
                $"unknown activation function '{name}'; supported: tanh, relu, relu6, softplus, sigmoid, silu, gelu, gelu_tf, silut[:T], custom_silu[:T], linear, none", where),
        };
    }

    /// <summary>φ(z).</summary>
    public double Value(double z) => Kind switch
    {
        ActivationKind.Tanh => Math.Tanh(z),
        ActivationKind.Relu => z > 0 ? z : 0,
        ActivationKind.Relu6 => Math.Clamp(z, 0, 6),
        ActivationKind.Softplus => Math.Max(z, 0) + Math.Log(1 + Math.Exp(-Math.Abs(z))),
        ActivationKind.Sigmoid => Sigmoid(z),
        ActivationKind.Silu => z * Sigmoid(z),
        ActivationKind.Gelu => 0.5 * z * (1 + Math.Tanh(GeluC * (z + 0.044715 * z * z * z))),
        ActivationKind.SiluT => z < Threshold ? z * Sigmoid(z) : Math.Tanh(SiluTSlope * (z - Threshold)) + SiluTOffset,
        _ => z,
    };

    /// <summary>dφ/dz at z, given also y = φ(z) (used where it is cheaper).</summary>
    public double Derivative(double z, double y)
    {
        switch (Kind)
        {
            case ActivationKind.Tanh: return 1 - y * y;
            case ActivationKind.Relu: return z > 0 ? 1 : 0;
            case ActivationKind.Relu6: return z > 0 && z < 6 ? 1 : 0;
            case ActivationKind.Softplus: return Sigmoid(z);
            case ActivationKind.Sigmoid: return y * (1 - y);
            case ActivationKind.Silu:
            {
                var s = Sigmoid(z);
                return s + z * s * (1 - s);
            }
            case ActivationKind.Gelu:
            {
                var t = Math.Tanh(GeluC * (z + 0.044715 * z * z * z));
                return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * GeluC * (1 + 3 * 0.044715 * z * z);
            }
            case ActivationKind.SiluT:
            {
                if (z < Threshold)
                {
                    var s = Sigmoid(z);
                    return s + z * s * (1 - s);
                }
                var th = Math.Tanh(SiluTSlope * (z - Threshold));
                return SiluTSlope * (1 - th * th);
            }
            default: return 1;
        }
    }

    /// <summary>d²φ/dz² at z, given y = φ(z) (analytic for the common activations, a central difference otherwise).</summary>
    public double SecondDerivative(double z, double y)
    {
        switch (Kind)
        {
            case ActivationKind.Linear or ActivationKind.Relu or ActivationKind.Relu6: return 0;
            case ActivationKind.Tanh: return -2 * y * (1 - y * y);
            case ActivationKind.Sigmoid: return y * (1 - y) * (1 - 2 * y);
            case ActivationKind.Softplus:
            {
                var s = Sigmoid(z);
                return s * (1 - s);
            }
            default:
            {
                const double h = 1e-5;
                return (Derivative(z + h, Value(z + h)) - Derivative(z - h, Value(z - h))) / (2 * h);
            }
        }
    }

    private static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    public override string ToString() => Name;
}

/// <summary>Activation function families.</summary>
public enum ActivationKind
{
    Linear,
    Tanh,
    Relu,
    Relu6,
    Softplus,
    Sigmoid,
    Silu,
    Gelu,
    SiluT,
}
