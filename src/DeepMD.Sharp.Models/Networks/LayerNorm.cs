namespace DeepMD.Sharp.Models.Networks;

/// <summary>
/// DeePMD-kit's <c>LayerNorm</c>: y = γ ⊙ (x − μ)/√(σ² + ε) + β over the whole vector (σ² the population variance),
/// with its backward pass. Used after the residual of every attention layer.
/// </summary>
public sealed class LayerNorm
{
    public LayerNorm(double[] gamma, double[]? beta, double eps)
    {
        if (beta is not null && beta.Length != gamma.Length) throw new ArgumentException("LayerNorm: γ and β differ in length");
        Gamma = gamma;
        Beta = beta;
        Eps = eps;
    }

    /// <summary>Scale γ [n].</summary>
    public double[] Gamma { get; }

    /// <summary>Shift β [n], or null.</summary>
    public double[]? Beta { get; }

    public double Eps { get; }

    public int Size => Gamma.Length;

    public int ParameterCount => Gamma.Length + (Beta?.Length ?? 0);

    /// <summary>y = LN(x); writes x̂ = (x − μ)/√(σ²+ε) into <paramref name="normalized"/> and returns 1/√(σ²+ε).</summary>
    public double Forward(ReadOnlySpan<double> x, Span<double> y, Span<double> normalized)
    {
        var n = x.Length;
        double mean = 0;
        for (var k = 0; k < n; k++) mean += x[k];
        mean /= n;
        double variance = 0;
        for (var k = 0; k < n; k++) variance += (x[k] - mean) * (x[k] - mean);
        variance /= n;
        var inv = 1 / Math.Sqrt(variance + Eps);
        for (var k = 0; k < n; k++)
        {
            normalized[k] = (x[k] - mean) * inv;
            y[k] = normalized[k] * Gamma[k] + (Beta?[k] ?? 0);
        }
        return inv;
    }

    /// <summary>Adds ∂(dy·y)/∂x into <paramref name="dx"/>, from x̂ and 1/√(σ²+ε) of the forward pass.</summary>
    public void Backward(ReadOnlySpan<double> dy, ReadOnlySpan<double> normalized, double inv, Span<double> dx)
    {
        var n = dy.Length;
        double meanG = 0, meanGx = 0;
        for (var k = 0; k < n; k++)
        {
            var g = dy[k] * Gamma[k];
            meanG += g;
            meanGx += g * normalized[k];
        }
        meanG /= n;
        meanGx /= n;
        for (var k = 0; k < n; k++)
            dx[k] += inv * (dy[k] * Gamma[k] - meanG - normalized[k] * meanGx);
    }
}
