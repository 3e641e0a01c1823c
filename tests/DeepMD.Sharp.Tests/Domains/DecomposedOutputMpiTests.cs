namespace DeepMD.Sharp.Tests.Domains;

using System.Diagnostics;
using DeepMD.Sharp.Dynamics.Checkpoints;
using DeepMD.Sharp.Tests.Dynamics;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// Files of <c>mpirun -np N dpsharp run</c> (real Open MPI ranks, oversubscribed): restart files written by 2 ranks
/// continued by one process and by 3 ranks equal the uninterrupted one-process run; write_data, write_dump and the log
/// are those of the one-process run; a rank killed with SIGKILL during a long run ends the job (no hang, non-zero exit
/// status) and leaves the last restart file intact.
/// </summary>
[NonParallelizable]
public class DecomposedOutputMpiTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(300);

    private const string Settings = """
        pair_style lj/cut 2.5
        pair_coeff 1 1 1.0 1.0 2.5
        neighbor 0.3 bin
        neigh_modify every 2 delay 0 check yes
        fix 1 all nvt temp 2.0 2.0 0.5
        group low id 1:100
        fix 2 low setforce 0.0 0.0 NULL
        thermo 5
        thermo_style custom step temp pe ke etotal press ecouple econserve
        thermo_modify format float %.17g
        """;

    /// <summary>LJ melt, 864 atoms, fix nvt and setforce.</summary>
    private static string Melt(string outputs, long steps) => $"""
        units lj
        atom_style atomic
        lattice fcc 0.8442
        region box block 0 6 0 6 0 6
        create_box 1 box
        create_atoms 1 box
        mass 1 1.0
        velocity all create 3.0 87287 loop geom
        {Settings}
        {outputs}
        run {steps}

        """;

    private static string Continuation(string file, long steps) => $"read_restart {file}\n{Settings}\nrun {steps}\n";

    [Test]
    public void Restart_WrittenByTwoRanks_ContinuesOnOneProcessAndThreeRanks_AndFilesAreThoseOfOneProcess()
    {
        var mpirun = MpiRun.Require();
        var serialDir = RepoPaths.TempDir();
        var mpiDir = RepoPaths.TempDir();
        const string outputs = "log melt.log\nrestart 20 rst.*";
        const string tail = "write_data end.data\nwrite_dump all custom end.dump id type x y z vx vy vz fx fy fz ix iy iz\nwrite_restart end.rst\n";
        File.WriteAllText(Path.Combine(serialDir, "in.deck"), Melt(outputs, 40) + tail);
        File.WriteAllText(Path.Combine(mpiDir, "in.deck"), Melt(outputs, 40) + tail);
        var serial = Serial(serialDir, "in.deck");
        Assert.That(serial.ExitCode, Is.Zero, serial.Output + serial.Error);
        var reference = DecomposedOutputTests.Thermo(serial.Output);
        Assert.That(reference.Keys, Is.EqualTo(new long[] { 0, 5, 10, 15, 20, 25, 30, 35, 40 }));

        var two = Mpi(mpirun, 2, mpiDir, "in.deck");
        Assert.That(two.ExitCode, Is.Zero, two.Output + two.Error);
        Assert.That(two.Output, Does.Contain("with 2 MPI tasks"));
        DecomposedOutputTests.AssertRowsMatch(reference, DecomposedOutputTests.Thermo(two.Output), 9, "2 ranks");
        Assert.That(CheckpointFile.Read(Path.Combine(mpiDir, "rst.20")).Ids, Is.EqualTo(Enumerable.Range(1, 864).ToArray()));
        DecomposedOutputTests.AssertSameNumbers(Path.Combine(serialDir, "end.data"), Path.Combine(mpiDir, "end.data"));
        DecomposedOutputTests.AssertSameNumbers(Path.Combine(serialDir, "end.dump"), Path.Combine(mpiDir, "end.dump"));
        var log = File.ReadAllText(Path.Combine(mpiDir, "melt.log"));
        DecomposedOutputTests.AssertRowsMatch(reference, DecomposedOutputTests.Thermo(log), 9, "the log of 2 ranks");
        Assert.That(log.Split('\n').Count(l => l.StartsWith("Step ", StringComparison.Ordinal)), Is.EqualTo(1), "the log is written once");

        // Continue rst.20 on one process (no mpirun) and on 3 ranks: steps 20..40 as the uninterrupted run.
        File.WriteAllText(Path.Combine(mpiDir, "in.continue"), Continuation("rst.20", 20));
        var one = Serial(mpiDir, "in.continue");
        Assert.That(one.ExitCode, Is.Zero, one.Output + one.Error);
        var worstOne = DecomposedOutputTests.AssertRowsMatch(reference, DecomposedOutputTests.Thermo(one.Output), 5, "rst.20 continued on one process");
        var three = Mpi(mpirun, 3, mpiDir, "in.continue");
        Assert.That(three.ExitCode, Is.Zero, three.Output + three.Error);
        Assert.That(three.Output, Does.Contain("with 3 MPI tasks"));
        var worstThree = DecomposedOutputTests.AssertRowsMatch(reference, DecomposedOutputTests.Thermo(three.Output), 5, "rst.20 continued on 3 ranks");
        TestContext.Out.WriteLine($"rst.20 of 2 ranks continued: largest relative thermo deviation from the uninterrupted run {worstOne:G3} (one process), {worstThree:G3} (3 ranks)");
    }

    [Test]
    public void ARankKilledDuringARunWithRestarts_EndsTheJob_AndTheLastRestartContinues()
    {
        var mpirun = MpiRun.Require();
        var dir = RepoPaths.TempDir();
        File.WriteAllText(Path.Combine(dir, "in.long"), Melt("restart 50 a.rst b.rst", 100_000_000));
        var psi = new ProcessStartInfo(mpirun)
        {
            WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        if (Environment.GetEnvironmentVariable("OMPI_MCA_btl_vader_single_copy_mechanism") is null)
            psi.Environment["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none";
        foreach (var a in new[] { "--allow-run-as-root", "--oversubscribe", "-np", "3", Dotnet, Dll, "run", "in.long", "--log", "none", "--progress", "none" })
            psi.ArgumentList.Add(a);
        using var run = Process.Start(psi)!;
        var output = run.StandardOutput.ReadToEndAsync();
        var error = run.StandardError.ReadToEndAsync();
        try
        {
            // Both restart files written at least once (they alternate every 50 steps), then SIGKILL to rank 1.
            var watch = Stopwatch.StartNew();
            while (!(File.Exists(Path.Combine(dir, "a.rst")) && File.Exists(Path.Combine(dir, "b.rst"))) && !run.HasExited && watch.Elapsed < Timeout)
                Thread.Sleep(100);
            Assert.That(run.HasExited, Is.False, "the run ended before writing two restart files");
            var rank1 = RankPid(run.Id, 1);
            Assert.That(rank1, Is.Not.Null, "rank 1's process was not found among mpirun's children");
            var killed = Stopwatch.StartNew();
            Process.GetProcessById(rank1!.Value).Kill(); // SIGKILL
            var ended = run.WaitForExit(TimeSpan.FromSeconds(120));
            killed.Stop();
            Assert.That(ended, Is.True, "the other ranks hang after one was killed");
            run.WaitForExit();
            var text = output.Result + error.Result;
            Assert.That(run.ExitCode, Is.Not.Zero, text);
            Assert.That(text, Does.Contain("rank 1").And.Contain("signal 9"), "mpirun names the killed rank");
            TestContext.Out.WriteLine($"the job ended {killed.Elapsed.TotalSeconds:F2} s after the kill, exit status {run.ExitCode}");
        }
        finally
        {
            if (!run.HasExited) run.Kill(entireProcessTree: true);
        }

        // The newer of the two files is intact (checksum) and a one-process run continued from it equals the
        // uninterrupted run of the same deck on 3 ranks (bit-reproducible: sums over ranks in a fixed order), whose
        // state at that step is the file's: the two differ only by the order of the force sums after it.
        var files = new[] { "a.rst", "b.rst" }.Select(f => (File: f, Checkpoint: CheckpointFile.Read(Path.Combine(dir, f)))).ToList();
        var last = files.MaxBy(f => f.Checkpoint.Step);
        var step = last.Checkpoint.Step;
        Assert.That(step % 50, Is.Zero);
        File.WriteAllText(Path.Combine(dir, "in.continue"), Continuation(last.File, 20));
        var continued = Serial(dir, "in.continue");
        Assert.That(continued.ExitCode, Is.Zero, continued.Output + continued.Error);
        var referenceDir = RepoPaths.TempDir();
        File.WriteAllText(Path.Combine(referenceDir, "in.deck"), Melt("", step + 20));
        var reference = Mpi(mpirun, 3, referenceDir, "in.deck");
        Assert.That(reference.ExitCode, Is.Zero, reference.Output + reference.Error);
        var worst = DecomposedOutputTests.AssertRowsMatch(DecomposedOutputTests.Thermo(reference.Output), DecomposedOutputTests.Thermo(continued.Output), 5, $"{last.File} (step {step}) continued");
        TestContext.Out.WriteLine($"{last.File} (step {step}) continued 20 steps: largest relative thermo deviation from the uninterrupted run {worst:G3}");
    }

    /// <summary><c>minimize</c> (cg, fire) under <c>mpirun -np 2</c> and <c>3</c> against the one-process minimization.</summary>
    [TestCase(2, "min_style cg")]
    [TestCase(3, "min_style fire\ntimestep 0.005")]
    public void Minimize_OnRanks_IsTheOneProcessMinimization(int ranks, string style)
    {
        var mpirun = MpiRun.Require();
        var dir = RepoPaths.TempDir();
        File.WriteAllText(Path.Combine(dir, "in.min"), DecomposedMinimizeTests.Lj.Replace("PROCESSORS", "").Replace("MIN", style) + "\nwrite_data min.data\n");
        var serial = Serial(dir, "in.min");
        Assert.That(serial.ExitCode, Is.Zero, serial.Output + serial.Error);
        File.Move(Path.Combine(dir, "min.data"), Path.Combine(dir, "serial.data"));
        var mpi = Mpi(mpirun, ranks, dir, "in.min");
        Assert.That(mpi.ExitCode, Is.Zero, mpi.Output + mpi.Error);
        Assert.That(mpi.Output, Does.Contain($"Minimization over {ranks} ranks"));
        var worst = DecomposedMinimizeTests.AssertSameMinimization(serial.Output, mpi.Output);
        DecomposedOutputTests.AssertSameNumbers(Path.Combine(dir, "serial.data"), Path.Combine(dir, "min.data"));
        TestContext.Out.WriteLine($"{style.Split('\n')[0]} on {ranks} ranks: largest relative deviation {worst:G3}");
    }

    /// <summary>
    /// <c>velocity all create T SEED loop local</c> under <c>mpirun -np N</c>: each rank draws for its own atoms from
    /// seed + rank (LAMMPS' semantics, so the numbers depend on N). LAMMPS itself (<c>mpirun -np N lmp</c>) on the same
    /// deck is the reference: the atoms are matched by lattice position (LAMMPS numbers atoms created in parallel rank
    /// by rank), velocities equal to 1e-12 (both scale to the temperature with sums in another order).
    /// </summary>
    [TestCase(2, "")]
    [TestCase(3, "")]
    [TestCase(4, "processors 2 2 1")]
    public void VelocityLoopLocal_OnRanks_IsWhatLammpsDrawsOnAsManyRanks(int ranks, string processors)
    {
        var mpirun = MpiRun.Require();
        var lmp = LammpsHarness.RequireLammps();
        var deck = $"""
            units lj
            atom_style atomic
            {processors}
            lattice fcc 0.8442
            region box block 0 4 0 5 0 3
            create_box 1 box
            create_atoms 1 box
            mass 1 1.0
            velocity all create 3.0 87287 loop local
            write_data v.data

            """;
        var lammpsDir = RepoPaths.TempDir();
        var oursDir = RepoPaths.TempDir();
        File.WriteAllText(Path.Combine(lammpsDir, "in.v"), deck);
        File.WriteAllText(Path.Combine(oursDir, "in.v"), deck);
        var lammps = MpiRun.Run(mpirun, ranks, lmp, ["-in", "in.v", "-log", "none"], lammpsDir, Timeout);
        Assert.That(lammps.ExitCode, Is.Zero, lammps.Output + lammps.Error);
        var ours = Mpi(mpirun, ranks, oursDir, "in.v");
        Assert.That(ours.ExitCode, Is.Zero, ours.Output + ours.Error);
        var expected = VelocitiesByPosition(Path.Combine(lammpsDir, "v.data"));
        var actual = VelocitiesByPosition(Path.Combine(oursDir, "v.data"));
        Assert.That(expected, Has.Count.EqualTo(240));
        Assert.That(actual.Keys, Is.EquivalentTo(expected.Keys));
        double worst = 0;
        foreach (var (position, v) in expected)
            for (var d = 0; d < 3; d++)
            {
                worst = Math.Max(worst, Math.Abs(actual[position][d] - v[d]));
                Assert.That(actual[position][d], Is.EqualTo(v[d]).Within(1e-12), $"atom at {position}");
            }
        TestContext.Out.WriteLine($"{ranks} ranks: largest velocity difference from LAMMPS {worst:G3}");
    }

    /// <summary>A data file's velocities keyed by the atom's position (rounded to 1e-9).</summary>
    private static Dictionary<(double, double, double), double[]> VelocitiesByPosition(string path)
    {
        var lines = File.ReadAllLines(path);
        var atoms = Array.FindIndex(lines, l => l.StartsWith("Atoms", StringComparison.Ordinal));
        var velocities = Array.FindIndex(lines, l => l.StartsWith("Velocities", StringComparison.Ordinal));
        Assert.That(atoms, Is.GreaterThan(0));
        Assert.That(velocities, Is.GreaterThan(atoms));
        static double P(string w) => double.Parse(w, System.Globalization.CultureInfo.InvariantCulture);
        var position = new Dictionary<int, (double, double, double)>();
        for (var k = atoms + 1; k < velocities; k++)
        {
            var w = lines[k].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (w.Length >= 5) position[int.Parse(w[0], System.Globalization.CultureInfo.InvariantCulture)] = (Math.Round(P(w[2]), 9), Math.Round(P(w[3]), 9), Math.Round(P(w[4]), 9));
        }
        var result = new Dictionary<(double, double, double), double[]>();
        for (var k = velocities + 1; k < lines.Length; k++)
        {
            var w = lines[k].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (w.Length == 4) result[position[int.Parse(w[0], System.Globalization.CultureInfo.InvariantCulture)]] = [P(w[1]), P(w[2]), P(w[3])];
        }
        return result;
    }

    /// <summary>The pid of rank <paramref name="rank"/> among the children of mpirun (<c>OMPI_COMM_WORLD_RANK</c> in its environment).</summary>
    private static int? RankPid(int mpirunPid, int rank)
    {
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) != mpirunPid) continue;
                var environment = File.ReadAllText(Path.Combine(dir, "environ")).Split('\0');
                if (environment.Contains($"OMPI_COMM_WORLD_RANK={rank}")) return pid;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return null;
    }

    private static MpiRun.Result Mpi(string mpirun, int ranks, string dir, string deck) =>
        MpiRun.Run(mpirun, ranks, Dotnet, [Dll, "run", deck, "--log", "none", "--progress", "none"], dir, Timeout);

    private static MpiRun.Result Serial(string dir, string deck)
    {
        var psi = new ProcessStartInfo(Dotnet, [Dll, "run", deck, "--log", "none", "--progress", "none"])
        {
            WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        var timedOut = !p.WaitForExit(Timeout);
        if (timedOut) p.Kill(entireProcessTree: true);
        p.WaitForExit();
        return new MpiRun.Result(p.ExitCode, output.Result, error.Result, TimeSpan.Zero, timedOut);
    }

    private static string Dll => Path.Combine(TestContext.CurrentContext.TestDirectory, "dpsharp.dll");

    private static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
}
