namespace DeepMD.Sharp.Cpu.Kernels;

using System.Numerics;
using System.Runtime.InteropServices;

/// <summary>
/// Vectorised tanh for the embedding and fitting nets. tanh|x| = (1 − e^{−2|x|}) / (1 + e^{−2|x|}) for |x| ≥ 0.1
/// (little cancellation there), an odd Taylor polynomial below (truncation error under 1e−19 relative in double);
/// the sign is restored last. Relative error stays below 2e−15 in double and 1e−6 in float.
/// </summary>
internal static class VectorMath
{
    private const double SmallArgument = 0.1;

    /// <summary>y = tanh(x) elementwise; x and y may be the same span.</summary>
    public static void Tanh<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(double))
            TanhDouble(MemoryMarshal.Cast<T, double>(x), MemoryMarshal.Cast<T, double>(y));
        else if (typeof(T) == typeof(float))
            TanhFloat(MemoryMarshal.Cast<T, float>(x), MemoryMarshal.Cast<T, float>(y));
        else
            for (var i = 0; i < x.Length; i++) y[i] = T.Tanh(x[i]);
    }

    private static void TanhDouble(ReadOnlySpan<double> x, Span<double> y)
    {
        var vc = Vector<double>.Count;
        var i = 0;
        var one = Vector<double>.One;
        var small = new Vector<double>(SmallArgument);
        var minusTwo = new Vector<double>(-2.0);
        var c3 = new Vector<double>(-1.0 / 3);
        var c5 = new Vector<double>(2.0 / 15);
        var c7 = new Vector<double>(-17.0 / 315);
        var c9 = new Vector<double>(62.0 / 2835);
        var c11 = new Vector<double>(-1382.0 / 155925);
        var c13 = new Vector<double>(21844.0 / 6081075);
        var c15 = new Vector<double>(-929569.0 / 638512875);
        for (; i + vc <= x.Length; i += vc)
        {
            var v = new Vector<double>(x[i..]);
            var ax = Vector.Abs(v);
            var t = ExpNonPositive(ax * minusTwo);
            var r = (one - t) / (one + t);
            var isSmall = Vector.LessThan(ax, small);
            if (!Vector.EqualsAll(isSmall, Vector<long>.Zero))
            {
                // Only when some lane is small: most embedding pre-activations are not.
                var z = ax * ax;
                var poly = ax + ax * z * (c3 + z * (c5 + z * (c7 + z * (c9 + z * (c11 + z * (c13 + z * c15))))));
                r = Vector.ConditionalSelect(isSmall, poly, r);
            }
            r = Vector.ConditionalSelect(Vector.LessThan(v, Vector<double>.Zero), -r, r);
            r.CopyTo(y[i..]);
        }
        for (; i < x.Length; i++) y[i] = Math.Tanh(x[i]);
    }

    /// <summary>
    /// e^x for x ≤ 0 (the only case tanh needs): x = k·ln2 + r with |r| ≤ ln2/2, e^r by its Taylor series to r¹³
    /// (truncation below 1e−17), and 2^k put into the exponent bits. x is clamped at −40 (tanh needs no smaller
    /// values: e^−40 ≪ 1 ulp of 1), which also keeps every intermediate far from subnormals, whose arithmetic is slow.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static Vector<double> ExpNonPositive(Vector<double> x)
    {
        const double Ln2Hi = 6.93147180369123816490e-01;
        const double Ln2Lo = 1.90821492927058770002e-10;
        const double Log2E = 1.44269504088896338700e+00;
        const double Shifter = 6755399441055744.0; // 1.5 · 2^52: adding it rounds to an integer
        x = Vector.Max(x, new Vector<double>(-40.0));
        var kf = x * new Vector<double>(Log2E) + new Vector<double>(Shifter);
        var k = kf - new Vector<double>(Shifter);
        var r = x - k * new Vector<double>(Ln2Hi) - k * new Vector<double>(Ln2Lo);
        // Σ r^n/n! for n ≤ 13 in Estrin's scheme: short dependency chains instead of one 13-deep Horner chain.
        var r2 = r * r;
        var r4 = r2 * r2;
        var p01 = Vector<double>.One + r;
        var p23 = new Vector<double>(0.5) + r * new Vector<double>(1.0 / 6);
        var p45 = new Vector<double>(1.0 / 24) + r * new Vector<double>(1.0 / 120);
        var p67 = new Vector<double>(1.0 / 720) + r * new Vector<double>(1.0 / 5040);
        var p89 = new Vector<double>(1.0 / 40320) + r * new Vector<double>(1.0 / 362880);
        var pab = new Vector<double>(1.0 / 3628800) + r * new Vector<double>(1.0 / 39916800);
        var pcd = new Vector<double>(1.0 / 479001600) + r * new Vector<double>(1.0 / 6227020800.0);
        var low = p01 + r2 * p23 + r4 * (p45 + r2 * p67);
        var high = p89 + r2 * pab + r4 * pcd;
        var p = low + r4 * r4 * high;
        // 2^k: k sits in the low mantissa bits of kf (the shifter trick); move it into the exponent field.
        var bits = Vector.AsVectorInt64(kf) - Vector.AsVectorInt64(new Vector<double>(Shifter));
        var scale = Vector.AsVectorDouble(Vector.ShiftLeft(bits + new Vector<long>(1023), 52));
        return p * scale;
    }

    private static void TanhFloat(ReadOnlySpan<float> x, Span<float> y)
    {
        var vc = Vector<float>.Count;
        var i = 0;
        var one = Vector<float>.One;
        var small = new Vector<float>((float)SmallArgument);
        var minusTwo = new Vector<float>(-2f);
        var c3 = new Vector<float>(-1f / 3);
        var c5 = new Vector<float>(2f / 15);
        var c7 = new Vector<float>(-17f / 315);
        for (; i + vc <= x.Length; i += vc)
        {
            var v = new Vector<float>(x[i..]);
            var ax = Vector.Abs(v);
            // Clamped like the double path: e^−40 is far below float resolution and keeps clear of subnormals.
            var t = Vector.Exp(Vector.Max(ax * minusTwo, new Vector<float>(-40f)));
            var big = (one - t) / (one + t);
            var z = ax * ax;
            var poly = ax + ax * z * (c3 + z * (c5 + z * c7));
            var r = Vector.ConditionalSelect(Vector.LessThan(ax, small), poly, big);
            r = Vector.ConditionalSelect(Vector.LessThan(v, Vector<float>.Zero), -r, r);
            r.CopyTo(y[i..]);
        }
        for (; i < x.Length; i++) y[i] = MathF.Tanh(x[i]);
    }
}
