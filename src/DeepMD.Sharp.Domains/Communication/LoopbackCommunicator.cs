namespace DeepMD.Sharp.Domains.Communication;

using System.Collections.Concurrent;

/// <summary>
/// Several "virtual ranks" in one process, one thread each, exchanging copies of their messages through in-memory
/// mailboxes. Runs the code written for MPI ranks unchanged, so the decomposition is tested without mpirun (and could
/// map subdomains to threads). A rank that throws cancels every other rank's wait, so nothing hangs.
/// </summary>
public sealed class LoopbackCommunicator : Communicator
{
    private readonly Hub _hub;

    private LoopbackCommunicator(Hub hub, int rank)
    {
        _hub = hub;
        Rank = rank;
    }

    public override int Rank { get; }
    public override int Size => _hub.Size;
    public override string Description => $"loopback ({Size} ranks as threads)";

    /// <summary>
    /// Runs <paramref name="body"/> on <paramref name="size"/> threads, each with its own communicator, and waits for
    /// all. If any rank throws, the others' waits are cancelled and the first rank's exception (by rank) is rethrown.
    /// </summary>
    public static void Run(int size, Action<ICommunicator> body)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var hub = new Hub(size);
        var errors = new Exception?[size];
        var threads = new Thread[size];
        for (var r = 0; r < size; r++)
        {
            var rank = r;
            threads[r] = new Thread(() =>
            {
                try
                {
                    body(new LoopbackCommunicator(hub, rank));
                }
                catch (Exception e)
                {
                    errors[rank] = e;
                    hub.Cancel.Cancel();
                }
            }, 16 << 20) { IsBackground = true, Name = $"loopback rank {r}" };
            threads[r].Start();
        }
        foreach (var t in threads) t.Join();
        // The rank that failed first reports; the others only saw the cancellation.
        foreach (var e in errors)
            if (e is not null and not OperationCanceledException) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e);
        foreach (var e in errors)
            if (e is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e);
    }

    public override void Barrier()
    {
        Gather<int>([0], Rank == 0 ? new int[Size] : [], 0);
        Broadcast<int>(new int[1], 0);
    }

    public override void Broadcast<T>(Span<T> data, int root)
    {
        CheckElementType<T>();
        CountCollective<T>(data.Length, root, broadcast: true);
        if (Rank == root)
        {
            for (var r = 0; r < Size; r++)
                if (r != root) Post(r, data);
        }
        else Take(root, data);
    }

    public override void SendReceive<T>(ReadOnlySpan<T> send, int destination, Span<T> receive, int source)
    {
        CheckElementType<T>();
        CountSend<T>(send.Length, destination);
        Post(destination, send);
        Take(source, receive);
    }

    public override void Abort(int exitCode, string message)
    {
        _hub.Cancel.Cancel();
        throw new CommunicatorAbortedException(Rank, exitCode, message);
    }

    protected override void Gather<T>(ReadOnlySpan<T> send, Span<T> receive, int root)
    {
        CheckElementType<T>();
        CountCollective<T>(send.Length, root, broadcast: false);
        if (Rank != root)
        {
            Post(root, send);
            return;
        }
        var n = send.Length;
        for (var r = 0; r < Size; r++)
            if (r == root) send.CopyTo(receive.Slice(r * n, n));
            else Take(r, receive.Slice(r * n, n));
    }

    protected override void GatherVariable<T>(ReadOnlySpan<T> send, Span<T> receive, ReadOnlySpan<int> counts, int root)
    {
        CheckElementType<T>();
        CountCollective<T>(send.Length, root, broadcast: false);
        if (Rank != root)
        {
            Post(root, send);
            return;
        }
        var at = 0;
        for (var r = 0; r < Size; r++)
        {
            var part = receive.Slice(at, counts[r]);
            if (r == root) send.CopyTo(part);
            else Take(r, part);
            at += counts[r];
        }
    }

    private void Post<T>(int destination, ReadOnlySpan<T> data) where T : unmanaged
    {
        if ((uint)destination >= (uint)Size) throw new ArgumentOutOfRangeException(nameof(destination));
        _hub.Box(Rank, destination).Add(data.ToArray(), _hub.Cancel.Token);
    }

    private void Take<T>(int source, Span<T> into) where T : unmanaged
    {
        if ((uint)source >= (uint)Size) throw new ArgumentOutOfRangeException(nameof(source));
        var message = _hub.Box(source, Rank).Take(_hub.Cancel.Token);
        if (message is not T[] typed || typed.Length != into.Length)
            throw new InvalidOperationException(
                $"rank {Rank} expected {into.Length} {typeof(T).Name} from rank {source}, got {message.Length} {message.GetType().GetElementType()?.Name}");
        typed.CopyTo(into);
    }

    private sealed class Hub(int size)
    {
        private readonly BlockingCollection<Array>[] _boxes = Enumerable.Range(0, size * size).Select(_ => new BlockingCollection<Array>()).ToArray();
        public int Size { get; } = size;
        public CancellationTokenSource Cancel { get; } = new();
        public BlockingCollection<Array> Box(int from, int to) => _boxes[from * Size + to];
    }
}

/// <summary>Thrown on a virtual rank that called <see cref="ICommunicator.Abort"/>.</summary>
public sealed class CommunicatorAbortedException(int rank, int exitCode, string message)
    : Exception($"rank {rank} aborted the run (exit code {exitCode}): {message}")
{
    public int ExitCode { get; } = exitCode;
}
