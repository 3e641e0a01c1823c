namespace DeepMD.Sharp.Cpu.Kernels;

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DeepMD.Sharp.Models.Compression;

/// <summary>
/// A compressed embedding table re-laid for SIMD. Each interval's row is a run of channel blocks (one vector of
/// channels each); a block holds that vector's six coefficient vectors [f][e][d][c][b][q] side by side, so a kernel
/// walks one pointer through the row and reads every coefficient at a fixed displacement from it. Per-center
/// accumulators and dT use the same blocked layout (<see cref="Index"/>). Interval lookup is
/// <see cref="EmbeddingTable.Locate"/>, DeePMD-kit's rule.
/// </summary>
/// <remarks>
/// The blocked layout replaced one coefficient-major row ([f…][e…]…, six streams PaddedChannels apart): the channel
/// loops were bound by instruction count (about 4 per cycle), a third of it address arithmetic for the ten streams.
/// </remarks>
internal sealed class PackedTable<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    // Rows start on cache lines (Stride·sizeof(T) is a multiple of 64 bytes), in memory backed by huge pages where the
    // OS allows: the float water tables are 4 MB each, walked row by row (in-process A/B: 0.98-0.99 of the step).
    private readonly HugePageBuffer<T> _rows;

    public PackedTable(EmbeddingTable table)
    {
        Table = table;
        Channels = table.Channels;
        var vc = Vector<T>.Count;
        PaddedChannels = (Channels + vc - 1) / vc * vc;
        Stride = 6 * PaddedChannels;
        _rows = new HugePageBuffer<T>(table.SplineCount * Stride);
        for (var l = 0; l < table.SplineCount; l++)
            for (var a = 0; a < Channels; a++)
                for (var k = 0; k < 6; k++)
                    _rows[l * Stride + a / vc * 6 * vc + k * vc + a % vc] = T.CreateTruncating(table.Data[(l * Channels + a) * 6 + k]);
    }

    public EmbeddingTable Table { get; }

    public int Channels { get; }

    /// <summary>Channels rounded up to whole vectors; the padding channels have zero coefficients, so G = G′ = 0 there.</summary>
    public int PaddedChannels { get; }

    /// <summary>Elements per center of an accumulator or dT buffer: 4 × <see cref="PaddedChannels"/>.</summary>
    public int CenterStride => 4 * PaddedChannels;

    /// <summary>Position of (channel <paramref name="a"/>, component <paramref name="q"/>) in a center's accumulator or dT: [block][q][lane].</summary>
    public static int Index(int a, int q) => a / Vector<T>.Count * 4 * Vector<T>.Count + q * Vector<T>.Count + a % Vector<T>.Count;

    private int Stride { get; }

    /// <summary>Number of intervals.</summary>
    public int Intervals => Table.SplineCount;

    /// <summary>v = f + e t + d t² + c t³ + b t⁴ + q t⁵ for the channel block at <paramref name="block"/> (Estrin form).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> ValueAt(ref T block, Vector<T> t1, Vector<T> t2, Vector<T> t4)
    {
        var n = (nuint)Vector<T>.Count;
        var f = Vector.LoadUnsafe(ref block);
        var e = Vector.LoadUnsafe(ref block, n);
        var d = Vector.LoadUnsafe(ref block, 2 * n);
        var c = Vector.LoadUnsafe(ref block, 3 * n);
        var b = Vector.LoadUnsafe(ref block, 4 * n);
        var q = Vector.LoadUnsafe(ref block, 5 * n);
        return Fma(t4, Fma(q, t1, b), Fma(t2, Fma(c, t1, d), Fma(e, t1, f)));
    }

    /// <summary>g = dv/dt = e + 2d t + t² (3c + 4b t + 5q t²) for the channel block at <paramref name="block"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> SlopeAt(ref T block, Vector<T> twoT, Vector<T> t2, Vector<T> three, Vector<T> fourT, Vector<T> fiveT2)
    {
        var n = (nuint)Vector<T>.Count;
        var e = Vector.LoadUnsafe(ref block, n);
        var d = Vector.LoadUnsafe(ref block, 2 * n);
        var c = Vector.LoadUnsafe(ref block, 3 * n);
        var b = Vector.LoadUnsafe(ref block, 4 * n);
        var q = Vector.LoadUnsafe(ref block, 5 * n);
        return Fma(t2, Fma(c, three, Fma(b, fourT, q * fiveT2)), Fma(d, twoT, e));
    }

    /// <summary>
    /// The broadcast powers of the offset t that the value (t, t², t⁴) and the slope (2t, 3, 4t, 5t², t²) need. Out
    /// parameters of an inlined method, not a struct: a struct of seven vectors is not promoted to registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Powers(T t, out Vector<T> t1, out Vector<T> t2, out Vector<T> t4, out Vector<T> twoT, out Vector<T> three,
        out Vector<T> fourT, out Vector<T> fiveT2)
    {
        t1 = new Vector<T>(t);
        t2 = new Vector<T>(t * t);
        t4 = new Vector<T>(t * t * t * t);
        twoT = new Vector<T>(t + t);
        three = new Vector<T>(T.CreateTruncating(3));
        fourT = new Vector<T>(T.CreateTruncating(4) * t);
        fiveT2 = new Vector<T>(T.CreateTruncating(5) * t * t);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Fma(Vector<T> a, Vector<T> b, Vector<T> c) => FeatureMajorGemm<T>.Fma(a, b, c);

    /// <summary>
    /// acc[<see cref="Index"/>(a, q)] += G[a]·r_q for one slot whose interval and offset are known (no stores of G);
    /// <paramref name="acc"/> is the center's accumulator (<see cref="CenterStride"/> elements).
    /// </summary>
    /// <remarks>
    /// No calls and no branches inside the channel loop: a helper call there (a static field's class-init check, or a
    /// rarely taken branch the register allocator plans around) made the JIT spill every vector register to the stack
    /// on each iteration (all vector registers are caller-saved): 70 ns per 100-channel slot in float at 512 bits.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AccumulateAt(int idx, T t, T extra, T r0, T r1, T r2, T r3, ref T acc)
    {
        if (extra != T.Zero)
        {
            AccumulateOutside(idx, t, extra, r0, r1, r2, r3, ref acc);
            return;
        }
        ref var block = ref Unsafe.Add(ref _rows.Reference, (nint)idx * Stride);
        var t1 = new Vector<T>(t);
        var t2 = new Vector<T>(t * t);
        var t4 = new Vector<T>(t * t * t * t);
        // Inside the table (extra = 0) the value alone: v + g·0 = v exactly, so skipping g changes no bit.
        Vector<T> q0 = new(r0), q1 = new(r1), q2 = new(r2), q3 = new(r3);
        var n = (nuint)Vector<T>.Count;
        for (var j = PaddedChannels / Vector<T>.Count; j > 0; j--)
        {
            var v = ValueAt(ref block, t1, t2, t4);
            Fma(v, q0, Vector.LoadUnsafe(ref acc)).StoreUnsafe(ref acc);
            Fma(v, q1, Vector.LoadUnsafe(ref acc, n)).StoreUnsafe(ref acc, n);
            Fma(v, q2, Vector.LoadUnsafe(ref acc, 2 * n)).StoreUnsafe(ref acc, 2 * n);
            Fma(v, q3, Vector.LoadUnsafe(ref acc, 3 * n)).StoreUnsafe(ref acc, 3 * n);
            block = ref Unsafe.Add(ref block, 6 * n);
            acc = ref Unsafe.Add(ref acc, 4 * n);
        }
        GC.KeepAlive(this); // the rows are native memory freed by the buffer's finalizer
    }

    /// <summary>As <see cref="AccumulateAt"/> beyond the table's range: the value continues linearly with the boundary slope.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AccumulateOutside(int idx, T t, T extra, T r0, T r1, T r2, T r3, ref T acc)
    {
        ref var block = ref Unsafe.Add(ref _rows.Reference, (nint)idx * Stride);
        Powers(t, out var t1, out var t2, out var t4, out var twoT, out var three, out var fourT, out var fiveT2);
        var ex = new Vector<T>(extra);
        Vector<T> q0 = new(r0), q1 = new(r1), q2 = new(r2), q3 = new(r3);
        var n = (nuint)Vector<T>.Count;
        for (var j = PaddedChannels / Vector<T>.Count; j > 0; j--)
        {
            var v = Fma(SlopeAt(ref block, twoT, t2, three, fourT, fiveT2), ex, ValueAt(ref block, t1, t2, t4));
            Fma(v, q0, Vector.LoadUnsafe(ref acc)).StoreUnsafe(ref acc);
            Fma(v, q1, Vector.LoadUnsafe(ref acc, n)).StoreUnsafe(ref acc, n);
            Fma(v, q2, Vector.LoadUnsafe(ref acc, 2 * n)).StoreUnsafe(ref acc, 2 * n);
            Fma(v, q3, Vector.LoadUnsafe(ref acc, 3 * n)).StoreUnsafe(ref acc, 3 * n);
            block = ref Unsafe.Add(ref block, 6 * n);
            acc = ref Unsafe.Add(ref acc, 4 * n);
        }
        GC.KeepAlive(this);
    }

    /// <summary>
    /// The compressed backward of one slot with G and G′ recomputed in registers: returns Σ_a dT[a][q] G[a] for q = 0..3,
    /// with Σ_a (Σ_q dT[a][q] r_q) G′[a] added to the first (the center's dT in the blocked layout of
    /// <see cref="Index"/>, zero in the padding).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (Vector<T> S0, Vector<T> S1, Vector<T> S2, Vector<T> S3) ContractAt(int idx, T t, T extra, T r0, T r1, T r2, T r3, ref T dt)
    {
        ref var block = ref Unsafe.Add(ref _rows.Reference, (nint)idx * Stride);
        Powers(t, out var t1, out var t2, out var t4, out var twoT, out var three, out var fourT, out var fiveT2);
        var ex = new Vector<T>(extra);
        var outside = extra != T.Zero;
        Vector<T> q0 = new(r0), q1 = new(r1), q2 = new(r2), q3 = new(r3);
        Vector<T> s0 = Vector<T>.Zero, s1 = Vector<T>.Zero, s2 = Vector<T>.Zero, s3 = Vector<T>.Zero;
        var n = (nuint)Vector<T>.Count;
        for (var j = PaddedChannels / Vector<T>.Count; j > 0; j--)
        {
            var g = SlopeAt(ref block, twoT, t2, three, fourT, fiveT2);
            var v = ValueAt(ref block, t1, t2, t4);
            if (outside) v = Fma(g, ex, v); // inside the table extra = 0: v + g·0 = v exactly
            var d0 = Vector.LoadUnsafe(ref dt);
            var d1 = Vector.LoadUnsafe(ref dt, n);
            var d2 = Vector.LoadUnsafe(ref dt, 2 * n);
            var d3 = Vector.LoadUnsafe(ref dt, 3 * n);
            s0 = Fma(d0, v, s0);
            s1 = Fma(d1, v, s1);
            s2 = Fma(d2, v, s2);
            s3 = Fma(d3, v, s3);
            var dg = Fma(d0, q0, Fma(d1, q1, Fma(d2, q2, d3 * q3)));
            s0 = Fma(dg, g, s0);
            block = ref Unsafe.Add(ref block, 6 * n);
            dt = ref Unsafe.Add(ref dt, 4 * n);
        }
        GC.KeepAlive(this);
        return (s0, s1, s2, s3);
    }

    /// <summary>Interval index, offset and extrapolation distance of input <paramref name="s"/> (DeePMD-kit's rule).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Locate(double s, out T t, out T extra)
    {
        var (idx, tt, ex) = Table.Locate(s);
        t = T.CreateTruncating(tt);
        extra = T.CreateTruncating(ex);
        return idx;
    }

    /// <summary>G(s) into <paramref name="value"/> and dG/ds into <paramref name="derivative"/> (length Channels each).</summary>
    public void Evaluate(double s, Span<T> value, Span<T> derivative)
    {
        var (idx, tt, extra) = Table.Locate(s);
        var vc = Vector<T>.Count;
        var m = Channels;
        var t = T.CreateTruncating(tt);
        Powers(t, out var t1, out var t2, out var t4, out var twoT, out var three, out var fourT, out var fiveT2);
        var ex = new Vector<T>(T.CreateTruncating(extra));
        Span<T> v = stackalloc T[vc];
        Span<T> g = stackalloc T[vc];
        for (var a0 = 0; a0 < m; a0 += vc)
        {
            ref var block = ref Unsafe.Add(ref _rows.Reference, (nint)idx * Stride + a0 / vc * 6 * vc);
            var slope = SlopeAt(ref block, twoT, t2, three, fourT, fiveT2);
            Fma(slope, ex, ValueAt(ref block, t1, t2, t4)).CopyTo(v);
            slope.CopyTo(g);
            var count = Math.Min(vc, m - a0);
            v[..count].CopyTo(value.Slice(a0, count));
            g[..count].CopyTo(derivative.Slice(a0, count));
        }
        GC.KeepAlive(this);
    }
}
