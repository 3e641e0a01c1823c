namespace DeepMD.Sharp.Dynamics.Potentials;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;

/// <summary>How <c>pair_style table</c> interpolates its tables (LAMMPS' lookup, linear, spline).</summary>
public enum TableInterpolation
{
    Lookup,
    Linear,
    Spline,
}

/// <summary>
/// <c>pair_style table lookup|linear|spline N</c>: energies and forces from a LAMMPS table file section
/// (<c>pair_coeff i j file KEYWORD [cutoff]</c>). As LAMMPS: the file's points (r from the file, or recomputed from
/// <c>R lo hi</c> / <c>RSQ lo hi</c>) are splined and resampled onto N points evenly spaced in r² from the inner
/// distance to the cutoff, unless a linear table's file already holds exactly those points; lookups interpolate in r².
/// No mixing (every pair is set).
/// </summary>
public sealed class TablePotential : PairwisePotential
{
    private readonly TableInterpolation _style;
    private readonly int _length;
    private readonly List<Table> _tables = [];
    private readonly int[] _index;
    private Table[] _byPair = [];

    public TablePotential(int types, TableInterpolation style, int length) : base(types)
    {
        if (length < 2) throw new UserInputException($"table needs at least 2 table entries, got {length}");
        _style = style;
        _length = length;
        _index = new int[types * types];
    }

    public override string Name => "table";

    protected override bool CanMix => false;

    /// <summary>Reads section <paramref name="keyword"/> of <paramref name="file"/> for types i, j (0-based); cutoff null = the table's end.</summary>
    public void SetCoefficients(int i, int j, string file, string keyword, double? cutoff = null)
    {
        var tb = TableFile.Read(file, keyword);
        tb.Cut = cutoff ?? (tb.RFlag != RFlag.None ? tb.RHi : tb.RFile[^1]);
        double rlo, rhi;
        if (tb.RFlag == RFlag.None)
        {
            rlo = tb.RFile[0];
            rhi = tb.RFile[^1];
        }
        else
        {
            rlo = tb.RLo;
            rhi = tb.RHi;
        }
        if (tb.Cut <= rlo || tb.Cut > rhi)
            throw new UserInputException($"{file}: table {keyword}: invalid pair table cutoff {tb.Cut} (must be above {rlo} and at most {rhi})");
        if (rlo <= 0.0) throw new UserInputException($"{file}: table {keyword}: invalid pair table cutoff: the table starts at r = {rlo} (must be positive)");
        tb.Match = _style == TableInterpolation.Linear && tb.N == _length && tb.RFlag == RFlag.Rsq && tb.RHi == tb.Cut;
        if (!tb.Match) tb.SplineFile();
        tb.Compute(_style, _length);
        _index[i * TypeCount + j] = _index[j * TypeCount + i] = _tables.Count;
        _tables.Add(tb);
        MarkSet(i, j);
    }

    protected override double InitPair(int i, int j)
    {
        if (_byPair.Length != TypeCount * TypeCount) _byPair = new Table[TypeCount * TypeCount];
        var tb = _tables[_index[i * TypeCount + j]];
        _byPair[i * TypeCount + j] = _byPair[j * TypeCount + i] = tb;
        return tb.Cut;
    }

    protected override double Pair(int t, double rsq, out double fpair)
    {
        var tb = _byPair[t];
        if (rsq < tb.InnerSq)
            throw new UserInputException($"pair table: pair distance {Math.Sqrt(rsq).ToString("G6", CultureInfo.InvariantCulture)} < table inner cutoff {Math.Sqrt(tb.InnerSq).ToString("G6", CultureInfo.InvariantCulture)} for types {t / TypeCount + 1} {t % TypeCount + 1}");
        var itable = (int)((rsq - tb.InnerSq) * tb.InvDelta);
        if (itable >= _length - 1)
            throw new UserInputException($"pair table: pair distance {Math.Sqrt(rsq).ToString("G6", CultureInfo.InvariantCulture)} > table outer cutoff for types {t / TypeCount + 1} {t % TypeCount + 1}");
        switch (_style)
        {
            case TableInterpolation.Lookup:
                fpair = tb.F[itable];
                return tb.E[itable];
            case TableInterpolation.Linear:
            {
                var fraction = (rsq - tb.Rsq[itable]) * tb.InvDelta;
                fpair = tb.F[itable] + fraction * tb.Df[itable];
                return tb.E[itable] + fraction * tb.De[itable];
            }
            default:
            {
                var b = (rsq - tb.Rsq[itable]) * tb.InvDelta;
                var a = 1.0 - b;
                fpair = a * tb.F[itable] + b * tb.F[itable + 1] + ((a * a * a - a) * tb.F2[itable] + (b * b * b - b) * tb.F2[itable + 1]) * tb.DeltaSq6;
                return a * tb.E[itable] + b * tb.E[itable + 1] + ((a * a * a - a) * tb.E2[itable] + (b * b * b - b) * tb.E2[itable + 1]) * tb.DeltaSq6;
            }
        }
    }

    internal enum RFlag
    {
        None,
        R,
        Rsq,
    }

    /// <summary>One table: the file's points and the resampled arrays the evaluation reads.</summary>
    internal sealed class Table
    {
        public int N;
        public RFlag RFlag;
        public double RLo, RHi, FpLo, FpHi, Cut, InnerSq, Delta, InvDelta, DeltaSq6;
        public bool FpFlag, Match;
        public double[] RFile = [], EFile = [], FFile = [], E2File = [], F2File = [];
        public double[] Rsq = [], E = [], F = [], De = [], Df = [], E2 = [], F2 = [];

        public void SplineFile()
        {
            E2File = new double[N];
            F2File = new double[N];
            Spline(RFile, EFile, N, -FFile[0], -FFile[N - 1], E2File);
            if (!FpFlag)
            {
                FpLo = (FFile[1] - FFile[0]) / (RFile[1] - RFile[0]);
                FpHi = (FFile[N - 1] - FFile[N - 2]) / (RFile[N - 1] - RFile[N - 2]);
            }
            Spline(RFile, FFile, N, FpLo, FpHi, F2File);
        }

        public void Compute(TableInterpolation style, int length)
        {
            var tlm1 = length - 1;
            var inner = RFlag != RFlag.None ? RLo : RFile[0];
            InnerSq = inner * inner;
            Delta = (Cut * Cut - InnerSq) / tlm1;
            InvDelta = 1.0 / Delta;
            if (style == TableInterpolation.Lookup)
            {
                E = new double[tlm1];
                F = new double[tlm1];
                for (var i = 0; i < tlm1; i++)
                {
                    var rsq = InnerSq + (i + 0.5) * Delta;
                    var r = Math.Sqrt(rsq);
                    E[i] = Splint(RFile, EFile, E2File, N, r);
                    F[i] = Splint(RFile, FFile, F2File, N, r) / r;
                }
                return;
            }
            Rsq = new double[length];
            E = new double[length];
            F = new double[length];
            for (var i = 0; i < length; i++)
            {
                var rsq = InnerSq + i * Delta;
                var r = Math.Sqrt(rsq);
                Rsq[i] = rsq;
                if (Match)
                {
                    E[i] = EFile[i];
                    F[i] = FFile[i] / r;
                }
                else
                {
                    E[i] = Splint(RFile, EFile, E2File, N, r);
                    F[i] = style == TableInterpolation.Linear ? Splint(RFile, FFile, F2File, N, r) / r : Splint(RFile, FFile, F2File, N, r);
                }
            }
            if (style == TableInterpolation.Linear)
            {
                De = new double[tlm1];
                Df = new double[tlm1];
                for (var i = 0; i < tlm1; i++)
                {
                    De[i] = E[i + 1] - E[i];
                    Df[i] = F[i + 1] - F[i];
                }
                return;
            }
            // Spline in r²: e over the table, and f/r with end slopes d(f/r)/d(r²) from FP or a secant.
            E2 = new double[length];
            F2 = new double[length];
            DeltaSq6 = Delta * Delta / 6.0;
            // End slopes dE/d(r²) = −f/(2r) at the inner distance and at the cutoff.
            Spline(Rsq, E, length, -F[0] / (2.0 * Math.Sqrt(InnerSq)), -F[tlm1] / (2.0 * Cut), E2);
            const double secantFactor = 0.1;
            double fp0, fpn;
            if (FpFlag) fp0 = (FpLo / Math.Sqrt(InnerSq) - F[0] / InnerSq) / (2.0 * Math.Sqrt(InnerSq));
            else
            {
                var rsq1 = InnerSq;
                var rsq2 = rsq1 + secantFactor * Delta;
                fp0 = (Splint(RFile, FFile, F2File, N, Math.Sqrt(rsq2)) / Math.Sqrt(rsq2) - F[0] / Math.Sqrt(rsq1)) / (secantFactor * Delta);
            }
            if (FpFlag && Cut == RFile[N - 1]) fpn = (FpHi / Cut - F[tlm1] / (Cut * Cut)) / (2.0 * Cut);
            else
            {
                var rsq2 = Cut * Cut;
                var rsq1 = rsq2 - secantFactor * Delta;
                fpn = (F[tlm1] / Math.Sqrt(rsq2) - Splint(RFile, FFile, F2File, N, Math.Sqrt(rsq1)) / Math.Sqrt(rsq1)) / (secantFactor * Delta);
            }
            for (var i = 0; i < length; i++) F[i] /= Math.Sqrt(Rsq[i]);
            Spline(Rsq, F, length, fp0, fpn, F2);
        }
    }

    /// <summary>Cubic spline second derivatives with end slopes yp1, ypn (natural above 0.99e30), as LAMMPS' tables.</summary>
    internal static void Spline(double[] x, double[] y, int n, double yp1, double ypn, double[] y2)
    {
        var u = new double[n];
        if (yp1 > 0.99e30) y2[0] = u[0] = 0.0;
        else
        {
            y2[0] = -0.5;
            u[0] = (3.0 / (x[1] - x[0])) * ((y[1] - y[0]) / (x[1] - x[0]) - yp1);
        }
        for (var i = 1; i < n - 1; i++)
        {
            var sig = (x[i] - x[i - 1]) / (x[i + 1] - x[i - 1]);
            var p = sig * y2[i - 1] + 2.0;
            y2[i] = (sig - 1.0) / p;
            u[i] = (y[i + 1] - y[i]) / (x[i + 1] - x[i]) - (y[i] - y[i - 1]) / (x[i] - x[i - 1]);
            u[i] = (6.0 * u[i] / (x[i + 1] - x[i - 1]) - sig * u[i - 1]) / p;
        }
        double qn, un;
        if (ypn > 0.99e30) qn = un = 0.0;
        else
        {
            qn = 0.5;
            un = (3.0 / (x[n - 1] - x[n - 2])) * (ypn - (y[n - 1] - y[n - 2]) / (x[n - 1] - x[n - 2]));
        }
        y2[n - 1] = (un - qn * u[n - 2]) / (qn * y2[n - 2] + 1.0);
        for (var k = n - 2; k >= 0; k--) y2[k] = y2[k] * y2[k + 1] + u[k];
    }

    /// <summary>Evaluates the spline at <paramref name="x"/> (bisection for the interval).</summary>
    internal static double Splint(double[] xa, double[] ya, double[] y2a, int n, double x)
    {
        int klo = 0, khi = n - 1;
        while (khi - klo > 1)
        {
            var k = (khi + klo) >> 1;
            if (xa[k] > x) khi = k;
            else klo = k;
        }
        var h = xa[khi] - xa[klo];
        var a = (xa[khi] - x) / h;
        var b = (x - xa[klo]) / h;
        return a * ya[klo] + b * ya[khi] + ((a * a * a - a) * y2a[klo] + (b * b * b - b) * y2a[khi]) * (h * h) / 6.0;
    }

    /// <summary>LAMMPS' pair table file: sections "KEYWORD", "N n [R|RSQ lo hi] [FP lo hi]", then n lines "i r e f".</summary>
    internal static class TableFile
    {
        public static Table Read(string file, string keyword)
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new UserInputException($"cannot open pair table file {file}: {ex.Message}");
            }
            var k = 0;
            while (true)
            {
                var (line, at) = NextLine(lines, ref k);
                if (line is null) throw new UserInputException($"{file}: did not find keyword '{keyword}' in the table file");
                var word = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0];
                var (param, pline) = NextLine(lines, ref k);
                if (param is null) throw new UserInputException($"{file}:{at}: section {word} has no parameter line");
                var tb = Params(file, pline, param);
                if (word == keyword) return ReadValues(file, lines, ref k, tb);
                for (var i = 0; i < tb.N; i++)
                    if (NextLine(lines, ref k).Line is null) throw new UserInputException($"{file}: section {word} ends early (needs {tb.N} lines)");
            }
        }

        private static (string? Line, int Number) NextLine(string[] lines, ref int k)
        {
            for (; k < lines.Length; k++)
            {
                var t = lines[k].Trim();
                if (t.Length == 0 || t[0] == '#') continue;
                k++;
                return (t, k);
            }
            return (null, k);
        }

        private static double Number(string file, int line, string word) =>
            double.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
                : throw new UserInputException($"{file}:{line}: '{word}' is not a number");

        private static Table Params(string file, int line, string text)
        {
            var w = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var tb = new Table();
            for (var i = 0; i < w.Length; i++)
            {
                string Next() => ++i < w.Length ? w[i] : throw new UserInputException($"{file}:{line}: '{w[i - 1]}' needs a value");
                switch (w[i])
                {
                    case "N":
                        tb.N = int.TryParse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n
                            : throw new UserInputException($"{file}:{line}: N needs an integer");
                        break;
                    case "R" or "RSQ":
                        tb.RFlag = w[i] == "R" ? RFlag.R : RFlag.Rsq;
                        tb.RLo = Number(file, line, Next());
                        tb.RHi = Number(file, line, Next());
                        break;
                    case "FP":
                        tb.FpFlag = true;
                        tb.FpLo = Number(file, line, Next());
                        tb.FpHi = Number(file, line, Next());
                        break;
                    case "BITMAP":
                        throw new UserInputException($"{file}:{line}: BITMAP tables are not supported; write the table with R or RSQ");
                    default:
                        throw new UserInputException($"{file}:{line}: invalid keyword '{w[i]}' in pair table parameters (expected N, R, RSQ, FP)");
                }
            }
            if (tb.N == 0) throw new UserInputException($"{file}:{line}: pair table parameters did not set N");
            if (tb.N <= 1) throw new UserInputException($"{file}:{line}: invalid pair table length {tb.N}");
            return tb;
        }

        private static Table ReadValues(string file, string[] lines, ref int k, Table tb)
        {
            tb.RFile = new double[tb.N];
            tb.EFile = new double[tb.N];
            tb.FFile = new double[tb.N];
            for (var i = 0; i < tb.N; i++)
            {
                var (line, at) = NextLine(lines, ref k);
                if (line is null) throw new UserInputException($"{file}: table ends after {i} of {tb.N} lines");
                var w = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (w.Length < 4) throw new UserInputException($"{file}:{at}: expected 'index r energy force', got '{line}'");
                var r = Number(file, at, w[1]);
                tb.EFile[i] = Number(file, at, w[2]);
                tb.FFile[i] = Number(file, at, w[3]);
                if (tb.RFlag == RFlag.R) r = tb.RLo + (tb.RHi - tb.RLo) * i / (tb.N - 1);
                else if (tb.RFlag == RFlag.Rsq) r = Math.Sqrt(tb.RLo * tb.RLo + (tb.RHi * tb.RHi - tb.RLo * tb.RLo) * i / (tb.N - 1));
                tb.RFile[i] = r;
            }
            return tb;
        }
    }
}
