namespace DeepMD.Sharp.Tests.Models;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Models.Serialization;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// Replays DeePMD-kit's own test vectors (source/tests/infer/*-testcase.yaml, copied into tests/reference-cases/deepmd-kit)
/// for every result block: per-atom energy, forces and per-atom virial, at DeePMD-kit's own tolerances.
/// </summary>
public class DeePMDKitTestVectorTests
{
    public static IEnumerable<TestCaseData> Blocks()
    {
        foreach (var (file, model, tol) in new[]
                 {
                     ("deeppot-testcase.yaml", "deeppot_sea.yaml", 1e-10),
                     ("deeppot-r-testcase.yaml", "deeppot-r.yaml", 1e-10),
                     ("fparam_aparam-testcase.yaml", "fparam_aparam.yaml", 1e-7),
                     ("fparam_aparam-testcase.yaml", "fparam_aparam_default.yaml", 1e-7),
                 })
        {
            var tree = YamlModelFormat.Load(RepoPaths.Get("tests", "reference-cases", "deepmd-kit", file));
            var results = (List<object?>)tree["results"]!;
            for (var k = 0; k < results.Count; k++)
            {
                var block = (Dictionary<string, object?>)results[k]!;
                var box = block["box"] is null ? "no PBC" : "PBC";
                yield return new TestCaseData(file, model, k, tol).SetName($"{file} block {k} ({box}) with {model}");
                if (model.EndsWith("default.yaml", StringComparison.Ordinal))
                    yield return new TestCaseData(file, model, -1 - k, tol).SetName($"{file} block {k} ({box}) with {model}, default fparam");
            }
        }
    }

    private static double[] Numbers(object? node) => node switch
    {
        null => [],
        List<object?> l => l.SelectMany(Numbers).ToArray(),
        double d => [d],
        long i => [i],
        NdArray a => a.Data,
        // PyYAML (whose typing our loader follows) reads 1.5e01, without a sign after the e, as a string;
        // DeePMD-kit's test harness turns these into floats with numpy, and so do we.
        string s => [double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)],
        _ => throw new InvalidOperationException($"not a number: {node}"),
    };

    [TestCaseSource(nameof(Blocks))]
    public void MatchesDeePMDKit(string file, string modelFile, int blockIndex, double tolerance)
    {
        var useDefaultFparam = blockIndex < 0;
        if (useDefaultFparam) blockIndex = -1 - blockIndex;
        var tree = YamlModelFormat.Load(RepoPaths.Get("tests", "reference-cases", "deepmd-kit", file));
        var block = (Dictionary<string, object?>)((List<object?>)tree["results"]!)[blockIndex]!;
        var model = ModelLoader.Load(RepoPaths.TestModel(modelFile));
        var coord = Numbers(block["coord"]);
        var types = Numbers(block["atype"]).Select(t => (int)t).ToArray();
        var n = types.Length;
        var x = Enumerable.Range(0, n).Select(i => coord[3 * i]).ToArray();
        var y = Enumerable.Range(0, n).Select(i => coord[3 * i + 1]).ToArray();
        var z = Enumerable.Range(0, n).Select(i => coord[3 * i + 2]).ToArray();
        var box = block["box"] is null ? null : new Box(Numbers(block["box"]));
        var options = new EvaluationOptions
        {
            Fparam = block.TryGetValue("fparam", out var f) && !useDefaultFparam ? Numbers(f) : null,
            Aparam = block.TryGetValue("aparam", out var a) ? Numbers(a) : null,
        };
        if (useDefaultFparam)
            Assert.That(model.Fitting.DefaultFparam, Is.EqualTo(Numbers(block["fparam"])).Within(1e-12), "the default fparam equals the case's fparam");
        var r = ReferenceEvaluator.Evaluate(model, x, y, z, types, box, options);

        if (block.TryGetValue("atomic_energy", out var ae))
        {
            Assert.That(r.AtomEnergy, Is.EqualTo(Numbers(ae)).Within(tolerance), "atomic_energy");
            Assert.That(r.Energy, Is.EqualTo(Numbers(ae).Sum()).Within(tolerance * n), "energy");
        }
        else
        {
            Assert.That(r.Energy, Is.EqualTo(Numbers(block["energy"])[0]).Within(tolerance * n), "energy");
        }
        Assert.That(r.Forces, Is.EqualTo(Numbers(block["force"])).Within(tolerance), "force");
        if (block.TryGetValue("atomic_virial", out var av))
        {
            var expected = Numbers(av);
            Assert.That(r.AtomVirial, Is.EqualTo(expected).Within(tolerance), "atomic_virial");
            var total = new double[9];
            for (var i = 0; i < n; i++)
                for (var q = 0; q < 9; q++) total[q] += expected[9 * i + q];
            Assert.That(r.Virial, Is.EqualTo(total).Within(tolerance * n), "virial");
        }
        else
        {
            Assert.That(r.Virial, Is.EqualTo(Numbers(block["virial"])).Within(tolerance * n), "virial");
        }
    }
}
