namespace DeepMD.Sharp.Tests.Models;

using System.Text.Json;
using System.Text.Json.Nodes;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Models.Serialization;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// Random DPA-2 models of every switch (those DeePMD-kit's own test model leaves off included) evaluated by DeePMD-kit
/// itself: tests/reference-cases/deepmd-kit-dpa2 (PROVENANCE.md there) holds the models, the structures and DeePMD-kit's
/// energies, per-atom energies and finite-difference forces.
/// </summary>
public class Dpa2DeePMDKitReferenceTests
{
    internal static string Folder => RepoPaths.Get("tests", "reference-cases", "deepmd-kit-dpa2");

    internal static IEnumerable<(string Name, string Model, double[] Coord, int[] Types, double[]? Box)> Cases()
    {
        foreach (var o in Dpa2PhysicsTests.Configurations())
        {
            var model = $"dpa2_{o.Name}.yaml";
            var rng = new Random(5);
            var box = RandomStructures.TriclinicBox(rng, 4.2, 4.6);
            var (x, y, z, t) = RandomStructures.Atoms(rng, box, 9, 2, minDist: 1.0);
            if (o.Types == 3) t = t.Select((_, i) => i % 2 == 0 ? 0 : 2).ToArray();
            yield return ($"{o.Name} periodic", model, Interleave(x, y, z), t, box.Matrix.ToArray());
            var crng = new Random(3);
            var (cx, cy, cz, ct) = RandomStructures.Atoms(crng, Box.Orthorhombic(5, 5, 5), 7, 2, minDist: 1.0);
            if (o.Types == 3) ct = ct.Select((_, i) => i % 2 == 0 ? 0 : 2).ToArray();
            yield return ($"{o.Name} cluster", model, Interleave(cx, cy, cz), ct, null);
        }
    }

    private static double[] Interleave(double[] x, double[] y, double[] z) =>
        Enumerable.Range(0, x.Length).SelectMany(i => new[] { x[i], y[i], z[i] }).ToArray();

    /// <summary>Writes the models and cases.json for tools/deepmd-reference/dpa2_reference.py.</summary>
    [Test, Explicit("writes the inputs of the DeePMD-kit reference run")]
    public void WriteInputs()
    {
        foreach (var o in Dpa2PhysicsTests.Configurations())
            YamlModelFormat.Save(Path.Combine(Folder, $"dpa2_{o.Name}.yaml"), RandomDpa2Models.CreateTree(11, o));
        var cases = new JsonArray();
        foreach (var (name, model, coord, types, box) in Cases())
            cases.Add(new JsonObject
            {
                ["name"] = name, ["model"] = model, ["coord"] = new JsonArray(coord.Select(v => (JsonNode)v).ToArray()),
                ["atype"] = new JsonArray(types.Select(v => (JsonNode)v).ToArray()),
                ["box"] = box is null ? null : new JsonArray(box.Select(v => (JsonNode)v).ToArray()),
            });
        File.WriteAllText(Path.Combine(Folder, "cases.json"), cases.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    public static IEnumerable<TestCaseData> Expected() =>
        Cases().Select(c => new TestCaseData(c.Name).SetName($"DPA-2 equals DeePMD-kit: {c.Name}"));

    [TestCaseSource(nameof(Expected))]
    public void MatchesDeePMDKit(string name)
    {
        var c = Cases().Single(k => k.Name == name);
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "expected.json")))!.AsArray()
            .Single(e => (string)e!["name"]! == name)!;
        var model = ModelLoader.Load(Path.Combine(Folder, c.Model));
        var n = c.Types.Length;
        var x = Enumerable.Range(0, n).Select(i => c.Coord[3 * i]).ToArray();
        var y = Enumerable.Range(0, n).Select(i => c.Coord[3 * i + 1]).ToArray();
        var z = Enumerable.Range(0, n).Select(i => c.Coord[3 * i + 2]).ToArray();
        var r = ReferenceEvaluator.Evaluate(model, x, y, z, c.Types, c.Box is null ? null : new Box(c.Box), new EvaluationOptions());
        var ae = expected["atom_energy"]!.AsArray().Select(v => (double)v!).ToArray();
        var f = expected["force"]!.AsArray().Select(v => (double)v!).ToArray();
        TestContext.Out.WriteLine($"{name}: |ΔE| = {Math.Abs(r.Energy - (double)expected["energy"]!):E2}, "
            + $"max |Δe_i| = {ae.Zip(r.AtomEnergy).Max(p => Math.Abs(p.First - p.Second)):E2}, max |ΔF| (vs DeePMD-kit's finite differences) = {f.Zip(r.Forces).Max(p => Math.Abs(p.First - p.Second)):E2}");
        Assert.That(r.Energy, Is.EqualTo((double)expected["energy"]!).Within(1e-10), "energy");
        Assert.That(r.AtomEnergy, Is.EqualTo(ae).Within(1e-10), "per-atom energy");
        Assert.That(r.Forces, Is.EqualTo(f).Within(1e-8), "forces (DeePMD-kit's five-point finite differences)");
    }
}
