namespace DeepMD.Sharp.Cpu.Kernels;

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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

    /// <summary>
    /// e^x of each lane (double or float) for x in [−708, 708] (float: [−87, 88]); smaller arguments are clamped there (a
    /// value below 1e−307, resp. 1e−38: the softmax of the attention, its only user, divides by a sum ≥ 1). Same range
    /// reduction and series as <see cref="Tanh{T}(Vector{T})"/>: 2^k·(1 + (e^r − 1)).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Exp<T>(Vector<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(double)) return ExpDouble(x.As<T, double>()).As<double, T>();
        if (typeof(T) == typeof(float)) return ExpFloat(x.As<T, float>()).As<float, T>();
        throw new NotSupportedException(typeof(T).Name);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> ExpDouble(Vector<double> x)
    {
        const double Ln2Hi = 6.93147180369123816490e-01;
        const double Ln2Lo = 1.90821492927058770002e-10;
        const double Log2E = 1.44269504088896338700e+00;
        const double Shifter = 6755399441055744.0;
        var u = Vector.Min(Vector.Max(x, new Vector<double>(-708.0)), new Vector<double>(708.0));
        var kf = Fma(u, new Vector<double>(Log2E), new Vector<double>(Shifter));
        var k = kf - new Vector<double>(Shifter);
        var r = Fma(k, new Vector<double>(-Ln2Hi), u);
        r = Fma(k, new Vector<double>(-Ln2Lo), r);
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
        var bits = Vector.AsVectorInt64(kf) - Vector.AsVectorInt64(new Vector<double>(Shifter));
        var scale = Vector.AsVectorDouble(Vector.ShiftLeft(bits + new Vector<long>(1023), 52));
        return Fma(scale, em1r, scale);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> ExpFloat(Vector<float> x)
    {
        const float Ln2Hi = 0.693145751953125f;
        const float Ln2Lo = 1.4286068203094173e-06f;
        const float Log2E = 1.44269504088896341f;
        const float Shifter = 12582912f;
        var u = Vector.Min(Vector.Max(x, new Vector<float>(-87f)), new Vector<float>(88f));
        var kf = Fma(u, new Vector<float>(Log2E), new Vector<float>(Shifter));
        var k = kf - new Vector<float>(Shifter);
        var r = Fma(k, new Vector<float>(-Ln2Hi), u);
        r = Fma(k, new Vector<float>(-Ln2Lo), r);
        var r2 = r * r;
        var p01 = Fma(r, new Vector<float>(1f / 6), new Vector<float>(1f / 2));
        var p23 = Fma(r, new Vector<float>(1f / 120), new Vector<float>(1f / 24));
        var p45 = Fma(r, new Vector<float>(1f / 5040), new Vector<float>(1f / 720));
        var em1r = Fma(r2, Fma(r2, Fma(r2, p45, p23), p01), r);
        var bits = Vector.AsVectorInt32(kf) - Vector.AsVectorInt32(new Vector<float>(Shifter));
        var scale = Vector.AsVectorSingle(Vector.ShiftLeft(bits + new Vector<int>(127), 23));
        return Fma(scale, em1r, scale);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> Fma(Vector<double> a, Vector<double> b, Vector<double> c) => FeatureMajorGemm<double>.Fma(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Fma(Vector<float> a, Vector<float> b, Vector<float> c) => FeatureMajorGemm<float>.Fma(a, b, c);
}

/// <summary>Horizontal sums of several vectors at once.</summary>
internal static class VectorReduce
{
    /// <summary>
    /// The lane sums of four vectors. With 512-bit vectors the four are reduced together by a transpose-and-add tree (13
    /// instructions in float, against 27 per vector for <see cref="Vector.Sum{T}(Vector{T})"/>, which reduces each
    /// 128-bit quarter separately); elsewhere one <see cref="Vector.Sum{T}(Vector{T})"/> each. The order of the additions
    /// differs between the two, so results may differ in the last bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (T S0, T S1, T S2, T S3) Sum4<T>(Vector<T> s0, Vector<T> s1, Vector<T> s2, Vector<T> s3)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Vector<T>.Count * Unsafe.SizeOf<T>() == 64 && Avx512F.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                var r = Sum4Float(s0.As<T, float>().AsVector512(), s1.As<T, float>().AsVector512(), s2.As<T, float>().AsVector512(),
                    s3.As<T, float>().AsVector512());
                return ((T)(object)r.GetElement(0), (T)(object)r.GetElement(1), (T)(object)r.GetElement(2), (T)(object)r.GetElement(3));
            }
            if (typeof(T) == typeof(double))
            {
                var r = Sum4Double(s0.As<T, double>().AsVector512(), s1.As<T, double>().AsVector512(), s2.As<T, double>().AsVector512(),
                    s3.As<T, double>().AsVector512());
                return ((T)(object)r.GetElement(0), (T)(object)r.GetElement(1), (T)(object)r.GetElement(2), (T)(object)r.GetElement(3));
            }
        }
        return (Vector.Sum(s0), Vector.Sum(s1), Vector.Sum(s2), Vector.Sum(s3));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Sum4Float(Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3)
    {
        // Per 128-bit lane: [s0₀+s0₂, s1₀+s1₂, s0₁+s0₃, s1₁+s1₃], and the same for s2, s3.
        var t01 = Avx512F.UnpackLow(s0, s1) + Avx512F.UnpackHigh(s0, s1);
        var t23 = Avx512F.UnpackLow(s2, s3) + Avx512F.UnpackHigh(s2, s3);
        // Per 128-bit lane: [Σs0, Σs1, Σs2, Σs3] of that lane's four elements.
        var d01 = t01.AsDouble();
        var d23 = t23.AsDouble();
        var u = (Avx512F.UnpackLow(d01, d23).AsSingle() + Avx512F.UnpackHigh(d01, d23).AsSingle());
        var h = u.GetLower() + u.GetUpper();
        return h.GetLower() + h.GetUpper();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Sum4Double(Vector512<double> s0, Vector512<double> s1, Vector512<double> s2, Vector512<double> s3)
    {
        // Per 128-bit lane: [s0₀+s0₁, s1₀+s1₁], and the same for s2, s3.
        var t01 = Avx512F.UnpackLow(s0, s1) + Avx512F.UnpackHigh(s0, s1);
        var t23 = Avx512F.UnpackLow(s2, s3) + Avx512F.UnpackHigh(s2, s3);
        // [t01 lanes 0,1 | t23 lanes 0,1] + [t01 lanes 2,3 | t23 lanes 2,3]
        var z = Avx512F.Shuffle4x128(t01, t23, 0b01_00_01_00) + Avx512F.Shuffle4x128(t01, t23, 0b11_10_11_10);
        // z = [Σ01 part a | Σ01 part b | Σ23 part a | Σ23 part b] (128-bit lanes): add a and b.
        var w = Avx512F.Shuffle4x128(z, z, 0b10_00_10_00) + Avx512F.Shuffle4x128(z, z, 0b11_01_11_01);
        return w.GetLower();
    }
}
