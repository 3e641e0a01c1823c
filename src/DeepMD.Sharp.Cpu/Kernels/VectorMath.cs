namespace DeepMD.Sharp.Cpu.Kernels;

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

/// <summary>
/// Vectorised tanh for the embedding and fitting nets, without branches: for a = |x|,
/// tanh a = −m / (2 + m) with m = expm1(−2a) ∈ (−1, 0], and the sign of x is put back with one XOR. expm1 is computed
/// as 2^k·(e^r − 1) + (2^k − 1) with −2a = k·ln2 + r, |r| ≤ ln2/2, and e^r − 1 = r + r²·P(r) (Taylor series, Estrin
/// scheme), so small arguments lose nothing to cancellation and need no separate series. Relative error stays below
/// 2e−15 in double and 1e−6 in float.
/// </summary>
internal static class VectorMath
{
    /// <summary>y = tanh(x) elementwise; x and y may be the same span.</summary>
    public static void Tanh<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var vc = Vector<T>.Count;
        ref var xr = ref MemoryMarshal.GetReference(x);
        ref var yr = ref MemoryMarshal.GetReference(y);
        var i = 0;
        for (; i + vc <= x.Length; i += vc) Tanh(Vector.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        for (; i < x.Length; i++) y[i] = T.Tanh(x[i]);
    }

    /// <summary>tanh of each lane (double or float).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Tanh<T>(Vector<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(double)) return TanhDouble(x.As<T, double>()).As<double, T>();
        if (typeof(T) == typeof(float)) return TanhFloat(x.As<T, float>()).As<float, T>();
        throw new NotSupportedException(typeof(T).Name);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> TanhDouble(Vector<double> x)
    {
        const double Ln2Hi = 6.93147180369123816490e-01;
        const double Ln2Lo = 1.90821492927058770002e-10;
        const double Log2E = 1.44269504088896338700e+00;
        const double Shifter = 6755399441055744.0; // 1.5 · 2^52: adding it rounds to an integer
        var sign = Vector.AsVectorUInt64(x) & new Vector<ulong>(0x8000_0000_0000_0000UL);
        // u = −2|x|, clamped at −40: e^−40 is far below one ulp of 1, and 2^k stays a normal number.
        var u = Vector.Max(Vector.Abs(x) * new Vector<double>(-2.0), new Vector<double>(-40.0));
        var kf = Fma(u, new Vector<double>(Log2E), new Vector<double>(Shifter));
        var k = kf - new Vector<double>(Shifter);
        var r = Fma(k, new Vector<double>(-Ln2Hi), u);
        r = Fma(k, new Vector<double>(-Ln2Lo), r);
        // e^r − 1 = r + r²·Σ_{j=0..11} r^j/(j+2)!, truncation below 2e−17 relative for |r| ≤ ln2/2.
        var r2 = r * r;
        var r4 = r2 * r2;
        var p01 = Fma(r, new Vector<double>(1.0 / 6), new Vector<double>(1.0 / 2));
        var p23 = Fma(r, new Vector<double>(1.0 / 120), new Vector<double>(1.0 / 24));
        var p45 = Fma(r, new Vector<double>(1.0 / 5040), new Vector<double>(1.0 / 720));
        var p67 = Fma(r, new Vector<double>(1.0 / 362880), new Vector<double>(1.0 / 40320));
        var p89 = Fma(r, new Vector<double>(1.0 / 39916800), new Vector<double>(1.0 / 3628800));
        var pab = Fma(r, new Vector<double>(1.0 / 6227020800.0), new Vector<double>(1.0 / 479001600));
        var s0 = Fma(r2, p23, p01);
        var s1 = Fma(r2, p67, p45);
        var s2 = Fma(r2, pab, p89);
        var em1r = Fma(r2, Fma(r4, Fma(r4, s2, s1), s0), r);
        // 2^k: k sits in the low mantissa bits of kf (the shifter trick); move it into the exponent field.
        var bits = Vector.AsVectorInt64(kf) - Vector.AsVectorInt64(new Vector<double>(Shifter));
        var scale = Vector.AsVectorDouble(Vector.ShiftLeft(bits + new Vector<long>(1023), 52));
        var m = Fma(scale, em1r, scale - Vector<double>.One); // expm1(u) = 2^k·(e^r − 1) + (2^k − 1)
        var t = (Vector<double>.Zero - m) / (new Vector<double>(2.0) + m); // +0 for x = ±0, before the sign
        return Vector.AsVectorDouble(Vector.AsVectorUInt64(t) ^ sign);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> TanhFloat(Vector<float> x)
    {
        const float Ln2Hi = 0.693145751953125f;
        const float Ln2Lo = 1.4286068203094173e-06f;
        const float Log2E = 1.44269504088896341f;
        const float Shifter = 12582912f; // 1.5 · 2^23
        var sign = Vector.AsVectorUInt32(x) & new Vector<uint>(0x8000_0000u);
        // e^−20 is far below one float ulp of 1.
        var u = Vector.Max(Vector.Abs(x) * new Vector<float>(-2f), new Vector<float>(-20f));
        var kf = Fma(u, new Vector<float>(Log2E), new Vector<float>(Shifter));
        var k = kf - new Vector<float>(Shifter);
        var r = Fma(k, new Vector<float>(-Ln2Hi), u);
        r = Fma(k, new Vector<float>(-Ln2Lo), r);
        // e^r − 1 = r + r²·Σ_{j=0..5} r^j/(j+2)!, truncation below 2e−8 relative for |r| ≤ ln2/2.
        var r2 = r * r;
        var p01 = Fma(r, new Vector<float>(1f / 6), new Vector<float>(1f / 2));
        var p23 = Fma(r, new Vector<float>(1f / 120), new Vector<float>(1f / 24));
        var p45 = Fma(r, new Vector<float>(1f / 5040), new Vector<float>(1f / 720));
        var em1r = Fma(r2, Fma(r2, Fma(r2, p45, p23), p01), r);
        var bits = Vector.AsVectorInt32(kf) - Vector.AsVectorInt32(new Vector<float>(Shifter));
        var scale = Vector.AsVectorSingle(Vector.ShiftLeft(bits + new Vector<int>(127), 23));
        var m = Fma(scale, em1r, scale - Vector<float>.One);
        var t = (Vector<float>.Zero - m) / (new Vector<float>(2f) + m);
        return Vector.AsVectorSingle(Vector.AsVectorUInt32(t) ^ sign);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> Fma(Vector<double> a, Vector<double> b, Vector<double> c) => FeatureMajorGemm<double>.Fma(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Fma(Vector<float> a, Vector<float> b, Vector<float> c) => FeatureMajorGemm<float>.Fma(a, b, c);
}
