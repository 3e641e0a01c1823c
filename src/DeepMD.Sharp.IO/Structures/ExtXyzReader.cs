namespace DeepMD.Sharp.IO;

using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;

/// <summary>
/// Reads extended XYZ files (ASE/extxyz conventions) and plain XYZ files.
/// </summary>
/// <remarks>
/// Each frame is: an atom-count line, a comment line of key=value pairs, then one line per atom.
/// Recognised comment keys (case-insensitive): <c>Lattice="ax ay az bx by bz cx cy cz"</c> (rows are the lattice
/// vectors), <c>Properties=name:type:width:...</c> (type S, R, I or L; default <c>species:S:1:pos:R:3</c>) and
/// <c>pbc="T T F"</c>. Without Lattice there is no box; with Lattice and no pbc key the box is periodic in all three
/// directions; with pbc all false there is no box; mixed pbc gives a box with per-direction periodic flags.
/// Species come from the <c>species</c> column, or from an integer <c>Z</c> column. Frame indices are 0-based,
/// and a negative index counts from the end (-1 is the last frame). Numbers are read in invariant culture;
/// <c>nan</c> and <c>inf</c> are accepted (check them with <see cref="Structure.ValidateFinite"/>).
/// </remarks>
public static class ExtXyzReader
{
    private const string DefaultProperties = "species:S:1:pos:R:3";

    /// <summary>Reads the first frame of <paramref name="path"/>.</summary>
    public static Structure Read(string path) => ReadExtendedFrame(path, 0).Structure;

    /// <summary>Reads frame <paramref name="index"/> (0-based; negative counts from the end) of <paramref name="path"/>.</summary>
    public static Structure ReadFrame(string path, int index) => ReadExtendedFrame(path, index).Structure;

    /// <summary>Reads every frame of a (multi-frame) file.</summary>
    public static IReadOnlyList<Structure> ReadAll(string path) => EnumerateFrames(path).Select(f => f.Structure).ToList();

    /// <summary>Reads every frame with its comment-line information and per-atom columns.</summary>
    public static IReadOnlyList<ExtXyzFrame> ReadExtendedFrames(string path) => EnumerateFrames(path).ToList();

    /// <summary>Reads frames one at a time (the file stays open while enumerating).</summary>
    public static IEnumerable<ExtXyzFrame> EnumerateFrames(string path)
    {
        using var r = LineReader.Open(path);
        while (ParseFrame(r) is { } frame)
            yield return frame;
    }

    /// <summary>Number of frames in the file (frames are delimited but their atom lines are not parsed).</summary>
    public static int CountFrames(string path)
    {
        using var r = LineReader.Open(path);
        var n = 0;
        while (SkipFrame(r)) n++;
        return n;
    }

    /// <summary>
    /// Reads frame <paramref name="index"/> (0-based; negative counts from the end) with its comment-line
    /// information and per-atom columns. When the frame is followed by text that does not start another frame
    /// (e.g. more atom lines than the count says), throws a <see cref="UserInputException"/>.
    /// </summary>
    public static ExtXyzFrame ReadExtendedFrame(string path, int index)
    {
        var target = index;
        if (index < 0)
        {
            var total = CountFrames(path);
            target = total + index;
            if (target < 0)
                throw new UserInputException(
                    $"frame index {index} is out of range: the file has {total} frame(s); use an index from {-total} to {total - 1}", path);
        }

        using var r = LineReader.Open(path);
        for (var k = 0; k < target; k++)
        {
            if (!SkipFrame(r))
                throw new UserInputException(
                    $"frame index {index} is out of range: the file has only {k} frame(s) (indices are 0-based)", path);
        }
        var frame = ParseFrame(r) ?? throw new UserInputException(
            target == 0
                ? "the file has no frames (it is empty); an XYZ file starts with the number of atoms"
                : $"frame index {index} is out of range: the file has only {target} frame(s) (indices are 0-based)", path);
        CheckNextFrameStart(r, frame);
        return frame;
    }

    private static void CheckNextFrameStart(LineReader r, ExtXyzFrame frame)
    {
        string? line;
        do
        {
            line = r.ReadLine();
            if (line is null) return;
        } while (TextParsing.IsBlank(line));
        if (!TextParsing.TryInt(line.Trim(), out var n) || n < 0)
            throw r.Error(
                $"expected the atom count of a next frame or the end of the file, found {TextParsing.Quote(line)}; " +
                $"the frame starting at line {frame.Line} declares {frame.Structure.Count} atoms but seems to have more atom lines; fix the count");
    }

    /// <summary>Reads the atom-count and comment lines; null at the end of the file.</summary>
    private static (int Count, int CountLine, string Comment, int CommentLine)? ReadHeader(LineReader r)
    {
        string? line;
        do
        {
            line = r.ReadLine();
            if (line is null) return null;
        } while (TextParsing.IsBlank(line));

        var countLine = r.LineNumber;
        if (!TextParsing.TryInt(line.Trim(), out var n) || n < 0)
            throw r.Error(
                $"expected the number of atoms (a non-negative integer) at the start of an XYZ frame, found {TextParsing.Quote(line)}; " +
                "each frame starts with the atom count, then a comment line, then one line per atom");
        var comment = r.ReadLine() ?? throw r.Error(
            $"the file ends after the atom count; a frame needs a comment line and {n} atom line(s) after it", countLine);
        return (n, countLine, comment, r.LineNumber);
    }

    private static bool SkipFrame(LineReader r)
    {
        if (ReadHeader(r) is not { } h) return false;
        for (var i = 0; i < h.Count; i++)
        {
            if (r.ReadLine() is null) throw TooFewAtoms(r, h.Count, h.CountLine, i);
        }
        return true;
    }

    private static UserInputException TooFewAtoms(LineReader r, int count, int countLine, int found) =>
        r.Error(
            $"the frame declares {count} atoms but the file ends after {found} atom line(s) (last line {r.LineNumber}); " +
            "fix the atom count or add the missing atom lines", countLine);

    private static ExtXyzFrame? ParseFrame(LineReader r)
    {
        if (ReadHeader(r) is not { } h) return null;
        var n = h.Count;
        var kv = ExtXyzComment.Parse(h.Comment);

        var columns = ParseProperties(kv, r, h.CommentLine);
        var totalFields = columns[^1].Offset + columns[^1].Width;
        var pos = columns.First(c => IsPos(c.Name));
        var speciesCol = columns.FirstOrDefault(c => c.Name.Equals("species", StringComparison.OrdinalIgnoreCase) && c.Kind == 'S' && c.Width == 1);
        var useZ = speciesCol.Name is null;
        if (useZ) speciesCol = columns.First(c => c.Name.Equals("Z", StringComparison.OrdinalIgnoreCase));
        var box = ParseBox(kv, r, h.CommentLine);

        var extra = columns.Where(c => c.Kind != 'S' && !IsPos(c.Name) && !(useZ && c.Name == speciesCol.Name)).ToList();
        var arrays = new Dictionary<string, double[]>(StringComparer.OrdinalIgnoreCase);
        var widths = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var c in extra)
        {
            arrays[c.Name] = new double[n * c.Width];
            widths[c.Name] = c.Width;
        }

        var species = new string[n];
        double[] x = new double[n], y = new double[n], z = new double[n];
        var specText = string.Join(":", columns.Select(c => $"{c.Name}:{c.Kind}:{c.Width}"));
        for (var i = 0; i < n; i++)
        {
            var line = r.ReadLine() ?? throw TooFewAtoms(r, n, h.CountLine, i);
            var t = TextParsing.Tokens(line);
            if (t.Length != totalFields)
                throw r.Error(
                    $"atom {i + 1} has {t.Length} column(s) but Properties={specText} needs {totalFields}; " +
                    "fix the atom line or the Properties key (is the atom count right?)");

            if (useZ)
            {
                var zt = t[speciesCol.Offset];
                species[i] = TextParsing.TryInt(zt, out var zn) && ChemicalElements.Symbol(zn) is { } sym
                    ? sym
                    : throw r.Error($"atom {i + 1}: Z column value '{zt}' is not an atomic number from 1 to {ChemicalElements.MaxAtomicNumber}; add a species:S:1 column");
            }
            else
            {
                species[i] = t[speciesCol.Offset];
            }

            x[i] = Coordinate(r, t[pos.Offset], i, 'x');
            y[i] = Coordinate(r, t[pos.Offset + 1], i, 'y');
            z[i] = Coordinate(r, t[pos.Offset + 2], i, 'z');

            foreach (var c in extra)
            {
                var a = arrays[c.Name];
                for (var k = 0; k < c.Width; k++)
                    a[i * c.Width + k] = ExtraValue(r, t[c.Offset + k], c, i);
            }
        }

        var info = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in kv)
        {
            if (k.Equals("Lattice", StringComparison.OrdinalIgnoreCase) || k.Equals("Properties", StringComparison.OrdinalIgnoreCase)
                || k.Equals("pbc", StringComparison.OrdinalIgnoreCase))
                continue;
            info[k] = v;
        }

        var structure = new Structure(species, x, y, z, box, r.Path);
        return new ExtXyzFrame(structure, info, arrays, widths, h.CountLine);
    }

    private static bool IsPos(string name) =>
        name.Equals("pos", StringComparison.OrdinalIgnoreCase) || name.Equals("positions", StringComparison.OrdinalIgnoreCase);

    private static double Coordinate(LineReader r, string token, int atom, char axis) =>
        TextParsing.TryDouble(token, out var v)
            ? v
            : throw r.Error($"atom {atom + 1}: {axis} coordinate '{token}' is not a number; fix the coordinate (use '.' as the decimal separator)");

    private static double ExtraValue(LineReader r, string token, ExtXyzColumn c, int atom)
    {
        switch (c.Kind)
        {
            case 'R':
                if (TextParsing.TryDouble(token, out var d)) return d;
                break;
            case 'I':
                if (TextParsing.TryInt(token, out var iv)) return iv;
                break;
            case 'L':
                if (TryLogical(token, out var b)) return b ? 1 : 0;
                break;
        }
        throw r.Error($"atom {atom + 1}: value '{token}' of column '{c.Name}' (type {c.Kind}) is not valid; fix the value or the Properties key");
    }

    private static List<ExtXyzColumn> ParseProperties(Dictionary<string, string> kv, LineReader r, int line)
    {
        var spec = kv.TryGetValue("Properties", out var p) ? p : DefaultProperties;
        var parts = spec.Split(':');
        const string hint = "write it as name:type:width triples, e.g. Properties=species:S:1:pos:R:3";
        if (parts.Length % 3 != 0)
            throw r.Error($"malformed Properties={spec}: expected name:type:width triples; {hint}", line);

        var columns = new List<ExtXyzColumn>();
        var offset = 0;
        for (var k = 0; k < parts.Length; k += 3)
        {
            var name = parts[k].Trim();
            var code = parts[k + 1].Trim().ToUpperInvariant();
            if (name.Length == 0)
                throw r.Error($"malformed Properties={spec}: column {k / 3 + 1} has an empty name; {hint}", line);
            if (code.Length != 1 || "SRIL".IndexOf(code[0]) < 0)
                throw r.Error(
                    $"malformed Properties={spec}: unknown type code '{parts[k + 1]}' for column '{name}'; use S (string), R (real), I (integer) or L (logical)", line);
            if (!TextParsing.TryInt(parts[k + 2], out var width) || width < 1)
                throw r.Error($"malformed Properties={spec}: width '{parts[k + 2]}' of column '{name}' is not a positive integer; {hint}", line);
            if (columns.Any(c => c.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
                throw r.Error($"malformed Properties={spec}: column '{name}' appears twice; remove the duplicate", line);
            columns.Add(new ExtXyzColumn(name, code[0], width, offset));
            offset += width;
        }

        var pos = columns.FirstOrDefault(c => IsPos(c.Name));
        if (pos.Name is null || pos.Kind != 'R' || pos.Width != 3)
            throw r.Error($"Properties={spec} has no pos:R:3 column; the positions column must be named pos, real, width 3", line);
        var hasSpecies = columns.Any(c => c.Name.Equals("species", StringComparison.OrdinalIgnoreCase) && c.Kind == 'S' && c.Width == 1);
        var hasZ = columns.Any(c => c.Name.Equals("Z", StringComparison.OrdinalIgnoreCase) && c.Kind == 'I' && c.Width == 1);
        if (!hasSpecies && !hasZ)
            throw r.Error($"Properties={spec} has no species:S:1 (or Z:I:1) column; add one so each atom has an element", line);
        return columns;
    }

    private static Box? ParseBox(Dictionary<string, string> kv, LineReader r, int line)
    {
        var hasLattice = kv.TryGetValue("Lattice", out var latticeText);
        bool[] pbc;
        if (kv.TryGetValue("pbc", out var pbcText))
        {
            var t = TextParsing.Tokens(pbcText);
            pbc = new bool[3];
            if (t.Length != 3 || !TryLogical(t[0], out pbc[0]) || !TryLogical(t[1], out pbc[1]) || !TryLogical(t[2], out pbc[2]))
                throw r.Error($"malformed pbc=\"{pbcText}\": expected three of T/F (True/False, 1/0), e.g. pbc=\"T T T\"", line);
        }
        else
        {
            pbc = [hasLattice, hasLattice, hasLattice];
        }

        if (!hasLattice)
        {
            if (pbc[0] || pbc[1] || pbc[2])
                throw r.Error("pbc marks a direction periodic but there is no Lattice key; add Lattice=\"ax ay az bx by bz cx cy cz\" or set pbc=\"F F F\"", line);
            return null;
        }

        var tokens = TextParsing.Tokens(latticeText!);
        var h = new double[9];
        if (tokens.Length != 9)
            throw r.Error($"malformed Lattice=\"{latticeText}\": expected 9 numbers (lattice vectors a, b, c as rows), found {tokens.Length}", line);
        for (var k = 0; k < 9; k++)
        {
            if (!TextParsing.TryDouble(tokens[k], out h[k]))
                throw r.Error($"malformed Lattice=\"{latticeText}\": '{tokens[k]}' is not a number; give 9 numbers (lattice vectors a, b, c as rows)", line);
        }

        if (!pbc[0] && !pbc[1] && !pbc[2]) return null;
        try
        {
            return new Box(h, pbc[0], pbc[1], pbc[2]);
        }
        catch (UserInputException e)
        {
            throw r.Error($"invalid Lattice: {e.Message}", line, e);
        }
    }

    private static bool TryLogical(string s, out bool value)
    {
        switch (s.Trim().ToUpperInvariant())
        {
            case "T":
            case "TRUE":
            case "1":
                value = true;
                return true;
            case "F":
            case "FALSE":
            case "0":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }
}
