namespace DeepMD.Sharp.Tests.Models;

using System.Text.Json.Nodes;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Models.Linear;
using DeepMD.Sharp.Models.Serialization;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// DeePMD-kit's composite energy models (<c>zbl</c>: DP + pair table with the softmin switch; <c>linear_ener</c>: constant
/// weights) against DeePMD-kit's NumPy backend: tests/reference-cases/deepmd-kit-zbl (models built and written by
/// DeePMD-kit, values from its <c>call</c>; tools/deepmd-reference/zbl_reference.py), and against finite differences of
/// our own energy.
/// </summary>
public class LinearModelTests
{
    private static string Folder => RepoPaths.Get("tests", "reference-cases", "deepmd-kit-zbl");

    /// <summary>Files dpsharp combine wrote, loaded and evaluated by DeePMD-kit (tools/deepmd-reference/zbl_written_check.py).</summary>
    private static string WrittenFolder => RepoPaths.Get("tests", "reference-cases", "deepmd-kit-zbl-written");

    private static JsonArray Results(string? folder = null) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(folder ?? Folder, "expected.json")))!["results"]!.AsArray();

    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (var (folder, label) in new[] { ("deepmd-kit-zbl", "DeePMD-kit dpmodel"), ("deepmd-kit-zbl-written", "DeePMD-kit dpmodel on files dpsharp wrote") })
        {
            var results = Results(RepoPaths.Get("tests", "reference-cases", folder));
            for (var k = 0; k < results.Count; k++)
                // the CPU SIMD backend runs se_e2_a DP parts (the *_sea models); se_atten runs on the reference backend
                foreach (var backend in ((string)results[k]!["model"]!).Contains("_sea") ? new[] { "reference", "cpu-f64" } : ["reference"])
                    yield return new TestCaseData(folder, k, backend).SetName($"{label}: {results[k]!["name"]} ({backend})");
        }
    }

    private static (double[] X, double[] Y, double[] Z, int[] T, Box? Box) Structure(JsonNode c)
    {
        var coord = c["coord"]!.AsArray().Select(v => (double)v!).ToArray();
        var types = c["atype"]!.AsArray().Select(v => (int)v!).ToArray();
        var box = c["box"] is JsonArray b ? new Box(b.Select(v => (double)v!).ToArray()) : null;
        var n = types.Length;
        return (Enumerable.Range(0, n).Select(i => coord[3 * i]).ToArray(), Enumerable.Range(0, n).Select(i => coord[3 * i + 1]).ToArray(),
            Enumerable.Range(0, n).Select(i => coord[3 * i + 2]).ToArray(), types, box);
    }

    private static EvaluationResult Evaluate(IModelEvaluator ev, double[] x, double[] y, double[] z, int[] t, Box? box)
    {
        var nl = CellListNeighborSearch.Build(x, y, z, box, ev.Model.Cutoff);
        return ev.Evaluate(t, nl, new EvaluationOptions());
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesDeePMDKit(string folderName, int index, string backend)
    {
        var folder = RepoPaths.Get("tests", "reference-cases", folderName);
        var expected = Results(folder)[index]!;
        var model = ModelLoader.Load(Path.Combine(folder, (string)expected["model"]!));
        Assert.That(model.Linear, Is.Not.Null);
        if (backend != "reference")
            Assert.That(TestBackends.CpuSupports(model.Linear!.DpPart, out var why), Is.True, $"the CPU backend should run this DP part: {why}");
        var ev = TestBackends.Cpu.Create(model, backend, out var reason);
        TestContext.Out.WriteLine(reason);
        var (x, y, z, t, box) = Structure(expected);
        var r = Evaluate(ev, x, y, z, t, box);
        var n = t.Length;
        var e = (double)expected["energy"]!;
        var ae = expected["atom_energy"]!.AsArray().Select(v => (double)v!).ToArray();
        var f = expected["force"]!.AsArray().Select(v => (double)v!).ToArray();
        var de = Math.Abs(r.Energy - e);
        var dae = ae.Select((v, i) => Math.Abs(v - r.AtomEnergy[i])).Max();
        var df = f.Select((v, i) => Math.Abs(v - r.Forces[i])).Max();
        var dv = expected["virial"] is JsonArray vj ? vj.Select((v, i) => Math.Abs((double)v! - r.Virial[i])).Max() : 0;
        TestContext.Out.WriteLine($"|ΔE| {de:E2}  max|Δe_i| {dae:E2}  max|ΔF| {df:E2}  max|ΔW| {dv:E2}  (E = {e}, max|F| {f.Max(Math.Abs):F3})");
        Assert.That(de, Is.LessThan(1e-10 * Math.Max(1, Math.Abs(e))), "energy");
        Assert.That(dae, Is.LessThan(1e-10), "per-atom energy");
        // DeePMD-kit's forces and virials are five-point differences of its energy (~1e-9).
        Assert.That(df, Is.LessThan(1e-7), "forces");
        Assert.That(dv, Is.LessThan(1e-6), "virial");
        if (expected["zbl_weight"] is JsonArray wj)
        {
            var s = ((LinearEnergyEvaluator)ev).SwitchWeights.ToArray();
            var w = wj.Select(v => (double)v!).ToArray();
            Assert.That(s.Select((v, i) => Math.Abs(v - w[i])).Max(), Is.LessThan(1e-12), "switch weights (DeePMD-kit's zbl_weight)");
            // the case has atoms inside sw_rmin, in the switch and beyond sw_rmax
            Assert.That(w.Any(v => v == 1) && w.Any(v => v == 0) && w.Any(v => v > 0 && v < 1), Is.True, "all three regions are covered");
        }
        var sum = new double[9];
        for (var a = 0; a < n; a++)
            for (var q = 0; q < 9; q++) sum[q] += r.AtomVirial[9 * a + q];
        Assert.That(sum.Select((v, q) => Math.Abs(v - r.Virial[q])).Max(), Is.LessThan(1e-10), "per-atom virials sum to the virial");
    }

    /// <summary>
    /// The committed files DeePMD-kit checked are what <c>dpsharp combine</c> writes today: combining the same DP model and
    /// table again gives the same numbers; and the table splines in them are DeePMD-kit's (its PairTab from the same file).
    /// </summary>
    [Test]
    public void CombineWritesTheCheckedFiles()
    {
        var dir = RepoPaths.TempDir();
        var written = JsonNode.Parse(File.ReadAllText(Path.Combine(WrittenFolder, "expected.json")))!;
        Assert.That((double)written["tab_data_max_diff"]!, Is.LessThan(1e-10), "DeePMD-kit's PairTab on zbl_table.txt gives our splines");
        Assert.That((double)written["vdata_max_diff"]!, Is.LessThan(1e-12));
        var dpPath = Path.Combine(WrittenFolder, "dp.yaml");
        var table = Path.Combine(WrittenFolder, "zbl_table.txt");
        foreach (var (file, settings) in new[]
                 {
                     ("zbl_written.dp", new LinearModelWriter.Settings { Kind = LinearKind.Zbl, SwRmin = 0.8, SwRmax = 1.5 }),
                     ("linear_written.yaml", new LinearModelWriter.Settings { Weights = new[] { 0.6, 1.4 } }),
                 })
        {
            var again = Path.Combine(dir, file);
            ModelFile.Save(again, LinearModelWriter.Combine(ModelFile.Load(dpPath), dpPath, table, settings, out _));
            var expected = Results(WrittenFolder).First(c => (string)c!["model"]! == file)!;
            var (x, y, z, t, box) = Structure(expected);
            var a = ReferenceEvaluator.Evaluate(ModelLoader.Load(Path.Combine(WrittenFolder, file)), x, y, z, t, box);
            var b = ReferenceEvaluator.Evaluate(ModelLoader.Load(again), x, y, z, t, box);
            Assert.That(b.Energy, Is.EqualTo(a.Energy), file);
            Assert.That(b.Forces, Is.EqualTo(a.Forces), file);
        }
    }

    /// <summary>The .dp DeePMD-kit wrote and the .yaml of the same model give the same numbers; a .dp/.yaml we write too.</summary>
    [Test]
    public void DpAndYamlRoundTrip()
    {
        var expected = Results().First(c => (string)c!["model"]! == "zbl_atten.yaml")!;
        var (x, y, z, t, box) = Structure(expected);
        var reference = ReferenceEvaluator.Evaluate(ModelLoader.Load(Path.Combine(Folder, "zbl_atten.yaml")), x, y, z, t, box);
        var fromDp = ReferenceEvaluator.Evaluate(ModelLoader.Load(Path.Combine(Folder, "zbl_atten.dp")), x, y, z, t, box);
        Assert.That(fromDp.Energy, Is.EqualTo(reference.Energy), "DeePMD-kit's .dp and .yaml");
        Assert.That(fromDp.Forces, Is.EqualTo(reference.Forces));
        var dir = RepoPaths.TempDir();
        foreach (var ext in new[] { ".dp", ".yaml" })
        {
            var path = Path.Combine(dir, "written" + ext);
            ModelFile.Save(path, ModelFile.Load(Path.Combine(Folder, "zbl_atten.dp")));
            var again = ReferenceEvaluator.Evaluate(ModelLoader.Load(path), x, y, z, t, box);
            Assert.That(again.Energy, Is.EqualTo(reference.Energy), ext);
            Assert.That(again.Forces, Is.EqualTo(reference.Forces), ext);
            Assert.That(again.Virial, Is.EqualTo(reference.Virial), ext);
        }
    }

    /// <summary>Our table reader builds DeePMD-kit's splines: the table file of the cases gives the model's tab_data and vdata.</summary>
    [Test]
    public void TableFileGivesDeePMDKitsSplines()
    {
        var model = ModelLoader.Load(Path.Combine(Folder, "zbl_atten.yaml"));
        var stored = model.Linear!.PairTable;
        var built = PairTable.FromFile(Path.Combine(Folder, "table.txt"), stored.Rcut);
        Assert.That(built.SplineCount, Is.EqualTo(stored.SplineCount));
        Assert.That(built.Vdata.Shape, Is.EqualTo(stored.Vdata.Shape));
        var dv = built.Vdata.Data.Select((v, k) => Math.Abs(v - stored.Vdata.Data[k])).Max();
        var dt = built.TabData.Select((v, k) => Math.Abs(v - stored.TabData[k])).Max();
        TestContext.Out.WriteLine($"max|Δvdata| {dv:E2}  max|Δtab_data| {dt:E2}  (max |tab_data| {stored.TabData.Max(Math.Abs):E2})");
        Assert.That(dv, Is.LessThan(1e-12), "vdata (padded and extrapolated to rcut)");
        Assert.That(dt, Is.LessThan(1e-10), "spline coefficients");
        Assert.That(built.Warnings, Has.Some.Contains("extrapolated"), "DeePMD-kit warns that it extrapolates");
    }

    public static IEnumerable<TestCaseData> FdCases()
    {
        foreach (var model in new[] { "zbl_sea.yaml", "zbl_atten.yaml", "linear_sea.yaml" })
            foreach (var s in new[] { "pbc", "cluster" })
                yield return new TestCaseData(model, s).SetName($"Composite forces and virial = −dE (finite differences): {model} {s}");
    }

    /// <summary>Forces and virial against central differences of our energy at two step sizes.</summary>
    [TestCaseSource(nameof(FdCases))]
    public void ForcesAndVirialAreEnergyDerivatives(string file, string structure)
    {
        var expected = Results().First(c => (string)c!["name"]! == $"{Path.GetFileNameWithoutExtension(file)} {structure}")!;
        var model = ModelLoader.Load(Path.Combine(Folder, file));
        var ev = TestBackends.Cpu.Create(model, "reference", out _);
        var (x, y, z, t, box) = Structure(expected);
        var r = Evaluate(ev, x, y, z, t, box);
        var n = t.Length;
        foreach (var h in new[] { 1e-5, 2e-5 })
        {
            double maxDiff = 0;
            for (var i = 0; i < n; i++)
                for (var c = 0; c < 3; c++)
                {
                    double E(double d)
                    {
                        double[] xx = (double[])x.Clone(), yy = (double[])y.Clone(), zz = (double[])z.Clone();
                        (c == 0 ? xx : c == 1 ? yy : zz)[i] += d;
                        return Evaluate(ev, xx, yy, zz, t, box).Energy;
                    }
                    var fd = -(-E(2 * h) + 8 * E(h) - 8 * E(-h) + E(-2 * h)) / (12 * h);
                    maxDiff = Math.Max(maxDiff, Math.Abs(fd - r.Forces[3 * i + c]));
                }
            TestContext.Out.WriteLine($"h = {h}: max|F − FD| {maxDiff:E2}");
            Assert.That(maxDiff, Is.LessThan(1e-6), $"forces, step {h}");
            if (box is null) continue;
            double maxW = 0;
            for (var a = 0; a < 3; a++)
                for (var b = 0; b < 3; b++)
                {
                    double E(double d)
                    {
                        var s = new double[9] { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
                        s[3 * a + b] += d;
                        double[] xx = new double[n], yy = new double[n], zz = new double[n];
                        for (var k = 0; k < n; k++)
                        {
                            xx[k] = x[k] * s[0] + y[k] * s[3] + z[k] * s[6];
                            yy[k] = x[k] * s[1] + y[k] * s[4] + z[k] * s[7];
                            zz[k] = x[k] * s[2] + y[k] * s[5] + z[k] * s[8];
                        }
                        var m = box.Matrix.ToArray();
                        var hm = new double[9];
                        for (var row = 0; row < 3; row++)
                            for (var col = 0; col < 3; col++)
                                hm[3 * row + col] = m[3 * row] * s[col] + m[3 * row + 1] * s[3 + col] + m[3 * row + 2] * s[6 + col];
                        return Evaluate(ev, xx, yy, zz, t, new Box(hm)).Energy;
                    }
                    var fd = -(-E(2 * h) + 8 * E(h) - 8 * E(-h) + E(-2 * h)) / (12 * h);
                    maxW = Math.Max(maxW, Math.Abs(fd - r.Virial[3 * b + a]));
                }
            TestContext.Out.WriteLine($"h = {h}: max|W − FD| {maxW:E2}");
            Assert.That(maxW, Is.LessThan(1e-5), $"virial, step {h}");
        }
    }

    /// <summary>
    /// A dimer: the energy is continuous where the softmin distance (= r for one neighbor) crosses sw_rmin and sw_rmax and
    /// where r crosses the table's rcut (where the table was extrapolated to 0).
    /// </summary>
    [TestCase("zbl_sea.yaml", 0.8)]
    [TestCase("zbl_sea.yaml", 1.5)]
    [TestCase("zbl_sea.yaml", 4.0)]
    [TestCase("linear_sea.yaml", 4.0)]
    [TestCase("linear_sea.yaml", 2.5)]
    public void EnergyIsContinuous(string file, double r0)
    {
        var model = ModelLoader.Load(Path.Combine(Folder, file));
        var ev = TestBackends.Cpu.Create(model, "reference", out _);
        double E(double r) => Evaluate(ev, [0, r], [0, 0], [0, 0], [0, 0], null).Energy;
        const double d = 1e-9;
        var jump = Math.Abs(E(r0 + d) - E(r0 - d));
        var slope = Math.Abs(E(r0 + 1e-4) - E(r0 - 1e-4)) / 2e-4;
        TestContext.Out.WriteLine($"|E(r0+δ) − E(r0−δ)| = {jump:E2}, |dE/dr| ≈ {slope:E2}");
        Assert.That(jump, Is.LessThan(2 * d * slope + 1e-12), "no jump at r0");
    }

    [Test]
    public void BadTableNamesFileAndLine()
    {
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "bad.txt");
        File.WriteAllText(path, "# r e00 e01 e11\n0.1 1 2 3\n0.2 1 2 x\n");
        var ex = Assert.Throws<DeepMD.Sharp.Core.Errors.UserInputException>(() => PairTable.FromFile(path, 1.0))!;
        Assert.That(ex.Message + ex.File, Does.Contain("bad.txt"));
        Assert.That(ex.Line, Is.EqualTo(3));
        File.WriteAllText(path, "0.1 1 2\n0.2 1 2\n");
        ex = Assert.Throws<DeepMD.Sharp.Core.Errors.UserInputException>(() => PairTable.FromFile(path, 1.0))!;
        Assert.That(ex.Message, Does.Contain("columns"));
        File.WriteAllText(path, "0.1 1\n0.2 1\n0.35 1\n");
        ex = Assert.Throws<DeepMD.Sharp.Core.Errors.UserInputException>(() => PairTable.FromFile(path, 1.0))!;
        Assert.That(ex.Line, Is.EqualTo(3));
        Assert.That(ex.Message, Does.Contain("not uniform"));
    }
}
