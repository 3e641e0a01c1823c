namespace DeepMD.Sharp.Cpu.Kernels;

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

/// <summary>
/// The one dense kernel of the CPU backend: z = Wᵀx (+ b) for a batch stored feature-major, i.e. x[k, v] at
/// <c>x[k·ld + v]</c> with the batch (neighbor slots or atoms) contiguous. Each weight is broadcast once per
/// register tile and multiplied into SIMD vectors of the batch, so the batch dimension carries the vector width
/// whatever the ISA (Vector&lt;T&gt; is 512, 256 or 128 bits wide depending on the CPU and the DOTNET_Enable* switches).
/// </summary>
internal static class FeatureMajorGemm<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// Re-lays a weight matrix w[k·nout + o] (nin × nout, row-major) as the panels the kernel reads: outputs in groups
    /// of 4 (then 2, then 1 for the leftovers), each group's nin × width block contiguous and k-major. The kernel then
    /// reads weights strictly sequentially, which the hardware prefetcher follows even when the matrix lives in L3 or
    /// memory (the fitting net's first layer does not fit in L2).
    /// </summary>
    public static T[] Pack(ReadOnlySpan<T> w, int nin, int nout)
    {
        var packed = new T[nin * nout];
        var o = 0;
        while (o < nout)
        {
            var width = PanelWidth(o, nout);
            for (var k = 0; k < nin; k++)
                for (var j = 0; j < width; j++)
                    packed[o * nin + k * width + j] = w[k * nout + o + j];
            o += width;
        }
        return packed;
    }

    /// <summary>Outputs in the panel that starts at output <paramref name="o"/>: 4, then 2, then 1.</summary>
    private static int PanelWidth(int o, int nout) => nout - o >= 4 ? 4 : nout - o >= 2 ? 2 : 1;

    /// <summary>
    /// z[o·ld + v] = bias[o] + Σ_k w[k·nout + o] · x[k·ld + v] for o &lt; nout, v &lt; ld, with the weights given as
    /// <see cref="Pack"/> made them; <paramref name="ld"/> must be a multiple of Vector&lt;T&gt;.Count. An empty
    /// <paramref name="bias"/> means zero.
    /// </summary>
    public static void Multiply(ReadOnlySpan<T> w, ReadOnlySpan<T> bias, int nin, int nout, ReadOnlySpan<T> x, Span<T> z, int ld) =>
        MultiplyColumns(w, bias, nin, nout, x, z, ld, 0, ld);

    /// <summary>Rows of x per cache block: a block's weight panels (KBlock × nout) stay in L2 while every column block uses them.</summary>
    private const int KBlock = 128;

    /// <summary>Columns per cache block: KBlock rows × 256 bytes of x (32 KiB) stay in L1 while every output tile uses them.</summary>
    private static int L1Columns => Math.Max(2 * Vector<T>.Count, 256 / Unsafe.SizeOf<T>() / (2 * Vector<T>.Count) * (2 * Vector<T>.Count));

    /// <summary>As <see cref="Multiply"/> (packed weights), for columns v0..v1 only (both multiples of the vector width).</summary>
    public static void MultiplyColumns(ReadOnlySpan<T> w, ReadOnlySpan<T> bias, int nin, int nout, ReadOnlySpan<T> x, Span<T> z, int ld, int v0, int v1)
    {
        var columns = L1Columns;
        for (var k0 = 0; k0 < nin; k0 += KBlock)
        {
            var k1 = Math.Min(nin, k0 + KBlock);
            for (var c0 = v0; c0 < v1; c0 += columns)
                Tile(w, bias, k0, k1, nin, nout, x, z, ld, c0, Math.Min(v1, c0 + columns), accumulate: k0 > 0);
        }
    }

    /// <summary>z[o, v0..v1) (+)= Σ_{k0 ≤ k &lt; k1} w[k, o] x[k, v0..v1) (+ bias when not accumulating); w packed.</summary>
    private static void Tile(ReadOnlySpan<T> w, ReadOnlySpan<T> bias, int k0, int k1, int nin, int nout, ReadOnlySpan<T> x, Span<T> z, int ld,
        int v0, int v1, bool accumulate)
    {
        var vc = Vector<T>.Count;
        ref var wr = ref MemoryMarshal.GetReference(w);
        ref var xr = ref MemoryMarshal.GetReference(x);
        ref var zr = ref MemoryMarshal.GetReference(z);
        var hasBias = !bias.IsEmpty && !accumulate;
        ref var br = ref MemoryMarshal.GetReference(bias);
        var o = 0;
        for (; o + 4 <= nout; o += 4)
        {
            var b0 = hasBias ? new Vector<T>(Unsafe.Add(ref br, o)) : Vector<T>.Zero;
            var b1 = hasBias ? new Vector<T>(Unsafe.Add(ref br, o + 1)) : Vector<T>.Zero;
            var b2 = hasBias ? new Vector<T>(Unsafe.Add(ref br, o + 2)) : Vector<T>.Zero;
            var b3 = hasBias ? new Vector<T>(Unsafe.Add(ref br, o + 3)) : Vector<T>.Zero;
            var v = v0;
            // Large weight matrices (the fitting net's first layer, MBs) come from memory: while the first column tile
            // streams this panel block, fetch the next panel's (the hardware prefetcher does not cross panels). Measured:
            // fitting forward+backward 47-49 -> 40-42 CPU-µs/atom (f64 water, 512-bit, interleaved runs).
            var prefetch = v0 == 0 && nin * nout >= 65536 && o + 4 < nout;
            // With AVX-512's 32 vector registers: 4 outputs × 4 column vectors (16 accumulators), so each broadcast
            // weight feeds four FMAs instead of two. Without it the 16 registers hold only the 4 × 2 tile below.
            if (Wide)
                for (; v + 4 * vc <= v1; v += 4 * vc, prefetch = false)
                    Tile4x4(ref wr, ref zr, ref xr, o, nin, k0, k1, ld, v, vc, accumulate, prefetch, b0, b1, b2, b3);
            for (; v + 2 * vc <= v1; v += 2 * vc, prefetch = false)
            {
                Vector<T> a00 = b0, a01 = b0, a10 = b1, a11 = b1, a20 = b2, a21 = b2, a30 = b3, a31 = b3;
                if (accumulate)
                {
                    a00 = Vector.LoadUnsafe(ref zr, (nuint)(o * ld + v));
                    a01 = Vector.LoadUnsafe(ref zr, (nuint)(o * ld + v + vc));
                    a10 = Vector.LoadUnsafe(ref zr, (nuint)((o + 1) * ld + v));
                    a11 = Vector.LoadUnsafe(ref zr, (nuint)((o + 1) * ld + v + vc));
                    a20 = Vector.LoadUnsafe(ref zr, (nuint)((o + 2) * ld + v));
                    a21 = Vector.LoadUnsafe(ref zr, (nuint)((o + 2) * ld + v + vc));
                    a30 = Vector.LoadUnsafe(ref zr, (nuint)((o + 3) * ld + v));
                    a31 = Vector.LoadUnsafe(ref zr, (nuint)((o + 3) * ld + v + vc));
                }
                ref var wk = ref Unsafe.Add(ref wr, o * nin + k0 * 4);
                ref var xk = ref Unsafe.Add(ref xr, k0 * ld + v);
                for (var k = k0; k < k1; k++)
                {
                    if (prefetch) Prefetch(ref Unsafe.Add(ref wk, 4 * nin));
                    var xk0 = Vector.LoadUnsafe(ref xk);
                    var xk1 = Vector.LoadUnsafe(ref xk, (nuint)vc);
                    var w0 = new Vector<T>(wk);
                    var w1 = new Vector<T>(Unsafe.Add(ref wk, 1));
                    var w2 = new Vector<T>(Unsafe.Add(ref wk, 2));
                    var w3 = new Vector<T>(Unsafe.Add(ref wk, 3));
                    a00 = Fma(xk0, w0, a00);
                    a01 = Fma(xk1, w0, a01);
                    a10 = Fma(xk0, w1, a10);
                    a11 = Fma(xk1, w1, a11);
                    a20 = Fma(xk0, w2, a20);
                    a21 = Fma(xk1, w2, a21);
                    a30 = Fma(xk0, w3, a30);
                    a31 = Fma(xk1, w3, a31);
                    wk = ref Unsafe.Add(ref wk, 4);
                    xk = ref Unsafe.Add(ref xk, ld);
                }
                a00.StoreUnsafe(ref zr, (nuint)(o * ld + v));
                a01.StoreUnsafe(ref zr, (nuint)(o * ld + v + vc));
                a10.StoreUnsafe(ref zr, (nuint)((o + 1) * ld + v));
                a11.StoreUnsafe(ref zr, (nuint)((o + 1) * ld + v + vc));
                a20.StoreUnsafe(ref zr, (nuint)((o + 2) * ld + v));
                a21.StoreUnsafe(ref zr, (nuint)((o + 2) * ld + v + vc));
                a30.StoreUnsafe(ref zr, (nuint)((o + 3) * ld + v));
                a31.StoreUnsafe(ref zr, (nuint)((o + 3) * ld + v + vc));
            }
            for (; v < v1; v += vc)
            {
                Vector<T> a0 = b0, a1 = b1, a2 = b2, a3 = b3;
                if (accumulate)
                {
                    a0 = Vector.LoadUnsafe(ref zr, (nuint)(o * ld + v));
                    a1 = Vector.LoadUnsafe(ref zr, (nuint)((o + 1) * ld + v));
                    a2 = Vector.LoadUnsafe(ref zr, (nuint)((o + 2) * ld + v));
                    a3 = Vector.LoadUnsafe(ref zr, (nuint)((o + 3) * ld + v));
                }
                for (var k = k0; k < k1; k++)
                {
                    var xv = Vector.LoadUnsafe(ref xr, (nuint)(k * ld + v));
                    ref var wk = ref Unsafe.Add(ref wr, o * nin + k * 4);
                    a0 = Fma(xv, new Vector<T>(wk), a0);
                    a1 = Fma(xv, new Vector<T>(Unsafe.Add(ref wk, 1)), a1);
                    a2 = Fma(xv, new Vector<T>(Unsafe.Add(ref wk, 2)), a2);
                    a3 = Fma(xv, new Vector<T>(Unsafe.Add(ref wk, 3)), a3);
                }
                a0.StoreUnsafe(ref zr, (nuint)(o * ld + v));
                a1.StoreUnsafe(ref zr, (nuint)((o + 1) * ld + v));
                a2.StoreUnsafe(ref zr, (nuint)((o + 2) * ld + v));
                a3.StoreUnsafe(ref zr, (nuint)((o + 3) * ld + v));
            }
        }
        // Leftover outputs (nout not a multiple of 4): two or one at a time, over four column vectors at once, so
        // several independent accumulator chains hide the FMA latency.
        for (; o + 2 <= nout; o += 2) NarrowTile(ref wr, ref br, hasBias, k0, k1, nin, ref xr, ref zr, ld, v0, v1, o, 2, accumulate);
        if (o < nout) NarrowTile(ref wr, ref br, hasBias, k0, k1, nin, ref xr, ref zr, ld, v0, v1, o, 1, accumulate);
    }

    /// <summary>Outputs o..o+count (count 1 or 2) of <see cref="Tile"/>, four column vectors per step.</summary>
    private static void NarrowTile(ref T wr, ref T br, bool hasBias, int k0, int k1, int nin, ref T xr, ref T zr, int ld, int v0, int v1,
        int o, int count, bool accumulate)
    {
        var vc = Vector<T>.Count;
        var second = count == 2 ? 1 : 0; // the second output, or the first again (its result is then not stored)
        var b0 = hasBias ? new Vector<T>(Unsafe.Add(ref br, o)) : Vector<T>.Zero;
        var b1 = hasBias ? new Vector<T>(Unsafe.Add(ref br, o + second)) : Vector<T>.Zero;
        var v = v0;
        for (; v + 4 * vc <= v1; v += 4 * vc)
        {
            Vector<T> a00 = b0, a01 = b0, a02 = b0, a03 = b0, a10 = b1, a11 = b1, a12 = b1, a13 = b1;
            if (accumulate)
            {
                a00 = Vector.LoadUnsafe(ref zr, (nuint)(o * ld + v));
                a01 = Vector.LoadUnsafe(ref zr, (nuint)(o * ld + v + vc));
                a02 = Vector.LoadUnsafe(ref zr, (nuint)(o * ld + v + 2 * vc));
                a03 = Vector.LoadUnsafe(ref zr, (nuint)(o * ld + v + 3 * vc));
                a10 = Vector.LoadUnsafe(ref zr, (nuint)((o + second) * ld + v));
                a11 = Vector.LoadUnsafe(ref zr, (nuint)((o + second) * ld + v + vc));
                a12 = Vector.LoadUnsafe(ref zr, (nuint)((o + second) * ld + v + 2 * vc));
                a13 = Vector.LoadUnsafe(ref zr, (nuint)((o + second) * ld + v + 3 * vc));
            }
            ref var wk = ref Unsafe.Add(ref wr, o * nin + k0 * count);
            ref var xk = ref Unsafe.Add(ref xr, k0 * ld + v);
            for (var k = k0; k < k1; k++)
            {
                var x0 = Vector.LoadUnsafe(ref xk);
                var x1 = Vector.LoadUnsafe(ref xk, (nuint)vc);
                var x2 = Vector.LoadUnsafe(ref xk, (nuint)(2 * vc));
                var x3 = Vector.LoadUnsafe(ref xk, (nuint)(3 * vc));
                var w0 = new Vector<T>(wk);
                a00 = Fma(x0, w0, a00);
                a01 = Fma(x1, w0, a01);
                a02 = Fma(x2, w0, a02);
                a03 = Fma(x3, w0, a03);
                if (second == 1)
                {
                    var w1 = new Vector<T>(Unsafe.Add(ref wk, 1));
                    a10 = Fma(x0, w1, a10);
                    a11 = Fma(x1, w1, a11);
                    a12 = Fma(x2, w1, a12);
                    a13 = Fma(x3, w1, a13);
                }
                wk = ref Unsafe.Add(ref wk, count);
                xk = ref Unsafe.Add(ref xk, ld);
            }
            a00.StoreUnsafe(ref zr, (nuint)(o * ld + v));
            a01.StoreUnsafe(ref zr, (nuint)(o * ld + v + vc));
            a02.StoreUnsafe(ref zr, (nuint)(o * ld + v + 2 * vc));
            a03.StoreUnsafe(ref zr, (nuint)(o * ld + v + 3 * vc));
            if (second == 1)
            {
                a10.StoreUnsafe(ref zr, (nuint)((o + 1) * ld + v));
                a11.StoreUnsafe(ref zr, (nuint)((o + 1) * ld + v + vc));
                a12.StoreUnsafe(ref zr, (nuint)((o + 1) * ld + v + 2 * vc));
                a13.StoreUnsafe(ref zr, (nuint)((o + 1) * ld + v + 3 * vc));
            }
        }
        for (; v < v1; v += vc)
            for (var j = 0; j < count; j++)
            {
                var a0 = accumulate ? Vector.LoadUnsafe(ref zr, (nuint)((o + j) * ld + v)) : (j == 0 ? b0 : b1);
                for (var k = k0; k < k1; k++)
                    a0 = Fma(Vector.LoadUnsafe(ref xr, (nuint)(k * ld + v)), new Vector<T>(Unsafe.Add(ref wr, o * nin + k * count + j)), a0);
                a0.StoreUnsafe(ref zr, (nuint)((o + j) * ld + v));
            }
    }

    /// <summary>Whether the 4 × 4-vector register tile fits the register file (AVX-512: 32 vector registers).</summary>
    private static bool Wide => System.Runtime.Intrinsics.X86.Avx512F.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4x4(ref T wr, ref T zr, ref T xr, int o, int nin, int k0, int k1, int ld, int v, int vc, bool accumulate, bool prefetch,
        Vector<T> b0, Vector<T> b1, Vector<T> b2, Vector<T> b3)
    {
        Vector<T> a00 = b0, a01 = b0, a02 = b0, a03 = b0, a10 = b1, a11 = b1, a12 = b1, a13 = b1;
        Vector<T> a20 = b2, a21 = b2, a22 = b2, a23 = b2, a30 = b3, a31 = b3, a32 = b3, a33 = b3;
        ref var z0 = ref Unsafe.Add(ref zr, o * ld + v);
        ref var z1 = ref Unsafe.Add(ref zr, (o + 1) * ld + v);
        ref var z2 = ref Unsafe.Add(ref zr, (o + 2) * ld + v);
        ref var z3 = ref Unsafe.Add(ref zr, (o + 3) * ld + v);
        if (accumulate)
        {
            a00 = Vector.LoadUnsafe(ref z0); a01 = Vector.LoadUnsafe(ref z0, (nuint)vc); a02 = Vector.LoadUnsafe(ref z0, (nuint)(2 * vc)); a03 = Vector.LoadUnsafe(ref z0, (nuint)(3 * vc));
            a10 = Vector.LoadUnsafe(ref z1); a11 = Vector.LoadUnsafe(ref z1, (nuint)vc); a12 = Vector.LoadUnsafe(ref z1, (nuint)(2 * vc)); a13 = Vector.LoadUnsafe(ref z1, (nuint)(3 * vc));
            a20 = Vector.LoadUnsafe(ref z2); a21 = Vector.LoadUnsafe(ref z2, (nuint)vc); a22 = Vector.LoadUnsafe(ref z2, (nuint)(2 * vc)); a23 = Vector.LoadUnsafe(ref z2, (nuint)(3 * vc));
            a30 = Vector.LoadUnsafe(ref z3); a31 = Vector.LoadUnsafe(ref z3, (nuint)vc); a32 = Vector.LoadUnsafe(ref z3, (nuint)(2 * vc)); a33 = Vector.LoadUnsafe(ref z3, (nuint)(3 * vc));
        }
        ref var wk = ref Unsafe.Add(ref wr, o * nin + k0 * 4);
        ref var xk = ref Unsafe.Add(ref xr, k0 * ld + v);
        for (var k = k0; k < k1; k++)
        {
            if (prefetch) Prefetch(ref Unsafe.Add(ref wk, 4 * nin));
            var x0 = Vector.LoadUnsafe(ref xk);
            var x1 = Vector.LoadUnsafe(ref xk, (nuint)vc);
            var x2 = Vector.LoadUnsafe(ref xk, (nuint)(2 * vc));
            var x3 = Vector.LoadUnsafe(ref xk, (nuint)(3 * vc));
            var w0 = new Vector<T>(wk);
            a00 = Fma(x0, w0, a00); a01 = Fma(x1, w0, a01); a02 = Fma(x2, w0, a02); a03 = Fma(x3, w0, a03);
            var w1 = new Vector<T>(Unsafe.Add(ref wk, 1));
            a10 = Fma(x0, w1, a10); a11 = Fma(x1, w1, a11); a12 = Fma(x2, w1, a12); a13 = Fma(x3, w1, a13);
            var w2 = new Vector<T>(Unsafe.Add(ref wk, 2));
            a20 = Fma(x0, w2, a20); a21 = Fma(x1, w2, a21); a22 = Fma(x2, w2, a22); a23 = Fma(x3, w2, a23);
            var w3 = new Vector<T>(Unsafe.Add(ref wk, 3));
            a30 = Fma(x0, w3, a30); a31 = Fma(x1, w3, a31); a32 = Fma(x2, w3, a32); a33 = Fma(x3, w3, a33);
            wk = ref Unsafe.Add(ref wk, 4);
            xk = ref Unsafe.Add(ref xk, ld);
        }
        a00.StoreUnsafe(ref z0); a01.StoreUnsafe(ref z0, (nuint)vc); a02.StoreUnsafe(ref z0, (nuint)(2 * vc)); a03.StoreUnsafe(ref z0, (nuint)(3 * vc));
        a10.StoreUnsafe(ref z1); a11.StoreUnsafe(ref z1, (nuint)vc); a12.StoreUnsafe(ref z1, (nuint)(2 * vc)); a13.StoreUnsafe(ref z1, (nuint)(3 * vc));
        a20.StoreUnsafe(ref z2); a21.StoreUnsafe(ref z2, (nuint)vc); a22.StoreUnsafe(ref z2, (nuint)(2 * vc)); a23.StoreUnsafe(ref z2, (nuint)(3 * vc));
        a30.StoreUnsafe(ref z3); a31.StoreUnsafe(ref z3, (nuint)vc); a32.StoreUnsafe(ref z3, (nuint)(2 * vc)); a33.StoreUnsafe(ref z3, (nuint)(3 * vc));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Prefetch(ref T address)
    {
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported) System.Runtime.Intrinsics.X86.Sse.Prefetch1(Unsafe.AsPointer(ref address));
    }

    /// <summary>a·b + c, fused where the CPU has FMA (one rounding), else multiply then add.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Fma(Vector<T> a, Vector<T> b, Vector<T> c)
    {
        if (System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported)
        {
            if (typeof(T) == typeof(double))
                return Vector.FusedMultiplyAdd(Vector.As<T, double>(a), Vector.As<T, double>(b), Vector.As<T, double>(c)).As<double, T>();
            if (typeof(T) == typeof(float))
                return Vector.FusedMultiplyAdd(Vector.As<T, float>(a), Vector.As<T, float>(b), Vector.As<T, float>(c)).As<float, T>();
        }
        return a * b + c;
    }

    /// <summary>
    /// The row stride for <paramref name="n"/> columns: a multiple of the vector width, at least one vector, and never a
    /// multiple of 512 bytes — rows a power-of-two apart map to the same L1 sets and evict each other (4K aliasing).
    /// </summary>
    public static int Pad(int n)
    {
        var vc = Vector<T>.Count;
        var ld = Math.Max(vc, (n + vc - 1) / vc * vc);
        if (ld * Unsafe.SizeOf<T>() % 512 == 0) ld += vc;
        return ld;
    }
}
