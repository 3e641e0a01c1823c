namespace DeepMD.Sharp.Tests.Native;

using System.Globalization;
using System.Text.Json;
using DeepMD.Sharp.IO;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// The C ABI (native/dpsharp.h) from a C program (tests/native/test_cabi.c) compiled with gcc: DeePMD-kit's values of
/// the se_e2_a reference case through <c>dpsharp_compute_v1</c>; the same atoms as local + ghost atoms with a
/// LAMMPS-shaped list through <c>dpsharp_compute_lammps_v1</c>, folded; two models in one handle; the error paths.
/// </summary>
public class CAbiTests
{
    private string _tmp = "";

    [SetUp]
    public void SetUp() => _tmp = RepoPaths.TempDir();

    [TearDown]
    public void TearDown() => Directory.Delete(_tmp, recursive: true);

    /// <summary>The test program's output: "key values..." lines.</summary>
    private static Dictionary<string, List<string[]>> Parse(string output)
    {
        var lines = new Dictionary<string, List<string[]>>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (!lines.TryGetValue(parts[0], out var list)) lines[parts[0]] = list = [];
            list.Add(parts[1..]);
        }
        return lines;
    }

    private static double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    /// <summary>Compiles test_cabi.c against a freshly built libdpsharp.so; returns (program, library folder).</summary>
    private (string Program, string LibDir) Compile()
    {
        NativeBuild.RequireGcc();
        var libDir = Path.Combine(_tmp, "lib");
        NativeBuild.BuildLibrary(libDir);
        var program = Path.Combine(_tmp, "test_cabi");
        var (code, output) = NativeBuild.Run("gcc", ["-O2", "-Wall", "-Werror", "-std=c11", "-I" + RepoPaths.Get("native"), "-o", program,
            RepoPaths.Get("tests", "native", "test_cabi.c"), "-L" + libDir, "-ldpsharp", "-lm"], null);
        Assert.That(code, Is.EqualTo(0), $"gcc failed:\n{output}");
        return (program, libDir);
    }

    /// <summary>The structure as the C program reads it: count, cell rows, then "element x y z".</summary>
    private string WriteStructure(string xyz)
    {
        var s = StructureReader.Read(xyz);
        var ci = CultureInfo.InvariantCulture;
        var w = new StringWriter(ci);
        w.WriteLine(s.Count);
        w.WriteLine(string.Join(' ', s.Box!.Matrix.ToArray().Select(v => v.ToString("R", ci))));
        for (var i = 0; i < s.Count; i++) w.WriteLine(string.Create(ci, $"{s.Species[i]} {s.X[i]:R} {s.Y[i]:R} {s.Z[i]:R}"));
        var path = Path.Combine(_tmp, "structure.txt");
        File.WriteAllText(path, w.ToString());
        return path;
    }

    [Test]
    public void CProgramReproducesDeepmdKitAndTheGhostListAndReportsErrors()
    {
        var (program, libDir) = Compile();
        var dir = RepoPaths.Get("tests", "reference-cases", "sea_pbc_cubic");
        var structure = WriteStructure(Path.Combine(dir, "structure.xyz"));
        var (code, output) = NativeBuild.Run(program, [RepoPaths.TestModel("deeppot_sea.yaml"), structure], libDir);
        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(output, Does.Not.Contain("Unhandled").And.Not.Contain("   at "), "no .NET exception crosses the boundary");
        var o = Parse(output);

        Assert.That(o["abi"][0][0], Is.EqualTo("1"));
        Assert.That(o["version"][0][0], Is.EqualTo("DeepMD.Sharp"));
        Assert.That(o["type_map"][0], Is.EqualTo(new[] { "O", "H" }));
        Assert.That(o["ntypes"][0][0], Is.EqualTo("2"));
        Assert.That(o["nmodels"][0][0], Is.EqualTo("2"));
        Assert.That(D(o["cutoff"][0][0]), Is.EqualTo(6.0));

        // DeePMD-kit's values for this case.
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "expected.json")));
        var e = expected.RootElement;
        var energy = e.GetProperty("energy").GetDouble();
        Assert.That(D(o["energy"][0][0]), Is.EqualTo(energy).Within(1e-10));
        Assert.That(D(o["model1_energy"][0][0]), Is.EqualTo(energy).Within(1e-10), "the second model of the handle");
        var forces = e.GetProperty("forces").EnumerateArray().ToArray();
        Assert.That(o["force"], Has.Count.EqualTo(forces.Length));
        for (var i = 0; i < forces.Length; i++)
            for (var c = 0; c < 3; c++)
                Assert.That(D(o["force"][i][1 + c]), Is.EqualTo(forces[i][c].GetDouble()).Within(1e-10), $"force {i} {c}");
        var virial = e.GetProperty("virial").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        for (var k = 0; k < 9; k++) Assert.That(D(o["virial"][0][k]), Is.EqualTo(virial[k]).Within(1e-10), $"virial {k}");
        var atomEnergy = e.GetProperty("atom_energy").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        for (var i = 0; i < atomEnergy.Length; i++) Assert.That(D(o["atom_energy"][i][1]), Is.EqualTo(atomEnergy[i]).Within(1e-10));

        // Local + ghost atoms with an external LAMMPS-shaped list, folded onto owners, equal the periodic evaluation.
        var ghost = o["ghost"][0];
        Assert.That(D(ghost[3]), Is.GreaterThan(1e-4), "ghost atoms carry forces of their own (not folded by the library)");
        var diff = o["ghost_diff"][0];
        for (var k = 0; k < diff.Length; k += 2) Assert.That(D(diff[k + 1]), Is.LessThan(1e-12), $"ghost list vs periodic: {diff[k]}");

        // Errors: a code, a message through dpsharp_last_error_v1, no crash, the run goes on.
        Assert.That(o["missing_code"][0][0], Is.EqualTo("1"));
        Assert.That(o["missing_code"][0][2], Is.EqualTo("1"), "the handle is NULL after a failed load");
        Assert.That(string.Join(' ', o["missing_message"][0]), Does.Contain("missing-model.dp").And.Contain("not found"));
        Assert.That(o["bad_index_code"][0][0], Is.EqualTo("2"));
        Assert.That(string.Join(' ', o["bad_index_message"][0]), Does.Contain("model index 2"));
        Assert.That(o["bad_list_code"][0][0], Is.EqualTo("1"));
        Assert.That(string.Join(' ', o["bad_list_message"][0]), Does.Contain("ilist[0]").And.Contain("not a local atom"));
        Assert.That(o["null_handle_code"][0][0], Is.EqualTo("2"));
        Assert.That(o["small_buffer_code"][0][0], Is.EqualTo("2"));
        Assert.That(o, Does.ContainKey("done"));
    }

    [Test]
    public void MissingManagedSideIsAnErrorNotACrash()
    {
        var (program, libDir) = Compile();
        var psiDir = Path.Combine(_tmp, "empty");
        Directory.CreateDirectory(psiDir);
        var structure = WriteStructure(RepoPaths.Get("tests", "reference-cases", "sea_pbc_cubic", "structure.xyz"));
        var (code, output) = RunWithManagedDir(program, psiDir, libDir, [RepoPaths.TestModel("deeppot_sea.yaml"), structure]);
        Assert.That(code, Is.EqualTo(1), output);
        Assert.That(output, Does.Contain("FAILED version").And.Contain("DeepMD.Sharp.Native.runtimeconfig.json not found"));
    }

    private static (int, string) RunWithManagedDir(string program, string managedDir, string libDir, string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DPSHARP_MANAGED_DIR"] = managedDir;
        psi.Environment["LD_LIBRARY_PATH"] = libDir;
        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }
}
