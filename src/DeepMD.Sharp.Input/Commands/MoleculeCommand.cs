namespace DeepMD.Sharp.Input.Commands;

using System.Globalization;
using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.Core.Errors;

/// <summary>
/// A molecule template read from a LAMMPS molecule file: header counts (atoms, bonds, angles, dihedrals, impropers) and
/// the sections Coords, Types, Charges, Bonds, Angles, Dihedrals, Impropers (Special Bond Counts / Special Bonds are
/// skipped: the special list comes from the bonds). Coordinates are kept relative to their geometric centre, as LAMMPS'
/// Molecule::compute_center does for insertion.
/// </summary>
public sealed class MoleculeTemplate
{
    public required string Id { get; init; }

    /// <summary>Atom positions relative to the geometric centre.</summary>
    public required double[][] Dx { get; init; }

    /// <summary>1-based types.</summary>
    public required int[] Types { get; init; }

    public double[]? Charges { get; init; }

    /// <summary>Bonded terms with template-local atom indices (1-based).</summary>
    public required MolecularTopology Topology { get; init; }

    public int AtomCount => Types.Length;

    private static readonly string[] Skipped = ["Special Bond Counts", "Special Bonds"];

    private static readonly string[] Refused = ["Molecules", "Fragments", "Diameters", "Masses", "Shake Flags", "Shake Atoms", "Shake Bond Types"];

    /// <summary>Reads <paramref name="path"/> (errors name the file and line).</summary>
    public static MoleculeTemplate Read(string id, string path)
    {
        var lines = File.ReadAllLines(path);
        UserInputException Error(int line, string message) => new(message, path, line);
        string[] Tokens(string line)
        {
            var hash = line.IndexOf('#');
            return (hash >= 0 ? line[..hash] : line).Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        }
        var counts = new Dictionary<string, int>();
        var k = 1; // the first line is a title
        for (; k < lines.Length; k++)
        {
            var t = Tokens(lines[k]);
            if (t.Length == 0) continue;
            if (!double.TryParse(t[0], NumberStyles.Float, CultureInfo.InvariantCulture, out _)) break;
            var keyword = string.Join(" ", t.Skip(1));
            if (keyword is "atoms" or "bonds" or "angles" or "dihedrals" or "impropers")
            {
                if (!int.TryParse(t[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < 0)
                    throw Error(k + 1, $"'{keyword}' needs a non-negative integer before it");
                counts[keyword] = n;
            }
            else throw Error(k + 1, $"molecule file header keyword '{keyword}' is not supported (atoms, bonds, angles, dihedrals, impropers)");
        }
        if (!counts.TryGetValue("atoms", out var natoms) || natoms < 1) throw new UserInputException("the molecule file declares no atoms ('N atoms' in the header)", path);
        double[][]? x = null;
        int[]? types = null;
        double[]? q = null;
        var topo = new MolecularTopology();
        while (k < lines.Length)
        {
            var name = string.Join(" ", Tokens(lines[k]));
            var at = k + 1;
            k++;
            var body = new List<(int Line, string[] T)>();
            for (; k < lines.Length; k++)
            {
                var t = Tokens(lines[k]);
                if (t.Length == 0) continue;
                if (!double.TryParse(t[0], NumberStyles.Float, CultureInfo.InvariantCulture, out _)) break;
                body.Add((k + 1, t));
            }
            if (Skipped.Contains(name)) continue;
            if (Refused.Contains(name)) throw Error(at, $"molecule file section '{name}' is not supported; remove it (Coords, Types, Charges, Bonds, Angles, Dihedrals, Impropers are read)");
            int Index(string token, int line, int max) =>
                int.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 1 && v <= max ? v : throw Error(line, $"'{token}' is not an index in 1..{max}");
            double Number(string token, int line) =>
                double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw Error(line, $"'{token}' is not a number");
            switch (name)
            {
                case "Coords":
                    x = new double[natoms][];
                    foreach (var (line, t) in body)
                    {
                        if (t.Length != 4) throw Error(line, "a Coords line is 'index x y z'");
                        x[Index(t[0], line, natoms) - 1] = [Number(t[1], line), Number(t[2], line), Number(t[3], line)];
                    }
                    break;
                case "Types":
                    types = new int[natoms];
                    foreach (var (line, t) in body)
                    {
                        if (t.Length != 2) throw Error(line, "a Types line is 'index type'");
                        types[Index(t[0], line, natoms) - 1] = Index(t[1], line, int.MaxValue);
                    }
                    break;
                case "Charges":
                    q = new double[natoms];
                    foreach (var (line, t) in body)
                    {
                        if (t.Length != 2) throw Error(line, "a Charges line is 'index q'");
                        q[Index(t[0], line, natoms) - 1] = Number(t[1], line);
                    }
                    break;
                case "Bonds" or "Angles" or "Dihedrals" or "Impropers":
                {
                    var arity = name switch { "Bonds" => 2, "Angles" => 3, _ => 4 };
                    var list = name switch { "Bonds" => topo.Bonds, "Angles" => topo.Angles, "Dihedrals" => topo.Dihedrals, _ => topo.Impropers };
                    foreach (var (line, t) in body)
                    {
                        if (t.Length != 2 + arity) throw Error(line, $"a {name} line is 'index type' and {arity} atom indices");
                        var a = new int[4];
                        for (var j = 0; j < arity; j++) a[j] = Index(t[2 + j], line, natoms);
                        list.Add(new BondedTerm(Index(t[1], line, int.MaxValue), a[0], a[1], a[2], a[3]));
                    }
                    if (counts.TryGetValue(name.ToLowerInvariant(), out var declared) && declared != list.Count)
                        throw Error(at, $"the {name} section has {list.Count} line(s) but the header declares {declared}");
                    break;
                }
                default:
                    throw Error(at, $"unknown molecule file section '{name}'");
            }
        }
        if (x is null || x.Any(r => r is null)) throw new UserInputException("the molecule file needs a Coords section with every atom", path);
        if (types is null) throw new UserInputException("the molecule file needs a Types section", path);
        double cx = x.Average(r => r[0]), cy = x.Average(r => r[1]), cz = x.Average(r => r[2]);
        return new MoleculeTemplate
        {
            Id = id,
            Dx = x.Select(r => new[] { r[0] - cx, r[1] - cy, r[2] - cz }).ToArray(),
            Types = types,
            Charges = q,
            Topology = topo,
        };
    }
}

/// <summary><c>molecule ID FILE</c>: defines a molecule template for <c>create_atoms 0 ... mol ID SEED</c> (no options).</summary>
[DeckCommand("molecule")]
public sealed class MoleculeCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(2, "ID FILE");
        if (args.Count > 2) throw args.Error($"molecule options and several files ({args[2]} ...) are not supported; give one file");
        var path = context.InputPath(args[1]);
        if (!File.Exists(path)) throw args.Error($"molecule file '{args[1]}' does not exist");
        var t = MoleculeTemplate.Read(args[0], path);
        context.MoleculeTemplates[args[0]] = t;
        context.Out.WriteLine($"Read molecule template {args[0]}:\n  1 molecules\n  {t.AtomCount} atoms with max type {t.Types.Max()}\n  {t.Topology.Bonds.Count} bonds\n  {t.Topology.Angles.Count} angles\n  {t.Topology.Dihedrals.Count} dihedrals\n  {t.Topology.Impropers.Count} impropers");
    }
}
