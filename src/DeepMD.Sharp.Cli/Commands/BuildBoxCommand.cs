namespace DeepMD.Sharp.Cli.Commands;

using System.CommandLine;
using System.Globalization;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Electrolytes;

/// <summary><c>dpsharp build-box</c>: packs an electrolyte with Packmol and writes a LAMMPS data file and extended XYZ.</summary>
public static class BuildBoxCommand
{
    public static Command Create(TextWriter stdout)
    {
        var salt = new Option<string?>("--salt") { Description = "lithium salt: LiPF6, LiFSI, LiTFSI or LiBF4 (with --solvents, --concentration, --pairs)" };
        var solvents = new Option<string?>("--solvents") { Description = "solvents and their amounts, e.g. EC:1,DMC:1" };
        var ratio = new Option<string>("--ratio") { Description = "solvent amounts by 'weight' or 'mole'", DefaultValueFactory = _ => "weight" };
        var conc = new Option<double?>("--concentration", "-c") { Description = "salt concentration, mol/L" };
        var pairs = new Option<int?>("--pairs") { Description = "number of Li+/anion pairs in the box" };
        var counts = new Option<string?>("--counts") { Description = "explicit molecule counts instead, e.g. Li+:4,PF6-:4,EC:20,DMC:16" };
        var density = new Option<double>("--density", "-d") { Description = "solution density, g/cm³, that sets the cubic box", DefaultValueFactory = _ => 1.2 };
        var tolerance = new Option<double>("--tolerance") { Description = "minimum distance between atoms of different molecules, Å (Packmol's tolerance; also kept across the periodic faces)", DefaultValueFactory = _ => 2.0 };
        var seed = new Option<int>("--seed") { Description = "Packmol's random seed (same seed, same box)", DefaultValueFactory = _ => 1 };
        var typeMap = new Option<string?>("--type-map") { Description = "LAMMPS atom types in order, e.g. Li,P,F,C,O,H (the model's type map); default: elements in order of appearance" };
        var output = new Option<string>("--output", "-o") { Description = "output name: writes NAME.data (LAMMPS, atom_style full) and NAME.xyz (extended XYZ)", DefaultValueFactory = _ => "box" };
        var packmol = new Option<string?>("--packmol") { Description = "Packmol executable (default: packmol on PATH, or DPSHARP_PACKMOL)" };
        var keep = new Option<string?>("--keep-packmol") { Description = "folder to keep Packmol's input, templates and output in" };
        var cmd = new Command("build-box", "Pack Li-salt electrolytes (or any counts of the known molecules) into a periodic box with Packmol; writes LAMMPS data (atom_style full) and extended XYZ")
        {
            salt, solvents, ratio, conc, pairs, counts, density, tolerance, seed, typeMap, output, packmol, keep,
        };
        cmd.SetAction(p =>
        {
            var ci = CultureInfo.InvariantCulture;
            IReadOnlyList<MoleculeCount> list;
            ElectrolyteComposition? composition = null;
            if (p.GetValue(counts) is { } text)
            {
                if (p.GetValue(salt) is not null) throw new UserInputException("give either --counts or --salt/--solvents/--concentration/--pairs, not both");
                list = ParseCounts(text);
            }
            else
            {
                var s = p.GetValue(salt) ?? throw new UserInputException("give --salt, --solvents, --concentration and --pairs (or --counts)");
                var solv = p.GetValue(solvents) ?? throw new UserInputException("--salt needs --solvents, e.g. --solvents EC:1,DMC:1");
                var c = p.GetValue(conc) ?? throw new UserInputException("--salt needs --concentration (mol/L)");
                var n = p.GetValue(pairs) ?? throw new UserInputException("--salt needs --pairs (Li+/anion pairs in the box)");
                var r = p.GetValue(ratio)!.ToLowerInvariant() switch
                {
                    "weight" or "w" or "mass" => SolventRatio.Weight,
                    "mole" or "mol" or "m" => SolventRatio.Mole,
                    var other => throw new UserInputException($"--ratio must be 'weight' or 'mole', got '{other}'"),
                };
                composition = new ElectrolyteComposition(s, ElectrolyteComposition.ParseSolvents(solv), r, c, n, p.GetValue(density));
                list = composition.Counts();
            }
            var builder = new PackmolBuilder
            {
                Executable = p.GetValue(packmol) ?? new PackmolBuilder().Executable,
                Tolerance = p.GetValue(tolerance),
                Seed = p.GetValue(seed),
                WorkFolder = p.GetValue(keep),
            };
            var box = builder.Pack(list, p.GetValue(density));
            var name = p.GetValue(output)!;
            var map = p.GetValue(typeMap)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            box.WriteLammpsData(name + ".data", map);
            box.WriteExtendedXyz(name + ".xyz");
            stdout.WriteLine($"packed {string.Join(", ", box.Census().Select(c => $"{c.Count} {c.Name}"))}: {box.AtomCount} atoms, {box.Bonds().Count()} bonds, {box.Angles().Count()} angles");
            stdout.WriteLine(string.Create(ci, $"box {box.Lengths[0]:F4} Å cube, {box.Density:F4} g/cm³, net charge {(Math.Abs(box.TotalCharge) < 5e-7 ? 0 : box.TotalCharge):F6} e, closest atoms of different molecules {box.MinimumIntermolecularDistance().Distance:F3} Å (periodic images included)"));
            if (composition is not null)
                stdout.WriteLine(string.Create(ci, $"concentration {BoxArithmetic.Molarity(composition.SaltPairs, box.Volume):F4} mol/L (asked {composition.Concentration} mol/L; solvent counts are whole numbers)"));
            stdout.WriteLine($"wrote {name}.data (atom_style full) and {name}.xyz");
            return 0;
        });
        return cmd;
    }

    /// <summary>Parses <c>Li+:4,PF6-:4,EC:20</c>.</summary>
    public static IReadOnlyList<MoleculeCount> ParseCounts(string text)
    {
        var list = new List<MoleculeCount>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var i = part.LastIndexOf(':');
            if (i <= 0 || !int.TryParse(part[(i + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < 0)
                throw new UserInputException($"cannot read '{part}' in --counts; write NAME:COUNT, e.g. Li+:4,PF6-:4,EC:20");
            list.Add(new MoleculeCount(MoleculeLibrary.Get(part[..i]), n));
        }
        return list;
    }
}
