namespace DeepMD.Sharp.Tests.Cli;

using System.Text.Json;
using DeepMD.Sharp.Tests.Support;
using CommandLine = DeepMD.Sharp.Cli.CommandLine;

/// <summary>The dpsharp program end to end: outputs, conversions, and one clear message for each bad input.</summary>
public class CliTests
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

    private string Write(string name, string text)
    {
        var p = Path.Combine(_tmp, name);
        File.WriteAllText(p, text);
        return p;
    }

    private static string SeaModel => RepoPaths.TestModel("deeppot_sea.yaml");

    private static string CaseStructure => RepoPaths.Get("tests", "reference-cases", "sea_pbc_cubic", "structure.xyz");

    [Test]
    public void EvalJsonMatchesTheReferenceCase()
    {
        var (code, stdout, stderr) = Run("eval", SeaModel, CaseStructure, "--json", "--atomic");
        Assert.That(code, Is.EqualTo(0), stderr);
        using var got = JsonDocument.Parse(stdout);
        using var expected = JsonDocument.Parse(File.ReadAllText(RepoPaths.Get("tests", "reference-cases", "sea_pbc_cubic", "expected.json")));
        Assert.That(got.RootElement.GetProperty("natoms").GetInt32(), Is.EqualTo(6));
        Assert.That(got.RootElement.GetProperty("type_map").EnumerateArray().Select(t => t.GetString()), Is.EqualTo(new[] { "O", "H" }));
        foreach (var key in new[] { "energy", "atom_energy", "forces", "virial", "atom_virial" })
        {
            var g = Flatten(got.RootElement.GetProperty(key)).ToArray();
            var x = Flatten(expected.RootElement.GetProperty(key)).ToArray();
            Assert.That(g, Is.EqualTo(x).Within(1e-10), key);
        }
    }

    [Test]
    public void EvalTextSummaryNamesEnergyAndForces()
    {
        var (code, stdout, _) = Run("eval", SeaModel, CaseStructure);
        Assert.That(code, Is.EqualTo(0));
        Assert.That(stdout, Does.Contain("energy").And.Contain("-929.73717005"));
    }

    [Test]
    public void InfoDescribesTheModel()
    {
        var (code, stdout, _) = Run("info", SeaModel);
        Assert.That(code, Is.EqualTo(0));
        Assert.That(stdout, Does.Contain("se_e2_a").And.Contain("[46, 92]").And.Contain("O, H").And.Contain("float64").And.Contain("parameters"));
    }

    [TestCase("dp")]
    [TestCase("yaml")]
    public void ConvertedModelGivesIdenticalResults(string ext)
    {
        var outPath = Path.Combine(_tmp, "converted." + ext);
        var (code, _, err) = Run("convert", SeaModel, outPath);
        Assert.That(code, Is.EqualTo(0), err);
        var a = Run("eval", SeaModel, CaseStructure, "--json").Out;
        var b = Run("eval", outPath, CaseStructure, "--json").Out;
        Assert.That(b, Is.EqualTo(a));
    }

    private void AssertOneClearError((int Code, string Out, string Err) r, params string[] mustContain)
    {
        Assert.That(r.Code, Is.Not.EqualTo(0));
        Assert.That(r.Err, Does.StartWith("dpsharp: error: "));
        Assert.That(r.Err, Does.Not.Contain("   at "), "no stack trace");
        Assert.That(r.Err.TrimEnd().Split('\n'), Has.Length.EqualTo(1), "one message");
        foreach (var m in mustContain) Assert.That(r.Err, Does.Contain(m));
    }

    [Test]
    public void UnknownDescriptorType()
    {
        var text = File.ReadAllText(SeaModel).Replace("type: se_e2_a", "type: se_zz_q");
        Assert.That(text, Does.Contain("se_zz_q"), "the test model names its descriptor");
        var model = Write("weird.yaml", text);
        AssertOneClearError(Run("eval", model, CaseStructure), "weird.yaml", "se_zz_q", "se_e2_a");
    }

    [Test]
    public void CorruptedModelFile()
    {
        var bytes = new byte[4096];
        new Random(1).NextBytes(bytes);
        var model = Path.Combine(_tmp, "garbage.dp");
        File.WriteAllBytes(model, bytes);
        AssertOneClearError(Run("eval", model, CaseStructure), "garbage.dp");
    }

    [Test]
    public void TruncatedModelFile()
    {
        var src = File.ReadAllBytes(RepoPaths.TestModel("water-example-float32.dp"));
        var model = Path.Combine(_tmp, "truncated.dp");
        File.WriteAllBytes(model, src[..(src.Length / 2)]);
        AssertOneClearError(Run("eval", model, CaseStructure), "truncated.dp");
        var yaml = File.ReadAllText(SeaModel);
        var ymodel = Write("truncated.yaml", yaml[..(yaml.Length / 2)]);
        AssertOneClearError(Run("eval", ymodel, CaseStructure), "truncated.yaml");
    }

    [Test]
    public void MissingFiles()
    {
        AssertOneClearError(Run("eval", Path.Combine(_tmp, "nope.dp"), CaseStructure), "nope.dp");
        AssertOneClearError(Run("eval", SeaModel, Path.Combine(_tmp, "nope.xyz")), "nope.xyz");
    }

    [Test]
    public void SpeciesNotInTypeMap()
    {
        var s = Write("c.xyz", "2\nLattice=\"10 0 0 0 10 0 0 0 10\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\nO 0 0 0\nC 1 0 0\n");
        AssertOneClearError(Run("eval", SeaModel, s), "c.xyz", "atom 2", "'C'", "O,H");
    }

    [Test]
    public void AtomsOnTopOfEachOther()
    {
        var s = Write("dup.xyz", "3\nLattice=\"10 0 0 0 10 0 0 0 10\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\nO 1 1 1\nH 2 1 1\nH 2 1 1\n");
        AssertOneClearError(Run("eval", SeaModel, s), "atoms 2 (H) and 3 (H)", "on top of each other");
    }

    [Test]
    public void NaNCoordinate()
    {
        var s = Write("nan.xyz", "2\nLattice=\"10 0 0 0 10 0 0 0 10\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\nO 1 1 1\nH nan 1 1\n");
        AssertOneClearError(Run("eval", SeaModel, s), "nan.xyz", "atom 2");
    }

    [TestCase("3\nLattice=\"10 0 0 0 10 0 0 0 10\" Properties=species:S:1:pos:R:3\nO 1 1 1\nH 2 1 1\n", "line")]
    [TestCase("two\ncomment\nO 1 1 1\n", "bad.xyz:1:")]
    [TestCase("2\nLattice=\"10 0 0 0 10 0 0 0 10\" Properties=species:S:1:pos:R:3\nO 1 1 1\nH 2 x 1\n", "bad.xyz:4:")]
    [TestCase("2\nLattice=\"10 0 0 0 10 0\" Properties=species:S:1:pos:R:3\nO 1 1 1\nH 2 1 1\n", "bad.xyz:2:")]
    public void MalformedExtxyz(string text, string where)
    {
        var s = Write("bad.xyz", text);
        AssertOneClearError(Run("eval", SeaModel, s), "bad.xyz", where);
    }

    [Test]
    public void SelOverflowNamesAtomAndSel()
    {
        // 60 hydrogens packed within 6 Å of an oxygen exceed nothing (sel H = 92), but 50 oxygens exceed sel O = 46.
        var lines = new List<string> { "O 0 0 0" };
        var rng = new Random(3);
        while (lines.Count < 51)
        {
            var th = Math.Acos(2 * rng.NextDouble() - 1);
            var ph = 2 * Math.PI * rng.NextDouble();
            var r = 2.0 + 3.5 * rng.NextDouble();
            lines.Add(FormattableString.Invariant($"O {r * Math.Sin(th) * Math.Cos(ph)} {r * Math.Sin(th) * Math.Sin(ph)} {r * Math.Cos(th)}"));
        }
        var s = Write("dense.xyz", $"{lines.Count}\nProperties=species:S:1:pos:R:3\n{string.Join("\n", lines)}\n");
        var r1 = Run("eval", SeaModel, s);
        AssertOneClearError(r1, "atom 1", "neighbors of type O", "sel for that type is 46", "--allow-sel-truncation");
        var r2 = Run("eval", SeaModel, s, "--allow-sel-truncation", "--json");
        Assert.That(r2.Code, Is.EqualTo(0), r2.Err);
    }

    private static IEnumerable<double> Flatten(JsonElement e) =>
        e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().SelectMany(Flatten) : [e.GetDouble()];
}
