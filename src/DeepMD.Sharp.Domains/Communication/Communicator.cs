namespace DeepMD.Sharp.Domains.Communication;

/// <summary>
/// The collectives of <see cref="ICommunicator"/> built from a few primitives (fixed-size gather, broadcast,
/// send/receive with a known length), so every implementation reduces in the same fixed order.
/// </summary>
public abstract class Communicator : ICommunicator
{
    /// <inheritdoc />
    public Traffic Traffic { get; } = new();

    /// <summary>Counts a point-to-point send of <paramref name="elements"/> elements to <paramref name="destination"/>.</summary>
    protected void CountSend<T>(int elements, int destination) where T : unmanaged =>
        Traffic.PointToPoint((long)elements * System.Runtime.CompilerServices.Unsafe.SizeOf<T>(), destination == Rank);

    /// <summary>Counts this rank's part of a broadcast (the root sends to every other rank) or gather (a non-root rank sends to the root).</summary>
    protected void CountCollective<T>(int elements, int root, bool broadcast) where T : unmanaged
    {
        var size = (long)elements * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        Traffic.Collective(broadcast ? (Rank == root ? size * (Size - 1) : 0) : (Rank == root ? 0 : size));
    }

    public abstract int Rank { get; }
    public abstract int Size { get; }
    public abstract string Description { get; }
    public abstract void Barrier();
    public abstract void Broadcast<T>(Span<T> data, int root) where T : unmanaged;
    public abstract void SendReceive<T>(ReadOnlySpan<T> send, int destination, Span<T> receive, int source) where T : unmanaged;
    public abstract void Abort(int exitCode, string message);

    /// <summary>Fixed-size gather: <paramref name="receive"/> (root only) holds Size × send.Length elements, rank after rank.</summary>
    protected abstract void Gather<T>(ReadOnlySpan<T> send, Span<T> receive, int root) where T : unmanaged;

    /// <summary>Variable-size gather into <paramref name="receive"/> (root only) with the given counts (root only).</summary>
    protected abstract void GatherVariable<T>(ReadOnlySpan<T> send, Span<T> receive, ReadOnlySpan<int> counts, int root) where T : unmanaged;

    public void AllReduce(Span<double> values, ReduceOp op)
    {
        if (Size == 1 || values.Length == 0) return;
        var all = Rank == 0 ? new double[values.Length * Size] : [];
        Gather<double>(values, all, 0);
        if (Rank == 0)
        {
            var n = values.Length;
            for (var i = 0; i < n; i++)
            {
                var acc = all[i];
                for (var r = 1; r < Size; r++)
                {
                    var v = all[r * n + i];
                    acc = op switch
                    {
                        ReduceOp.Sum => acc + v,
                        ReduceOp.Min => Math.Min(acc, v),
                        _ => Math.Max(acc, v),
                    };
                }
                values[i] = acc;
            }
        }
        Broadcast(values, 0);
    }

    public void AllReduce(Span<long> values, ReduceOp op)
    {
        if (Size == 1 || values.Length == 0) return;
        var all = Rank == 0 ? new long[values.Length * Size] : [];
        Gather<long>(values, all, 0);
        if (Rank == 0)
        {
            var n = values.Length;
            for (var i = 0; i < n; i++)
            {
                var acc = all[i];
                for (var r = 1; r < Size; r++)
                {
                    var v = all[r * n + i];
                    acc = op switch
                    {
                        ReduceOp.Sum => checked(acc + v),
                        ReduceOp.Min => Math.Min(acc, v),
                        _ => Math.Max(acc, v),
                    };
                }
                values[i] = acc;
            }
        }
        Broadcast(values, 0);
    }

    public int SendReceiveAny<T>(ReadOnlySpan<T> send, int destination, ref T[] receive, int source) where T : unmanaged
    {
        Span<int> count = stackalloc int[1];
        SendReceive<int>([send.Length], destination, count, source);
        if (receive.Length < count[0]) receive = new T[Math.Max(count[0], receive.Length + receive.Length / 2)];
        SendReceive(send, destination, receive.AsSpan(0, count[0]), source);
        return count[0];
    }

    public T[] GatherV<T>(ReadOnlySpan<T> send, int root) where T : unmanaged
    {
        var counts = Rank == root ? new int[Size] : [];
        Gather<int>([send.Length], counts, root);
        if (Rank != root)
        {
            GatherVariable(send, Span<T>.Empty, ReadOnlySpan<int>.Empty, root);
            return [];
        }
        long total = 0;
        foreach (var c in counts) total += c;
        var all = new T[checked((int)total)];
        GatherVariable(send, all, counts, root);
        return all;
    }

    public virtual void Dispose() => GC.SuppressFinalize(this);

    /// <summary>Throws unless <typeparamref name="T"/> is one of the element types every implementation supports.</summary>
    protected static void CheckElementType<T>()
    {
        if (typeof(T) != typeof(double) && typeof(T) != typeof(long) && typeof(T) != typeof(int))
            throw new NotSupportedException($"communicators carry double, long and int elements, not {typeof(T).Name}");
    }
}
