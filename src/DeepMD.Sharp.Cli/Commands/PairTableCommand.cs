namespace DeepMD.Sharp.Cli.Commands;

using System.CommandLine;
using System.Globalization;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Files;
using DeepMD.Sharp.IO;
using DeepMD.Sharp.Models.Linear;

/// <summary>
/// <c>dpsharp pair-table zbl</c>: writes a ZBL repulsion table in DeePMD-kit's pair-table format (for <c>use_srtab</c>,
/// a <c>zbl</c> model or <c>dpsharp combine</c>). docs/zbl-and-linear-models.md.
/// </summary>
public static class PairTableCommand
{
    public static Command Create(TextWriter stdout)
    {
        var typeMap = new Option<string>("--type-map") { Description = "element of each model type, in the model's order (e.g. O,H); Z comes from the element", Required = true };
        var pairs = new Option<string?>("--pairs") { Description = "type pairs to fill, e.g. O-O,O-H (default: all); the other columns are 0" };
        var rmin = new Option<double>("--rmin") { Description = "first distance of the table, Å", DefaultValueFactory = _ => 0.05 };
        var rmax = new Option<double>("--rmax") { Description = "last distance of the table, Å", Required = true };
        var step = new Option<double>("--step") { Description = "grid step, Å", DefaultValueFactory = _ => 0.01 };
        var sw = new Option<double[]?>("--switch") { Description = "R1 R2: multiply by a smooth switch from 1 at R1 to 0 at R2 (Å)", Arity = new ArgumentArity(2, 2), AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--output", "-o") { Description = "table file to write", Required = true };
        var zbl = new Command("zbl", "Ziegler–Biersack–Littmark universal screened repulsion (the constants of LAMMPS' pair_style zbl)")
        {
            typeMap, pairs, rmin, rmax, step, sw, output,
        };
        zbl.SetAction(p =>
        {
            var names = p.GetValue(typeMap)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (names.Length == 0) throw new UserInputException("--type-map needs at least one element");
            var z = names.Select(n => ChemicalElements.AtomicNumber(n) is var a && a > 0 ? (double)a
                : throw new UserInputException($"--type-map: '{n}' is not a chemical element symbol (Z comes from the element)")).ToArray();
            var chosen = new List<(int, int)>();
            if (p.GetValue(pairs) is { } list)
            {
                foreach (var item in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    var ab = item.Split('-', StringSplitOptions.TrimEntries);
                    int ia = ab.Length == 2 ? Array.IndexOf(names, ab[0]) : -1, ib = ab.Length == 2 ? Array.IndexOf(names, ab[1]) : -1;
                    if (ia < 0 || ib < 0) throw new UserInputException($"--pairs: '{item}' is not a pair of --type-map elements written A-B");
                    chosen.Add((ia, ib));
                }
            }
            else
            {
                for (var a = 0; a < names.Length; a++)
                    for (var b = a; b < names.Length; b++) chosen.Add((a, b));
            }
            (double, double)? window = p.GetValue(sw) is { Length: 2 } s ? (s[0], s[1]) : null;
            var rows = ZblTable.Rows(z, chosen, p.GetValue(rmin), p.GetValue(rmax), p.GetValue(step), window);
            var ci = CultureInfo.InvariantCulture;
            var columns = new List<string>();
            for (var a = 0; a < names.Length; a++)
                for (var b = a; b < names.Length; b++) columns.Add($"{names[a]}-{names[b]}");
            var header = $"ZBL pair table written by dpsharp pair-table zbl (DeePMD-kit's table format), energies in eV\n"
                + $"pairs: {string.Join(",", chosen.Select(c => $"{names[c.Item1]}-{names[c.Item2]}"))}"
                + (window is { } w ? string.Create(ci, $"; switched to 0 between {w.Item1} and {w.Item2} Å") : "")
                + $"\ncolumns: r(Å) {string.Join(" ", columns)}";
            var path = p.GetValue(output)!;
            var temp = path + ".tmp";
            File.WriteAllText(temp, ZblTable.Format(rows, header));
            DurableFile.FlushAndMove(temp, path);
            stdout.WriteLine(string.Create(ci, $"wrote {path}: {rows.Count} rows, r = {rows[0][0]} … {rows[^1][0]} Å, {columns.Count} pair columns"));
            return 0;
        });
        return new Command("pair-table", "Write a pair table in DeePMD-kit's format (for use_srtab or dpsharp combine)") { zbl };
    }
}
