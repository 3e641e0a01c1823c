namespace DeepMD.Sharp.Tests.Domains;

using System.Diagnostics;
using System.Text.RegularExpressions;
using DeepMD.Sharp.Tests.Support;

/// <summary>Starts programs under Open MPI's mpirun (oversubscribed: this machine may have fewer cores than ranks).</summary>
public static partial class MpiRun
{
    /// <summary>
    /// Open MPI's shared-memory transport copies large messages between ranks with cross-memory attach, which
    /// containers without ptrace rights refuse ("Read -1, expected …"); plain copies work everywhere.
    /// </summary>
    private static void Configure(ProcessStartInfo psi)
    {
        const string SingleCopy = "OMPI_MCA_btl_vader_single_copy_mechanism";
        if (Environment.GetEnvironmentVariable(SingleCopy) is null) psi.Environment[SingleCopy] = "none";
    }

    /// <summary>mpirun's full path, or null when it is not on PATH.</summary>
    public static string? Find()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var p = Path.Combine(dir, "mpirun");
            if (File.Exists(p)) return p;
        }
        return null;
    }

    /// <summary>mpirun, or a visible skip (a failure when DPSHARP_REQUIRE_MPI=1).</summary>
    public static string Require()
    {
        var mpirun = Find();
        Requirement.That(mpirun is not null, Requirement.Mpi, "mpirun (Open MPI) is not on PATH; apt-get install openmpi-bin libopenmpi-dev to run the MPI tests");
        return mpirun!;
    }

    public sealed record Result(int ExitCode, string Output, string Error, TimeSpan Elapsed, bool TimedOut);

    /// <summary>Runs <c>mpirun -np <paramref name="ranks"/> program args</c> and waits at most <paramref name="timeout"/>.</summary>
    public static Result Run(string mpirun, int ranks, string program, IEnumerable<string> args, string workDir, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(mpirun)
        {
            WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        Configure(psi);
        foreach (var a in new[] { "--allow-run-as-root", "--oversubscribe", "-np", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture), program })
            psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        var watch = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        var timedOut = !p.WaitForExit(timeout);
        if (timedOut) p.Kill(entireProcessTree: true);
        p.WaitForExit();
        watch.Stop();
        return new Result(p.ExitCode, Clean(output.Result), Clean(error.Result), watch.Elapsed, timedOut);
    }

    /// <summary>
    /// Starts mpirun without waiting; <paramref name="onLine"/> sees each line of standard output as it comes.
    /// The caller waits for the process and disposes it.
    /// </summary>
    public static Process Start(int ranks, string[] driverArgs, Action<string> onLine)
    {
        var mpirun = Require();
        var dll = Path.Combine(TestContext.CurrentContext.TestDirectory, "DeepMD.Sharp.MpiDriver.dll");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var psi = new ProcessStartInfo(mpirun)
        {
            WorkingDirectory = TestContext.CurrentContext.TestDirectory, RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false,
        };
        Configure(psi);
        foreach (var a in new[] { "--allow-run-as-root", "--oversubscribe", "-np", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture), dotnet, dll })
            psi.ArgumentList.Add(a);
        foreach (var a in driverArgs) psi.ArgumentList.Add(a);
        var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) onLine(Clean(e.Data)); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) onLine(Clean(e.Data)); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>The driver program (built with the tests) run by dotnet under mpirun.</summary>
    public static Result Driver(int ranks, string[] args, TimeSpan timeout)
    {
        var mpirun = Require();
        var dll = Path.Combine(TestContext.CurrentContext.TestDirectory, "DeepMD.Sharp.MpiDriver.dll");
        Assert.That(File.Exists(dll), $"{dll} is missing: the test project references the driver project");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        return Run(mpirun, ranks, dotnet, [dll, .. args], TestContext.CurrentContext.TestDirectory, timeout);
    }

    // dotnet under mpirun writes terminal mode escapes (ESC[?1h ESC=) into the output.
    private static string Clean(string s) => Escapes().Replace(s, "");

    [GeneratedRegex(@"\x1b(\[[0-9;?]*[a-zA-Z]|[=>])")]
    private static partial Regex Escapes();
}
