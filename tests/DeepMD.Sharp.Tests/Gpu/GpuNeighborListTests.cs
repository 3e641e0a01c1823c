namespace DeepMD.Sharp.Tests.Gpu;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Gpu;
using DeepMD.Sharp.Gpu.Neighbors;
using ILGPU;
using ILGPU.Runtime;

/// <summary>
/// The device cell list on ILGPU's CPU accelerator against Core's <see cref="CellListNeighborSearch"/> (itself tested
/// against brute force): the same (neighbor, lattice shift) pairs per atom, on random triclinic cells, including
/// cells whose face distance is below the cutoff, with positions outside the cell.
/// </summary>
[NonParallelizable]
public class GpuNeighborListTests
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

    public static IEnumerable<TestCaseData> Cells()
    {
        // (seed, atoms, cell size relative to the cutoff, tilt)
        yield return new TestCaseData(1, 12, 2.5, 0.0).SetName("GpuNeighborList orthorhombic, 12 atoms");
        yield return new TestCaseData(2, 15, 2.2, 0.45).SetName("GpuNeighborList triclinic, 15 atoms");
        yield return new TestCaseData(3, 9, 0.8, 0.3).SetName("GpuNeighborList triclinic, face distance below the cutoff");
        yield return new TestCaseData(4, 6, 0.34, 0.2).SetName("GpuNeighborList cell a third of the cutoff");
        yield return new TestCaseData(5, 40, 3.3, 0.6).SetName("GpuNeighborList triclinic, 40 atoms, several cells each way");
    }

    [TestCaseSource(nameof(Cells))]
    public void DeviceListEqualsHostList(int seed, int n, double size, double tilt)
    {
        const double cutoff = 3.0;
        var rng = new Random(seed);
        var l = size * cutoff;
        var h = new[]
        {
            l * (0.9 + 0.2 * rng.NextDouble()), 0, 0,
            tilt * l * (rng.NextDouble() - 0.5), l * (0.9 + 0.2 * rng.NextDouble()), 0,
            tilt * l * (rng.NextDouble() - 0.5), tilt * l * (rng.NextDouble() - 0.5), l * (0.9 + 0.2 * rng.NextDouble()),
        };
        var box = new Box(h);
        var x = new double[n];
        var y = new double[n];
        var z = new double[n];
        var types = new int[n];
        for (var i = 0; i < n; i++)
        {
            // Fractional coordinates in [−0.5, 1.5): some atoms lie outside the cell.
            (x[i], y[i], z[i]) = box.ToCartesian(2 * rng.NextDouble() - 0.5, 2 * rng.NextDouble() - 0.5, 2 * rng.NextDouble() - 0.5);
            types[i] = rng.Next(2);
        }
        var host = CellListNeighborSearch.Build(x, y, z, box, cutoff);

        var cpu = _cpu!;
        using var dx = cpu.Allocate1D(x);
        using var dy = cpu.Allocate1D(y);
        using var dz = cpu.Allocate1D(z);
        using var dt = cpu.Allocate1D(types);
        using var list = new GpuNeighborList(cpu, 2, [2, 2]); // small on purpose: the list must grow, not drop
        list.Build(dx.View, dy.View, dz.View, dt.View, n, box, cutoff);
        var (used, neighbor, shift) = list.Download();

        Assert.That(list.Regrowths, Is.GreaterThan(0), "the test should make the list grow");
        for (var i = 0; i < n; i++)
        {
            var expected = new List<(int, int, int, int)>();
            for (var e = host.Offsets[i]; e < host.Offsets[i + 1]; e++)
                expected.Add((host.Owner[e], host.ShiftA[e], host.ShiftB[e], host.ShiftC[e]));
            var got = new List<(int, int, int, int)>();
            for (var t = 0; t < 2; t++)
            {
                Assert.That(used[i * 2 + t], Is.LessThanOrEqualTo(list.Capacity[t]));
                for (var u = 0; u < used[i * 2 + t]; u++)
                {
                    var e = (long)i * list.Stride + list.CapacityOffsets[t] + u;
                    var j = neighbor[e];
                    Assert.That(types[j], Is.EqualTo(t), "type block");
                    got.Add((j, NeighborKernels.Unpack(shift[e], 0), NeighborKernels.Unpack(shift[e], 1), NeighborKernels.Unpack(shift[e], 2)));
                    // The displacement rebuilt from the caller's positions and the shift is within the cutoff.
                    var (sx, sy, sz) = box.ToCartesian(got[^1].Item2, got[^1].Item3, got[^1].Item4);
                    var r = Math.Sqrt(Math.Pow(x[j] + sx - x[i], 2) + Math.Pow(y[j] + sy - y[i], 2) + Math.Pow(z[j] + sz - z[i], 2));
                    Assert.That(r, Is.LessThanOrEqualTo(cutoff + 1e-12));
                }
            }
            expected.Sort();
            got.Sort();
            Assert.That(got, Is.EqualTo(expected), $"atom {i}");
        }
        Assert.That(host.EntryCount, Is.GreaterThan(n), "the test should have neighbors");
    }

    [Test]
    public void RefusesANonPeriodicBox()
    {
        var cpu = _cpu!;
        using var list = new GpuNeighborList(cpu, 1, [4]);
        using var d = cpu.Allocate1D<double>(1);
        using var t = cpu.Allocate1D<int>(1);
        var box = new Box([5, 0, 0, 0, 5, 0, 0, 0, 5], periodicC: false);
        var ex = Assert.Throws<UserInputException>(() => list.Build(d.View, d.View, d.View, t.View, 1, box, 2.0));
        Assert.That(ex!.Message, Does.Contain("periodic in all three directions"));
    }
}
