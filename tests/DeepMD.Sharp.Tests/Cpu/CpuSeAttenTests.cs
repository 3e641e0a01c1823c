namespace DeepMD.Sharp.Tests.Cpu;

using System.Text.Json.Nodes;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Cpu;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Backends;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Tests.Models;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// The CPU backend for DPA-1 (<see cref="CpuSeAttenEvaluator{T}"/>) against the reference evaluator (itself checked
/// against DeePMD-kit and finite differences): every switch of <see cref="SeAttenReferenceTests.Variants"/>, float64 to
/// 1e−10 relative and float32 within float32 round-off, with 1 and several threads, odd atom counts, a triclinic cell
/// whose face distance is below the cutoff, a cluster without PBC, types that are a subset of the type map; and the
/// DeePMD-kit reference cases run on the CPU backend.
/// </summary>
public class CpuSeAttenTests
{
    public static IEnumerable<TestCaseData> Variants()
    {
        foreach (var v in SeAttenReferenceTests.Variants())
        {
            var o = (AttentionModelOptions)v.Arguments[0]!;
            yield return new TestCaseData(o, false).SetName($"cpu-f64 {v.TestName}");
            yield return new TestCaseData(o, true).SetName($"cpu-f32 {v.TestName}");
        }
        // Concat mode whose first embedding layer has a residual (input 1 + 2·tebd = 9 → 9, then 9 → 18): the forward-mode
        // derivative must follow s through the identity and not the type-embedding inputs.
        AttentionModelOptions r = new() { Neuron = [9, 18], Axis = 4 };
        yield return new TestCaseData(r, false).SetName("cpu-f64 dpa1 concat, residual first embedding layer");
        yield return new TestCaseData(r, true).SetName("cpu-f32 dpa1 concat, residual first embedding layer");
        yield return new TestCaseData(r with { OneSide = true, Neuron = [5, 10] }, false).SetName("cpu-f64 dpa1 concat one-side, residual first embedding layer");
        // Zero davg (DeePMD-kit's DPA-1 default): the kernel leaves the padding slots out of the products (exact there).
        AttentionModelOptions z = new() { SetDavgZero = true };
        foreach (var f32 in new[] { false, true })
        {
            var p = f32 ? "cpu-f32" : "cpu-f64";
            yield return new TestCaseData(z with { Smooth = false }, f32).SetName($"{p} dpa1 set_davg_zero, masked attention (padding left out)");
            yield return new TestCaseData(z with { Exclude = [(0, 2)], Dotr = false }, f32).SetName($"{p} dpa1 set_davg_zero, smooth, exclude_types (padding left out)");
            yield return new TestCaseData(z with { Mode = "strip", OneSide = true, AttnLayers = 1, Normalize = false }, f32).SetName($"{p} dpa1 set_davg_zero strip one-side (padding left out)");
        }
    }

    /// <summary>13 atoms (odd), types 0 and 2 of three plus one of type 1, a triclinic cell with face distance below rcut (4 Å).</summary>
    private static (double[] X, double[] Y, double[] Z, int[] T, Box Box) Periodic(int seed, int n = 13)
    {
        var rng = new Random(seed);
        var box = RandomStructures.TriclinicBox(rng, 5.5, 6.5, tilt: 0.35);
        var (x, y, z, t) = RandomStructures.Atoms(rng, box, n, 2, minDist: 1.0);
        t = t.Select(v => v == 1 ? 2 : 0).ToArray();
        t[1] = 1;
        return (x, y, z, t, box);
    }

    private static IModelEvaluator Cpu(DeepPotModel m, bool float32) => float32 ? new CpuSeAttenEvaluator<float>(m) : new CpuSeAttenEvaluator<double>(m);

    /// <summary>Largest deviations relative to the largest magnitude of each quantity (energy: per atom).</summary>
    private static void AssertClose(EvaluationResult expected, EvaluationResult got, double tolerance, string what)
    {
        static double Rel(double[] a, double[] b, int n)
        {
            double scale = 0, err = 0;
            for (var i = 0; i < n; i++)
            {
                scale = Math.Max(scale, Math.Abs(a[i]));
                err = Math.Max(err, Math.Abs(a[i] - b[i]));
            }
            return err / Math.Max(scale, 1e-300);
        }
        var n = expected.AtomCount;
        var de = Math.Abs(expected.Energy - got.Energy) / Math.Max(1e-300, expected.AtomEnergy.Take(n).Max(Math.Abs));
        var dae = Rel(expected.AtomEnergy, got.AtomEnergy, n);
        var df = Rel(expected.Forces, got.Forces, 3 * n);
        var dv = Rel(expected.Virial, got.Virial, 9);
        var dav = Rel(expected.AtomVirial, got.AtomVirial, 9 * n);
        TestContext.Out.WriteLine($"{what}: relative max deviations E {de:E2}, e_i {dae:E2}, F {df:E2}, W {dv:E2}, w_i {dav:E2} (E = {expected.Energy:G10}, max|F| {expected.Forces.Take(3 * n).Max(Math.Abs):E2})");
        Assert.That(expected.Forces.Take(3 * n).Max(Math.Abs), Is.GreaterThan(1e-4), "forces should not be trivially zero");
        Assert.That(de, Is.LessThan(tolerance), $"{what}: energy");
        Assert.That(dae, Is.LessThan(tolerance), $"{what}: per-atom energy");
        Assert.That(df, Is.LessThan(tolerance), $"{what}: forces");
        Assert.That(dv, Is.LessThan(tolerance), $"{what}: virial");
        Assert.That(dav, Is.LessThan(tolerance), $"{what}: per-atom virial");
    }

    // float32: networks and attention in float32 (ε = 6e−8) through ~10 layers of products; the reference runs the same
    // weights in double.
    private static double Tolerance(bool float32) => float32 ? 2e-4 : 1e-10;

    [TestCaseSource(nameof(Variants))]
    public void MatchesReferenceWithOneAndSeveralThreads(AttentionModelOptions o, bool float32)
    {
        var model = RandomAttentionModels.Create(11, o);
        var (x, y, z, t, box) = Periodic(3);
        var nl = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff);
        var reference = ReferenceEvaluator.Evaluate(model, t, nl);
        var cpu = Cpu(model, float32);
        AssertClose(reference, cpu.Evaluate(t, nl, new EvaluationOptions { Threads = 1 }), Tolerance(float32), "1 thread");
        AssertClose(reference, cpu.Evaluate(t, nl, new EvaluationOptions { Threads = 3 }), Tolerance(float32), "3 threads");
    }

    [TestCaseSource(nameof(Variants))]
    public void MatchesReferenceWithoutPbc(AttentionModelOptions o, bool float32)
    {
        var model = RandomAttentionModels.Create(12, o);
        var rng = new Random(5);
        // A 9-atom cluster of types 0 and 2 only (a subset of the type map).
        var (x, y, z) = (RandomModels.Fill(rng, 9, 2.0), RandomModels.Fill(rng, 9, 2.0), RandomModels.Fill(rng, 9, 2.0));
        var t = Enumerable.Range(0, 9).Select(i => i % 2 == 0 ? 0 : 2).ToArray();
        var nl = CellListNeighborSearch.Build(x, y, z, null, model.Cutoff);
        var reference = ReferenceEvaluator.Evaluate(model, t, nl);
        AssertClose(reference, Cpu(model, float32).Evaluate(t, nl, new EvaluationOptions()), Tolerance(float32), "cluster");
    }

    /// <summary>
    /// More atoms than one batch (several batches per type, spread over threads), a list with a skin (entries beyond
    /// rcut), and sel 60 with 20-60 neighbors per atom: padding in every center.
    /// </summary>
    [TestCase(false)]
    [TestCase(true)]
    public void ManyAtomsWithSkinMatchReference(bool float32)
    {
        var model = RandomAttentionModels.Create(13, new AttentionModelOptions { Type = "se_atten_v2", Sel = 60, Types = ["O", "H"], Attn = 8, Neuron = [4, 8, 16], Axis = 4 });
        var rng = new Random(9);
        var box = RandomStructures.TriclinicBox(rng, 9.0, 10.0, tilt: 0.3);
        var (x, y, z, t) = RandomStructures.Atoms(rng, box, 101, 2, minDist: 1.2);
        var nl = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff + 1);
        var reference = ReferenceEvaluator.Evaluate(model, t, nl);
        var cpu = Cpu(model, float32);
        AssertClose(reference, cpu.Evaluate(t, nl, new EvaluationOptions { Threads = 1 }), Tolerance(float32), "1 thread");
        AssertClose(reference, cpu.Evaluate(t, nl, new EvaluationOptions { Threads = 2 }), Tolerance(float32), "2 threads");
    }

    /// <summary>The DeePMD-kit reference cases (<see cref="SeAttenDeePMDKitReferenceTests"/>) on the CPU backend, both precisions.</summary>
    public static IEnumerable<TestCaseData> DeePMDKitCases()
    {
        foreach (var c in SeAttenDeePMDKitReferenceTests.Cases())
        {
            yield return new TestCaseData(c.Arguments[0], c.Arguments[1], false).SetName($"cpu-f64 {c.TestName}");
            yield return new TestCaseData(c.Arguments[0], c.Arguments[1], true).SetName($"cpu-f32 {c.TestName}");
        }
    }

    [TestCaseSource(nameof(DeePMDKitCases))]
    public void MatchesDeePMDKit(string folderName, int index, bool float32)
    {
        var folder = RepoPaths.Get("tests", "reference-cases", folderName);
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "expected.json")))!["results"]![index]!;
        var input = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "cases.json")))!.AsArray()[index]!;
        var model = ModelLoader.Load(Path.Combine(folder, (string)input["model"]!));
        var coord = input["coord"]!.AsArray().Select(v => (double)v!).ToArray();
        var types = input["atype"]!.AsArray().Select(v => (int)v!).ToArray();
        var box = input["box"] is JsonArray b ? new Box(b.Select(v => (double)v!).ToArray()) : null;
        var n = types.Length;
        var truncate = input["truncate"] is JsonValue tv && (bool)tv;
        var options = new EvaluationOptions { SelOverflow = truncate ? SelOverflowPolicy.Truncate : SelOverflowPolicy.Error };
        var (xs, ys, zs) = (Enumerable.Range(0, n).Select(i => coord[3 * i]).ToArray(), Enumerable.Range(0, n).Select(i => coord[3 * i + 1]).ToArray(),
            Enumerable.Range(0, n).Select(i => coord[3 * i + 2]).ToArray());
        var nl = CellListNeighborSearch.Build(xs, ys, zs, box, model.Cutoff);
        var r = Cpu(model, float32).Evaluate(types, nl, options);
        // float64 networks: DeePMD-kit's energies to round-off, its forces/virials are its finite differences (~1e-9).
        // float32 networks: float32 round-off of the energy (a few eV) and of forces of order 1 eV/Å.
        var modelFloat32 = model.Descriptor.Precision == "float32";
        double eTol = float32 || modelFloat32 ? 2e-5 : 1e-10, fTol = float32 ? 2e-4 : 1e-8;
        var e = (double)expected["energy"]!;
        var ae = expected["atom_energy"]!.AsArray().Select(v => (double)v!).ToArray();
        var f = expected["force"] is JsonArray fj ? fj.Select(v => (double)v!).ToArray() : [];
        var de = Math.Abs(r.Energy - e);
        var dae = ae.Select((v, i) => Math.Abs(v - r.AtomEnergy[i])).Max();
        var df = f.Select((v, i) => Math.Abs(v - r.Forces[i])).DefaultIfEmpty(0).Max();
        var dv = expected["virial"] is JsonArray vj ? vj.Select((v, i) => Math.Abs((double)v! - r.Virial[i])).Max() : 0;
        TestContext.Out.WriteLine($"|ΔE| {de:E2}  max|Δe_i| {dae:E2}  max|ΔF| {df:E2}  max|ΔW| {dv:E2}  (E = {e})");
        Assert.That(de, Is.LessThan(eTol * Math.Max(1, Math.Abs(e))), "energy");
        Assert.That(dae, Is.LessThan(eTol * Math.Max(1, ae.Max(Math.Abs))), "per-atom energy");
        Assert.That(df, Is.LessThan(fTol), "forces");
        Assert.That(dv, Is.LessThan(fTol * 10), "virial");
    }

    /// <summary>
    /// DPA-2's repinit block (DeePMD-kit's DPA-2 test model, sel 108, concat, no attention layers) read as a
    /// <see cref="DeepMD.Sharp.Models.Descriptors.SeAttenBlock"/> runs on the same CPU kernel and matches the reference.
    /// </summary>
    [TestCase(false)]
    [TestCase(true)]
    public void Dpa2RepinitBlockRunsOnTheCpuKernel(bool float32)
    {
        var tree = DeepMD.Sharp.Models.Serialization.ModelFile.Load(RepoPaths.TestModel("deeppot_dpa.yaml"));
        var d = new DeepMD.Sharp.Models.Serialization.ModelNode(tree, "deeppot_dpa.yaml")["model"]["descriptor"];
        const int nt = 2;
        var tebd = DeepMD.Sharp.Models.Loading.ModelReader.ReadTypeEmbedding(d["type_embedding"], nt);
        var block = DeepMD.Sharp.Models.Loading.SeAttenReader.ReadBlock(d["repinit_args"], d["repinit_variable"], nt, tebd,
            d["smooth"].AsBool(), forceStrip: false, [], d["env_protection"].AsDouble());
        var spec = new DeepMD.Sharp.Models.Descriptors.SeAttenSpec("se_atten", block, concatOutputTebd: true);
        var rng = new Random(31);
        var net = RandomModels.Net(rng, spec.OutputSize, [6], "tanh", timestep: false, finalLinear: true, scale: 2.0);
        var fitting = new DeepMD.Sharp.Models.Fitting.EnergyFittingSpec(nt, spec.OutputSize, [net], true, [0.1, -0.2], 0, 0,
            null, null, null, null, null, null, false, [], "float64");
        var model = new DeepPotModel(new DeepMD.Sharp.Core.Atoms.TypeMap(["O", "H"]), spec, fitting, [0, 0], [], []);
        var box = RandomStructures.TriclinicBox(rng, 7.0, 8.0, tilt: 0.2);
        var (x, y, z, t) = RandomStructures.Atoms(rng, box, 15, 2, minDist: 1.0);
        var nl = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff);
        AssertClose(ReferenceEvaluator.Evaluate(model, t, nl), Cpu(model, float32).Evaluate(t, nl, new EvaluationOptions()), Tolerance(float32), "repinit");
    }

    /// <summary>
    /// A neighbor exactly at rcut (the switch is 0 there, so the attn_dotr direction r̂ = v/max(|v|, 1e−12) has v = 0):
    /// forces stay finite on both backends (dividing by |v| gave NaN forces in MD), agree, and are continuous with a
    /// neighbor 1e−7 Å inside rcut.
    /// </summary>
    [TestCase(false)]
    [TestCase(true)]
    public void NeighborExactlyAtRcutGivesFiniteContinuousForces(bool float32)
    {
        var model = RandomAttentionModels.Create(15, new AttentionModelOptions { Dotr = true });
        double[] x = [0, 4.0, 1.5, 2.5, 0.7], y = [0, 0, 1.2, -1.0, -0.9], z = [0, 0, 0.3, 0.8, -0.6];
        int[] t = [0, 2, 1, 0, 2];
        EvaluationResult At(double x1, IModelEvaluator? e)
        {
            var xs = (double[])x.Clone();
            xs[1] = x1;
            var nl = CellListNeighborSearch.Build(xs, y, z, null, model.Cutoff);
            return e is null ? ReferenceEvaluator.Evaluate(model, t, nl) : e.Evaluate(t, nl, new EvaluationOptions());
        }
        var cpu = Cpu(model, float32);
        var atRef = At(4.0, null);
        var atCpu = At(4.0, cpu);
        Assert.That(atRef.Forces.All(double.IsFinite) && atCpu.Forces.All(double.IsFinite), Is.True, "finite forces with a neighbor at rcut");
        AssertClose(atRef, atCpu, Tolerance(float32), "at rcut");
        var inside = At(4.0 - 1e-7, null);
        for (var q = 0; q < atRef.Forces.Length; q++)
            Assert.That(atRef.Forces[q], Is.EqualTo(inside.Forces[q]).Within(1e-6), $"force component {q} continuous at rcut");
    }

    [Test]
    public void AutomaticSelectionPicksTheCpuBackendForDpa1()
    {
        var registry = new BackendRegistry();
        CpuBackends.Register(registry);
        foreach (var type in new[] { "dpa1", "se_atten_v2" })
        {
            var model = RandomAttentionModels.Create(14, new AttentionModelOptions { Type = type });
            var evaluator = registry.Create(model, null, out var reason);
            TestContext.Out.WriteLine($"{type}: {evaluator.Name} ({reason})");
            Assert.That(evaluator, Is.InstanceOf<CpuSeAttenEvaluator<double>>(), type);
            Assert.That(registry.Create(model, "cpu-f32", out _), Is.InstanceOf<CpuSeAttenEvaluator<float>>(), type);
        }
    }
}

/// <summary>
/// Writes the benchmark model of docs/dpa.md: a se_atten_v2 model with DeePMD-kit's water-example hyper-parameters
/// (sel 120, rcut 6, rcut_smth 0.5, neuron [25, 50, 100], axis_neuron 16, attn 128, attn_layer 2, tebd_dim 8, fitting
/// [240, 240, 240], type_map O, H) and random weights, as a DeePMD-kit .dp file (about 5 MB, so not committed). Run by
/// hand: <c>DPSHARP_BENCH_MODEL=/tmp/se_atten_v2_water.dp dotnet test --filter FullyQualifiedName~WriteWaterSeAttenV2BenchModel</c>.
/// </summary>
public class SeAttenBenchModel
{
    public static AttentionModelOptions WaterExample => new()
    {
        Type = "se_atten_v2", Types = ["O", "H"], Sel = 120, Rcut = 6.0, RcutSmooth = 0.5, Neuron = [25, 50, 100], Axis = 16,
        Attn = 128, AttnLayers = 2, TebdDim = 8, FittingNeuron = [240, 240, 240], SetDavgZero = true,
    };

    [Test, Explicit("writes a 5 MB model file for dpsharp bench")]
    public void WriteWaterSeAttenV2BenchModel()
    {
        var path = Environment.GetEnvironmentVariable("DPSHARP_BENCH_MODEL") is { Length: > 0 } p ? p : Path.Combine(Path.GetTempPath(), "se_atten_v2_water.dp");
        DeepMD.Sharp.Models.Serialization.ModelFile.Save(path, RandomAttentionModels.Tree(2024, WaterExample));
        var model = ModelLoader.Load(path);
        TestContext.Out.WriteLine($"wrote {path}: {model.Descriptor.TypeName}, {model.ParameterCount:N0} parameters");
        Assert.That(model.Descriptor.Sel, Is.EqualTo(new[] { 120 }));
    }
}
