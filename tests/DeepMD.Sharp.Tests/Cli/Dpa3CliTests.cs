namespace DeepMD.Sharp.Tests.Cli;

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeepMD.Sharp.Tests.Support;
using CommandLine = DeepMD.Sharp.Cli.CommandLine;

/// <summary>
/// <c>dpsharp info</c> and <c>eval</c> on DPA-3 files written by DeePMD-kit (tests/reference-cases/deepmd-kit-dpa3): .dp
/// and .yaml, dynamic sel, and a model whose cell overflows sel, against DeePMD-kit's energies.
/// </summary>
public class Dpa3CliTests
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
    public void InfoDescribesADeePMDKitWrittenDpa3File()
    {
        var model = RepoPaths.Get("tests", "reference-cases", "deepmd-kit-dpa3", "dpa3_default.dp");
        var (code, stdout, err) = Run("info", model);
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(stdout, Does.Contain("dpa3").And.Contain("sel              [48]").And.Contain("n_dim 10, e_dim 8, a_dim 8, 2 layers")
            .And.Contain("a_rcut 3 Å").And.Contain("res_residual").And.Contain("backend          cpu-f64"));
    }

    [TestCase("dpa3_default pbc", "dpa3_default.dp")]
    [TestCase("dpa3_dynamic no pbc", "dpa3_dynamic.yaml")]
    [TestCase("dpa3_resavg_compress pbc", "dpa3_resavg_compress.yaml")]
    public void EvalGivesDeePMDKitsEnergy(string name, string file)
    {
        var model = RepoPaths.Get("tests", "reference-cases", "deepmd-kit-dpa3", file);
        var (xyz, energy) = Case("deepmd-kit-dpa3", name, ["O", "H", "C"]);
        var (code, stdout, err) = Run("eval", model, xyz, "--json");
        Assert.That(code, Is.EqualTo(0), err);
        using var got = JsonDocument.Parse(stdout);
        Assert.That(got.RootElement.GetProperty("energy").GetDouble(), Is.EqualTo(energy).Within(1e-10));
    }

    [Test]
    public void SelOverflowIsAnErrorUnlessTruncationIsAskedThenItIsDeePMDKits()
    {
        var model = RepoPaths.Get("tests", "reference-cases", "deepmd-kit-dpa3", "dpa3_sel_trunc.yaml");
        var (xyz, energy) = Case("deepmd-kit-dpa3", "dpa3_sel_trunc pbc", ["O", "H", "C"]);
        var (code, _, err) = Run("eval", model, xyz);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(err, Does.Contain("neighbors within").And.Contain("--allow-sel-truncation"));
        (code, var stdout, err) = Run("eval", model, xyz, "--json", "--allow-sel-truncation");
        Assert.That(code, Is.EqualTo(0), err);
        using var got = JsonDocument.Parse(stdout);
        Assert.That(got.RootElement.GetProperty("energy").GetDouble(), Is.EqualTo(energy).Within(1e-10));
    }
}
