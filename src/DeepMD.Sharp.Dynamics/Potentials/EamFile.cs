namespace DeepMD.Sharp.Dynamics.Potentials;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;

/// <summary>
/// Readers for DYNAMO EAM files as LAMMPS reads them: single-element <c>funcfl</c> files (<c>pair_style eam</c>,
/// F(ρ), Z(r), ρ(r), with φ = 27.2·0.529·Zi·Zj / r) and multi-element <c>setfl</c> files (<c>pair_style eam/alloy</c>).
/// </summary>
public static class EamFile
{
    /// <summary>One funcfl file: mass and raw tables (1-based).</summary>
    public sealed record Funcfl(string Path, double Mass, int Nrho, double Drho, int Nr, double Dr, double Cut, double[] Frho, double[] Zr, double[] Rhor);

    /// <summary>One setfl file: element names, masses, tables (1-based).</summary>
    public sealed record Setfl(string Path, string[] Elements, double[] Masses, int Nrho, double Drho, int Nr, double Dr, double Cut,
        double[][] Frho, double[][] Rhor, double[][] Z2r);

    public static Funcfl ReadFuncfl(string path)
    {
        var r = new NumberReader(path);
        r.SkipLine();
        var l2 = r.LineWords();
        var mass = r.Double(l2, 1);
        var l3 = r.LineWords();
        int nrho = r.Int(l3, 0), nr = r.Int(l3, 2);
        double drho = r.Double(l3, 1), dr = r.Double(l3, 3), cut = r.Double(l3, 4);
        var frho = r.Values(nrho);
        var zr = r.Values(nr);
        var rhor = r.Values(nr);
        return new Funcfl(path, mass, nrho, drho, nr, dr, cut, frho, zr, rhor);
    }

    public static Setfl ReadSetfl(string path)
    {
        var r = new NumberReader(path);
        r.SkipLine();
        r.SkipLine();
        r.SkipLine();
        var l4 = r.LineWords();
        var ne = r.Int(l4, 0);
        if (l4.Length < ne + 1) throw new UserInputException($"line 4 declares {ne} elements but names {l4.Length - 1}", path, r.Line);
        var elements = l4.Skip(1).Take(ne).ToArray();
        var l5 = r.LineWords();
        int nrho = r.Int(l5, 0), nr = r.Int(l5, 2);
        double drho = r.Double(l5, 1), dr = r.Double(l5, 3), cut = r.Double(l5, 4);
        var masses = new double[ne];
        var frho = new double[ne][];
        var rhor = new double[ne][];
        for (var e = 0; e < ne; e++)
        {
            var le = r.LineWords();
            masses[e] = r.Double(le, 1);
            frho[e] = r.Values(nrho);
            rhor[e] = r.Values(nr);
        }
        var z2r = new double[ne * (ne + 1) / 2][];
        for (var i = 0; i < ne; i++)
            for (var j = 0; j <= i; j++)
                z2r[EamTabulation.PairIndex(i, j)] = r.Values(nr);
        return new Setfl(path, elements, masses, nrho, drho, nr, dr, cut, frho, rhor, z2r);
    }

    /// <summary>Line-and-number reader with errors naming the file and line.</summary>
    private sealed class NumberReader
    {
        private readonly string _path;
        private readonly string[] _lines;
        private int _next;
        private string[] _pending = [];
        private int _pendingAt;

        public NumberReader(string path)
        {
            _path = path;
            if (!File.Exists(path)) throw new UserInputException($"EAM potential file '{path}' does not exist");
            _lines = File.ReadAllLines(path);
        }

        public int Line => _next;

        public void SkipLine()
        {
            if (_next >= _lines.Length) throw new UserInputException("the file ends too early", _path, _next);
            _next++;
        }

        public string[] LineWords()
        {
            if (_next >= _lines.Length) throw new UserInputException("the file ends too early", _path, _next);
            return _lines[_next++].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        }

        public double Double(string[] w, int i) =>
            i < w.Length && double.TryParse(w[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
            : throw new UserInputException($"expected a number in column {i + 1}", _path, _next);

        public int Int(string[] w, int i) =>
            i < w.Length && int.TryParse(w[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
            : throw new UserInputException($"expected an integer in column {i + 1}", _path, _next);

        /// <summary>n values (several per line), returned 1-based (index 0 unused), like LAMMPS' grab.</summary>
        public double[] Values(int n)
        {
            var list = new double[n + 1];
            var k = 1;
            while (k <= n)
            {
                if (_pendingAt >= _pending.Length)
                {
                    _pending = LineWords();
                    _pendingAt = 0;
                    continue;
                }
                list[k++] = Double(_pending, _pendingAt++);
            }
            _pending = [];
            _pendingAt = 0;
            return list;
        }
    }
}
