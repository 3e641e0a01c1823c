namespace DeepMD.Sharp.Cli.Commands;

using System.CommandLine;
using System.Globalization;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.IO.Datasets;
using DeepMD.Sharp.Models.Backends;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;

/// <summary>
/// <c>dpsharp model-devi -m M1 M2 … -s SYSTEM [-o model_devi.out]</c>: the spread of several models' predictions per
/// frame, in DeePMD-kit's <c>dp model-devi</c> columns (notes §5.11).
/// </summary>
public static class ModelDeviCommand
{
    public static Command Create(TextWriter stdout)
    {
        var models = new Option<string[]>("--models", "-m") { Description = "two or more model files", Required = true, AllowMultipleArgumentsPerToken = true };
        var system = new Option<string>("--system", "-s") { Description = "a deepmd/npy system, a folder of systems, or file.h5#/group", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "output file", DefaultValueFactory = _ => "model_devi.out" };
        var freq = new Option<int>("--frequency", "-f") { Description = "step number between frames (the step column)", DefaultValueFactory = _ => 1 };
        var cmd = new Command("model-devi", "Model deviation of an ensemble on data frames (max/min/avg force deviation, virial deviation, energy deviation)") { models, system, output, freq };
        cmd.SetAction(p =>
        {
            var paths = p.GetValue(models)!;
            if (paths.Length < 2) throw new UserInputException("model-devi needs at least two models (-m A.dp B.dp …)");
            var loaded = paths.Select(ModelLoader.Load).ToArray();
            foreach (var m in loaded.Skip(1))
                if (!m.TypeMap.Names.SequenceEqual(loaded[0].TypeMap.Names))
                    throw new UserInputException($"models disagree on type_map: [{string.Join(", ", loaded[0].TypeMap.Names)}] vs [{string.Join(", ", m.TypeMap.Names)}]");
            var evaluators = loaded.Select(m => BackendRegistry.Default.Create(m, null, out _)).ToArray();
            var ci = CultureInfo.InvariantCulture;
            var outPath = p.GetValue(output)!;
            var tmp = outPath + ".tmp";
            using (var w = new StreamWriter(tmp))
            {
                // As dp model-devi: per system a header "# SYSTEM" and the column names ('step' in 10 characters, the
                // others in 19), steps restart at 0 for each system, rows are %12d then %19.6e.
                foreach (var spec in DeepmdSystemFinder.Find(p.GetValue(system)!))
                {
                    var s = DeepmdSystemReader.Read(spec).MapTo(loaded[0].TypeMap.Names);
                    w.WriteLine($"# {spec}");
                    w.WriteLine(Header);
                    for (var f = 0; f < s.FrameCount; f++)
                    {
                        var results = evaluators.Select(e => Evaluate(e, s, f)).ToArray();
                        var d = Deviation(results, s.AtomCount);
                        w.WriteLine(string.Create(ci, $"{(long)f * p.GetValue(freq),12}") + string.Concat(d.Select(v => v.ToString("0.000000e+00", ci).PadLeft(19))));
                    }
                }
            }
            DeepMD.Sharp.Core.Files.DurableFile.FlushAndMove(tmp, outPath);
            stdout.WriteLine($"wrote {outPath}");
            return 0;
        });
        return cmd;
    }

    /// <summary>DeePMD-kit's column line: "# " + 'step' padded to 10, then each name padded to 19.</summary>
    public static readonly string Header = "# " + "step".PadRight(10) +
        string.Concat(new[] { "max_devi_v", "min_devi_v", "avg_devi_v", "max_devi_f", "min_devi_f", "avg_devi_f", "devi_e" }.Select(c => c.PadRight(19)));

    private static EvaluationResult Evaluate(IModelEvaluator e, DeepmdSystem s, int f)
    {
        var n = s.AtomCount;
        var x = Enumerable.Range(0, n).Select(i => s.Coords[(f * n + i) * 3]).ToArray();
        var y = Enumerable.Range(0, n).Select(i => s.Coords[(f * n + i) * 3 + 1]).ToArray();
        var z = Enumerable.Range(0, n).Select(i => s.Coords[(f * n + i) * 3 + 2]).ToArray();
        var box = s.Boxes is null ? null : new Box(s.Boxes.AsSpan(f * 9, 9));
        return e.Evaluate(s.Types, CellListNeighborSearch.Build(x, y, z, box, e.Model.Cutoff), new EvaluationOptions());
    }

    /// <summary>[max_v, min_v, avg_v, max_f, min_f, avg_f, devi_e]: population std over models; virial and energy per atom (<see cref="ModelDeviation"/>).</summary>
    public static double[] Deviation(IReadOnlyList<EvaluationResult> r, int atoms)
    {
        if (r.Count > 0 && r[0].AtomCount != atoms) throw new ArgumentException($"the results hold {r[0].AtomCount} atoms, not {atoms}", nameof(atoms));
        return ModelDeviation.Of(r).Columns;
    }
}
