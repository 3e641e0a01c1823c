namespace DeepMD.Sharp.Tests.Cpu;

using System.Text.Json.Nodes;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Cpu;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Backends;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Models.Loading;
using DeepMD.Sharp.Models.Serialization;
using DeepMD.Sharp.Tests.Models;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// The CPU backend for DPA-3 (<see cref="CpuDpa3Evaluator{T}"/>) against the reference evaluator (itself checked against
/// DeePMD-kit and finite differences, <see cref="Dpa3DeePMDKitReferenceTests"/>, <see cref="Dpa3PhysicsTests"/>): the
/// random-weight models DeePMD-kit built for those tests (every switch the CPU backend supports) plus variants with the
/// water example's switches (silut, smooth edge update, edge_init_use_dist, exponential switch), float64 to 1e−10
/// relative and float32 within float32 round-off, with 1 and several threads (identical), odd atom counts, a triclinic
/// cell whose face distances are below e_rcut, a cluster without PBC of a subset of the type map, DeePMD-kit's per-atom
/// virial; DeePMD-kit's own numbers on the CPU backend; <c>auto</c> picks it.
/// </summary>
public class CpuDpa3Tests
{
    private static string Folder => Dpa3DeePMDKitReferenceTests.Folder;

    /// <summary>The models: DeePMD-kit's test models (all but the truncated one, which MatchesDeePMDKit covers) and the water-example variants.</summary>
    public static IEnumerable<string> ModelNames() =>
        ["dpa3_default", "dpa3_resavg_compress", "dpa3_resincr_split_exp", "dpa3_dynamic", "dpa3_sequential", "dpa3_noangle_float32", "water_switches", "split_silut_smooth"];

    public static IEnumerable<TestCaseData> Variants()
    {
        foreach (var m in ModelNames())
        {
            yield return new TestCaseData(m, false).SetName($"cpu-f64 {m}");
            yield return new TestCaseData(m, true).SetName($"cpu-f32 {m}");
        }
    }

    /// <summary>
    /// A model by name: one of DeePMD-kit's files, or a variant of one with the switches of DeePMD-kit's water example
    /// (these change no weight shapes): <c>water_switches</c> is the default model with silut:3, smooth edge update,
    /// edge_init_use_dist and the exponential switch; <c>split_silut_smooth</c> the split-compression model with silut:3
    /// and a smooth edge update.
    /// </summary>
    internal static DeepPotModel Load(string name)
    {
        if (name is not ("water_switches" or "split_silut_smooth"))
            return ModelLoader.Load(Path.Combine(Folder, name + ".yaml"));
        var tree = ModelFile.Load(Path.Combine(Folder, name == "water_switches" ? "dpa3_default.yaml" : "dpa3_resincr_split_exp.yaml"));
        var d = (Dictionary<string, object?>)((Dictionary<string, object?>)tree["model"]!)["descriptor"]!;
        var args = (Dictionary<string, object?>)d["repflow_args"]!;
        var layers = ((List<object?>)((Dictionary<string, object?>)d["repflow_variable"]!)["repflow_layers"]!).Cast<Dictionary<string, object?>>();
        d["activation_function"] = "silut:3.0";
        args["smooth_edge_update"] = true;
        foreach (var l in layers) l["smooth_edge_update"] = true;
        if (name == "water_switches")
        {
            args["edge_init_use_dist"] = true;
            args["use_exp_switch"] = true;
        }
        return ModelReader.FromTree(tree, name + ".yaml");
    }

    private static IModelEvaluator Cpu(DeepPotModel m, bool float32) => float32 ? new CpuDpa3Evaluator<float>(m) : new CpuDpa3Evaluator<double>(m);

    // float32: networks in float32 (ε = 6e−8) through two repflow layers and the fitting net; the reference runs the same
    // weights in double.
    private static double Tolerance(bool float32) => float32 ? 2e-4 : 1e-10;

    /// <summary>7 atoms (odd) of types 0 and 2 of three plus one of type 1, in a triclinic cell with face distances below e_rcut (4 Å).</summary>
    private static (double[] X, double[] Y, double[] Z, int[] T, Box Box) Periodic(int seed, int n = 7)
    {
        var rng = new Random(seed);
        var box = RandomStructures.TriclinicBox(rng, 3.8, 4.2);
        var (x, y, z, t) = RandomStructures.Atoms(rng, box, n, 2, minDist: 1.0);
        t = t.Select(v => v == 1 ? 2 : 0).ToArray();
        t[1] = 1;
        return (x, y, z, t, box);
    }

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

    private static void AssertIdentical(EvaluationResult a, EvaluationResult b)
    {
        Assert.That(b.Energy, Is.EqualTo(a.Energy));
        Assert.That(b.AtomEnergy, Is.EqualTo(a.AtomEnergy));
        Assert.That(b.Forces, Is.EqualTo(a.Forces));
        Assert.That(b.Virial, Is.EqualTo(a.Virial));
        Assert.That(b.AtomVirial, Is.EqualTo(a.AtomVirial));
    }

    [TestCaseSource(nameof(Variants))]
    public void MatchesReferenceWithOneAndSeveralThreads(string name, bool float32)
    {
        var model = Load(name);
        var (x, y, z, t, box) = Periodic(3);
        Assert.That(new[] { 0, 1, 2 }.Min(box.FaceDistance), Is.LessThan(model.Cutoff));
        var nl = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff);
        var reference = ReferenceEvaluator.Evaluate(model, t, nl);
        var cpu = Cpu(model, float32);
        var one = cpu.Evaluate(t, nl, new EvaluationOptions { Threads = 1 });
        AssertClose(reference, one, Tolerance(float32), "1 thread");
        var three = cpu.Evaluate(t, nl, new EvaluationOptions { Threads = 3 });
        AssertIdentical(one, three);
    }

    [TestCaseSource(nameof(Variants))]
    public void MatchesReferenceWithoutPbc(string name, bool float32)
    {
        var model = Load(name);
        var rng = new Random(5);
        // A 9-atom cluster of types 0 and 2 only (a subset of the type map).
        var (x, y, z) = (RandomModels.Fill(rng, 9, 2.0), RandomModels.Fill(rng, 9, 2.0), RandomModels.Fill(rng, 9, 2.0));
        var t = Enumerable.Range(0, 9).Select(i => i % 2 == 0 ? 0 : 2).ToArray();
        var nl = CellListNeighborSearch.Build(x, y, z, null, model.Cutoff);
        var reference = ReferenceEvaluator.Evaluate(model, t, nl);
        AssertClose(reference, Cpu(model, float32).Evaluate(t, nl, new EvaluationOptions()), Tolerance(float32), "cluster");
    }

    /// <summary>DeePMD-kit's per-atom virial (−Σ_i ∂e_i/∂x_k ⊗ (x_k − x_i)), which needs the atoms' positions.</summary>
    [TestCaseSource(nameof(Variants))]
    public void PerAtomVirialInDeePMDKitsFormMatchesReference(string name, bool float32)
    {
        var model = Load(name);
        var (x, y, z, t, box) = Periodic(7);
        var nl = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff);
        var options = new EvaluationOptions { AtomPositions = ReferenceEvaluator.WrappedPositions(x, y, z, box), Threads = 2 };
        var reference = ReferenceEvaluator.Evaluate(model, t, nl, options);
        var pairForm = ReferenceEvaluator.Evaluate(model, t, nl);
        Assert.That(reference.AtomVirial.Zip(pairForm.AtomVirial, (a, b) => Math.Abs(a - b)).Max(), Is.GreaterThan(1e-6),
            "the positions change the per-atom virial (message passing)");
        AssertClose(reference, Cpu(model, float32).Evaluate(t, nl, options), Tolerance(float32), "per-atom virial, DeePMD-kit's form");
    }

    /// <summary>More atoms than one chunk of the per-atom sweeps, a list with a skin (entries beyond e_rcut), 1 and 2 threads identical.</summary>
    [TestCase("water_switches", false)]
    [TestCase("water_switches", true)]
    [TestCase("dpa3_resavg_compress", false)]
    public void ManyAtomsWithSkinMatchReference(string name, bool float32)
    {
        var model = Load(name);
        var rng = new Random(9);
        var box = RandomStructures.TriclinicBox(rng, 7.6, 8.2, tilt: 0.3);
        var (x, y, z, t) = RandomStructures.Atoms(rng, box, 71, 3, minDist: 1.6);
        var nl = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff + 1);
        var options = new EvaluationOptions { SelOverflow = SelOverflowPolicy.Truncate };
        var reference = ReferenceEvaluator.Evaluate(model, t, nl, options);
        var cpu = Cpu(model, float32);
        var one = cpu.Evaluate(t, nl, options with { Threads = 1 });
        AssertClose(reference, one, Tolerance(float32), "1 thread");
        AssertIdentical(one, cpu.Evaluate(t, nl, options with { Threads = 2 }));
    }

    /// <summary>DeePMD-kit's own numbers (<see cref="Dpa3DeePMDKitReferenceTests"/>) on the CPU backend, both precisions.</summary>
    public static IEnumerable<TestCaseData> DeePMDKitCases()
    {
        foreach (var c in Dpa3DeePMDKitReferenceTests.Cases())
        {
            var index = (int)c.Arguments[0]!;
            yield return new TestCaseData(index, false).SetName($"cpu-f64 {c.TestName}");
            yield return new TestCaseData(index, true).SetName($"cpu-f32 {c.TestName}");
        }
    }

    /// <summary>
    /// An atom with no neighbor at all (no edges, no angles) in a cluster, and a model whose atom type 1 is excluded
    /// (atom_exclude_types: its energy is zero, it still passes messages).
    /// </summary>
    [TestCase(false)]
    [TestCase(true)]
    public void IsolatedAtomAndExcludedAtomTypeMatchReference(bool float32)
    {
        var tree = ModelFile.Load(Path.Combine(Folder, "dpa3_resavg_compress.yaml"));
        ((Dictionary<string, object?>)tree["model"]!)["atom_exclude_types"] = new List<object?> { 1L };
        var excluded = ModelReader.FromTree(tree, "excluded.yaml");
        var rng = new Random(11);
        var (x, y, z) = (RandomModels.Fill(rng, 8, 2.0), RandomModels.Fill(rng, 8, 2.0), RandomModels.Fill(rng, 8, 2.0));
        (x[7], y[7], z[7]) = (30.0, 30.0, 30.0); // far from every other atom
        int[] t = [0, 1, 2, 0, 1, 2, 0, 1];
        foreach (var model in new[] { Load("dpa3_default"), excluded })
        {
            var nl = CellListNeighborSearch.Build(x, y, z, null, model.Cutoff);
            var reference = ReferenceEvaluator.Evaluate(model, t, nl);
            var cpu = Cpu(model, float32).Evaluate(t, nl, new EvaluationOptions());
            AssertClose(reference, cpu, Tolerance(float32), model == excluded ? "type 1 excluded" : "isolated atom");
            if (model == excluded) Assert.That(cpu.AtomEnergy[1], Is.EqualTo(0.0));
        }
    }

    [TestCaseSource(nameof(DeePMDKitCases))]
    public void MatchesDeePMDKit(int index, bool float32)
    {
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "expected.json")))!["results"]![index]!;
        var (file, xs, ys, zs, types, box, truncate) = Dpa3DeePMDKitReferenceTests.Case(index);
        var model = ModelLoader.Load(Path.Combine(Folder, file));
        var n = types.Length;
        var nl = CellListNeighborSearch.Build(xs, ys, zs, box, model.Cutoff);
        var options = new EvaluationOptions { SelOverflow = truncate ? SelOverflowPolicy.Truncate : SelOverflowPolicy.Error };
        var r = Cpu(model, float32).Evaluate(types, nl, options);
        // float64 networks: DeePMD-kit's energies to round-off, its forces/virials are finite differences (~1e-9). float32
        // networks (either the model's or the cpu-f32 backend's): float32 round-off.
        var f32 = float32 || model.Descriptor.Precision == "float32";
        double eTol = f32 ? 2e-5 : 1e-12, fTol = f32 ? 2e-4 : 1e-8;
        var e = (double)expected["energy"]!;
        var ae = expected["atom_energy"]!.AsArray().Select(v => (double)v!).ToArray();
        var de = Math.Abs(r.Energy - e);
        var dae = ae.Select((v, i) => Math.Abs(v - r.AtomEnergy[i])).Max();
        var df = expected["force"] is JsonArray fj ? fj.Select((v, i) => Math.Abs((double)v! - r.Forces[i])).Max() : 0;
        var dv = expected["virial"] is JsonArray vj ? vj.Select((v, i) => Math.Abs((double)v! - r.Virial[i])).Max() : 0;
        TestContext.Out.WriteLine($"|ΔE| {de:E2}  max|Δe_i| {dae:E2}  max|ΔF| {df:E2}  max|ΔW| {dv:E2}  (E = {e}, {n} atoms)");
        Assert.That(de, Is.LessThan(eTol * Math.Max(1, Math.Abs(e))), "energy");
        Assert.That(dae, Is.LessThan(eTol * 10 * Math.Max(1, ae.Max(Math.Abs))), "per-atom energy");
        Assert.That(df, Is.LessThan(fTol), "forces");
        Assert.That(dv, Is.LessThan(fTol * 10), "virial");
    }

    /// <summary>
    /// <c>auto</c> picks the CPU backend for every DPA-3 switch (sequential_update included), in float32 for a model stored
    /// in float32; <c>cpu-f32</c> can be forced on a float64 model.
    /// </summary>
    [Test]
    public void AutoPicksTheCpuBackendInTheModelsPrecision()
    {
        var registry = new BackendRegistry();
        CpuBackends.Register(registry);
        foreach (var name in ModelNames().Append("dpa3_sel_trunc"))
        {
            var model = Load(name);
            var evaluator = registry.Create(model, "auto", out var reason);
            if (BackendRegistry.IsFloat32(model)) Assert.That(evaluator, Is.InstanceOf<CpuDpa3Evaluator<float>>(), name);
            else Assert.That(evaluator, Is.InstanceOf<CpuDpa3Evaluator<double>>(), name);
            Assert.That(reason, Does.Contain("cpu-f"), name);
        }
        Assert.That(registry.Create(Load("dpa3_default"), "cpu-f32", out _), Is.InstanceOf<CpuDpa3Evaluator<float>>());
        // DeePMD-kit's water example stores descriptor and fitting in float32: auto runs it in float32
        var tree = ModelFile.Load(Path.Combine(Folder, "dpa3_noangle_float32.yaml"));
        ((Dictionary<string, object?>)((Dictionary<string, object?>)tree["model"]!)["fitting"]!)["precision"] = "float32";
        Assert.That(registry.Create(ModelReader.FromTree(tree, "f32.yaml"), "auto", out _), Is.InstanceOf<CpuDpa3Evaluator<float>>());
        Assert.That(CpuDpa3Evaluator<double>.Supports(ModelLoader.Load(RepoPaths.Get("potentials", "water", "water.dp")), out var why), Is.False);
        Assert.That(why, Does.Contain("dpa3 evaluator"));
    }
}
