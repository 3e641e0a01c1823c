namespace DeepMD.Sharp.Tests.Models;

using System.Text.Json.Nodes;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Cpu;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Compression;
using DeepMD.Sharp.Models.Descriptors;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Models.Loading;
using DeepMD.Sharp.Models.Serialization;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// Compressed DPA-1 (se_atten / se_atten_v2 in strip mode, DeePMD-kit's <c>dp compress</c>): the models in
/// tests/reference-cases/deepmd-kit-dpa1-compressed were built, compressed and written by DeePMD-kit itself
/// (tools/deepmd-reference/dpa1_compressed_by_deepmd.py), beside their uncompressed twins. DeePMD-kit's energies of the
/// compressed files are checked in <see cref="SeAttenDeePMDKitReferenceTests"/> (reference backend) and
/// <c>CpuSeAttenTests.MatchesDeePMDKit</c> (CPU backend); here: our compressor against DeePMD-kit's tables, the tables
/// against the nets, forces and virial against finite differences of the compressed energy, and refusals.
/// </summary>
public class SeAttenCompressionTests
{
    private static string Folder => RepoPaths.Get("tests", "reference-cases", "deepmd-kit-dpa1-compressed");

    private static readonly string[] Names = ["v2_attn0", "strip_oneside_attn0", "v2_attn2", "v2_attn0_float32"];

    private static SeAttenBlock Block(DeepPotModel m) => ((SeAttenSpec)m.Descriptor).Block;

    [TestCaseSource(nameof(Names))]
    public void OurCompressionGivesDeePMDKitsTables(string name)
    {
        var source = Path.Combine(Folder, name + ".dp");
        var tree = ModelFile.Load(source);
        var ours = Block(ModelCompressor.Compress(tree, source, new ModelCompressor.Settings())); // min_nbor_dist from the file
        var theirs = Block(ModelLoader.Load(Path.Combine(Folder, name + "_compressed.dp")));
        var float32 = name.EndsWith("float32", StringComparison.Ordinal);
        Assert.Multiple(() =>
        {
            Assert.That(ours.TypeEmbeddingCompressed && theirs.TypeEmbeddingCompressed, "type_embd_data on both sides");
            Assert.That(ours.StripTable, Is.EqualTo(theirs.StripTable).Within(float32 ? 1e-6 : 1e-13), "type_embd_data");
            Assert.That(ours.RadialTable is null, Is.EqualTo(theirs.RadialTable is null), "geo_compress");
        });
        if (theirs.RadialTable is not { } t) return;
        var o = ours.RadialTable!;
        Assert.That(o.Info, Is.EqualTo(t.Info), "compress_info: lower, upper, table max, strides, check frequency");
        Assert.That(o.SplineCount, Is.EqualTo(t.SplineCount), "intervals");
        // The quintic's top coefficients cancel catastrophically (÷ stride⁵), so they are compared through the values they
        // give; DeePMD-kit builds a float32 model's table in float32 (round-off ~1e-6), ours in double.
        var rng = new Random(5);
        var (va, da, vb, db) = (new double[t.Channels], new double[t.Channels], new double[t.Channels], new double[t.Channels]);
        double worst = 0, worstSlope = 0;
        for (var k = 0; k < 4000; k++)
        {
            var s = t.Lower - 0.5 + rng.NextDouble() * (t.TableMax - t.Lower + 1);
            t.Evaluate(s, va, da);
            o.Evaluate(s, vb, db);
            for (var a = 0; a < t.Channels; a++)
            {
                worst = Math.Max(worst, Math.Abs(va[a] - vb[a]));
                worstSlope = Math.Max(worstSlope, Math.Abs(da[a] - db[a]));
            }
        }
        TestContext.Out.WriteLine($"{name}: largest table value difference {worst:E2}, slope {worstSlope:E2}");
        Assert.That(worst, Is.LessThan(float32 ? 1e-5 : 1e-12), "table values");
        Assert.That(worstSlope, Is.LessThan(float32 ? 1e-4 : 1e-10), "table slopes");
    }

    [TestCase("v2_attn0")]
    [TestCase("strip_oneside_attn0")]
    public void TheRadialTableFollowsItsNet(string name)
    {
        var b = Block(ModelLoader.Load(Path.Combine(Folder, name + "_compressed.dp")));
        var t = b.RadialTable!;
        var rng = new Random(3);
        var (g, gp, h, hp) = (new double[t.Channels], new double[t.Channels], new double[t.Channels], new double[t.Channels]);
        for (var k = 0; k < 2000; k++)
        {
            var s = t.Lower + rng.NextDouble() * (t.TableMax - t.Lower);
            t.Evaluate(s, g, gp);
            b.Embedding.EvaluateDirectional([s], 0, h, hp);
            Assert.That(g, Is.EqualTo(h).Within(1e-9), $"N_s at s = {s}");
            Assert.That(gp, Is.EqualTo(hp).Within(1e-7), $"N_s' at s = {s}");
        }
    }

    /// <summary>The compressed energy is a smooth function: its forces and virial are its derivatives (two step sizes).</summary>
    [TestCase("v2_attn0", "reference")]
    [TestCase("v2_attn0", "cpu-f64")]
    [TestCase("strip_oneside_attn0", "cpu-f64")]
    public void ForcesAndVirialAreDerivativesOfTheCompressedEnergy(string name, string backend)
    {
        var model = ModelLoader.Load(Path.Combine(Folder, name + "_compressed.dp"));
        var (x, y, z, types, box) = PeriodicCase();
        IModelEvaluator evaluator = backend == "reference" ? new ReferenceBackend(model) : new CpuSeAttenEvaluator<double>(model);
        EvaluationResult Eval(double[] xs, double[] ys, double[] zs, Box b) =>
            evaluator.Evaluate(types, CellListNeighborSearch.Build(xs, ys, zs, b, model.Cutoff), new EvaluationOptions());
        var r = Eval(x, y, z, box);
        double E(double[] xs, double[] ys, double[] zs, Box b) => Eval(xs, ys, zs, b).Energy;
        var worst = 0.0;
        foreach (var i in new[] { 0, 4, 11 })
            for (var c = 0; c < 3; c++)
            {
                double Shifted(double d)
                {
                    var p = new[] { (double[])x.Clone(), (double[])y.Clone(), (double[])z.Clone() };
                    p[c][i] += d;
                    return E(p[0], p[1], p[2], box);
                }
                double Diff(double h) => -(Shifted(h) - Shifted(-h)) / (2 * h);
                double f1 = Diff(1e-4), f2 = Diff(2e-5);
                Assert.That(Math.Abs(f1 - f2), Is.LessThan(1e-6), $"the two step sizes agree (atom {i}, component {c})");
                worst = Math.Max(worst, Math.Abs(r.Forces[3 * i + c] - f2));
                Assert.That(r.Forces[3 * i + c], Is.EqualTo(f2).Within(1e-6), $"force on atom {i}, component {c}");
            }
        var h = box.Matrix.ToArray();
        for (var a = 0; a < 3; a++)
            for (var bb = 0; bb < 3; bb++)
            {
                double Strained(double d)
                {
                    var s = new double[9];
                    s[0] = s[4] = s[8] = 1;
                    s[3 * a + bb] += d;
                    var n = x.Length;
                    var (xs, ys, zs) = (new double[n], new double[n], new double[n]);
                    for (var i = 0; i < n; i++)
                    {
                        xs[i] = x[i] * s[0] + y[i] * s[3] + z[i] * s[6];
                        ys[i] = x[i] * s[1] + y[i] * s[4] + z[i] * s[7];
                        zs[i] = x[i] * s[2] + y[i] * s[5] + z[i] * s[8];
                    }
                    var m = new double[9];
                    for (var row = 0; row < 3; row++)
                        for (var col = 0; col < 3; col++)
                            for (var k = 0; k < 3; k++) m[3 * row + col] += h[3 * row + k] * s[3 * k + col];
                    return E(xs, ys, zs, new Box(m));
                }
                // x' = x (1 + ε): dE/dε_ab = −W[b][a]
                var w = (Strained(1e-5) - Strained(-1e-5)) / 2e-5;
                Assert.That(r.Virial[3 * bb + a], Is.EqualTo(-w).Within(1e-6), $"virial [{bb}][{a}]");
            }
        TestContext.Out.WriteLine($"{name} on {backend}: largest |F − (−dE/dx)| {worst:E2}");
    }

    [Test]
    public void TheCompressedModelStaysCloseToItsUncompressedTwin()
    {
        foreach (var name in new[] { "v2_attn0", "strip_oneside_attn0", "v2_attn2" })
        {
            var plain = ModelLoader.Load(Path.Combine(Folder, name + ".dp"));
            var compressed = ModelLoader.Load(Path.Combine(Folder, name + "_compressed.dp"));
            Assert.That(plain.Descriptor.IsCompressed, Is.False);
            Assert.That(compressed.Descriptor.IsCompressed, Is.True);
            var (x, y, z, types, box) = PeriodicCase();
            var a = ReferenceEvaluator.Evaluate(plain, x, y, z, types, box);
            var b = ReferenceEvaluator.Evaluate(compressed, x, y, z, types, box);
            var df = a.Forces.Zip(b.Forces, (p, q) => Math.Abs(p - q)).Max();
            TestContext.Out.WriteLine($"{name}: |ΔE| {Math.Abs(a.Energy - b.Energy):E2} eV, max |ΔF| {df:E2} eV/Å");
            Assert.That(b.Energy, Is.EqualTo(a.Energy).Within(1e-8), name);
            Assert.That(df, Is.LessThan(1e-7), name);
        }
    }

    [TestCase("v2_attn0")]
    [TestCase("v2_attn2")]
    public void YamlRoundTripKeepsTheCompressedModel(string name)
    {
        // dpsharp convert goes through the tree: the compress block must survive .dp → .yaml → .dp and evaluate the same.
        var dir = RepoPaths.TempDir();
        try
        {
            var source = Path.Combine(Folder, name + "_compressed.dp");
            var yaml = Path.Combine(dir, "m.yaml");
            var back = Path.Combine(dir, "m.dp");
            ModelFile.Save(yaml, ModelFile.Load(source));
            ModelFile.Save(back, ModelFile.Load(yaml));
            var (x, y, z, types, box) = PeriodicCase();
            var a = ReferenceEvaluator.Evaluate(ModelLoader.Load(source), x, y, z, types, box);
            foreach (var file in new[] { yaml, back })
            {
                var m = ModelLoader.Load(file);
                Assert.That(m.Descriptor.IsCompressed, Is.True, file);
                var b = ReferenceEvaluator.Evaluate(m, x, y, z, types, box);
                Assert.That(b.Energy, Is.EqualTo(a.Energy), file);
                Assert.That(b.Forces, Is.EqualTo(a.Forces), file);
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public void GeometricTablesWithAttentionLayersAndCompressingConcatModelsAreRefused()
    {
        // DeePMD-kit tabulates the radial net only without attention layers (with them it would skip the attention).
        var file = Path.Combine(Folder, "v2_attn2_compressed.dp");
        var tree = ModelFile.Load(file);
        var compress = (Dictionary<string, object?>)((Dictionary<string, object?>)((Dictionary<string, object?>)tree["model"]!)["descriptor"]!)["compress"]!;
        compress["geo_compress"] = true;
        var ex = Assert.Throws<UserInputException>(() => ModelReader.FromTree(tree, file))!;
        Assert.That(ex.Message, Does.Contain("geo_compress").And.Contain("attn_layer"));

        // dp compress refuses concat mode; so do we, naming the mode.
        var concat = RepoPaths.Get("tests", "reference-cases", "deepmd-kit-dpa1-written", "deepmd_dpa1.dp");
        var ctree = ModelFile.Load(concat);
        var cex = Assert.Throws<UserInputException>(() => ModelCompressor.Compress(ctree, concat, new ModelCompressor.Settings { MinNeighborDistance = 0.9 }))!;
        Assert.That(cex.Message, Does.Contain("strip"));

        // Compressing twice is refused.
        var again = Path.Combine(Folder, "v2_attn0_compressed.dp");
        var atree = ModelFile.Load(again);
        Assert.Throws<UserInputException>(() => ModelCompressor.Compress(atree, again, new ModelCompressor.Settings { MinNeighborDistance = 0.9 }));
    }

    private static (double[] X, double[] Y, double[] Z, int[] Types, Box Box) PeriodicCase()
    {
        var input = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "cases.json")))!.AsArray()
            .First(c => ((string)c!["name"]!).EndsWith(" pbc", StringComparison.Ordinal))!;
        var coord = input["coord"]!.AsArray().Select(v => (double)v!).ToArray();
        var types = input["atype"]!.AsArray().Select(v => (int)v!).ToArray();
        var n = types.Length;
        var box = new Box(input["box"]!.AsArray().Select(v => (double)v!).ToArray());
        return (Enumerable.Range(0, n).Select(i => coord[3 * i]).ToArray(), Enumerable.Range(0, n).Select(i => coord[3 * i + 1]).ToArray(),
            Enumerable.Range(0, n).Select(i => coord[3 * i + 2]).ToArray(), types, box);
    }
}
