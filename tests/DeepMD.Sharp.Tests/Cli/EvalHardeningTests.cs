namespace DeepMD.Sharp.Tests.Cli;

using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using DeepMD.Sharp.Tests.Support;
using CommandLine = DeepMD.Sharp.Cli.CommandLine;

/// <summary>Issue 16: `dpsharp eval` on broken models, multi-frame files and far-out coordinates.</summary>
public class EvalHardeningTests
{
    private string _tmp = "";

    [SetUp]
    public void SetUp() => _tmp = RepoPaths.TempDir();

    [TearDown]
    public void TearDown() => Directory.Delete(_tmp, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var code = CommandLine.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    private static string SeaModel => RepoPaths.TestModel("deeppot_sea.yaml");

    private static string CaseStructure => RepoPaths.Get("tests", "reference-cases", "sea_pbc_cubic", "structure.xyz");

    /// <summary>A copy of the test model with the first number after the first line that starts with <paramref name="key"/> replaced.</summary>
    private string ModelWith(string key, string replacement)
    {
        var text = File.ReadAllText(SeaModel);
        var at = Regex.Match(text, $@"^\s*{Regex.Escape(key)}\s*$", RegexOptions.Multiline);
        Assert.That(at.Success, key);
        var number = new Regex(@"-?\d+\.\d+(e[-+]?\d+)?").Match(text, at.Index + at.Length);
        Assert.That(number.Success);
        var path = Path.Combine(_tmp, "broken.yaml");
        File.WriteAllText(path, text[..number.Index] + replacement + text[(number.Index + number.Length)..]);
        return path;
    }

    // ---- item 7: a model with a NaN or infinite weight ----

    [TestCase("w:", ".nan", "/w'")]
    [TestCase("davg:", ".inf", "descriptor/@variables/davg'")]
    [TestCase("b:", "-.inf", "/b'")]
    public void EvalRefusesAModelWithANonFiniteWeightNamingTheArray(string key, string value, string pathEnd)
    {
        var model = ModelWith(key, value);
        var (code, stdout, stderr) = Run("eval", model, CaseStructure, "--json");
        Assert.That(code, Is.EqualTo(1), stdout + stderr);
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), stderr);
        Assert.That(stderr, Does.Contain(model).And.Contain(pathEnd).And.Contain("non-finite"));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void EvalNeverPrintsANonFiniteEnergy(bool json)
    {
        // Finite but huge output biases: every weight is finite, yet the sum of the atomic energies overflows to +inf.
        var text = File.ReadAllText(SeaModel).Replace("        - - - 0.0\n          - - 0.0\n", "        - - - 1.0e+308\n          - - 1.0e+308\n");
        Assert.That(text, Does.Contain("1.0e+308"));
        var model = Path.Combine(_tmp, "huge-bias.yaml");
        File.WriteAllText(model, text);
        var (code, stdout, stderr) = json ? Run("eval", model, CaseStructure, "--json") : Run("eval", model, CaseStructure);
        Assert.That(code, Is.EqualTo(1), stdout + stderr);
        Assert.That(stdout, Does.Not.Contain("NaN").And.Not.Contain("Infinity").And.Not.Contain("∞"));
        Assert.That(stderr, Does.Contain("non-finite energy").And.Contain(CaseStructure));
        Assert.That(stderr, Does.Not.Contain("internal error"));
    }

    // ---- item 11: a multi-frame extended XYZ file ----

    /// <summary>Three frames: the reference case with its first atom moved by 0, 0.1 and 0.2 Å along x.</summary>
    private string[] Frames()
    {
        var lines = File.ReadAllLines(CaseStructure);
        var frames = new string[3];
        for (var k = 0; k < 3; k++)
        {
            var body = lines.Skip(2).Select((l, i) =>
            {
                var t = l.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var x = double.Parse(t[1], CultureInfo.InvariantCulture) + (i == 0 ? 0.1 * k : 0);
                return $"{t[0]} {x.ToString("R", CultureInfo.InvariantCulture)} {t[2]} {t[3]}";
            });
            frames[k] = string.Join("\n", new[] { lines[0], lines[1] }.Concat(body)) + "\n";
        }
        return frames;
    }

    private string WriteFile(string name, string text)
    {
        var path = Path.Combine(_tmp, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Test]
    public void EvalJsonGivesOneLinePerFrameOfAMultiFrameXyz()
    {
        var frames = Frames();
        var all = WriteFile("all.xyz", string.Concat(frames));
        var (code, stdout, stderr) = Run("eval", SeaModel, all, "--json");
        Assert.That(code, Is.EqualTo(0), stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(3), stdout);
        var energies = new HashSet<double>();
        for (var k = 0; k < 3; k++)
        {
            using var got = JsonDocument.Parse(lines[k]);
            var single = WriteFile($"frame{k}.xyz", frames[k]);
            var (c1, o1, e1) = Run("eval", SeaModel, single, "--json");
            Assert.That(c1, Is.EqualTo(0), e1);
            using var one = JsonDocument.Parse(o1);
            Assert.That(got.RootElement.GetProperty("frame").GetInt32(), Is.EqualTo(k));
            Assert.That(got.RootElement.GetProperty("energy").GetDouble(), Is.EqualTo(one.RootElement.GetProperty("energy").GetDouble()), $"frame {k}");
            Assert.That(got.RootElement.GetProperty("forces").ToString(), Is.EqualTo(one.RootElement.GetProperty("forces").ToString()), $"frame {k}");
            energies.Add(got.RootElement.GetProperty("energy").GetDouble());
        }
        Assert.That(energies, Has.Count.EqualTo(3), "three different frames");
    }

    [Test]
    public void EvalTextPrintsEveryFrameUnderAHeader()
    {
        var all = WriteFile("all.xyz", string.Concat(Frames()));
        var (code, stdout, stderr) = Run("eval", SeaModel, all);
        Assert.That(code, Is.EqualTo(0), stderr);
        var lines = stdout.Split('\n');
        Assert.That(lines.Count(l => l.StartsWith("energy")), Is.EqualTo(3), stdout);
        Assert.That(lines.Where(l => l.StartsWith("frame")).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]), Is.EqualTo(new[] { "0", "1", "2" }));
    }

    [Test]
    public void EvalFrameOptionPicksOneFrame()
    {
        var frames = Frames();
        var all = WriteFile("all.xyz", string.Concat(frames));
        var (code, stdout, stderr) = Run("eval", SeaModel, all, "--json", "--frame", "2");
        Assert.That(code, Is.EqualTo(0), stderr);
        var (_, single, _) = Run("eval", SeaModel, WriteFile("f2.xyz", frames[2]), "--json");
        using var got = JsonDocument.Parse(stdout);
        using var one = JsonDocument.Parse(single);
        Assert.That(got.RootElement.GetProperty("energy").GetDouble(), Is.EqualTo(one.RootElement.GetProperty("energy").GetDouble()));
        var (bad, _, err) = Run("eval", SeaModel, all, "--frame", "3");
        Assert.That(bad, Is.EqualTo(1), err);
    }

    // ---- item 3: huge coordinates ----

    [TestCase("1e20")]
    [TestCase("1e300")]
    [TestCase("-3e7")]
    public void EvalRefusesACoordinateFarOutsideThePeriodicBoxNamingAtomAndLine(string x)
    {
        var lines = File.ReadAllLines(CaseStructure);
        var t = lines[4].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        lines[4] = $"{t[0]} {x} {t[2]} {t[3]}";
        var path = Path.Combine(_tmp, "far.xyz");
        File.WriteAllLines(path, lines);
        var (code, stdout, stderr) = Run("eval", SeaModel, path);
        Assert.That(code, Is.EqualTo(1), stdout + stderr);
        Assert.That(stdout, Does.Not.Contain("energy"));
        Assert.That(stderr, Does.Contain(path + ":5:").And.Contain("atom 3").And.Contain("box lengths outside"));
    }

    [Test]
    public void ReadDataRefusesAnAtomFarOutsideThePeriodicBoxNamingFileAndAtom()
    {
        var path = Path.Combine(_tmp, "far.data");
        File.WriteAllText(path, "far\n\n2 atoms\n1 atom types\n\n0 10 xlo xhi\n0 10 ylo yhi\n0 10 zlo zhi\n\nMasses\n\n1 1.0\n\n"
            + "Atoms # atomic\n\n1 1 1.0 1.0 1.0\n2 1 1e20 2.0 2.0\n");
        var e = Assert.Throws<DeepMD.Sharp.Core.Errors.UserInputException>(() =>
            DeepMD.Sharp.Input.SimulationFactory.FromLammpsData(path, DeepMD.Sharp.Dynamics.Units.UnitSystem.Metal))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain("atom 2").And.Contain("box lengths outside"));
    }

    [Test]
    public void ReadDataWrapsAnAtomThousandsOfBoxLengthsOutWithFloorArithmetic()
    {
        var path = Path.Combine(_tmp, "out.data");
        File.WriteAllText(path, "out\n\n1 atoms\n1 atom types\n\n0 10 xlo xhi\n0 10 ylo yhi\n0 10 zlo zhi\n\nMasses\n\n1 1.0\n\n"
            + "Atoms # atomic\n\n1 1 30000.25 -49999.5 3.0\n");
        var sim = DeepMD.Sharp.Input.SimulationFactory.FromLammpsData(path, DeepMD.Sharp.Dynamics.Units.UnitSystem.Metal);
        var a = sim.Atoms;
        Assert.That((a.X[0], a.Y[0], a.Z[0]), Is.EqualTo((0.25, 0.5, 3.0)));
        Assert.That((a.ImageA[0], a.ImageB[0], a.ImageC[0]), Is.EqualTo((3000, -5000, 0)));
    }

    [Test]
    public void ARunStopsWhenAnAtomIsFarOutsideThePeriodicBox()
    {
        var path = Path.Combine(_tmp, "ok.data");
        File.WriteAllText(path, "ok\n\n2 atoms\n1 atom types\n\n0 10 xlo xhi\n0 10 ylo yhi\n0 10 zlo zhi\n\nMasses\n\n1 1.0\n\n"
            + "Atoms # atomic\n\n1 1 1.0 1.0 1.0\n2 1 5.0 2.0 2.0\n");
        var sim = DeepMD.Sharp.Input.SimulationFactory.FromLammpsData(path, DeepMD.Sharp.Dynamics.Units.UnitSystem.Metal);
        sim.Atoms.X[1] = 1e20;
        var e = Assert.Throws<DeepMD.Sharp.Dynamics.SimulationException>(sim.RebuildNeighbors)!;
        Assert.That(e.Message, Does.Contain("atom 2").And.Contain("box lengths outside"));
    }
}
