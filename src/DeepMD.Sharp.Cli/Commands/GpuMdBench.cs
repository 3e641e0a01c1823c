namespace DeepMD.Sharp.Cli.Commands;

using System.Diagnostics;
using System.Globalization;
using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Gpu;
using DeepMD.Sharp.Gpu.Dynamics;
using DeepMD.Sharp.Gpu.Resident;
using DeepMD.Sharp.IO;
using DeepMD.Sharp.Models;
using ILGPU;
using ILGPU.Runtime;

/// <summary>
/// <c>dpsharp bench --device gpu</c>: whole MD steps with the atoms on the device (velocity Verlet NVE, device
/// neighbor list with a 2 Å skin, rebuilds amortised over the timed steps), per precision: µs per atom-step (mean and
/// median), atom-steps per second, device bytes per atom, list builds, and the total-energy change over the run.
/// </summary>
internal static class GpuMdBench
{
    /// <summary>Seed of the initial velocities (330 K Maxwell–Boltzmann, zero total momentum).</summary>
    private const int VelocitySeed = 4928;

    public static void Run(TextWriter o, DeepPotModel m, Structure s, IReadOnlyList<string> precisions, int steps, bool emulate)
    {
        if (s.Box is null) throw new UserInputException("the GPU MD bench needs a periodic structure (a box in all three directions)");
        var (context, accelerator) = Open(emulate);
        using var device = new DeviceScope(context, accelerator);
        var types = s.TypesFor(m.TypeMap);
        var mass = Masses(m, types);
        var (vx, vy, vz) = Velocities(mass, 330.0);
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"device-resident MD (NVE, 0.5 fs, skin 2 Å), {s.Count:N0} atoms, {steps} timed steps after {Warmup(steps)} warm-up steps on {accelerator.AcceleratorType}: {accelerator.Name}"));
        o.WriteLine("backend                µs/atom-step mean   median   atom-steps/s   device bytes/atom   builds   E_total start → end (eV)");
        foreach (var precision in precisions)
        {
            using var evaluator = Create(m, accelerator, precision);
            using var md = new GpuMolecularDynamics(evaluator, s.Box, s.X, s.Y, s.Z, types, mass, vx, vy, vz, DeviceMdSettings.Metal(0.0005));
            md.Run(Warmup(steps));
            var start = md.Thermo();
            var buildsBefore = md.NeighborBuilds;
            var perStep = new List<double>(steps);
            var clock = Stopwatch.StartNew();
            var last = clock.Elapsed;
            md.Run(steps, _ =>
            {
                var now = clock.Elapsed;
                perStep.Add((now - last).TotalMicroseconds / md.AtomCount);
                last = now;
            });
            var total = clock.Elapsed.TotalMicroseconds / md.AtomCount / steps; // includes the run's setup (one build and evaluation)
            var end = md.Thermo();
            perStep.Sort();
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{evaluator.Name.Split(' ')[0],-22} {total,12:F4} {perStep[perStep.Count / 2],12:F4} {1e6 / total,14:N0}   {(double)md.DeviceBytes / md.AtomCount,17:N0}   {md.NeighborBuilds - buildsBefore,6}   {start.PotentialEnergy + start.KineticEnergy:F6} → {end.PotentialEnergy + end.KineticEnergy:F6}"));
        }
    }

    /// <summary>Warm-up steps before timing (kernel compilation, first allocations).</summary>
    private static int Warmup(int steps) => Math.Min(steps, 5);

    /// <summary>ILGPU's CPU accelerator when <paramref name="emulate"/> (tiny systems; for tests), else the first CUDA device.</summary>
    public static (Context, Accelerator) Open(bool emulate)
    {
        if (emulate) return GpuDevices.OpenCpu();
        if (!GpuDevices.HasCuda) throw new UserInputException($"--device gpu needs a CUDA device: {GpuDevices.CudaDescription}");
        return GpuDevices.OpenCuda();
    }

    /// <summary>f32 or f64 device-resident evaluator (the model's compression, if any, is used by both).</summary>
    public static IDeviceResidentEvaluator Create(DeepPotModel m, Accelerator accelerator, string precision) => precision switch
    {
        "f32" or "gpu-f32" => new GpuSeAEvaluator<float>(m, accelerator),
        "f64" or "gpu-f64" or "gpu" => new GpuSeAEvaluator<double>(m, accelerator),
        _ => throw new UserInputException($"GPU precision must be f32 or f64, got '{precision}'"),
    };

    /// <summary>Atomic masses (g/mol) from the element names of the model's type map.</summary>
    public static double[] Masses(DeepPotModel m, int[] types)
    {
        var byType = TypeMasses(m);
        return types.Select(t => byType[t]).ToArray();
    }

    /// <summary>Atomic mass (g/mol) of each type of the model's type map.</summary>
    public static double[] TypeMasses(DeepPotModel m) => m.TypeMap.Names.Select(n => ChemicalElements.Mass(n)
        ?? throw new UserInputException($"type '{n}' of the model is not a chemical element; the MD bench needs masses")).ToArray();

    /// <summary>Maxwell–Boltzmann velocities (Å/ps, metal units) at <paramref name="kelvin"/>, zero total momentum, fixed seed.</summary>
    public static (double[], double[], double[]) Velocities(double[] mass, double kelvin)
    {
        var rng = new Random(VelocitySeed);
        var n = mass.Length;
        double[] vx = new double[n], vy = new double[n], vz = new double[n];
        double px = 0, py = 0, pz = 0, mt = 0;
        for (var i = 0; i < n; i++)
        {
            var sigma = Math.Sqrt(8.617343e-5 * kelvin / (mass[i] * 1.0364269e-4));
            vx[i] = sigma * Gaussian(rng);
            vy[i] = sigma * Gaussian(rng);
            vz[i] = sigma * Gaussian(rng);
            px += mass[i] * vx[i];
            py += mass[i] * vy[i];
            pz += mass[i] * vz[i];
            mt += mass[i];
        }
        for (var i = 0; i < n; i++)
        {
            vx[i] -= px / mt;
            vy[i] -= py / mt;
            vz[i] -= pz / mt;
        }
        return (vx, vy, vz);
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>Releases an accelerator and its context.</summary>
    private sealed class DeviceScope(Context context, Accelerator accelerator) : IDisposable
    {
        public void Dispose()
        {
            accelerator.Dispose();
            context.Dispose();
        }
    }
}
