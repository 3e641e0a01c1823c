namespace DeepMD.Sharp.Tests.Native;

using System.Diagnostics;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// Builds libdpsharp.so (tools/native/build.sh) into a test folder and runs programs against it, with
/// DPSHARP_MANAGED_DIR naming the managed side (src/DeepMD.Sharp.Native's build output, built with the tests).
/// </summary>
public static class NativeBuild
{
    /// <summary>gcc on the PATH, or null.</summary>
    public static string? Gcc => Which("gcc");

    /// <summary>Skips (or fails under DPSHARP_REQUIRE_GCC=1) without gcc.</summary>
    public static void RequireGcc() =>
        Requirement.That(Gcc is not null, Requirement.Gcc, "gcc is not installed (apt-get install gcc); the C ABI tests compile C");

    /// <summary>The managed side's build output (same configuration as the tests).</summary>
    public static string ManagedDir
    {
        get
        {
            var config = TestContext.CurrentContext.TestDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
            var dir = RepoPaths.Get("src", "DeepMD.Sharp.Native", "bin", config, "net10.0");
            if (!File.Exists(Path.Combine(dir, "DeepMD.Sharp.Native.runtimeconfig.json")))
                Assert.Fail($"{dir} holds no DeepMD.Sharp.Native build; build the tests (they reference src/DeepMD.Sharp.Native)");
            return dir;
        }
    }

    /// <summary>Builds libdpsharp.so into <paramref name="dir"/> and returns its path.</summary>
    public static string BuildLibrary(string dir)
    {
        var (code, output) = Run("bash", [RepoPaths.Get("tools", "native", "build.sh"), dir], null);
        Assert.That(code, Is.EqualTo(0), $"tools/native/build.sh failed:\n{output}");
        return Path.Combine(dir, "libdpsharp.so");
    }

    /// <summary>Runs a program with the library's environment; returns its exit code and stdout + stderr.</summary>
    public static (int Code, string Output) Run(string program, IEnumerable<string> args, string? libraryDir, int timeoutMs = 300_000,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DPSHARP_MANAGED_DIR"] = ManagedDir;
        if (libraryDir is not null) psi.Environment["LD_LIBRARY_PATH"] = libraryDir;
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(timeoutMs))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{program} did not finish in {timeoutMs / 1000} s");
        }
        return (p.ExitCode, stdout + stderr.Result);
    }

    private static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
