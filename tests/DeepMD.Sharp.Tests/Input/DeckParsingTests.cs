namespace DeepMD.Sharp.Tests.Input;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Input.Parsing;
using DeepMD.Sharp.Tests.Support;

[TestFixture]
public class DeckParsingTests
{
    [Test]
    public void ContinuationCommentsAndQuotes()
    {
        var lines = DeckLineReader.Split("d", "units lj # comment\nregion box block 0 1 &\n   0 1 0 1\nprint \"a # b\"\n\n# only\n");
        Assert.That(lines.Select(l => l.Text), Is.EqualTo(new[] { "units lj", "region box block 0 1     0 1 0 1", "print \"a # b\"", "", "", "" }));
        Assert.That(lines[2].Line, Is.EqualTo(4));
        Assert.That(Tokenizer.Words("print \"a # b\" screen no"), Is.EqualTo(new[] { "print", "a # b", "screen", "no" }));
        Assert.That(Tokenizer.Words("print 'x y'"), Is.EqualTo(new[] { "print", "x y" }));
    }

    [Test]
    public void VariablesSubstituteIndexLoopEqualAndImmediate()
    {
        var screen = new StringWriter();
        using var s = new DeckSession(screen, RepoPaths.TempDir(), null);
        s.Runner.RunText("t", """
            variable a index 3
            variable b equal 2*${a}+1
            variable n loop 3
            label top
            print "n=$n b=${b} c=$(v_b*2) d=$(1/3:%.3f)"
            next n
            jump SELF top
            print done
            """);
        Assert.That(screen.ToString().Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries),
            Is.EqualTo(new[] { "n=1 b=7 c=14 d=0.333", "n=2 b=7 c=14 d=0.333", "n=3 b=7 c=14 d=0.333", "done" }));
    }

    [Test]
    public void CommandLineVariableWinsOverIndexInDeck()
    {
        var screen = new StringWriter();
        using var s = new DeckSession(screen, RepoPaths.TempDir(), null);
        s.SetVariable("t", "500");
        s.Runner.RunText("t", "variable t index 300\nprint ${t}");
        Assert.That(screen.ToString().Trim(), Is.EqualTo("500"));
    }

    [Test]
    public void UnknownCommandNamesFileLineTextAndClosestCommand()
    {
        using var s = new DeckSession(new StringWriter(), RepoPaths.TempDir(), null);
        var ex = Assert.Throws<UserInputException>(() => s.Runner.RunText("in.bad", "units lj\n\npair_styel lj/cut 2.5\n"));
        Assert.That(ex!.Message, Does.StartWith("in.bad:3: unknown command 'pair_styel'; did you mean 'pair_style'?"));
        Assert.That(ex.Message, Does.Contain("pair_styel lj/cut 2.5"));
    }

    [Test]
    public void UnknownStylesAndKeywordsSuggestTheClosest()
    {
        using var s = new DeckSession(new StringWriter(), RepoPaths.TempDir(), null);
        s.Runner.RunText("d", "lattice fcc 0.8442\nregion box block 0 2 0 2 0 2\ncreate_box 1 box\ncreate_atoms 1 box\nmass 1 1.0");
        var ex = Assert.Throws<UserInputException>(() => s.Runner.RunText("d", "pair_style lj/cutt 2.5"));
        Assert.That(ex!.Message, Does.Contain("did you mean 'lj/cut'?"));
        ex = Assert.Throws<UserInputException>(() => s.Runner.RunText("d", "fix 1 all nvx"));
        Assert.That(ex!.Message, Does.Contain("did you mean 'nve'?"));
        ex = Assert.Throws<UserInputException>(() => s.Runner.RunText("d", "thermo_style custom step tmp"));
        Assert.That(ex!.Message, Does.Contain("did you mean 'temp'?"));
        ex = Assert.Throws<UserInputException>(() => s.Runner.RunText("d", "velocity all create 1.0 5 lop geom"));
        Assert.That(ex!.Message, Does.Contain("did you mean 'loop'?"));
        ex = Assert.Throws<UserInputException>(() => s.Runner.RunText("d", "run 10"));
        Assert.That(ex!.Message, Does.Contain("pair_style"));
    }

    [Test]
    public void EveryRegisteredNameResolves()
    {
        Assert.That(StyleRegistry.Default.CommandNames, Is.SupersetOf(new[] { "units", "lattice", "region", "create_box", "create_atoms", "mass",
            "velocity", "pair_style", "pair_coeff", "neighbor", "neigh_modify", "fix", "thermo", "thermo_style", "run", "read_data", "dump" }));
        foreach (var n in StyleRegistry.Default.CommandNames) Assert.That(StyleRegistry.Default.CreateCommand(n), Is.Not.Null, n);
        foreach (var n in StyleRegistry.Default.PairStyleNames) Assert.That(StyleRegistry.Default.CreatePairStyle(n), Is.Not.Null, n);
        foreach (var n in StyleRegistry.Default.FixStyleNames) Assert.That(StyleRegistry.Default.CreateFixStyle(n), Is.Not.Null, n);
    }
}
