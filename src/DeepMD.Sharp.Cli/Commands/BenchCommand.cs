namespace DeepMD.Sharp.Cli.Commands;

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Cpu;
using DeepMD.Sharp.Gpu;
using DeepMD.Sharp.IO;
using DeepMD.Sharp.Models.Backends;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;

/// <summary>
/// <c>dpsharp bench</c>: whole-evaluation timings users can reproduce: µs per atom-step (neighbor list + energy + forces +
/// virial) and atom-steps per second, median over repeated steps.
/// </summary>
public static class BenchCommand
{
    public static Command Create(TextWriter stdout)
    {
        var model = new Option<string>("--model") { Description = "model file", DefaultValueFactory = _ => DefaultModel() };
        var structure = new Option<string>("--structure") { Description = "structure file", DefaultValueFactory = _ => DefaultStructure() };
        var typeMap = new Option<string?>("--type-map") { Description = "element of each LAMMPS type (data files)", DefaultValueFactory = _ => "O,H" };
        var replicate = new Option<string?>("--replicate") { Description = "supercell, e.g. 4x4x4 (12,288 atoms from the 192-atom water cell); with --device gpu a comma-separated list (default 4x4x4,8x8x8,18x18x16,37x37x38: 12k, 98k, 995k, 10.0M atoms)" };
        var backends = new Option<string>("--backend") { Description = "comma-separated backends to time: reference, cpu-f64, cpu-f32, gpu-f64, gpu-f32 (gpu needs a CUDA device)", DefaultValueFactory = _ => "cpu-f64,cpu-f32" };
        var steps = new Option<int>("--steps") { Description = "timed evaluations per backend (after the warm-up)", DefaultValueFactory = _ => 5 };
        var warmup = new Option<string>("--warmup")
        {
            Description = "untimed evaluations first: auto = until a whole evaluation compiles no new code (.NET's tiered JIT optimises hot " +
                          "kernels only after they have run a while; at least 2 evaluations and 3 s, at most 50 evaluations or 60 s), or a number",
            DefaultValueFactory = _ => "auto",
        };
        var shuffle = new Option<bool>("--shuffle")
        {
            Description = "number the atoms in random order (fixed seed) before timing, as in a data file written after long MD where " +
                          "atom numbers no longer follow positions",
        };
        var threads = new Option<int?>("--threads") { Description = "threads (default: all cores, or DPSHARP_THREADS)" };
        var device = new Option<string?>("--device") { Description = "cpu = --backend cpu-f64,cpu-f32; gpu = whole MD steps with the atoms on the GPU (device neighbor list, NVE), f32 and f64, at each --replicate size" };
        var precisions = new Option<string>("--precision") { Description = "with --device gpu: comma-separated f32, f64", DefaultValueFactory = _ => "f32,f64" };
        var mdCompare = new Option<int?>("--md-compare") { Description = "with --device gpu: run N NVE steps on the device and with the host loop (--compare-with, default cpu-f64) and print their divergence instead of timing" };
        var emulate = new Option<bool>("--emulate") { Description = "with --device gpu: use ILGPU's CPU accelerator instead of CUDA (slow; for testing on tiny systems)" };
        var compare = new Option<string?>("--compare-with") { Description = "a backend (e.g. cpu-f64) to evaluate once; prints each timed backend's largest energy and force differences from it" };
        var guardBench = new Option<bool>("--guard")
        {
            Description = "time every other evaluation with the extrapolation guard of pair_style deepmd (pair distances + descriptor ranges, default margins) and print its cost: guard-on over guard-off, pair by pair",
        };
        var truncate = new Option<bool>("--allow-sel-truncation")
        {
            Description = "when an atom has more neighbors than the model's sel, keep the nearest ones like DeePMD-kit instead of stopping "
                + "(DeePMD-kit's DPA-3 water example, a_sel 30 within 4 Å, overflows on liquid water)",
        };
        var cmd = new Command("bench", "Time energy+force+virial evaluations (neighbor list included) and report µs/atom-step")
        {
            model, structure, typeMap, replicate, backends, steps, warmup, shuffle, threads, compare, device, precisions, mdCompare, emulate, guardBench, truncate,
        };
        cmd.SetAction(p =>
        {
            var m = ModelLoader.Load(p.GetValue(model)!);
            var types = p.GetValue(typeMap)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var s0 = StructureReader.Read(p.GetValue(structure)!, types);
            if (p.GetValue(device)?.Trim().ToLowerInvariant() == "gpu")
            {
                var precisionList = p.GetValue(precisions)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                foreach (var size in (p.GetValue(replicate) ?? "4x4x4,8x8x8,18x18x16,37x37x38").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    var sized = Replicate(s0, size);
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"model {p.GetValue(model)} ({m.Descriptor.TypeName}{(m.Descriptor.IsCompressed ? ", compressed" : "")}, sel [{string.Join(",", m.Descriptor.Sel)}]); {size} = {sized.Count:N0} atoms"));
                    if (p.GetValue(mdCompare) is { } n) GpuMdCompare.Run(stdout, m, sized, precisionList, Math.Max(1, n), p.GetValue(compare) ?? "cpu-f64", p.GetValue(emulate));
                    else GpuMdBench.Run(stdout, m, sized, precisionList, Math.Max(1, p.GetValue(steps)), p.GetValue(emulate));
                    stdout.Flush();
                }
                return 0;
            }
            var s = Replicate(s0, p.GetValue(replicate) ?? "4x4x4");
            if (p.GetValue(shuffle))
            {
                var perm = Enumerable.Range(0, s.Count).ToArray();
                new Random(12345).Shuffle(perm);
                s = new Core.Atoms.Structure(perm.Select(i => s.Species[i]).ToArray(), perm.Select(i => s.X[i]).ToArray(),
                    perm.Select(i => s.Y[i]).ToArray(), perm.Select(i => s.Z[i]).ToArray(), s.Box, s.Source);
            }
            var t = s.TypesFor(m.TypeMap);
            var options = new EvaluationOptions
            {
                Threads = p.GetValue(threads),
                SelOverflow = p.GetValue(truncate) ? SelOverflowPolicy.Truncate : SelOverflowPolicy.Error,
            };
            var nsteps = Math.Max(1, p.GetValue(steps));
            var warmupSpec = p.GetValue(warmup)!.Trim().ToLowerInvariant();
            int? fixedWarmup = warmupSpec == "auto" ? null
                : int.TryParse(warmupSpec, NumberStyles.Integer, CultureInfo.InvariantCulture, out var wn) && wn >= 0 ? wn
                : throw new UserInputException($"--warmup wants auto or a non-negative number of evaluations, got '{warmupSpec}'");
            var threadCount = options.ParallelOptions().MaxDegreeOfParallelism is var d && d > 0 ? d : Environment.ProcessorCount;
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"model {p.GetValue(model)} ({m.Descriptor.TypeName}, sel [{string.Join(",", m.Descriptor.Sel)}], {m.ParameterCount:N0} parameters); {s.Count} atoms; {threadCount} threads; {WideVectors.Describe()}"));
            EvaluationResult? baseline = null;
            if (p.GetValue(compare) is { } baseName)
            {
                var baseEvaluator = BackendRegistry.Default.Create(m, baseName, out _);
                using (baseEvaluator as IDisposable)
                    baseline = baseEvaluator.Evaluate(t, CellListNeighborSearch.Build(s.X, s.Y, s.Z, s.Box, m.Cutoff), options);
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"baseline {baseEvaluator.Name}: energy {baseline.Energy:F6} eV"));
            }
            stdout.WriteLine("backend      µs/atom-step (median)   min      max      atom-steps/s   energy (eV)   device bytes/atom");
            var backendList = p.GetValue(device)?.Trim().ToLowerInvariant() switch
            {
                null => p.GetValue(backends)!,
                "cpu" => "cpu-f64,cpu-f32",
                var other => throw new UserInputException($"--device wants cpu or gpu, got '{other}'"),
            };
            foreach (var name in backendList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var evaluator = BackendRegistry.Default.Create(m, name, out _);
                using var owned = evaluator as IDisposable;
                var times = new List<double>();
                var evalTimes = new List<double>(); // without the (host) neighbor list
                var listTimes = new List<double>(); // the neighbor list alone
                var cpuTimes = new List<double>();  // process CPU time of the evaluation, all threads: robust on a busy machine
                Profile.Reset();
                double energy = 0;
                EvaluationResult? last = null;
                NeighborList? previous = null;
                // Warm-up: .NET compiles each method quickly first and recompiles hot ones optimised (with profile data) after
                // they have run a while, in the background; timing before that settles measured up to 25% slow (water,
                // float32 tables, 5 steps after one warm-up). Auto: until a whole evaluation triggered no compilation, and 3 s at least.
                var withGuard = p.GetValue(guardBench);
                var ab = Environment.GetEnvironmentVariable("DPSHARP_AB") == "1" || withGuard;
                var inspectTimes = new List<double>(); // the pair check after the evaluation, alone
                var guard = withGuard ? new Models.Coverage.ExtrapolationGuard(m, new Models.Coverage.GuardSettings()) : null;
                var guardOptions = guard?.Watch is { } watch ? options with { DescriptorWatch = watch } : options;
                // Guard on (B) or off (A): the guard's whole per-step work, descriptor watch and pair check, inside the timing.
                EvaluationResult Evaluate(NeighborList list, bool on)
                {
                    if (!on || guard is null) return evaluator.Evaluate(t, list, options);
                    guard.BeforeEvaluation();
                    var r = evaluator.Evaluate(t, list, guardOptions);
                    var inspect = Stopwatch.GetTimestamp();
                    guard.Inspect(t, list, maxDegreeOfParallelism: options.MaxDegreeOfParallelism());
                    inspectTimes.Add(Stopwatch.GetElapsedTime(inspect).TotalMicroseconds / s.Count);
                    return r;
                }
                var warmupClock = Stopwatch.StartNew();
                var warmups = 0;
                while (true)
                {
                    if (fixedWarmup is { } fw ? warmups >= fw : warmups >= 50 || (warmups >= 2 && warmupClock.Elapsed.TotalSeconds > 60)) break;
                    if (ab && !withGuard) Profile.Experiment = warmups % 2 == 1; // both variants warm up
                    var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
                    var nlw = CellListNeighborSearch.Build(s.X, s.Y, s.Z, s.Box, m.Cutoff, previous);
                    previous = nlw;
                    Evaluate(nlw, withGuard && warmups % 2 == 1);
                    warmups++;
                    // At least 3 s as well: the runtime promotes a method only after it has been called a while and 100 ms
                    // passed without new compilations, so one quiet evaluation can come before the promotions (seen: the
                    // neighbor list timed at 1.4-2.5 against 0.8 µs/atom-step after 3 warm-up evaluations).
                    if (fixedWarmup is null && warmups >= (ab ? 4 : 2) && warmupClock.Elapsed.TotalSeconds >= 3 &&
                        System.Runtime.JitInfo.GetCompiledMethodCount() == compiled) break;
                }
                Profile.Reset(); // the profile covers the timed steps only
                var abTimes = new List<double>[] { new(), new() };
                int[] gcBefore = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
                for (var k = 1; k <= nsteps; k++)
                {
                    if (ab && !withGuard) Profile.Experiment = k % 2 == 0;
                    var sw = Stopwatch.StartNew();
                    // As an MD run rebuilds its list: into the arrays of the previous one.
                    var nl = CellListNeighborSearch.Build(s.X, s.Y, s.Z, s.Box, m.Cutoff, previous);
                    previous = nl;
                    var evalStart = sw.Elapsed;
                    var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
                    last = Evaluate(nl, withGuard && k % 2 == 0);
                    var cpuSpent = Process.GetCurrentProcess().TotalProcessorTime - cpuStart;
                    energy = last.Energy;
                    sw.Stop();
                    times.Add(sw.Elapsed.TotalMicroseconds / s.Count);
                    abTimes[k % 2 == 0 ? 1 : 0].Add((sw.Elapsed - evalStart).TotalMicroseconds / s.Count);
                    evalTimes.Add((sw.Elapsed - evalStart).TotalMicroseconds / s.Count);
                    listTimes.Add(evalStart.TotalMicroseconds / s.Count);
                    cpuTimes.Add(cpuSpent.TotalMicroseconds / s.Count);
                }
                var gcs = Enumerable.Range(0, 3).Select(g => GC.CollectionCount(g) - gcBefore[g]).ToArray();
                times.Sort();
                evalTimes.Sort();
                listTimes.Sort();
                cpuTimes.Sort();
                var median = times[times.Count / 2];
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{evaluator.Name,-12} {median,12:F2} {times[0],14:F2} {times[^1],8:F2} {1e6 / median,14:N0}   {energy:F6}   {DeviceBytesPerAtom(evaluator, s.Count)}"));
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  evaluation alone (neighbor list excluded): {evalTimes[evalTimes.Count / 2]:F3} µs/atom-step, {1e6 / evalTimes[evalTimes.Count / 2]:N0} atom-steps/s; " +
                    $"CPU time {cpuTimes[cpuTimes.Count / 2]:F1} µs/atom-step summed over threads; neighbor list alone {listTimes[listTimes.Count / 2]:F2} µs/atom-step; " +
                    $"{nsteps} timed after {warmups} warm-up evaluation{(warmups == 1 ? "" : "s")}; garbage collections while timing: " +
                    $"{gcs[0]} gen0, {gcs[1]} gen1, {gcs[2]} gen2"));
                if (withGuard)
                {
                    var med = abTimes.Select(l => l.Order().ElementAt(l.Count / 2)).ToArray();
                    var ratios = Enumerable.Range(0, Math.Min(abTimes[0].Count, abTimes[1].Count)).Select(q => abTimes[1][q] / abTimes[0][q]).Order().ToList();
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  guard (evaluation alone, alternating): off {med[0]:F3}, on {med[1]:F3} µs/atom-step; on/off pair by pair median {ratios[ratios.Count / 2]:F4} (min {ratios[0]:F4}, max {ratios[^1]:F4}), " +
                        $"fastest on / fastest off {abTimes[1].Min() / abTimes[0].Min():F4}; pair check alone {inspectTimes.Order().ElementAt(inspectTimes.Count / 2):F4} µs/atom-step (median); " +
                        $"{guard!.Events} of {guard.Checked} guarded evaluations outside the training coverage ({guard.Watch?.SlowBatches ?? 0} batches scanned per center){(guard.Watch is null ? "; the model stores no descriptor ranges" : "")}"));
                }
                else if (ab)
                {
                    Profile.Experiment = false;
                    var med = abTimes.Select(l => l.Order().ElementAt(l.Count / 2)).ToArray();
                    var ratios = Enumerable.Range(0, Math.Min(abTimes[0].Count, abTimes[1].Count)).Select(q => abTimes[1][q] / abTimes[0][q]).Order().ToList();
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  A/B (DPSHARP_AB, evaluation alone): A {med[0]:F3}, B (experiment) {med[1]:F3} µs/atom-step; B/A pair by pair median {ratios[ratios.Count / 2]:F3} (min {ratios[0]:F3}, max {ratios[^1]:F3})"));
                }
                if (baseline is not null && last is not null)
                {
                    double df = 0, dv = 0;
                    for (var q = 0; q < last.Forces.Length; q++) df = Math.Max(df, Math.Abs(last.Forces[q] - baseline.Forces[q]));
                    for (var q = 0; q < 9; q++) dv = Math.Max(dv, Math.Abs(last.Virial[q] - baseline.Virial[q]));
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  vs baseline: |ΔE|/atom {Math.Abs(last.Energy - baseline.Energy) / s.Count:E3} eV, |ΔE|/|E| {Math.Abs(last.Energy - baseline.Energy) / Math.Max(1e-300, Math.Abs(baseline.Energy)):E3}, max |ΔF| {df:E3} eV/Å, max |ΔW| {dv:E3} eV"));
                }
                if (Profile.Enabled)
                {
                    var secs = Profile.Seconds();
                    var per = (double)nsteps * s.Count;
                    stdout.WriteLine((Profile.ThreadCpuTime ? "  thread CPU-µs per atom: " : "  thread-µs per atom (wall): ") + string.Join(", ", Profile.Stages.Select((st, q) => (st, q)).Where(p => secs[p.q] > 0)
                        .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.st} {secs[p.q] * 1e6 / per:F1}"))));
                }
            }
            return 0;
        });
        return cmd;
    }

    private static Core.Atoms.Structure Replicate(Core.Atoms.Structure s, string spec)
    {
        var rep = spec.Split('x');
        if (rep.Length != 3 || !rep.All(r => int.TryParse(r, out var v) && v > 0))
            throw new UserInputException($"--replicate wants AxBxC with positive integers, got '{spec}'");
        return s.Replicate(int.Parse(rep[0], CultureInfo.InvariantCulture), int.Parse(rep[1], CultureInfo.InvariantCulture), int.Parse(rep[2], CultureInfo.InvariantCulture));
    }

    /// <summary>Device memory per atom actually held by a GPU evaluator for this system (model buffers included), or "-".</summary>
    private static string DeviceBytesPerAtom(IModelEvaluator evaluator, int atoms) => evaluator switch
    {
        GpuSeAEvaluator<float> f => string.Create(CultureInfo.InvariantCulture, $"{(double)f.DeviceBytes / atoms:N0} (chunk {f.ChunkAtoms:N0} atoms at {f.DeviceBytesPerAtom:N0} B/atom)"),
        GpuSeAEvaluator<double> d => string.Create(CultureInfo.InvariantCulture, $"{(double)d.DeviceBytes / atoms:N0} (chunk {d.ChunkAtoms:N0} atoms at {d.DeviceBytesPerAtom:N0} B/atom)"),
        _ => "-",
    };

    private static string DefaultModel() => FindShipped("potentials/test-models/water-example-float32.dp");

    private static string DefaultStructure() => FindShipped("examples/water/water.lmp");

    /// <summary>Finds a shipped file relative to the current folder or its parents (the repository root).</summary>
    private static string FindShipped(string relative)
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            var p = Path.Combine(dir.FullName, relative);
            if (File.Exists(p)) return p;
        }
        return relative;
    }
}
