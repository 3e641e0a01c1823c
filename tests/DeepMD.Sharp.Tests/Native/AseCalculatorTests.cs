namespace DeepMD.Sharp.Tests.Native;

using System.Text.Json;
using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.IO;
using DeepMD.Sharp.Tests.Support;
using CommandLine = DeepMD.Sharp.Cli.CommandLine;

/// <summary>
/// The ASE calculator (python/dpsharp/calculator.py, ctypes over libdpsharp.so) under Debian's python3-ase: on a
/// triclinic water cell it gives <c>dpsharp eval</c>'s energy, forces and stress (−virial/V), ASE's own central finite
/// differences of its energy agree with its forces and stress, and a missing model raises with the library's message.
/// </summary>
public class AseCalculatorTests
{
    private const string Python = "/usr/bin/python3";
    private string _tmp = "";

    [SetUp]
    public void SetUp() => _tmp = RepoPaths.TempDir();

    [TearDown]
    public void TearDown() => Directory.Delete(_tmp, recursive: true);

    private static bool HasAse()
    {
        if (!File.Exists(Python)) return false;
        var (code, _) = NativeBuild.Run(Python, ["-c", "import ase, numpy"], null);
        return code == 0;
    }

    /// <summary>The 192-molecule-atom water box of examples/water, sheared into a triclinic cell (fractional coordinates kept).</summary>
    private string TriclinicWater()
    {
        var s = StructureReader.Read(RepoPaths.Get("examples", "water", "water.lmp"), ["O", "H"]);
        var l = s.Box!.Matrix[0];
        var cell = new Box([l, 0, 0, 0.9, l, 0, -0.7, 0.6, l]);
        var x = new double[s.Count];
        var y = new double[s.Count];
        var z = new double[s.Count];
        for (var i = 0; i < s.Count; i++)
        {
            var (a, b, c) = s.Box.ToFractional(s.X[i], s.Y[i], s.Z[i]);
            (x[i], y[i], z[i]) = cell.ToCartesian(a, b, c);
        }
        var path = Path.Combine(_tmp, "water-triclinic.xyz");
        ExtXyzWriter.Write(path, new Structure(s.Species, x, y, z, cell));
        return path;
    }

    [Test]
    public void AseCalculatorMatchesEvalAndAsesFiniteDifferences()
    {
        NativeBuild.RequireGcc();
        Requirement.That(HasAse(), Requirement.Ase, "/usr/bin/python3 has no ase (apt-get install python3-ase)");
        var libDir = Path.Combine(_tmp, "lib");
        var library = NativeBuild.BuildLibrary(libDir);
        var model = RepoPaths.TestModel("deeppot_sea.yaml");
        var xyz = TriclinicWater();

        var run = NativeBuild.Run(Python, [RepoPaths.Get("tests", "python", "ase_check.py"), model, xyz], null,
            environment: new Dictionary<string, string> { ["DPSHARP_LIBRARY"] = library });
        Assert.That(run.Code, Is.EqualTo(0), run.Output);
        var line = run.Output.Split('\n').Last(l => l.StartsWith('{'));
        using var ase = JsonDocument.Parse(line);
        var a = ase.RootElement;

        var o = new StringWriter();
        var e = new StringWriter();
        Assert.That(CommandLine.Run(["eval", model, xyz, "--json"], o, e), Is.EqualTo(0), e.ToString());
        using var eval = JsonDocument.Parse(o.ToString());
        var r = eval.RootElement;

        // dpsharp eval's energy, forces, and stress = −sym(virial)/V in ASE's Voigt order (xx yy zz yz xz xy).
        Assert.That(a.GetProperty("energy").GetDouble(), Is.EqualTo(r.GetProperty("energy").GetDouble()).Within(1e-9));
        var fa = a.GetProperty("forces").EnumerateArray().ToArray();
        var fr = r.GetProperty("forces").EnumerateArray().ToArray();
        Assert.That(fa, Has.Length.EqualTo(192));
        for (var i = 0; i < fa.Length; i++)
            for (var c = 0; c < 3; c++)
                Assert.That(fa[i][c].GetDouble(), Is.EqualTo(fr[i][c].GetDouble()).Within(1e-10), $"force {i} {c}");
        var w = r.GetProperty("virial").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var volume = a.GetProperty("volume").GetDouble();
        Assert.That(volume, Is.EqualTo(Math.Pow(12.4447, 3)).Within(1e-6), "shear keeps the volume");
        double S(int p, int q) => -0.5 * (w[3 * p + q] + w[3 * q + p]) / volume;
        double[] voigt = [S(0, 0), S(1, 1), S(2, 2), S(1, 2), S(0, 2), S(0, 1)];
        var stress = a.GetProperty("stress").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        for (var k = 0; k < 6; k++) Assert.That(stress[k], Is.EqualTo(voigt[k]).Within(1e-12), $"stress {k}");
        Assert.That(stress.Max(Math.Abs), Is.GreaterThan(1e-4), "a stress worth checking");

        // ASE's finite differences of the calculator's own energy.
        var atoms = a.GetProperty("fd_atoms").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var fd = a.GetProperty("fd_forces").EnumerateArray().ToArray();
        for (var k = 0; k < atoms.Length; k++)
            for (var c = 0; c < 3; c++)
                Assert.That(fd[k][c].GetDouble(), Is.EqualTo(fa[atoms[k]][c].GetDouble()).Within(1e-6), $"finite-difference force atom {atoms[k]} {c}");
        var fdStress = a.GetProperty("fd_stress").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        for (var k = 0; k < 6; k++) Assert.That(fdStress[k], Is.EqualTo(stress[k]).Within(1e-8), $"finite-difference stress {k}");

        Assert.That(a.GetProperty("missing_error").GetString(), Does.Contain("missing-model.dp").And.Contain("not found"));
    }
}
