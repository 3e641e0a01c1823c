namespace DeepMD.Sharp.Tests.Domains;

using System.Diagnostics;
using DeepMD.Sharp.MpiDriver;
using DeepMD.Sharp.Domains.Communication;
using DeepMD.Sharp.Tests.Support;

public class CommunicatorTests
{
    [Test]
    public void Serial_PassesTheCollectiveChecks() =>
        Assert.That(CollectiveChecks.Run(new SerialCommunicator()), Is.Empty);

    [TestCase(2)]
    [TestCase(3)]
    [TestCase(5)]
    public void Loopback_PassesTheCollectiveChecks(int ranks)
    {
        var failures = new List<string>[ranks];
        LoopbackCommunicator.Run(ranks, comm => failures[comm.Rank] = CollectiveChecks.Run(comm));
        Assert.That(failures.SelectMany(f => f), Is.Empty);
    }

    [Test]
    public void Loopback_ARankThatThrows_DoesNotLeaveTheOthersWaiting()
    {
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<InvalidOperationException>(() => LoopbackCommunicator.Run(3, comm =>
        {
            comm.Barrier();
            if (comm.Rank == 1) throw new InvalidOperationException("rank 1 failed");
            while (true) comm.Barrier(); // would wait forever for rank 1
        }));
        Assert.That(e!.Message, Is.EqualTo("rank 1 failed"));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)));
    }

    [Test]
    public void Loopback_Abort_EndsEveryRank()
    {
        var e = Assert.Throws<CommunicatorAbortedException>(() => LoopbackCommunicator.Run(2, comm =>
        {
            if (comm.Rank == 0) comm.Abort(3, "cannot go on");
            var v = new double[1];
            comm.AllReduce(v, ReduceOp.Sum);
        }));
        Assert.That(e!.ExitCode, Is.EqualTo(3));
        Assert.That(e.Message, Does.Contain("cannot go on"));
    }

    [Test]
    public void LauncherDetection_ReadsTheLaunchersVariables()
    {
        Assert.That(Communicators.StartedByMpiLauncher(_ => null), Is.False);
        Assert.That(Communicators.StartedByMpiLauncher(v => v == "OMPI_COMM_WORLD_SIZE" ? "2" : null), Is.True);
        Assert.That(Communicators.StartedByMpiLauncher(v => v == "PMI_RANK" ? "0" : null), Is.True);
        Assert.That(Communicators.StartedByMpiLauncher(v => v == "PMIX_RANK" ? "" : null), Is.False);
    }

    [Test]
    public void World_WithoutALauncher_IsSerialAndLoadsNoMpiLibrary()
    {
        Requirement.Applies(!Communicators.StartedByMpiLauncher(), "the test process itself runs under an MPI launcher");
        using var world = Communicators.World();
        Assert.That(world, Is.InstanceOf<SerialCommunicator>());
        Assert.That((world.Rank, world.Size), Is.EqualTo((0, 1)));
        Requirement.Applies(File.Exists("/proc/self/maps"), "needs /proc/self/maps (Linux) to list the loaded libraries");
        Assert.That(File.ReadAllText("/proc/self/maps"), Does.Not.Contain("libmpi"), "a serial run must not load an MPI library");
    }
}
