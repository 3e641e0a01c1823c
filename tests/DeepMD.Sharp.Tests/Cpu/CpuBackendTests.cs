namespace DeepMD.Sharp.Tests.Cpu;

using static DeepMD.Sharp.Tests.Support.BackendComparison;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Cpu;
using DeepMD.Sharp.IO;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// The CPU SIMD backend against the reference evaluator: odd sizes, triclinic cells, with and without periodic
/// boundaries, exclusions, both precisions, and any thread count. CI also runs these with AVX-512 and AVX2 switched
/// off (DOTNET_EnableAVX512F=0, DOTNET_EnableAVX2=0), so every vector width is exercised.
/// </summary>
public class CpuBackendTests
{
    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (var n in new[] { 1, 17, 1025 })
            foreach (var periodic in new[] { true, false })
                yield return new TestCaseData(n, periodic, true, null, null).SetName($"{n} atoms, {(periodic ? "triclinic PBC" : "no PBC")}, one-side");
        yield return new TestCaseData(17, true, false, new[] { (0, 1) }, null).SetName("17 atoms, two-side, exclude_types (0,1)");
        yield return new TestCaseData(17, true, false, null, new[] { (1, 2) }).SetName("17 atoms, two-side, pair_exclude_types (1,2)");
    }

    [TestCaseSource(nameof(Cases))]
    public void Float64MatchesReference(int n, bool periodic, bool oneSide, (int, int)[]? exclude, (int, int)[]? pairExclude)
    {
        var model = RandomModels.Create(31, "se_e2_a", ["O", "H", "C"], oneSide, exclude, sel: [40, 40, 40], pairExclude: pairExclude, uniformStats: true);
        var (x, y, z, t, box) = RandomSystem(n, n, 3, periodic);
        var nl = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff);
        var reference = ReferenceEvaluator.Evaluate(model, t, nl);
        var cpu = new CpuSeAEvaluator<double>(model).Evaluate(t, nl, new EvaluationOptions());
        AssertClose(reference, cpu, 1e-10, 1e-10);
    }

    /// <summary>
    /// The environment rows and pair gradients pick the switch's three regions lane by lane (r ≤ rcut_smth, between, and
    /// beyond rcut for a list with a skin). With rcut_smth = 3 Å most neighbors lie below it and the rest between, so
    /// vectors of columns mix the regions; the result must still match the reference.
    /// </summary>
    [Test]
    public void SwitchRegionsMixedInOneVectorMatchReference()
    {
        var model = RandomModels.Create(38, "se_e2_a", ["O", "H"], false, sel: [60, 60], rcut: 4.0, rcutSmooth: 3.0, uniformStats: true);
        var (x, y, z, t, box) = RandomSystem(11, 120, 2, true);
        var nl = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff + 1);
        var r = Enumerable.Range(0, nl.EntryCount).Select(e => Math.Sqrt(nl.Dx[e] * nl.Dx[e] + nl.Dy[e] * nl.Dy[e] + nl.Dz[e] * nl.Dz[e])).ToArray();
        Assert.That(r.Count(d => d <= 3.0), Is.GreaterThan(100), "pairs inside rcut_smth");
        Assert.That(r.Count(d => d > 3.0 && d < 4.0), Is.GreaterThan(100), "pairs in the switching region");
        Assert.That(r.Count(d => d > 4.0), Is.GreaterThan(100), "entries beyond rcut (skin)");
        var reference = ReferenceEvaluator.Evaluate(model, t, nl);
        AssertClose(reference, new CpuSeAEvaluator<double>(model).Evaluate(t, nl, new EvaluationOptions()), 1e-10, 1e-10);
    }

    [TestCase(17)]
    [TestCase(1025)]
    public void Float32IsWithinItsTolerance(int n)
    {
        var model = RandomModels.Create(32, "se_e2_a", ["O", "H"], false, sel: [60, 60], uniformStats: true);
        var (x, y, z, t, box) = RandomSystem(n + 1, n, 2, true);
        var nl = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff);
        var reference = ReferenceEvaluator.Evaluate(model, t, nl);
        var cpu = new CpuSeAEvaluator<float>(model).Evaluate(t, nl, new EvaluationOptions());
        Assert.That(cpu.Energy, Is.EqualTo(reference.Energy).Within(1e-6 * Math.Abs(reference.Energy)));
        Assert.That(cpu.Forces, Is.EqualTo(reference.Forces).Within(1e-4));
    }

    [Test]
    public void ResultsDoNotDependOnTheThreadCount()
    {
        var model = RandomModels.Create(33, "se_e2_a", ["O", "H"], true, sel: [60, 60], uniformStats: true);
        var (x, y, z, t, box) = RandomSystem(5, 400, 2, true);
        var nl = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff);
        var cpu = new CpuSeAEvaluator<double>(model);
        var one = cpu.Evaluate(t, nl, new EvaluationOptions { Threads = 1 });
        var many = cpu.Evaluate(t, nl, new EvaluationOptions { Threads = 4 });
        Assert.That(many.Energy, Is.EqualTo(one.Energy));
        Assert.That(many.Forces, Is.EqualTo(one.Forces));
        Assert.That(many.Virial, Is.EqualTo(one.Virial));
    }

    [Test]
    public void ResultsDoNotDependOnTheBatchOrder()
    {
        // Batches follow the neighbor list's spatial order; any order (or none) must give bit-identical results.
        var model = RandomModels.Create(34, "se_e2_a", ["O", "H"], false, sel: [60, 60], uniformStats: true);
        var (x, y, z, t, box) = RandomSystem(6, 300, 2, true);
        var nl = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff);
        Assert.That(nl.SpatialOrder, Is.Not.Null);
        foreach (var precision in new[] { "f64", "f32" })
        {
            IModelEvaluator cpu = precision == "f64" ? new CpuSeAEvaluator<double>(model) : new CpuSeAEvaluator<float>(model);
            var spatial = cpu.Evaluate(t, nl, new EvaluationOptions());
            var saved = nl.SpatialOrder;
            nl.SpatialOrder = null;
            var indexOrder = cpu.Evaluate(t, nl, new EvaluationOptions());
            nl.SpatialOrder = Enumerable.Range(0, t.Length).Reverse().ToArray();
            var reversed = cpu.Evaluate(t, nl, new EvaluationOptions());
            foreach (var other in new[] { indexOrder, reversed })
            {
                Assert.That(other.Energy, Is.EqualTo(spatial.Energy), precision);
                Assert.That(other.Forces, Is.EqualTo(spatial.Forces), precision);
                Assert.That(other.Virial, Is.EqualTo(spatial.Virial), precision);
                Assert.That(other.AtomEnergy, Is.EqualTo(spatial.AtomEnergy), precision);
            }
            nl.SpatialOrder = [.. Enumerable.Repeat(0, t.Length)];
            Assert.That(() => cpu.Evaluate(t, nl, new EvaluationOptions()), Throws.ArgumentException.With.Message.Contains("permutation"));
            nl.SpatialOrder = saved;
        }
    }

    /// <summary>
    /// The backend keeps its per-entry pair-gradient arrays between evaluations and writes each entry every time (zero
    /// for entries that contribute nothing). An evaluator that first ran on a list with a 3 Å skin, then on a list with a
    /// 2 Å skin of moved atoms (fewer entries, so the arrays are reused, and entries beyond the cutoff at indices that
    /// held real pairs before), with exclusions, must match a fresh evaluator and the reference: a stale gradient would
    /// show up as a wrong force.
    /// </summary>
    [TestCase("se_e2_a")]
    [TestCase("se_e2_r")]
    public void ReusedEvaluatorWritesEveryEntryOfAListWithASkin(string descriptor)
    {
        var model = RandomModels.Create(36, descriptor, ["O", "H", "C"], false, [(0, 1)], sel: [80, 80, 80],
            pairExclude: descriptor == "se_e2_a" ? [(1, 2)] : null, uniformStats: true);
        var (x, y, z, t, box) = RandomSystem(8, 200, 3, true);
        var reused = TestBackends.CreateCpu(model, float32: false);
        reused.Evaluate(t, CellListNeighborSearch.Build(x, y, z, box, model.Cutoff + 3), new EvaluationOptions());
        var rng = new Random(5);
        double[] Moved(double[] v) => v.Select(c => c + 0.3 * (rng.NextDouble() - 0.5)).ToArray();
        var (x1, y1, z1) = (Moved(x), Moved(y), Moved(z));
        var skin = CellListNeighborSearch.Build(x1, y1, z1, box, model.Cutoff + 2);
        Assert.That(Enumerable.Range(0, skin.EntryCount).Count(e => skin.Dx[e] * skin.Dx[e] + skin.Dy[e] * skin.Dy[e] + skin.Dz[e] * skin.Dz[e] > model.Cutoff * model.Cutoff),
            Is.GreaterThan(0), "the skin list has entries beyond the cutoff");
        var again = reused.Evaluate(t, skin, new EvaluationOptions());
        var fresh = TestBackends.CreateCpu(model, float32: false).Evaluate(t, skin, new EvaluationOptions());
        Assert.That(again.Forces, Is.EqualTo(fresh.Forces));
        Assert.That(again.Virial, Is.EqualTo(fresh.Virial));
        AssertClose(ReferenceEvaluator.Evaluate(model, t, skin), again, 1e-10, 1e-10);
    }

    /// <summary>
    /// The se_e2_a batches check sel overflow and overlapping atoms while gathering (no separate pass over the list);
    /// the outcome must be what the whole-list check gives: the same error naming the same atom, or under truncation the
    /// reference evaluator's result. The problem atom sits among 300 others, so it lands in one batch of several.
    /// </summary>
    [Test]
    public void SelOverflowAndOverlapsFoundInBatchesGiveTheWholeListOutcome()
    {
        var model = RandomModels.Create(37, "se_e2_a", ["O", "H"], false, sel: [60, 60], uniformStats: true);
        var (x, y, z, t, box) = RandomSystem(9, 300, 2, true);
        var cpu = new CpuSeAEvaluator<double>(model);
        var clean = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff);
        Assert.DoesNotThrow(() => cpu.Evaluate(t, clean, new EvaluationOptions()));

        // Overlap: atom 201 moved onto atom 57.
        var (ox, oy, oz) = ((double[])x.Clone(), (double[])y.Clone(), (double[])z.Clone());
        (ox[200], oy[200], oz[200]) = (ox[56], oy[56], oz[56]);
        var overlapping = CellListNeighborSearch.Build(ox, oy, oz, box, model.Cutoff);
        var want = Assert.Throws<DeepMD.Sharp.Core.Errors.UserInputException>(() => ReferenceEvaluator.Evaluate(model, t, overlapping));
        var got = Assert.Throws<DeepMD.Sharp.Core.Errors.UserInputException>(() => cpu.Evaluate(t, overlapping, new EvaluationOptions()));
        Assert.That(got!.Message, Is.EqualTo(want!.Message));

        // Sel overflow: a small sel for type O, so some atoms have more O neighbors than it.
        var small = RandomModels.Create(37, "se_e2_a", ["O", "H"], false, sel: [3, 60], uniformStats: true);
        var smallCpu = new CpuSeAEvaluator<double>(small);
        want = Assert.Throws<DeepMD.Sharp.Core.Errors.UserInputException>(() => ReferenceEvaluator.Evaluate(small, t, clean));
        got = Assert.Throws<DeepMD.Sharp.Core.Errors.UserInputException>(() => smallCpu.Evaluate(t, clean, new EvaluationOptions()));
        Assert.That(got!.Message, Is.EqualTo(want!.Message));
        var truncate = new EvaluationOptions { SelOverflow = SelOverflowPolicy.Truncate };
        var reference = ReferenceEvaluator.Evaluate(small, t, clean, truncate);
        var truncated = smallCpu.Evaluate(t, clean, truncate);
        Assert.That(truncated.Energy, Is.EqualTo(reference.Energy));
        Assert.That(truncated.Forces, Is.EqualTo(reference.Forces));
        // And the evaluator is still right on a clean list afterwards.
        AssertClose(ReferenceEvaluator.Evaluate(model, t, clean), cpu.Evaluate(t, clean, new EvaluationOptions()), 1e-10, 1e-10);
    }

    [Test]
    public void WaterExampleModelMatchesReference()
    {
        // DeePMD-kit's water example hyper-parameters (sel [46,92], embedding [25,50,100], axis 16, fitting [240]*3).
        var model = ModelLoader.Load(RepoPaths.TestModel("water-example-float32.dp"));
        var s = StructureReader.Read(RepoPaths.Get("examples", "water", "water.lmp"), ["O", "H"]);
        var t = s.TypesFor(model.TypeMap);
        var nl = CellListNeighborSearch.Build(s.X, s.Y, s.Z, s.Box, model.Cutoff);
        var reference = ReferenceEvaluator.Evaluate(model, t, nl);
        AssertClose(reference, new CpuSeAEvaluator<double>(model).Evaluate(t, nl, new EvaluationOptions()), 1e-10, 1e-10);
        var f32 = new CpuSeAEvaluator<float>(model).Evaluate(t, nl, new EvaluationOptions());
        Assert.That(f32.Energy, Is.EqualTo(reference.Energy).Within(1e-6 * Math.Abs(reference.Energy)));
        Assert.That(f32.Forces, Is.EqualTo(reference.Forces).Within(1e-4));
    }

    public static IEnumerable<TestCaseData> SeRCases()
    {
        yield return new TestCaseData(1, true, true, null).SetName("se_e2_r 1 atom, PBC, one-side");
        yield return new TestCaseData(17, false, true, null).SetName("se_e2_r 17 atoms, no PBC, one-side");
        yield return new TestCaseData(1025, true, false, new[] { (0, 1) }).SetName("se_e2_r 1025 atoms, PBC, two-side, exclude (0,1)");
    }

    [TestCaseSource(nameof(SeRCases))]
    public void SeE2RMatchesReference(int n, bool periodic, bool oneSide, (int, int)[]? exclude)
    {
        var model = RandomModels.Create(35, "se_e2_r", ["O", "H", "C"], oneSide, exclude, sel: [40, 40, 40], uniformStats: true);
        var (x, y, z, t, box) = RandomSystem(n + 7, n, 3, periodic);
        var nl = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff);
        var reference = ReferenceEvaluator.Evaluate(model, t, nl);
        AssertClose(reference, TestBackends.CreateCpu(model, float32: false).Evaluate(t, nl, new EvaluationOptions()), 1e-10, 1e-10);
        var f32 = TestBackends.CreateCpu(model, float32: true).Evaluate(t, nl, new EvaluationOptions());
        Assert.That(f32.Energy, Is.EqualTo(reference.Energy).Within(1e-6 * Math.Max(1, Math.Abs(reference.Energy))));
        Assert.That(f32.Forces, Is.EqualTo(reference.Forces).Within(1e-4));
    }

    [Test]
    public void DeePMDKitSeE2RTestModelRunsOnTheCpuBackend()
    {
        var model = ModelLoader.Load(RepoPaths.TestModel("deeppot-r.yaml"));
        Assert.That(TestBackends.CpuSupports(model, out var why), Is.True, why);
        var s = StructureReader.Read(RepoPaths.Get("examples", "water", "water.lmp"), ["O", "H"]);
        var t = s.TypesFor(model.TypeMap);
        var nl = CellListNeighborSearch.Build(s.X, s.Y, s.Z, s.Box, model.Cutoff);
        AssertClose(ReferenceEvaluator.Evaluate(model, t, nl), TestBackends.CreateCpu(model, false).Evaluate(t, nl, new EvaluationOptions()), 1e-10, 1e-10);
    }
}
