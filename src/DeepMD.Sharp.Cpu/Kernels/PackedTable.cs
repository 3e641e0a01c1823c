namespace DeepMD.Sharp.Cpu.Kernels;

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DeepMD.Sharp.Models.Compression;

/// <summary>
/// A compressed embedding table re-laid for SIMD: each interval's coefficients as six contiguous channel vectors
/// [f…][e…][d…][c…][b…][a…] in precision <typeparamref name="T"/>, so one slot's G(s) and G′(s) for all channels
/// come from vector loads. Interval lookup is <see cref="EmbeddingTable.Locate"/>, DeePMD-kit's rule.
/// </summary>
internal sealed class PackedTable<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    // Rows start on cache lines (Stride·sizeof(T) is a multiple of 64 bytes), in memory backed by huge pages where the
    // OS allows: the float water tables are 4 MB each, walked row by row (in-process A/B: 0.98-0.99 of the step).
    private readonly HugePageBuffer<T> _rows;

    public PackedTable(EmbeddingTable table)
    {
        Table = table;
        Channels = table.Channels;
        PaddedChannels = (Channels + Vector<T>.Count - 1) / Vector<T>.Count * Vector<T>.Count;
        Stride = 6 * PaddedChannels;
        _rows = new HugePageBuffer<T>(table.SplineCount * Stride);
        for (var l = 0; l < table.SplineCount; l++)
            for (var a = 0; a < Channels; a++)
                for (var k = 0; k < 6; k++)
                    _rows[l * Stride + k * PaddedChannels + a] = T.CreateTruncating(table.Data[(l * Channels + a) * 6 + k]);
    }

    public EmbeddingTable Table { get; }

    public int Channels { get; }

    /// <summary>Channels rounded up to whole vectors; the padding channels have zero coefficients, so G = G′ = 0 there.</summary>
    public int PaddedChannels { get; }

    private int Stride { get; }

    /// <summary>Per-slot powers of t the polynomial and its derivative need, broadcast once per slot.</summary>
    private readonly struct Powers
    {
        public Powers(T t, T extra)
        {
            T1 = new Vector<T>(t);
            T2 = new Vector<T>(t * t);
            T4 = new Vector<T>(t * t * t * t);
            Two = new Vector<T>(t + t);
            Three = new Vector<T>(T.CreateTruncating(3));
            Four = new Vector<T>(T.CreateTruncating(4) * t);
            FiveT2 = new Vector<T>(T.CreateTruncating(5) * t * t);
            Extra = new Vector<T>(extra);
        }

        public Vector<T> T1 { get; }

        public Vector<T> T2 { get; }

        public Vector<T> T4 { get; }

        public Vector<T> Two { get; }

        public Vector<T> Three { get; }

        public Vector<T> Four { get; }

        public Vector<T> FiveT2 { get; }

        public Vector<T> Extra { get; }
    }

    /// <summary>
    /// One vector of channels: v = f + e t + d t² + c t³ + b t⁴ + q t⁵ and g = dv/dt in Estrin form with fused
    /// multiply-adds (dependency chains of three FMAs instead of five multiply-then-add pairs: the lookup was bound by
    /// that latency, 92 ns per 100-channel slot in float at 512 bits).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Channel(ref T row, int m, int a0, in Powers p, ref T value, ref T derivative)
    {
        var v = ValueAt(ref row, m, a0, p.T1, p.T2, p.T4);
        var g = SlopeAt(ref row, m, a0, p.Two, p.T2, p.Three, p.Four, p.FiveT2);
        Fma(g, p.Extra, v).StoreUnsafe(ref value, (nuint)a0);
        g.StoreUnsafe(ref derivative, (nuint)a0);
    }

    /// <summary>v = f + e t + d t² + c t³ + b t⁴ + q t⁵ for the channels a0.. of a coefficient row (m channels per coefficient).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> ValueAt(ref T row, int m, int a0, Vector<T> t1, Vector<T> t2, Vector<T> t4)
    {
        var f = Vector.LoadUnsafe(ref row, (nuint)a0);
        var e = Vector.LoadUnsafe(ref row, (nuint)(m + a0));
        var d = Vector.LoadUnsafe(ref row, (nuint)(2 * m + a0));
        var c = Vector.LoadUnsafe(ref row, (nuint)(3 * m + a0));
        var b = Vector.LoadUnsafe(ref row, (nuint)(4 * m + a0));
        var q = Vector.LoadUnsafe(ref row, (nuint)(5 * m + a0));
        return Fma(t4, Fma(q, t1, b), Fma(t2, Fma(c, t1, d), Fma(e, t1, f)));
    }

    /// <summary>g = dv/dt = e + 2d t + t² (3c + 4b t + 5q t²) for the channels a0.. of a coefficient row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> SlopeAt(ref T row, int m, int a0, Vector<T> twoT, Vector<T> t2, Vector<T> three, Vector<T> fourT, Vector<T> fiveT2)
    {
        var e = Vector.LoadUnsafe(ref row, (nuint)(m + a0));
        var d = Vector.LoadUnsafe(ref row, (nuint)(2 * m + a0));
        var c = Vector.LoadUnsafe(ref row, (nuint)(3 * m + a0));
        var b = Vector.LoadUnsafe(ref row, (nuint)(4 * m + a0));
        var q = Vector.LoadUnsafe(ref row, (nuint)(5 * m + a0));
        return Fma(t2, Fma(c, three, Fma(b, fourT, q * fiveT2)), Fma(d, twoT, e));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Fma(Vector<T> a, Vector<T> b, Vector<T> c) => FeatureMajorGemm<T>.Fma(a, b, c);

    /// <summary>Number of intervals.</summary>
    public int Intervals => Table.SplineCount;

    /// <summary>acc[q·PaddedChannels + a] += G[a]·r_q for one slot whose interval and offset are known (no stores of G).</summary>
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
        ref var row = ref Unsafe.Add(ref _rows.Reference, (nint)idx * Stride);
        var t1 = new Vector<T>(t);
        var t2 = new Vector<T>(t * t);
        var t4 = new Vector<T>(t * t * t * t);
        // Inside the table (extra = 0) the value alone: v + g·0 = v exactly, so skipping g changes no bit.
        var m = PaddedChannels;
        Vector<T> q0 = new(r0), q1 = new(r1), q2 = new(r2), q3 = new(r3);
        for (var a0 = 0; a0 < m; a0 += Vector<T>.Count)
        {
            var v = ValueAt(ref row, m, a0, t1, t2, t4);
            Fma(v, q0, Vector.LoadUnsafe(ref acc, (nuint)a0)).StoreUnsafe(ref acc, (nuint)a0);
            Fma(v, q1, Vector.LoadUnsafe(ref acc, (nuint)(m + a0))).StoreUnsafe(ref acc, (nuint)(m + a0));
            Fma(v, q2, Vector.LoadUnsafe(ref acc, (nuint)(2 * m + a0))).StoreUnsafe(ref acc, (nuint)(2 * m + a0));
            Fma(v, q3, Vector.LoadUnsafe(ref acc, (nuint)(3 * m + a0))).StoreUnsafe(ref acc, (nuint)(3 * m + a0));
        }
        GC.KeepAlive(this); // the rows are native memory freed by the buffer's finalizer
    }

    /// <summary>As <see cref="AccumulateAt"/> beyond the table's range: the value continues linearly with the boundary slope.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AccumulateOutside(int idx, T t, T extra, T r0, T r1, T r2, T r3, ref T acc)
    {
        ref var row = ref Unsafe.Add(ref _rows.Reference, (nint)idx * Stride);
        var t1 = new Vector<T>(t);
        var t2 = new Vector<T>(t * t);
        var t4 = new Vector<T>(t * t * t * t);
        var twoT = new Vector<T>(t + t);
        var three = new Vector<T>(T.CreateTruncating(3));
        var fourT = new Vector<T>(T.CreateTruncating(4) * t);
        var fiveT2 = new Vector<T>(T.CreateTruncating(5) * t * t);
        var ex = new Vector<T>(extra);
        var m = PaddedChannels;
        Vector<T> q0 = new(r0), q1 = new(r1), q2 = new(r2), q3 = new(r3);
        for (var a0 = 0; a0 < m; a0 += Vector<T>.Count)
        {
            var v = Fma(SlopeAt(ref row, m, a0, twoT, t2, three, fourT, fiveT2), ex, ValueAt(ref row, m, a0, t1, t2, t4));
            Fma(v, q0, Vector.LoadUnsafe(ref acc, (nuint)a0)).StoreUnsafe(ref acc, (nuint)a0);
            Fma(v, q1, Vector.LoadUnsafe(ref acc, (nuint)(m + a0))).StoreUnsafe(ref acc, (nuint)(m + a0));
            Fma(v, q2, Vector.LoadUnsafe(ref acc, (nuint)(2 * m + a0))).StoreUnsafe(ref acc, (nuint)(2 * m + a0));
            Fma(v, q3, Vector.LoadUnsafe(ref acc, (nuint)(3 * m + a0))).StoreUnsafe(ref acc, (nuint)(3 * m + a0));
        }
        GC.KeepAlive(this); // the rows are native memory freed by the buffer's finalizer
    }

    /// <summary>
    /// The compressed backward of one slot with G and G′ recomputed in registers: returns Σ_a dT[a][q] G[a] for q = 0..3,
    /// with Σ_a (Σ_q dT[a][q] r_q) G′[a] added to the first (dT per center as [4][PaddedChannels], zero in the padding).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (Vector<T> S0, Vector<T> S1, Vector<T> S2, Vector<T> S3) ContractAt(int idx, T t, T extra, T r0, T r1, T r2, T r3, ref T dt)
    {
        ref var row = ref Unsafe.Add(ref _rows.Reference, (nint)idx * Stride);
        var t1 = new Vector<T>(t);
        var t2 = new Vector<T>(t * t);
        var t4 = new Vector<T>(t * t * t * t);
        var twoT = new Vector<T>(t + t);
        var fourT = new Vector<T>(T.CreateTruncating(4) * t);
        var fiveT2 = new Vector<T>(T.CreateTruncating(5) * t * t);
        var three = new Vector<T>(T.CreateTruncating(3));
        var ex = new Vector<T>(extra);
        var outside = extra != T.Zero;
        var m = PaddedChannels;
        Vector<T> q0 = new(r0), q1 = new(r1), q2 = new(r2), q3 = new(r3);
        Vector<T> s0 = Vector<T>.Zero, s1 = Vector<T>.Zero, s2 = Vector<T>.Zero, s3 = Vector<T>.Zero;
        for (var a0 = 0; a0 < m; a0 += Vector<T>.Count)
        {
            var g = SlopeAt(ref row, m, a0, twoT, t2, three, fourT, fiveT2);
            var v = ValueAt(ref row, m, a0, t1, t2, t4);
            if (outside) v = Fma(g, ex, v); // inside the table extra = 0: v + g·0 = v exactly
            var d0 = Vector.LoadUnsafe(ref dt, (nuint)a0);
            var d1 = Vector.LoadUnsafe(ref dt, (nuint)(m + a0));
            var d2 = Vector.LoadUnsafe(ref dt, (nuint)(2 * m + a0));
            var d3 = Vector.LoadUnsafe(ref dt, (nuint)(3 * m + a0));
            s0 = Fma(d0, v, s0);
            s1 = Fma(d1, v, s1);
            s2 = Fma(d2, v, s2);
            s3 = Fma(d3, v, s3);
            var dg = Fma(d0, q0, Fma(d1, q1, Fma(d2, q2, d3 * q3)));
            s0 = Fma(dg, g, s0);
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
        var row = _rows.AsSpan().Slice(idx * Stride, Stride);
        var m = Channels;
        var mp = PaddedChannels;
        var vc = Vector<T>.Count;
        var a0 = 0;
        if (m >= vc && value.Length >= m && derivative.Length >= m)
        {
            var p = new Powers(T.CreateTruncating(tt), T.CreateTruncating(extra));
            ref var rr = ref MemoryMarshal.GetReference(row);
            ref var vr = ref MemoryMarshal.GetReference(value);
            ref var dr = ref MemoryMarshal.GetReference(derivative);
            for (; a0 + vc <= m; a0 += vc) Channel(ref rr, mp, a0, p, ref vr, ref dr);
            // The leftover channels (100 = 6·16 + 4 in float at 512 bits) as one more vector that overlaps the previous
            // one: the overlapped channels are computed again, identically.
            if (a0 < m) Channel(ref rr, mp, m - vc, p, ref vr, ref dr);
            return;
        }
        var ts = T.CreateTruncating(tt);
        var xs = T.CreateTruncating(extra);
        for (; a0 < m; a0++)
        {
            T f = row[a0], e = row[mp + a0], d = row[2 * mp + a0], c = row[3 * mp + a0], b = row[4 * mp + a0], q = row[5 * mp + a0];
            var v = f + (e + (d + (c + (b + q * ts) * ts) * ts) * ts) * ts;
            var g = e + (T.CreateTruncating(2) * d + (T.CreateTruncating(3) * c + (T.CreateTruncating(4) * b + T.CreateTruncating(5) * q * ts) * ts) * ts) * ts;
            value[a0] = v + g * xs;
            derivative[a0] = g;
        }
    }
}
