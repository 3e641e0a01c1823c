namespace DeepMD.Sharp.Domains.Communication;

using DeepMD.Sharp.Core.Errors;

/// <summary>
/// MPI_COMM_WORLD of Open MPI through <see cref="MpiNative"/>. Errors: Open MPI's default handler on
/// MPI_COMM_WORLD (MPI_ERRORS_ARE_FATAL) ends the whole job when a call fails, and mpirun ends every rank when one
/// dies (also by SIGKILL), so no rank waits forever; <see cref="Abort"/> ends the job from code.
/// </summary>
public sealed unsafe class MpiCommunicator : Communicator
{
    private static MpiCommunicator? s_world;
    private bool _finalized;

    private MpiCommunicator(int rank, int size)
    {
        Rank = rank;
        Size = size;
    }

    public override int Rank { get; }
    public override int Size { get; }
    public override string Description => $"MPI (Open MPI), {Size} ranks";

    /// <summary>Initialises MPI (once per process) and returns MPI_COMM_WORLD.</summary>
    public static MpiCommunicator World()
    {
        if (s_world is not null) return s_world;
        if (!MpiNative.Load(out var reason)) throw new UserInputException($"this process was started by mpirun, but {reason}");
        Check(MpiNative.MPI_Initialized(out var initialized), "MPI_Initialized");
        if (initialized == 0) Check(MpiNative.MPI_Init(0, 0), "MPI_Init");
        Check(MpiNative.MPI_Comm_rank(MpiNative.CommWorld, out var rank), "MPI_Comm_rank");
        Check(MpiNative.MPI_Comm_size(MpiNative.CommWorld, out var size), "MPI_Comm_size");
        return s_world = new MpiCommunicator(rank, size);
    }

    public override void Barrier() => Check(MpiNative.MPI_Barrier(MpiNative.CommWorld), "MPI_Barrier");

    public override void Broadcast<T>(Span<T> data, int root)
    {
        CheckElementType<T>();
        CountCollective<T>(data.Length, root, broadcast: true);
        fixed (T* p = data) Check(MpiNative.MPI_Bcast(p, data.Length, MpiNative.TypeOf<T>(), root, MpiNative.CommWorld), "MPI_Bcast");
    }

    public override void SendReceive<T>(ReadOnlySpan<T> send, int destination, Span<T> receive, int source)
    {
        CheckElementType<T>();
        CountSend<T>(send.Length, destination);
        var type = MpiNative.TypeOf<T>();
        fixed (T* s = send)
        fixed (T* r = receive)
            Check(MpiNative.MPI_Sendrecv(s, send.Length, type, destination, 0, r, receive.Length, type, source, 0, MpiNative.CommWorld, 0),
                "MPI_Sendrecv");
    }

    public override void Abort(int exitCode, string message)
    {
        Console.Error.WriteLine(message);
        Console.Error.Flush();
        MpiNative.MPI_Abort(MpiNative.CommWorld, exitCode);
        Environment.Exit(exitCode);
    }

    protected override void Gather<T>(ReadOnlySpan<T> send, Span<T> receive, int root)
    {
        CheckElementType<T>();
        CountCollective<T>(send.Length, root, broadcast: false);
        var type = MpiNative.TypeOf<T>();
        fixed (T* s = send)
        fixed (T* r = receive)
            Check(MpiNative.MPI_Gather(s, send.Length, type, r, send.Length, type, root, MpiNative.CommWorld), "MPI_Gather");
    }

    protected override void GatherVariable<T>(ReadOnlySpan<T> send, Span<T> receive, ReadOnlySpan<int> counts, int root)
    {
        CheckElementType<T>();
        CountCollective<T>(send.Length, root, broadcast: false);
        var type = MpiNative.TypeOf<T>();
        var displacements = new int[counts.Length];
        for (var r = 1; r < counts.Length; r++) displacements[r] = displacements[r - 1] + counts[r - 1];
        fixed (T* s = send)
        fixed (T* r = receive)
        fixed (int* c = counts)
        fixed (int* d = displacements)
            Check(MpiNative.MPI_Gatherv(s, send.Length, type, r, c, d, type, root, MpiNative.CommWorld), "MPI_Gatherv");
    }

    /// <summary>Finalises MPI (after which no MPI call may be made in this process).</summary>
    public override void Dispose()
    {
        if (!_finalized)
        {
            _finalized = true;
            MpiNative.MPI_Finalized(out var done);
            if (done == 0) MpiNative.MPI_Finalize();
        }
        base.Dispose();
    }

    // With MPI_ERRORS_ARE_FATAL (Open MPI's default) a failing call never returns; this guards a changed handler.
    private static void Check(int code, string call)
    {
        if (code != 0) throw new InvalidOperationException($"{call} failed with MPI error code {code}");
    }
}
