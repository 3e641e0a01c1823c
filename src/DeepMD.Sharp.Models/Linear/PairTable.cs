namespace DeepMD.Sharp.Models.Linear;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Models.Serialization;

/// <summary>
/// DeePMD-kit's tabulated pair potential (<c>PairTab</c>): per unordered type pair a cubic spline of the pair energy on a
/// uniform grid, as DeePMD-kit builds it from a table file (clamped splines through the grid values, the table padded or
/// extrapolated to rcut) and stores it in a model (<c>tab_info</c>, <c>tab_data</c>). The energy of a pair is the
/// spline value; it is 0 at and beyond rcut and beyond the (padded) table. docs/zbl-and-linear-models.md.
/// </summary>
public sealed class PairTable
{
    private PairTable(double rmin, double rmax, double hh, int ntypes, double rcut, int nspline, NdArray vdata, double[] tabData)
    {
        Rmin = rmin;
        Rmax = rmax;
        Hh = hh;
        TypeCount = ntypes;
        Rcut = rcut;
        SplineCount = nspline;
        Vdata = vdata;
        TabData = tabData;
        _hi = 1.0 / hh;
        _end = rmin + nspline * hh;
    }

    private readonly double _hi, _end;

    /// <summary>First grid distance, Å.</summary>
    public double Rmin { get; }

    /// <summary>Last grid distance of the table as given (before padding to rcut), Å.</summary>
    public double Rmax { get; }

    /// <summary>Grid step, Å.</summary>
    public double Hh { get; }

    public int TypeCount { get; }

    /// <summary>Cutoff: pairs at or beyond it have no energy, Å.</summary>
    public double Rcut { get; }

    /// <summary>Number of spline intervals (grid points of the padded table − 1).</summary>
    public int SplineCount { get; }

    /// <summary>The grid as DeePMD-kit keeps it (padded to rcut): rows of r and one column per unordered type pair.</summary>
    public NdArray Vdata { get; }

    /// <summary>Spline coefficients [ntypes][ntypes][nspline][4] (a3, a2, a1, a0 in the interval fraction), flat.</summary>
    public double[] TabData { get; }

    /// <summary>What DeePMD-kit would log as warnings while reading the table file (e.g. energy not 0 at rcut).</summary>
    public IReadOnlyList<string> Warnings { get; private init; } = [];

    /// <summary>
    /// The pair energy (eV) of types <paramref name="ti"/>, <paramref name="tj"/> at distance <paramref name="r"/> and its
    /// derivative d/dr, as DeePMD-kit's PairTabAtomicModel computes it (interval index truncated toward zero and clipped to
    /// the table, so below rmin the first interval's cubic is continued; 0 at and beyond rcut and the table end).
    /// </summary>
    public double Energy(int ti, int tj, double r, out double dEdr)
    {
        dEdr = 0;
        if (r >= Rcut || r >= _end) return 0;
        var uu = (r - Rmin) * _hi;
        var idx = (long)uu; // numpy astype(int64): toward zero
        if (idx > SplineCount) return 0;
        var f = uu - idx;
        var k = (int)Math.Clamp(idx, 0, SplineCount - 1);
        var o = (((ti * TypeCount) + tj) * SplineCount + k) * 4;
        double a3 = TabData[o], a2 = TabData[o + 1], a1 = TabData[o + 2], a0 = TabData[o + 3];
        dEdr = ((3 * a3 * f + 2 * a2) * f + a1) * _hi;
        return ((a3 * f + a2) * f + a1) * f + a0;
    }

    /// <summary>
    /// Reads the serialized table (the <c>tab</c> dict of a <c>pairtab</c> model); <paramref name="rcut"/> is the pairtab
    /// model's own rcut, which DeePMD-kit's energy uses (the table's is taken when null).
    /// </summary>
    public static PairTable FromNode(ModelNode node, double? rcut = null)
    {
        Loading.ModelReader.CheckClass(node, "PairTab", 1, 1);
        var v = node["@variables"];
        var info = v["tab_info"].AsArray(4);
        var rmin = info.Data[0];
        var hh = info.Data[1];
        var nspline = (int)(info.Data[2] + 0.1);
        var nt = (int)(info.Data[3] + 0.1);
        if (!(hh > 0)) throw v["tab_info"].Error($"the grid step (tab_info[1] = {hh}) must be positive");
        if (nspline < 1 || nt < 1) throw v["tab_info"].Error($"tab_info needs nspline ≥ 1 and ntypes ≥ 1, found {nspline} and {nt}");
        var data = v["tab_data"].AsArray();
        if (data.Length != nt * nt * nspline * 4)
            throw v["tab_data"].Error($"tab_data has {data.Length} values; ntypes = {nt} and nspline = {nspline} need {nt * nt * nspline * 4}");
        var vdata = v.Optional("vdata").IsNull ? new NdArray("float64", [0, 0], []) : v["vdata"].AsArray();
        var rc = rcut ?? node["rcut"].AsDouble();
        var rmaxNode = node.Optional("rmax");
        var rmax = rmaxNode.IsNull ? rmin + nspline * hh : rmaxNode.AsDouble();
        return new PairTable(rmin, rmax, hh, nt, rc, nspline, vdata, data.Data);
    }

    /// <summary>The <c>tab</c> dict DeePMD-kit's PairTab.serialize writes.</summary>
    public Dictionary<string, object?> ToTree() => new()
    {
        ["@class"] = "PairTab",
        ["@version"] = 1L,
        ["rmin"] = Rmin,
        ["rmax"] = Rmax,
        ["hh"] = Hh,
        ["ntypes"] = (long)TypeCount,
        ["rcut"] = Rcut,
        ["nspline"] = (long)SplineCount,
        ["@variables"] = new Dictionary<string, object?>
        {
            ["vdata"] = Vdata,
            ["tab_info"] = new NdArray("float64", [4], [Rmin, Hh, SplineCount, TypeCount]),
            ["tab_data"] = new NdArray("float64", [TabData.Length], (double[])TabData.Clone()),
        },
    };

    /// <summary>
    /// Reads a table file in DeePMD-kit's format (whitespace-separated columns: r, then the energies of the type pairs
    /// 0-0, 0-1, …, 0-(n−1), 1-1, …; <c>#</c> starts a comment) and builds the splines as DeePMD-kit's PairTab does for
    /// cutoff <paramref name="rcut"/> (null: the table's last distance). Errors name the file and line.
    /// </summary>
    public static PairTable FromFile(string path, double? rcut = null)
    {
        if (!File.Exists(path)) throw new UserInputException($"pair table file not found: {path}");
        var rows = new List<double[]>();
        var lines = new List<int>();
        var lineNo = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNo++;
            var text = raw;
            var hash = text.IndexOf('#');
            if (hash >= 0) text = text[..hash];
            var parts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) continue;
            var row = new double[parts.Length];
            for (var k = 0; k < parts.Length; k++)
            {
                if (!double.TryParse(parts[k], NumberStyles.Float, CultureInfo.InvariantCulture, out row[k]) || !double.IsFinite(row[k]))
                    throw new UserInputException($"column {k + 1} ('{parts[k]}') is not a finite number", path, lineNo);
            }
            if (rows.Count > 0 && row.Length != rows[0].Length)
                throw new UserInputException($"{row.Length} columns, but line {lines[0]} has {rows[0].Length}; every row needs r and one energy per type pair", path, lineNo);
            rows.Add(row);
            lines.Add(lineNo);
        }
        if (rows.Count < 2) throw new UserInputException("a pair table needs at least two rows (r, energies…)", path);
        var ncol = rows[0].Length - 1;
        var nt = (int)((-1 + Math.Sqrt(1 + 8.0 * ncol)) * 0.5 + 0.1);
        if (ncol < 1 || nt * (nt + 1) / 2 != ncol)
            throw new UserInputException($"{ncol} energy columns do not fit any number of types (n types need n(n+1)/2 columns: 1, 3, 6, 10, …)", path, lines[0]);
        var hh = rows[1][0] - rows[0][0];
        if (!(hh > 0)) throw new UserInputException($"the distances must increase (r = {rows[0][0]} then {rows[1][0]})", path, lines[1]);
        for (var k = 2; k < rows.Count; k++)
        {
            var step = rows[k][0] - rows[k - 1][0];
            if (Math.Abs(step - hh) > 1e-6 * Math.Max(hh, 1e-3))
                throw new UserInputException($"the grid is not uniform: step {step.ToString("G10", CultureInfo.InvariantCulture)} Å here, {hh.ToString("G10", CultureInfo.InvariantCulture)} Å between the first two rows (DeePMD-kit assumes one step)", path, lines[k]);
        }
        return Build(rows, nt, rcut, path);
    }

    /// <summary>The splines DeePMD-kit's PairTab builds from grid rows (r, energies per unordered type pair) for <paramref name="rcut"/>.</summary>
    public static PairTable Build(List<double[]> rows, int nt, double? rcut, string? source = null)
    {
        var warnings = new List<string>();
        var rmin = rows[0][0];
        var rmax = rows[^1][0];
        var hh = rows[1][0] - rows[0][0];
        var rc = rcut ?? rmax;
        var ncol = rows[0].Length;
        var upperIdx = rows.Count - 1;
        var rcutIdx = (int)Math.Ceiling(rc / hh - rmin / hh);
        var last = rows[^1];
        var allZero = true;
        for (var c = 1; c < ncol; c++) allZero &= last[c] == 0;
        var name = source ?? "the pair table";
        if (allZero)
        {
            if (rc < rmax)
            {
                var at = rows[Math.Clamp(rcutIdx - 1, 0, rows.Count - 1)];
                if (at.Skip(1).Any(x => x != 0)) warnings.Add($"{name}: the energy does not decay to 0 at rcut = {rc} Å");
            }
            else if (rc > rmax)
            {
                foreach (var x in Linspace(rmax + hh, rmax + hh * (rcutIdx - upperIdx), rcutIdx - upperIdx))
                {
                    var pad = new double[ncol];
                    pad[0] = x;
                    rows.Add(pad);
                }
            }
        }
        else if (rc <= rmax)
        {
            warnings.Add($"{name}: the energy does not decay to 0 at rcut = {rc} Å");
        }
        else
        {
            warnings.Add($"{name}: rcut = {rc} Å is beyond the table's last distance {rmax} Å; the table is extrapolated to 0 as DeePMD-kit does");
            var npad = rcutIdx - upperIdx;
            var xs = Linspace(rmax + hh, rmax + hh * npad, npad);
            var prev = rows[^2];
            // DeePMD-kit: one cubic from the last row to the grid point before rcut (or the next one), value 0 and slope 0
            // there, and as slope at the last row the difference of the last two rows (not divided by the step).
            var gp = xs[^1] / hh - rmax / hh >= 2 ? npad - 2 : npad - 1;
            var x0 = rmax;
            var x1 = xs[gp];
            var h = x1 - x0;
            var pads = new List<double[]>();
            for (var k = 0; k < npad; k++)
            {
                var t = (xs[k] - x0) / h;
                var pad = new double[ncol];
                pad[0] = xs[k];
                for (var c = 1; c < ncol; c++)
                {
                    var slope = last[c] - prev[c];
                    pad[c] = (2 * t * t * t - 3 * t * t + 1) * last[c] + (t * t * t - 2 * t * t + t) * h * slope;
                }
                pads.Add(pad);
            }
            if (gp != npad - 1) pads.RemoveAt(pads.Count - 1);
            rows.AddRange(pads);
        }

        var nspline = rows.Count - 1;
        var stride = 4 * nspline;
        var data = new double[nt * nt * stride];
        var xx = rows.Select(r => r[0]).ToArray();
        var col = 0;
        for (var t0 = 0; t0 < nt; t0++)
        {
            for (var t1 = t0; t1 < nt; t1++)
            {
                var vv = rows.Select(r => r[1 + col]).ToArray();
                var dd = ClampedSplineSlopes(xx, vv);
                for (var k = 0; k < dd.Length; k++) dd[k] *= hh;
                var tmp = new double[stride];
                for (var ii = 0; ii < nspline; ii++)
                {
                    tmp[ii * 4 + 0] = 2 * vv[ii] - 2 * vv[ii + 1] + dd[ii] + dd[ii + 1];
                    tmp[ii * 4 + 1] = -3 * vv[ii] + 3 * vv[ii + 1] - 2 * dd[ii] - dd[ii + 1];
                    tmp[ii * 4 + 2] = dd[ii];
                    tmp[ii * 4 + 3] = vv[ii];
                }
                Array.Copy(tmp, 0, data, (t0 * nt + t1) * stride, stride);
                Array.Copy(tmp, 0, data, (t1 * nt + t0) * stride, stride);
                col++;
            }
        }
        var flat = new double[rows.Count * ncol];
        for (var k = 0; k < rows.Count; k++) Array.Copy(rows[k], 0, flat, k * ncol, ncol);
        return new PairTable(rmin, rmax, hh, nt, rc, nspline, new NdArray("float64", [rows.Count, ncol], flat), data) { Warnings = warnings };
    }

    /// <summary>numpy.linspace(a, b, n).</summary>
    private static double[] Linspace(double a, double b, int n)
    {
        if (n <= 0) return [];
        var y = new double[n];
        if (n == 1)
        {
            y[0] = a;
            return y;
        }
        var step = (b - a) / (n - 1);
        for (var k = 0; k < n; k++) y[k] = a + k * step;
        y[^1] = b;
        return y;
    }

    /// <summary>
    /// Knot slopes of the cubic spline through (x, y) with zero first derivative at both ends (scipy's CubicSpline with
    /// bc_type "clamped"): the tridiagonal system of C² continuity, solved by elimination.
    /// </summary>
    private static double[] ClampedSplineSlopes(double[] x, double[] y)
    {
        var n = x.Length;
        var m = new double[n];
        if (n <= 2) return m;
        // unknowns m_1 .. m_{n-2}; m_0 = m_{n-1} = 0
        var k = n - 2;
        var sub = new double[k];
        var diag = new double[k];
        var sup = new double[k];
        var rhs = new double[k];
        for (var i = 1; i <= n - 2; i++)
        {
            double hPrev = x[i] - x[i - 1], hNext = x[i + 1] - x[i];
            double sPrev = (y[i] - y[i - 1]) / hPrev, sNext = (y[i + 1] - y[i]) / hNext;
            sub[i - 1] = hNext;
            diag[i - 1] = 2 * (hPrev + hNext);
            sup[i - 1] = hPrev;
            rhs[i - 1] = 3 * (hNext * sPrev + hPrev * sNext);
        }
        for (var i = 1; i < k; i++)
        {
            var w = sub[i] / diag[i - 1];
            diag[i] -= w * sup[i - 1];
            rhs[i] -= w * rhs[i - 1];
        }
        m[k] = rhs[k - 1] / diag[k - 1];
        for (var i = k - 2; i >= 0; i--) m[i + 1] = (rhs[i] - sup[i] * m[i + 2]) / diag[i];
        return m;
    }
}
