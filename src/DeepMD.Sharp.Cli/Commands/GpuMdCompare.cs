namespace DeepMD.Sharp.Cli.Commands;

using System.Globalization;
using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Dynamics.Fixes;
using DeepMD.Sharp.Dynamics.Units;
using DeepMD.Sharp.Gpu.Dynamics;
using DeepMD.Sharp.Models.Backends;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Potentials;

/// <summary>
/// <c>dpsharp bench --device gpu --md-compare N</c>: the same NVE run (0.5 fs, same start) with the atoms on the
/// device and with the host MD engine on a host backend; prints how far the trajectories have drifted apart after
/// 1, 10, 100, … steps (largest minimum-image position difference, force difference, potential energy difference per atom).
/// </summary>
internal static class GpuMdCompare
{
    public static void Run(TextWriter o, DeepPotModel m, Structure s, IReadOnlyList<string> precisions, int steps, string hostBackend, bool emulate)
    {
        if (s.Box is null) throw new UserInputException("--md-compare needs a periodic structure");
        var box = s.Box;
        var types = s.TypesFor(m.TypeMap);
        var mass = GpuMdBench.Masses(m, types);
        var (vx, vy, vz) = GpuMdBench.Velocities(mass, 330.0);
        var checkpoints = new List<int>();
        for (var k = 1; k < steps; k *= 10) checkpoints.Add(k);
        checkpoints.Add(steps);

        var (context, accelerator) = GpuMdBench.Open(emulate); // first: without a device, fail before any work
        using var c = context;
        using var a = accelerator;

        // Host: the MD engine with one engine type per model type.
        var sim = new Simulation(UnitSystem.Metal) { Timestep = 0.0005 };
        var h = box.Matrix;
        if (h[1] != 0 || h[2] != 0 || h[5] != 0)
            throw new UserInputException("--md-compare needs a LAMMPS-style cell (a along x, b in the xy plane)");
        sim.CreateBox(new SimulationBox(0, h[0], 0, h[4], 0, h[8], h[3], h[6], h[7]), m.TypeMap.Count);
        var typeMass = GpuMdBench.TypeMasses(m);
        for (var t = 0; t < m.TypeMap.Count; t++) sim.SetMass(t, typeMass[t]);
        for (var i = 0; i < s.Count; i++)
        {
            sim.Atoms.Add(i + 1, types[i], s.X[i], s.Y[i], s.Z[i]);
            sim.Atoms.Vx[i] = vx[i];
            sim.Atoms.Vy[i] = vy[i];
            sim.Atoms.Vz[i] = vz[i];
        }
        var hostEvaluator = BackendRegistry.Default.Create(m, hostBackend, out _);
        using var ownedHost = hostEvaluator as IDisposable;
        sim.Potential = new DeepPotential(hostEvaluator, m.TypeMap.Names);
        sim.Fixes.Add(new FixNve("1"));

        var runs = precisions.Select(p =>
        {
            var evaluator = GpuMdBench.Create(m, accelerator, p);
            return (Evaluator: evaluator, Md: new GpuMolecularDynamics(evaluator, box, s.X, s.Y, s.Z, types, mass, vx, vy, vz, DeviceMdSettings.Metal(0.0005)));
        }).ToList();
        try
        {
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"NVE from the same start, {s.Count:N0} atoms, 0.5 fs: device-resident loop vs host loop on {hostEvaluator.Name}"));
            o.WriteLine("backend                 step   max |Δx| (Å)   max |ΔF| (eV/Å)   |ΔE_pot|/atom (eV)");
            var done = 0;
            foreach (var k in checkpoints)
            {
                sim.Run(k - done);
                foreach (var (evaluator, md) in runs)
                {
                    md.Run(k - done);
                    var got = md.Download();
                    var thermo = md.Thermo();
                    double dx = 0, df = 0;
                    for (var i = 0; i < s.Count; i++)
                    {
                        var (fa, fb, fc) = box.ToFractional(got.X[i] - sim.Atoms.X[i], got.Y[i] - sim.Atoms.Y[i], got.Z[i] - sim.Atoms.Z[i]);
                        var (ex, ey, ez) = box.ToCartesian(fa - Math.Round(fa), fb - Math.Round(fb), fc - Math.Round(fc));
                        dx = Math.Max(dx, Math.Sqrt(ex * ex + ey * ey + ez * ez));
                        df = Math.Max(df, Math.Max(Math.Abs(got.Fx[i] - sim.Atoms.Fx[i]), Math.Max(Math.Abs(got.Fy[i] - sim.Atoms.Fy[i]), Math.Abs(got.Fz[i] - sim.Atoms.Fz[i]))));
                    }
                    o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{evaluator.Name.Split(' ')[0],-22} {k,5}   {dx,12:E3}   {df,15:E3}   {Math.Abs(thermo.PotentialEnergy - sim.PotentialEnergy) / s.Count,18:E3}"));
                }
                done = k;
            }
        }
        finally
        {
            foreach (var (evaluator, md) in runs)
            {
                md.Dispose();
                evaluator.Dispose();
            }
        }
    }
}
