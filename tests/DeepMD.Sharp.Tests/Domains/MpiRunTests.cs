namespace DeepMD.Sharp.Tests.Domains;

using DeepMD.Sharp.Tests.Support;

/// <summary>The communicator and the decomposition on real MPI ranks (mpirun, Open MPI), and what happens when a rank dies.</summary>
[NonParallelizable]
public class MpiRunTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    [TestCase(2)]
    [TestCase(3)]
    public void Collectives_OnMpiRanks(int ranks)
    {
        var run = MpiRun.Driver(ranks, ["collectives"], Timeout);
        Assert.That(run.ExitCode, Is.Zero, run.Output + run.Error);
        Assert.That(run.Output, Does.Contain($"ok collectives on {ranks} ranks"));
    }

    [Test]
    public void Info_EachRankHasAnMpiCommunicator()
    {
        var run = MpiRun.Driver(2, ["info"], Timeout);
        Assert.That(run.ExitCode, Is.Zero, run.Output + run.Error);
        Assert.That(run.Output, Does.Contain("rank 0 of 2: MPI (Open MPI), 2 ranks").And.Contain("rank 1 of 2: MPI (Open MPI), 2 ranks"));
    }

    [TestCase(2)]
    [TestCase(3)]
    public void Decomposition_OnMpiRanks_ReproducesTheSerialList(int ranks)
    {
        var run = MpiRun.Driver(ranks, ["check"], Timeout);
        Assert.That(run.ExitCode, Is.Zero, run.Output + run.Error);
        Assert.That(run.Output, Does.Contain($"ok decomposition on {ranks} ranks"));
        Assert.That(run.Output, Does.Contain("empty subdomains: 0 failures, fewest owned atoms on a rank 0"));
    }

    [TestCase(2, false)]
    [TestCase(3, true)]
    public void WaterModel_DecomposedOverMpiRanks_EqualsTheSerialEvaluation(int ranks, bool triclinic)
    {
        string[] args = ["water", RepoPaths.TestModel("deeppot_sea.yaml"), RepoPaths.Get("examples", "water", "water.lmp"), triclinic ? "triclinic" : "orthogonal"];
        var run = MpiRun.Driver(ranks, args, Timeout);
        Assert.That(run.ExitCode, Is.Zero, run.Output + run.Error);
        Assert.That(run.Output, Does.Contain($"ok water on {ranks} ranks"));
        TestContext.Out.WriteLine(run.Output);
    }

    [Test]
    public void ARankKilledWithSigkill_EndsTheWholeRunWithinSeconds()
    {
        var run = MpiRun.Driver(3, ["kill"], TimeSpan.FromSeconds(60));
        Assert.That(run.TimedOut, Is.False, "the surviving ranks kept running");
        Assert.That(run.ExitCode, Is.Not.Zero);
        Assert.That(run.Output + run.Error, Does.Contain("rank 2 kills itself"));
        Assert.That(run.Output, Does.Not.Contain("still running"));
        TestContext.Out.WriteLine($"mpirun ended {run.Elapsed.TotalSeconds:F1} s after start (exit {run.ExitCode})");
    }

    [Test]
    public void ARankKilledFromOutside_EndsTheWholeRunWithinSeconds()
    {
        var pids = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var run = MpiRun.Start(3, ["wait"], line =>
        {
            lines.Enqueue(line);
            var m = System.Text.RegularExpressions.Regex.Match(line, @"rank (\d+) pid (\d+)");
            if (m.Success) pids[int.Parse(m.Groups[1].Value)] = int.Parse(m.Groups[2].Value);
        });
        try
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            while (pids.Count < 3 && watch.Elapsed < TimeSpan.FromSeconds(60) && !run.HasExited) Thread.Sleep(50);
            Assert.That(pids, Has.Count.EqualTo(3), string.Join("\n", lines));
            Thread.Sleep(500); // the ranks are inside their all-reduces
            watch.Restart();
            System.Diagnostics.Process.GetProcessById(pids[1]).Kill(); // SIGKILL
            var ended = run.WaitForExit(TimeSpan.FromSeconds(30));
            var after = watch.Elapsed;
            Assert.That(ended, Is.True, "the surviving ranks kept running after rank 1 was killed");
            run.WaitForExit();
            Assert.That(run.ExitCode, Is.Not.Zero);
            Assert.That(lines, Has.None.Contains("still running"));
            TestContext.Out.WriteLine($"mpirun ended {after.TotalSeconds:F2} s after kill -9 of rank 1 (exit {run.ExitCode})");
        }
        finally
        {
            if (!run.HasExited) run.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Open MPI installs handlers for SIGSEGV and SIGFPE at MPI_Init; .NET needs its own for null references and division by zero.</summary>
    [Test]
    public void ManagedExceptionsFromSignals_StillWorkAfterMpiInit()
    {
        var run = MpiRun.Driver(2, ["null"], Timeout);
        Assert.That(run.ExitCode, Is.Zero, run.Output + run.Error);
        Assert.That(run.Output, Does.Contain("ok caught 4 exceptions on 2 ranks"));
    }

    [Test]
    public void ARankThatFails_AbortsTheRunWithItsMessage()
    {
        var run = MpiRun.Driver(3, ["throw"], TimeSpan.FromSeconds(60));
        Assert.That(run.TimedOut, Is.False, "the other ranks kept waiting");
        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.Error, Does.Contain("rank 2: InvalidOperationException: deliberate failure on the last rank"));
    }
}
