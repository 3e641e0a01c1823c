namespace DeepMD.Sharp.IO;

using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;

/// <summary>
/// Reads LAMMPS data files (as written by <c>write_data</c> or by hand) into a <see cref="LammpsData"/>.
/// </summary>
/// <remarks>
/// Header keywords used: <c>N atoms</c>, <c>N atom types</c>, the bonded counts (<c>bonds</c>, <c>angles</c>,
/// <c>dihedrals</c>, <c>impropers</c> and their <c>... types</c>), <c>xlo xhi</c>, <c>ylo yhi</c>, <c>zlo zhi</c> and
/// <c>xy xz yz</c>; other header lines are ignored. The box is a = (lx, 0, 0), b = (xy, ly, 0), c = (xz, yz, lz), and
/// positions are shifted by (xlo, ylo, zlo) so the box origin is 0. The Atoms section is read with the columns of the
/// caller's atom style (a deck's atom_style; refused when the section's <c># style</c> hint names a style with other
/// columns), or without one with those of the hint, else atomic: atomic <c>id type x y z</c>, charge <c>id type q x y z</c>,
/// bond/angle/molecular <c>id mol type x y z</c>, full <c>id mol type q x y z</c>, each with optional image flags, which
/// unwrap the positions. Bonds, Angles, Dihedrals and Impropers are read into a <see cref="MolecularTopology"/> (atom ids
/// and types checked), coefficient sections are kept as text. Species of the types come from, in order: the caller's
/// type names (like <c>pair_coeff * * O H</c>), an <c>Atom Type Labels</c> section, comments in the Masses section
/// (<c>1 15.999 # O</c>), or the element whose standard mass is within 0.1 amu of the type's mass. Velocities
/// (id vx vy vz) are read.
/// Besides the <see cref="Structure"/> (shifted and unwrapped, for evaluation), <see cref="LammpsData"/> keeps the box,
/// positions and image flags as written, which <see cref="LammpsData.AddAtomsTo"/> hands to an MD state unchanged.
/// </remarks>
public static class LammpsDataReader
{
    private static readonly string[] UnsupportedStyles =
    [
        "sphere", "ellipsoid", "dipole", "body", "line", "tri", "template", "hybrid", "peri", "electron", "dpd",
        "edpd", "mdpd", "tdpd", "spin", "wavepacket", "sph", "bpm/sphere", "oxdna", "dielectric", "amoeba",
    ];

    private static readonly string[] KnownSections =
    [
        "Atoms", "Velocities", "Masses", "Ellipsoids", "Lines", "Triangles", "Bodies", "Bonds", "Angles", "Dihedrals",
        "Impropers", "Pair Coeffs", "PairIJ Coeffs", "Bond Coeffs", "Angle Coeffs", "Dihedral Coeffs", "Improper Coeffs",
        "BondBond Coeffs", "BondAngle Coeffs", "MiddleBondTorsion Coeffs", "EndBondTorsion Coeffs", "AngleTorsion Coeffs",
        "AngleAngleTorsion Coeffs", "BondBond13 Coeffs", "AngleAngle Coeffs", "Atom Type Labels", "Bond Type Labels",
        "Angle Type Labels", "Dihedral Type Labels", "Improper Type Labels",
    ];

    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <param name="path">The data file.</param>
    /// <param name="typeNames">Species of LAMMPS types 1..N in order (N = atom types in the header), or null to take them from the file.</param>
    /// <param name="atomStyle">The deck's atom style when it is not atomic (LAMMPS reads the columns of the declared style,
    /// whatever the section's comment says); null: the style named after the Atoms section name, else atomic.</param>
    public static LammpsData Read(string path, string[]? typeNames = null, string? atomStyle = null)
    {
        using var r = LineReader.Open(path);
        if (r.ReadLine() is null)
            throw new UserInputException("the file is empty; a LAMMPS data file starts with a title line followed by the header", path);

        var header = ReadHeader(r, out var section);
        var sections = new List<LammpsSection>();
        while (section is { } s)
        {
            if (!KnownSections.Any(k => Same(k, s.Name)))
                throw r.Error(
                    $"unknown section '{s.Name}'; header lines start with a number (e.g. '192 atoms') and sections are named " +
                    "like Atoms, Masses, Velocities, Bonds; fix the line", s.Line);
            var body = new List<LammpsDataLine>();
            section = null;
            while (r.ReadLine() is { } line)
            {
                var (content, comment) = SplitComment(line);
                var t = TextParsing.Tokens(content);
                if (t.Length == 0) continue;
                if (!TextParsing.TryDouble(t[0], out _))
                {
                    section = new LammpsSection(string.Join(" ", t), comment, r.LineNumber, []);
                    break;
                }
                body.Add(new LammpsDataLine(r.LineNumber, t, comment));
            }
            sections.Add(s with { Lines = body });
        }

        if (header.Atoms is not { } natoms)
            throw new UserInputException("the header has no 'N atoms' line; add it (e.g. '192 atoms') before the first section", path);
        if (header.AtomTypes is not { } ntypes)
            throw new UserInputException("the header has no 'N atom types' line; add it (e.g. '2 atom types') before the first section", path);
        if (header.X is not { } xb || header.Y is not { } yb || header.Z is not { } zb)
            throw new UserInputException(
                $"the header is missing {(header.X is null ? "'xlo xhi'" : header.Y is null ? "'ylo yhi'" : "'zlo zhi'")}; give all three box bounds", path);

        var lx = xb.Hi - xb.Lo;
        var ly = yb.Hi - yb.Lo;
        var lz = zb.Hi - zb.Lo;
        Box box;
        try
        {
            box = new Box([lx, 0, 0, header.Xy, ly, 0, header.Xz, header.Yz, lz]);
        }
        catch (UserInputException e)
        {
            throw new UserInputException($"invalid box: {e.Message}", path, header.BoxLine, e);
        }

        var labels = ReadTypeLabels(r, Find(sections, "Atom Type Labels"), ntypes);
        var (masses, massComments) = ReadMasses(r, Find(sections, "Masses"), ntypes);

        var atomsSections = sections.Where(s => Same(s.Name, "Atoms")).ToList();
        if (atomsSections.Count > 1)
            throw r.Error("a second Atoms section; a data file has one Atoms section", atomsSections[1].Line);
        var atoms = atomsSections.Count == 1 ? atomsSections[0] : (LammpsSection?)null;
        if (atoms is null && natoms > 0)
            throw new UserInputException(
                $"the header declares {natoms} atoms but there is no Atoms section (sections found: {(sections.Count == 0 ? "none" : string.Join(", ", sections.Select(s => s.Name)))}); add it", path);

        var style = "atomic";
        var ids = new int[natoms];
        var types = new int[natoms];
        double[] x = new double[natoms], y = new double[natoms], z = new double[natoms];
        double[] wx = new double[natoms], wy = new double[natoms], wz = new double[natoms];
        int[] ia = new int[natoms], ib = new int[natoms], ic = new int[natoms];
        double[]? charges = null;
        int[]? molecules = null;
        if (atoms is { } a)
        {
            style = ResolveStyle(r, a, atomStyle);
            if (a.Lines.Count != natoms)
                throw r.Error(
                    $"the Atoms section has {a.Lines.Count} line(s) but the header declares {natoms} atoms; fix the 'atoms' count or the section", a.Line);
            var (molCol, typeCol, qCol, xCol, columnsText) = Layout(style);
            if (qCol >= 0) charges = new double[natoms];
            if (molCol >= 0) molecules = new int[natoms];
            var baseCols = xCol + 3;
            var seen = new Dictionary<int, int>();
            for (var i = 0; i < natoms; i++)
            {
                var dl = a.Lines[i];
                var t = dl.Tokens;
                if (t.Length != baseCols && t.Length != baseCols + 3)
                    throw r.Error(
                        $"expected {baseCols} columns ({columnsText}) or {baseCols + 3} with image flags for atom style {style}, found {t.Length}; " +
                        (atomStyle is null
                            ? "if the file uses another atom style, name it after the section name (e.g. 'Atoms # full')"
                            : $"if the file is written for another atom style ({OtherStyles(t.Length, style)}), declare it with atom_style before read_data"), dl.Line);
                if (!TextParsing.TryInt(t[0], out ids[i]) || ids[i] < 1)
                    throw r.Error($"atom id '{t[0]}' is not a positive integer; fix the id", dl.Line);
                if (seen.TryGetValue(ids[i], out var first))
                    throw r.Error($"atom id {ids[i]} appears twice (also on line {first}); give every atom a unique id", dl.Line);
                seen[ids[i]] = dl.Line;
                if (molecules is not null)
                    molecules[i] = TextParsing.TryInt(t[molCol], out var m) && m >= 0 ? m : throw r.Error($"molecule id '{t[molCol]}' is not a non-negative integer", dl.Line);
                types[i] = ParseType(r, t[typeCol], ntypes, labels, dl.Line);
                if (charges is not null)
                    charges[i] = TextParsing.TryDouble(t[qCol], out var q) ? q : throw r.Error($"charge '{t[qCol]}' is not a number", dl.Line);
                wx[i] = Coordinate(r, t[xCol], 'x', dl.Line);
                wy[i] = Coordinate(r, t[xCol + 1], 'y', dl.Line);
                wz[i] = Coordinate(r, t[xCol + 2], 'z', dl.Line);
                x[i] = wx[i] - xb.Lo;
                y[i] = wy[i] - yb.Lo;
                z[i] = wz[i] - zb.Lo;
                if (t.Length == baseCols + 3)
                {
                    var ix = ia[i] = Image(r, t[baseCols], dl.Line);
                    var iy = ib[i] = Image(r, t[baseCols + 1], dl.Line);
                    var iz = ic[i] = Image(r, t[baseCols + 2], dl.Line);
                    x[i] += ix * lx + iy * header.Xy + iz * header.Xz;
                    y[i] += iy * ly + iz * header.Yz;
                    z[i] += iz * lz;
                }
            }
        }

        var topology = ReadTopology(r, path, header, sections, style, strict: atomStyle is not null, ids);

        var names = ResolveTypeNames(path, typeNames, ntypes, labels, massComments, masses);
        var order = Enumerable.Range(0, natoms).OrderBy(i => ids[i]).ToArray();
        var velocities = ReadVelocities(r, Find(sections, "Velocities"), order.Select(i => ids[i]).ToArray());
        var species = order.Select(i => names[types[i] - 1]).ToArray();
        var structure = new Structure(species, order.Select(i => x[i]).ToArray(), order.Select(i => y[i]).ToArray(),
            order.Select(i => z[i]).ToArray(), box, path);
        return new LammpsData(structure, order.Select(i => ids[i]).ToArray(), order.Select(i => types[i]).ToArray(), names,
            masses, charges is null ? null : order.Select(i => charges[i]).ToArray(), style, (xb.Lo, yb.Lo, zb.Lo))
        {
            Molecules = molecules is null ? null : Order(molecules),
            Topology = topology,
            Velocities = velocities,
            Bounds = [xb.Lo, xb.Hi, yb.Lo, yb.Hi, zb.Lo, zb.Hi],
            Tilts = [header.Xy, header.Xz, header.Yz],
            TriclinicHeader = header.HasTilt,
            WrittenPositions = [Order(wx), Order(wy), Order(wz)],
            ImageFlags = [Order(ia), Order(ib), Order(ic)],
        };

        T[] Order<T>(T[] v) => order.Select(i => v[i]).ToArray();
    }

    /// <summary>The Velocities section (<c>id vx vy vz</c>) in ascending-id order, or null without one.</summary>
    private static double[][]? ReadVelocities(LineReader r, LammpsSection? section, int[] sortedIds)
    {
        if (section is not { } v) return null;
        var index = new Dictionary<int, int>(sortedIds.Length);
        for (var i = 0; i < sortedIds.Length; i++) index[sortedIds[i]] = i;
        double[] vx = new double[sortedIds.Length], vy = new double[sortedIds.Length], vz = new double[sortedIds.Length];
        var seen = new bool[sortedIds.Length];
        foreach (var dl in v.Lines)
        {
            var t = dl.Tokens;
            if (t.Length != 4)
                throw r.Error($"expected 4 columns (id vx vy vz) in the Velocities section, found {t.Length}", dl.Line);
            if (!TextParsing.TryInt(t[0], out var id) || !index.TryGetValue(id, out var i))
                throw r.Error($"velocity for atom id '{t[0]}', which is not in the Atoms section", dl.Line);
            if (seen[i]) throw r.Error($"atom id {id} appears twice in the Velocities section", dl.Line);
            seen[i] = true;
            vx[i] = TextParsing.TryDouble(t[1], out var a) ? a : throw r.Error($"velocity '{t[1]}' is not a number", dl.Line);
            vy[i] = TextParsing.TryDouble(t[2], out var b) ? b : throw r.Error($"velocity '{t[2]}' is not a number", dl.Line);
            vz[i] = TextParsing.TryDouble(t[3], out var c) ? c : throw r.Error($"velocity '{t[3]}' is not a number", dl.Line);
        }
        if (v.Lines.Count != sortedIds.Length)
            throw r.Error($"the Velocities section has {v.Lines.Count} line(s) but there are {sortedIds.Length} atoms", v.Line);
        return [vx, vy, vz];
    }

    private static LammpsHeader ReadHeader(LineReader r, out LammpsSection? firstSection)
    {
        var h = new LammpsHeader();
        firstSection = null;
        while (r.ReadLine() is { } line)
        {
            var (content, comment) = SplitComment(line);
            var t = TextParsing.Tokens(content);
            if (t.Length == 0) continue;
            if (!TextParsing.TryDouble(t[0], out _))
            {
                firstSection = new LammpsSection(string.Join(" ", t), comment, r.LineNumber, []);
                return h;
            }

            var k = 0;
            while (k < t.Length && TextParsing.TryDouble(t[k], out _)) k++;
            var keyword = string.Join(" ", t[k..]).ToLowerInvariant();
            switch (keyword)
            {
                case "atoms":
                    h.Atoms = Count(r, t, k, "atoms", 0);
                    break;
                case "atom types":
                    h.AtomTypes = Count(r, t, k, "atom types", 1);
                    break;
                case "bonds":
                    h.Bonds = Count(r, t, k, keyword, 0);
                    break;
                case "angles":
                    h.Angles = Count(r, t, k, keyword, 0);
                    break;
                case "dihedrals":
                    h.Dihedrals = Count(r, t, k, keyword, 0);
                    break;
                case "impropers":
                    h.Impropers = Count(r, t, k, keyword, 0);
                    break;
                case "bond types":
                    h.BondTypes = Count(r, t, k, keyword, 0);
                    break;
                case "angle types":
                    h.AngleTypes = Count(r, t, k, keyword, 0);
                    break;
                case "dihedral types":
                    h.DihedralTypes = Count(r, t, k, keyword, 0);
                    break;
                case "improper types":
                    h.ImproperTypes = Count(r, t, k, keyword, 0);
                    break;
                case "xlo xhi":
                    h.X = Bounds(r, t, k, "xlo xhi");
                    h.BoxLine = r.LineNumber;
                    break;
                case "ylo yhi":
                    h.Y = Bounds(r, t, k, "ylo yhi");
                    break;
                case "zlo zhi":
                    h.Z = Bounds(r, t, k, "zlo zhi");
                    break;
                case "xy xz yz":
                    if (k != 3)
                        throw r.Error($"'xy xz yz' needs three numbers before it, found {k}; write e.g. '0.0 0.0 0.0 xy xz yz'");
                    h.HasTilt = true;
                    h.Xy = Number(r, t[0]);
                    h.Xz = Number(r, t[1]);
                    h.Yz = Number(r, t[2]);
                    break;
                case "avec":
                case "bvec":
                case "cvec":
                case "abc origin":
                    throw r.Error("general triclinic boxes (avec/bvec/cvec) are not supported; write the data file with a restricted triclinic box (xlo xhi ... xy xz yz)");
                case "":
                    throw r.Error($"header line {TextParsing.Quote(content)} has numbers but no keyword; fix or remove it");
            }
        }
        return h;
    }

    private static int Count(LineReader r, string[] t, int k, string keyword, int min)
    {
        if (k != 1 || !TextParsing.TryInt(t[0], out var n) || n < min)
            throw r.Error($"'{keyword}' needs one integer of at least {min} before it, found {TextParsing.Quote(string.Join(" ", t))}");
        return n;
    }

    private static (double Lo, double Hi) Bounds(LineReader r, string[] t, int k, string keyword)
    {
        if (k != 2)
            throw r.Error($"'{keyword}' needs two numbers (low and high bound) before it, found {k}");
        var lo = Number(r, t[0]);
        var hi = Number(r, t[1]);
        if (!double.IsFinite(lo) || !double.IsFinite(hi) || !(hi > lo))
            throw r.Error($"box bounds '{keyword}' must be finite with high > low, found {t[0]} {t[1]}; fix the box");
        return (lo, hi);
    }

    private static double Number(LineReader r, string token) =>
        TextParsing.TryDouble(token, out var v) ? v : throw r.Error($"'{token}' is not a number");

    private static double Coordinate(LineReader r, string token, char axis, int line) =>
        TextParsing.TryDouble(token, out var v)
            ? v
            : throw r.Error($"{axis} coordinate '{token}' is not a number; fix the atom line (use '.' as the decimal separator)", line);

    private static int Image(LineReader r, string token, int line) =>
        TextParsing.TryInt(token, out var v) ? v : throw r.Error($"image flag '{token}' is not an integer; fix or remove the image flags", line);

    private static int ParseType(LineReader r, string token, int ntypes, Dictionary<string, int>? labels, int line)
    {
        if (TextParsing.TryInt(token, out var t))
        {
            if (t < 1 || t > ntypes)
                throw r.Error($"atom type {t} is outside 1..{ntypes} (the header declares {ntypes} atom types); fix the type or the header", line);
            return t;
        }
        if (labels is not null && labels.TryGetValue(token, out t)) return t;
        throw r.Error($"atom type '{token}' is neither an integer nor a label from the Atom Type Labels section; fix the type", line);
    }

    /// <summary>Columns of the Atoms section per atom style: molecule, type, charge and first coordinate column (−1: none), and their names.</summary>
    internal static (int Mol, int Type, int Q, int X, string Columns) Layout(string style) => style switch
    {
        "charge" => (-1, 1, 2, 3, "id type q x y z"),
        "bond" or "angle" or "molecular" => (1, 2, -1, 3, "id molecule-ID type x y z"),
        "full" => (1, 2, 3, 4, "id molecule-ID type q x y z"),
        _ => (-1, 1, -1, 2, "id type x y z"),
    };

    private static readonly string[] Styles = ["atomic", "charge", "bond", "angle", "molecular", "full"];

    private static string OtherStyles(int columns, string style)
    {
        var fits = Styles.Where(s => s != style && (Layout(s).X + 3 == columns || Layout(s).X + 6 == columns)).ToList();
        return fits.Count == 0 ? $"none has {columns} columns" : $"{columns} columns fit {string.Join(" or ", fits)}";
    }

    /// <summary>
    /// The style the Atoms section is read with: the deck's <paramref name="declared"/> style (LAMMPS reads the columns of
    /// the declared style), refused when the section's '# style' hint names a style with other columns; without a
    /// declared style, the hint, else atomic.
    /// </summary>
    private static string ResolveStyle(LineReader r, LammpsSection atoms, string? declared)
    {
        var hint = atoms.Comment is null ? "" : TextParsing.Tokens(atoms.Comment).FirstOrDefault()?.ToLowerInvariant() ?? "";
        if (UnsupportedStyles.Contains(hint))
            throw r.Error($"atom style '{hint}' is not supported; write the data file with atom style {string.Join(", ", Styles)}", atoms.Line);
        var known = Styles.Contains(hint);
        if (declared is null) return known ? hint : "atomic";
        if (known && Layout(hint).Columns != Layout(declared).Columns)
            throw r.Error(
                $"the Atoms section is written for atom style {hint} ('Atoms # {hint}': {Layout(hint).Columns}) but the atom style is {declared} " +
                $"({Layout(declared).Columns}); put 'atom_style {hint}' before read_data", atoms.Line);
        return declared;
    }

    /// <summary>Whether atom style <paramref name="style"/> holds terms of <paramref name="section"/> (LAMMPS' bonds_allow, angles_allow, ...).</summary>
    private static bool Allows(string style, string section) => section switch
    {
        "Bonds" => style is "bond" or "angle" or "molecular" or "full",
        "Angles" => style is "angle" or "molecular" or "full",
        _ => style is "molecular" or "full",
    };

    private static readonly string[] TopologySections = ["Bonds", "Angles", "Dihedrals", "Impropers"];

    /// <summary>
    /// Bonds, Angles, Dihedrals and Impropers (<c>id type atom1 atom2 ...</c>) with their header counts, and the coefficient
    /// sections (kept as text). With <paramref name="strict"/> (a deck's read_data) a section the atom style cannot hold
    /// is an error, as in LAMMPS; otherwise (eval of a structure) such sections are skipped.
    /// </summary>
    private static MolecularTopology? ReadTopology(LineReader r, string path, LammpsHeader header, List<LammpsSection> sections,
        string style, bool strict, int[] ids)
    {
        var molecular = style is "bond" or "angle" or "molecular" or "full";
        if (!molecular && !strict) return null;
        var topo = new MolecularTopology
        {
            BondTypes = header.BondTypes ?? 0,
            AngleTypes = header.AngleTypes ?? 0,
            DihedralTypes = header.DihedralTypes ?? 0,
            ImproperTypes = header.ImproperTypes ?? 0,
        };
        var known = new HashSet<int>(ids);
        int[] arity = [2, 3, 4, 4];
        int?[] counts = [header.Bonds, header.Angles, header.Dihedrals, header.Impropers];
        int[] typeCounts = [topo.BondTypes, topo.AngleTypes, topo.DihedralTypes, topo.ImproperTypes];
        string[] single = ["bond", "angle", "dihedral", "improper"];
        var lists = topo.All().ToArray();
        for (var k = 0; k < 4; k++)
        {
            var name = TopologySections[k];
            var found = Find(sections, name);
            var declared = counts[k] ?? 0;
            if (declared > 0 && !Allows(style, name))
            {
                if (!strict) continue;
                throw new UserInputException(
                    $"the header declares {declared} {single[k]}s but atom style {style} holds no {single[k]}s; use an atom style that does " +
                    $"({string.Join(", ", Styles.Where(s => Allows(s, name)))}) before read_data", path);
            }
            if (found is not { } sec)
            {
                if (declared > 0 && strict)
                    throw new UserInputException($"the header declares {declared} {single[k]}s but there is no {name} section; add it or fix the count", path);
                continue;
            }
            if (!Allows(style, name))
            {
                if (!strict) continue;
                throw r.Error($"a {name} section, but atom style {style} holds no {single[k]}s; use atom style {string.Join(", ", Styles.Where(s => Allows(s, name)))} before read_data", sec.Line);
            }
            if (sec.Lines.Count != declared)
                throw r.Error($"the {name} section has {sec.Lines.Count} line(s) but the header declares {declared} {single[k]}s; fix the count or the section", sec.Line);
            foreach (var dl in sec.Lines)
            {
                var t = dl.Tokens;
                if (t.Length != 2 + arity[k])
                    throw r.Error($"expected {2 + arity[k]} columns in the {name} section (id type {string.Join(" ", Enumerable.Range(1, arity[k]).Select(j => "atom" + j))}), found {t.Length}", dl.Line);
                if (!TextParsing.TryInt(t[1], out var type) || type < 1 || type > typeCounts[k])
                    throw r.Error($"{single[k]} type '{t[1]}' is outside 1..{typeCounts[k]} (the header declares {typeCounts[k]} {single[k]} types); fix the type or the header", dl.Line);
                var atomIds = new int[4];
                for (var j = 0; j < arity[k]; j++)
                {
                    if (!TextParsing.TryInt(t[2 + j], out atomIds[j]) || !known.Contains(atomIds[j]))
                        throw r.Error($"{single[k]} {t[0]} names atom '{t[2 + j]}', which is not in the Atoms section; fix the {single[k]}", dl.Line);
                }
                if (atomIds.Take(arity[k]).Distinct().Count() != arity[k])
                    throw r.Error($"{single[k]} {t[0]} names the same atom twice; fix the {single[k]}", dl.Line);
                lists[k].Add(new BondedTerm(type, atomIds[0], atomIds[1], atomIds[2], atomIds[3]));
            }
        }
        foreach (var s in sections)
        {
            if (!s.Name.EndsWith("Coeffs", StringComparison.OrdinalIgnoreCase)) continue;
            var styleHint = s.Comment is null ? null : TextParsing.Tokens(s.Comment).FirstOrDefault();
            topo.Coeffs[s.Name] = (styleHint, s.Lines.Select(l => string.Join(" ", l.Tokens)).ToList());
        }
        return topo;
    }

    private static Dictionary<string, int>? ReadTypeLabels(LineReader r, LammpsSection? section, int ntypes)
    {
        if (section is not { } s) return null;
        var labels = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var dl in s.Lines)
        {
            if (dl.Tokens.Length != 2 || !TextParsing.TryInt(dl.Tokens[0], out var t) || t < 1 || t > ntypes)
                throw r.Error($"an Atom Type Labels line must be 'type label' with type in 1..{ntypes}; found {TextParsing.Quote(string.Join(" ", dl.Tokens))}", dl.Line);
            labels[dl.Tokens[1]] = t;
        }
        return labels;
    }

    private static (double[]? Masses, string?[] Comments) ReadMasses(LineReader r, LammpsSection? section, int ntypes)
    {
        var comments = new string?[ntypes];
        if (section is not { } s) return (null, comments);
        var masses = new double[ntypes];
        var set = new bool[ntypes];
        foreach (var dl in s.Lines)
        {
            var t = dl.Tokens;
            if (t.Length != 2 || !TextParsing.TryInt(t[0], out var type))
                throw r.Error($"a Masses line must be 'type mass', found {TextParsing.Quote(string.Join(" ", t))}", dl.Line);
            if (type < 1 || type > ntypes)
                throw r.Error($"Masses: type {type} is outside 1..{ntypes} (the header declares {ntypes} atom types)", dl.Line);
            if (!TextParsing.TryDouble(t[1], out var m) || !double.IsFinite(m) || m <= 0)
                throw r.Error($"Masses: mass '{t[1]}' of type {type} is not a positive number", dl.Line);
            masses[type - 1] = m;
            set[type - 1] = true;
            var c = dl.Comment is null ? null : TextParsing.Tokens(dl.Comment).FirstOrDefault();
            if (c is not null && char.IsLetter(c[0]) && c.All(ch => char.IsLetterOrDigit(ch) || ch is '_' or '-'))
                comments[type - 1] = c;
        }
        for (var k = 0; k < ntypes; k++)
        {
            if (!set[k])
                throw r.Error($"the Masses section gives no mass for type {k + 1}; list all {ntypes} atom types", s.Line);
        }
        return (masses, comments);
    }

    private static string[] ResolveTypeNames(string path, string[]? typeNames, int ntypes, Dictionary<string, int>? labels,
        string?[] massComments, double[]? masses)
    {
        if (typeNames is not null)
        {
            // Fewer names than types cannot work; more are accepted (a model's full type map over a file that uses
            // only its first types), the extra names being unused.
            if (typeNames.Length < ntypes)
                throw new UserInputException(
                    $"the type map [{string.Join(",", typeNames)}] names {typeNames.Length} species but the data file has {ntypes} atom types; " +
                    "give one species per LAMMPS type, in type order (like pair_coeff * * O H)", path);
            if (typeNames.Any(string.IsNullOrWhiteSpace))
                throw new UserInputException($"the type map [{string.Join(",", typeNames)}] has an empty species name", path);
            return typeNames[..ntypes];
        }

        var names = new string[ntypes];
        for (var k = 0; k < ntypes; k++)
        {
            var label = labels?.FirstOrDefault(p => p.Value == k + 1).Key;
            var name = label ?? massComments[k] ?? (masses is null ? null : ChemicalElements.GuessFromMass(masses[k]));
            names[k] = name ?? throw new UserInputException(
                $"cannot tell the species of atom type {k + 1}: " +
                (masses is null ? "the file has no Masses section" : $"its mass {TextParsing.Format(masses[k])} has no '# element' comment and matches no element") +
                "; pass the species of all types in order with --type-map (e.g. --type-map O,H)", path);
        }
        return names;
    }

    private static (string Content, string? Comment) SplitComment(string line)
    {
        var hash = line.IndexOf('#');
        return hash < 0 ? (line, null) : (line[..hash], line[(hash + 1)..]);
    }

    private static LammpsSection? Find(List<LammpsSection> sections, string name) =>
        sections.Where(s => Same(s.Name, name)).Select(s => (LammpsSection?)s).FirstOrDefault();

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
