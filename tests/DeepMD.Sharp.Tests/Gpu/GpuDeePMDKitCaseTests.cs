namespace DeepMD.Sharp.Tests.Gpu;

using static DeepMD.Sharp.Tests.Support.BackendComparison;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Gpu;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Models.Serialization;
using DeepMD.Sharp.Tests.Support;
using ILGPU;
using ILGPU.Runtime;

/// <summary>
/// DeePMD-kit's own test systems and models (se_e2_a, se_e2_r, fparam/aparam) through the GPU kernels on the CPU
/// accelerator, against the reference evaluator (which itself matches DeePMD-kit's numbers).
/// </summary>
[NonParallelizable]
public class GpuDeePMDKitCaseTests
{
    private Context? _context;
    private Accelerator? _cpu;

    [OneTimeSetUp]
    public void Open() => (_context, _cpu) = GpuDevices.OpenCpu();

    [OneTimeTearDown]
    public void Close()
    {
        _cpu?.Dispose();
        _context?.Dispose();
    }

    private static double[] Numbers(object? node) => node switch
    {
        null => [],
        List<object?> l => l.SelectMany(Numbers).ToArray(),
        double d => [d],
        long i => [i],
        NdArray a => a.Data,
        string s => [double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)],
        _ => throw new InvalidOperationException($"not a number: {node}"),
    };

    [TestCase("deeppot-testcase.yaml", "deeppot_sea.yaml")]
    [TestCase("deeppot-r-testcase.yaml", "deeppot-r.yaml")]
    [TestCase("fparam_aparam-testcase.yaml", "fparam_aparam.yaml")]
    public void GpuMatchesReferenceOnDeePMDKitCases(string file, string modelFile)
    {
        var tree = YamlModelFormat.Load(RepoPaths.Get("tests", "reference-cases", "deepmd-kit", file));
        var model = ModelLoader.Load(RepoPaths.TestModel(modelFile));
        Assert.That(GpuSeAEvaluator<double>.Supports(model, out var why), Is.True, why);
        using var gpu = new GpuSeAEvaluator<double>(model, _cpu!, maxChunkAtoms: 4);
        foreach (var blockNode in (List<object?>)tree["results"]!)
        {
            var block = (Dictionary<string, object?>)blockNode!;
            var coord = Numbers(block["coord"]);
            var types = Numbers(block["atype"]).Select(t => (int)t).ToArray();
            var n = types.Length;
            var x = Enumerable.Range(0, n).Select(i => coord[3 * i]).ToArray();
            var y = Enumerable.Range(0, n).Select(i => coord[3 * i + 1]).ToArray();
            var z = Enumerable.Range(0, n).Select(i => coord[3 * i + 2]).ToArray();
            var box = block["box"] is null ? null : new Box(Numbers(block["box"]));
            var options = new EvaluationOptions
            {
                Fparam = block.TryGetValue("fparam", out var f) ? Numbers(f) : null,
                Aparam = block.TryGetValue("aparam", out var a) ? Numbers(a) : null,
            };
            var nl = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff);
            var reference = ReferenceEvaluator.Evaluate(model, types, nl, options);
            AssertClose(reference, gpu.Evaluate(types, nl, options), 1e-10, 1e-10);
        }
    }
}
