#:project ../../src/DeepMD.Sharp.Dynamics/DeepMD.Sharp.Dynamics.csproj
#:package ScottPlot@5.1.59
#:package SkiaSharp.NativeAssets.Linux.NoDependencies@3.119.1
#:property ManagePackageVersionsCentrally=false
#:property TreatWarningsAsErrors=false
#:property GenerateDocumentationFile=false
#:property PublishAot=false

// The validation protocol for a shipped potential (docs/validation.md): writes dpsharp decks for NVT at each
// training temperature, NPT at the set pressure and an NVE run, runs them (at most --jobs at a time, one thread
// each, nice 10), analyses the logs and dumps against the training data's own frames, and writes
// <potential>/VALIDATION.md with plots in <potential>/validation/.
//
//   dotnet run tools/validate-potential/validate.cs -- potentials/water [--length-ps 100] [--nve-ps 20]
//       [--work artifacts/validate-water] [--jobs 2] [--threads 1] [--dpsharp PATH] [--analyse-only]
//       [--note TEXT] [--decks-only] [--report DIR]
//
// The potential folder holds validation.json (model, starting structure, type map, masses, temperatures,
// pressure, timestep, training systems, goals).

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Dynamics.Analysis;
using DeepMD.Sharp.IO;
using DeepMD.Sharp.IO.Datasets;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var argv = args.ToList();
if (argv.Count == 0 || argv[0].StartsWith('-'))
{
    Console.Error.WriteLine("usage: dotnet run tools/validate-potential/validate.cs -- POTENTIAL_FOLDER [--length-ps 100] [--nve-ps 20] [--equilibrate-ps 5] [--skip-ps 10] [--work DIR] [--jobs 2] [--threads 1] [--dpsharp PATH] [--analyse-only] [--decks-only] [--note TEXT] [--report DIR]");
    return 2;
}

string Opt(string name, string fallback)
{
    var i = argv.IndexOf(name);
    return i >= 0 && i + 1 < argv.Count ? argv[i + 1] : fallback;
}

var repo = FindRepo(Directory.GetCurrentDirectory()) ?? FindRepo(AppContext.GetData("EntryPointFileDirectoryPath") as string ?? ".")
    ?? throw new InvalidOperationException("run from inside the DeepMD.Sharp repository");
var potential = Path.GetFullPath(argv[0]);
var configPath = Path.Combine(potential, "validation.json");
if (!File.Exists(configPath))
{
    Console.Error.WriteLine($"{configPath}: not found; the potential folder needs a validation.json (see potentials/water/validation.json)");
    return 2;
}

var cfg = JsonSerializer.Deserialize<Config>(File.ReadAllText(configPath), new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
var lengthPs = double.Parse(Opt("--length-ps", "100"), CultureInfo.InvariantCulture);
var nvePs = double.Parse(Opt("--nve-ps", "20"), CultureInfo.InvariantCulture);
var equilibratePs = double.Parse(Opt("--equilibrate-ps", "5"), CultureInfo.InvariantCulture);
var skipPs = double.Parse(Opt("--skip-ps", "10"), CultureInfo.InvariantCulture);
var work = Path.GetFullPath(Opt("--work", Path.Combine(repo, "artifacts", "validate-" + cfg.Name)));
var jobs = int.Parse(Opt("--jobs", "2"), CultureInfo.InvariantCulture);
var threads = int.Parse(Opt("--threads", "1"), CultureInfo.InvariantCulture);
var analyseOnly = argv.Contains("--analyse-only");
var dt = cfg.TimestepFs / 1000.0; // ps
var every = 100; // dump and thermo interval, steps
long Steps(double ps) => (long)Math.Round(ps / dt);

// ---------------------------------------------------------------- decks
int[] seeds = [4928459, 5928461, 6928463, 7928467, 8928469, 9928471, 1928473, 2928479];
var runs = new List<Run>();
for (var k = 0; k < cfg.Temperatures.Length; k++)
{
    var t = cfg.Temperatures[k];
    runs.Add(new Run($"nvt-{F(t)}", "nvt", t, seeds[k % seeds.Length], $"fix             1 all nvt temp {F(t)} {F(t)} 0.1\nrun             {Steps(lengthPs)}\n", lengthPs));
}
var t0 = cfg.Temperatures[0];
runs.Insert(0, new Run($"npt-{F(t0)}", "npt", t0, seeds[2 % seeds.Length],
    $"fix             1 all npt temp {F(t0)} {F(t0)} 0.1 iso {cfg.PressureBar:0.0#####} {cfg.PressureBar:0.0#####} 1.0\nrun             {Steps(lengthPs)}\n", lengthPs));
runs.Add(new Run("nve", "nve", t0, seeds[3 % seeds.Length],
    $"fix             1 all nvt temp {F(t0)} {F(t0)} 0.1\nrun             {Steps(equilibratePs)}\nunfix           1\nfix             2 all nve\nrun             {Steps(nvePs)}\n", nvePs));

string Deck(Run r)
{
    var sb = new StringBuilder();
    sb.Append($"# DeepMD.Sharp validation run '{r.Name}' (written by tools/validate-potential/validate.cs)\n");
    sb.Append("units           metal\nboundary        p p p\natom_style      atomic\nneighbor        2.0 bin\nneigh_modify    every 1 delay 0 check yes\n");
    sb.Append($"read_data       {Path.GetFullPath(Path.Combine(potential, cfg.Structure))}\n");
    for (var i = 0; i < cfg.Masses.Length; i++) sb.Append($"mass            {i + 1} {F(cfg.Masses[i])}\n");
    sb.Append($"pair_style      deepmd {Path.GetFullPath(Path.Combine(potential, cfg.Model))}\n");
    sb.Append($"pair_coeff      * * {string.Join(' ', cfg.TypeMap)}\n");
    sb.Append($"velocity        all create {F(r.Temperature)} {r.Seed} mom yes rot yes\n");
    sb.Append($"timestep        {F(dt)}\n");
    sb.Append("thermo_style    custom step time temp pe ke etotal press vol density\n");
    sb.Append($"thermo          {every}\n");
    sb.Append($"dump            1 all custom {every} traj.dump id type xu yu zu\n");
    sb.Append(r.Tail);
    return sb.ToString();
}

var timesPath = Path.Combine(work, "times.txt");
if (!analyseOnly)
{
    Directory.CreateDirectory(work);
    foreach (var r in runs)
    {
        Directory.CreateDirectory(Path.Combine(work, r.Name));
        File.WriteAllText(Path.Combine(work, r.Name, $"in.{r.Name}"), Deck(r));
    }

    if (argv.Contains("--decks-only"))
    {
        Console.WriteLine($"decks written in {work}");
        return 0;
    }

    var dpsharp = Opt("--dpsharp", "");
    if (dpsharp == "")
    {
        Console.WriteLine("building dpsharp (Release) ...");
        Exec("dotnet", ["build", Path.Combine(repo, "src", "DeepMD.Sharp.Cli"), "-c", "Release", "-v", "q"], repo);
        dpsharp = Path.Combine(repo, "src", "DeepMD.Sharp.Cli", "bin", "Release", "net10.0", "dpsharp");
    }

    // Long runs first, at most `jobs` at a time.
    var queue = new Queue<Run>(runs.OrderByDescending(r => r.Kind == "nve" ? 0 : 1));
    var running = new List<Task>();
    var gate = new object();
    while (queue.Count > 0 || running.Count > 0)
    {
        while (running.Count < jobs && queue.Count > 0)
        {
            var r = queue.Dequeue();
            running.Add(Task.Run(() =>
            {
                var dir = Path.Combine(work, r.Name);
                lock (gate) File.AppendAllText(timesPath, $"{r.Name} start {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}\n");
                var sw = Stopwatch.StartNew();
                var rc = Exec("nice", ["-n", "10", dpsharp, "run", "--threads", threads.ToString(CultureInfo.InvariantCulture), $"in.{r.Name}"], dir,
                    Path.Combine(dir, "stdout.txt"));
                lock (gate) File.AppendAllText(timesPath, $"{r.Name} end {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} rc={rc} wall_s={sw.Elapsed.TotalSeconds:F0}\n");
                Console.WriteLine($"{r.Name}: rc {rc}, {sw.Elapsed.TotalMinutes:F1} min");
            }));
        }

        var done = Task.WaitAny(running.ToArray());
        running.RemoveAt(done);
    }
}

// ---------------------------------------------------------------- training data
var nTypes = cfg.TypeMap.Length;
int TypeIndex(string name) => Array.IndexOf(cfg.TypeMap, name) is var i and >= 0 ? i : throw new InvalidOperationException($"type {name} is not in the type map");
var pairs = cfg.RdfPairs.Select(p => (A: TypeIndex(p[0]), B: TypeIndex(p[1]), Label: $"{p[0]}–{p[1]}", File: $"{p[0]}-{p[1]}")).ToArray();
var bins = (int)Math.Round(cfg.RdfMax / cfg.RdfBin);
var (sa, sb2) = (TypeIndex(cfg.StabilityPair[0]), TypeIndex(cfg.StabilityPair[1]));
var stabilityLabel = $"{cfg.StabilityPair[0]}–{cfg.StabilityPair[1]}";

Console.WriteLine("training data ...");
var trainRdf = pairs.Select(p => new RadialDistribution(p.A, p.B, cfg.RdfMax, bins)).ToArray();
var trainMin = new double[nTypes, nTypes];
for (var a = 0; a < nTypes; a++) for (var b = 0; b < nTypes; b++) trainMin[a, b] = double.PositiveInfinity;
var trainDensities = new List<double>();
var trainFrames = 0;
foreach (var spec in cfg.TrainingData)
{
    var full = spec.Contains('#') ? Path.GetFullPath(Path.Combine(potential, spec[..spec.IndexOf('#')])) + spec[spec.IndexOf('#')..] : Path.GetFullPath(Path.Combine(potential, spec));
    var sys = DeepmdSystemReader.Read(full).MapTo(cfg.TypeMap);
    var n = sys.AtomCount;
    var mass = sys.Types.Sum(t => cfg.Masses[t]);
    for (var f = 0; f < sys.FrameCount; f++)
    {
        var box = new Box(sys.Boxes.AsSpan(9 * f, 9));
        var x = new double[n];
        var y = new double[n];
        var z = new double[n];
        for (var i = 0; i < n; i++) (x[i], y[i], z[i]) = (sys.Coords[(f * n + i) * 3], sys.Coords[(f * n + i) * 3 + 1], sys.Coords[(f * n + i) * 3 + 2]);
        var list = CellListNeighborSearch.Build(x, y, z, box, cfg.RdfMax);
        foreach (var g in trainRdf) g.Add(sys.Types, list, box.Volume);
        var m = MinimumDistances.PerTypePair(sys.Types, nTypes, list);
        for (var a = 0; a < nTypes; a++) for (var b = 0; b < nTypes; b++) trainMin[a, b] = Math.Min(trainMin[a, b], m[a, b].Distance);
        trainDensities.Add(Density(mass, box.Volume));
        trainFrames++;
    }
}
var trainDensity = trainDensities.Average();

// ---------------------------------------------------------------- runs
var times = File.Exists(timesPath) ? File.ReadAllLines(timesPath) : [];
var results = new Dictionary<string, RunResult>();
foreach (var r in runs)
{
    var dir = Path.Combine(work, r.Name);
    var logPath = Path.Combine(dir, "log.lammps");
    var dumpPath = Path.Combine(dir, "traj.dump");
    if (!File.Exists(logPath) || !File.Exists(dumpPath))
    {
        Console.WriteLine($"{r.Name}: no log or dump in {dir}; left out");
        continue;
    }

    Console.WriteLine($"{r.Name} ...");
    var log = ThermoLog.Read(logPath);
    var completed = File.ReadLines(logPath).Count(l => l.StartsWith("Loop time", StringComparison.Ordinal)) == (r.Kind == "nve" ? 2 : 1);
    var res = new RunResult { Run = r, Log = log, Completed = completed };
    res.Rdf = pairs.Select(p => new RadialDistribution(p.A, p.B, cfg.RdfMax, bins)).ToArray();
    long firstStep = -1;
    var positions = new List<double[]>();
    foreach (var frame in LammpsDumpReader.ReadFrames(dumpPath))
    {
        if (firstStep < 0) firstStep = frame.Step;
        var time = (frame.Step - firstStep) * dt;
        var types = frame.Types.Select(t => t - 1).ToArray();
        var box = frame.Box.Cell;
        var list = CellListNeighborSearch.Build(frame.X, frame.Y, frame.Z, box, cfg.RdfMax);
        var m = MinimumDistances.PerTypePair(types, nTypes, list);
        res.Times.Add(time);
        res.Minima.Add(m);
        res.Ids ??= frame.Ids;
        var close = 0;
        for (var i = 0; i < types.Length; i++)
        {
            if (types[i] != sa && types[i] != sb2) continue;
            for (var e = list.Offsets[i]; e < list.Offsets[i + 1]; e++)
            {
                var j = list.Owner[e];
                var pairMatch = types[i] == sa && types[j] == sb2; // each unordered pair once: from its type-sa atom (the lower index when the types are equal)
                if (!pairMatch || (sa == sb2 && j < i)) continue;
                if (list.Dx[e] * list.Dx[e] + list.Dy[e] * list.Dy[e] + list.Dz[e] * list.Dz[e] >= cfg.StabilityMinimum * cfg.StabilityMinimum) continue;
                close++;
                res.ClosePairs.Add((Math.Min(frame.Ids[i], frame.Ids[j]), Math.Max(frame.Ids[i], frame.Ids[j])));
            }
        }

        res.MaxClose = Math.Max(res.MaxClose, close);
        var skip = Math.Min(skipPs, 0.2 * r.LengthPs);
        if (r.Kind == "nvt" && time >= skip - 1e-9)
        {
            foreach (var g in res.Rdf) g.Add(types, list, box.Volume);
            var p = new double[3 * frame.Count];
            for (var i = 0; i < frame.Count; i++) (p[3 * i], p[3 * i + 1], p[3 * i + 2]) = (frame.X[i], frame.Y[i], frame.Z[i]);
            positions.Add(p);
            res.Types ??= types;
        }
    }

    res.SimulatedPs = res.Times.Count > 0 ? res.Times[^1] : 0;
    if (r.Kind == "nvt" && positions.Count > 10)
    {
        var diffType = TypeIndex(cfg.DiffusionType);
        var atoms = Enumerable.Range(0, res.Types!.Length).Where(i => res.Types[i] == diffType).ToArray();
        var frameDt = every * dt;
        var span = (positions.Count - 1) * frameDt;
        res.FitEnd = Math.Min(20, span / 4);
        res.FitStart = Math.Min(2, res.FitEnd / 4);
        res.Msd = MeanSquaredDisplacement.Compute(positions, atoms, (int)Math.Round(res.FitEnd / frameDt * 1.5));
        (res.D, res.MsdFit) = MeanSquaredDisplacement.Diffusion(res.Msd, frameDt, res.FitStart, res.FitEnd);
    }

    var wall = times.LastOrDefault(l => l.StartsWith(r.Name + " end", StringComparison.Ordinal));
    res.WallSeconds = wall?.Split(' ').FirstOrDefault(t => t.StartsWith("wall_s=", StringComparison.Ordinal)) is { } ws
        ? double.Parse(ws[7..], CultureInfo.InvariantCulture) : null;
    results[r.Name] = res;
}

// ---------------------------------------------------------------- report
var reportDir = Path.GetFullPath(Opt("--report", potential));
var outDir = Path.Combine(reportDir, "validation");
Directory.CreateDirectory(outDir);
var md = new StringBuilder();
var verdicts = new List<(string Goal, string Result, bool? Pass)>();
string Pf(bool? p) => p is null ? "not measured" : p.Value ? "**pass**" : "**FAIL**";

var head = new StringBuilder();
head.Append($"# Validation of `{cfg.Name}` ({cfg.Model})\n\n");
head.Append("Generated by `tools/validate-potential/validate.cs` (docs/validation.md) from the runs and data named below; ");
head.Append($"rerun with `dotnet run tools/validate-potential/validate.cs -- {Path.GetRelativePath(repo, potential)}`.\n\n");
var note = Opt("--note", "");
if (note != "") head.Append($"**Note on these runs.** {note}\n\n");

// Stability
var nvts = runs.Where(r => r.Kind == "nvt").ToList();
md.Append("## Stability\n\n");
md.Append($"Training minimum per type pair over all {trainFrames} training frames (the reference: what the model has seen): ");
md.Append(string.Join(", ", AllPairs().Select(p => $"{cfg.TypeMap[p.A]}–{cfg.TypeMap[p.B]} {trainMin[p.A, p.B]:F3} Å")) + ".");
if (results.Values.FirstOrDefault(v => v.Minima.Count > 0) is { } anyRun)
    md.Append(" The starting structure (frame 0 of every run): " + string.Join(", ", AllPairs().Select(p => $"{cfg.TypeMap[p.A]}–{cfg.TypeMap[p.B]} {anyRun.Minima[0][p.A, p.B].Distance:F3} Å")) + ".");
md.Append("\n\n");
md.Append($"| run | planned | simulated | guard warnings | smallest {string.Join(" / ", AllPairs().Select(p => $"{cfg.TypeMap[p.A]}–{cfg.TypeMap[p.B]}"))} (Å) | first {stabilityLabel} < {F(cfg.StabilityMinimum)} Å | frames with {stabilityLabel} < {F(cfg.StabilityMinimum)} Å | first frame below a training minimum |\n");
md.Append("|---|---|---|---|---|---|---|---|\n");
foreach (var r in runs)
{
    if (!results.TryGetValue(r.Name, out var res)) continue;
    var mins = AllPairs().Select(p => res.Minima.Min(m => m[p.A, p.B].Distance)).ToArray();
    var firstBad = res.Minima.FindIndex(m => m[sa, sb2].Distance < cfg.StabilityMinimum);
    var badFrames = res.Minima.Count(m => m[sa, sb2].Distance < cfg.StabilityMinimum);
    var firstBelowTrain = res.Minima.FindIndex(m => AllPairs().Any(p => m[p.A, p.B].Distance < trainMin[p.A, p.B]));
    string belowTrain = firstBelowTrain < 0 ? "none" : $"{res.Times[firstBelowTrain]:F2} ps ({string.Join(", ", AllPairs().Where(p => res.Minima[firstBelowTrain][p.A, p.B].Distance < trainMin[p.A, p.B]).Select(p => $"{cfg.TypeMap[p.A]}–{cfg.TypeMap[p.B]} {res.Minima[firstBelowTrain][p.A, p.B].Distance:F3} Å"))})";
    md.Append($"| {r.Name} | {F(r.LengthPs)} ps | {res.SimulatedPs:F1} ps{(res.Completed ? "" : " (cut short)")} | {res.Log.ExtrapolationWarnings} | {string.Join(" / ", mins.Select(v => v.ToString("F3", CultureInfo.InvariantCulture)))} | {(firstBad < 0 ? "never" : $"{res.Times[firstBad]:F2} ps")} | {badFrames} of {res.Minima.Count} | {belowTrain} |\n");
    if (r.Kind == "nvt")
    {
        var complete = res.SimulatedPs >= 100 - 1e-6;
        var why = firstBad >= 0 ? $"{stabilityLabel} {mins[PairIndex(sa, sb2)]:F2} Å (first below {F(cfg.StabilityMinimum)} Å at {res.Times[firstBad]:F2} ps)"
            : !complete ? $"no {stabilityLabel} pair below {F(cfg.StabilityMinimum)} Å, but only {res.SimulatedPs:F1} ps simulated"
            : $"smallest {stabilityLabel} {mins[PairIndex(sa, sb2)]:F2} Å";
        verdicts.Add(($"100 ps NVT at {F(r.Temperature)} K, no {stabilityLabel} pair below {F(cfg.StabilityMinimum)} Å", why,
            firstBad >= 0 ? false : complete ? true : null));
        var warnings = res.Log.ExtrapolationWarnings;
        verdicts.Add(($"100 ps NVT at {F(r.Temperature)} K, no extrapolation-guard warning", $"{warnings} warnings in {res.SimulatedPs:F1} ps",
            warnings > 0 ? false : complete ? true : null));
    }
}

md.Append('\n');
foreach (var r in runs)
{
    if (!results.TryGetValue(r.Name, out var res)) continue;
    var firstBad = res.Minima.FindIndex(m => m[sa, sb2].Distance < cfg.StabilityMinimum);
    if (firstBad < 0) continue;
    var pm = res.Minima[firstBad][sa, sb2];
    var (ia, ib) = (Math.Min(pm.AtomI, pm.AtomJ), Math.Max(pm.AtomI, pm.AtomJ));
    var later = res.Minima.Skip(firstBad).ToList();
    var same = later.Count(m => m[sa, sb2].Distance < cfg.StabilityMinimum && Math.Min(m[sa, sb2].AtomI, m[sa, sb2].AtomJ) == ia && Math.Max(m[sa, sb2].AtomI, m[sa, sb2].AtomJ) == ib);
    var below = later.Count(m => m[sa, sb2].Distance < cfg.StabilityMinimum);
    md.Append($"- {r.Name}: the first {stabilityLabel} pair below {F(cfg.StabilityMinimum)} Å is atoms {res.Ids![ia]} and {res.Ids[ib]} at {res.Times[firstBad]:F2} ps ({pm.Distance:F3} Å); ");
    md.Append($"from then on {below} of {later.Count} frames have a pair below {F(cfg.StabilityMinimum)} Å, in {same} of them that same pair as the closest; ");
    md.Append($"{res.ClosePairs.Count} distinct pair(s) below {F(cfg.StabilityMinimum)} Å over the run ({string.Join(", ", res.ClosePairs.OrderBy(q => q).Take(8).Select(q => $"{q.Item1}–{q.Item2}"))}{(res.ClosePairs.Count > 8 ? ", …" : "")}), at most {res.MaxClose} in one frame.\n");
}

md.Append("\nGuard warnings: `WARNING:` lines of the run's log that mention extrapolation (the pair style's extrapolation guard; ");
md.Append("0 also when the pair style has no guard). The smallest distances are the pair distances over all periodic images, ");
md.Append($"in every dump frame (every {every} steps), computed from the frames independently of the pair style.\n\n");
md.Append("![smallest distance](validation/min-distance.png)\n\n");

// RDF
md.Append("## Radial distribution functions\n\n");
md.Append($"MD: NVT frames after the first {F(skipPs)} ps (or the first 20% of a shorter run), every {every} steps. Reference: the same functions ");
md.Append($"of the {trainFrames} training frames (ab initio). Bins of {F(cfg.RdfBin)} Å up to {F(cfg.RdfMax)} Å; peak = vertex of a least-squares ");
md.Append("parabola through the highest bin and two on each side.\n\n");
md.Append("| pair | training peak (Å, height) |" + string.Join("", nvts.Select(r => $" {r.Name} peak (Å, height) |")) + "\n");
md.Append("|---|---|" + string.Join("", nvts.Select(_ => "---|")) + "\n");
for (var k = 0; k < pairs.Length; k++)
{
    var tp = trainRdf[k].Peak(0.5);
    md.Append($"| {pairs[k].Label} | {tp.Position:F3}, {tp.Height:F3} |");
    foreach (var r in nvts)
    {
        if (!results.TryGetValue(r.Name, out var res) || res.Rdf[k].Frames == 0) { md.Append(" – |"); continue; }
        var p = res.Rdf[k].Peak(0.5);
        md.Append($" {p.Position:F3}, {p.Height:F3} (Δ {Signed(p.Position - tp.Position, 3)} Å, {Signed(100 * (p.Height / tp.Height - 1), 1)}%) |");
    }

    md.Append('\n');
}

var oo = Array.FindIndex(pairs, p => p.A == sa && p.B == sb2);
var firstNvt = nvts.Count > 0 && results.TryGetValue(nvts[0].Name, out var r0) ? r0 : null;
if (oo >= 0 && firstNvt is not null && firstNvt.Rdf[oo].Frames > 0)
{
    var tp = trainRdf[oo].Peak(0.5);
    var p = firstNvt.Rdf[oo].Peak(0.5);
    var dPos = Math.Abs(p.Position - tp.Position);
    var dH = Math.Abs(p.Height / tp.Height - 1);
    verdicts.Add(($"g_{stabilityLabel} first peak within {F(cfg.PeakShiftMax)} Å and {100 * cfg.PeakHeightMax:F0}% in height of the training frames' ({nvts[0].Name})",
        $"Δr {Signed(p.Position - tp.Position, 3)} Å, Δh {Signed(100 * (p.Height / tp.Height - 1), 1)}% ({firstNvt.SimulatedPs:F1} ps)", dPos <= cfg.PeakShiftMax && dH <= cfg.PeakHeightMax));
}

md.Append('\n');
foreach (var p in pairs) md.Append($"![g {p.Label}](validation/rdf-{p.File}.png) ");
md.Append("\n\n");

// Density
md.Append("## Density\n\n");
var npt = runs.FirstOrDefault(r => r.Kind == "npt");
var tm = trainDensities.Min();
md.Append($"Training cell: {trainDensity:F4} g/cm³ (mean over the training frames{(Math.Abs(trainDensities.Max() - tm) < 1e-9 ? ", all the same cell" : $", {tm:F4}–{trainDensities.Max():F4}")}).\n\n");
if (npt is not null && results.TryGetValue(npt.Name, out var nptRes))
{
    var blk = nptRes.Log.Blocks.LastOrDefault();
    var time = blk?.Column("Time");
    var dens = blk?.Column("Density");
    if (time is not null && dens is not null && dens.Length > 0)
    {
        var skip = Math.Min(skipPs, 0.2 * npt.LengthPs);
        var sel = Enumerable.Range(0, dens.Length).Where(i => time[i] - time[0] >= skip - 1e-9).Select(i => dens[i]).ToArray();
        var (mean, err) = BlockMean(sel, 5);
        var rel = mean / trainDensity - 1;
        md.Append($"NPT at {F(npt.Temperature)} K and {F(cfg.PressureBar)} bar ({nptRes.SimulatedPs:F1} ps{(nptRes.Completed ? "" : ", cut short")}): mean after the first {F(skip)} ps ");
        md.Append($"**{mean:F4} ± {err:F4} g/cm³** (± one standard error of 5 block means), {Signed(100 * rel, 1)}% from the training cell.\n\n");
        verdicts.Add(($"density within {100 * cfg.DensityMax:F0}% of the training cell's (NPT {F(npt.Temperature)} K, {F(cfg.PressureBar)} bar)",
            $"{mean:F4} vs {trainDensity:F4} g/cm³ ({Signed(100 * rel, 1)}%, {nptRes.SimulatedPs:F1} ps)", Math.Abs(rel) <= cfg.DensityMax));
        Plot("density", "NPT density", "time (ps)", "density (g/cm³)", [("NPT", time.Select(v => v - time[0]).ToArray(), dens)],
            [("training cell", trainDensity)]);
        md.Append("![density](validation/density.png)\n\n");
    }
}

// Diffusion
md.Append("## Self-diffusion\n\n");
md.Append($"{cfg.DiffusionType} atoms, mean squared displacement from the unwrapped NVT frames after the first {F(skipPs)} ps, averaged over every time origin; ");
md.Append("D = slope / 6 from a least-squares line over the stated lag window. (Reported, no goal; experiment for H₂O at 298 K: 2.3 × 10⁻⁵ cm²/s.)\n\n");
md.Append("| run | fit window | D (10⁻⁵ cm²/s) | ± (slope's standard error) |\n|---|---|---|---|\n");
foreach (var r in nvts)
{
    if (!results.TryGetValue(r.Name, out var res) || res.Msd is null) continue;
    md.Append($"| {r.Name} | {res.FitStart:F1}–{res.FitEnd:F1} ps | {res.D * 10:F3} | {res.MsdFit.SlopeStandardError / 6 * 10:F3} |\n");
}

md.Append("\n![MSD](validation/msd.png)\n\n");

// NVE drift
md.Append("## Energy conservation (NVE)\n\n");
var nve = runs.FirstOrDefault(r => r.Kind == "nve");
if (nve is not null && results.TryGetValue(nve.Name, out var nveRes) && nveRes.Log.Blocks.Count >= 2)
{
    var blk = nveRes.Log.Blocks[^1];
    var time = blk.Column("Time")!;
    var etot = blk.Column("TotEng")!;
    var natoms = File.ReadLines(Path.Combine(potential, cfg.Structure)).Select(l => l.Trim()).First(l => l.EndsWith(" atoms", StringComparison.Ordinal)).Split(' ')[0];
    var n = int.Parse(natoms, CultureInfo.InvariantCulture);
    var tt = time.Select(v => v - time[0]).ToArray();
    var epa = etot.Select(e => e / n).ToArray();
    var fit = LinearFit.Of(tt, epa);
    var nvePsDone = tt.Length > 0 ? tt[^1] : 0;
    md.Append($"{F(equilibratePs)} ps NVT at {F(nve.Temperature)} K, then NVE for {nvePsDone:F1} ps{(nveRes.Completed ? "" : " (cut short)")} (timestep {F(cfg.TimestepFs)} fs, thermo every {every} steps): ");
    md.Append($"linear fit of the total energy per atom: drift **{fit.Slope:E2} ± {fit.SlopeStandardError:E1} eV/atom/ps**; ");
    md.Append($"total energy range {1000 * (epa.Max() - epa.Min()):F3} meV/atom.\n\n");
    verdicts.Add(($"NVE drift below {cfg.NveDriftMax:E0} eV/atom/ps", $"{fit.Slope:E2} eV/atom/ps over {nvePsDone:F1} ps", Math.Abs(fit.Slope) < cfg.NveDriftMax));
    Plot("nve-energy", "NVE total energy", "time (ps)", "E_total − E_total(0) (meV/atom)", [("NVE", tt, epa.Select(e => 1000 * (e - epa[0])).ToArray()),
        ("fit", [tt[0], tt[^1]], [1000 * (fit.Intercept - epa[0]), 1000 * (fit.Intercept + fit.Slope * tt[^1] - epa[0])])], []);
    md.Append("![NVE energy](validation/nve-energy.png)\n\n");
}

// plots of minima, rdf, msd
Plot("min-distance", $"smallest {stabilityLabel} distance per frame", "time (ps)", "distance (Å)",
    runs.Where(r => results.ContainsKey(r.Name)).Select(r => (r.Name, results[r.Name].Times.ToArray(), results[r.Name].Minima.Select(m => m[sa, sb2].Distance).ToArray())).ToList(),
    [($"goal {F(cfg.StabilityMinimum)} Å", cfg.StabilityMinimum), ($"training minimum {trainMin[sa, sb2]:F2} Å", trainMin[sa, sb2])]);
for (var k = 0; k < pairs.Length; k++)
{
    var series = new List<(string, double[], double[])> { ("training frames", trainRdf[k].Radii(), trainRdf[k].Values()) };
    foreach (var r in nvts)
        if (results.TryGetValue(r.Name, out var res) && res.Rdf[k].Frames > 0) series.Add(($"MD {r.Name}", res.Rdf[k].Radii(), res.Rdf[k].Values()));
    Plot($"rdf-{pairs[k].File}", $"g {pairs[k].Label}", "r (Å)", "g(r)", series, []);
}
{
    var series = new List<(string, double[], double[])>();
    foreach (var r in nvts)
    {
        if (!results.TryGetValue(r.Name, out var res) || res.Msd is null) continue;
        var tt = Enumerable.Range(0, res.Msd.Length).Select(k => k * every * dt).ToArray();
        series.Add(($"{r.Name}", tt, res.Msd));
        series.Add(($"fit {r.Name} ({res.FitStart:F1}–{res.FitEnd:F1} ps)", [res.FitStart, res.FitEnd],
            [res.MsdFit.Intercept + res.MsdFit.Slope * res.FitStart, res.MsdFit.Intercept + res.MsdFit.Slope * res.FitEnd]));
    }

    Plot("msd", $"MSD of {cfg.DiffusionType}", "lag time (ps)", "MSD (Å²)", series, []);
}

// Verdict table at the top of the goals section
head.Append("## Goals\n\n| goal | result | verdict |\n|---|---|---|\n");
foreach (var (goal, result, pass) in verdicts) head.Append($"| {goal} | {result} | {Pf(pass)} |\n");
head.Append("\n\"not measured\": the run was shorter than the goal's length and showed no failure in what was simulated.\n\n");

// Commands and wall times
md.Append("## Runs\n\n");
md.Append($"Decks written by the script into `{Path.GetRelativePath(repo, work)}/<run>/in.<run>` (not kept in the repository), each run as ");
md.Append($"`nice -n 10 dpsharp run --threads {threads} in.<run>` in its folder, at most {jobs} at a time. Starting structure `{cfg.Structure}`, ");
md.Append($"model `{cfg.Model}`, timestep {F(cfg.TimestepFs)} fs, masses {string.Join(", ", cfg.TypeMap.Select((t, i) => $"{t} {F(cfg.Masses[i])}"))}, ");
md.Append($"dumps (unwrapped coordinates) and thermo every {every} steps; Nosé–Hoover thermostat damping 0.1 ps, barostat 1 ps (isotropic).\n\n");
md.Append("| run | ensemble | planned | simulated | wall time | steps/s |\n|---|---|---|---|---|---|\n");
foreach (var r in runs)
{
    if (!results.TryGetValue(r.Name, out var res)) { md.Append($"| {r.Name} | {r.Kind.ToUpperInvariant()} {F(r.Temperature)} K | {F(r.LengthPs)} ps | not run | | |\n"); continue; }
    var total = r.Kind == "nve" ? res.SimulatedPs : res.SimulatedPs;
    var w = res.WallSeconds;
    md.Append($"| {r.Name} | {r.Kind.ToUpperInvariant()} {F(r.Temperature)} K | {(r.Kind == "nve" ? $"{F(equilibratePs)} + {F(r.LengthPs)}" : F(r.LengthPs))} ps | {total:F1} ps{(res.Completed ? "" : " (cut short)")} | {(w is null ? "–" : $"{w.Value / 60:F1} min")} | {(w is null ? "–" : $"{total / dt / w.Value:F0}")} |\n");
}

md.Append("\nThe NVT deck, as written (`<repo>` = the repository folder):\n\n```\n");
if (nvts.Count > 0) md.Append(Deck(nvts[0]).Replace(repo, "<repo>"));
md.Append("```\n");

var mdPath = Path.Combine(reportDir, "VALIDATION.md");
WriteDurably(mdPath, p => File.WriteAllText(p, head.ToString() + md.ToString()));
Console.WriteLine($"wrote {mdPath} and plots in {outDir}");
foreach (var (goal, result, pass) in verdicts) Console.WriteLine($"  {(pass is null ? "n/a " : pass.Value ? "pass" : "FAIL")}  {goal}: {result}");
return 0;

// ---------------------------------------------------------------- helpers
IEnumerable<(int A, int B)> AllPairs()
{
    for (var a = 0; a < nTypes; a++) for (var b = a; b < nTypes; b++) yield return (a, b);
}

int PairIndex(int a, int b) => AllPairs().ToList().IndexOf((Math.Min(a, b), Math.Max(a, b)));

void Plot(string name, string title, string xLabel, string yLabel, IReadOnlyList<(string Label, double[] X, double[] Y)> series, IReadOnlyList<(string Label, double Y)> lines)
{
    var plt = new ScottPlot.Plot();
    foreach (var (label, x, y) in series)
    {
        var stride = Math.Max(1, (x.Length + 599) / 600); // at most 600 points a line: keeps the files small
        var xs = x.Where((_, i) => i % stride == 0).ToArray();
        var ys = y.Where((_, i) => i % stride == 0).ToArray();
        var s = plt.Add.ScatterLine(xs, ys);
        s.LegendText = label;
        s.LineWidth = 1.5f;
    }

    foreach (var (label, y) in lines)
    {
        var h = plt.Add.HorizontalLine(y);
        h.LegendText = label;
        h.LinePattern = ScottPlot.LinePattern.Dashed;
    }

    plt.Title(title);
    plt.XLabel(xLabel);
    plt.YLabel(yLabel);
    plt.ShowLegend();
    WriteDurably(Path.Combine(outDir, name + ".png"), p => plt.SavePng(p, 720, 450));
    WriteDurably(Path.Combine(outDir, name + ".svg"), p => plt.SaveSvg(p, 720, 450));
}

// The report and plots are files users keep: written to a temporary name, flushed, renamed into place.
static void WriteDurably(string path, Action<string> write)
{
    var ext = Path.GetExtension(path);
    var temp = Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileNameWithoutExtension(path) + ".tmp" + ext);
    write(temp);
    DeepMD.Sharp.Core.Files.DurableFile.FlushAndMove(temp, path);
}

static (double Mean, double Error) BlockMean(double[] v, int blocks)
{
    if (v.Length < blocks * 2) return (v.Average(), double.NaN);
    var size = v.Length / blocks;
    var means = Enumerable.Range(0, blocks).Select(b => v.Skip(b * size).Take(size).Average()).ToArray();
    var m = means.Average();
    var var = means.Sum(x => (x - m) * (x - m)) / (blocks - 1);
    return (v.Average(), Math.Sqrt(var / blocks));
}

static string Signed(double v, int digits)
{
    var r = Math.Round(v, digits);
    if (r == 0) r = 0; // no "-0"
    return (r >= 0 ? "+" : "") + r.ToString("F" + digits, CultureInfo.InvariantCulture);
}

static double Density(double massAmu, double volumeA3) => massAmu * 1.66053906660 / volumeA3; // g/cm³

static string F(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);

static string? FindRepo(string start)
{
    for (var d = new DirectoryInfo(Path.GetFullPath(start)); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "DeepMD.Sharp.sln"))) return d.FullName;
    return null;
}

static int Exec(string file, string[] arguments, string dir, string? stdoutPath = null)
{
    var psi = new ProcessStartInfo(file) { WorkingDirectory = dir, RedirectStandardOutput = stdoutPath is not null, RedirectStandardError = stdoutPath is not null };
    foreach (var a in arguments) psi.ArgumentList.Add(a);
    using var p = Process.Start(psi)!;
    if (stdoutPath is not null)
    {
        using var w = new StreamWriter(stdoutPath);
        var err = p.StandardError.ReadToEndAsync();
        string? line;
        while ((line = p.StandardOutput.ReadLine()) is not null) w.WriteLine(line);
        w.Write(err.Result);
    }

    p.WaitForExit();
    if (p.ExitCode != 0 && stdoutPath is null) throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({p.ExitCode})");
    return p.ExitCode;
}

sealed record Run(string Name, string Kind, double Temperature, int Seed, string Tail, double LengthPs);

sealed class RunResult
{
    public required Run Run { get; init; }
    public required ThermoLog Log { get; init; }
    public bool Completed { get; init; }
    public RadialDistribution[] Rdf { get; set; } = [];
    public List<double> Times { get; } = [];
    public List<PairMinimum[,]> Minima { get; } = [];
    public double SimulatedPs { get; set; }
    public int[]? Types { get; set; }
    public int[]? Ids { get; set; }
    public HashSet<(int, int)> ClosePairs { get; } = [];
    public int MaxClose { get; set; }
    public double[]? Msd { get; set; }
    public LinearFit MsdFit { get; set; }
    public double D { get; set; }
    public double FitStart { get; set; }
    public double FitEnd { get; set; }
    public double? WallSeconds { get; set; }
}

sealed class Config
{
    public string Name { get; set; } = "";
    public string Model { get; set; } = "";
    public string Structure { get; set; } = "";
    public string[] TypeMap { get; set; } = [];
    public double[] Masses { get; set; } = [];
    public double[] Temperatures { get; set; } = [];
    public double PressureBar { get; set; } = 1.0;
    public double TimestepFs { get; set; } = 0.5;
    public string[] TrainingData { get; set; } = [];
    public string[] StabilityPair { get; set; } = [];
    public double StabilityMinimum { get; set; }
    public string DiffusionType { get; set; } = "";
    public string[][] RdfPairs { get; set; } = [];
    public double RdfMax { get; set; } = 6.0;
    public double RdfBin { get; set; } = 0.02;
    public double PeakShiftMax { get; set; } = 0.05;
    public double PeakHeightMax { get; set; } = 0.10;
    public double DensityMax { get; set; } = 0.03;
    public double NveDriftMax { get; set; } = 1e-4;
}
