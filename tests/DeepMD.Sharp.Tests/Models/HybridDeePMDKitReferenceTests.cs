namespace DeepMD.Sharp.Tests.Models;

using System.Text.Json.Nodes;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Backends;
using DeepMD.Sharp.Models.Descriptors;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Models.Serialization;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// Hybrid-descriptor models (se_e2_a + se_atten, se_e2_r + se_atten_v2, se_e2_a + se_e2_r) built and written by DeePMD-kit
/// itself (get_model with seeded random weights, random statistics, save_dp_model) and evaluated by DeePMD-kit's NumPy
/// backend: tests/reference-cases/deepmd-kit-hybrid, written by tools/deepmd-reference/hybrid_reference.py (provenance in
/// the folder's PROVENANCE.md). Energies and per-atom energies are DeePMD-kit's own; its forces and virials are five-point
/// differences of its energy. Plus physics on our own energy (finite differences at two steps, the per-atom virial's
/// definition), thread independence, the backends' choice, sel overflow per sub-descriptor and refused parts.
/// </summary>
public class HybridDeePMDKitReferenceTests
{
    internal static string Folder => RepoPaths.Get("tests", "reference-cases", "deepmd-kit-hybrid");

    private static JsonArray Results() => JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "expected.json")))!["results"]!.AsArray();

    public static IEnumerable<TestCaseData> Cases()
    {
        var results = Results();
        for (var k = 0; k < results.Count; k++) yield return new TestCaseData(k).SetName($"DeePMD-kit dpmodel hybrid: {results[k]!["name"]}");
    }

    /// <summary>A case of cases.json: the model file and the structure.</summary>
    internal static (string Model, double[] X, double[] Y, double[] Z, int[] Types, Box? Box) Case(int index)
    {
        var input = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "cases.json")))!.AsArray()[index]!;
        var coord = input["coord"]!.AsArray().Select(v => (double)v!).ToArray();
        var types = input["atype"]!.AsArray().Select(v => (int)v!).ToArray();
        var box = input["box"] is JsonArray b ? new Box(b.Select(v => (double)v!).ToArray()) : null;
        var n = types.Length;
        return ((string)input["model"]!, Enumerable.Range(0, n).Select(i => coord[3 * i]).ToArray(), Enumerable.Range(0, n).Select(i => coord[3 * i + 1]).ToArray(),
            Enumerable.Range(0, n).Select(i => coord[3 * i + 2]).ToArray(), types, box);
    }

    private static int IndexOf(string name)
    {
        var results = Results();
        for (var k = 0; k < results.Count; k++)
            if ((string)results[k]!["name"]! == name) return k;
        throw new ArgumentException(name);
    }

    private static DeepPotModel Load(string file) => ModelLoader.Load(Path.Combine(Folder, file));

    [TestCaseSource(nameof(Cases))]
    public void MatchesDeePMDKit(int index)
    {
        var expected = Results()[index]!;
        var (file, xs, ys, zs, types, box) = Case(index);
        var model = Load(file);
        Assert.That(model.Descriptor, Is.InstanceOf<HybridSpec>());
        var n = types.Length;
        var r = ReferenceEvaluator.Evaluate(model, xs, ys, zs, types, box);
        var e = (double)expected["energy"]!;
        var ae = expected["atom_energy"]!.AsArray().Select(v => (double)v!).ToArray();
        var f = expected["force"]!.AsArray().Select(v => (double)v!).ToArray();
        var de = Math.Abs(r.Energy - e);
        var dae = ae.Select((v, i) => Math.Abs(v - r.AtomEnergy[i])).Max();
        Assert.That(f.Length, Is.EqualTo(3 * n));
        var df = f.Select((v, i) => Math.Abs(v - r.Forces[i])).Max();
        var dv = 0.0;
        if (expected["virial"] is JsonArray vj)
            dv = vj.Select((v, i) => Math.Abs((double)v! - r.Virial[i])).Max();
        TestContext.Out.WriteLine($"|ΔE| {de:E2}  max|Δe_i| {dae:E2}  max|ΔF| {df:E2}  max|ΔW| {dv:E2}  (E = {e})");
        // DeePMD-kit's energies to round-off; its forces and virials are finite differences (their own error ~1e-10).
        Assert.That(de, Is.LessThan(1e-12 * Math.Max(1, Math.Abs(e))), "energy");
        Assert.That(dae, Is.LessThan(1e-11), "per-atom energy");
        Assert.That(df, Is.LessThan(1e-8), "forces");
        Assert.That(dv, Is.LessThan(1e-7), "virial");
        // The per-atom energies and virials add up to the totals.
        Assert.That(r.AtomEnergy.Take(n).Sum(), Is.EqualTo(r.Energy).Within(1e-12 * Math.Max(1, Math.Abs(e))));
        for (var c = 0; c < 9; c++)
            Assert.That(Enumerable.Range(0, n).Sum(i => r.AtomVirial[9 * i + c]), Is.EqualTo(r.Virial[c]).Within(1e-11));
    }

    [Test]
    public void TheDpFileWrittenByDeePMDKitEqualsTheYaml()
    {
        var k = IndexOf("hybrid_sea_atten pbc");
        var (_, xs, ys, zs, types, box) = Case(k);
        var a = ReferenceEvaluator.Evaluate(Load("hybrid_sea_atten.yaml"), xs, ys, zs, types, box);
        var b = ReferenceEvaluator.Evaluate(Load("hybrid_sea_atten.dp"), xs, ys, zs, types, box);
        Assert.That(b.Energy, Is.EqualTo(a.Energy));
        Assert.That(b.Forces.ToArray(), Is.EqualTo(a.Forces.ToArray()));
        Assert.That((double)Results()[k]!["energy"]!, Is.EqualTo(b.Energy).Within(1e-12));
    }

    [TestCase("hybrid_sea_atten.yaml")]
    [TestCase("hybrid_ser_attenv2.yaml")]
    [TestCase("hybrid_sea_ser.yaml")]
    public void YamlAndDpRoundTripsKeepTheModel(string file)
    {
        var dir = RepoPaths.TempDir();
        try
        {
            var tree = ModelFile.Load(Path.Combine(Folder, file));
            var dp = Path.Combine(dir, "m.dp");
            var yaml = Path.Combine(dir, "m.yaml");
            ModelFile.Save(dp, tree);
            ModelFile.Save(yaml, ModelFile.Load(dp));
            var (_, xs, ys, zs, types, box) = Case(IndexOf(file.Replace(".yaml", "") + " pbc"));
            var a = ReferenceEvaluator.Evaluate(Load(file), xs, ys, zs, types, box);
            foreach (var path in new[] { dp, yaml })
            {
                var b = ReferenceEvaluator.Evaluate(ModelLoader.Load(path), xs, ys, zs, types, box);
                Assert.That(b.Energy, Is.EqualTo(a.Energy), path);
                Assert.That(b.Virial.ToArray(), Is.EqualTo(a.Virial.ToArray()), path);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Forces (every component) and all nine virial components against central differences of our own energy at two steps.</summary>
    [TestCase("hybrid_sea_atten pbc")]
    [TestCase("hybrid_ser_attenv2 pbc")]
    [TestCase("hybrid_sea_ser pbc")]
    [TestCase("hybrid_sea_ser no pbc")]
    public void ForcesAndVirialAreDerivativesOfTheEnergy(string name)
    {
        var (file, xs, ys, zs, types, box) = Case(IndexOf(name));
        var model = Load(file);
        var r = ReferenceEvaluator.Evaluate(model, xs, ys, zs, types, box);
        var n = types.Length;
        double Energy(double[] x, double[] y, double[] z, Box? b) => ReferenceEvaluator.Evaluate(model, x, y, z, types, b).Energy;
        double[][] pos = [xs, ys, zs];
        foreach (var h in new[] { 1e-4, 1e-5 })
        {
            for (var i = 0; i < n; i++)
                for (var a = 0; a < 3; a++)
                {
                    double Shifted(double s)
                    {
                        var moved = pos.Select(p => (double[])p.Clone()).ToArray();
                        moved[a][i] += s;
                        return Energy(moved[0], moved[1], moved[2], box);
                    }
                    var fd = -(Shifted(h) - Shifted(-h)) / (2 * h);
                    Assert.That(r.Forces[3 * i + a], Is.EqualTo(fd).Within(h == 1e-4 ? 1e-6 : 1e-7), $"h {h} atom {i} component {a}");
                }
            if (box is null) continue;
            for (var a = 0; a < 3; a++)
                for (var b = 0; b < 3; b++)
                {
                    double Strained(double s)
                    {
                        var m = new double[9];
                        for (var q = 0; q < 3; q++) m[4 * q] = 1;
                        m[3 * a + b] += s;
                        double[] x = new double[n], y = new double[n], z = new double[n];
                        for (var i = 0; i < n; i++)
                        {
                            // row vector times the strain matrix, as x' = x (1 + ε)
                            x[i] = xs[i] * m[0] + ys[i] * m[3] + zs[i] * m[6];
                            y[i] = xs[i] * m[1] + ys[i] * m[4] + zs[i] * m[7];
                            z[i] = xs[i] * m[2] + ys[i] * m[5] + zs[i] * m[8];
                        }
                        var h0 = box!.Matrix.ToArray();
                        var cell = new double[9];
                        for (var row = 0; row < 3; row++)
                            for (var col = 0; col < 3; col++)
                                for (var q = 0; q < 3; q++) cell[3 * row + col] += h0[3 * row + q] * m[3 * q + col];
                        return Energy(x, y, z, new Box(cell));
                    }
                    var fd = -(Strained(h) - Strained(-h)) / (2 * h); // dE/dε_ab = −W[b][a]
                    Assert.That(r.Virial[3 * b + a], Is.EqualTo(fd).Within(h == 1e-4 ? 1e-5 : 1e-6), $"h {h} virial {b}{a}");
                }
        }
    }

    /// <summary>DeePMD-kit's per-atom virial w_k = −Σ_i ∂e_i/∂x_k ⊗ (x_k − x_i), from differences of every per-atom energy (no PBC).</summary>
    [TestCase("hybrid_sea_atten no pbc")]
    [TestCase("hybrid_ser_attenv2 no pbc")]
    public void PerAtomVirialIsDeePMDKitsDefinition(string name)
    {
        var (file, xs, ys, zs, types, _) = Case(IndexOf(name));
        var model = Load(file);
        var n = types.Length;
        var r = ReferenceEvaluator.Evaluate(model, xs, ys, zs, types, null);
        double[][] pos = [xs, ys, zs];
        const double h = 1e-5;
        var expected = new double[9 * n];
        for (var k = 0; k < n; k++)
            for (var a = 0; a < 3; a++)
            {
                double[] AtomEnergies(double s)
                {
                    var moved = pos.Select(p => (double[])p.Clone()).ToArray();
                    moved[a][k] += s;
                    return ReferenceEvaluator.Evaluate(model, moved[0], moved[1], moved[2], types, null).AtomEnergy.ToArray();
                }
                var plus = AtomEnergies(h);
                var minus = AtomEnergies(-h);
                for (var i = 0; i < n; i++)
                {
                    var de = (plus[i] - minus[i]) / (2 * h);
                    for (var b = 0; b < 3; b++) expected[9 * k + 3 * a + b] -= de * (pos[b][k] - pos[b][i]);
                }
            }
        Assert.That(r.AtomVirial.Take(9 * n).ToArray(), Is.EqualTo(expected).Within(1e-7));
    }

    /// <summary>The reference backend with 1 and 3 threads gives bit-identical results (and so does a permuted schedule).</summary>
    [TestCase("hybrid_sea_atten pbc")]
    [TestCase("hybrid_sea_ser pbc")]
    public void OneAndSeveralThreadsGiveIdenticalResults(string name)
    {
        var (file, xs, ys, zs, types, box) = Case(IndexOf(name));
        var model = Load(file);
        var one = ReferenceEvaluator.Evaluate(model, xs, ys, zs, types, box, new EvaluationOptions { Threads = 1 });
        var three = ReferenceEvaluator.Evaluate(model, xs, ys, zs, types, box, new EvaluationOptions { Threads = 3 });
        Assert.That(three.Energy, Is.EqualTo(one.Energy));
        Assert.That(three.Forces.ToArray(), Is.EqualTo(one.Forces.ToArray()));
        Assert.That(three.AtomVirial.ToArray(), Is.EqualTo(one.AtomVirial.ToArray()));
    }

    [Test]
    public void AutoPicksTheReferenceBackendAndTheCpuBackendSaysWhy()
    {
        var model = Load("hybrid_sea_atten.yaml");
        using (BackendRegistry.Default.Create(model, "auto", out var why) as IDisposable)
            Assert.That(why, Does.StartWith("reference").And.Contain("hybrid"));
        var ex = Assert.Throws<UserInputException>(() => BackendRegistry.Default.Create(model, "cpu", out _));
        Assert.That(ex!.Message, Does.Contain("hybrid"));
        // Through the registry the reference backend gives DeePMD-kit's energy.
        var (_, xs, ys, zs, types, box) = Case(IndexOf("hybrid_sea_atten pbc"));
        var evaluator = BackendRegistry.Default.Create(model, "reference", out _);
        var r = new EvaluationResult();
        evaluator.Evaluate(types, DeepMD.Sharp.Core.Neighbors.CellListNeighborSearch.Build(xs, ys, zs, box, model.Cutoff), new EvaluationOptions(), r);
        (evaluator as IDisposable)?.Dispose();
        Assert.That(r.Energy, Is.EqualTo((double)Results()[IndexOf("hybrid_sea_atten pbc")]!["energy"]!).Within(1e-12));
    }

    [Test]
    public void SubDescriptorSelOverflowIsAnErrorNamingItUnlessTruncationIsAsked()
    {
        // The 13-atom cell shrunk by 0.93: an O atom has 15 O neighbors within the se_e2_a part's rcut (3 Å, sel [14, 14, 10]),
        // while every atom has at most 75 neighbors within the se_atten part's rcut (4 Å, sel 88).
        var (_, xs, ys, zs, types, box) = Case(IndexOf("hybrid_sea_atten pbc"));
        var model = Load("hybrid_sea_atten.yaml");
        var (x, y, z, t, b) = Shrunk(xs, ys, zs, types, box!, 0.93);
        var ex = Assert.Throws<UserInputException>(() => ReferenceEvaluator.Evaluate(model, x, y, z, t, b));
        Assert.That(ex!.Message, Does.Contain("sub-descriptor 0 (se_e2_a)").And.Contain("neighbors of type O").And.Contain("--allow-sel-truncation"));
        var r = ReferenceEvaluator.Evaluate(model, x, y, z, t, b, new EvaluationOptions { SelOverflow = SelOverflowPolicy.Truncate });
        Assert.That(double.IsFinite(r.Energy), Is.True);
    }

    private static (double[], double[], double[], int[], Box) Shrunk(double[] xs, double[] ys, double[] zs, int[] types, Box box, double s)
    {
        var m = box.Matrix.ToArray().Select(v => v * s).ToArray();
        return (xs.Select(v => v * s).ToArray(), ys.Select(v => v * s).ToArray(), zs.Select(v => v * s).ToArray(), types, new Box(m));
    }

    /// <summary>
    /// The extrapolation guard's descriptor ranges cover the concatenated descriptor (every part's columns): recorded on a
    /// frame, the same frame is inside them and a compressed copy is outside.
    /// </summary>
    [Test]
    public void GuardRangesCoverTheConcatenatedDescriptor()
    {
        var (_, xs, ys, zs, types, box) = Case(IndexOf("hybrid_sea_atten pbc"));
        var model = Load("hybrid_sea_atten.yaml");
        var builder = new DeepMD.Sharp.Models.Coverage.CoverageBuilder(new ReferenceBackend(model));
        builder.Add(xs, ys, zs, types, box);
        var coverage = builder.Build();
        Assert.That(coverage.DescriptorMin!.GetLength(1), Is.EqualTo(model.Descriptor.OutputSize));
        var h = (HybridSpec)model.Descriptor;
        // Both parts' columns vary over the frame's type-0 atoms (the ranges are not empty on either side of the split).
        foreach (var (lo, hi) in new[] { (0, h.OutputStart[1]), (h.OutputStart[1], h.OutputStart[2]) })
            Assert.That(Enumerable.Range(lo, hi - lo).Any(k => coverage.DescriptorMax![0, k] > coverage.DescriptorMin![0, k]), Is.True);

        int Outside(double s)
        {
            var (x, y, z, t, b) = Shrunk(xs, ys, zs, types, box!, s);
            var watch = DeepMD.Sharp.Models.Coverage.DescriptorWatch.Checker(coverage, 0.25);
            var list = DeepMD.Sharp.Core.Neighbors.CellListNeighborSearch.Build(x, y, z, b, model.Cutoff);
            ReferenceEvaluator.Evaluate(model, t, list, new EvaluationOptions { DescriptorWatch = watch, SelOverflow = SelOverflowPolicy.Truncate });
            return watch.OutsideCount;
        }
        Assert.That(Outside(1.0), Is.EqualTo(0));
        Assert.That(Outside(0.85), Is.GreaterThan(0));
    }

    [Test]
    public void MessagePassingPartsAndNestedHybridsAreRefusedClearly()
    {
        var tree = ModelFile.Load(Path.Combine(Folder, "hybrid_sea_ser.yaml"));
        var model = (Dictionary<string, object?>)tree["model"]!;
        var descriptor = (Dictionary<string, object?>)model["descriptor"]!;
        var list = (List<object?>)descriptor["list"]!;
        list.Add(new Dictionary<string, object?> { ["@class"] = "Descriptor", ["type"] = "hybrid", ["@version"] = 1L, ["list"] = new List<object?> { list[0] } });
        var ex = Assert.Throws<UserInputException>(() => DeepMD.Sharp.Models.Loading.ModelReader.FromTree(tree, "nested.yaml"));
        Assert.That(ex!.Message, Does.Contain("hybrid descriptor inside a hybrid"));

        var dpa3 = ModelFile.Load(RepoPaths.Get("tests", "reference-cases", "deepmd-kit-dpa3", "dpa3_default.yaml"));
        list.RemoveAt(list.Count - 1);
        list.Add(((Dictionary<string, object?>)dpa3["model"]!)["descriptor"]);
        ex = Assert.Throws<UserInputException>(() => DeepMD.Sharp.Models.Loading.ModelReader.FromTree(tree, "with-dpa3.yaml"));
        Assert.That(ex!.Message, Does.Contain("'dpa3' inside a hybrid descriptor is not supported"));
    }
}
