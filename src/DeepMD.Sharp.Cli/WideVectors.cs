namespace DeepMD.Sharp.Cli;

using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

/// <summary>
/// The CPU kernels are written against <see cref="Vector{T}"/>, whose width .NET fixes at start-up and keeps at 256 bits
/// unless <c>DOTNET_MaxVectorTBitWidth=512</c> is in the environment (no runtimeconfig setting exists for it). On CPUs
/// that run 512-bit vectors at full speed (the runtime says so through <see cref="Vector512.IsHardwareAccelerated"/>:
/// AMD Zen 4/5, recent Intel Xeons) the kernels are up to twice as fast with 512 bits, so dpsharp starts itself again
/// once with that variable set, passing arguments, streams, exit code and termination signals through. Nothing
/// happens when the vectors are already 512 bits wide, when the user set the variable (any value, e.g. 256 to keep 256-bit
/// vectors), under an MPI launcher (the rank must stay the process mpirun started: export the variable with
/// <c>mpirun -x</c> instead) or when DPSHARP_NO_RELAUNCH is set.
/// </summary>
internal static class WideVectors
{
    /// <summary>The runtime's switch for the width of <see cref="Vector{T}"/>.</summary>
    public const string Variable = "DOTNET_MaxVectorTBitWidth";

    private const string Marker = "DPSHARP_RELAUNCHED";

    /// <summary>Why the vectors have the width they have, for logs and <c>dpsharp info</c>.</summary>
    public static string Describe()
    {
        var bits = Vector<byte>.Count * 8;
        if (bits >= 512)
            return Environment.GetEnvironmentVariable(Marker) is not null
                ? $"{bits}-bit vectors (dpsharp set {Variable}=512: this CPU runs 512-bit vectors at full speed)"
                : $"{bits}-bit vectors ({Variable} from the environment)";
        if (Vector512.IsHardwareAccelerated)
            return $"{bits}-bit vectors (512-bit capable; {WhyNot() ?? "relaunch failed"})";
        return $"{bits}-bit vectors (the widest this CPU runs at full speed)";
    }

    /// <summary>Why dpsharp does not relaunch itself with wide vectors, or null when it should.</summary>
    private static string? WhyNot()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { } v) return $"{Variable}={v} set in the environment";
        if (Environment.GetEnvironmentVariable("DPSHARP_NO_RELAUNCH") is not null) return "DPSHARP_NO_RELAUNCH is set";
        if (Environment.GetEnvironmentVariable(Marker) is not null) return "relaunched once already";
        foreach (var mpi in new[] { "OMPI_COMM_WORLD_SIZE", "PMI_RANK", "PMIX_RANK", "MPI_LOCALRANKID" })
            if (Environment.GetEnvironmentVariable(mpi) is not null) return $"started by an MPI launcher ({mpi} set): pass -x {Variable}=512 to mpirun";
        if (Environment.ProcessPath is null) return "the program path is unknown";
        return null;
    }

    /// <summary>
    /// Runs dpsharp again with 512-bit vectors when that helps and returns its exit code; null when this process should
    /// go on itself (vectors already wide, not worth it, or the relaunch could not start).
    /// </summary>
    public static int? RelaunchIfFaster(string[] args)
    {
        if (Vector<byte>.Count >= 64 || !Vector512.IsHardwareAccelerated || WhyNot() is not null) return null;
        var path = Environment.ProcessPath!;
        var psi = new ProcessStartInfo(path) { UseShellExecute = false };
        // Started as `dotnet dpsharp.dll`: the host needs the assembly again.
        if (Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            psi.ArgumentList.Add(typeof(WideVectors).Assembly.Location);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment[Variable] = "512";
        // The marker carries this process's id: the child asks Linux to kill it when this process dies (DieWithParent).
        psi.Environment[Marker] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Process child;
        try
        {
            child = Process.Start(psi)!;
        }
        catch (Exception)
        {
            return null; // run here with the narrower vectors
        }
        // SIGINT/SIGTERM/SIGQUIT sent to us are passed on (Ctrl-C reaches the child twice: once from the terminal, once from
        // us; either ends it). SIGKILL cannot be caught: the child dies with us through PR_SET_PDEATHSIG (DieWithParent).
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; Forward(child, 2); });
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; Forward(child, 15); });
        using var onQuit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, c => { c.Cancel = true; Forward(child, 3); });
        child.WaitForExit();
        return child.ExitCode;
    }

    /// <summary>
    /// In a relaunched child: asks Linux to SIGKILL this process when the parent that started it dies (also by
    /// <c>kill -9</c>, which the parent cannot forward), so that killing the launched dpsharp stops the run. Exits at once
    /// when the parent died before the request took effect.
    /// </summary>
    public static void DieWithParent()
    {
        if (!OperatingSystem.IsLinux()) return;
        if (!int.TryParse(Environment.GetEnvironmentVariable(Marker), System.Globalization.NumberStyles.Integer,
                System.Globalization.CultureInfo.InvariantCulture, out var parent) || parent <= 1) return;
        // Grandchildren (e.g. a shell started by the deck) must not inherit the marker and kill themselves with us.
        Environment.SetEnvironmentVariable(Marker, "1");
        try
        {
            const int PR_SET_PDEATHSIG = 1, SIGKILL = 9;
            if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) return;
            // The parent may have died between starting us and the prctl: then we were reparented and nobody will signal us.
            if (getppid() != parent) Environment.Exit(128 + SIGKILL);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // no libc prctl: run on; the parent still forwards the signals it can catch
        }
    }

    private static void Forward(Process child, int signal)
    {
        try
        {
            if (!child.HasExited && OperatingSystem.IsLinux()) _ = kill(child.Id, signal);
            else if (!child.HasExited) child.Kill();
        }
        catch (Exception)
        {
            // the child is gone already
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [DllImport("libc", SetLastError = true)]
    private static extern int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [DllImport("libc")]
    private static extern int getppid();
}
