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
    public void ARankThatFails_AbortsTheRunWithItsMessage()
    {
        var run = MpiRun.Driver(3, ["throw"], TimeSpan.FromSeconds(60));
        Assert.That(run.TimedOut, Is.False, "the other ranks kept waiting");
        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.Error, Does.Contain("rank 2: InvalidOperationException: deliberate failure on the last rank"));
    }
}
