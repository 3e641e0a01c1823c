#:project ../../src/DeepMD.Sharp/DeepMD.Sharp.csproj
#:package ScottPlot@5.1.59
#:property ManagePackageVersionsCentrally=false
#:property TreatWarningsAsErrors=false
#:property GenerateDocumentationFile=false

// Screens Li-salt electrolytes with a DeePMD model: for each composition (salt, solvent ratio, concentration) it
// packs a box with Packmol, minimises, equilibrates (NPT), runs NVT production and tabulates density, self-diffusion
// of Li+, anion and solvent, Nernst–Einstein and Einstein conductivity, the Haven ratio and the Li+ first shell;
// then plots RDFs, MSDs with their fits, and conductivity and diffusion against concentration (PNG and SVG).
// Interrupted runs resume: finished compositions are read back from OUT/results, not redone. See README.md.
//
//   dotnet run screen.cs -- --quick                      # pipeline check with a random-weight model (CI)
//   dotnet run screen.cs -- --model M.dp [--out DIR]     # full mode: LiPF6 in EC:DMC 1:1 (w), 0.5/1.0/1.5 M

using System.Globalization;
using DeepMD.Sharp.Electrolytes;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Potentials;

var ci = CultureInfo.InvariantCulture;
var quick = args.Contains("--quick");
string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
var output = Arg("--out") ?? (quick ? "out-quick" : "out");
var typeMap = (Arg("--type-map") ?? "Li,P,F,C,O,H").Split(',');

DeepPotModel model;
string modelName;
if (Arg("--model") is { } path)
{
    model = ModelLoader.Load(path);
    modelName = Path.GetFileName(path);
}
else if (quick)
{
    model = PipelineCheckModel.Create(seed: 7);
    modelName = "random-weight se_e2_a pipeline-check model (not physics)";
    typeMap = PipelineCheckModel.TypeMap;
}
else
{
    Console.Error.WriteLine("give --model MODEL.dp (full mode) or --quick (pipeline check with a random-weight model)");
    return 1;
}

var ec_dmc = new List<(string, double)> { ("EC", 1), ("DMC", 1) };
var compositions = quick
    ? new List<ElectrolyteComposition>
    {
        new("LiPF6", ec_dmc, SolventRatio.Weight, 0.8, 1, 1.2),
        new("LiPF6", ec_dmc, SolventRatio.Weight, 1.6, 2, 1.2),
    }
    : [.. new[] { (0.5, 12), (1.0, 24), (1.5, 36) }.Select(c => new ElectrolyteComposition("LiPF6", ec_dmc, SolventRatio.Weight, c.Item1, c.Item2, 1.25))];
var settings = quick ? ScreeningSettings.Quick : new ScreeningSettings();

var screening = new ElectrolyteScreening(output, settings, () => new DeepPotential(model, typeMap), typeMap, modelName)
{
    Progress = p => Console.WriteLine(p.Steps > 0
        ? $"[{p.Index + 1}/{p.Count}] {p.Label}: {p.Stage} {p.Step}/{p.Steps} {p.Detail}"
        : $"[{p.Index + 1}/{p.Count}] {p.Label}: {p.Stage} {p.Detail}"),
};
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); Console.WriteLine("stopping; rerun to resume"); };
if (Arg("--stop-after") is { } stop)
{
    // Simulates an interruption (used by the tests): cancel once this many compositions have finished.
    var limit = int.Parse(stop, ci);
    var done = 0;
    var inner = screening.Progress;
    screening.Progress = p => { inner(p); if (p.Stage == "done" && ++done >= limit) cancel.Cancel(); };
}

IReadOnlyList<ScreeningResult> results;
try
{
    results = screening.Run(compositions, cancel.Token);
}
catch (OperationCanceledException)
{
    Console.WriteLine($"interrupted; finished compositions are kept in {output}/state.json; rerun the same command to resume");
    return 3;
}

Console.WriteLine(File.ReadAllText(Path.Combine(output, "results.md")));
if (Arg("--stop-after") is null && screening.Simulated.Count == 0) Console.WriteLine("(every composition was finished earlier; nothing simulated)");
Plots.Write(output, results);
Console.WriteLine($"wrote {output}/results.csv, results.md and plots (PNG and SVG) in {output}/plots");
return 0;

static class Plots
{
    public static void Write(string folder, IReadOnlyList<ScreeningResult> results)
    {
        var dir = Path.Combine(folder, "plots");
        Directory.CreateDirectory(dir);
        foreach (var r in results)
        {
            var rdf = new ScottPlot.Plot();
            foreach (var (name, curve) in r.Rdf.Where(c => c.Key != "Li-O(all)"))
                rdf.Add.ScatterLine(curve.X, curve.Y).LegendText = name;
            rdf.Add.VerticalLine(r.ShellCutoff).LegendText = "shell cutoff";
            rdf.Title($"Li+ RDFs: {r.Label}");
            rdf.XLabel("r (Å)");
            rdf.YLabel("g(r)");
            rdf.ShowLegend();
            Save(rdf, Path.Combine(dir, $"rdf_{r.Key}"));

            var msd = new ScottPlot.Plot();
            foreach (var (name, curve) in r.Msd.Where(c => c.Key != "collective"))
            {
                var line = msd.Add.ScatterLine(curve.X, curve.Y);
                line.LegendText = name;
                var (slope, intercept) = (r.MsdFit[name][0], r.MsdFit[name][1]);
                var fit = msd.Add.Line(r.FitStartPs, intercept + slope * r.FitStartPs, r.FitEndPs, intercept + slope * r.FitEndPs);
                fit.LineColor = line.Color;
                fit.LinePattern = ScottPlot.LinePattern.Dashed;
            }
            msd.Title($"MSD (dashed: fits): {r.Label}");
            msd.XLabel("lag time (ps)");
            msd.YLabel("MSD (Å²)");
            msd.ShowLegend();
            Save(msd, Path.Combine(dir, $"msd_{r.Key}"));
        }

        foreach (var salt in results.GroupBy(r => r.Salt + " " + r.Solvents))
        {
            var rs = salt.OrderBy(r => r.Concentration).ToList();
            var c = rs.Select(r => r.Concentration).ToArray();
            var sigma = new ScottPlot.Plot();
            Series(sigma, c, rs.Select(r => r.SigmaNernstEinstein).ToList(), "Nernst–Einstein");
            Series(sigma, c, rs.Select(r => r.SigmaEinstein).ToList(), "Einstein");
            sigma.Title($"Conductivity: {salt.Key}");
            sigma.XLabel("concentration (mol/L)");
            sigma.YLabel("σ (mS/cm)");
            sigma.ShowLegend();
            Save(sigma, Path.Combine(dir, $"conductivity_{Safe(salt.Key)}"));

            var diff = new ScottPlot.Plot();
            Series(diff, c, rs.Select(r => r.DLi).ToList(), "Li+");
            Series(diff, c, rs.Select(r => r.DAnion).ToList(), "anion");
            Series(diff, c, rs.Select(r => r.DSolvent).ToList(), "solvent");
            var species = rs.SelectMany(r => r.DBySolvent.Keys).Distinct().ToList();
            if (species.Count > 1)
                foreach (var name in species)
                    Series(diff, c, rs.Select(r => r.DBySolvent.TryGetValue(name, out var e) ? e : new Estimate(double.NaN, double.NaN, [])).ToList(), name);
            diff.Title($"Self-diffusion: {salt.Key}");
            diff.XLabel("concentration (mol/L)");
            diff.YLabel("D (1e-10 m²/s)");
            diff.ShowLegend();
            Save(diff, Path.Combine(dir, $"diffusion_{Safe(salt.Key)}"));
        }
    }

    private static void Series(ScottPlot.Plot plot, double[] x, List<Estimate> e, string name)
    {
        var y = e.Select(v => v.Value).ToArray();
        var sc = plot.Add.Scatter(x, y);
        sc.LegendText = name;
        var err = e.Select(v => double.IsNaN(v.Error) ? 0 : v.Error).ToArray();
        var bars = plot.Add.ErrorBar(x, y, err);
        bars.Color = sc.Color;
    }

    private static void Save(ScottPlot.Plot plot, string stem)
    {
        plot.SavePng(stem + ".png", 800, 600);
        plot.SaveSvg(stem + ".svg", 800, 600);
    }

    private static string Safe(string s) => new(s.Select(ch => char.IsLetterOrDigit(ch) || ch == '.' ? ch : '_').ToArray());
}
