namespace DeepMD.Sharp.Tests.Models;

using System.Text.Json.Nodes;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// DPA-3 models built and written by DeePMD-kit itself (its get_model with seeded random weights, random statistics,
/// save_dp_model as .yaml) and evaluated by DeePMD-kit's NumPy backend: tests/reference-cases/deepmd-kit-dpa3, written by
/// tools/deepmd-reference/dpa3_reference.py (provenance in the folder's PROVENANCE.md). Energies and per-atom energies are
/// DeePMD-kit's own; its forces and virials are five-point differences of its energy.
/// </summary>
public class Dpa3DeePMDKitReferenceTests
{
    internal static string Folder => RepoPaths.Get("tests", "reference-cases", "deepmd-kit-dpa3");

    public static IEnumerable<TestCaseData> Cases()
    {
        var results = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "expected.json")))!["results"]!.AsArray();
        for (var k = 0; k < results.Count; k++) yield return new TestCaseData(k).SetName($"DeePMD-kit dpmodel DPA-3: {results[k]!["name"]}");
    }

    /// <summary>A case of cases.json: the model file, the structure and whether it needs DeePMD-kit's sel truncation.</summary>
    internal static (string Model, double[] X, double[] Y, double[] Z, int[] Types, Box? Box, bool Truncate) Case(int index)
    {
        var input = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "cases.json")))!.AsArray()[index]!;
        var coord = input["coord"]!.AsArray().Select(v => (double)v!).ToArray();
        var types = input["atype"]!.AsArray().Select(v => (int)v!).ToArray();
        var box = input["box"] is JsonArray b ? new Box(b.Select(v => (double)v!).ToArray()) : null;
        var n = types.Length;
        return ((string)input["model"]!, Enumerable.Range(0, n).Select(i => coord[3 * i]).ToArray(), Enumerable.Range(0, n).Select(i => coord[3 * i + 1]).ToArray(),
            Enumerable.Range(0, n).Select(i => coord[3 * i + 2]).ToArray(), types, box, input["truncate"] is JsonValue tv && (bool)tv);
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesDeePMDKit(int index)
    {
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "expected.json")))!["results"]![index]!;
        var (file, xs, ys, zs, types, box, truncate) = Case(index);
        var model = ModelLoader.Load(Path.Combine(Folder, file));
        var n = types.Length;
        if (truncate)
            Assert.Throws<UserInputException>(() => ReferenceEvaluator.Evaluate(model, xs, ys, zs, types, box),
                "the case overflows sel: an error unless truncation is asked for");
        var options = new EvaluationOptions { SelOverflow = truncate ? SelOverflowPolicy.Truncate : SelOverflowPolicy.Error };
        var r = ReferenceEvaluator.Evaluate(model, xs, ys, zs, types, box, options);
        var float32 = model.Descriptor.Precision == "float32";
        // float64: DeePMD-kit's energies to round-off; its forces/virials are finite differences (~1e-9).
        // float32: DeePMD-kit computes in float32, we evaluate the stored float32 weights in double.
        double eTol = float32 ? 2e-6 : 1e-12, fTol = 1e-8;
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
        Assert.That(dae, Is.LessThan(eTol * 10), "per-atom energy");
        Assert.That(df, Is.LessThan(fTol), "forces");
        Assert.That(dv, Is.LessThan(fTol * 10), "virial");
    }
}
