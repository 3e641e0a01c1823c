namespace DeepMD.Sharp.Tests.Input;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// Decks that recurse (issue 16 item 6) end in one clear error, not a stack overflow that kills the process. Before
/// the fix each of these tests crashed the test host; they run in-process because the fix makes that safe.
/// </summary>
[TestFixture]
public class DeckRecursionTests
{
    private string _tmp = "";

    [SetUp]
    public void SetUp() => _tmp = RepoPaths.TempDir();

    [TearDown]
    public void TearDown() => Directory.Delete(_tmp, recursive: true);

    private UserInputException Fails(string deck)
    {
        using var s = new DeckSession(new StringWriter(), _tmp, null);
        return Assert.Throws<UserInputException>(() => s.Runner.RunText("in.r", deck))!;
    }

    [Test]
    public void VariableThatRefersToItselfIsCircular()
    {
        var ex = Fails("variable a equal v_a+1\nprint \"$a\"");
        Assert.That(ex.Message, Does.StartWith("in.r:2: "));
        Assert.That(ex.Message, Does.Contain("variable 'a'").And.Contain("circular dependency"));
        ex = Fails("variable a equal v_a+1\nprint \"$(v_a*2)\"");
        Assert.That(ex.Message, Does.Contain("variable 'a'").And.Contain("circular dependency"));
    }

    [Test]
    public void VariablesThatReferToEachOtherAreCircular()
    {
        var ex = Fails("variable a equal v_b+1\nvariable b equal 2*v_a\nprint \"${a}\"");
        Assert.That(ex.Message, Does.StartWith("in.r:3: "));
        Assert.That(ex.Message, Does.Contain("circular dependency").And.Contain("a -> b -> a"));
    }

    [Test]
    public void ALongButFiniteChainOfVariablesStillWorks()
    {
        var screen = new StringWriter();
        using var s = new DeckSession(screen, _tmp, null);
        var deck = "variable v0 equal 1\n" + string.Concat(Enumerable.Range(1, 50).Select(k => $"variable v{k} equal v_v{k - 1}+1\n"))
            + "variable w equal v_v50+v_v50\nprint \"${v50} ${w}\"";
        s.Runner.RunText("in.r", deck);
        Assert.That(screen.ToString().Trim(), Is.EqualTo("51 102"));
    }

    [Test]
    public void InputThatIncludesItselfHitsTheDepthLimit()
    {
        var deck = Path.Combine(_tmp, "in.self");
        File.WriteAllText(deck, "print hello\ninclude in.self\n");
        using var s = new DeckSession(new StringWriter(), _tmp, null);
        var ex = Assert.Throws<UserInputException>(() => s.Runner.RunFile(deck))!;
        Assert.That(ex.Message, Does.Contain("include").And.Contain("nested more than").And.Contain("in.self"));
    }

    [Test]
    public void HundredThousandNestedParenthesesHitTheDepthLimit()
    {
        const int n = 100_000;
        var formula = new string('(', n) + "1" + new string(')', n);
        var ex = Fails($"variable x equal {formula}\nprint \"$x\"");
        Assert.That(ex.Message, Does.StartWith("in.r:2: ").And.Contain("nested more than"));
        ex = Fails($"print \"$({formula})\"");
        Assert.That(ex.Message, Does.Contain("nested more than"));
        ex = Fails($"variable x equal {new string('-', n)}1\nprint \"$x\"");
        Assert.That(ex.Message, Does.Contain("nested more than"));
        ex = Fails($"variable x equal {string.Concat(Enumerable.Repeat("sqrt(", n))}1{new string(')', n)}\nprint \"$x\"");
        Assert.That(ex.Message, Does.Contain("nested more than"));
    }

    [Test]
    public void ModeratelyNestedFormulasStillEvaluate()
    {
        var screen = new StringWriter();
        using var s = new DeckSession(screen, _tmp, null);
        s.Runner.RunText("in.r", $"print \"$({new string('(', 50)}2{new string(')', 50)}*-(-3))\"");
        Assert.That(screen.ToString().Trim(), Is.EqualTo("6"));
    }
}
