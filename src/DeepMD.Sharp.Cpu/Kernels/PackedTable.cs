namespace DeepMD.Sharp.Cpu.Kernels;

using System.Numerics;
using DeepMD.Sharp.Models.Compression;

/// <summary>
/// A compressed embedding table re-laid for SIMD: each interval's coefficients as six contiguous channel vectors
/// [f…][e…][d…][c…][b…][a…] in precision <typeparamref name="T"/>, so one slot's G(s) and G′(s) for all channels
/// come from vector loads. Interval lookup is <see cref="EmbeddingTable.Locate"/>, DeePMD-kit's rule.
/// </summary>
internal sealed class PackedTable<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _rows;

    public PackedTable(EmbeddingTable table)
    {
        Table = table;
        Channels = table.Channels;
        Stride = 6 * Channels;
        _rows = new T[table.SplineCount * Stride];
        for (var l = 0; l < table.SplineCount; l++)
            for (var a = 0; a < Channels; a++)
                for (var k = 0; k < 6; k++)
                    _rows[l * Stride + k * Channels + a] = T.CreateTruncating(table.Data[(l * Channels + a) * 6 + k]);
    }

    public EmbeddingTable Table { get; }

    public int Channels { get; }

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
            Four = new Vector<T>(T.CreateTruncating(4) * t);
            FiveT2 = new Vector<T>(T.CreateTruncating(5) * t * t);
            Extra = new Vector<T>(extra);
        }

        public Vector<T> T1 { get; }

        public Vector<T> T2 { get; }

        public Vector<T> T4 { get; }

        public Vector<T> Two { get; }

        public Vector<T> Four { get; }

        public Vector<T> FiveT2 { get; }

        public Vector<T> Extra { get; }
    }

    private static readonly Vector<T> Three = new(T.CreateTruncating(3));

    /// <summary>
    /// One vector of channels: v = f + e t + d t² + c t³ + b t⁴ + q t⁵ and g = dv/dt in Estrin form with fused
    /// multiply-adds (dependency chains of three FMAs instead of five multiply-then-add pairs: the lookup was bound by
    /// that latency, 92 ns per 100-channel slot in float at 512 bits).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Channel(ref T row, int m, int a0, in Powers p, ref T value, ref T derivative)
    {
        var f = Vector.LoadUnsafe(ref row, (nuint)a0);
        var e = Vector.LoadUnsafe(ref row, (nuint)(m + a0));
        var d = Vector.LoadUnsafe(ref row, (nuint)(2 * m + a0));
        var c = Vector.LoadUnsafe(ref row, (nuint)(3 * m + a0));
        var b = Vector.LoadUnsafe(ref row, (nuint)(4 * m + a0));
        var q = Vector.LoadUnsafe(ref row, (nuint)(5 * m + a0));
        var v = Fma(p.T4, Fma(q, p.T1, b), Fma(p.T2, Fma(c, p.T1, d), Fma(e, p.T1, f)));
        // g = e + 2d t + t² (3c + 4b t + 5q t²)
        var g = Fma(p.T2, Fma(c, Three, Fma(b, p.Four, q * p.FiveT2)), Fma(d, p.Two, e));
        Fma(g, p.Extra, v).StoreUnsafe(ref value, (nuint)a0);
        g.StoreUnsafe(ref derivative, (nuint)a0);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Fma(Vector<T> a, Vector<T> b, Vector<T> c) => FeatureMajorGemm<T>.Fma(a, b, c);

    /// <summary>G(s) into <paramref name="value"/> and dG/ds into <paramref name="derivative"/> (length Channels each).</summary>
    public void Evaluate(double s, Span<T> value, Span<T> derivative)
    {
        var (idx, tt, extra) = Table.Locate(s);
        var row = _rows.AsSpan(idx * Stride, Stride);
        var m = Channels;
        var vc = Vector<T>.Count;
        var a0 = 0;
        if (m >= vc && value.Length >= m && derivative.Length >= m)
        {
            var p = new Powers(T.CreateTruncating(tt), T.CreateTruncating(extra));
            ref var rr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(row);
            ref var vr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(value);
            ref var dr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(derivative);
            for (; a0 + vc <= m; a0 += vc) Channel(ref rr, m, a0, p, ref vr, ref dr);
            // The leftover channels (100 = 6·16 + 4 in float at 512 bits) as one more vector that overlaps the previous
            // one: the overlapped channels are computed again, identically.
            if (a0 < m) Channel(ref rr, m, m - vc, p, ref vr, ref dr);
            return;
        }
        var ts = T.CreateTruncating(tt);
        var xs = T.CreateTruncating(extra);
        for (; a0 < m; a0++)
        {
            T f = row[a0], e = row[m + a0], d = row[2 * m + a0], c = row[3 * m + a0], b = row[4 * m + a0], q = row[5 * m + a0];
            var v = f + (e + (d + (c + (b + q * ts) * ts) * ts) * ts) * ts;
            var g = e + (T.CreateTruncating(2) * d + (T.CreateTruncating(3) * c + (T.CreateTruncating(4) * b + T.CreateTruncating(5) * q * ts) * ts) * ts) * ts;
            value[a0] = v + g * xs;
            derivative[a0] = g;
        }
    }
}
