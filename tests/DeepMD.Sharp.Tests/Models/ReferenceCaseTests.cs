namespace DeepMD.Sharp.Tests.Models;

using System.Text.Json;
using DeepMD.Sharp.IO;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// Replays DeePMD-kit's own reference values (tests/reference-cases/*/expected.json, computed by DeePMD-kit) and
/// requires agreement to 1e-10.
/// </summary>
public class ReferenceCaseTests
{
    private const double Tolerance = 1e-10;

    public static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData("sea_pbc_cubic", "deeppot_sea.yaml").SetName("sea_pbc_cubic (yaml)");
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesDeePMDKit(string caseName, string modelName)
    {
        var dir = RepoPaths.Get("tests", "reference-cases", caseName);
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "expected.json")));
        var model = ModelLoader.Load(RepoPaths.TestModel(modelName));
        var s = StructureReader.Read(Path.Combine(dir, "structure.xyz"));
        var r = ReferenceEvaluator.Evaluate(model, s.X, s.Y, s.Z, s.TypesFor(model.TypeMap), s.Box);
        AssertMatches(expected.RootElement, r);
    }

    internal static void AssertMatches(JsonElement e, EvaluationResult r)
    {
        double[] Flat(string key) => Flatten(e.GetProperty(key)).ToArray();
        Assert.That(r.Energy, Is.EqualTo(e.GetProperty("energy").GetDouble()).Within(Tolerance), "energy");
        Assert.That(r.AtomEnergy, Is.EqualTo(Flat("atom_energy")).Within(Tolerance), "atom_energy");
        Assert.That(r.Forces, Is.EqualTo(Flat("forces")).Within(Tolerance), "forces");
        Assert.That(r.Virial, Is.EqualTo(Flat("virial")).Within(Tolerance), "virial");
        if (e.TryGetProperty("atom_virial", out _))
            Assert.That(r.AtomVirial, Is.EqualTo(Flat("atom_virial")).Within(Tolerance), "atom_virial");
    }

    private static IEnumerable<double> Flatten(JsonElement e) =>
        e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().SelectMany(Flatten) : [e.GetDouble()];
}
