namespace DeepMD.Sharp.Tests.Input;

using System.Diagnostics;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Tests.Dynamics;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// Issue 16 item 8: two runs in one folder must not both write the same log, dump or restart file; the second is
/// refused with a message naming the other process and the file, the first's output stays intact, and a run killed
/// with kill -9 does not block the next one.
/// </summary>
public class OutputLockTests
{
    private const string Lj = """
        units       lj
        atom_style  atomic
        lattice     fcc 0.8442
        region      box block 0 4 0 4 0 4
        create_box  1 box
        create_atoms 1 box
        mass        1 1.0
        velocity    all create 1.5 87287 loop geom
        pair_style  lj/cut 2.5
        pair_coeff  1 1 1.0 1.0 2.5
        fix         1 all nve
        thermo      10
        dump        d all atom 10 run.dump
        restart     20 run.restart

        """;

    [Test]
    public void SecondSessionInOneFolder_IsRefused_FirstOutputIntact()
    {
        var dir = RepoPaths.TempDir();
        using var first = new DeckSession(new StringWriter(), dir);
        first.Runner.RunText("first", Lj + "run 40\n");

        var e = Assert.Throws<UserInputException>(() =>
        {
            using var second = new DeckSession(new StringWriter(), dir);
            second.Runner.RunText("second", Lj + "run 40\n");
        })!;
        Assert.That(e.Message, Does.Contain($"PID {Environment.ProcessId}").And.Contain("log.lammps"), e.Message);

        // A second run with its own log still may not take over the first's dump or restart file.
        var e2 = Assert.Throws<UserInputException>(() =>
        {
            using var second = new DeckSession(new StringWriter(), dir, "second.log");
            second.Runner.RunText("second", Lj + "run 40\n");
        })!;
        Assert.That(e2.Message, Does.Contain("run.dump").Or.Contain("run.restart"), e2.Message);

        first.Runner.RunText("first-more", "run 20\n");
        first.Dispose();
        var dump = File.ReadAllText(Path.Combine(dir, "run.dump"));
        Assert.That(dump.Split("ITEM: TIMESTEP").Length - 1, Is.EqualTo(5 + 2), "the first run's dump holds its frames only (steps 0..40, then 50 and 60; 40 is not repeated)");
        var log = File.ReadAllText(Path.Combine(dir, "log.lammps"));
        Assert.That(log.Split("Loop time of").Length - 1, Is.EqualTo(2), "the log holds the first run's two runs only");
        Assert.That(File.Exists(Path.Combine(dir, "log.lammps.lock")), Is.False, "the lock file is removed when the run ends");

        // After the first session ended, the folder is free again.
        using var third = new DeckSession(new StringWriter(), dir);
        third.Runner.RunText("third", Lj + "run 10\n");
    }

    [Test]
    public void SecondProcess_IsRefused_AndAKilledRunDoesNotBlockTheNext()
    {
        var dir = RepoPaths.TempDir();
        File.WriteAllText(Path.Combine(dir, "long.in"), Lj + "run 100000000\n");
        var dll = Path.Combine(TestContext.CurrentContext.TestDirectory, "dpsharp.dll");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var psi = new ProcessStartInfo(dotnet, [dll, "run", "long.in"])
        {
            WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        // One process (no relaunch for wide vectors), so that kill -9 of it kills the run.
        psi.Environment["DOTNET_PreferredVectorBitWidth"] = "256";
        psi.Environment["DPSHARP_NO_RELAUNCH"] = "1";
        using var first = Process.Start(psi)!;
        _ = first.StandardOutput.ReadToEndAsync();
        _ = first.StandardError.ReadToEndAsync();
        try
        {
            var dump = Path.Combine(dir, "run.dump");
            var watch = Stopwatch.StartNew();
            while (!(File.Exists(dump) && new FileInfo(dump).Length > 0) && watch.Elapsed < TimeSpan.FromSeconds(60) && !first.HasExited) Thread.Sleep(100);
            Assert.That(first.HasExited, Is.False, "the first run should still be running");
            Assert.That(new FileInfo(dump).Length, Is.GreaterThan(0), "the first run wrote no dump frame within 60 s");

            // Bounded: without the lock, the second run would run (and write) as long as the first.
            var second = Process.Start(new ProcessStartInfo(dotnet, [dll, "run", "long.in"])
            {
                WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            })!;
            var errTask = second.StandardError.ReadToEndAsync();
            _ = second.StandardOutput.ReadToEndAsync();
            if (!second.WaitForExit(60_000))
            {
                second.Kill(entireProcessTree: true);
                second.WaitForExit();
                Assert.Fail("the second run in the same folder was not refused (it was still running after 60 s)");
            }
            var code = second.ExitCode;
            var err = errTask.Result;
            Assert.That(code, Is.EqualTo(1), $"the second run was not refused:\n{err}");
            Assert.That(err, Does.Contain("log.lammps").And.Contain($"PID {first.Id}"), $"the message does not name the running process {first.Id}: {err}");
            Assert.That(first.HasExited, Is.False);
        }
        finally
        {
            // kill -9 of the whole tree (the launched process and a relaunched child, if any)
            first.Kill(entireProcessTree: true);
            first.WaitForExit();
        }
        Assert.That(File.Exists(Path.Combine(dir, "log.lammps.lock")), Is.True, "kill -9 leaves a stale lock file behind");
        File.WriteAllText(Path.Combine(dir, "short.in"), Lj + "run 20\n");
        var (code2, o2, e2) = ProcessRunner.Dpsharp(dir, "run", "short.in");
        Assert.That(code2, Is.EqualTo(0), $"a stale lock from a killed run blocked the next run:\n{o2}\n{e2}");
        Assert.That(File.Exists(Path.Combine(dir, "log.lammps.lock")), Is.False);
    }
}
