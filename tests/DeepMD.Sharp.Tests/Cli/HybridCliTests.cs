namespace DeepMD.Sharp.Tests.Cli;

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeepMD.Sharp.Tests.Support;
using CommandLine = DeepMD.Sharp.Cli.CommandLine;

/// <summary>
/// <c>dpsharp info</c>, <c>eval</c> and <c>convert</c> on hybrid-descriptor files written by DeePMD-kit
/// (tests/reference-cases/deepmd-kit-hybrid), against DeePMD-kit's energies.
/// </summary>
public class HybridCliTests
{
    private string _tmp = "";

    [SetUp]
    public void SetUp() => _tmp = RepoPaths.TempDir();

    [TearDown]
    public void TearDown() => Directory.Delete(_tmp, recursive: true);

    private static string Folder => RepoPaths.Get("tests", "reference-cases", "deepmd-kit-hybrid");

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var code = CommandLine.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    /// <summary>Case <paramref name="name"/> written as extended XYZ, with DeePMD-kit's energy.</summary>
    private (string Xyz, double Energy) Case(string name)
    {
        var input = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "cases.json")))!.AsArray().First(c => (string)c!["name"]! == name)!;
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "expected.json")))!["results"]!.AsArray().First(c => (string)c!["name"]! == name)!;
        var coord = input["coord"]!.AsArray().Select(v => (double)v!).ToArray();
        var types = input["atype"]!.AsArray().Select(v => (int)v!).ToArray();
        string[] typeNames = ["O", "H", "C"];
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
    public void InfoListsTheSubDescriptorsAndTheBackend()
    {
        var (code, stdout, err) = Run("info", Path.Combine(Folder, "hybrid_sea_atten.dp"));
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(stdout, Does.Contain("descriptor       hybrid").And.Contain("sub-descriptors  2: se_e2_a + se_atten")
            .And.Contain("[0] se_e2_a").And.Contain("[1] se_atten").And.Contain("sel              [14, 14, 10]")
            .And.Contain("mixed types, the 88 nearest").And.Contain("backend          reference"));
    }

    [Test]
    public void ConvertRoundTripKeepsDeePMDKitsEnergy()
    {
        var (xyz, energy) = Case("hybrid_ser_attenv2 pbc");
        var dp = Path.Combine(_tmp, "m.dp");
        var yaml = Path.Combine(_tmp, "m.yaml");
        var (code, stdout, err) = Run("convert", Path.Combine(Folder, "hybrid_ser_attenv2.yaml"), dp);
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(stdout, Does.Contain("hybrid"));
        (code, _, err) = Run("convert", dp, yaml);
        Assert.That(code, Is.EqualTo(0), err);
        foreach (var model in new[] { dp, yaml })
        {
            (code, stdout, err) = Run("eval", model, xyz, "--json");
            Assert.That(code, Is.EqualTo(0), err);
            using var got = JsonDocument.Parse(stdout);
            Assert.That(got.RootElement.GetProperty("energy").GetDouble(), Is.EqualTo(energy).Within(1e-10), model);
        }
    }

    [Test]
    public void EvalOnANonPeriodicClusterGivesDeePMDKitsEnergy()
    {
        var (xyz, energy) = Case("hybrid_sea_ser no pbc");
        var (code, stdout, err) = Run("eval", Path.Combine(Folder, "hybrid_sea_ser.yaml"), xyz, "--json");
        Assert.That(code, Is.EqualTo(0), err);
        using var got = JsonDocument.Parse(stdout);
        Assert.That(got.RootElement.GetProperty("energy").GetDouble(), Is.EqualTo(energy).Within(1e-10));
    }
}
