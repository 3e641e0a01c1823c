namespace DeepMD.Sharp.Cli.Commands;

using System.CommandLine;
using System.Globalization;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.IO.Datasets;
using DeepMD.Sharp.Models.Coverage;

/// <summary>
/// <c>dpsharp neighbor-stat -s DATA... [-r RCUT] [-t O,H]</c>: DeePMD-kit's <c>dp neighbor-stat</c> (min_nbor_dist and
/// max_nbor_size per type) plus the smallest distance of each type pair, over every frame of the systems.
/// </summary>
public static class NeighborStatCommand
{
    public static Command Create(TextWriter stdout)
    {
        var systems = new Option<string[]>("--system", "-s") { Description = "deepmd/npy systems, folders of systems, or file.hdf5#/group", Required = true, AllowMultipleArgumentsPerToken = true };
        var rcut = new Option<double>("--rcut", "-r") { Description = "cutoff radius, Å", DefaultValueFactory = _ => 6.0 };
        var typeMap = new Option<string?>("--type-map", "-t") { Description = "element names in order, e.g. O,H (default: the first system's type_map.raw)" };
        var cmd = new Command("neighbor-stat", "Smallest neighbor distances and largest neighbor counts of data systems (like dp neighbor-stat)") { systems, rcut, typeMap };
        cmd.SetAction(p =>
        {
            var r = p.GetValue(rcut);
            if (!(r > 0)) throw new UserInputException($"--rcut must be positive, got {r}");
            var specs = p.GetValue(systems)!.SelectMany(DeepmdSystemFinder.Find).ToList();
            var names = p.GetValue(typeMap)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var loaded = specs.Select(DeepmdSystemReader.Read).ToList();
            names ??= loaded.FirstOrDefault(s => s.TypeNames is not null)?.TypeNames
                ?? Enumerable.Range(0, loaded.Max(s => s.Types.DefaultIfEmpty(-1).Max()) + 1).Select(t => $"type{t}").ToArray();
            var stats = new NeighborStatistics(names.Length, r);
            foreach (var s0 in loaded)
            {
                var s = s0.TypeNames is null ? s0.MapTo(names) : s0.MapTo(names);
                for (var f = 0; f < s.FrameCount; f++)
                {
                    var (x, y, z, box) = s.Frame(f);
                    stats.Add(x, y, z, s.Types, box);
                }
            }
            Print(stdout, stats, names, specs.Count);
            return 0;
        });
        return cmd;
    }

    /// <summary>dp neighbor-stat's two lines, then the per-pair minima (−: no such pair within rcut).</summary>
    public static void Print(TextWriter o, NeighborStatistics stats, IReadOnlyList<string> names, int systemCount)
    {
        var ci = CultureInfo.InvariantCulture;
        o.WriteLine(string.Create(ci, $"# {systemCount} systems, {stats.Frames} frames, rcut {stats.Rcut:G6} Å, types [{string.Join(", ", names)}]"));
        var dmin = stats.MinDistance;
        o.WriteLine(double.IsFinite(dmin) ? string.Create(ci, $"min_nbor_dist: {dmin:0.000000}") : "min_nbor_dist: none (no pair within rcut)");
        o.WriteLine($"max_nbor_size: [{string.Join(", ", stats.MaxNeighbors)}]");
        o.WriteLine("# smallest distance per type pair, Å");
        for (var a = 0; a < names.Count; a++)
            for (var b = a; b < names.Count; b++)
            {
                var d = stats.PairMinDistance[a, b];
                o.WriteLine(string.Create(ci, $"{names[a]}-{names[b]}: {(double.IsFinite(d) ? d.ToString("0.000000", ci) : "-")}"));
            }
    }
}
