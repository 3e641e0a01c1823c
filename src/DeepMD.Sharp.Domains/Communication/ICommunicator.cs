namespace DeepMD.Sharp.Domains.Communication;

/// <summary>The reductions <see cref="ICommunicator.AllReduce(Span{double}, ReduceOp)"/> offers.</summary>
public enum ReduceOp
{
    Sum,
    Min,
    Max,
}

/// <summary>
/// The ranks of one run and the messages between them: what the domain decomposition and, later, the MD loop need
/// from MPI, and nothing more. Every call is collective over all ranks unless it says otherwise (a send/receive pair
/// involves the two ranks it names). Element types are <c>double</c>, <c>long</c> and <c>int</c>.
/// </summary>
/// <remarks>
/// Reductions are done in a fixed order that does not depend on timing or on the MPI library: the values are gathered
/// to rank 0, combined there in rank order, and broadcast. A sum over ranks is therefore bit-identical from run to run
/// for the same decomposition (MPI_Allreduce does not promise that).
/// </remarks>
public interface ICommunicator : IDisposable
{
    /// <summary>What this rank has sent so far (bytes and messages, point-to-point and collectives).</summary>
    Traffic Traffic { get; }

    /// <summary>This process's rank, 0 ≤ Rank &lt; Size.</summary>
    int Rank { get; }

    /// <summary>Number of ranks.</summary>
    int Size { get; }

    /// <summary>A short description for logs ("serial", "MPI (Open MPI), 4 ranks", ...).</summary>
    string Description { get; }

    /// <summary>Returns when every rank has called it.</summary>
    void Barrier();

    /// <summary>Copies <paramref name="data"/> of rank <paramref name="root"/> into <paramref name="data"/> of every rank (same length everywhere).</summary>
    void Broadcast<T>(Span<T> data, int root) where T : unmanaged;

    /// <summary>Element-wise reduction of <paramref name="values"/> (same length on every rank), in rank order; the result on every rank.</summary>
    void AllReduce(Span<double> values, ReduceOp op);

    /// <summary>Element-wise reduction of <paramref name="values"/> (same length on every rank); the result on every rank.</summary>
    void AllReduce(Span<long> values, ReduceOp op);

    /// <summary>
    /// Sends <paramref name="send"/> to rank <paramref name="destination"/> and receives exactly
    /// <paramref name="receive"/>.Length elements from rank <paramref name="source"/> (either may be this rank).
    /// </summary>
    void SendReceive<T>(ReadOnlySpan<T> send, int destination, Span<T> receive, int source) where T : unmanaged;

    /// <summary>
    /// As <see cref="SendReceive{T}(ReadOnlySpan{T}, int, Span{T}, int)"/> when the receiver does not know the length:
    /// the count goes first. <paramref name="receive"/> grows as needed; returns the number of elements received.
    /// </summary>
    int SendReceiveAny<T>(ReadOnlySpan<T> send, int destination, ref T[] receive, int source) where T : unmanaged;

    /// <summary>
    /// Concatenates every rank's <paramref name="send"/> (lengths may differ) in rank order on rank
    /// <paramref name="root"/>; other ranks get an empty array.
    /// </summary>
    T[] GatherV<T>(ReadOnlySpan<T> send, int root) where T : unmanaged;

    /// <summary>
    /// Ends the whole run now (every rank), after writing <paramref name="message"/> to standard error. Use when this
    /// rank cannot go on: the others would otherwise wait for it in their next collective.
    /// </summary>
    void Abort(int exitCode, string message);
}
