namespace DeepMD.Sharp.Tests.Support;

/// <summary>
/// Tests that need something outside the repository (lmp, LAMMPS' potentials, python3-h5py, a CUDA device, mpirun) skip
/// with <see cref="Assert.Ignore(string)"/>, which <c>dotnet test</c> counts and lists as "Skipped" with the reason
/// (NUnit's <c>Assume</c> gives "Inconclusive", which the summary counts nowhere). When the environment variable
/// that requires the thing is "1" (CI sets DPSHARP_REQUIRE_LAMMPS, DPSHARP_REQUIRE_H5PY, DPSHARP_REQUIRE_MPI and DPSHARP_REQUIRE_LAMMPS_PLUGIN; a GPU machine sets
/// DPSHARP_REQUIRE_CUDA), a missing requirement is a failure instead.
/// </summary>
public static class Requirement
{
    public const string Lammps = "DPSHARP_REQUIRE_LAMMPS";
    public const string H5py = "DPSHARP_REQUIRE_H5PY";
    public const string Cuda = "DPSHARP_REQUIRE_CUDA";
    public const string Mpi = "DPSHARP_REQUIRE_MPI";
    public const string Gcc = "DPSHARP_REQUIRE_GCC";
    public const string Ase = "DPSHARP_REQUIRE_ASE";
    /// <summary>LAMMPS built with the PLUGIN package plus our pair style (tools/lammps/build.sh; .ci/run builds both).</summary>
    public const string LammpsPlugin = "DPSHARP_REQUIRE_LAMMPS_PLUGIN";

    /// <summary>Returns when <paramref name="available"/>; otherwise fails (variable set to 1) or skips visibly.</summary>
    public static void That(bool available, string requireVariable, string reason) =>
        Decide(available, Environment.GetEnvironmentVariable(requireVariable), requireVariable, reason);

    /// <summary><see cref="That"/> with the variable's value passed in (testable without touching the environment).</summary>
    public static void Decide(bool available, string? requireValue, string requireVariable, string reason)
    {
        if (available) return;
        if (requireValue == "1") Assert.Fail($"{requireVariable}=1 but {reason}");
        Assert.Ignore(reason);
    }

    /// <summary>A skip for a test that does not apply here (no variable can require it).</summary>
    public static void Applies(bool applies, string reason)
    {
        if (!applies) Assert.Ignore(reason);
    }
}
