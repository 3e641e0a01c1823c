#:property ManagePackageVersionsCentrally=false
#:property TreatWarningsAsErrors=false
#:property GenerateDocumentationFile=false
#:property PublishAot=false

// Concurrent learning (DP-GEN's loop) of a LiPF6 in EC:DMC potential from CP2K GFN1-xTB labels, with dpsharp only:
//   round 0: Packmol boxes (dpsharp build-box) at a few concentrations, perturbed (molecule centres scaled with the
//            cell over a density range, small random strains, atom displacements), labelled (dpsharp label);
//   each round: train an ensemble of models (dpsharp train, different seeds), explore with ensemble MD
//            (pair_style deepmd M1..M4 out_freq, NVT and NPT at the configured temperatures), classify the model-deviation
//            frames by max force deviation (accurate < trust_lo ≤ candidate < trust_hi ≤ failed), label a capped random
//            pick of candidates (every k-th goes to the held-out test set), retrain; stop when ≥ `converged` of explored
//            frames are accurate or at `maxRounds`.
// Every stage leaves a marker in <potential>/rounds/round-NN/ (committed: data, candidate lists, stage times), the bulky
// CP2K and MD folders go to <work> (artifacts/electrolyte-xtb); rerunning continues after the last finished stage.
//
//   dotnet run tools/electrolyte-xtb/loop.cs -- potentials/electrolyte-xtb [--work DIR] [--dpsharp PATH] [--until HH:MM] [--summary-only]
//
// --until: start no stage that the previous timings say would not finish by then (UTC); the loop stops cleanly.

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var ci = CultureInfo.InvariantCulture;

var argv = args.ToList();
if (argv.Count == 0 || argv[0].StartsWith('-'))
{
    Console.Error.WriteLine("usage: dotnet run tools/electrolyte-xtb/loop.cs -- POTENTIAL_FOLDER [--work DIR] [--dpsharp PATH] [--until HH:MM]");
    return 2;
}
string Opt(string name, string fallback)
{
    var i = argv.IndexOf(name);
    return i >= 0 && i + 1 < argv.Count ? argv[i + 1] : fallback;
}

var potential = Path.GetFullPath(argv[0]);
var repo = FindRepo(potential) ?? throw new InvalidOperationException("run this on a potential folder inside the DeepMD.Sharp repository");
var cfgPath = Path.Combine(potential, "loop.json");
var cfg = JsonNode.Parse(File.ReadAllText(cfgPath))!.AsObject();
var work = Path.GetFullPath(Opt("--work", Path.Combine(repo, "artifacts", "electrolyte-xtb")));
Directory.CreateDirectory(work);
var dpsharp = Opt("--dpsharp", Path.Combine(repo, "src", "DeepMD.Sharp.Cli", "bin", "Release", "net10.0", "dpsharp"));
if (!File.Exists(dpsharp)) throw new InvalidOperationException($"{dpsharp} not found: dotnet build src/DeepMD.Sharp.Cli -c Release first, or give --dpsharp");
DateTime? until = argv.Contains("--until") ? DateTime.SpecifyKind(DateTime.UtcNow.Date + TimeSpan.Parse(Opt("--until", "23:59"), ci), DateTimeKind.Utc) : null;

var typeMap = cfg["typeMap"]!.AsArray().Select(x => (string)x!).ToArray();
var masses = cfg["masses"]!.AsArray().Select(x => (double)x!).ToArray();
var ensembleSize = (int)cfg["ensembleSize"]!;
// Absolute trust levels (DP-GEN's usual eV/Å values, always reported), and with "adaptiveTrust" the levels that pick
// candidates: trust_lo = the largest max_devi_f of the round's ensemble on the held-out xTB frames (configurations the
// models are meant to describe), trust_hi = trustHiFactor × trust_lo, as tools/explore-potential does for water.
var absLo = (double)cfg["trustLo"]!;
var absHi = (double)cfg["trustHi"]!;
var adaptive = cfg["adaptiveTrust"] is JsonNode an && (bool)an;
var hiFactor = cfg["trustHiFactor"] is JsonNode hf ? (double)hf : 2.0;
var maxRounds = (int)cfg["maxRounds"]!;
var converged = (double)cfg["converged"]!;
var maxCandidates = (int)cfg["maxCandidatesPerRound"]!;
var testEvery = (int)cfg["testEvery"]!;
var rounds = Path.Combine(potential, "rounds");
Directory.CreateDirectory(rounds);
var timesPath = Path.Combine(potential, "stage-times.tsv");
if (!File.Exists(timesPath)) File.WriteAllText(timesPath, "round\tstage\twall_s\tfinished_utc\n");

string RoundDir(int r) => Path.Combine(rounds, $"round-{r:D2}");
string WorkDir(int r) => Path.Combine(work, $"round-{r:D2}");
bool Done(int r, string stage) => File.Exists(Path.Combine(RoundDir(r), stage + ".done"));
double Estimate(string stage) => File.ReadLines(timesPath).Skip(1).Select(l => l.Split('\t')).Where(f => f[1] == stage).Select(f => double.Parse(f[2], ci)).DefaultIfEmpty(0).Max();
void Stage(int r, string stage, Action act)
{
    if (Done(r, stage)) return;
    if (until is { } u && DateTime.UtcNow.AddSeconds(Estimate(stage)) > u)
        throw new StopLoop($"round {r} stage {stage}: the last one took {Estimate(stage):F0} s, which would end after {u:HH:mm} UTC");
    Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} round {r}: {stage}");
    Directory.CreateDirectory(RoundDir(r));
    Directory.CreateDirectory(WorkDir(r));
    var w = Stopwatch.StartNew();
    act();
    File.AppendAllText(timesPath, string.Create(ci, $"{r}\t{stage}\t{w.Elapsed.TotalSeconds:F0}\t{DateTime.UtcNow:HH:mm:ss}\n"));
    File.WriteAllText(Path.Combine(RoundDir(r), stage + ".done"), "");
    Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} round {r}: {stage} done in {w.Elapsed.TotalSeconds:F0} s");
}

if (argv.Contains("--summary-only"))
{
    WriteSummary();
    return 0;
}

try
{
    // ------------------------------------------------------------------------------------------------ round 0 data
    var boxes = cfg["boxes"]!.AsArray();
    Stage(0, "build", () =>
    {
        foreach (var b in boxes)
        {
            var name = (string)b!["name"]!;
            foreach (var (tag, seed) in new[] { ("train", (int)b["seed"]!), ("test", (int)b["seed"]! + 1000) })
            {
                var outName = Path.Combine(RoundDir(0), "boxes", $"{name}-{tag}");
                Directory.CreateDirectory(Path.GetDirectoryName(outName)!);
                Exec(dpsharp, ["build-box", "--salt", "LiPF6", "--solvents", "EC:1,DMC:1", "--ratio", "weight",
                    "--concentration", ((double)b["concentration"]!).ToString(ci), "--pairs", ((int)b["pairs"]!).ToString(ci),
                    "--density", ((double)b["density"]!).ToString(ci), "--seed", seed.ToString(ci), "--type-map", string.Join(",", typeMap),
                    "-o", outName], work);
                File.Delete(outName + ".data");
            }
        }
    });
    Stage(0, "perturb", () =>
    {
        var p = cfg["perturb"]!.AsObject();
        foreach (var b in boxes)
        {
            var name = (string)b!["name"]!;
            foreach (var (tag, count) in new[] { ("train", (int)p["framesPerBox"]!), ("test", (int)p["testFramesPerBox"]!) })
            {
                var src = ReadXyz(Path.Combine(RoundDir(0), "boxes", $"{name}-{tag}.xyz"));
                var rng = new Random(((int)b["seed"]! * 31 + tag.Length) * 7919);
                var sb = new StringBuilder();
                for (var k = 0; k < count; k++)
                {
                    // Density spread: scale cell and molecule centres together by s (molecules stay intact), then a
                    // small random symmetric strain of cell and centres, then Gaussian displacements of every atom.
                    var s = (double)p["scaleMin"]! + ((double)p["scaleMax"]! - (double)p["scaleMin"]!) * (count == 1 ? 0.5 : (k + rng.NextDouble()) / count);
                    var e = new double[9];
                    for (var i = 0; i < 3; i++)
                        for (var j = i; j < 3; j++)
                            e[i * 3 + j] = e[j * 3 + i] = (double)p["strain"]! * (2 * rng.NextDouble() - 1) * (i == j ? 1 : 0.5);
                    double[] F = [s * (1 + e[0]), s * e[1], s * e[2], s * e[3], s * (1 + e[4]), s * e[5], s * e[6], s * e[7], s * (1 + e[8])];
                    sb.Append(Perturbed(src, F, (double)p["sigma"]!, rng).ToExtXyz($"{name} {tag} {k} scale {s:F4}"));
                }
                File.WriteAllText(Path.Combine(WorkDir(0), $"{name}-{tag}.xyz"), sb.ToString());
            }
        }
    });
    Stage(0, "label", () =>
    {
        foreach (var tag in new[] { "train", "test" })
        {
            var files = boxes.Select(b => Path.Combine(WorkDir(0), $"{(string)b!["name"]!}-{tag}.xyz")).ToList();
            Exec(dpsharp, ["label", "--code", "cp2k-xtb", .. files, "-o", Path.Combine(RoundDir(0), "data", tag),
                "--type-map", string.Join(",", typeMap), "--work", Path.Combine(WorkDir(0), "cp2k-" + tag)], work, allowFail: true);
        }
    });

    // ------------------------------------------------------------------------------------------------ the loop
    for (var r = 0; r < maxRounds; r++)
    {
        if (r > 0 && !Done(r - 1, "relabel")) break;
        if (File.Exists(Path.Combine(rounds, "converged"))) break;
        var models = Enumerable.Range(0, ensembleSize).Select(m => Path.Combine(RoundDir(r), "models", $"model-{m}.dp")).ToArray();
        var trainSystems = Enumerable.Range(0, r + 1).SelectMany(q => Systems(Path.Combine(RoundDir(q), "data", "train"))).ToList();
        var testSystems = Enumerable.Range(0, r + 1).SelectMany(q => Systems(Path.Combine(RoundDir(q), "data", "test"))).ToList();
        Stage(r, "train", () =>
        {
            var t = cfg["training"]!.AsObject();
            var steps = r == 0 ? (int)t["stepsRound0"]! : (int)t["stepsLater"]!;
            var procs = new List<(Process P, int M)>();
            var pending = new Queue<int>(Enumerable.Range(0, ensembleSize));
            Directory.CreateDirectory(Path.Combine(RoundDir(r), "models"));
            while (pending.Count > 0 || procs.Count > 0)
            {
                while (procs.Count < (int)t["parallel"]! && pending.Count > 0)
                {
                    var m = pending.Dequeue();
                    if (File.Exists(models[m])) continue;
                    var dir = Path.Combine(WorkDir(r), $"train-{m}");
                    Directory.CreateDirectory(dir);
                    var input = JsonNode.Parse(t["input"]!.ToJsonString())!.AsObject();
                    var seed = 1000 * (m + 1) + r;
                    input["model"]!["type_map"] = new JsonArray(typeMap.Select(x => (JsonNode)x).ToArray());
                    input["model"]!["descriptor"]!["seed"] = seed;
                    input["model"]!["fitting_net"]!["seed"] = seed + 1;
                    input["training"]!["seed"] = seed + 2;
                    input["training"]!["numb_steps"] = steps;
                    input["training"]!["training_data"] = new JsonObject { ["systems"] = new JsonArray(trainSystems.Select(x => (JsonNode)x).ToArray()), ["batch_size"] = 1 };
                    input["training"]!["validation_data"] = new JsonObject { ["systems"] = new JsonArray(testSystems.Select(x => (JsonNode)x).ToArray()), ["batch_size"] = 1, ["numb_btch"] = 1 };
                    File.WriteAllText(Path.Combine(dir, "input.json"), input.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                    // Later rounds start from the previous round's member (DP-GEN's init-model) with fewer steps.
                    string[] init = r > 0 ? ["--init-model", Path.Combine(RoundDir(r - 1), "models", $"model-{m}.dp")] : [];
                    var psi = new ProcessStartInfo("nice", ["-n", "5", dpsharp, "train", "input.json", "-o", "model.dp", .. init])
                    {
                        WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true,
                    };
                    psi.Environment["DPSHARP_TORCH_THREADS"] = "1";
                    var proc = Process.Start(psi)!;
                    var log = new StreamWriter(Path.Combine(dir, "train.log")) { AutoFlush = true };
                    proc.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
                    proc.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
                    proc.BeginOutputReadLine();
                    proc.BeginErrorReadLine();
                    procs.Add((proc, m));
                }
                Thread.Sleep(2000);
                foreach (var x in procs.Where(x => x.P.HasExited).ToList())
                {
                    x.P.WaitForExit();
                    procs.Remove(x);
                    var dir = Path.Combine(WorkDir(r), $"train-{x.M}");
                    if (x.P.ExitCode != 0) throw new InvalidOperationException($"training member {x.M} failed (exit {x.P.ExitCode}); see {dir}/train.log");
                    File.Copy(Path.Combine(dir, "model.dp"), models[x.M], true);
                    File.Copy(Path.Combine(dir, "lcurve.out"), Path.Combine(RoundDir(r), "models", $"lcurve-{x.M}.out"), true);
                    File.Copy(Path.Combine(dir, "input.json"), Path.Combine(RoundDir(r), "models", $"input-{x.M}.json"), true);
                }
            }
        });
        Stage(r, "test", () =>
        {
            var sb = new StringBuilder();
            foreach (var (m, i) in models.Select((m, i) => (m, i)))
            {
                // Held-out frames of every round so far: the round-0 packings plus every testEvery-th labelled candidate.
                var all = testSystems.Select(s => Capture(dpsharp, ["test", "-m", m, "-s", s], work)).ToList();
                sb.Append($"## model-{i}: dpsharp test -m rounds/round-{r:D2}/models/model-{i}.dp -s <system> (each held-out system)\n");
                foreach (var (s, o) in testSystems.Zip(all)) sb.Append($"### {Path.GetRelativePath(potential, s)}\n").Append(o).Append('\n');
            }
            File.WriteAllText(Path.Combine(RoundDir(r), "test.txt"), sb.ToString());
        });
        Stage(r, "explore", () =>
        {
            var ex = cfg["exploration"]!.AsObject();
            var runs = new List<(string Name, string Deck, string Dir)>();
            var pairStyle = $"pair_style deepmd {string.Join(" ", models)} out_freq {(int)ex["outFreq"]!} out_file model_devi.out\npair_coeff * * {string.Join(" ", typeMap)}\n";
            if (ex["zbl"] is JsonObject zbl)
            {
                // A short-range wall while exploring (DP-GEN practice for young models, which otherwise pull atoms onto each
                // other within ~100 steps): one ZBL term per type pair, switched off from outerFraction × the pair's smallest
                // distance in the training data (dpsharp neighbor-stat), so configurations the data cover feel no wall. The
                // models' deviation (the selection criterion) is the DP models' alone; the frames are labelled by xTB as usual.
                var stat = Capture(dpsharp, ["neighbor-stat", "-s", .. trainSystems, "-r", "5", "-t", string.Join(",", typeMap)], work);
                var minima = new Dictionary<(int, int), double>();
                foreach (var line in stat.Split('\n'))
                {
                    var m = System.Text.RegularExpressions.Regex.Match(line.Trim(), @"^(\w+)-(\w+): ([0-9.]+)$");
                    if (!m.Success) continue;
                    int a = Array.IndexOf(typeMap, m.Groups[1].Value), b = Array.IndexOf(typeMap, m.Groups[2].Value);
                    minima[(Math.Min(a, b), Math.Max(a, b))] = double.Parse(m.Groups[3].Value, ci);
                }
                double inner = (double)zbl["innerFraction"]!, outer = (double)zbl["outerFraction"]!, unseen = (double)zbl["unseenPairOuter"]!;
                var style = new StringBuilder("pair_style hybrid/overlay deepmd ").Append(string.Join(" ", models))
                    .Append(string.Create(ci, $" out_freq {(int)ex["outFreq"]!} out_file model_devi.out"));
                var coeffs = new StringBuilder($"pair_coeff * * deepmd {string.Join(" ", typeMap)}\n");
                var k = 0;
                var table = new StringBuilder("pair\ttraining_min_A\tzbl_inner_A\tzbl_outer_A\n");
                for (var a = 0; a < typeMap.Length; a++)
                    for (var b = a; b < typeMap.Length; b++)
                    {
                        var dmin = minima.GetValueOrDefault((a, b), double.NaN);
                        var ro = double.IsNaN(dmin) ? unseen : outer * dmin;
                        var ri = ro * inner / outer;
                        style.Append(string.Create(ci, $" zbl {ri:F3} {ro:F3}"));
                        coeffs.Append(string.Create(ci, $"pair_coeff {a + 1} {b + 1} zbl {++k} {AtomicNumber(typeMap[a])} {AtomicNumber(typeMap[b])}\n"));
                        table.Append(string.Create(ci, $"{typeMap[a]}-{typeMap[b]}\t{dmin:F3}\t{ri:F3}\t{ro:F3}\n"));
                    }
                pairStyle = style.Append('\n').Append(coeffs).ToString();
                File.WriteAllText(Path.Combine(RoundDir(r), "exploration-zbl.tsv"), table.ToString());
            }
            foreach (var b in boxes)
            {
                var name = (string)b!["name"]!;
                var start = ReadXyz(Path.Combine(RoundDir(0), "boxes", $"{name}-train.xyz"));
                // "runs": [["nvt", 300], ["npt", 400]] pairs, or every ensemble at every temperature.
                var pairs = ex["runs"] is JsonArray list
                    ? list.Select(x => ((string)x![0]!, (double)x[1]!)).ToList()
                    : ex["ensembles"]!.AsArray().SelectMany(e => ex["temperatures"]!.AsArray().Select(t => ((string)e!, (double)t!))).ToList();
                foreach (var (ens, T) in pairs)
                    {
                        var run = $"{name}-{ens}-{T:0}K";
                        var dir = Path.Combine(WorkDir(r), "explore", run);
                        Directory.CreateDirectory(dir);
                        File.WriteAllText(Path.Combine(dir, "start.data"), start.ToLammpsData(typeMap, masses));
                        var steps = (int)ex["steps"]!;
                        var outFreq = (int)ex["outFreq"]!;
                        var fix = ens == "npt"
                            ? string.Create(ci, $"fix 1 all npt temp {T} {T} 0.05 iso 1.0 1.0 0.5")
                            : string.Create(ci, $"fix 1 all nvt temp {T} {T} 0.05");
                        var deck = new StringBuilder()
                            .Append("# exploration deck written by tools/electrolyte-xtb/loop.cs\n")
                            .Append("units metal\nboundary p p p\natom_style atomic\nneighbor 1.0 bin\nneigh_modify every 1 delay 0 check yes\n")
                            .Append("read_data start.data\n")
                            .Append(pairStyle)
                            .Append(string.Create(ci, $"velocity all create {T} {(int)ex["seed"]! + r * 100 + runs.Count} mom yes rot yes dist gaussian\n"))
                            .Append(string.Create(ci, $"timestep {(double)ex["timestepFs"]! * 1e-3}\n"))
                            .Append("thermo_style custom step temp pe press vol density\nthermo 200\n")
                            .Append($"dump 1 all custom {outFreq} traj.dump id type x y z\n")
                            .Append(fix).Append('\n')
                            .Append($"run {steps}\n").ToString();
                        File.WriteAllText(Path.Combine(dir, "in.explore"), deck);
                        runs.Add((run, deck, dir));
                    }
            }
            var jobs = (int)ex["parallel"]!;
            Parallel.ForEach(runs, new ParallelOptions { MaxDegreeOfParallelism = jobs }, x =>
            {
                if (File.Exists(Path.Combine(x.Dir, "finished"))) return;
                // A run that blows up (atoms lost, the guard) is kept: its deviation frames up to then still count.
                var rc = ExecQuiet("nice", ["-n", "5", dpsharp, "run", "--threads", "1", "in.explore"], x.Dir, Path.Combine(x.Dir, "stdout.txt"));
                File.WriteAllText(Path.Combine(x.Dir, "finished"), rc.ToString(ci));
                Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss}   {x.Name} exit {rc}");
            });
        });
        // "select" classifies the explored frames and picks candidates; "relabel" labels them into round r+1.
        Stage(r, "select", () =>
        {
            var rng = new Random(4242 + r);
            double trustLo = absLo, trustHi = absHi, heldOutMax = double.NaN;
            var heldOut = new StringBuilder();
            foreach (var (sys, k) in testSystems.Select((x, k) => (x, k)))
            {
                var o = Path.Combine(WorkDir(r), $"held-out-devi-{k}.out");
                Exec(dpsharp, ["model-devi", "-m", .. models, "-s", sys, "-o", o], work);
                heldOut.Append(File.ReadAllText(o));
                foreach (var d in ReadDevi(o)) heldOutMax = double.IsNaN(heldOutMax) ? d.MaxF : Math.Max(heldOutMax, d.MaxF);
            }
            File.WriteAllText(Path.Combine(RoundDir(r), "held-out-devi.out"), heldOut.ToString());
            if (adaptive) { trustLo = heldOutMax; trustHi = hiFactor * heldOutMax; }
            var table = new StringBuilder("run\tframes\taccurate\tcandidate\tfailed\tmax_devi_f_max\texit\n");
            var candidates = new List<(string Run, long Step)>();
            int total = 0, acc = 0, cand = 0, fail = 0, absAcc = 0, absFail = 0;
            var allDevi = new List<double>();
            foreach (var dir in Directory.GetDirectories(Path.Combine(WorkDir(r), "explore")).OrderBy(d => d, StringComparer.Ordinal))
            {
                var run = Path.GetFileName(dir);
                var devi = File.Exists(Path.Combine(dir, "model_devi.out")) ? ReadDevi(Path.Combine(dir, "model_devi.out")) : [];
                var dumped = File.Exists(Path.Combine(dir, "traj.dump")) ? DumpSteps(Path.Combine(dir, "traj.dump")) : [];
                int a = devi.Count(d => d.MaxF < trustLo), c = devi.Count(d => d.MaxF >= trustLo && d.MaxF < trustHi), f = devi.Count(d => d.MaxF >= trustHi);
                total += devi.Count; acc += a; cand += c; fail += f;
                absAcc += devi.Count(d => d.MaxF < absLo); absFail += devi.Count(d => d.MaxF >= absHi);
                allDevi.AddRange(devi.Select(d => d.MaxF));
                table.Append(string.Create(ci, $"{run}\t{devi.Count}\t{a}\t{c}\t{f}\t{(devi.Count == 0 ? double.NaN : devi.Max(d => d.MaxF)):F4}\t{File.ReadAllText(Path.Combine(dir, "finished")).Trim()}\n"));
                candidates.AddRange(devi.Where(d => d.MaxF >= trustLo && d.MaxF < trustHi && dumped.Contains(d.Step)).Select(d => (run, d.Step)));
            }
            var pick = candidates.OrderBy(_ => rng.Next()).Take(maxCandidates).OrderBy(x => x.Run, StringComparer.Ordinal).ThenBy(x => x.Step).ToList();
            File.WriteAllText(Path.Combine(RoundDir(r), "exploration.tsv"), table.ToString());
            File.WriteAllLines(Path.Combine(RoundDir(r), "candidates.txt"), pick.Select(p => $"{p.Run} {p.Step}"));
            var summary = new JsonObject
            {
                ["round"] = r, ["explored"] = total, ["accurate"] = acc, ["candidate"] = cand, ["failed"] = fail,
                ["accurateFraction"] = total == 0 ? 0 : (double)acc / total, ["candidateFraction"] = total == 0 ? 0 : (double)cand / total,
                ["failedFraction"] = total == 0 ? 0 : (double)fail / total, ["picked"] = pick.Count, ["trustLo"] = J(trustLo), ["trustHi"] = J(trustHi),
                ["heldOutMaxDeviF"] = J(heldOutMax), ["absoluteTrustLo"] = absLo, ["absoluteTrustHi"] = absHi,
                ["belowAbsoluteLoFraction"] = total == 0 ? 0 : (double)absAcc / total, ["aboveAbsoluteHiFraction"] = total == 0 ? 0 : (double)absFail / total,
                ["medianMaxDeviF"] = J(allDevi.Count == 0 ? double.NaN : allDevi.OrderBy(x => x).ElementAt(allDevi.Count / 2)),
            };
            File.WriteAllText(Path.Combine(RoundDir(r), "exploration.json"), summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine($"round {r}: trust {trustLo:F3}/{trustHi:F3} eV/Å; {total} explored frames, accurate {acc}, candidates {cand}, failed {fail}; picked {pick.Count}; below {absLo} eV/Å: {absAcc}");
            if (total > 0 && (double)acc / total >= converged) File.WriteAllText(Path.Combine(rounds, "converged"), $"round {r}\n");
        });
        Stage(r, "relabel", () =>
        {
            var pick = File.ReadAllLines(Path.Combine(RoundDir(r), "candidates.txt")).Where(l => l.Length > 0)
                .Select(l => l.Split(' ')).Select(f => (Run: f[0], Step: long.Parse(f[1], ci))).ToList();
            if (r + 1 >= maxRounds || pick.Count == 0 || File.Exists(Path.Combine(rounds, "converged"))) return;

            // Label the picks into round r+1's data: every testEvery-th (in run/step order) goes to the held-out set.
            var next = RoundDir(r + 1);
            Directory.CreateDirectory(next);
            foreach (var (tag, sel) in new[] { ("train", pick.Where((_, i) => i % testEvery != testEvery - 1).ToList()), ("test", pick.Where((_, i) => i % testEvery == testEvery - 1).ToList()) })
            {
                if (sel.Count == 0) continue;
                var files = new List<string>();
                foreach (var g in sel.GroupBy(x => x.Run))
                {
                    var path = Path.Combine(WorkDir(r), $"picked-{tag}-{g.Key}.dump");
                    WriteDumpFrames(Path.Combine(WorkDir(r), "explore", g.Key, "traj.dump"), g.Select(x => x.Step).ToHashSet(), path);
                    files.Add(path);
                }
                Exec(dpsharp, ["label", "--code", "cp2k-xtb", .. files, "-o", Path.Combine(next, "data", tag), "--type-map", string.Join(",", typeMap),
                    "--work", Path.Combine(WorkDir(r), "cp2k-picked-" + tag), "--max-outer-scf", ((int?)cfg["candidateMaxOuterScf"] ?? 20).ToString(ci),
                    .. (cfg["candidateFallback"] is JsonNode fb && !(bool)fb ? new[] { "--no-fallback" } : [])], work, allowFail: true);
            }
        });
    }
}
catch (StopLoop e)
{
    Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} stopping: {e.Message}; rerun to continue");
}
WriteSummary();
return 0;

// ---------------------------------------------------------------------------------------------------------- helpers
void WriteSummary()
{
    var sb = new StringBuilder();
    sb.Append("# Concurrent-learning rounds (written by tools/electrolyte-xtb/loop.cs)\n\n");
    sb.Append(string.Create(ci, $"Trust levels on the max force deviation: {(adaptive ? $"per round, trust_lo = the ensemble's largest max_devi_f on the held-out xTB frames, trust_hi = {hiFactor} × trust_lo" : $"{absLo} / {absHi} eV/Å")}; stop at ≥ {converged:P0} accurate. The absolute columns count frames below {absLo} eV/Å and at or above {absHi} eV/Å.\n\n"));
    sb.Append("| round | train frames (new) | test frames (new) | trust lo / hi eV/Å | explored | accurate | candidate | failed | < abs lo | ≥ abs hi | median max_devi_f eV/Å | picked | held-out E RMSE meV/atom | held-out F RMSE meV/Å |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (var r = 0; Directory.Exists(RoundDir(r)); r++)
    {
        int Frames(string tag) => Systems(Path.Combine(RoundDir(r), "data", tag)).Sum(s => File.ReadLines(Path.Combine(s, "frames.txt")).Count());
        var ex = File.Exists(Path.Combine(RoundDir(r), "exploration.json")) ? JsonNode.Parse(File.ReadAllText(Path.Combine(RoundDir(r), "exploration.json"))) : null;
        var (e, f) = File.Exists(Path.Combine(RoundDir(r), "test.txt")) ? TestRmse(Path.Combine(RoundDir(r), "test.txt")) : (double.NaN, double.NaN);
        string Pct(string k) => ex is null ? "–" : string.Create(ci, $"{(int)ex[k.Replace("Fraction", "")]!} ({(double)ex[k]! * 100:F1} %)");
        string Frac(string k) => ex?[k] is JsonNode v ? string.Create(ci, $"{(double)v * 100:F1} %") : "–";
        string Num(string k) => ex?[k] is JsonNode v ? string.Create(ci, $"{(double)v:F3}") : "–";
        sb.Append(string.Create(ci, $"| {r} | {Frames("train")} | {Frames("test")} | {Num("trustLo")} / {Num("trustHi")} | {(ex is null ? "–" : ((int)ex["explored"]!).ToString(ci))} | {Pct("accurateFraction")} | {Pct("candidateFraction")} | {Pct("failedFraction")} | {Frac("belowAbsoluteLoFraction")} | {Frac("aboveAbsoluteHiFraction")} | {Num("medianMaxDeviF")} | {(ex is null ? "–" : ((int)ex["picked"]!).ToString(ci))} | {(double.IsNaN(e) ? "–" : (e * 1000).ToString("F1", ci))} | {(double.IsNaN(f) ? "–" : (f * 1000).ToString("F0", ci))} |\n"));
    }
    sb.Append("\nHeld-out RMSEs: model-0 of the round on all held-out frames so far, pooled over systems (frames weighted); test.txt of each round has every member.\n\n");
    sb.Append("## Wall time per stage (s)\n\n| round | stage | wall s | finished (UTC) |\n|---|---|---|---|\n");
    foreach (var l in File.ReadLines(timesPath).Skip(1)) sb.Append("| ").Append(string.Join(" | ", l.Split('\t'))).Append(" |\n");
    File.WriteAllText(Path.Combine(potential, "SUMMARY.md"), sb.ToString());
}

static (double E, double F) TestRmse(string path)
{
    // model-0's block: pool squared errors over systems by frame (energy per atom) and by force component count.
    double se = 0, sf = 0; long ne = 0, nf = 0;
    string? sys = null;
    var lines = File.ReadAllLines(path);
    var inModel0 = false;
    int frames = 0, atoms = 0;
    double eRmse = double.NaN, fRmse = double.NaN;
    foreach (var l in lines.Append("## end"))
    {
        if (l.StartsWith("## ", StringComparison.Ordinal))
        {
            Flush();
            inModel0 = l.StartsWith("## model-0:", StringComparison.Ordinal);
            continue;
        }
        if (!inModel0) continue;
        if (l.StartsWith("### ", StringComparison.Ordinal)) { Flush(); sys = l; continue; }
        var t = l.Trim();
        if (t.StartsWith("# number of test data", StringComparison.Ordinal)) frames = int.Parse(t.Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        if (t.StartsWith("Energy RMSE/Natoms", StringComparison.Ordinal)) eRmse = double.Parse(t.Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        if (t.StartsWith("Force  RMSE", StringComparison.Ordinal)) fRmse = double.Parse(t.Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        if (t.StartsWith("# natoms", StringComparison.Ordinal)) atoms = int.Parse(t.Split(':')[1].Trim(), CultureInfo.InvariantCulture);
    }
    return (ne == 0 ? double.NaN : Math.Sqrt(se / ne), nf == 0 ? double.NaN : Math.Sqrt(sf / nf));

    void Flush()
    {
        if (sys is not null && frames > 0 && !double.IsNaN(eRmse))
        {
            se += eRmse * eRmse * frames; ne += frames;
            if (!double.IsNaN(fRmse)) { var c = Math.Max(1, atoms) * 3L * frames; sf += fRmse * fRmse * c; nf += c; }
        }
        sys = null; frames = 0; atoms = 0; eRmse = fRmse = double.NaN;
    }
}

static JsonNode? J(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;

static List<string> Systems(string folder)
{
    if (!Directory.Exists(folder)) return [];
    if (File.Exists(Path.Combine(folder, "type.raw"))) return [folder];
    return Directory.GetDirectories(folder).Where(d => File.Exists(Path.Combine(d, "type.raw"))).OrderBy(d => d, StringComparer.Ordinal).ToList();
}

static List<(long Step, double MaxF)> ReadDevi(string path) =>
    File.ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
        .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Select(f => (long.Parse(f[0], CultureInfo.InvariantCulture), double.Parse(f[4], CultureInfo.InvariantCulture))).ToList();

static HashSet<long> DumpSteps(string path)
{
    var steps = new HashSet<long>();
    string? prev = null;
    foreach (var l in File.ReadLines(path))
    {
        if (prev is not null && prev.StartsWith("ITEM: TIMESTEP", StringComparison.Ordinal)) steps.Add(long.Parse(l.Trim(), CultureInfo.InvariantCulture));
        prev = l;
    }
    return steps;
}

static void WriteDumpFrames(string dump, HashSet<long> steps, string output)
{
    using var w = new StreamWriter(output);
    var block = new List<string>();
    void Emit()
    {
        if (block.Count > 1 && steps.Contains(long.Parse(block[1].Trim(), CultureInfo.InvariantCulture)))
            foreach (var b in block) w.WriteLine(b);
        block.Clear();
    }
    foreach (var l in File.ReadLines(dump))
    {
        if (l.StartsWith("ITEM: TIMESTEP", StringComparison.Ordinal)) Emit();
        block.Add(l);
    }
    Emit();
}

static XyzFrame ReadXyz(string path)
{
    var lines = File.ReadAllLines(path);
    var n = int.Parse(lines[0].Trim(), CultureInfo.InvariantCulture);
    var lat = System.Text.RegularExpressions.Regex.Match(lines[1], "Lattice=\"([^\"]+)\"").Groups[1].Value
        .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
    var species = new string[n];
    var pos = new double[n * 3];
    var mol = new int[n];
    for (var i = 0; i < n; i++)
    {
        var f = lines[2 + i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        species[i] = f[0];
        for (var d = 0; d < 3; d++) pos[i * 3 + d] = double.Parse(f[1 + d], CultureInfo.InvariantCulture);
        mol[i] = f.Length > 4 ? int.Parse(f[4], CultureInfo.InvariantCulture) : i + 1;
    }
    return new XyzFrame(species, pos, mol, lat);
}

static XyzFrame Perturbed(XyzFrame x, double[] F, double sigma, Random rng)
{
    // Molecule centres (unwrapped by the builder) move affinely with the cell; atoms keep their offsets, then jitter.
    var n = x.Species.Length;
    var pos = new double[n * 3];
    foreach (var g in Enumerable.Range(0, n).GroupBy(i => x.Molecule[i]))
    {
        var c = new double[3];
        foreach (var i in g) for (var d = 0; d < 3; d++) c[d] += x.Positions[i * 3 + d] / g.Count();
        var cNew = new double[3];
        for (var d = 0; d < 3; d++) cNew[d] = F[d * 3] * c[0] + F[d * 3 + 1] * c[1] + F[d * 3 + 2] * c[2];
        foreach (var i in g)
            for (var d = 0; d < 3; d++) pos[i * 3 + d] = x.Positions[i * 3 + d] - c[d] + cNew[d] + sigma * Gaussian(rng);
    }
    var lat = new double[9];
    for (var r = 0; r < 3; r++)   // rows are lattice vectors: a' = F a
        for (var d = 0; d < 3; d++)
            lat[r * 3 + d] = F[d * 3] * x.Lattice[r * 3] + F[d * 3 + 1] * x.Lattice[r * 3 + 1] + F[d * 3 + 2] * x.Lattice[r * 3 + 2];
    return new XyzFrame(x.Species, pos, x.Molecule, lat);
}

static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

static int AtomicNumber(string element) => element switch
{
    "H" => 1, "He" => 2, "Li" => 3, "Be" => 4, "B" => 5, "C" => 6, "N" => 7, "O" => 8, "F" => 9, "Na" => 11, "Mg" => 12,
    "Al" => 13, "Si" => 14, "P" => 15, "S" => 16, "Cl" => 17, "K" => 19, "Ca" => 20,
    _ => throw new InvalidOperationException($"no atomic number for '{element}' (extend AtomicNumber in loop.cs)"),
};

static string? FindRepo(string start)
{
    for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "DeepMD.Sharp.sln"))) return d.FullName;
    return null;
}

static void Exec(string file, string[] a, string dir, bool allowFail = false)
{
    var p = Process.Start(new ProcessStartInfo("nice", ["-n", "5", file, .. a]) { WorkingDirectory = dir })!;
    p.WaitForExit();
    if (p.ExitCode != 0 && !allowFail) throw new InvalidOperationException($"{file} {string.Join(' ', a)} failed with exit code {p.ExitCode}");
}

static int ExecQuiet(string file, string[] a, string dir, string log)
{
    var psi = new ProcessStartInfo(file, a) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
    var p = Process.Start(psi)!;
    var o = p.StandardOutput.ReadToEndAsync();
    var e = p.StandardError.ReadToEndAsync();
    p.WaitForExit();
    File.WriteAllText(log, o.Result + e.Result);
    return p.ExitCode;
}

static string Capture(string file, string[] a, string dir)
{
    var psi = new ProcessStartInfo("nice", ["-n", "5", file, .. a]) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
    var p = Process.Start(psi)!;
    var o = p.StandardOutput.ReadToEndAsync();
    var e = p.StandardError.ReadToEndAsync();
    p.WaitForExit();
    if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', a)} failed: {e.Result}");
    return o.Result;
}

sealed record XyzFrame(string[] Species, double[] Positions, int[] Molecule, double[] Lattice)
{
    public string ToExtXyz(string comment)
    {
        var sb = new StringBuilder();
        sb.Append(Species.Length.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("Lattice=\"").Append(string.Join(" ", Lattice.Select(v => v.ToString("R", CultureInfo.InvariantCulture))))
          .Append("\" Properties=species:S:1:pos:R:3 pbc=\"T T T\" comment=\"").Append(comment).Append("\"\n");
        for (var i = 0; i < Species.Length; i++)
            sb.Append(string.Create(CultureInfo.InvariantCulture, $"{Species[i]} {Positions[i * 3]:R} {Positions[i * 3 + 1]:R} {Positions[i * 3 + 2]:R}\n"));
        return sb.ToString();
    }

    public string ToLammpsData(string[] typeMap, double[] masses)
    {
        if (Lattice[1] != 0 || Lattice[2] != 0 || Lattice[3] != 0 || Lattice[5] != 0 || Lattice[6] != 0 || Lattice[7] != 0)
            throw new InvalidOperationException("exploration starts from the orthorhombic packed boxes");
        var sb = new StringBuilder("LAMMPS data file written by tools/electrolyte-xtb/loop.cs\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"{Species.Length} atoms\n{typeMap.Length} atom types\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"0 {Lattice[0]:R} xlo xhi\n0 {Lattice[4]:R} ylo yhi\n0 {Lattice[8]:R} zlo zhi\n\nMasses\n\n");
        for (var t = 0; t < typeMap.Length; t++) sb.Append(CultureInfo.InvariantCulture, $"{t + 1} {masses[t]} # {typeMap[t]}\n");
        sb.Append("\nAtoms # atomic\n\n");
        for (var i = 0; i < Species.Length; i++)
        {
            var w = new double[3];
            for (var d = 0; d < 3; d++) { var L = Lattice[d * 4]; w[d] = Positions[i * 3 + d] - Math.Floor(Positions[i * 3 + d] / L) * L; }
            sb.Append(CultureInfo.InvariantCulture, $"{i + 1} {Array.IndexOf(typeMap, Species[i]) + 1} {w[0]:R} {w[1]:R} {w[2]:R}\n");
        }
        return sb.ToString();
    }
}

sealed class StopLoop(string message) : Exception(message);
