namespace DeepMD.Sharp.Tests.Gpu;

using static DeepMD.Sharp.Tests.Support.BackendComparison;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Gpu;
using DeepMD.Sharp.IO;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Compression;
using DeepMD.Sharp.Models.Descriptors;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Tests.Support;
using ILGPU;
using ILGPU.Runtime;

/// <summary>
/// The shipped water model (embedding [25,50,100], fitting [240,240,240], sel [46,92]) on a few molecules without PBC,
/// on ILGPU's CPU accelerator: the real network shapes, kept tiny for the emulator.
/// </summary>
[NonParallelizable]
public class GpuWaterModelTests
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

    private static (DeepPotModel Model, int[] Types, NeighborList Neighbors) Molecules(int atoms)
    {
        var model = ModelLoader.Load(RepoPaths.TestModel("water-example-float32.dp"));
        var s = StructureReader.Read(RepoPaths.Get("examples", "water", "water.lmp"), ["O", "H"]);
        var x = s.X[..atoms];
        var y = s.Y[..atoms];
        var z = s.Z[..atoms];
        var types = s.TypesFor(model.TypeMap)[..atoms];
        return (model, types, CellListNeighborSearch.Build(x, y, z, null, model.Cutoff));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void WaterModelMatchesReference(bool compressed)
    {
        var (model, types, nl) = Molecules(6);
        if (compressed) model = model.WithDescriptor(((SeE2ASpec)model.Descriptor).WithTables(TableBuilder.Build((SeE2ASpec)model.Descriptor, 0.85)));
        var reference = ReferenceEvaluator.Evaluate(model, types, nl);
        using (var f64 = new GpuSeAEvaluator<double>(model, _cpu!))
            AssertClose(reference, f64.Evaluate(types, nl, new EvaluationOptions()), 1e-10, 1e-10);
        using var f32 = new GpuSeAEvaluator<float>(model, _cpu!);
        var got = f32.Evaluate(types, nl, new EvaluationOptions());
        Assert.That(got.Energy, Is.EqualTo(reference.Energy).Within(1e-5 * Math.Abs(reference.Energy)), "energy");
        Assert.That(got.Forces, Is.EqualTo(reference.Forces).Within(1e-4), "forces");
    }
}
