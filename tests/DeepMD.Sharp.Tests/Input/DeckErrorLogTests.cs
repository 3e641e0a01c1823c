namespace DeepMD.Sharp.Tests.Input;

using DeepMD.Sharp.Cli;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// A deck error goes to the log as well as to the screen (issue 16 item 10), as LAMMPS writes
/// <c>ERROR: Unknown command: foo bar (src/input.cpp:274)</c> as the last line of log.lammps.
/// </summary>
[TestFixture]
public class DeckErrorLogTests
{
    private string _tmp = "";

    [SetUp]
    public void SetUp() => _tmp = RepoPaths.TempDir();

    [TearDown]
    public void TearDown() => Directory.Delete(_tmp, recursive: true);

    [Test]
    public void SessionWritesTheErrorAsTheLastLineOfTheLog()
    {
        var deck = Path.Combine(_tmp, "in.bad");
        File.WriteAllText(deck, "units lj\nfoo bar\nprint never\n");
        UserInputException? ex;
        using (var s = new DeckSession(new StringWriter(), _tmp, "log.lammps"))
            ex = Assert.Throws<UserInputException>(() => s.RunFile(deck));
        var log = File.ReadAllLines(Path.Combine(_tmp, "log.lammps"));
        Assert.That(log[^2], Is.EqualTo("foo bar"));
        Assert.That(log[^1], Is.EqualTo("ERROR: " + ex!.Message));
        Assert.That(log[^1], Does.Contain("in.bad:2").And.Contain("unknown command 'foo'"));
    }

    [Test]
    public void CliRunLeavesTheErrorInTheLogAndOneLineOnStderr()
    {
        var deck = Path.Combine(_tmp, "in.bad");
        File.WriteAllText(deck, "units lj\nvariable a equal 1\nprint \"$(v_a/)\"\n");
        var logPath = Path.Combine(_tmp, "my.log");
        var o = new StringWriter();
        var e = new StringWriter();
        var code = CommandLine.Run(["run", deck, "--log", logPath, "--progress", "none"], o, e);
        Assert.That(code, Is.EqualTo(1));
        var err = e.ToString().Trim();
        Assert.That(err.Split('\n'), Has.Length.EqualTo(1));
        Assert.That(err, Does.StartWith("dpsharp: error: "));
        var last = File.ReadAllLines(logPath)[^1];
        Assert.That(last, Is.EqualTo("ERROR: " + err["dpsharp: error: ".Length..]));
        Assert.That(last, Does.Contain("in.bad:3"));
    }
}
