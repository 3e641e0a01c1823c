namespace DeepMD.Sharp.Tests.Cli;

using System.Diagnostics;
using System.Runtime.Intrinsics;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// The dpsharp program relaunches itself with 512-bit vectors where the CPU runs them at full speed, leaves the width
/// alone when the user chose one, and passes the exit code and error output through. Runs the built program
/// (<c>dotnet dpsharp.dll</c>, the path that needs the assembly re-added) as a child process.
/// </summary>
public class WideVectorsTests
{
    private static (int Code, string Stdout, string Stderr) Dpsharp(IDictionary<string, string?> env, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "dpsharp.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var name in new[] { "DOTNET_MaxVectorTBitWidth", "DPSHARP_NO_RELAUNCH", "DPSHARP_RELAUNCHED" }) psi.Environment.Remove(name);
        foreach (var (k, v) in env)
            if (v is null) psi.Environment.Remove(k);
            else psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, output.Result, error.Result);
    }

    private static string VectorsLine(string stdout) =>
        stdout.Split('\n').FirstOrDefault(l => l.StartsWith("cpu vectors", StringComparison.Ordinal)) ?? "(no 'cpu vectors' line)";

    [Test]
    public void RelaunchesWithWideVectorsWhereTheyAreFast()
    {
        var (code, stdout, stderr) = Dpsharp(new Dictionary<string, string?>(), "info", RepoPaths.TestModel("deeppot_sea.yaml"));
        Assert.That(code, Is.Zero, stderr);
        var line = VectorsLine(stdout);
        // The child inherits this process's instruction-set switches, so it sees the same Vector512 support.
        if (Vector512.IsHardwareAccelerated)
            Assert.That(line, Does.Contain("512-bit vectors (dpsharp set DOTNET_MaxVectorTBitWidth=512"));
        else
            Assert.That(line, Does.Not.Contain("dpsharp set"));
    }

    [Test]
    public void KeepsTheWidthTheUserChose()
    {
        var (code, stdout, stderr) = Dpsharp(new Dictionary<string, string?> { ["DOTNET_MaxVectorTBitWidth"] = "256" }, "info",
            RepoPaths.TestModel("deeppot_sea.yaml"));
        Assert.That(code, Is.Zero, stderr);
        var line = VectorsLine(stdout);
        Assert.That(line, Does.Not.Contain("dpsharp set"));
        Assert.That(line, Does.Not.Contain("512-bit vectors ("));
    }

    [Test]
    public void PassesExitCodeAndErrorsThrough()
    {
        var (code, _, stderr) = Dpsharp(new Dictionary<string, string?>(), "info", "no-such-model.dp");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("no-such-model.dp"));
    }
}
