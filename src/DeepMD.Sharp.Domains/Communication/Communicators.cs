namespace DeepMD.Sharp.Domains.Communication;

/// <summary>Chooses the communicator of a process: MPI when a launcher started it, serial otherwise.</summary>
public static class Communicators
{
    /// <summary>
    /// Environment variables that MPI launchers set in every rank: Open MPI's mpirun (OMPI_COMM_WORLD_SIZE),
    /// PMIx launchers such as srun (PMIX_RANK), MPICH's hydra and PMI-1/2 launchers (PMI_RANK, PMI_SIZE).
    /// </summary>
    public static readonly string[] LauncherVariables = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"];

    /// <summary>True when one of <see cref="LauncherVariables"/> is set.</summary>
    public static bool StartedByMpiLauncher(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        foreach (var v in LauncherVariables)
            if (!string.IsNullOrEmpty(environment(v))) return true;
        return false;
    }

    /// <summary>
    /// The world communicator: <see cref="MpiCommunicator"/> (loading Open MPI) when an MPI launcher started this
    /// process, a <see cref="SerialCommunicator"/> otherwise (no MPI library is touched).
    /// </summary>
    public static ICommunicator World() => StartedByMpiLauncher() ? MpiCommunicator.World() : new SerialCommunicator();
}
