namespace DeepMD.Sharp.Tests.Gpu;

using static DeepMD.Sharp.Tests.Support.BackendComparison;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Gpu;
using DeepMD.Sharp.Gpu.Neighbors;
using DeepMD.Sharp.Gpu.Resident;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Tests.Support;
using ILGPU;
using ILGPU.Runtime;

/// <summary>
/// The device-resident evaluation (device neighbor list with a skin, device slot staging, forces scattered on the
/// device) against the reference evaluator on the host list, on ILGPU's CPU accelerator; and its sel check.
/// </summary>
[NonParallelizable]
public class GpuResidentEvaluationTests
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

    public static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData("se_e2_a", true, null, null, null).SetName("GpuResident se_e2_a f64");
        yield return new TestCaseData("se_e2_a", false, new[] { (0, 1) }, null, null).SetName("GpuResident se_e2_a two-side, exclude_types (0,1)");
        yield return new TestCaseData("se_e2_a", true, null, new[] { (0, 1) }, null).SetName("GpuResident se_e2_a pair_exclude_types (0,1)");
        yield return new TestCaseData("se_e2_a", true, null, null, new[] { 1 }).SetName("GpuResident se_e2_a atom_exclude_types 1");
        yield return new TestCaseData("se_e2_r", false, new[] { (0, 1) }, null, null).SetName("GpuResident se_e2_r exclude_types (0,1)");
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesReference(string descriptor, bool oneSide, (int, int)[]? exclude, (int, int)[]? pairExclude, int[]? atomExclude)
    {
        var model = RandomModels.Create(61, descriptor, ["O", "H"], oneSide, exclude, sel: [40, 40], pairExclude: pairExclude, atomExclude: atomExclude, uniformStats: true);
        var (x, y, z, t, box) = RandomSystem(17, 11, 2, true);
        var reference = ReferenceEvaluator.Evaluate(model, t, CellListNeighborSearch.Build(x, y, z, box, model.Cutoff));

        var cpu = _cpu!;
        using var gpu = new GpuSeAEvaluator<double>(model, cpu, maxChunkAtoms: 4);
        using var atoms = new GpuAtoms(cpu, x, y, z, t);
        using var list = new GpuNeighborList(cpu, 2, [8, 8]);
        list.Build(atoms.X, atoms.Y, atoms.Z, atoms.ModelType, x.Length, box!, model.Cutoff + 1.0); // with a skin
        gpu.EvaluateOnDevice(atoms, list, new EvaluationOptions());

        var e = GpuAtoms.Download(atoms.AtomEnergy);
        var (fx, fy, fz) = (GpuAtoms.Download(atoms.Fx), GpuAtoms.Download(atoms.Fy), GpuAtoms.Download(atoms.Fz));
        var w = GpuAtoms.Download(atoms.CenterVirial);
        Assert.That(e.Sum(), Is.EqualTo(reference.Energy).Within(1e-10 * Math.Abs(reference.Energy)), "energy");
        for (var i = 0; i < x.Length; i++)
        {
            Assert.That(e[i], Is.EqualTo(reference.AtomEnergy[i]).Within(1e-10), $"energy of atom {i}");
            Assert.That(new[] { fx[i], fy[i], fz[i] }, Is.EqualTo(reference.Forces[(3 * i)..(3 * i + 3)]).Within(1e-10), $"force on atom {i}");
        }
        for (var q = 0; q < 9; q++)
            Assert.That(Enumerable.Range(0, x.Length).Sum(i => w[9 * i + q]), Is.EqualTo(reference.Virial[q]).Within(1e-10), $"virial {q}");
    }

    [Test]
    public void Float32IsWithinItsTolerance()
    {
        var model = RandomModels.Create(63, "se_e2_a", ["O", "H"], sel: [40, 40], uniformStats: true);
        var (x, y, z, t, box) = RandomSystem(19, 11, 2, true);
        var reference = ReferenceEvaluator.Evaluate(model, t, CellListNeighborSearch.Build(x, y, z, box, model.Cutoff));
        var cpu = _cpu!;
        using var gpu = new GpuSeAEvaluator<float>(model, cpu, maxChunkAtoms: 4);
        using var atoms = new GpuAtoms(cpu, x, y, z, t);
        using var list = new GpuNeighborList(cpu, 2, [8, 8]);
        list.Build(atoms.X, atoms.Y, atoms.Z, atoms.ModelType, x.Length, box!, model.Cutoff + 1.0);
        gpu.EvaluateOnDevice(atoms, list, new EvaluationOptions());
        var f = GpuAtoms.Download(atoms.Fx).Zip(GpuAtoms.Download(atoms.Fy), GpuAtoms.Download(atoms.Fz))
            .SelectMany(v => new[] { v.First, v.Second, v.Third }).ToArray();
        Assert.That(GpuAtoms.Download(atoms.AtomEnergy).Sum(), Is.EqualTo(reference.Energy).Within(1e-5 * Math.Abs(reference.Energy)), "energy");
        Assert.That(f, Is.EqualTo(reference.Forces).Within(1e-4), "forces");
        Assert.That(f.Zip(reference.Forces).Max(p => Math.Abs(p.First - p.Second)), Is.GreaterThan(0), "float32 storage should show");
    }

    /// <summary>Names the same (lowest-numbered) atom as the host check, also when chunks do not follow atom order.</summary>
    [Test]
    public void SelOverflowIsReportedLikeTheHost()
    {
        var model = RandomModels.Create(62, "se_e2_a", ["O", "H"], sel: [2, 2], uniformStats: true);
        var (x, y, z, t, box) = RandomSystem(18, 12, 2, true);
        var nl = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff);
        var host = Assert.Throws<UserInputException>(() => ReferenceEvaluator.Evaluate(model, t, nl));

        var cpu = _cpu!;
        using var gpu = new GpuSeAEvaluator<double>(model, cpu, maxChunkAtoms: 3); // chunks in cell order, not atom order
        using var atoms = new GpuAtoms(cpu, x, y, z, t);
        using var list = new GpuNeighborList(cpu, 2, [2, 2]);
        list.Build(atoms.X, atoms.Y, atoms.Z, atoms.ModelType, x.Length, box!, model.Cutoff + 0.5);
        var device = Assert.Throws<UserInputException>(() => gpu.EvaluateOnDevice(atoms, list, new EvaluationOptions()));
        Assert.That(device!.Message, Is.EqualTo(host!.Message));
    }
}
