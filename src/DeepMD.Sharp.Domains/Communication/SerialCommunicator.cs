namespace DeepMD.Sharp.Domains.Communication;

/// <summary>One rank: every collective is a copy or nothing. What a run without mpirun uses (no MPI library needed).</summary>
public sealed class SerialCommunicator : Communicator
{
    public override int Rank => 0;
    public override int Size => 1;
    public override string Description => "serial (1 rank)";
    public override void Barrier() { }
    public override void Broadcast<T>(Span<T> data, int root)
    {
        CheckRank(root);
        CountCollective<T>(data.Length, root, broadcast: true);
    }

    public override void SendReceive<T>(ReadOnlySpan<T> send, int destination, Span<T> receive, int source)
    {
        CheckRank(destination);
        CheckRank(source);
        CountSend<T>(send.Length, destination);
        if (send.Length != receive.Length)
            throw new InvalidOperationException($"send/receive to itself with {send.Length} elements sent and {receive.Length} expected");
        send.CopyTo(receive);
    }

    public override void Abort(int exitCode, string message)
    {
        Console.Error.WriteLine(message);
        Environment.Exit(exitCode);
    }

    protected override void Gather<T>(ReadOnlySpan<T> send, Span<T> receive, int root)
    {
        CheckRank(root);
        CountCollective<T>(send.Length, root, broadcast: false);
        send.CopyTo(receive);
    }

    protected override void GatherVariable<T>(ReadOnlySpan<T> send, Span<T> receive, ReadOnlySpan<int> counts, int root)
    {
        CountCollective<T>(send.Length, root, broadcast: false);
        send.CopyTo(receive);
    }

    private static void CheckRank(int rank)
    {
        if (rank != 0) throw new ArgumentOutOfRangeException(nameof(rank), $"rank {rank} does not exist in a serial run");
    }
}
