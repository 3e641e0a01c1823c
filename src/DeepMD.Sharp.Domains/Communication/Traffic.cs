namespace DeepMD.Sharp.Domains.Communication;

/// <summary>
/// What one rank has sent since its communicator was made: point-to-point messages (<see cref="ICommunicator.SendReceive{T}"/>,
/// also those inside <see cref="ICommunicator.SendReceiveAny{T}"/>) to other ranks and to itself (a rank alone along a
/// direction swaps ghosts with itself: a copy, no network), and its part of the collectives (broadcast: the root's data
/// once per other rank, as a flat broadcast; gathers: what a non-root rank sends to the root). Bytes are the elements'
/// sizes (8 for double and long, 4 for int). For estimating the cost of a run on a real network
/// (docs/domain-decomposition.md, "Weak scaling").
/// </summary>
public sealed class Traffic
{
    private long _bytesToOthers, _messagesToOthers, _bytesToSelf, _messagesToSelf, _collectiveBytes, _collectiveCalls;

    public long BytesToOthers => Interlocked.Read(ref _bytesToOthers);
    public long MessagesToOthers => Interlocked.Read(ref _messagesToOthers);
    public long BytesToSelf => Interlocked.Read(ref _bytesToSelf);
    public long MessagesToSelf => Interlocked.Read(ref _messagesToSelf);

    /// <summary>Bytes this rank sent in collectives (broadcasts as root, gathers as non-root).</summary>
    public long CollectiveBytes => Interlocked.Read(ref _collectiveBytes);

    /// <summary>Collective calls this rank took part in (broadcasts and gathers; an all-reduce is one gather and one broadcast).</summary>
    public long CollectiveCalls => Interlocked.Read(ref _collectiveCalls);

    /// <summary>The counters as an array (to-others bytes, messages, to-self bytes, messages, collective bytes, calls), for differences and reductions.</summary>
    public long[] Snapshot() => [BytesToOthers, MessagesToOthers, BytesToSelf, MessagesToSelf, CollectiveBytes, CollectiveCalls];

    internal void PointToPoint(long bytes, bool toSelf)
    {
        if (toSelf)
        {
            Interlocked.Add(ref _bytesToSelf, bytes);
            Interlocked.Increment(ref _messagesToSelf);
        }
        else
        {
            Interlocked.Add(ref _bytesToOthers, bytes);
            Interlocked.Increment(ref _messagesToOthers);
        }
    }

    internal void Collective(long bytes)
    {
        Interlocked.Add(ref _collectiveBytes, bytes);
        Interlocked.Increment(ref _collectiveCalls);
    }
}
