namespace DeepMD.Sharp.Tests.Gpu;

using static DeepMD.Sharp.Tests.Support.BackendComparison;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Gpu;
using DeepMD.Sharp.Gpu.Resident;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Tests.Support;
using ILGPU;
using ILGPU.Runtime;

/// <summary>
/// The ensemble deviation computed on the device (ILGPU's CPU accelerator) against <c>dp model-devi</c>'s columns
/// computed here by hand (DeePMD-kit's definitions) from the reference evaluator's results, independent of our
/// deviation code.
/// </summary>
[NonParallelizable]
public class GpuModelDeviationTests
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

    [TestCase(9, 2)]
    [TestCase(14, 3)]
    public void DeviceDeviationEqualsHost(int atoms, int modelCount)
    {
        var models = Enumerable.Range(0, modelCount)
            .Select(k => RandomModels.Create(50 + k, "se_e2_a", ["O", "H"], sel: [40, 40], rcut: 3.5 + 0.25 * k, uniformStats: true)).ToArray();
        var (x, y, z, t, box) = RandomSystem(atoms, atoms, 2, true);
        var reference = models.Select(m => ReferenceEvaluator.Evaluate(m, t, CellListNeighborSearch.Build(x, y, z, box, m.Cutoff))).ToArray();
        var expected = ByHand(reference, atoms);

        var evaluators = models.Select(m => new GpuSeAEvaluator<double>(m, _cpu!, maxChunkAtoms: 4)).ToArray();
        try
        {
            using var deviation = new GpuModelDeviation(evaluators);
            var got = deviation.Compute(box!, x, y, z, t);
            Assert.That(expected[3], Is.GreaterThan(0), "the models should disagree");
            Assert.That(got, Has.Length.EqualTo(expected.Length));
            for (var q = 0; q < expected.Length; q++)
                Assert.That(got[q], Is.EqualTo(expected[q]).Within(1e-10 * Math.Abs(expected[q]) + 1e-14), $"column {q}");
        }
        finally
        {
            foreach (var e in evaluators) e.Dispose();
        }
    }
    /// <summary>
    /// <c>dp model-devi</c>'s columns from M evaluations: max, min and root mean square over the nine components of
    /// the standard deviation over models of V/N; max, min and mean over atoms of sqrt(Σ_c var_m F_ic); the standard
    /// deviation over models of E/N (population standard deviations, as numpy's std).
    /// </summary>
    internal static double[] ByHand(IReadOnlyList<EvaluationResult> r, int n)
    {
        var m = r.Count;
        double Std(Func<EvaluationResult, double> value)
        {
            var mean = r.Average(value);
            return Math.Sqrt(r.Sum(e => (value(e) - mean) * (value(e) - mean)) / m);
        }
        var v = Enumerable.Range(0, 9).Select(k => Std(e => e.Virial[k] / n)).ToArray();
        var f = Enumerable.Range(0, n).Select(i => Math.Sqrt(Enumerable.Range(0, 3).Sum(c => Math.Pow(Std(e => e.Forces[3 * i + c]), 2)))).ToArray();
        return [v.Max(), v.Min(), Math.Sqrt(v.Average(x => x * x)), f.Max(), f.Min(), f.Average(), Std(e => e.Energy / n)];
    }
}
