namespace DeepMD.Sharp.Tests.Domains;

using DeepMD.Sharp.Domains.Communication;

/// <summary>
/// The communicators' traffic counters (what `DPSHARP_COMM_REPORT=1` and tools/bench/weak-scaling.sh report): bytes and
/// messages of point-to-point sends, to other ranks and to the rank itself, and each rank's part of the collectives,
/// counted from the element sizes of what was actually sent.
/// </summary>
public class TrafficTests
{
    [Test]
    public void SendReceive_CountsBytesAndMessages_ToOthersAndToSelf()
    {
        var counts = new long[3][];
        LoopbackCommunicator.Run(3, comm =>
        {
            var right = (comm.Rank + 1) % comm.Size;
            var left = (comm.Rank + comm.Size - 1) % comm.Size;
            comm.SendReceive<double>(new double[10 + comm.Rank], right, new double[10 + left], left); // 8 B each
            comm.SendReceive<int>(new int[5], comm.Rank, new int[5], comm.Rank);                   // to itself, 4 B each
            var received = Array.Empty<long>();
            comm.SendReceiveAny<long>(new long[comm.Rank], right, ref received, left);               // the count (int) goes first
            counts[comm.Rank] = comm.Traffic.Snapshot();
        });
        for (var r = 0; r < 3; r++)
        {
            var t = counts[r];
            Assert.That(t[0], Is.EqualTo(8 * (10 + r) + 4 + 8 * r), $"rank {r}: bytes to others");
            Assert.That(t[1], Is.EqualTo(3), $"rank {r}: messages to others (doubles, count, longs)");
            Assert.That((t[2], t[3]), Is.EqualTo((20L, 1L)), $"rank {r}: to itself");
            Assert.That((t[4], t[5]), Is.EqualTo((0L, 0L)), $"rank {r}: no collectives");
        }
    }

    [Test]
    public void AllReduce_IsAGatherToRootAndABroadcastFromIt()
    {
        var counts = new long[4][];
        LoopbackCommunicator.Run(4, comm =>
        {
            comm.AllReduce(new double[3], ReduceOp.Sum);
            counts[comm.Rank] = comm.Traffic.Snapshot();
        });
        Assert.That((counts[0][4], counts[0][5]), Is.EqualTo((3L * 24, 2L)), "the root broadcasts 24 B to each of 3 ranks");
        for (var r = 1; r < 4; r++) Assert.That((counts[r][4], counts[r][5]), Is.EqualTo((24L, 2L)), $"rank {r} sends its 24 B to the root");
        Assert.That(counts.All(c => c[0] == 0 && c[2] == 0), Is.True, "collectives are not point-to-point traffic");
    }

    [Test]
    public void Serial_SendsOnlyToItself()
    {
        using var comm = new SerialCommunicator();
        comm.SendReceive<double>(new double[7], 0, new double[7], 0);
        comm.AllReduce(new double[2], ReduceOp.Max);
        var t = comm.Traffic.Snapshot();
        Assert.That((t[0], t[1], t[2], t[3]), Is.EqualTo((0L, 0L, 56L, 1L)));
        Assert.That(t[4], Is.EqualTo(0), "one rank: a reduction sends nothing");
    }
}
