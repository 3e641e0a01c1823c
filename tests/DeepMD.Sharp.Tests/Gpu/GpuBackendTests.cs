namespace DeepMD.Sharp.Tests.Gpu;

using static DeepMD.Sharp.Tests.Support.BackendComparison;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Gpu;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Compression;
using DeepMD.Sharp.Models.Descriptors;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Tests.Support;
using ILGPU;
using ILGPU.Runtime;

/// <summary>
/// The ILGPU kernels against the reference evaluator. On ILGPU's CPU accelerator (an emulator: tiny inputs only) in
/// every run; on a CUDA device, larger, when one exists (skipped otherwise).
/// </summary>
[NonParallelizable]
public class GpuBackendTests
{
    private Context? _context;
    private Accelerator? _cpu;

    [OneTimeSetUp]
    public void OpenCpuAccelerator() => (_context, _cpu) = GpuDevices.OpenCpu();

    [OneTimeTearDown]
    public void Close()
    {
        _cpu?.Dispose();
        _context?.Dispose();
    }

    private static DeepPotModel Model(bool oneSide = true, (int, int)[]? exclude = null, (int, int)[]? pairExclude = null) =>
        RandomModels.Create(41, "se_e2_a", ["O", "H"], oneSide, exclude, sel: [40, 40], pairExclude: pairExclude, uniformStats: true);

    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (var n in new[] { 1, 5 })
            foreach (var periodic in new[] { true, false })
                yield return new TestCaseData(n, periodic, true, null, null).SetName($"CpuAccelerator f64 {n} atoms, {(periodic ? "triclinic PBC" : "no PBC")}");
        yield return new TestCaseData(5, true, false, new[] { (0, 1) }, null).SetName("CpuAccelerator f64 5 atoms, two-side, exclude_types (0,1)");
        yield return new TestCaseData(5, true, false, null, new[] { (0, 1) }).SetName("CpuAccelerator f64 5 atoms, two-side, pair_exclude_types (0,1)");
    }

    [TestCaseSource(nameof(Cases))]
    public void Float64MatchesReference(int n, bool periodic, bool oneSide, (int, int)[]? exclude, (int, int)[]? pairExclude)
    {
        var model = Model(oneSide, exclude, pairExclude);
        var (x, y, z, t, box) = RandomSystem(n, n, 2, periodic);
        var nl = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff);
        var reference = ReferenceEvaluator.Evaluate(model, t, nl);
        using var gpu = new GpuSeAEvaluator<double>(model, _cpu!, maxChunkAtoms: 2);
        AssertClose(reference, gpu.Evaluate(t, nl, new EvaluationOptions()), 1e-10, 1e-10);
    }

    [TestCase(1, false)]
    [TestCase(5, true)]
    public void Float32IsWithinItsTolerance(int n, bool periodic)
    {
        var model = Model();
        var (x, y, z, t, box) = RandomSystem(n + 7, n, 2, periodic);
        var nl = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff);
        var reference = ReferenceEvaluator.Evaluate(model, t, nl);
        using var gpu = new GpuSeAEvaluator<float>(model, _cpu!);
        var got = gpu.Evaluate(t, nl, new EvaluationOptions());
        Assert.That(got.Energy, Is.EqualTo(reference.Energy).Within(1e-5 * Math.Max(1, Math.Abs(reference.Energy))), "energy");
        Assert.That(got.Forces, Is.EqualTo(reference.Forces).Within(1e-4), "forces");
    }

    [TestCase(5, true, null)]
    [TestCase(5, false, null)]
    [TestCase(5, true, new[] { 0, 1 })]
    public void SeRFloat64MatchesReference(int n, bool periodic, int[]? exclude)
    {
        var model = RandomModels.Create(42, "se_e2_r", ["O", "H"], exclude is null, exclude is null ? null : [(exclude[0], exclude[1])], sel: [40, 40], uniformStats: true);
        var (x, y, z, t, box) = RandomSystem(n + 11, n, 2, periodic);
        var nl = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff);
        var reference = ReferenceEvaluator.Evaluate(model, t, nl);
        using var gpu = new GpuSeAEvaluator<double>(model, _cpu!, maxChunkAtoms: 3);
        Assert.That(gpu.Name, Does.Contain("se_r"));
        AssertClose(reference, gpu.Evaluate(t, nl, new EvaluationOptions()), 1e-10, 1e-10);
    }

    [Test]
    public void CompressedModelMatchesTheReferenceOnTheSameTables()
    {
        var model = Model();
        var compressed = model.WithDescriptor(((SeE2ASpec)model.Descriptor).WithTables(TableBuilder.Build((SeE2ASpec)model.Descriptor, 0.85)));
        var (x, y, z, t, box) = RandomSystem(3, 5, 2, true);
        var nl = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff);
        var reference = ReferenceEvaluator.Evaluate(compressed, t, nl);
        using var gpu = new GpuSeAEvaluator<double>(compressed, _cpu!);
        Assert.That(gpu.Name, Does.Contain("compressed"));
        AssertClose(reference, gpu.Evaluate(t, nl, new EvaluationOptions()), 1e-10, 1e-10);
    }

    [Test]
    public void CompressedSeRModelMatchesTheReferenceOnTheSameTables()
    {
        var model = RandomModels.Create(43, "se_e2_r", ["O", "H"], false, sel: [40, 40], uniformStats: true);
        // These small random nets are tabulated to round-off, so the constant terms are shifted to make the tables
        // visibly different from the nets: both backends must then follow the tables.
        var tables = TableBuilder.Build(model.Descriptor, 0.85)
            .Select(tb => tb is null ? null : new EmbeddingTable(tb.Data.Select((v, k) => k % 6 == 0 ? v + 0.01 : v).ToArray(), tb.Info, tb.Channels))
            .ToArray();
        var compressed = model.WithDescriptor(((SeE2RSpec)model.Descriptor).WithTables(tables));
        var (x, y, z, t, box) = RandomSystem(9, 5, 2, true);
        var nl = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff);
        var reference = ReferenceEvaluator.Evaluate(compressed, t, nl);
        Assert.That(Math.Abs(reference.Energy - ReferenceEvaluator.Evaluate(model, t, nl).Energy), Is.GreaterThan(1e-4), "the reference reads the tables");
        using var gpu = new GpuSeAEvaluator<double>(compressed, _cpu!);
        Assert.That(gpu.Name, Does.Contain("compressed").And.Contain("se_r"));
        AssertClose(reference, gpu.Evaluate(t, nl, new EvaluationOptions()), 1e-10, 1e-10);
    }

    [Test]
    public void ReportsBoundedDeviceMemoryPerAtom()
    {
        var model = Model();
        var budget = 4 * new GpuSeAEvaluator<float>(model, _cpu!).DeviceBytesPerAtom;
        using var gpu = new GpuSeAEvaluator<float>(model, _cpu!, memoryBudgetBytes: budget);
        Assert.That(gpu.ChunkAtoms, Is.EqualTo(4));
        var (x, y, z, t, box) = RandomSystem(5, 9, 2, true);
        var nl = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff);
        var reference = ReferenceEvaluator.Evaluate(model, t, nl);
        var got = gpu.Evaluate(t, nl, new EvaluationOptions()); // three chunks: 4 + 4 + 1 atoms
        Assert.That(got.Forces, Is.EqualTo(reference.Forces).Within(1e-4));
        Assert.That(gpu.DeviceBytes - gpu.ModelBytes, Is.LessThanOrEqualTo(budget));
    }
}
