namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.IO;

/// <summary>The LAMMPS-like summary printed after a run: loop time, performance, neighbor statistics.</summary>
internal static class TimerReport
{
    /// <summary>The threads the run used: LAMMPS counts procs as MPI tasks × OpenMP threads; dpsharp is one task.</summary>
    public static int Threads(Simulation sim) => ThreadSettings.Count(sim.Threads);

    /// <summary>LAMMPS' "procs" of the loop-time line: MPI tasks (ranks of a decomposed run) × threads per task.</summary>
    public static int Procs(Simulation sim) => (sim.Decomposed?.Communicator.Size ?? 1) * Threads(sim);

    /// <summary>This process's CPU time so far, to pass to <see cref="CpuUse"/> after the loop.</summary>
    public static TimeSpan CpuNow() => System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;

    /// <summary>LAMMPS' "P% CPU use with 1 MPI tasks x K OpenMP threads" (CPU time over wall time per thread).</summary>
    public static void CpuUse(TextWriter o, Simulation sim, TimeSpan cpuBefore)
    {
        var wall = sim.RunClock.Elapsed.TotalSeconds;
        var threads = Threads(sim);
        var percent = wall > 0 ? 100 * (CpuNow() - cpuBefore).TotalSeconds / wall / threads : 0;
        o.WriteLine($"{CFormat.F(percent, 1)}% CPU use with {sim.Decomposed?.Communicator.Size ?? 1} MPI tasks x {threads} OpenMP threads");
    }

    public static void Print(TextWriter o, Simulation sim, long steps, int dangerousBefore, int riskyBefore, TimeSpan cpuBefore)
    {
        var seconds = sim.RunClock.Elapsed.TotalSeconds;
        o.WriteLine($"Loop time of {CFormat.G(seconds)} on {Procs(sim)} procs for {steps} steps with {sim.AtomCount} atoms");
        o.WriteLine();
        if (seconds > 0 && steps > 0)
        {
            var stepsPerSecond = steps / seconds;
            var usPerAtomStep = seconds * 1e6 / (steps * (double)sim.AtomCount);
            if (sim.Units.Name == "lj")
                o.WriteLine($"Performance: {CFormat.F(86400 * stepsPerSecond * sim.Timestep, 3)} tau/day, {CFormat.F(stepsPerSecond, 3)} timesteps/s, {CFormat.G(usPerAtomStep, 4)} us/atom-step");
            else
            {
                // metal: ps per step; real: fs per step.
                var nsPerStep = sim.Units.Name == "metal" ? sim.Timestep * 1e-3 : sim.Timestep * 1e-6;
                var nsPerDay = 86400 * stepsPerSecond * nsPerStep;
                o.WriteLine($"Performance: {CFormat.F(nsPerDay, 3)} ns/day, {CFormat.F(24 / nsPerDay, 3)} hours/ns, {CFormat.F(stepsPerSecond, 3)} timesteps/s, {CFormat.G(usPerAtomStep, 4)} us/atom-step");
            }
        }
        CpuUse(o, sim, cpuBefore);
        o.WriteLine();
        if (sim.Decomposed is { } decomposed)
            o.WriteLine($"Neighbor list builds = {decomposed.Builds - 1} (decomposed over {decomposed.Grid} ranks; dangerous builds not checked)");
        else if (sim.DeviceLoopNote is { } note && note.StartsWith("device loop", StringComparison.Ordinal))
        {
            // The device rebuilds when an atom has moved more than half the skin (every 1 delay 0 check yes).
            o.WriteLine($"Neighbor list builds = {sim.DeviceNeighborBuilds} (on the device)");
            o.WriteLine("Dangerous builds = 0");
        }
        else
        {
            o.WriteLine($"Neighbor list builds = {sim.Verlet.BuildCount - sim.BuildsAtRunStart}");
            HostBuilds(o, sim, dangerousBefore, riskyBefore);
        }
        o.WriteLine();
    }

    private static void HostBuilds(TextWriter o, Simulation sim, int dangerousBefore, int riskyBefore)
    {
        if (sim.Neighbor.Check) o.WriteLine($"Dangerous builds = {sim.Verlet.DangerousBuilds - dangerousBefore}");
        else
        {
            o.WriteLine("Dangerous builds not checked");
            var risky = sim.Verlet.RiskyUncheckedBuilds - riskyBefore;
            if (risky > 0)
                o.WriteLine($"WARNING: {risky} neighbor list rebuild(s) came after an atom moved more than half the skin: pairs may have been missed (use 'neigh_modify check yes' or a larger skin)");
        }
    }
}
