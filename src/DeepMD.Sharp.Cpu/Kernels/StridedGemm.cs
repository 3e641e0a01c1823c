namespace DeepMD.Sharp.Cpu.Kernels;

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

/// <summary>
/// C[o, v] (+)= Σ_k A(k, o)·B[k, v] on feature-major operands (B and C rows contiguous, the batch dimension v in SIMD
/// vectors), with A read through strides: A(k, o) = a[k·sk + o·so]. Transposed (sk = lda, so = 1) and plain (sk = 1,
/// so = lda) left operands are both one call, so the attention products (Q Kᵀ, A V, their reverse) need no packing.
/// Register tile 4 rows × 3 vectors (12 accumulators, each broadcast A value feeding three FMAs), then 4 × 1 and 1 × 1
/// for the edges. Unlike <see cref="FeatureMajorGemm{T}"/> the left operand changes every call (it is per-center data),
/// so packing it would cost as much as a small product.
/// </summary>
internal static class StridedGemm<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// C[o·ldc + v] = (accumulate ? C : 0) + Σ_{k&lt;kk} a[k·sk + o·so]·b[k·ldb + v] for o &lt; m, v &lt; n (n a multiple of
    /// the vector width).
    /// </summary>
    public static void Multiply(ReadOnlySpan<T> a, int sk, int so, ReadOnlySpan<T> b, int ldb, Span<T> c, int ldc, int m, int n, int kk, bool accumulate)
    {
        var vc = Vector<T>.Count;
        if (n % vc != 0) throw new ArgumentException("n must be a multiple of the vector width");
        ref var ar = ref MemoryMarshal.GetReference(a);
        ref var br = ref MemoryMarshal.GetReference(b);
        ref var cr = ref MemoryMarshal.GetReference(c);
        var o = 0;
        for (; o + 4 <= m; o += 4)
        {
            var v = 0;
            for (; v + 3 * vc <= n; v += 3 * vc) Tile4x3(ref ar, sk, so, ref br, ldb, ref cr, ldc, o, v, kk, accumulate);
            for (; v < n; v += vc) Tile4x1(ref ar, sk, so, ref br, ldb, ref cr, ldc, o, v, kk, accumulate);
        }
        for (; o < m; o++)
            for (var v = 0; v < n; v += vc)
            {
                var acc = accumulate ? Vector.LoadUnsafe(ref cr, (nuint)(o * ldc + v)) : Vector<T>.Zero;
                for (var k = 0; k < kk; k++)
                    acc = FeatureMajorGemm<T>.Fma(new Vector<T>(Unsafe.Add(ref ar, k * sk + o * so)), Vector.LoadUnsafe(ref br, (nuint)(k * ldb + v)), acc);
                acc.StoreUnsafe(ref cr, (nuint)(o * ldc + v));
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4x3(ref T ar, int sk, int so, ref T br, int ldb, ref T cr, int ldc, int o, int v, int kk, bool accumulate)
    {
        var vc = Vector<T>.Count;
        ref var c0 = ref Unsafe.Add(ref cr, o * ldc + v);
        ref var c1 = ref Unsafe.Add(ref c0, ldc);
        ref var c2 = ref Unsafe.Add(ref c1, ldc);
        ref var c3 = ref Unsafe.Add(ref c2, ldc);
        Vector<T> a00, a01, a02, a10, a11, a12, a20, a21, a22, a30, a31, a32;
        if (accumulate)
        {
            a00 = Vector.LoadUnsafe(ref c0); a01 = Vector.LoadUnsafe(ref c0, (nuint)vc); a02 = Vector.LoadUnsafe(ref c0, (nuint)(2 * vc));
            a10 = Vector.LoadUnsafe(ref c1); a11 = Vector.LoadUnsafe(ref c1, (nuint)vc); a12 = Vector.LoadUnsafe(ref c1, (nuint)(2 * vc));
            a20 = Vector.LoadUnsafe(ref c2); a21 = Vector.LoadUnsafe(ref c2, (nuint)vc); a22 = Vector.LoadUnsafe(ref c2, (nuint)(2 * vc));
            a30 = Vector.LoadUnsafe(ref c3); a31 = Vector.LoadUnsafe(ref c3, (nuint)vc); a32 = Vector.LoadUnsafe(ref c3, (nuint)(2 * vc));
        }
        else
        {
            a00 = a01 = a02 = a10 = a11 = a12 = a20 = a21 = a22 = a30 = a31 = a32 = Vector<T>.Zero;
        }
        ref var ak = ref Unsafe.Add(ref ar, o * so);
        ref var bk = ref Unsafe.Add(ref br, v);
        for (var k = 0; k < kk; k++)
        {
            var b0 = Vector.LoadUnsafe(ref bk);
            var b1 = Vector.LoadUnsafe(ref bk, (nuint)vc);
            var b2 = Vector.LoadUnsafe(ref bk, (nuint)(2 * vc));
            var w = new Vector<T>(ak);
            a00 = FeatureMajorGemm<T>.Fma(b0, w, a00); a01 = FeatureMajorGemm<T>.Fma(b1, w, a01); a02 = FeatureMajorGemm<T>.Fma(b2, w, a02);
            w = new Vector<T>(Unsafe.Add(ref ak, so));
            a10 = FeatureMajorGemm<T>.Fma(b0, w, a10); a11 = FeatureMajorGemm<T>.Fma(b1, w, a11); a12 = FeatureMajorGemm<T>.Fma(b2, w, a12);
            w = new Vector<T>(Unsafe.Add(ref ak, 2 * so));
            a20 = FeatureMajorGemm<T>.Fma(b0, w, a20); a21 = FeatureMajorGemm<T>.Fma(b1, w, a21); a22 = FeatureMajorGemm<T>.Fma(b2, w, a22);
            w = new Vector<T>(Unsafe.Add(ref ak, 3 * so));
            a30 = FeatureMajorGemm<T>.Fma(b0, w, a30); a31 = FeatureMajorGemm<T>.Fma(b1, w, a31); a32 = FeatureMajorGemm<T>.Fma(b2, w, a32);
            ak = ref Unsafe.Add(ref ak, sk);
            bk = ref Unsafe.Add(ref bk, ldb);
        }
        a00.StoreUnsafe(ref c0); a01.StoreUnsafe(ref c0, (nuint)vc); a02.StoreUnsafe(ref c0, (nuint)(2 * vc));
        a10.StoreUnsafe(ref c1); a11.StoreUnsafe(ref c1, (nuint)vc); a12.StoreUnsafe(ref c1, (nuint)(2 * vc));
        a20.StoreUnsafe(ref c2); a21.StoreUnsafe(ref c2, (nuint)vc); a22.StoreUnsafe(ref c2, (nuint)(2 * vc));
        a30.StoreUnsafe(ref c3); a31.StoreUnsafe(ref c3, (nuint)vc); a32.StoreUnsafe(ref c3, (nuint)(2 * vc));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4x1(ref T ar, int sk, int so, ref T br, int ldb, ref T cr, int ldc, int o, int v, int kk, bool accumulate)
    {
        ref var c0 = ref Unsafe.Add(ref cr, o * ldc + v);
        ref var c1 = ref Unsafe.Add(ref c0, ldc);
        ref var c2 = ref Unsafe.Add(ref c1, ldc);
        ref var c3 = ref Unsafe.Add(ref c2, ldc);
        Vector<T> a0 = Vector<T>.Zero, a1 = Vector<T>.Zero, a2 = Vector<T>.Zero, a3 = Vector<T>.Zero;
        if (accumulate)
        {
            a0 = Vector.LoadUnsafe(ref c0); a1 = Vector.LoadUnsafe(ref c1); a2 = Vector.LoadUnsafe(ref c2); a3 = Vector.LoadUnsafe(ref c3);
        }
        ref var ak = ref Unsafe.Add(ref ar, o * so);
        ref var bk = ref Unsafe.Add(ref br, v);
        for (var k = 0; k < kk; k++)
        {
            var b0 = Vector.LoadUnsafe(ref bk);
            a0 = FeatureMajorGemm<T>.Fma(b0, new Vector<T>(ak), a0);
            a1 = FeatureMajorGemm<T>.Fma(b0, new Vector<T>(Unsafe.Add(ref ak, so)), a1);
            a2 = FeatureMajorGemm<T>.Fma(b0, new Vector<T>(Unsafe.Add(ref ak, 2 * so)), a2);
            a3 = FeatureMajorGemm<T>.Fma(b0, new Vector<T>(Unsafe.Add(ref ak, 3 * so)), a3);
            ak = ref Unsafe.Add(ref ak, sk);
            bk = ref Unsafe.Add(ref bk, ldb);
        }
        a0.StoreUnsafe(ref c0); a1.StoreUnsafe(ref c1); a2.StoreUnsafe(ref c2); a3.StoreUnsafe(ref c3);
    }

    /// <summary>dst[j·ldd + i] = src[i·lds + j] for i &lt; rows, j &lt; cols (a square-blocked transpose).</summary>
    public static void Transpose(ReadOnlySpan<T> src, int lds, Span<T> dst, int ldd, int rows, int cols)
    {
        const int B = 16;
        for (var i0 = 0; i0 < rows; i0 += B)
            for (var j0 = 0; j0 < cols; j0 += B)
            {
                int i1 = Math.Min(rows, i0 + B), j1 = Math.Min(cols, j0 + B);
                for (var i = i0; i < i1; i++)
                    for (var j = j0; j < j1; j++)
                        dst[j * ldd + i] = src[i * lds + j];
            }
    }
}
