#:project ../../src/DeepMD.Sharp.Dynamics/DeepMD.Sharp.Dynamics.csproj
#:package ScottPlot@5.1.59
#:package SkiaSharp.NativeAssets.Linux.NoDependencies@3.119.1
#:property ManagePackageVersionsCentrally=false
#:property TreatWarningsAsErrors=false
#:property GenerateDocumentationFile=false
#:property PublishAot=false

// Exploration with model deviation for a shipped potential (docs/validation.md, "Exploration"): the DP-GEN check
// that an ensemble of models agrees wherever MD goes. Writes NVT decks at each temperature of
// <potential>/exploration.json with `pair_style deepmd M1 M2 ...` (forces from M1, the model deviation of all of
// them every `outFreq` steps, the extrapolation guard on), runs them, then reports per run how many deviation frames
// fall below the lower trust level (accurate), between the levels (candidates for labelling) and above the upper
// one (failed), the largest force deviation, the smallest distance of the watched type pair in the dumps and the
// guard's count, and writes <potential>/EXPLORATION.md with a plot of the force deviation.
//
// The trust levels come from the held-out ab initio frames, not from the runs: trustLo is the largest max_devi_f of
// the ensemble on any held-out frame (every such frame is, by definition, a configuration the models should get
// right), trustHi = trustHiFactor × trustLo.
//
//   dotnet run tools/explore-potential/explore.cs -- potentials/water [--work DIR] [--jobs 2] [--dpsharp PATH]
//       [--analyse-only] [--note TEXT]

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Dynamics.Analysis;
using DeepMD.Sharp.IO;
using ScottPlot;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var argv = args.ToList();
if (argv.Count == 0 || argv[0].StartsWith('-'))
{
    Console.Error.WriteLine("usage: dotnet run tools/explore-potential/explore.cs -- POTENTIAL_FOLDER [--work DIR] [--jobs 2] [--dpsharp PATH] [--analyse-only] [--note TEXT]");
    return 2;
}

string Opt(string name, string fallback)
{
    var i = argv.IndexOf(name);
    return i >= 0 && i + 1 < argv.Count ? argv[i + 1] : fallback;
}

var potential = Path.GetFullPath(argv[0]);
var repo = FindRepo(potential) ?? FindRepo(Environment.CurrentDirectory) ?? throw new InvalidOperationException("run this from inside the DeepMD.Sharp repository");
var cfgPath = Path.Combine(potential, "exploration.json");
if (!File.Exists(cfgPath))
{
    Console.Error.WriteLine($"{cfgPath}: not found (the exploration settings of this potential)");
    return 1;
}

var cfg = JsonSerializer.Deserialize<ExploreConfig>(File.ReadAllText(cfgPath), new JsonSerializerOptions { PropertyNameCaseInsensitive = true })
          ?? throw new InvalidDataException(cfgPath + ": empty");
var work = Path.GetFullPath(Opt("--work", Path.Combine(repo, "artifacts", "explore-" + cfg.Name)));
var jobs = int.Parse(Opt("--jobs", "2"), CultureInfo.InvariantCulture);
var analyseOnly = argv.Contains("--analyse-only");
Directory.CreateDirectory(work);
var typeMap = cfg.TypeMap;
string Abs(string p) => Path.GetFullPath(Path.Combine(potential, p));

var runs = new List<(string Name, string Ensemble, double T)>();
foreach (var e in cfg.Ensembles)
    foreach (var t in e.Temperatures)
        runs.Add(($"{e.Name}-{t:0}K", e.Name, t));

var dpsharp = Opt("--dpsharp", "");
if (!analyseOnly)
{
    if (dpsharp.Length == 0)
    {
        var outDir = Path.Combine(work, "bin");
        Exec("dotnet", ["publish", Path.Combine(repo, "src", "DeepMD.Sharp.Cli"), "-c", "Release", "-o", outDir], repo);
        dpsharp = Path.Combine(outDir, "dpsharp");
    }

    dpsharp = Path.GetFullPath(dpsharp);
}

// ---------------------------------------------------------------- trust levels from the held-out frames
double trustLo, trustHi;
var trustFile = Path.Combine(work, "held-out-devi.out");
var firstEnsemble = cfg.Ensembles[0];
if (!analyseOnly || !File.Exists(trustFile))
{
    if (dpsharp.Length == 0) throw new InvalidOperationException("--analyse-only needs held-out-devi.out in the work folder");
    var a = new List<string> { "model-devi", "-m" };
    a.AddRange(firstEnsemble.Models.Select(Abs));
    a.AddRange(["-s", Abs(cfg.HeldOut), "-o", trustFile]);
    Exec(dpsharp, a.ToArray(), work);
}

var heldOut = ReadDevi(trustFile);
trustLo = heldOut.Max(r => r.MaxF);
trustHi = cfg.TrustHiFactor * trustLo;
Console.WriteLine($"held-out frames: {heldOut.Count}, max_devi_f median {Median(heldOut.Select(r => r.MaxF))}, max {trustLo}: trust levels {trustLo:F4} / {trustHi:F4} eV/Å");

// ---------------------------------------------------------------- decks and runs
var times = new List<string>();
if (!analyseOnly)
{
    var pending = new Queue<(string Name, string Ensemble, double T)>(runs);
    var running = new List<(string Name, Process P, Stopwatch W)>();
    while (pending.Count > 0 || running.Count > 0)
    {
        while (running.Count < jobs && pending.Count > 0)
        {
            var r = pending.Dequeue();
            var dir = Path.Combine(work, r.Name);
            Directory.CreateDirectory(dir);
            var ens = cfg.Ensembles.First(e => e.Name == r.Ensemble);
            File.WriteAllText(Path.Combine(dir, "in." + r.Name), Deck(ens, r.T));
            var psi = new ProcessStartInfo("nice", ["-n", "10", dpsharp, "run", "--threads", "1", "in." + r.Name])
            {
                WorkingDirectory = dir,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            var p = Process.Start(psi)!;
            var log = new StreamWriter(Path.Combine(dir, "stdout.txt"));
            p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
            p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            p.Exited += (_, _) => { lock (log) log.Flush(); };
            running.Add((r.Name, p, Stopwatch.StartNew()));
            Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} started {r.Name}");
        }

        Thread.Sleep(2000);
        foreach (var x in running.Where(x => x.P.HasExited).ToList())
        {
            x.P.WaitForExit();
            running.Remove(x);
            var line = $"{x.Name} end rc={x.P.ExitCode} wall_s={x.W.Elapsed.TotalSeconds:F0}";
            times.Add(line);
            File.AppendAllText(Path.Combine(work, "times.txt"), line + "\n");
            Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {line}");
        }
    }
}

// ---------------------------------------------------------------- analysis
var sa = Array.IndexOf(typeMap, cfg.StabilityPair[0]);
var sb = Array.IndexOf(typeMap, cfg.StabilityPair[1]);
var allTimes = File.Exists(Path.Combine(work, "times.txt")) ? File.ReadAllLines(Path.Combine(work, "times.txt")) : [];
var rows = new List<RunRow>();
foreach (var r in runs)
{
    var dir = Path.Combine(work, r.Name);
    var deviPath = Path.Combine(dir, "model_devi.out");
    var dumpPath = Path.Combine(dir, "traj.dump");
    if (!File.Exists(deviPath) || !File.Exists(dumpPath))
    {
        Console.WriteLine($"{r.Name}: no model_devi.out or dump; left out");
        continue;
    }

    var devi = ReadDevi(deviPath);
    var row = new RunRow { Name = r.Name, Ensemble = r.Ensemble, T = r.T, Devi = devi };
    row.Accurate = devi.Count(d => d.MaxF < trustLo);
    row.Candidate = devi.Count(d => d.MaxF >= trustLo && d.MaxF < trustHi);
    row.Failed = devi.Count(d => d.MaxF >= trustHi);
    row.MaxDevi = devi.Count > 0 ? devi.Max(d => d.MaxF) : double.NaN;
    row.FirstFailedStep = devi.FirstOrDefault(d => d.MaxF >= trustHi)?.Step;
    var dt = cfg.TimestepFs * 1e-3;
    row.MinPair = double.PositiveInfinity;
    long first = -1;
    foreach (var frame in LammpsDumpReader.ReadFrames(dumpPath))
    {
        if (first < 0) first = frame.Step;
        var types = frame.Types.Select(t => t - 1).ToArray();
        var list = CellListNeighborSearch.Build(frame.X, frame.Y, frame.Z, frame.Box.Cell, 4.0);
        var m = MinimumDistances.PerTypePair(types, typeMap.Length, list);
        var d = m[sa, sb].Distance;
        row.MinPairSeries.Add(((frame.Step - first) * dt, d));
        if (d < row.MinPair) row.MinPair = d;
        if (d < cfg.StabilityMinimum && row.FirstBelowPs is null) row.FirstBelowPs = (frame.Step - first) * dt;
    }

    row.SimulatedPs = row.MinPairSeries.Count > 0 ? row.MinPairSeries[^1].T : 0;
    var logText = File.Exists(Path.Combine(dir, "log.lammps")) ? File.ReadAllLines(Path.Combine(dir, "log.lammps")) : [];
    row.GuardSummary = logText.FirstOrDefault(l => l.StartsWith("Extrapolation guard:", StringComparison.Ordinal))?.Trim() ?? "(no guard summary: run cut short?)";
    row.Completed = logText.Any(l => l.StartsWith("Loop time", StringComparison.Ordinal));
    var wall = allTimes.LastOrDefault(l => l.StartsWith(r.Name + " end", StringComparison.Ordinal));
    row.Wall = wall?.Split(' ').FirstOrDefault(t => t.StartsWith("wall_s=", StringComparison.Ordinal))?[7..];
    rows.Add(row);
}

// plots: max force deviation against time, one panel line per run, with the trust levels
var figDir = Path.Combine(potential, "exploration");
Directory.CreateDirectory(figDir);
{
    var plt = new Plot();
    foreach (var row in rows)
    {
        var xs = row.Devi.Select(d => d.Step * cfg.TimestepFs * 1e-3).ToArray();
        var ys = row.Devi.Select(d => d.MaxF).ToArray();
        var sc = plt.Add.ScatterLine(xs, ys);
        sc.LegendText = row.Name;
        sc.LineWidth = 1;
    }

    var lo = plt.Add.HorizontalLine(trustLo);
    lo.LinePattern = LinePattern.Dashed;
    lo.LegendText = "trust_lo";
    var hi = plt.Add.HorizontalLine(trustHi);
    hi.LinePattern = LinePattern.Dotted;
    hi.LegendText = "trust_hi";
    plt.Axes.SetLimitsY(0, Math.Max(trustHi * 1.5, rows.Count > 0 ? Math.Min(rows.Max(r => r.MaxDevi) * 1.05, 5 * trustHi) : 1));
    plt.XLabel("time (ps)");
    plt.YLabel("max force deviation (eV/Å)");
    plt.ShowLegend();
    plt.SavePng(Path.Combine(figDir, "max-devi-f.png"), 900, 500);
    plt.SaveSvg(Path.Combine(figDir, "max-devi-f.svg"), 900, 500);
}
{
    var plt = new Plot();
    foreach (var row in rows)
    {
        var sc = plt.Add.ScatterLine(row.MinPairSeries.Select(p => p.T).ToArray(), row.MinPairSeries.Select(p => p.D).ToArray());
        sc.LegendText = row.Name;
        sc.LineWidth = 1;
    }

    var lim = plt.Add.HorizontalLine(cfg.StabilityMinimum);
    lim.LinePattern = LinePattern.Dashed;
    lim.LegendText = $"{cfg.StabilityMinimum} Å";
    plt.XLabel("time (ps)");
    plt.YLabel($"smallest {cfg.StabilityPair[0]}–{cfg.StabilityPair[1]} distance (Å)");
    plt.ShowLegend();
    plt.SavePng(Path.Combine(figDir, "min-distance.png"), 900, 500);
    plt.SaveSvg(Path.Combine(figDir, "min-distance.svg"), 900, 500);
}

var md = new StringBuilder();
md.Append($"# Exploration of `{cfg.Name}` with model deviation\n\n");
md.Append($"Generated by `tools/explore-potential/explore.cs` from `{Path.GetRelativePath(repo, cfgPath)}`; rerun with ");
md.Append($"`dotnet run tools/explore-potential/explore.cs -- {Path.GetRelativePath(repo, potential)}`.\n\n");
if (Opt("--note", "") is { Length: > 0 } note) md.Append(note).Append("\n\n");
md.Append("NVT (Nosé–Hoover, damping 0.1 ps) from the validation structure with `pair_style deepmd M1 M2 …`: forces from the first model, ");
md.Append($"the model deviation of the ensemble written every {cfg.OutFreq} steps (`model_devi.out`, DeePMD-kit's layout), the extrapolation guard on ");
md.Append($"(warn). Timestep {cfg.TimestepFs} fs, {cfg.LengthPs} ps per run, dumps every {cfg.OutFreq} steps.\n\n");
md.Append("## Trust levels\n\n");
md.Append($"From the held-out ab initio frames (`{cfg.HeldOut}`, {heldOut.Count} frames), with the first ensemble: max_devi_f median ");
md.Append($"{Median(heldOut.Select(r => r.MaxF)):F4}, largest {trustLo:F4} eV/Å. trust_lo = that largest value = **{trustLo:F4} eV/Å** (every held-out frame is ");
md.Append($"below it); trust_hi = {cfg.TrustHiFactor} × trust_lo = **{trustHi:F4} eV/Å**. DP-GEN labels frames between the two levels.\n\n");
md.Append("## Ensembles\n\n");
foreach (var e in cfg.Ensembles)
    md.Append($"- `{e.Name}`: {string.Join(", ", e.Models.Select(m => $"`{m}`"))}. {e.Note}\n");
md.Append("\n## Runs\n\n");
md.Append($"| run | simulated | deviation frames | accurate (< trust_lo) | candidates | failed (≥ trust_hi) | largest max_devi_f (eV/Å) | first failed step | smallest {cfg.StabilityPair[0]}–{cfg.StabilityPair[1]} (Å) | first below {cfg.StabilityMinimum} Å | guard | wall (s) |\n");
md.Append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
foreach (var r in rows)
{
    var n = Math.Max(1, r.Devi.Count);
    md.Append($"| {r.Name} | {r.SimulatedPs:F1} ps{(r.Completed ? "" : " (cut short)")} | {r.Devi.Count} | {r.Accurate} ({100.0 * r.Accurate / n:F1}%) | {r.Candidate} ({100.0 * r.Candidate / n:F1}%) | ");
    md.Append($"{r.Failed} ({100.0 * r.Failed / n:F1}%) | {r.MaxDevi:F4} | {(r.FirstFailedStep is { } s ? s.ToString(CultureInfo.InvariantCulture) : "–")} | {r.MinPair:F3} | ");
    md.Append($"{(r.FirstBelowPs is { } b ? $"{b:F2} ps" : "never")} | {r.GuardSummary.Replace("Extrapolation guard: ", "")} | {r.Wall ?? "–"} |\n");
}

md.Append("\n![max force deviation](exploration/max-devi-f.png)\n\n![smallest distance](exploration/min-distance.png)\n");
File.WriteAllText(Path.Combine(potential, "EXPLORATION.md"), md.ToString());
Console.WriteLine($"wrote {Path.Combine(potential, "EXPLORATION.md")}");
return 0;

string Deck(EnsembleConfig e, double t)
{
    var sb = new StringBuilder();
    var steps = (long)Math.Round(cfg.LengthPs * 1000 / cfg.TimestepFs);
    sb.Append("# exploration deck written by tools/explore-potential/explore.cs\n");
    sb.Append("units metal\nboundary p p p\natom_style atomic\nneighbor 2.0 bin\nneigh_modify every 1 delay 0 check yes\n");
    sb.Append($"read_data {Abs(cfg.Structure)}\n");
    for (var i = 0; i < cfg.Masses.Length; i++) sb.Append(CultureInfo.InvariantCulture, $"mass {i + 1} {cfg.Masses[i]}\n");
    sb.Append($"pair_style deepmd {string.Join(" ", e.Models.Select(Abs))} out_freq {cfg.OutFreq} out_file model_devi.out guard warn\n");
    sb.Append($"pair_coeff * * {string.Join(" ", typeMap)}\n");
    sb.Append(CultureInfo.InvariantCulture, $"velocity all create {t} {cfg.Seed} mom yes rot yes dist gaussian\n");
    sb.Append(CultureInfo.InvariantCulture, $"timestep {cfg.TimestepFs * 1e-3}\n");
    sb.Append("thermo_style custom step time temp pe ke etotal press\nthermo 1000\n");
    sb.Append($"dump 1 all custom {cfg.OutFreq} traj.dump id type xu yu zu\n");
    sb.Append(CultureInfo.InvariantCulture, $"fix 1 all nvt temp {t} {t} 0.1\n");
    sb.Append($"run {steps}\n");
    return sb.ToString();
}

static List<DeviRow> ReadDevi(string path)
{
    var list = new List<DeviRow>();
    foreach (var line in File.ReadLines(path))
    {
        var s = line.Trim();
        if (s.Length == 0 || s.StartsWith('#')) continue;
        var f = s.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        list.Add(new DeviRow(long.Parse(f[0], CultureInfo.InvariantCulture), double.Parse(f[4], CultureInfo.InvariantCulture)));
    }

    return list;
}

static double Median(IEnumerable<double> xs)
{
    var a = xs.OrderBy(x => x).ToArray();
    return a.Length == 0 ? double.NaN : a.Length % 2 == 1 ? a[a.Length / 2] : 0.5 * (a[a.Length / 2 - 1] + a[a.Length / 2]);
}

static void Exec(string file, string[] a, string dir)
{
    var p = Process.Start(new ProcessStartInfo(file, a) { WorkingDirectory = dir })!;
    p.WaitForExit();
    if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', a)} failed with exit code {p.ExitCode}");
}

static string? FindRepo(string start)
{
    for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "DeepMD.Sharp.sln"))) return d.FullName;
    return null;
}

record DeviRow(long Step, double MaxF);

sealed class RunRow
{
    public string Name = "";
    public string Ensemble = "";
    public double T;
    public List<DeviRow> Devi = [];
    public int Accurate, Candidate, Failed;
    public double MaxDevi;
    public long? FirstFailedStep;
    public double MinPair;
    public double? FirstBelowPs;
    public double SimulatedPs;
    public List<(double T, double D)> MinPairSeries = [];
    public string GuardSummary = "";
    public bool Completed;
    public string? Wall;
}

sealed class EnsembleConfig
{
    public string Name { get; set; } = "";
    public string[] Models { get; set; } = [];
    public double[] Temperatures { get; set; } = [];
    public string Note { get; set; } = "";
}

sealed class ExploreConfig
{
    public string Name { get; set; } = "";
    public string Structure { get; set; } = "";
    public string[] TypeMap { get; set; } = [];
    public double[] Masses { get; set; } = [];
    public double TimestepFs { get; set; } = 0.5;
    public double LengthPs { get; set; } = 20;
    public int OutFreq { get; set; } = 100;
    public int Seed { get; set; } = 4928459;
    public string HeldOut { get; set; } = "";
    public double TrustHiFactor { get; set; } = 2.0;
    public string[] StabilityPair { get; set; } = [];
    public double StabilityMinimum { get; set; }
    public EnsembleConfig[] Ensembles { get; set; } = [];
}
