namespace DeepMD.Sharp.Tests.Cli;

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeepMD.Sharp.Tests.Support;
using CommandLine = DeepMD.Sharp.Cli.CommandLine;

/// <summary>
/// <c>dpsharp info</c> and <c>eval</c> on DPA-1 files: a .dp written by DeePMD-kit's serializer and a sel-8 model whose
/// cell overflows sel, against DeePMD-kit's energies (tests/reference-cases/deepmd-kit-dpa1*).
/// </summary>
public class SeAttenCliTests
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

    /// <summary>Case <paramref name="name"/> of a reference folder written as extended XYZ, with DeePMD-kit's energy.</summary>
    private (string Xyz, double Energy) Case(string folder, string name, string[] typeNames)
    {
        var dir = RepoPaths.Get("tests", "reference-cases", folder);
        var input = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "cases.json")))!.AsArray().First(c => (string)c!["name"]! == name)!;
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "expected.json")))!["results"]!.AsArray().First(c => (string)c!["name"]! == name)!;
        var coord = input["coord"]!.AsArray().Select(v => (double)v!).ToArray();
        var types = input["atype"]!.AsArray().Select(v => (int)v!).ToArray();
        var ci = CultureInfo.InvariantCulture;
        var w = new StringWriter(ci);
        w.WriteLine(types.Length);
        var box = input["box"] as JsonArray;
        w.WriteLine(box is null ? "Properties=species:S:1:pos:R:3 pbc=\"F F F\""
            : $"Lattice=\"{string.Join(' ', box.Select(v => ((double)v!).ToString("R", ci)))}\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"");
        for (var i = 0; i < types.Length; i++)
            w.WriteLine(string.Create(ci, $"{typeNames[types[i]]} {coord[3 * i]:R} {coord[3 * i + 1]:R} {coord[3 * i + 2]:R}"));
        var path = Path.Combine(_tmp, name.Replace(' ', '_') + ".xyz");
        File.WriteAllText(path, w.ToString());
        return (path, (double)expected["energy"]!);
    }

    [Test]
    public void InfoDescribesADeePMDKitWrittenDpa1File()
    {
        var model = RepoPaths.Get("tests", "reference-cases", "deepmd-kit-dpa1-written", "deepmd_dpa1.dp");
        var (code, stdout, err) = Run("info", model);
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(stdout, Does.Contain("se_atten").And.Contain("sel              30").And.Contain("attention        2 layers, hidden 5")
            .And.Contain("one shared net").And.Contain("cpu-f64"));
    }

    [TestCase("deepmd_dpa1 pbc")]
    [TestCase("deepmd_se_atten_v2 no pbc")]
    public void EvalGivesDeePMDKitsEnergy(string name)
    {
        var model = RepoPaths.Get("tests", "reference-cases", "deepmd-kit-dpa1-written", name.Split(' ')[0] + ".dp");
        var (xyz, energy) = Case("deepmd-kit-dpa1-written", name, ["O", "H"]);
        var (code, stdout, err) = Run("eval", model, xyz, "--json");
        Assert.That(code, Is.EqualTo(0), err);
        using var got = JsonDocument.Parse(stdout);
        Assert.That(got.RootElement.GetProperty("energy").GetDouble(), Is.EqualTo(energy).Within(1e-10));
    }

    [Test]
    public void SelOverflowIsAnErrorUnlessTruncationIsAskedThenItIsDeePMDKits()
    {
        var model = RepoPaths.Get("tests", "reference-cases", "deepmd-kit-dpa1", "dpa1_sel8_truncated.yaml");
        var (xyz, energy) = Case("deepmd-kit-dpa1", "dpa1_sel8_truncated pbc", ["O", "H", "C"]);
        var (code, _, err) = Run("eval", model, xyz);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(err, Does.Contain("neighbors within rcut").And.Contain("sel is 8").And.Contain("--allow-sel-truncation"));
        (code, var stdout, err) = Run("eval", model, xyz, "--json", "--allow-sel-truncation");
        Assert.That(code, Is.EqualTo(0), err);
        using var got = JsonDocument.Parse(stdout);
        Assert.That(got.RootElement.GetProperty("energy").GetDouble(), Is.EqualTo(energy).Within(1e-10));
    }
}
