namespace DeepMD.Sharp.Models.Compression;

/// <summary>
/// One tabulated embedding net in DeePMD-kit's compressed layout (notes §5.10): <see cref="Data"/> is
/// [nspline][channels][6] with the quintic coefficients [f, e, d, c, b, a] of g(x) = f + e·t + … + a·t⁵ on each
/// interval; <see cref="Info"/> is [lower, upper, table_max, stride0, stride1, check_frequency]. Evaluation follows
/// DeePMD-kit's <c>tabulate_fusion</c> exactly, including the C¹ linear extrapolation outside [lower, table_max).
/// </summary>
public sealed class EmbeddingTable
{
    public EmbeddingTable(double[] data, double[] info, int channels)
    {
        if (info.Length != 6) throw new ArgumentException("compress_info needs 6 numbers");
        if (channels <= 0 || data.Length % (6 * channels) != 0) throw new ArgumentException("compress_data does not fit the channel count");
        Data = data;
        Info = info;
        Channels = channels;
        SplineCount = data.Length / (6 * channels);
        (_lower, _upper, _tableMax, _stride0, _stride1) = (info[0], info[1], info[2], info[3], info[4]);
        FirstStride = (long)Math.Floor((Upper - Lower) / Stride0);
    }

    // Info's numbers as fields: Locate runs once per neighbor slot and is inlined into the CPU kernels.
    private readonly double _lower, _upper, _tableMax, _stride0, _stride1;

    public double[] Data { get; }

    public double[] Info { get; }

    public int Channels { get; }

    public int SplineCount { get; }

    public double Lower => Info[0];

    public double Upper => Info[1];

    public double TableMax => Info[2];

    public double Stride0 => Info[3];

    public double Stride1 => Info[4];

    private long FirstStride { get; }

    /// <summary>Interval index, offset t inside it, and the extrapolation distance for input x (DeePMD-kit's rule).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public (int Index, double T, double Extrapolate) Locate(double x)
    {
        long idx;
        double t, extra = 0;
        var last = SplineCount - 1;
        if (x < _lower)
        {
            idx = 0;
            t = 0;
            extra = x - _lower;
        }
        else if (x < _upper)
        {
            idx = (long)Math.Floor((x - _lower) / _stride0);
            idx = Math.Clamp(idx, 0, last);
            t = x - (idx * _stride0 + _lower);
        }
        else if (x < _tableMax)
        {
            idx = FirstStride + (long)Math.Floor((x - _upper) / _stride1);
            idx = Math.Clamp(idx, 0, last);
            t = x - ((idx - FirstStride) * _stride1 + _upper);
        }
        else
        {
            idx = last;
            t = _tableMax - ((last - FirstStride) * _stride1 + _upper);
            extra = x - _tableMax;
        }
        return ((int)idx, t, extra);
    }

    /// <summary>g(x) and dg/dx for every channel.</summary>
    public void Evaluate(double x, Span<double> value, Span<double> derivative)
    {
        var (idx, t, extra) = Locate(x);
        var row = Data.AsSpan(idx * 6 * Channels, 6 * Channels);
        for (var a = 0; a < Channels; a++)
        {
            double f = row[6 * a], e = row[6 * a + 1], d = row[6 * a + 2], c = row[6 * a + 3], b = row[6 * a + 4], q = row[6 * a + 5];
            var v = f + (e + (d + (c + (b + q * t) * t) * t) * t) * t;
            var g = e + (2 * d + (3 * c + (4 * b + 5 * q * t) * t) * t) * t;
            // Outside the table DeePMD-kit extends the value linearly with the boundary slope; the slope itself is
            // constant there (its derivative with respect to x is the boundary slope).
            value[a] = v + g * extra;
            derivative[a] = g;
        }
    }
}
