namespace DeepMD.Sharp.Tests.Gpu;

using static DeepMD.Sharp.Tests.Support.BackendComparison;
using DeepMD.Sharp.Cli.Commands;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Gpu;
using DeepMD.Sharp.Gpu.Resident;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Tests.Support;
using ILGPU;
using ILGPU.Runtime;

/// <summary>
/// The ensemble deviation computed on the device (ILGPU's CPU accelerator) against the host's <c>dp model-devi</c>
/// columns (<see cref="ModelDeviCommand.Deviation"/>) on the reference evaluator's results.
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
        var expected = ModelDeviCommand.Deviation(reference, atoms);

        var evaluators = models.Select(m => new GpuSeAEvaluator<double>(m, _cpu!, maxChunkAtoms: 4)).ToArray();
        try
        {
            using var deviation = new GpuModelDeviation(evaluators);
            var got = deviation.Compute(box!, x, y, z, t);
            Assert.That(expected[3], Is.GreaterThan(0), "the models should disagree");
            for (var q = 0; q < expected.Length; q++)
                Assert.That(got[q], Is.EqualTo(expected[q]).Within(1e-10 * Math.Abs(expected[q]) + 1e-14), $"column {q}");
        }
        finally
        {
            foreach (var e in evaluators) e.Dispose();
        }
    }
}
