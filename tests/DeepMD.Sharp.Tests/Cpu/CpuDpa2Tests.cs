namespace DeepMD.Sharp.Tests.Cpu;

using System.Text.Json.Nodes;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Cpu;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Backends;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Models.Loading;
using DeepMD.Sharp.Tests.Models;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// The CPU backend for DPA-2 (<see cref="CpuDpa2Evaluator{T}"/>) against the reference evaluator (itself checked against
/// DeePMD-kit and finite differences: <see cref="Dpa2DeePMDKitReferenceTests"/>, <see cref="Dpa2ReferenceTests"/>,
/// <see cref="Dpa2PhysicsTests"/>): random-weight models of every switch (those DeePMD-kit evaluated plus variants for
/// the remaining ones: concat type_one_side, non-smooth concat, exclusions of atom types and model-level pairs) and
/// DeePMD-kit's test model, float64 to 1e−10 relative and float32 within float32 round-off, with 1 and 3 threads
/// (identical), odd atom counts, a triclinic cell whose face distances are below the cutoffs, a cluster without PBC of a
/// subset of the type map, DeePMD-kit's per-atom virial, a larger system with a skin list; DeePMD-kit's own numbers on
/// the CPU backend; <c>auto</c> picks it.
/// </summary>
public class CpuDpa2Tests
{
    /// <summary>The random models: DeePMD-kit's five configurations and three more for the switches they leave off.</summary>
    public static IEnumerable<Dpa2Options> Configurations() => Dpa2PhysicsTests.Configurations().Concat(
    [
        new Dpa2Options
        {
            Name = "concat-one-side-not-smooth", TypeOneSide = true, Smooth = false, SqrtNnei = false, G1Attn = true, G2G1G1 = true,
            G2Attn = true, H2 = true, Gate = true, UpdateStyle = "res_incr", G1OutMlp = false,
        },
        new Dpa2Options { Name = "no-three-body-direct-dist", ThreeBody = false, DirectDist = true, Conv = false, Grrg = false, G2Attn = true, Layers = 1 },
        new Dpa2Options { Name = "excluded-atom-type-and-pair", Types = 3, G2G1G1 = true, G1Attn = true },
        // feature sizes and sel in whole SIMD vectors (512-bit float32 included), so the attention and symmetrisation
        // products take the SIMD GEMM paths rather than the loops
        new Dpa2Options
        {
            Name = "wide-all-attention", G1Dim = 16, G2Dim = 16, AttnHidden = 16, RepformerSel = 48, G1Attn = true, G2G1G1 = true, G2Attn = true,
            H2 = true, Smooth = false,
        },
    ]);

    public static IEnumerable<TestCaseData> Variants()
    {
        foreach (var o in Configurations())
        {
            yield return new TestCaseData(o, false).SetName($"cpu-f64 {o.Name}");
            yield return new TestCaseData(o, true).SetName($"cpu-f32 {o.Name}");
        }
    }

    /// <summary>A random model; the last variant also excludes atom type 1 (atom_exclude_types) and the pair (0, 2) at model level (pair_exclude_types).</summary>
    private static DeepPotModel Load(Dpa2Options o)
    {
        var tree = RandomDpa2Models.CreateTree(11, o);
        if (o.Name == "excluded-atom-type-and-pair")
        {
            var m = (Dictionary<string, object?>)tree["model"]!;
            m["atom_exclude_types"] = new List<object?> { 1L };
            m["pair_exclude_types"] = new List<object?> { new List<object?> { 0L, 2L } };
        }
        return ModelReader.FromTree(tree, $"random-dpa2-{o.Name}.yaml");
    }

    private static IModelEvaluator Cpu(DeepPotModel m, bool float32) => float32 ? new CpuDpa2Evaluator<float>(m) : new CpuDpa2Evaluator<double>(m);

    // float32: networks in float32 (ε = 6e−8) through the repinit block, the repformer layers and the fitting net; the
    // reference runs the same weights in double.
    private static double Tolerance(bool float32) => float32 ? 2e-4 : 1e-10;

    /// <summary>9 atoms (odd) in a triclinic cell whose face distances are below repinit's cutoff (4.5 Å); types 0/2 of three for the 3-type models.</summary>
    private static (double[] X, double[] Y, double[] Z, int[] T, Box Box) Periodic(int seed, int ntypes, int n = 9)
    {
        var rng = new Random(seed);
        var box = RandomStructures.TriclinicBox(rng, 4.2, 4.6);
        var (x, y, z, t) = RandomStructures.Atoms(rng, box, n, 2, minDist: 1.0);
        if (ntypes == 3) t = t.Select((_, i) => i % 3 == 0 ? 0 : i % 3 == 1 ? 2 : 1).ToArray();
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
        // The random models' forces are small (1e-5 to 1e-3 eV/Å: small random weights), but not zero.
        Assert.That(expected.Forces.Take(3 * n).Max(Math.Abs), Is.GreaterThan(1e-6), "forces should not be trivially zero");
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
    public void MatchesReferenceWithOneAndSeveralThreads(Dpa2Options o, bool float32)
    {
        var model = Load(o);
        var (x, y, z, t, box) = Periodic(5, o.Types);
        Assert.That(new[] { 0, 1, 2 }.Min(box.FaceDistance), Is.LessThan(model.Cutoff));
        var nl = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff);
        var reference = ReferenceEvaluator.Evaluate(model, t, nl);
        var cpu = Cpu(model, float32);
        var one = cpu.Evaluate(t, nl, new EvaluationOptions { Threads = 1 });
        AssertClose(reference, one, Tolerance(float32), "1 thread");
        var three = cpu.Evaluate(t, nl, new EvaluationOptions { Threads = 3 });
        AssertIdentical(one, three);
        AssertIdentical(one, cpu.Evaluate(t, nl, new EvaluationOptions { Threads = 1 })); // the evaluator keeps nothing stale
    }

    [TestCaseSource(nameof(Variants))]
    public void MatchesReferenceWithoutPbc(Dpa2Options o, bool float32)
    {
        var model = Load(o);
        var rng = new Random(3);
        // A 7-atom cluster; with three model types, types 0 and 2 only (a subset of the type map).
        var (x, y, z, t) = RandomStructures.Atoms(rng, Box.Orthorhombic(5, 5, 5), 7, 2, minDist: 1.0);
        if (o.Types == 3) t = t.Select((_, i) => i % 2 == 0 ? 0 : 2).ToArray();
        var nl = CellListNeighborSearch.Build(x, y, z, null, model.Cutoff);
        var reference = ReferenceEvaluator.Evaluate(model, t, nl);
        AssertClose(reference, Cpu(model, float32).Evaluate(t, nl, new EvaluationOptions()), Tolerance(float32), "cluster");
    }

    /// <summary>DeePMD-kit's per-atom virial (−Σ_i ∂e_i/∂x_k ⊗ (x_k − x_i)), which needs the atoms' positions.</summary>
    [TestCaseSource(nameof(Variants))]
    public void PerAtomVirialInDeePMDKitsFormMatchesReference(Dpa2Options o, bool float32)
    {
        var model = Load(o);
        var (x, y, z, t, box) = Periodic(7, o.Types);
        var nl = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff);
        var options = new EvaluationOptions { AtomPositions = ReferenceEvaluator.WrappedPositions(x, y, z, box), Threads = 2 };
        var reference = ReferenceEvaluator.Evaluate(model, t, nl, options);
        var pairForm = ReferenceEvaluator.Evaluate(model, t, nl);
        var change = reference.AtomVirial.Zip(pairForm.AtomVirial, (a, b) => Math.Abs(a - b)).Max() / reference.AtomVirial.Max(Math.Abs);
        TestContext.Out.WriteLine($"DeePMD-kit's form differs from the pair form by {change:E2} (relative)");
        Assert.That(change, Is.GreaterThan(1e-6), "the positions change the per-atom virial (message passing)");
        AssertClose(reference, Cpu(model, float32).Evaluate(t, nl, options), Tolerance(float32), "per-atom virial, DeePMD-kit's form");
    }

    /// <summary>More atoms than one chunk of every parallel sweep, a list with a skin (entries beyond every cutoff), 1 and 2 threads identical.</summary>
    [TestCase("like-deeppot_dpa", false)]
    [TestCase("like-deeppot_dpa", true)]
    [TestCase("all-attention-res_avg", false)]
    [TestCase("strip-not-smooth", true)]
    public void ManyAtomsWithSkinMatchReference(string name, bool float32)
    {
        var model = Load(Configurations().Single(c => c.Name == name));
        var rng = new Random(9);
        var box = RandomStructures.TriclinicBox(rng, 9.6, 10.2, tilt: 0.3);
        var (x, y, z, t) = RandomStructures.Atoms(rng, box, 101, 2, minDist: 1.4);
        var nl = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff + 1);
        var options = new EvaluationOptions { SelOverflow = SelOverflowPolicy.Truncate };
        var reference = ReferenceEvaluator.Evaluate(model, t, nl, options);
        var cpu = Cpu(model, float32);
        var one = cpu.Evaluate(t, nl, options with { Threads = 1 });
        AssertClose(reference, one, Tolerance(float32), "1 thread");
        AssertIdentical(one, cpu.Evaluate(t, nl, options with { Threads = 2 }));
    }

    /// <summary>A repformer sel smaller than the neighbors within its cutoff: the clear error, or DeePMD-kit's truncation when asked, as on the reference.</summary>
    [Test]
    public void SelTruncationMatchesReference()
    {
        var model = RandomDpa2Models.Create(51, new Dpa2Options { Name = "small-sel", RepformerSel = 4 });
        var (x, y, z, t, box) = Periodic(5, 2, 11);
        var nl = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff);
        var ex = Assert.Throws<DeepMD.Sharp.Core.Errors.UserInputException>(() => new CpuDpa2Evaluator<double>(model).Evaluate(t, nl, new EvaluationOptions()));
        Assert.That(ex!.Message, Does.Contain("keeps 4").And.Contain("--allow-sel-truncation"));
        var options = new EvaluationOptions { SelOverflow = SelOverflowPolicy.Truncate };
        AssertClose(ReferenceEvaluator.Evaluate(model, t, nl, options), new CpuDpa2Evaluator<double>(model).Evaluate(t, nl, options), 1e-10, "truncated");
    }

    /// <summary>DeePMD-kit's test model deeppot_dpa.yaml: DeePMD-kit's own numbers (its C++ test), and the reference with 1 and 3 threads.</summary>
    [TestCase(true, false)]
    [TestCase(false, false)]
    [TestCase(true, true)]
    [TestCase(false, true)]
    public void DeePMDKitTestModelMatchesDeePMDKit(bool pbc, bool float32)
    {
        var r = Dpa2ReferenceTests.EvaluateCase(pbc, m => Cpu(m, float32));
        Dpa2ReferenceTests.AssertMatchesDeePMDKit(r, pbc, float32 ? 2e-5 : 1e-10);
        var reference = Dpa2ReferenceTests.EvaluateCase(pbc);
        AssertClose(reference, r, Tolerance(float32), "deeppot_dpa");
    }

    [Test]
    public void DeePMDKitTestModelIsThreadIndependent()
    {
        var model = ModelLoader.Load(RepoPaths.TestModel("deeppot_dpa.yaml"));
        var rng = new Random(13);
        var box = RandomStructures.TriclinicBox(rng, 9.0, 9.5, tilt: 0.2);
        var (x, y, z, t) = RandomStructures.Atoms(rng, box, 23, 2, minDist: 1.8);
        var nl = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff);
        var options = new EvaluationOptions { SelOverflow = SelOverflowPolicy.Truncate, AtomPositions = ReferenceEvaluator.WrappedPositions(x, y, z, box) };
        var reference = ReferenceEvaluator.Evaluate(model, t, nl, options);
        foreach (var float32 in new[] { false, true })
        {
            var cpu = Cpu(model, float32);
            var one = cpu.Evaluate(t, nl, options with { Threads = 1 });
            AssertClose(reference, one, Tolerance(float32), float32 ? "cpu-f32" : "cpu-f64");
            AssertIdentical(one, cpu.Evaluate(t, nl, options with { Threads = 3 }));
        }
    }

    /// <summary>DeePMD-kit's numbers for the random models (<see cref="Dpa2DeePMDKitReferenceTests"/>) on the CPU backend.</summary>
    public static IEnumerable<TestCaseData> DeePMDKitCases()
    {
        foreach (var c in Dpa2DeePMDKitReferenceTests.Cases())
        {
            yield return new TestCaseData(c.Name, false).SetName($"cpu-f64 DeePMD-kit {c.Name}");
            yield return new TestCaseData(c.Name, true).SetName($"cpu-f32 DeePMD-kit {c.Name}");
        }
    }

    [TestCaseSource(nameof(DeePMDKitCases))]
    public void MatchesDeePMDKit(string name, bool float32)
    {
        var c = Dpa2DeePMDKitReferenceTests.Cases().Single(k => k.Name == name);
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(Dpa2DeePMDKitReferenceTests.Folder, "expected.json")))!.AsArray()
            .Single(e => (string)e!["name"]! == name)!;
        var model = ModelLoader.Load(Path.Combine(Dpa2DeePMDKitReferenceTests.Folder, c.Model));
        var n = c.Types.Length;
        var x = Enumerable.Range(0, n).Select(i => c.Coord[3 * i]).ToArray();
        var y = Enumerable.Range(0, n).Select(i => c.Coord[3 * i + 1]).ToArray();
        var z = Enumerable.Range(0, n).Select(i => c.Coord[3 * i + 2]).ToArray();
        var nl = CellListNeighborSearch.Build(x, y, z, c.Box is null ? null : new Box(c.Box), model.Cutoff);
        var r = Cpu(model, float32).Evaluate(c.Types, nl, new EvaluationOptions());
        var e = (double)expected["energy"]!;
        var ae = expected["atom_energy"]!.AsArray().Select(v => (double)v!).ToArray();
        var f = expected["force"]!.AsArray().Select(v => (double)v!).ToArray();
        TestContext.Out.WriteLine($"{name}: |ΔE| = {Math.Abs(r.Energy - e):E2}, max |Δe_i| = {ae.Zip(r.AtomEnergy).Max(p => Math.Abs(p.First - p.Second)):E2}, "
            + $"max |ΔF| = {f.Zip(r.Forces).Max(p => Math.Abs(p.First - p.Second)):E2}");
        // float64: DeePMD-kit's energies to round-off, its forces are five-point finite differences (~1e-9); float32: round-off.
        double eTol = float32 ? 2e-4 : 1e-10, fTol = float32 ? 2e-4 : 1e-8;
        var scale = Math.Max(1, ae.Max(Math.Abs));
        Assert.That(r.Energy, Is.EqualTo(e).Within(eTol * n * scale), "energy");
        Assert.That(r.AtomEnergy.Take(n), Is.EqualTo(ae).Within(eTol * scale), "per-atom energy");
        Assert.That(r.Forces.Take(3 * n), Is.EqualTo(f).Within(fTol * Math.Max(1, f.Max(Math.Abs))), "forces");
    }

    /// <summary>DPA-2 on a neighbor list over ghost atoms (a LAMMPS rank) is refused clearly, as on the reference backend.</summary>
    [Test]
    public void ListOverGhostAtomsIsRefusedClearly()
    {
        var model = RandomDpa2Models.Create(11, new Dpa2Options { Name = "ghosts" });
        int[] types = [0, 1, 1];
        var list = new NeighborList([0, 2, 3], [1, 2, 0], [1.5, 0, -1.5], [0, 2, 0], [0, 0, 0], RandomDpa2Models.RepinitRcut);
        var ex = Assert.Throws<DeepMD.Sharp.Core.Errors.UserInputException>(() => new CpuDpa2Evaluator<float>(model).Evaluate(types, list, new EvaluationOptions()));
        Assert.That(ex!.Message, Does.Contain("ghost atom").And.Contain("periodic box"));
    }

    /// <summary><c>auto</c> picks the CPU backend for every DPA-2 variant, in the model's precision; <c>cpu-f32</c> can be forced on a float64 model.</summary>
    [Test]
    public void AutoPicksTheCpuBackendInTheModelsPrecision()
    {
        var registry = new BackendRegistry();
        CpuBackends.Register(registry);
        var models = Configurations().Select(Load).Append(ModelLoader.Load(RepoPaths.TestModel("deeppot_dpa.yaml")));
        foreach (var model in models)
        {
            var evaluator = registry.Create(model, "auto", out var reason);
            if (BackendRegistry.IsFloat32(model)) Assert.That(evaluator, Is.InstanceOf<CpuDpa2Evaluator<float>>(), model.Source);
            else Assert.That(evaluator, Is.InstanceOf<CpuDpa2Evaluator<double>>(), model.Source);
            Assert.That(reason, Does.Contain("cpu-f"), model.Source);
        }
        var first = Load(Configurations().First());
        Assert.That(registry.Create(first, "cpu-f32", out _), Is.InstanceOf<CpuDpa2Evaluator<float>>());
        Assert.That(CpuDpa2Evaluator<double>.Supports(ModelLoader.Load(RepoPaths.Get("potentials", "water", "water.dp")), out var why), Is.False);
        Assert.That(why, Does.Contain("dpa2 evaluator"));
    }
}
