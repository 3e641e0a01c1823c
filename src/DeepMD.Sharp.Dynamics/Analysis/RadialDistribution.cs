namespace DeepMD.Sharp.Dynamics.Analysis;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;

/// <summary>
/// The radial distribution function g_AB(r) of atom types A and B accumulated over frames of a periodic system
/// (LAMMPS' <c>compute rdf</c> normalisation): for bin k of width w,
/// g_k = Σ_frames count_k / (Σ_frames N_A (N_B − δ_AB) / V · 4π/3 (r_{k+1}³ − r_k³)),
/// where count_k is the number of ordered (A, B) pairs, every periodic image included, with k·w ≤ r &lt; (k+1)·w.
/// An ideal gas gives g = 1 for r up to half the cell's smallest face distance. The running coordination number
/// is the mean number of B atoms within r of an A atom.
/// </summary>
public sealed class RadialDistribution
{
    private readonly long[] _counts;
    private double _normalisation; // Σ_frames N_A (N_B − δ_AB) / V
    private long _centers; // Σ_frames N_A

    /// <summary>An empty accumulator for types <paramref name="typeA"/> and <paramref name="typeB"/> (any integer labels) up to <paramref name="rMax"/> Å in <paramref name="bins"/> bins.</summary>
    public RadialDistribution(int typeA, int typeB, double rMax, int bins)
    {
        if (!(rMax > 0) || !double.IsFinite(rMax)) throw new ArgumentOutOfRangeException(nameof(rMax), "rMax must be positive");
        if (bins < 1) throw new ArgumentOutOfRangeException(nameof(bins), "at least one bin");
        TypeA = typeA;
        TypeB = typeB;
        RMax = rMax;
        Bins = bins;
        BinWidth = rMax / bins;
        _counts = new long[bins];
    }

    public int TypeA { get; }

    public int TypeB { get; }

    public double RMax { get; }

    public int Bins { get; }

    public double BinWidth { get; }

    /// <summary>Frames added so far.</summary>
    public int Frames { get; private set; }

    /// <summary>Adds one frame: builds its neighbor list to <see cref="RMax"/> (positions need not be wrapped).</summary>
    public void Add(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, ReadOnlySpan<int> types, Box box) =>
        Add(types, CellListNeighborSearch.Build(x, y, z, box, RMax), box.Volume);

    /// <summary>Adds one frame from a full neighbor list whose cutoff is at least <see cref="RMax"/>.</summary>
    public void Add(ReadOnlySpan<int> types, NeighborList list, double volume)
    {
        if (list.Cutoff < RMax) throw new ArgumentException($"the list's cutoff {list.Cutoff} Å is below rMax {RMax} Å");
        if (!(volume > 0)) throw new ArgumentOutOfRangeException(nameof(volume), "the cell volume must be positive");
        long na = 0, nb = 0;
        for (var i = 0; i < types.Length; i++)
        {
            if (types[i] == TypeA) na++;
            if (types[i] == TypeB) nb++;
        }

        var rMax2 = RMax * RMax;
        var inv = 1 / BinWidth;
        var offsets = list.Offsets;
        for (var i = 0; i < types.Length; i++)
        {
            if (types[i] != TypeA) continue;
            for (var e = offsets[i]; e < offsets[i + 1]; e++)
            {
                if (types[list.Owner[e]] != TypeB) continue;
                var r2 = list.Dx[e] * list.Dx[e] + list.Dy[e] * list.Dy[e] + list.Dz[e] * list.Dz[e];
                if (r2 >= rMax2) continue;
                var k = (int)(Math.Sqrt(r2) * inv);
                if (k < Bins) _counts[k]++;
            }
        }

        _normalisation += na * (double)(nb - (TypeA == TypeB ? 1 : 0)) / volume;
        _centers += na;
        Frames++;
    }

    /// <summary>Bin centres, Å.</summary>
    public double[] Radii()
    {
        var r = new double[Bins];
        for (var k = 0; k < Bins; k++) r[k] = (k + 0.5) * BinWidth;
        return r;
    }

    /// <summary>g(r) per bin (zeros before any frame).</summary>
    public double[] Values()
    {
        var g = new double[Bins];
        if (!(_normalisation > 0)) return g;
        for (var k = 0; k < Bins; k++)
        {
            double r0 = k * BinWidth, r1 = (k + 1) * BinWidth;
            var shell = 4.0 / 3.0 * Math.PI * (r1 * r1 * r1 - r0 * r0 * r0);
            g[k] = _counts[k] / (_normalisation * shell);
        }

        return g;
    }

    /// <summary>Mean number of B atoms within the outer edge of each bin of an A atom.</summary>
    public double[] Coordination()
    {
        var n = new double[Bins];
        if (_centers == 0) return n;
        long sum = 0;
        for (var k = 0; k < Bins; k++)
        {
            sum += _counts[k];
            n[k] = sum / (double)_centers;
        }

        return n;
    }

    /// <summary>
    /// The highest peak of g(r) at r ≥ <paramref name="rMin"/>: position and height of the vertex of a least-squares
    /// parabola through the maximum bin and two bins on each side (the bin's own centre and value where that
    /// vertex falls outside those bins or the parabola does not open downward).
    /// </summary>
    public (double Position, double Height) Peak(double rMin = 0) => Peak(Radii(), Values(), rMin);

    /// <summary>As <see cref="Peak(double)"/>, for any tabulated curve.</summary>
    public static (double Position, double Height) Peak(double[] r, double[] g, double rMin = 0)
    {
        var best = -1;
        for (var k = 0; k < g.Length; k++)
            if (r[k] >= rMin && (best < 0 || g[k] > g[best])) best = k;
        if (best < 0) return (double.NaN, double.NaN);
        if (best < 2 || best > g.Length - 3) return (r[best], g[best]);
        // Quadratic through 5 points in u = (r − r_best)/h, u = −2..2: Σu = Σu³ = 0, Σu² = 10, Σu⁴ = 34.
        double s0 = 0, s1 = 0, s2 = 0;
        for (var u = -2; u <= 2; u++)
        {
            var v = g[best + u];
            s0 += v;
            s1 += u * v;
            s2 += u * u * v;
        }

        // Normal equations: [5 0 10; 0 10 0; 10 0 34] [c0 c1 c2] = [s0 s1 s2].
        var c1 = s1 / 10;
        var c2 = (s2 - 2 * s0) / 14; // from 10 c0 + 34 c2 = s2 and 5 c0 + 10 c2 = s0
        var c0 = (s0 - 10 * c2) / 5;
        if (!(c2 < 0)) return (r[best], g[best]);
        var uStar = -c1 / (2 * c2);
        if (Math.Abs(uStar) > 1) return (r[best], g[best]);
        var h = r[best + 1] - r[best];
        return (r[best] + uStar * h, c0 + c1 * uStar + c2 * uStar * uStar);
    }

    /// <summary>
    /// The first minimum of g(r) after its highest peak (the usual radius of a first coordination shell): the first bin
    /// past the peak whose three-bin running mean is lower than both neighbouring running means; its centre, or NaN when
    /// g(r) has no such minimum before the last bin (or no positive peak).
    /// </summary>
    public static double FirstMinimum(double[] r, double[] g)
    {
        var n = g.Length;
        if (n < 5) return double.NaN;
        var s = new double[n];
        for (var k = 0; k < n; k++)
        {
            double sum = 0;
            var c = 0;
            for (var j = Math.Max(0, k - 1); j <= Math.Min(n - 1, k + 1); j++, c++) sum += g[j];
            s[k] = sum / c;
        }

        var peak = 0;
        for (var k = 1; k < n; k++)
            if (g[k] > g[peak]) peak = k;
        if (!(g[peak] > 0)) return double.NaN;
        for (var k = peak + 1; k < n - 1; k++)
            if (s[k] < s[k - 1] && s[k] <= s[k + 1]) return r[k];
        return double.NaN;
    }
}
