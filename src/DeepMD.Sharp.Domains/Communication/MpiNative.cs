namespace DeepMD.Sharp.Domains.Communication;

using System.Runtime.InteropServices;

/// <summary>
/// The few MPI functions we call, bound to Open MPI's <c>libmpi.so.40</c>. Open MPI's handles are pointers to
/// predefined objects (<c>MPI_COMM_WORLD</c> is <c>&amp;ompi_mpi_comm_world</c>), read here as export addresses.
/// Nothing is loaded until <see cref="Load"/> runs, so a process that never calls it needs no MPI library.
/// </summary>
internal static unsafe partial class MpiNative
{
    public const string Library = "libmpi.so.40";

    public static nint CommWorld, Double, Int, LongLong;

    /// <summary>Loads the library and reads the predefined handles; false (with the reason) when it is not there.</summary>
    public static bool Load(out string reason)
    {
        if (!NativeLibrary.TryLoad(Library, typeof(MpiNative).Assembly, DllImportSearchPath.SafeDirectories, out var handle)
            && !NativeLibrary.TryLoad(Library, out handle))
        {
            reason = $"{Library} (Open MPI) could not be loaded; install it (Debian: apt-get install openmpi-bin libopenmpi-dev)";
            return false;
        }
        if (!NativeLibrary.TryGetExport(handle, "ompi_mpi_comm_world", out CommWorld)
            || !NativeLibrary.TryGetExport(handle, "ompi_mpi_double", out Double)
            || !NativeLibrary.TryGetExport(handle, "ompi_mpi_int", out Int)
            || !NativeLibrary.TryGetExport(handle, "ompi_mpi_long_long_int", out LongLong))
        {
            reason = $"{Library} is not Open MPI (no ompi_mpi_comm_world export); only Open MPI is supported";
            return false;
        }
        reason = "";
        return true;
    }

    public static nint TypeOf<T>() =>
        typeof(T) == typeof(double) ? Double :
        typeof(T) == typeof(long) ? LongLong :
        typeof(T) == typeof(int) ? Int :
        throw new NotSupportedException($"no MPI datatype for {typeof(T).Name}");

    [LibraryImport(Library)] public static partial int MPI_Initialized(out int flag);
    [LibraryImport(Library)] public static partial int MPI_Finalized(out int flag);
    [LibraryImport(Library)] public static partial int MPI_Init(nint argc, nint argv);
    [LibraryImport(Library)] public static partial int MPI_Finalize();
    [LibraryImport(Library)] public static partial int MPI_Comm_rank(nint comm, out int rank);
    [LibraryImport(Library)] public static partial int MPI_Comm_size(nint comm, out int size);
    [LibraryImport(Library)] public static partial int MPI_Barrier(nint comm);
    [LibraryImport(Library)] public static partial int MPI_Bcast(void* buffer, int count, nint type, int root, nint comm);

    [LibraryImport(Library)]
    public static partial int MPI_Gather(void* send, int sendCount, nint sendType, void* receive, int receiveCount, nint receiveType,
        int root, nint comm);

    [LibraryImport(Library)]
    public static partial int MPI_Gatherv(void* send, int sendCount, nint sendType, void* receive, int* receiveCounts, int* displacements,
        nint receiveType, int root, nint comm);

    [LibraryImport(Library)]
    public static partial int MPI_Sendrecv(void* send, int sendCount, nint sendType, int destination, int sendTag,
        void* receive, int receiveCount, nint receiveType, int source, int receiveTag, nint comm, nint status);

    [LibraryImport(Library)] public static partial int MPI_Abort(nint comm, int errorCode);
}
