namespace DeepMD.Sharp.Tests.Gpu;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Dynamics.Fixes;
using DeepMD.Sharp.Dynamics.Thermo;
using DeepMD.Sharp.Dynamics.Units;
using DeepMD.Sharp.Gpu;
using DeepMD.Sharp.Gpu.Dynamics;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Models.Potentials;
using DeepMD.Sharp.Tests.Support;
using ILGPU;
using ILGPU.Runtime;

/// <summary>
/// The device-resident MD loop on ILGPU's CPU accelerator against the host MD engine (<see cref="Simulation"/> with
/// fix nve or fix nvt and the reference evaluator) on a tiny periodic water box with the shipped water model, float64:
/// positions, velocities and energies agree to round-off after several steps, with device neighbor rebuilds inside.
/// </summary>
[NonParallelizable]
public class GpuMolecularDynamicsTests
{
    private const double Timestep = 0.0005; // ps
    private const double MassO = 15.9994, MassH = 1.00794;
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

    /// <summary>Four water molecules (O–H 0.9572 Å, 104.52°), randomly oriented on a 2×2×1 grid in a slightly tilted cell, with random velocities.</summary>
    internal static (Box Box, SimulationBox SimBox, double[] X, double[] Y, double[] Z, int[] Types, double[] V) Water(int seed)
    {
        var rng = new Random(seed);
        const double a = 6.2, c = 3.1; // about the density of liquid water
        var simBox = new SimulationBox(0, a, 0, a, 0, c, xy: 0.3, xz: -0.2, yz: 0.1);
        var box = simBox.Cell;
        var x = new List<double>();
        var y = new List<double>();
        var z = new List<double>();
        var types = new List<int>();
        var theta = 104.52 * Math.PI / 180;
        for (var gx = 0; gx < 2; gx++)
            for (var gy = 0; gy < 2; gy++)
            {
                var (ox, oy, oz) = box.ToCartesian((gx + 0.5) / 2 + 0.05 * rng.NextDouble(), (gy + 0.5) / 2 + 0.05 * rng.NextDouble(), 0.5);
                var rot = RandomRotation(rng);
                double[][] local = [[0, 0, 0], [0.9572, 0, 0], [0.9572 * Math.Cos(theta), 0.9572 * Math.Sin(theta), 0]];
                for (var k = 0; k < 3; k++)
                {
                    var l = local[k];
                    x.Add(ox + rot[0] * l[0] + rot[1] * l[1] + rot[2] * l[2]);
                    y.Add(oy + rot[3] * l[0] + rot[4] * l[1] + rot[5] * l[2]);
                    z.Add(oz + rot[6] * l[0] + rot[7] * l[1] + rot[8] * l[2]);
                    types.Add(k == 0 ? 0 : 1);
                }
            }
        var v = new double[3 * x.Count];
        for (var i = 0; i < x.Count; i++)
        {
            var sigma = Math.Sqrt(8.617343e-5 * 300 / ((types[i] == 0 ? MassO : MassH) * 1.0364269e-4)); // Å/ps at 300 K
            for (var d = 0; d < 3; d++) v[3 * i + d] = sigma * Gaussian(rng);
        }
        return (box, simBox, [.. x], [.. y], [.. z], [.. types], v);
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    private static double[] RandomRotation(Random rng)
    {
        double q0 = Gaussian(rng), q1 = Gaussian(rng), q2 = Gaussian(rng), q3 = Gaussian(rng);
        var n = Math.Sqrt(q0 * q0 + q1 * q1 + q2 * q2 + q3 * q3);
        (q0, q1, q2, q3) = (q0 / n, q1 / n, q2 / n, q3 / n);
        return
        [
            1 - 2 * (q2 * q2 + q3 * q3), 2 * (q1 * q2 - q0 * q3), 2 * (q1 * q3 + q0 * q2),
            2 * (q1 * q2 + q0 * q3), 1 - 2 * (q1 * q1 + q3 * q3), 2 * (q2 * q3 - q0 * q1),
            2 * (q1 * q3 - q0 * q2), 2 * (q2 * q3 + q0 * q1), 1 - 2 * (q1 * q1 + q2 * q2),
        ];
    }

    private static DeepPotModel WaterModel() => ModelLoader.Load(RepoPaths.TestModel("water-example-float32.dp"));

    [TestCase(false, TestName = "GpuMd NVE trajectory equals the host's (water, f64)")]
    [TestCase(true, TestName = "GpuMd NVT (Nose-Hoover chain) trajectory equals the host's (water, f64)")]
    public void TrajectoryEqualsHost(bool nvt)
    {
        const int steps = 8;
        var model = WaterModel();
        var (box, simBox, x, y, z, types, v) = Water(7);
        var n = x.Length;

        var sim = new Simulation(UnitSystem.Metal) { Timestep = Timestep };
        sim.CreateBox(simBox, 2);
        sim.SetMass(0, MassO);
        sim.SetMass(1, MassH);
        for (var i = 0; i < n; i++)
        {
            sim.Atoms.Add(i + 1, types[i], x[i], y[i], z[i]);
            sim.Atoms.Vx[i] = v[3 * i];
            sim.Atoms.Vy[i] = v[3 * i + 1];
            sim.Atoms.Vz[i] = v[3 * i + 2];
        }
        sim.Potential = new DeepPotential(new ReferenceBackend(model), ["O", "H"]);
        sim.Fixes.Add(nvt ? new FixNvt("1", 300, 330, 0.01) : new FixNve("1"));
        sim.Run(steps);

        var settings = DeviceMdSettings.Metal(Timestep, skin: 0.05) with
        {
            Thermostat = nvt ? new NoseHooverSettings(300, 330, 0.01) : null,
        };
        var mass = types.Select(t => t == 0 ? MassO : MassH).ToArray();
        var modelTypes = types.Select(t => model.TypeMap.IndexOf(t == 0 ? "O" : "H")).ToArray();
        using var evaluator = new GpuSeAEvaluator<double>(model, _cpu!, maxChunkAtoms: 5); // several chunks
        using var md = new GpuMolecularDynamics(evaluator, box, x, y, z, modelTypes, mass,
            [.. Enumerable.Range(0, n).Select(i => v[3 * i])], [.. Enumerable.Range(0, n).Select(i => v[3 * i + 1])],
            [.. Enumerable.Range(0, n).Select(i => v[3 * i + 2])], settings);
        md.Run(steps);
        var got = md.Download();
        var thermo = md.Thermo();

        Assert.That(md.NeighborBuilds, Is.GreaterThan(1), "the small skin should force device rebuilds during the run");
        var a = sim.Atoms;
        double maxDx = 0, maxDv = 0, maxDf = 0;
        for (var i = 0; i < n; i++)
        {
            // Host positions are wrapped at its rebuilds; compare modulo the lattice.
            var (fa, fb, fc) = box.ToFractional(got.X[i] - a.X[i], got.Y[i] - a.Y[i], got.Z[i] - a.Z[i]);
            var (dx, dy, dz) = box.ToCartesian(fa - Math.Round(fa), fb - Math.Round(fb), fc - Math.Round(fc));
            maxDx = Math.Max(maxDx, Math.Sqrt(dx * dx + dy * dy + dz * dz));
            maxDv = Math.Max(maxDv, Math.Abs(got.Vx[i] - a.Vx[i]) + Math.Abs(got.Vy[i] - a.Vy[i]) + Math.Abs(got.Vz[i] - a.Vz[i]));
            maxDf = Math.Max(maxDf, Math.Abs(got.Fx[i] - a.Fx[i]) + Math.Abs(got.Fy[i] - a.Fy[i]) + Math.Abs(got.Fz[i] - a.Fz[i]));
        }
        // Unwrapped positions (position + image · H) agree too: both loops count the lattice vectors they wrap by.
        var (ia, ib, ic) = md.DownloadImages();
        double maxUnwrapped = 0;
        for (var i = 0; i < n; i++)
        {
            var (gx, gy, gz) = box.ToCartesian(ia[i], ib[i], ic[i]);
            var (hx, hy, hz) = box.ToCartesian(a.ImageA[i], a.ImageB[i], a.ImageC[i]);
            maxUnwrapped = Math.Max(maxUnwrapped, Math.Abs(got.X[i] + gx - a.X[i] - hx) + Math.Abs(got.Y[i] + gy - a.Y[i] - hy) + Math.Abs(got.Z[i] + gz - a.Z[i] - hz));
        }
        Assert.That(maxUnwrapped, Is.LessThan(1e-10), "unwrapped positions");
        var moved = Enumerable.Range(0, n).Max(i =>
        {
            var (gx, gy, gz) = box.ToCartesian(ia[i], ib[i], ic[i]);
            return Math.Abs(got.X[i] + gx - x[i]) + Math.Abs(got.Y[i] + gy - y[i]) + Math.Abs(got.Z[i] + gz - z[i]);
        });
        TestContext.Out.WriteLine($"max |Δx| {maxDx:E2} Å, |Δv| {maxDv:E2} Å/ps, |ΔF| {maxDf:E2} eV/Å after {steps} steps (atoms moved up to {moved:F3} Å; {md.NeighborBuilds} device builds)");
        Assert.That(moved, Is.GreaterThan(0.01), "the atoms should have moved");
        Assert.That(maxDx, Is.LessThan(1e-10), "positions");
        Assert.That(maxDv, Is.LessThan(1e-8), "velocities");
        Assert.That(maxDf, Is.LessThan(1e-8), "forces");
        Assert.That(thermo.PotentialEnergy, Is.EqualTo(sim.PotentialEnergy).Within(1e-9 * Math.Abs(sim.PotentialEnergy)), "potential energy");
        Assert.That(thermo.Temperature, Is.EqualTo(Thermodynamics.Temperature(sim)).Within(1e-9 * Thermodynamics.Temperature(sim)), "temperature");
        for (var k = 0; k < 9; k++) Assert.That(thermo.Virial[k], Is.EqualTo(sim.Virial[k]).Within(1e-8), $"virial {k}");
    }
}
