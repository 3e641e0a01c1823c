namespace DeepMD.Sharp.Input.Commands;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;

/// <summary>The per-atom quantities <c>read_dump</c> and <c>rerun</c> take from a dump (LAMMPS' field names).</summary>
internal enum DumpField { Id, Type, X, Y, Z, Vx, Vy, Vz, Q, Ix, Iy, Iz, Fx, Fy, Fz }

/// <summary>How a dump gives positions: LAMMPS' UNSET, x (wrapped), xu (unwrapped), xs (scaled), xsu.</summary>
internal enum CoordinateKind { Unset, Wrapped, Unwrapped, ScaledWrapped, ScaledUnwrapped }

/// <summary>The header of one snapshot: atom count, box as written, and where each requested field is.</summary>
internal sealed class DumpSnapshotHeader
{
    public long Atoms { get; init; }

    /// <summary>The bounds lines as written: lo, hi and (triclinic) tilt per line.</summary>
    public double[,] Bounds { get; } = new double[3, 3];

    public bool Triclinic { get; init; }

    /// <summary>Column of each requested field, −1 where the dump has none.</summary>
    public int[] Columns { get; init; } = [];

    public CoordinateKind XKind { get; init; }

    public CoordinateKind YKind { get; init; }

    public CoordinateKind ZKind { get; init; }
}

/// <summary>
/// LAMMPS' native text dump reader (<c>format native</c>, what <c>dump atom</c> and <c>dump custom</c> write) as
/// <c>read_dump</c> and <c>rerun</c> use it: finds snapshots by timestep, skips them, reads a header and matches the
/// requested fields to the column labels (x from <c>x</c>, else the first of <c>xs</c>, <c>xu</c>, <c>xsu</c> in the
/// line; a <c>label</c> names the column explicitly), and reads the atom lines. Errors carry LAMMPS' texts, with the
/// file and line.
/// </summary>
internal sealed class NativeDumpReader : IDisposable
{
    private StreamReader? _reader;
    private string _path = "";
    private int _line;
    private string _last = "";
    private int _words;

    public void Open(string path)
    {
        Close();
        _path = path;
        _line = 0;
        try
        {
            _reader = new StreamReader(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException($"Cannot open file {path}: {e.Message}");
        }
    }

    public void Close()
    {
        _reader?.Dispose();
        _reader = null;
    }

    public void Dispose() => Close();

    private UserInputException Error(string message) => new(message, _path, _line);

    private string? NextLine()
    {
        var l = _reader!.ReadLine();
        if (l is not null)
        {
            _line++;
            _last = l;
        }
        return l;
    }

    /// <summary>Reads <paramref name="n"/> lines, keeping the last; LAMMPS' "Unexpected end of dump file" at the end.</summary>
    private void ReadLines(long n)
    {
        for (long i = 0; i < n; i++)
            if (NextLine() is null) throw Error("Unexpected end of dump file");
    }

    private static bool IsItem(string line, string item)
    {
        var t = line.Trim();
        return t == "ITEM: " + item;
    }

    /// <summary>The next snapshot's timestep, or null at the end of the file (LAMMPS' read_time).</summary>
    public long? ReadTime()
    {
        var l = NextLine();
        if (l is null) return null;
        // Units and time items, when dump_modify wrote them, come before the timestep.
        if (IsItem(l, "UNITS")) { ReadLines(2); l = _last; }
        if (IsItem(l, "TIME")) { ReadLines(2); l = _last; }
        if (!IsItem(l, "TIMESTEP")) throw Error("Dump file is incorrectly formatted");
        ReadLines(1);
        var w = _last.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (w.Length == 0 || !long.TryParse(w[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var step))
            throw Error("Dump file is incorrectly formatted");
        return step;
    }

    /// <summary>Skips the rest of a snapshot after its timestep.</summary>
    public void Skip()
    {
        ReadLines(2);
        var n = ParseCount();
        ReadLines(5);
        ReadLines(n);
    }

    private long ParseCount()
    {
        var w = _last.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return w.Length > 0 && long.TryParse(w[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? n : throw Error("Dump file is incorrectly formatted");
    }

    /// <summary>
    /// The rest of a snapshot's header after its timestep; with <paramref name="fields"/>, each field matched to a
    /// column (LAMMPS' read_header). <paramref name="labels"/> holds explicit column names (null: by field), and
    /// <paramref name="scaled"/>/<paramref name="wrapped"/> say how a labelled coordinate column is to be read.
    /// </summary>
    public DumpSnapshotHeader ReadHeader(DumpField[]? fields, string?[]? labels, bool scaled, bool wrapped)
    {
        ReadLines(2);
        var n = ParseCount();
        ReadLines(1);
        var boxLine = _last;
        const string Bounds = "ITEM: BOX BOUNDS ";
        var triclinic = boxLine.Length > Bounds.Length && boxLine[Bounds.Length] == 'x';
        var bounds = new double[3, 3];
        for (var d = 0; d < 3; d++)
        {
            ReadLines(1);
            var w = _last.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var need = triclinic ? 3 : 2;
            if (w.Length < need) throw Error("Dump file is incorrectly formatted");
            for (var k = 0; k < need; k++)
                if (!double.TryParse(w[k], NumberStyles.Float, CultureInfo.InvariantCulture, out bounds[d, k])) throw Error("Dump file is incorrectly formatted");
        }
        ReadLines(1);
        if (fields is null)
        {
            var plain = new DumpSnapshotHeader { Atoms = n, Triclinic = triclinic };
            Array.Copy(bounds, plain.Bounds, 9);
            return plain;
        }

        const string AtomsItem = "ITEM: ATOMS";
        if (!_last.StartsWith(AtomsItem, StringComparison.Ordinal)) throw Error("Dump file is incorrectly formatted");
        var names = _last[AtomsItem.Length..].Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        _words = names.Length;
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++) index[names[i]] = i; // a repeated label: the last one, as LAMMPS' map
        int Find(string label) => index.TryGetValue(label, out var c) ? c : -1;

        var columns = new int[fields.Length];
        CoordinateKind xk = CoordinateKind.Unset, yk = CoordinateKind.Unset, zk = CoordinateKind.Unset;
        var labelled = scaled ? (wrapped ? CoordinateKind.ScaledWrapped : CoordinateKind.ScaledUnwrapped)
            : wrapped ? CoordinateKind.Wrapped : CoordinateKind.Unwrapped;
        for (var i = 0; i < fields.Length; i++)
        {
            var f = fields[i];
            if (labels?[i] is { } label)
            {
                columns[i] = Find(label);
                if (f == DumpField.X) xk = labelled;
                else if (f == DumpField.Y) yk = labelled;
                else if (f == DumpField.Z) zk = labelled;
                continue;
            }
            switch (f)
            {
                case DumpField.X: (columns[i], xk) = Coordinate("x"); break;
                case DumpField.Y: (columns[i], yk) = Coordinate("y"); break;
                case DumpField.Z: (columns[i], zk) = Coordinate("z"); break;
                default: columns[i] = Find(f.ToString().ToLowerInvariant()); break;
            }
        }
        var header = new DumpSnapshotHeader { Atoms = n, Triclinic = triclinic, Columns = columns, XKind = xk, YKind = yk, ZKind = zk };
        Array.Copy(bounds, header.Bounds, 9);
        return header;

        // x, else whichever of xs, xu, xsu comes first in the line.
        (int Column, CoordinateKind Kind) Coordinate(string axis)
        {
            var c = Find(axis);
            if (c >= 0) return (c, CoordinateKind.Wrapped);
            (int, CoordinateKind) best = (-1, CoordinateKind.Wrapped);
            foreach (var (suffix, kind) in new[] { ("s", CoordinateKind.ScaledWrapped), ("u", CoordinateKind.Unwrapped), ("su", CoordinateKind.ScaledUnwrapped) })
            {
                var k = Find(axis + suffix);
                if (k >= 0 && (best.Item1 < 0 || k < best.Item1)) best = (k, kind);
            }
            return best;
        }
    }

    /// <summary>Reads <paramref name="n"/> atom lines into rows of the requested fields (LAMMPS' read_atoms: atof of each).</summary>
    public double[][] ReadAtoms(long n, int[] columns)
    {
        var rows = new double[n][];
        for (long i = 0; i < n; i++)
        {
            if (NextLine() is null) throw Error("Unexpected end of dump file");
            var w = _last.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (w.Length < _words) throw Error("Insufficient columns in dump file");
            var row = new double[columns.Length];
            for (var m = 0; m < columns.Length; m++)
                row[m] = Atof(w[columns[m]]);
            rows[i] = row;
        }
        return rows;
    }

    /// <summary>C's atof: the longest leading number, 0 when there is none.</summary>
    private static double Atof(string s)
    {
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) return v;
        for (var len = s.Length - 1; len > 0; len--)
            if (double.TryParse(s.AsSpan(0, len), NumberStyles.Float, CultureInfo.InvariantCulture, out v)) return v;
        return 0;
    }
}
