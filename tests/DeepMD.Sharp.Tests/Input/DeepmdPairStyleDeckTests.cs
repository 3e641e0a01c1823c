namespace DeepMD.Sharp.Tests.Input;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Input.Styles;
using DeepMD.Sharp.Models.Potentials;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// <c>pair_style deepmd</c> loads and validates its models at the pair_style line, and <c>pair_coeff * * El ...</c>
/// checks the element names against every model's type map at the pair_coeff line (as LAMMPS' plugin does), so a bad
/// model or a wrong element is reported at that deck line, not at <c>run</c>.
/// </summary>
[TestFixture]
public class DeepmdPairStyleDeckTests
{
    private static readonly string Sea = RepoPaths.TestModel("deeppot_sea.yaml");
    private static readonly string SeR = RepoPaths.TestModel("deeppot-r.yaml");

    /// <summary>Water (2 atom types) with <paramref name="pairStyle"/> at line 5 and <paramref name="pairCoeff"/> at line 6, then <c>run 0</c>.</summary>
    private static string WaterDeck(string pairStyle, string pairCoeff) => $"""
        units metal
        read_data {RepoPaths.Get("examples", "water", "water.lmp")}
        mass 1 16
        mass 2 2
        {pairStyle}
        {pairCoeff}
        run 0
        """;

    /// <summary>A copy of deeppot-r.yaml (type map [O, H]) whose type map is [O, C].</summary>
    private static string OxygenCarbonModel(string dir) => RenamedSpecies(dir, "deeppot-r-OC.yaml", "O", "C");

    /// <summary>A copy of deeppot-r.yaml with the type map [<paramref name="first"/>, <paramref name="second"/>].</summary>
    private static string RenamedSpecies(string dir, string name, string first, string second)
    {
        var text = File.ReadAllText(SeR).Replace("\r\n", "\n");
        const string map = "type_map: &id001\n      - O\n      - H\n";
        Assert.That(text, Does.Contain(map), "deeppot-r.yaml declares its type map once and refers to it");
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text.Replace(map, $"type_map: &id001\n      - {first}\n      - {second}\n"));
        return path;
    }

    private static string CorruptModel(string dir, string kind)
    {
        switch (kind)
        {
            case "truncated yaml":
            {
                var path = Path.Combine(dir, "truncated.yaml");
                var text = File.ReadAllText(Sea);
                File.WriteAllText(path, text[..(text.Length / 3)]);
                return path;
            }
            case "truncated dp":
            {
                var path = Path.Combine(dir, "truncated.dp");
                var bytes = File.ReadAllBytes(RepoPaths.TestModel("water-example-float32.dp"));
                File.WriteAllBytes(path, bytes[..(bytes.Length / 3)]);
                return path;
            }
            case "garbage dp":
            {
                var path = Path.Combine(dir, "garbage.dp");
                var bytes = new byte[4096];
                new Random(7).NextBytes(bytes);
                File.WriteAllBytes(path, bytes);
                return path;
            }
            default:
            {
                var path = Path.Combine(dir, "model.pb");
                File.WriteAllText(path, "not a model");
                return path;
            }
        }
    }

    [TestCase("truncated yaml")]
    [TestCase("truncated dp")]
    [TestCase("garbage dp")]
    [TestCase("unsupported extension")]
    public void CorruptModelFailsAtThePairStyleLineNamingTheModelFile(string kind)
    {
        var dir = RepoPaths.TempDir();
        var model = CorruptModel(dir, kind);
        var screen = new StringWriter();
        using var s = new DeckSession(screen, dir, null);
        var ex = Assert.Throws<UserInputException>(() => s.Runner.RunText("in.bad", WaterDeck($"pair_style deepmd {model}", "pair_coeff * * O H")));
        Assert.That(ex!.File, Is.EqualTo("in.bad"));
        Assert.That(ex.Line, Is.EqualTo(5), ex.Message);
        Assert.That(ex.Message, Does.StartWith("in.bad:5: pair_style"));
        Assert.That(ex.Message, Does.Contain(Path.GetFileName(model)));
        Assert.That(ex.Message.Split('\n'), Has.Length.EqualTo(1), "one line");
        Assert.That(s.Context.PairStyle, Is.Null, "the failed pair_style defines no style");
        Assert.That(s.Simulation!.Potential, Is.Null, "no run started");
    }

    [Test]
    public void CorruptSecondModelOfAnEnsembleFailsAtThePairStyleLine()
    {
        var dir = RepoPaths.TempDir();
        var bad = CorruptModel(dir, "garbage dp");
        using var s = new DeckSession(new StringWriter(), dir, null);
        var ex = Assert.Throws<UserInputException>(() => s.Runner.RunText("in.bad", WaterDeck($"pair_style deepmd {Sea} {bad} out_freq 10", "pair_coeff * * O H")));
        Assert.That(ex!.Line, Is.EqualTo(5), ex.Message);
        Assert.That(ex.Message, Does.StartWith("in.bad:5: pair_style").And.Contain("garbage.dp"));
    }

    [Test]
    public void ElementMissingFromTheTypeMapFailsAtThePairCoeffLine()
    {
        using var s = new DeckSession(new StringWriter(), RepoPaths.TempDir(), null);
        var ex = Assert.Throws<UserInputException>(() => s.Runner.RunText("in.bad", WaterDeck($"pair_style deepmd {Sea}", "pair_coeff * * O C")));
        Assert.That(ex!.Line, Is.EqualTo(6), ex.Message);
        Assert.That(ex.Message, Does.StartWith("in.bad:6: pair_coeff: element 'C' (atom type 2) is not in the type map [O, H] of deeppot_sea.yaml"));
        Assert.That(s.Simulation!.Potential, Is.Null, "no run started");
    }

    [Test]
    public void ElementMissingFromTheSecondModelOfAnEnsembleFailsAtThePairCoeffLine()
    {
        var dir = RepoPaths.TempDir();
        var oc = OxygenCarbonModel(dir);
        using var s = new DeckSession(new StringWriter(), dir, null);
        var ex = Assert.Throws<UserInputException>(() => s.Runner.RunText("in.bad", WaterDeck($"pair_style deepmd {Sea} {oc} out_freq 10", "pair_coeff * * O H")));
        Assert.That(ex!.Line, Is.EqualTo(6), ex.Message);
        Assert.That(ex.Message, Does.StartWith("in.bad:6: pair_coeff: element 'H' (atom type 2) is not in the type map [O, C] of deeppot-r-OC.yaml"));
    }

    [Test]
    public void WithoutElementNamesTheFirstModelsNamesAreCheckedAgainstTheEnsembleAtThePairCoeffLine()
    {
        var dir = RepoPaths.TempDir();
        var oc = OxygenCarbonModel(dir);
        using var s = new DeckSession(new StringWriter(), dir, null);
        var ex = Assert.Throws<UserInputException>(() => s.Runner.RunText("in.bad", WaterDeck($"pair_style deepmd {Sea} {oc}", "pair_coeff * *")));
        Assert.That(ex!.Line, Is.EqualTo(6), ex.Message);
        Assert.That(ex.Message, Does.Contain("element 'H' (atom type 2) is not in the type map [O, C] of deeppot-r-OC.yaml"));
    }

    [Test]
    public void EnsembleWhoseTypeMapsDifferInOrderFailsAtThePairCoeffLineWhenDeviationsAreLogged()
    {
        var dir = RepoPaths.TempDir();
        var ho = RenamedSpecies(dir, "deeppot-r-HO.yaml", "H", "O");
        using var s = new DeckSession(new StringWriter(), dir, null);
        var ex = Assert.Throws<UserInputException>(() => s.Runner.RunText("in.bad", WaterDeck($"pair_style deepmd {Sea} {ho} out_freq 10", "pair_coeff * * O H")));
        Assert.That(ex!.Line, Is.EqualTo(6), ex.Message);
        Assert.That(ex.Message, Does.Contain("models disagree on type_map").And.Contain("deeppot-r-HO.yaml has [H O]"));

        // With out_freq 0 only the first model is evaluated, so its type map alone matters (as before).
        using var t = new DeckSession(new StringWriter(), dir, null);
        t.Runner.RunText("in.ok", WaterDeck($"pair_style deepmd {Sea} {ho} out_freq 0", "pair_coeff * * O H"));
        Assert.That(((DeepPotential)t.Simulation!.Potential!).Deviation, Is.Null);
    }

    [TestCase("pair_coeff * * O")]
    [TestCase("pair_coeff * * O H O")]
    public void ElementCountOtherThanTheAtomTypeCountFailsAtThePairCoeffLine(string pairCoeff)
    {
        using var s = new DeckSession(new StringWriter(), RepoPaths.TempDir(), null);
        var ex = Assert.Throws<UserInputException>(() => s.Runner.RunText("in.bad", WaterDeck($"pair_style deepmd {Sea}", pairCoeff)));
        Assert.That(ex!.Line, Is.EqualTo(6), ex.Message);
        Assert.That(ex.Message, Does.StartWith("in.bad:6: pair_coeff: Incorrect args for pair coefficients:"));
        Assert.That(ex.Message, Does.Contain("there are 2 atom types"));
    }

    [Test]
    public void TheModelsLoadedAtPairStyleAreTheOnesTheRunUses()
    {
        using var s = new DeckSession(new StringWriter(), RepoPaths.TempDir(), null);
        s.Runner.RunText("in.ok", $"""
            units metal
            pair_style deepmd {Sea} {SeR} out_freq 0
            """);
        var style = (DeepmdPairStyle)s.Context.PairStyle!;
        Assert.That(style.Models.Select(m => m.TypeMap.Names), Is.EqualTo(new[] { new[] { "O", "H" }, new[] { "O", "H" } }),
            "both models are loaded at pair_style, before the box exists");
        s.Runner.RunText("in.ok", $"""
            read_data {RepoPaths.Get("examples", "water", "water.lmp")}
            mass 1 16
            mass 2 2
            pair_coeff * * O H
            run 0
            """);
        var potential = (DeepPotential)s.Simulation!.Potential!;
        Assert.That(potential.Model, Is.SameAs(style.Models[0]), "the run reuses the loaded model");
        Assert.That(double.IsFinite(s.Simulation.PotentialEnergy), Is.True);
    }
}
