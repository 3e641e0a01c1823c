namespace DeepMD.Sharp.IO;

using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;

/// <summary>
/// Reads VASP POSCAR/CONTCAR files (VASP 4 and 5 layouts) into a fully periodic <see cref="Structure"/>.
/// </summary>
/// <remarks>
/// Layout: comment; scale (one number, negative = target cell volume in Å³, or three per-axis factors); three
/// lattice vector rows; species names (VASP 5; absent in VASP 4); counts per species; optional
/// <c>Selective dynamics</c>; <c>Direct</c> or <c>Cartesian</c> (only the first letter counts, <c>C</c> and
/// <c>K</c> mean Cartesian); one coordinate line per atom (extra columns such as <c>T T F</c> are ignored).
/// Cartesian coordinates are scaled like the lattice. Anything after the coordinates (velocities) is ignored.
/// For a VASP 4 file the species come from the caller's names, else from the comment line when it lists exactly
/// one element symbol per count.
/// </remarks>
public static class PoscarReader
{
    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <param name="path">The POSCAR/CONTCAR file.</param>
    /// <param name="speciesNames">Species in the order of the counts line, used only when the file has no species line (VASP 4).</param>
    public static Structure Read(string path, string[]? speciesNames = null)
    {
        using var r = LineReader.Open(path);
        var comment = r.ReadLine() ?? throw new UserInputException("the file is empty; a POSCAR starts with a comment line, then the scale factor", path);

        var scaleLine = Required(r, "the scale factor");
        var scaleTokens = LeadingNumbers(TextParsing.Tokens(scaleLine));
        double[] scale;
        if (scaleTokens.Count >= 3)
        {
            scale = [scaleTokens[0], scaleTokens[1], scaleTokens[2]];
            if (scale.Any(s => !(s > 0) || !double.IsFinite(s)))
                throw r.Error("three scale factors must all be positive; give one factor (negative = target volume) or three positive ones");
        }
        else if (scaleTokens.Count >= 1)
        {
            scale = [scaleTokens[0]];
            if (scale[0] == 0 || !double.IsFinite(scale[0]))
                throw r.Error($"scale factor {TextParsing.Quote(scaleLine)} must be a non-zero number (negative means the target cell volume)");
        }
        else
        {
            throw r.Error($"expected the scale factor (a number) on line 2, found {TextParsing.Quote(scaleLine)}");
        }

        var h = new double[9];
        var latticeLine = r.LineNumber + 1;
        for (var row = 0; row < 3; row++)
        {
            var line = Required(r, $"lattice vector {"abc"[row]}");
            var v = LeadingNumbers(TextParsing.Tokens(line));
            if (v.Count < 3)
                throw r.Error($"lattice vector {"abc"[row]} needs three numbers, found {TextParsing.Quote(line)}");
            h[3 * row] = v[0];
            h[3 * row + 1] = v[1];
            h[3 * row + 2] = v[2];
        }

        var line6 = Required(r, "the species names or the atom counts");
        var t6 = TextParsing.Tokens(line6);
        string[]? names = null;
        string[] countTokens;
        int countsLine;
        if (t6.Length > 0 && !TextParsing.TryInt(t6[0], out _))
        {
            names = t6.TakeWhile(s => !s.StartsWith('!') && !s.StartsWith('#')).Select(s => s.Split('/')[0]).ToArray();
            countTokens = TextParsing.Tokens(Required(r, "the atom counts per species"));
            countsLine = r.LineNumber;
        }
        else
        {
            countTokens = t6;
            countsLine = r.LineNumber;
        }

        var counts = new List<int>();
        foreach (var s in countTokens)
        {
            if (!TextParsing.TryInt(s, out var c)) break;
            if (c < 0) throw r.Error($"atom count {c} is negative; give the number of atoms of each species", countsLine);
            counts.Add(c);
        }
        if (counts.Count == 0)
            throw r.Error($"expected the atom counts per species (integers), found {TextParsing.Quote(string.Join(" ", countTokens))}", countsLine);

        if (names is null)
        {
            if (speciesNames is not null)
            {
                if (speciesNames.Length != counts.Count)
                    throw r.Error($"the file lists {counts.Count} species counts but {speciesNames.Length} species names were given [{string.Join(",", speciesNames)}]; give one name per count", countsLine);
                names = speciesNames.ToArray();
            }
            else
            {
                var fromComment = TextParsing.Tokens(comment);
                if (fromComment.Length == counts.Count && fromComment.All(ChemicalElements.IsSymbol))
                    names = fromComment;
                else
                    throw r.Error(
                        $"the file has no species line (VASP 4 format) and the comment line does not list {counts.Count} element symbol(s); " +
                        "add a line with the element names above the counts (VASP 5 format) or pass the species with --type-map", countsLine);
            }
        }
        else if (names.Length != counts.Count)
        {
            throw r.Error($"the species line names {names.Length} species but the counts line has {counts.Count} counts; give one count per species", countsLine);
        }

        var mode = Required(r, "'Direct' or 'Cartesian'").TrimStart();
        if (mode.Length > 0 && mode[0] is 'S' or 's')
            mode = Required(r, "'Direct' or 'Cartesian'").TrimStart();
        bool cartesian;
        if (mode.Length > 0 && mode[0] is 'D' or 'd') cartesian = false;
        else if (mode.Length > 0 && mode[0] is 'C' or 'c' or 'K' or 'k') cartesian = true;
        else throw r.Error($"expected 'Direct' or 'Cartesian' (or 'Selective dynamics' before them), found {TextParsing.Quote(mode)}");

        double factorX, factorY, factorZ;
        if (scale.Length == 3)
        {
            (factorX, factorY, factorZ) = (scale[0], scale[1], scale[2]);
        }
        else if (scale[0] > 0)
        {
            factorX = factorY = factorZ = scale[0];
        }
        else
        {
            var det = Math.Abs(h[0] * (h[4] * h[8] - h[5] * h[7]) - h[1] * (h[3] * h[8] - h[5] * h[6]) + h[2] * (h[3] * h[7] - h[4] * h[6]));
            if (!(det > 1e-12))
                throw r.Error("the lattice vectors are linearly dependent (zero volume), so a target volume cannot be applied; fix the lattice", latticeLine);
            factorX = factorY = factorZ = Math.Cbrt(-scale[0] / det);
        }
        for (var row = 0; row < 3; row++)
        {
            h[3 * row] *= factorX;
            h[3 * row + 1] *= factorY;
            h[3 * row + 2] *= factorZ;
        }

        Box box;
        try
        {
            box = new Box(h);
        }
        catch (UserInputException e)
        {
            throw r.Error($"invalid lattice: {e.Message}", latticeLine, e);
        }

        var n = counts.Sum();
        var species = new string[n];
        double[] x = new double[n], y = new double[n], z = new double[n];
        var atom = 0;
        for (var s = 0; s < counts.Count; s++)
        {
            for (var k = 0; k < counts[s]; k++, atom++)
            {
                var line = r.ReadLine() ?? throw r.Error(
                    $"the counts line declares {n} atoms but the file ends after {atom} coordinate line(s); add the missing coordinates or fix the counts", countsLine);
                var t = TextParsing.Tokens(line);
                if (t.Length < 3)
                    throw r.Error($"atom {atom + 1}: expected three coordinates, found {TextParsing.Quote(line)}; fix the line or the counts");
                var c = new double[3];
                for (var d = 0; d < 3; d++)
                {
                    if (!TextParsing.TryDouble(t[d], out c[d]))
                        throw r.Error($"atom {atom + 1}: coordinate '{t[d]}' is not a number; fix the coordinate (use '.' as the decimal separator)");
                }
                species[atom] = names[s];
                if (cartesian)
                {
                    x[atom] = c[0] * factorX;
                    y[atom] = c[1] * factorY;
                    z[atom] = c[2] * factorZ;
                }
                else
                {
                    (x[atom], y[atom], z[atom]) = box.ToCartesian(c[0], c[1], c[2]);
                }
            }
        }

        return new Structure(species, x, y, z, box, path);
    }

    private static string Required(LineReader r, string what) =>
        r.ReadLine() ?? throw r.Error($"the file ends early: expected {what} on line {r.LineNumber + 1}", r.LineNumber + 1);

    private static List<double> LeadingNumbers(string[] tokens)
    {
        var v = new List<double>();
        foreach (var s in tokens)
        {
            if (!TextParsing.TryDouble(s, out var d)) break;
            v.Add(d);
        }
        return v;
    }
}
