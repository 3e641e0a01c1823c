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

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Channel(Span<T> row, int m, int a0, Vector<T> t, Vector<T> x, Vector<T> two, Vector<T> three, Vector<T> four, Vector<T> five,
        Span<T> value, Span<T> derivative)
    {
        var vc = Vector<T>.Count;
        var f = new Vector<T>(row.Slice(a0, vc));
        var e = new Vector<T>(row.Slice(m + a0, vc));
        var d = new Vector<T>(row.Slice(2 * m + a0, vc));
        var c = new Vector<T>(row.Slice(3 * m + a0, vc));
        var b = new Vector<T>(row.Slice(4 * m + a0, vc));
        var q = new Vector<T>(row.Slice(5 * m + a0, vc));
        var v = f + (e + (d + (c + (b + q * t) * t) * t) * t) * t;
        var g = e + (two * d + (three * c + (four * b + five * q * t) * t) * t) * t;
        (v + g * x).CopyTo(value.Slice(a0, vc));
        g.CopyTo(derivative.Slice(a0, vc));
    }

    /// <summary>G(s) into <paramref name="value"/> and dG/ds into <paramref name="derivative"/> (length Channels each).</summary>
    public void Evaluate(double s, Span<T> value, Span<T> derivative)
    {
        var (idx, tt, extra) = Table.Locate(s);
        var row = _rows.AsSpan(idx * Stride, Stride);
        var m = Channels;
        var vc = Vector<T>.Count;
        var t = new Vector<T>(T.CreateTruncating(tt));
        var x = new Vector<T>(T.CreateTruncating(extra));
        var two = new Vector<T>(T.CreateTruncating(2));
        var three = new Vector<T>(T.CreateTruncating(3));
        var four = new Vector<T>(T.CreateTruncating(4));
        var five = new Vector<T>(T.CreateTruncating(5));
        var a0 = 0;
        while (a0 + vc <= m)
        {
            Channel(row, m, a0, t, x, two, three, four, five, value, derivative);
            a0 += vc;
        }
        if (a0 < m && m >= vc)
        {
            // The leftover channels (100 = 6·16 + 4 in float at 512 bits) as one more vector that overlaps the previous
            // one: the overlapped channels are computed again, identically.
            Channel(row, m, m - vc, t, x, two, three, four, five, value, derivative);
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
