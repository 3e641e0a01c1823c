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
}
