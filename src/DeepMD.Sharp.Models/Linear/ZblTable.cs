namespace DeepMD.Sharp.Models.Linear;

using System.Globalization;
using System.Text;
using DeepMD.Sharp.Core.Errors;

/// <summary>
/// Writes a ZBL pair table in DeePMD-kit's table format: the Ziegler–Biersack–Littmark universal screened nuclear repulsion
/// E(r) = Z_i Z_j e²/(4πε₀ r) Σ_k c_k exp(−d_k r / a), a = 0.46850 Å / (Z_i^0.23 + Z_j^0.23) (the constants of LAMMPS'
/// pair_style zbl, e²/(4πε₀) = 14.399645 eV·Å), for chosen type pairs (the others 0), optionally multiplied by
/// s(t) = 1 − 10t³ + 15t⁴ − 6t⁵, t = (r − R1)/(R2 − R1), so that it goes smoothly to 0 between R1 and R2.
/// </summary>
public static class ZblTable
{
    private const double Qqr2e = 14.399645; // e²/(4πε₀) in eV·Å (LAMMPS metal units: qqr2e · qelectron²)
    private static readonly double[] C = [0.02817, 0.28022, 0.50986, 0.18175];
    private static readonly double[] D = [0.20162, 0.40290, 0.94229, 3.19980];

    /// <summary>The unswitched ZBL energy of nuclear charges <paramref name="zi"/>, <paramref name="zj"/> at r Å, eV.</summary>
    public static double Energy(double zi, double zj, double r)
    {
        var ainv = (Math.Pow(zi, 0.23) + Math.Pow(zj, 0.23)) / 0.46850;
        double sum = 0;
        for (var k = 0; k < 4; k++) sum += C[k] * Math.Exp(-D[k] * ainv * r);
        return zi * zj * Qqr2e / r * sum;
    }

    /// <summary>The switch s(r): 1 below R1, 0 from R2, the quintic smoothstep between.</summary>
    public static double Switch(double r, double r1, double r2)
    {
        if (r <= r1) return 1;
        if (r >= r2) return 0;
        var t = (r - r1) / (r2 - r1);
        return 1 - t * t * t * (10 - 15 * t + 6 * t * t);
    }

    /// <summary>
    /// The table rows: r from <paramref name="rmin"/> to <paramref name="rmax"/> in steps of <paramref name="step"/>, and
    /// per unordered type pair (0-0, 0-1, …, 1-1, …) the energy, or 0 for pairs not in <paramref name="pairs"/>.
    /// </summary>
    public static List<double[]> Rows(double[] z, IReadOnlyCollection<(int A, int B)> pairs, double rmin, double rmax, double step, (double R1, double R2)? sw)
    {
        if (!(rmin > 0)) throw new UserInputException($"--rmin must be positive (the ZBL energy diverges at 0), got {rmin}");
        if (!(rmax > rmin)) throw new UserInputException($"--rmax ({rmax}) must be larger than --rmin ({rmin})");
        if (!(step > 0)) throw new UserInputException($"--step must be positive, got {step}");
        if (sw is { } s && !(s.R2 > s.R1 && s.R1 >= rmin && s.R2 <= rmax + 1e-12))
            throw new UserInputException($"--switch needs rmin ≤ R1 < R2 ≤ rmax, got R1 = {s.R1}, R2 = {s.R2} with rmin = {rmin}, rmax = {rmax}");
        var n = (int)Math.Round((rmax - rmin) / step) + 1;
        if (Math.Abs(rmin + (n - 1) * step - rmax) > 1e-9 * Math.Max(1, rmax))
            throw new UserInputException($"(rmax − rmin) / step must be a whole number; {rmax} − {rmin} is {(rmax - rmin) / step:G6} steps of {step}");
        var nt = z.Length;
        var rows = new List<double[]>(n);
        for (var k = 0; k < n; k++)
        {
            var r = rmin + k * step;
            var row = new double[1 + nt * (nt + 1) / 2];
            row[0] = r;
            var col = 1;
            for (var a = 0; a < nt; a++)
                for (var b = a; b < nt; b++, col++)
                {
                    if (!pairs.Contains((a, b)) && !pairs.Contains((b, a))) continue;
                    var e = Energy(z[a], z[b], r);
                    if (sw is { } w) e *= Switch(r, w.R1, w.R2);
                    row[col] = e;
                }
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>The rows as DeePMD-kit's table text (a comment header, then one row per line, full precision).</summary>
    public static string Format(List<double[]> rows, string header)
    {
        var sb = new StringBuilder();
        foreach (var line in header.Split('\n')) sb.Append("# ").Append(line).Append('\n');
        foreach (var row in rows)
            sb.Append(string.Join(" ", row.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))).Append('\n');
        return sb.ToString();
    }
}
