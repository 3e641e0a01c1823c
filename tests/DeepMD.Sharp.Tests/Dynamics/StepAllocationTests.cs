namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Core.Threading;
using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// After setup and warm-up, MD steps allocate nothing on the managed heap: the water deck (pair_style deepmd, fix nvt,
/// CPU backends) and LAMMPS' melt (lj/cut, fix nve; also under fix nvt, langevin and temp/csvr), all with Verlet rebuilds
/// inside the measured steps and thermo output outside them (thermo 1000; the run's last step, which prints, is not
/// measured). Measured step by step from an observer: GC.GetAllocatedBytesForCurrentThread of the run's thread
/// plus the parallel loop workers' own counts (ParallelLoop.WorkerAllocatedBytes), which leaves out unrelated threads of
/// the test host (the whole-process count, GC.GetTotalAllocatedBytes(true), sees a stray 168-byte allocation now and then
/// on some other thread, at steps unrelated to the run's phases); that count is printed as well.
/// </summary>
[TestFixture]
[NonParallelizable]
public class StepAllocationTests
{
    private const int WarmUp = 200, Measured = 100;

    [TestCase("cpu-f64")]
    [TestCase("cpu-f32")]
    public void WaterDeckStepsAllocateNothing(string backend)
    {
        var deck = $"""
            units metal
            boundary p p p
            atom_style atomic
            neighbor 2.0 bin
            neigh_modify every 10 delay 0 check no
            read_data {RepoPaths.Get("examples", "water", "water.lmp")}
            mass 1 16
            mass 2 2
            pair_style deepmd {RepoPaths.TestModel("deeppot_sea.yaml")}
            pair_coeff * * O H
            velocity all create 330.0 23456789
            fix 1 all nvt temp 330.0 330.0 0.5
            timestep 0.0005
            thermo_style custom step pe ke etotal temp press vol
            thermo 1000
            run 0
            """;
        var previous = Environment.GetEnvironmentVariable("DPSHARP_BACKEND");
        Environment.SetEnvironmentVariable("DPSHARP_BACKEND", backend);
        try
        {
            AssertStepsAllocateNothing(deck, $"water {backend}");
        }
        finally
        {
            Environment.SetEnvironmentVariable("DPSHARP_BACKEND", previous);
        }
    }

    [Test]
    public void LennardJonesMeltStepsAllocateNothing()
    {
        const string deck = """
            units lj
            atom_style atomic
            lattice fcc 0.8442
            region box block 0 5 0 5 0 5
            create_box 1 box
            create_atoms 1 box
            mass 1 1.0
            velocity all create 3.0 87287 loop geom
            pair_style lj/cut 2.5
            pair_coeff 1 1 1.0 1.0 2.5
            neighbor 0.3 bin
            neigh_modify every 20 delay 0 check no
            fix 1 all nve
            thermo 1000
            run 0
            """;
        AssertStepsAllocateNothing(deck, "melt 5x5x5");
    }

    [TestCase("fix 1 all nvt temp 3.0 3.0 0.5")]
    [TestCase("fix 1 all nve\nfix 2 all langevin 3.0 3.0 0.5 48279")]
    [TestCase("fix 1 all nve\nfix 2 all temp/csvr 3.0 3.0 0.5 1234")]
    // Not yet: fix npt allocates 272 bytes a step (SimulationBox.Reshape makes a new Cell box each step).
    public void MeltWithThermostatsStepsAllocateNothing(string fixes)
    {
        var deck = $"""
            units lj
            atom_style atomic
            lattice fcc 0.8442
            region box block 0 5 0 5 0 5
            create_box 1 box
            create_atoms 1 box
            mass 1 1.0
            velocity all create 3.0 87287 loop geom
            pair_style lj/cut 2.5
            pair_coeff 1 1 1.0 1.0 2.5
            neighbor 0.3 bin
            neigh_modify every 20 delay 0 check no
            {fixes}
            thermo 1000
            run 0
            """;
        AssertStepsAllocateNothing(deck, fixes);
    }

    [Test]
    public void CopperEamStepsAllocateNothing()
    {
        const string potential = "/usr/share/lammps/potentials/Cu_u3.eam";
        Requirement.That(File.Exists(potential), Requirement.Lammps, $"{potential} missing (LAMMPS' potentials)");
        var deck = $"""
            units metal
            atom_style atomic
            lattice fcc 3.615
            region box block 0 5 0 5 0 5
            create_box 1 box
            create_atoms 1 box
            pair_style eam
            pair_coeff 1 1 {potential}
            velocity all create 800.0 4928459 mom yes rot yes dist gaussian
            neighbor 1.0 bin
            neigh_modify every 1 delay 0 check yes
            timestep 0.002
            fix 1 all nvt temp 800.0 800.0 0.1
            thermo 1000
            run 0
            """;
        AssertStepsAllocateNothing(deck, "copper eam");
    }

    private static void AssertStepsAllocateNothing(string deck, string what)
    {
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.deck");
        File.WriteAllText(path, deck);
        using var session = new DeckSession(new StringWriter(), dir, null);
        session.RunFile(path);
        var sim = session.Simulation!;
        var probe = new AllocationProbe(sim.Step + WarmUp, Measured);
        sim.Observers.Add(probe);
        var builds = sim.Verlet.BuildCount;
        session.Runner.RunText("measure", $"run {WarmUp + Measured + 10}"); // thermo prints at the last step: outside the window
        sim.Observers.Remove(probe);
        var rebuilds = sim.Verlet.BuildCount - builds;
        var total = probe.PerStep.Sum();
        var process = probe.ProcessPerStep.Sum();
        TestContext.Out.WriteLine($"{what}: {total} bytes over {Measured} steps after {WarmUp} warm-up steps ({rebuilds} neighbor builds in the run), "
            + $"counted on the run's thread and the loop workers; {process} bytes by the whole process (GC.GetTotalAllocatedBytes(true))");
        TestContext.Out.WriteLine("  steps that allocated (run thread + workers): " + Describe(probe.PerStep));
        TestContext.Out.WriteLine("  steps that allocated (process): " + Describe(probe.ProcessPerStep));
        Assert.That(probe.Completed, Is.True, "the probe saw all measured steps");
        Assert.That(total, Is.EqualTo(0), $"{what}: managed bytes allocated by {Measured} steady-state MD steps (run thread + parallel loop workers)");
    }

    private static string Describe(long[] perStep)
    {
        var nonzero = perStep.Select((b, k) => (b, k)).Where(p => p.b != 0).Select(p => $"+{p.k + 1}: {p.b} B").ToList();
        return nonzero.Count == 0 ? "none" : string.Join(", ", nonzero.Take(25)) + (nonzero.Count > 25 ? ", ..." : "");
    }

    /// <summary>
    /// Records, at the end of each measured step, the bytes allocated since the previous one by this thread (the run's)
    /// plus the parallel loop workers (ParallelLoop.WorkerAllocatedBytes), and by the whole process. Allocates nothing.
    /// </summary>
    private sealed class AllocationProbe(long startStep, int count) : IRunObserver
    {
        public readonly long[] PerStep = new long[count], ProcessPerStep = new long[count];
        private long _last, _lastProcess;
        private int _k = -1;

        public bool Completed => _k == count;

        public void RunStarted(Simulation sim)
        {
        }

        public void StepCompleted(Simulation sim)
        {
            if (sim.Step < startStep || _k == count) return;
            var now = GC.GetAllocatedBytesForCurrentThread() + ParallelLoop.WorkerAllocatedBytes();
            var process = GC.GetTotalAllocatedBytes(true);
            if (_k >= 0)
            {
                PerStep[_k] = now - _last;
                ProcessPerStep[_k] = process - _lastProcess;
            }
            _k++;
            _last = GC.GetAllocatedBytesForCurrentThread() + ParallelLoop.WorkerAllocatedBytes();
            _lastProcess = GC.GetTotalAllocatedBytes(true);
        }

        public void RunFinished(Simulation sim)
        {
        }
    }
}
