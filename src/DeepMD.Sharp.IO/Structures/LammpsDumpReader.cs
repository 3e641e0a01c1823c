namespace DeepMD.Sharp.IO;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;

/// <summary>One frame of a LAMMPS text dump, atoms sorted by id.</summary>
/// <param name="Step">The frame's timestep.</param>
/// <param name="Box">The LAMMPS box of the frame (bounds, tilts, periodicity from the bounds' flags).</param>
/// <param name="Ids">Atom ids, ascending.</param>
/// <param name="Types">LAMMPS atom types (1-based), or 0 where the dump has no <c>type</c> column.</param>
/// <param name="X">Cartesian x, Å: from <c>xu</c> (unwrapped) where present, else <c>x</c>, else <c>xs</c> scaled.</param>
/// <param name="Y">Cartesian y, as <paramref name="X"/>.</param>
/// <param name="Z">Cartesian z, as <paramref name="X"/>.</param>
/// <param name="Unwrapped">True when the positions come from <c>xu yu zu</c> columns.</param>
public sealed record LammpsDumpFrame(long Step, SimulationBox Box, int[] Ids, int[] Types, double[] X, double[] Y, double[] Z, bool Unwrapped)
{
    /// <summary>Number of atoms.</summary>
    public int Count => Ids.Length;
}

/// <summary>
/// Reads LAMMPS text dumps (<c>dump atom</c> / <c>dump custom</c> with an <c>id</c> column and positions as
/// x/y/z, xu/yu/zu or xs/ys/zs), orthogonal or triclinic boxes, frame by frame. A last frame cut short (a run
/// still writing, or stopped) is left out rather than reported as an error.
/// </summary>
public static class LammpsDumpReader
{
    /// <summary>The frames of <paramref name="path"/>, read lazily.</summary>
    public static IEnumerable<LammpsDumpFrame> ReadFrames(string path)
    {
        if (!File.Exists(path)) throw new UserInputException("dump file not found", path);
        using var reader = new StreamReader(path);
        var lineNo = 0;
        string? Next()
        {
            var l = reader.ReadLine();
            if (l is not null) lineNo++;
            return l;
        }

        while (true)
        {
            string? line;
            do line = Next(); while (line is not null && line.Trim().Length == 0);
            if (line is null) yield break;
            if (!line.StartsWith("ITEM: TIMESTEP", StringComparison.Ordinal))
                throw new UserInputException($"expected 'ITEM: TIMESTEP', found '{Shorten(line)}'; is this a LAMMPS text dump?", path, lineNo);
            var frame = ReadFrame(Next, path, () => lineNo);
            if (frame is null) yield break; // cut short at the end of the file
            yield return frame;
        }
    }

    private static LammpsDumpFrame? ReadFrame(Func<string?> next, string path, Func<int> lineNo)
    {
        var stepLine = next();
        if (stepLine is null) return null;
        var step = long.Parse(stepLine.Trim(), CultureInfo.InvariantCulture);
        string? line = next();
        if (line is null) return null;
        if (!line.StartsWith("ITEM: NUMBER OF ATOMS", StringComparison.Ordinal))
            throw new UserInputException($"expected 'ITEM: NUMBER OF ATOMS', found '{Shorten(line)}'", path, lineNo());
        var countLine = next();
        if (countLine is null) return null;
        var n = int.Parse(countLine.Trim(), CultureInfo.InvariantCulture);
        var boxHeader = next();
        if (boxHeader is null) return null;
        if (!boxHeader.StartsWith("ITEM: BOX BOUNDS", StringComparison.Ordinal))
            throw new UserInputException($"expected 'ITEM: BOX BOUNDS', found '{Shorten(boxHeader)}'", path, lineNo());
        var flags = boxHeader["ITEM: BOX BOUNDS".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var triclinic = flags.Length >= 3 && flags[0] == "xy";
        var periodicFlags = triclinic ? flags[3..] : flags;
        var lo = new double[3];
        var hi = new double[3];
        var tilt = new double[3];
        for (var d = 0; d < 3; d++)
        {
            var b = next();
            if (b is null) return null;
            var t = b.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (t.Length < (triclinic ? 3 : 2))
                throw new UserInputException($"box bounds line has {t.Length} numbers, expected {(triclinic ? 3 : 2)}", path, lineNo());
            lo[d] = ParseDouble(t[0], path, lineNo());
            hi[d] = ParseDouble(t[1], path, lineNo());
            if (triclinic) tilt[d] = ParseDouble(t[2], path, lineNo());
        }

        // LAMMPS writes the bounding box of a triclinic cell; the cell's own bounds come back by taking the tilts out.
        double xy = tilt[0], xz = tilt[1], yz = tilt[2];
        if (triclinic)
        {
            lo[0] -= Math.Min(Math.Min(0, xy), Math.Min(xz, xy + xz));
            hi[0] -= Math.Max(Math.Max(0, xy), Math.Max(xz, xy + xz));
            lo[1] -= Math.Min(0, yz);
            hi[1] -= Math.Max(0, yz);
        }

        bool P(int d) => d >= periodicFlags.Length || periodicFlags[d].StartsWith('p');
        var box = new SimulationBox(lo[0], hi[0], lo[1], hi[1], lo[2], hi[2], xy, xz, yz, P(0), P(1), P(2));

        var atomsHeader = next();
        if (atomsHeader is null) return null;
        if (!atomsHeader.StartsWith("ITEM: ATOMS", StringComparison.Ordinal))
            throw new UserInputException($"expected 'ITEM: ATOMS', found '{Shorten(atomsHeader)}'", path, lineNo());
        var columns = atomsHeader["ITEM: ATOMS".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int Col(string name) => Array.IndexOf(columns, name);
        var id = Col("id");
        var type = Col("type");
        if (id < 0) throw new UserInputException("the dump has no 'id' column; add id to the dump command's columns", path, lineNo());
        var (cx, cy, cz, kind) = Col("xu") >= 0 ? (Col("xu"), Col("yu"), Col("zu"), 0)
            : Col("x") >= 0 ? (Col("x"), Col("y"), Col("z"), 1)
            : (Col("xs"), Col("ys"), Col("zs"), 2);
        if (cx < 0 || cy < 0 || cz < 0)
            throw new UserInputException("the dump has no complete set of position columns (xu yu zu, x y z or xs ys zs)", path, lineNo());

        var ids = new int[n];
        var types = new int[n];
        var x = new double[n];
        var y = new double[n];
        var z = new double[n];
        for (var i = 0; i < n; i++)
        {
            var a = next();
            if (a is null) return null;
            var t = a.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (t.Length < columns.Length)
            {
                if (reachedEnd(next)) return null; // a partly written last line
                throw new UserInputException($"atom line has {t.Length} values for {columns.Length} columns", path, lineNo());
            }

            ids[i] = int.Parse(t[id], CultureInfo.InvariantCulture);
            types[i] = type >= 0 ? int.Parse(t[type], CultureInfo.InvariantCulture) : 0;
            x[i] = ParseDouble(t[cx], path, lineNo());
            y[i] = ParseDouble(t[cy], path, lineNo());
            z[i] = ParseDouble(t[cz], path, lineNo());
            if (kind == 2)
            {
                var (px, py, pz) = box.Cell.ToCartesian(x[i], y[i], z[i]);
                (x[i], y[i], z[i]) = (px + lo[0], py + lo[1], pz + lo[2]);
            }
        }

        var order = Enumerable.Range(0, n).ToArray();
        Array.Sort(ids.ToArray(), order);
        return new LammpsDumpFrame(step, box, Permute(ids, order), Permute(types, order), Permute(x, order), Permute(y, order),
            Permute(z, order), kind == 0);

        static bool reachedEnd(Func<string?> next) => next() is null;
    }

    private static T[] Permute<T>(T[] values, int[] order)
    {
        var r = new T[values.Length];
        for (var i = 0; i < r.Length; i++) r[i] = values[order[i]];
        return r;
    }

    private static double ParseDouble(string s, string path, int line) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new UserInputException($"'{Shorten(s)}' is not a number", path, line);

    private static string Shorten(string s) => s.Length > 60 ? s[..60] + "…" : s;
}
