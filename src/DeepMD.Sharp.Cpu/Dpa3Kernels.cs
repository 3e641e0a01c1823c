namespace DeepMD.Sharp.Cpu;

using System.Numerics;
using DeepMD.Sharp.Cpu.Kernels;
using DeepMD.Sharp.Models.Networks;

/// <summary>
/// Row-major dense helpers of the DPA-3 CPU backend: every feature row is padded to whole SIMD vectors, and a product
/// X·W (rows of X = edges, angles or atoms) is one <see cref="StridedGemm{T}"/> call with the weights as the
/// contiguous right operand (no transposes of the data).
/// </summary>
internal static class Dpa3Kernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int VC => Vector<T>.Count;

    /// <summary>n rounded up to whole vectors.</summary>
    public static int P(int n) => (n + VC - 1) / VC * VC;

    /// <summary>Rows r0..r0+k of a weight matrix (row-major [in][out]), as W [k][P(out)] and Wᵀ [out][P(k)], zero padded.</summary>
    public sealed class Block
    {
        public Block(double[] w, int nout, int r0, int k)
        {
            In = k;
            Out = nout;
            OutP = P(nout);
            InP = P(k);
            W = new T[Math.Max(1, k) * OutP];
            WT = new T[Math.Max(1, nout) * InP];
            for (var a = 0; a < k; a++)
                for (var o = 0; o < nout; o++)
                {
                    var v = T.CreateTruncating(w[(r0 + a) * nout + o]);
                    W[a * OutP + o] = v;
                    WT[o * InP + a] = v;
                }
        }

        public readonly int In, Out, OutP, InP;
        public readonly T[] W, WT;

        /// <summary>Y[m][OutP] (+)= X[m][·] (stride ldx, first In columns) · W.</summary>
        public void Forward(ReadOnlySpan<T> x, int ldx, Span<T> y, int ldy, int m, bool accumulate)
        {
            if (m == 0 || In == 0) return;
            StridedGemm<T>.Multiply(x, 1, ldx, W, OutP, y, ldy, m, OutP, In, accumulate);
        }

        /// <summary>dX[m][InP] (+)= dY[m][·] (stride ldy, first Out columns) · Wᵀ.</summary>
        public void Backward(ReadOnlySpan<T> dy, int ldy, Span<T> dx, int ldx, int m, bool accumulate)
        {
            if (m == 0 || In == 0) return;
            StridedGemm<T>.Multiply(dy, 1, ldy, WT, InP, dx, ldx, m, InP, Out, accumulate);
        }
    }

    /// <summary>A layer's bias, zero padded to P(out) (zero when the layer has none).</summary>
    public static T[] Bias(NeuralNetwork net)
    {
        var l = net.Layers[0];
        var b = new T[P(l.OutputSize)];
        if (l.Bias is { } bias)
            for (var o = 0; o < bias.Length; o++) b[o] = T.CreateTruncating(bias[o]);
        return b;
    }

    public static void Add(Span<T> y, ReadOnlySpan<T> x)
    {
        var n = y.Length;
        var k = 0;
        for (; k + VC <= n; k += VC) (new Vector<T>(y[k..]) + new Vector<T>(x[k..])).CopyTo(y[k..]);
        for (; k < n; k++) y[k] += x[k];
    }

    /// <summary>y = a + b.</summary>
    public static void Sum(Span<T> y, ReadOnlySpan<T> a, ReadOnlySpan<T> b)
    {
        var n = y.Length;
        var k = 0;
        for (; k + VC <= n; k += VC) (new Vector<T>(a[k..]) + new Vector<T>(b[k..])).CopyTo(y[k..]);
        for (; k < n; k++) y[k] = a[k] + b[k];
    }

    /// <summary>y += a ⊙ x.</summary>
    public static void AddMul(Span<T> y, ReadOnlySpan<T> a, ReadOnlySpan<T> x)
    {
        var n = y.Length;
        var k = 0;
        for (; k + VC <= n; k += VC) FeatureMajorGemm<T>.Fma(new Vector<T>(a[k..]), new Vector<T>(x[k..]), new Vector<T>(y[k..])).CopyTo(y[k..]);
        for (; k < n; k++) y[k] += a[k] * x[k];
    }

    /// <summary>y = a ⊙ x.</summary>
    public static void Mul(Span<T> y, ReadOnlySpan<T> a, ReadOnlySpan<T> x)
    {
        var n = y.Length;
        var k = 0;
        for (; k + VC <= n; k += VC) (new Vector<T>(a[k..]) * new Vector<T>(x[k..])).CopyTo(y[k..]);
        for (; k < n; k++) y[k] = a[k] * x[k];
    }

    /// <summary>y += s·x.</summary>
    public static void AddScaled(Span<T> y, T s, ReadOnlySpan<T> x)
    {
        var n = y.Length;
        var k = 0;
        var sv = new Vector<T>(s);
        for (; k + VC <= n; k += VC) FeatureMajorGemm<T>.Fma(sv, new Vector<T>(x[k..]), new Vector<T>(y[k..])).CopyTo(y[k..]);
        for (; k < n; k++) y[k] += s * x[k];
    }

    public static T Dot(ReadOnlySpan<T> a, ReadOnlySpan<T> b, int n)
    {
        var acc = Vector<T>.Zero;
        var k = 0;
        for (; k + VC <= n; k += VC) acc = FeatureMajorGemm<T>.Fma(new Vector<T>(a[k..]), new Vector<T>(b[k..]), acc);
        var s = Vector.Sum(acc);
        for (; k < n; k++) s += a[k] * b[k];
        return s;
    }

    /// <summary>y = φ(z) elementwise (vectorised for silu, silut, tanh and linear; the others per element).</summary>
    public static void Act(Activation act, ReadOnlySpan<T> z, Span<T> y)
    {
        var n = z.Length;
        var k = 0;
        switch (act.Kind)
        {
            case ActivationKind.Linear:
                z.CopyTo(y);
                return;
            case ActivationKind.Silu:
                for (; k + VC <= n; k += VC)
                {
                    var v = new Vector<T>(z[k..]);
                    (v * Sigmoid(v)).CopyTo(y[k..]);
                }
                break;
            case ActivationKind.Tanh:
                for (; k + VC <= n; k += VC) VectorMath.Tanh(new Vector<T>(z[k..])).CopyTo(y[k..]);
                break;
            case ActivationKind.SiluT:
            {
                var (thr, slope, offset) = SiluT(act);
                var tv = new Vector<T>(thr);
                for (; k + VC <= n; k += VC)
                {
                    var v = new Vector<T>(z[k..]);
                    var lo = v * Sigmoid(v);
                    if (Vector.LessThanAll(v, tv))
                    {
                        lo.CopyTo(y[k..]);
                        continue;
                    }
                    var hi = VectorMath.Tanh(new Vector<T>(slope) * (v - tv)) + new Vector<T>(offset);
                    Vector.ConditionalSelect(Vector.LessThan(v, tv), lo, hi).CopyTo(y[k..]);
                }
                break;
            }
        }
        for (; k < n; k++) y[k] = T.CreateTruncating(act.Value(double.CreateTruncating(z[k])));
    }

    /// <summary>g ⊙= φ′(z) elementwise.</summary>
    public static void ActBack(Activation act, ReadOnlySpan<T> z, Span<T> g)
    {
        var n = g.Length;
        var k = 0;
        var one = Vector<T>.One;
        switch (act.Kind)
        {
            case ActivationKind.Linear:
                return;
            case ActivationKind.Silu:
                for (; k + VC <= n; k += VC)
                {
                    var v = new Vector<T>(z[k..]);
                    var s = Sigmoid(v);
                    (new Vector<T>(g[k..]) * (s + v * s * (one - s))).CopyTo(g[k..]);
                }
                break;
            case ActivationKind.Tanh:
                for (; k + VC <= n; k += VC)
                {
                    var t = VectorMath.Tanh(new Vector<T>(z[k..]));
                    (new Vector<T>(g[k..]) * (one - t * t)).CopyTo(g[k..]);
                }
                break;
            case ActivationKind.SiluT:
            {
                var (thr, slope, _) = SiluT(act);
                for (; k + VC <= n; k += VC)
                {
                    var v = new Vector<T>(z[k..]);
                    var s = Sigmoid(v);
                    var lo = s + v * s * (one - s);
                    if (Vector.LessThanAll(v, new Vector<T>(thr)))
                    {
                        (new Vector<T>(g[k..]) * lo).CopyTo(g[k..]);
                        continue;
                    }
                    var t = VectorMath.Tanh(new Vector<T>(slope) * (v - new Vector<T>(thr)));
                    var hi = new Vector<T>(slope) * (one - t * t);
                    (new Vector<T>(g[k..]) * Vector.ConditionalSelect(Vector.LessThan(v, new Vector<T>(thr)), lo, hi)).CopyTo(g[k..]);
                }
                break;
            }
        }
        for (; k < n; k++)
        {
            var zz = double.CreateTruncating(z[k]);
            g[k] *= T.CreateTruncating(act.Derivative(zz, act.Value(zz)));
        }
    }

    /// <summary>y = φ(z) and z ← φ′(z) elementwise (one exponential per element where <see cref="Act"/> then <see cref="ActBack"/> take two).</summary>
    public static void ActBoth(Activation act, Span<T> z, Span<T> y)
    {
        var n = z.Length;
        var k = 0;
        var one = Vector<T>.One;
        switch (act.Kind)
        {
            case ActivationKind.Linear:
                z.CopyTo(y);
                z.Fill(T.One);
                return;
            case ActivationKind.Silu:
                for (; k + VC <= n; k += VC)
                {
                    var v = new Vector<T>(z[k..]);
                    var s = Sigmoid(v);
                    (v * s).CopyTo(y[k..]);
                    (s + v * s * (one - s)).CopyTo(z[k..]);
                }
                break;
            case ActivationKind.Tanh:
                for (; k + VC <= n; k += VC)
                {
                    var t = VectorMath.Tanh(new Vector<T>(z[k..]));
                    t.CopyTo(y[k..]);
                    (one - t * t).CopyTo(z[k..]);
                }
                break;
            case ActivationKind.SiluT:
            {
                var (thr, slope, offset) = SiluT(act);
                var tv = new Vector<T>(thr);
                for (; k + VC <= n; k += VC)
                {
                    var v = new Vector<T>(z[k..]);
                    var s = Sigmoid(v);
                    var lo = v * s;
                    var dlo = s + v * s * (one - s);
                    if (Vector.LessThanAll(v, tv))
                    {
                        lo.CopyTo(y[k..]);
                        dlo.CopyTo(z[k..]);
                        continue;
                    }
                    var t = VectorMath.Tanh(new Vector<T>(slope) * (v - tv));
                    var below = Vector.LessThan(v, tv);
                    Vector.ConditionalSelect(below, lo, t + new Vector<T>(offset)).CopyTo(y[k..]);
                    Vector.ConditionalSelect(below, dlo, new Vector<T>(slope) * (one - t * t)).CopyTo(z[k..]);
                }
                break;
            }
        }
        for (; k < n; k++)
        {
            var zz = double.CreateTruncating(z[k]);
            var yy = act.Value(zz);
            y[k] = T.CreateTruncating(yy);
            z[k] = T.CreateTruncating(act.Derivative(zz, yy));
        }
    }

    private static Vector<T> Sigmoid(Vector<T> v) => Vector<T>.One / (Vector<T>.One + VectorMath.Exp(-v));

    private static (T Threshold, T Slope, T Offset) SiluT(Activation act)
    {
        var t = act.Threshold;
        var s = 1 / (1 + Math.Exp(-t));
        return (T.CreateTruncating(t), T.CreateTruncating(s + t * s * (1 - s)), T.CreateTruncating(t * s));
    }
}
