namespace DeepMD.Sharp.Tests.Input;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Tests.Support;

/// <summary>Bad input to the classical pair styles, pair_modify, pair_write and hybrid styles: one clear error each.</summary>
[TestFixture]
public class PairStyleDeckErrorTests
{
    private const string Box = """
        units       metal
        lattice     fcc 3.6
        region      box block 0 2 0 2 0 2
        create_box  2 box
        create_atoms 1 box
        mass        * 1.0

        """;

    private static string Fail(string pair, string? table = null)
    {
        var dir = RepoPaths.TempDir();
        if (table is not null) File.WriteAllText(Path.Combine(dir, "t.table"), table);
        var path = Path.Combine(dir, "in.bad");
        File.WriteAllText(path, Box + pair + "\nrun 0\n");
        using var session = new DeckSession(new StringWriter(), dir, logFile: "log.dpsharp");
        return Assert.Throws<UserInputException>(() => session.RunFile(path))!.Message;
    }

    private const string Table = """
        # test
        LJ
        N 3 R 1.0 3.0

        1 1.0 1.0 2.0
        2 2.0 0.5 1.0
        3 3.0 0.0 0.0
        """;

    [Test]
    public void MorseDoesNotMixUnsetPairs() =>
        Assert.That(Fail("pair_style morse 5.0\npair_coeff 1 1 0.3 1.3 2.8\npair_coeff 2 2 0.3 1.3 2.8"),
            Does.Contain("missing for types 1 2").And.Contain("does not mix"));

    [Test]
    public void AMissingTableKeywordNamesTheFileAndKeyword() =>
        Assert.That(Fail("pair_style table linear 100\npair_coeff * * t.table NOPE", Table),
            Does.Contain("pair_coeff").And.Contain("t.table").And.Contain("'NOPE'"));

    [Test]
    public void ATableCutoffBeyondTheTableIsRefused() =>
        Assert.That(Fail("pair_style table linear 100\npair_coeff * * t.table LJ 3.5", Table), Does.Contain("invalid pair table cutoff 3.5"));

    [Test]
    public void AnUnknownTableParameterIsRefused() =>
        Assert.That(Fail("pair_style table spline 100\npair_coeff * * t.table LJ", Table.Replace("N 3 R 1.0 3.0", "N 3 R 1.0 3.0 XX 1")),
            Does.Contain("t.table:3").And.Contain("invalid keyword 'XX'"));

    [Test]
    public void PairModifyRejectsUnknownKeywords() =>
        Assert.That(Fail("pair_style lj/cut 5.0\npair_coeff * * 0.01 2.5\npair_modify mix weird"), Does.Contain("mix needs geometric, arithmetic or sixthpower"));

    [Test]
    public void PairCoeffForAStyleNotInTheHybridIsRefused() =>
        Assert.That(Fail("pair_style hybrid/overlay lj/cut 5.0 zbl 1.0 2.0\npair_coeff * * morse 0.3 1.3 2.8"),
            Does.Contain("'morse' is not a sub-style").And.Contain("lj/cut zbl"));

    [Test]
    public void ARepeatedSubStyleNeedsItsNumber() =>
        Assert.That(Fail("pair_style hybrid/overlay lj/cut 5.0 lj/cut 3.0\npair_coeff * * lj/cut 0.01 2.5"),
            Does.Contain("used 2 times"));

    [Test]
    public void PairWriteNeedsAPairFunction()
    {
        var model = RepoPaths.TestModel("deeppot_sea.yaml");
        Assert.That(Fail($"pair_style deepmd {model}\npair_coeff * * O H\npair_write 1 1 10 r 1.0 2.0 out.table X"),
            Does.Contain("no pair function"));
    }

    [Test]
    public void ZblNeedsEqualChargesForLikeTypes() =>
        Assert.That(Fail("pair_style zbl 1.0 2.0\npair_coeff 1 1 8 1"), Does.Contain("pair_coeff").And.Contain("equal Z values for like types"));
}
