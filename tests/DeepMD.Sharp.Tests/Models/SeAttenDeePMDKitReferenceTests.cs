namespace DeepMD.Sharp.Tests.Models;

using System.Text.Json;
using System.Text.Json.Nodes;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Models.Serialization;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// DPA-1 models (random weights, written as DeePMD-kit's model dict) evaluated by DeePMD-kit itself: the expected values in
/// tests/reference-cases/deepmd-kit-dpa1/expected.json come from DeePMD-kit's NumPy backend (dpmodel) run on the
/// .yaml files next to it (tools/deepmd-reference/dpa1_reference.py; provenance in the folder's PROVENANCE.md).
/// Energies are DeePMD-kit's own; its forces and virials are five-point differences of its energy.
/// </summary>
public class SeAttenDeePMDKitReferenceTests
{
    private static string Folder => RepoPaths.Get("tests", "reference-cases", "deepmd-kit-dpa1");

    /// <summary>The models and structures of the cases (what <see cref="WriteInputs"/> writes).</summary>
    private static IEnumerable<(string Name, string Model, AttentionModelOptions Options, int Seed)> Models()
    {
        AttentionModelOptions o = new() { Sel = 30 };
        yield return ("dpa1_concat_attn2", "dpa1_concat_attn2.yaml", o, 101);
        yield return ("dpa1_strip_oneside_rough", "dpa1_strip_oneside_rough.yaml", o with { Mode = "strip", OneSide = true, Smooth = false, AttnLayers = 1, Temperature = 0.8 }, 102);
        yield return ("dpa1_concat_attn0_excl", "dpa1_concat_attn0_excl.yaml", o with { AttnLayers = 0, Exclude = [(0, 2)], PairExclude = [(1, 1)], AtomExclude = [2], ConcatOutputTebd = false, UseTebdBias = true }, 103);
        yield return ("dpa1_concat_rough_nonorm", "dpa1_concat_rough_nonorm.yaml", o with { Smooth = false, Normalize = false, Dotr = false, ScalingFactor = 0.5, Activation = "gelu" }, 104);
        yield return ("se_atten_v2", "se_atten_v2.yaml", o with { Type = "se_atten_v2", Exclude = [(1, 2)], EnvProtection = 0.02 }, 105);
        yield return ("se_atten_v2_float32", "se_atten_v2_float32.yaml", o with { Type = "se_atten_v2", Precision = "float32" }, 106);
    }

    /// <summary>Writes the model files and cases.json (run once by hand, then tools/deepmd-reference/dpa1_reference.py).</summary>
    [Test, Explicit("writes the inputs of the DeePMD-kit reference run")]
    public void WriteInputs()
    {
        Directory.CreateDirectory(Folder);
        var cases = new JsonArray();
        foreach (var (name, file, options, seed) in Models())
        {
            ModelFile.Save(Path.Combine(Folder, file), RandomAttentionModels.Tree(seed, options));
            var rng = new Random(seed);
            // Periodic: 13 atoms (odd), a triclinic cell whose face distance is below rcut, types 0 and 2 mostly.
            var box = RandomStructures.TriclinicBox(rng, 5.5, 6.5, tilt: 0.35);
            var (x, y, z, t) = RandomStructures.Atoms(rng, box, 13, 3, minDist: 1.0);
            cases.Add(Case($"{name} pbc", file, x, y, z, t, box));
            // No PBC: a cluster of 8 atoms of types 0 and 2 only (a subset of the type map).
            var (cx, cy, cz) = (RandomModels.Fill(rng, 8, 2.0), RandomModels.Fill(rng, 8, 2.0), RandomModels.Fill(rng, 8, 2.0));
            cases.Add(Case($"{name} cluster", file, cx, cy, cz, Enumerable.Range(0, 8).Select(i => i % 2 == 0 ? 0 : 2).ToArray(), null));
        }
        // Neighbor overflow: sel 8 with more neighbors within rcut; evaluated with --allow-sel-truncation (the nearest 8, as DeePMD-kit keeps).
        {
            var options = new AttentionModelOptions { Sel = 8, Mode = "strip" };
            const string file = "dpa1_sel8_truncated.yaml";
            ModelFile.Save(Path.Combine(Folder, file), RandomAttentionModels.Tree(107, options));
            var rng = new Random(107);
            var box = RandomStructures.TriclinicBox(rng, 5.5, 6.5, tilt: 0.35);
            var (x, y, z, t) = RandomStructures.Atoms(rng, box, 13, 3, minDist: 1.0);
            var c = Case("dpa1_sel8_truncated pbc", file, x, y, z, t, box);
            c["truncate"] = true;
            cases.Add(c);
        }
        File.WriteAllText(Path.Combine(Folder, "cases.json"), cases.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static JsonObject Case(string name, string model, double[] x, double[] y, double[] z, int[] t, Box? box)
    {
        var coord = new JsonArray();
        for (var i = 0; i < x.Length; i++) { coord.Add(x[i]); coord.Add(y[i]); coord.Add(z[i]); }
        JsonNode? b = null;
        if (box is not null)
        {
            var arr = new JsonArray();
            foreach (var v in box.Matrix.ToArray()) arr.Add(v);
            b = arr;
        }
        return new JsonObject { ["name"] = name, ["model"] = model, ["coord"] = coord, ["atype"] = new JsonArray(t.Select(v => (JsonNode?)v).ToArray()), ["box"] = b };
    }

    /// <summary>
    /// Cases of both folders: deepmd-kit-dpa1 (our random models as .yaml) and deepmd-kit-dpa1-written (.dp files written
    /// by DeePMD-kit's own serializer with the hyper-parameters of its C++ DPA-1 test model, tools/deepmd-reference/dpa1_written_by_deepmd.py).
    /// </summary>
    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (var folder in new[] { "deepmd-kit-dpa1", "deepmd-kit-dpa1-written", "deepmd-kit-dpa1-compressed" })
        {
            var path = Path.Combine(RepoPaths.Root, "tests", "reference-cases", folder, "expected.json");
            var results = JsonNode.Parse(File.ReadAllText(path))!["results"]!.AsArray();
            for (var k = 0; k < results.Count; k++) yield return new TestCaseData(folder, k).SetName($"DeePMD-kit dpmodel: {results[k]!["name"]}");
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesDeePMDKit(string folderName, int index)
    {
        var folder = RepoPaths.Get("tests", "reference-cases", folderName);
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "expected.json")))!["results"]![index]!;
        var input = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "cases.json")))!.AsArray()[index]!;
        Assert.That((string)input["name"]!, Is.EqualTo((string)expected["name"]!));
        var model = ModelLoader.Load(Path.Combine(folder, (string)input["model"]!));
        var coord = input["coord"]!.AsArray().Select(v => (double)v!).ToArray();
        var types = input["atype"]!.AsArray().Select(v => (int)v!).ToArray();
        var box = input["box"] is JsonArray b ? new Box(b.Select(v => (double)v!).ToArray()) : null;
        var n = types.Length;
        var truncate = input["truncate"] is JsonValue tv && (bool)tv;
        var options = new EvaluationOptions { SelOverflow = truncate ? SelOverflowPolicy.Truncate : SelOverflowPolicy.Error };
        var (xs, ys, zs) = (Enumerable.Range(0, n).Select(i => coord[3 * i]).ToArray(), Enumerable.Range(0, n).Select(i => coord[3 * i + 1]).ToArray(),
            Enumerable.Range(0, n).Select(i => coord[3 * i + 2]).ToArray());
        if (truncate)
            Assert.Throws<DeepMD.Sharp.Core.Errors.UserInputException>(() => ReferenceEvaluator.Evaluate(model, xs, ys, zs, types, box),
                "the case overflows sel: an error unless truncation is asked for");
        var r = ReferenceEvaluator.Evaluate(model, xs, ys, zs, types, box, options);
        var float32 = model.Descriptor.Precision == "float32";
        // float64: DeePMD-kit's energies to round-off; its forces/virials are finite differences (~1e-9).
        // float32: DeePMD-kit computes in float32 (its finite differences too), we evaluate the stored float32 weights in double.
        double eTol = float32 ? 1e-6 : 1e-10, fTol = 1e-8;
        var e = (double)expected["energy"]!;
        var ae = expected["atom_energy"]!.AsArray().Select(v => (double)v!).ToArray();
        var f = expected["force"] is JsonArray fj ? fj.Select(v => (double)v!).ToArray() : [];
        var de = Math.Abs(r.Energy - e);
        var dae = ae.Select((v, i) => Math.Abs(v - r.AtomEnergy[i])).Max();
        Assert.That(f.Length, Is.EqualTo(float32 ? 0 : 3 * n), "DeePMD-kit's forces are given for float64 models");
        var df = f.Select((v, i) => Math.Abs(v - r.Forces[i])).DefaultIfEmpty(0).Max();
        var dv = 0.0;
        if (expected["virial"] is JsonArray vj)
            dv = vj.Select((v, i) => Math.Abs((double)v! - r.Virial[i])).Max();
        TestContext.Out.WriteLine($"|ΔE| {de:E2}  max|Δe_i| {dae:E2}  max|ΔF| {df:E2}  max|ΔW| {dv:E2}  (E = {e})");
        Assert.That(de, Is.LessThan(eTol * Math.Max(1, Math.Abs(e))), "energy");
        Assert.That(dae, Is.LessThan(eTol), "per-atom energy");
        Assert.That(df, Is.LessThan(fTol), "forces");
        Assert.That(dv, Is.LessThan(fTol * 10), "virial");
    }
}
