namespace DeepMD.Sharp.Tests.Cli;

using System.Diagnostics;
using DeepMD.Sharp.Tests.Support;
using CommandLine = DeepMD.Sharp.Cli.CommandLine;

/// <summary>
/// Files written by <c>dpsharp convert</c> are read back with h5py/PyYAML exactly the way DeePMD-kit's
/// <c>load_dp_model</c> reads them, and must give the same dictionary as the original. Needs python3 with h5py, numpy
/// and yaml (Debian: python3-h5py python3-yaml), which .ci/run installs; set DPSHARP_REQUIRE_H5PY=1 to fail instead of
/// skipping when they are missing.
/// </summary>
public class ConvertH5pyTests
{
    // Debian's python3-h5py lives in the system interpreter, which a user-level python3 on PATH may shadow.
    private static readonly string Python = Environment.GetEnvironmentVariable("DPSHARP_PYTHON")
        ?? (File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3");

    private static bool PythonReady()
    {
        try
        {
            var (code, _) = RunProcess(Python, "-c \"import h5py, numpy, yaml\"");
            return code == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static (int Code, string Output) RunProcess(string exe, string args)
    {
        var psi = new ProcessStartInfo(exe, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, output.Result + error.Result);
    }

    [TestCase("deeppot_sea.yaml", "dp")]
    [TestCase("deeppot-r.yaml", "dp")]
    [TestCase("water-example-float32.dp", "dp")]
    public void ConvertedFileLoadsLikeDeePMDKitLoadsIt(string model, string ext)
    {
        Requirement.That(PythonReady(), Requirement.H5py, "python3 with h5py, numpy and yaml is not installed");
        var dir = RepoPaths.TempDir();
        try
        {
            var src = RepoPaths.TestModel(model);
            var dst = Path.Combine(dir, "converted." + ext);
            var o = new StringWriter();
            var e = new StringWriter();
            Assert.That(CommandLine.Run(["convert", src, dst], o, e), Is.EqualTo(0), e.ToString());
            var script = RepoPaths.Get("tests", "DeepMD.Sharp.Tests", "Serialization", "tools", "check_model_files.py");
            var (code, output) = RunProcess(Python, $"\"{script}\" \"{src}\" \"{dst}\"");
            Assert.That(code, Is.EqualTo(0), output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
