namespace DeepMD.Sharp.Tests.Dynamics;

using System.Diagnostics;

/// <summary>Runs the built <c>dpsharp</c> program (next to the tests) in a new process, as a user would.</summary>
public static class ProcessRunner
{
    /// <summary>Runs <c>dpsharp ARGS</c> in <paramref name="workDir"/>; returns exit code, stdout and stderr.</summary>
    public static (int Code, string Out, string Err) Dpsharp(string workDir, params string[] args)
    {
        var dll = Path.Combine(TestContext.CurrentContext.TestDirectory, "dpsharp.dll");
        Assert.That(File.Exists(dll), Is.True, $"{dll} is missing (the test project references the Cli project)");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var psi = new ProcessStartInfo(dotnet, [dll, .. args])
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["DPSHARP_DEBUG"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Writes <paramref name="deck"/> to <paramref name="name"/> in the folder and runs it; fails the test on a non-zero exit.</summary>
    public static string RunDeck(string workDir, string name, string deck)
    {
        File.WriteAllText(Path.Combine(workDir, name), deck);
        var (code, o, e) = Dpsharp(workDir, "run", name, "--log", "none");
        Assert.That(code, Is.EqualTo(0), $"dpsharp run {name} failed:\n{o}\n{e}");
        return o;
    }
}
