namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Dynamics.Output;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// The progress display: on a terminal a bar drawn below the thermo lines, which stay intact and in order; plain
/// lines with rate, simulated time per day and ETA otherwise; nothing for short runs by default.
/// </summary>
[TestFixture]
public class ProgressTests
{
    private const string Deck = """
        units lj
        lattice fcc 0.8442
        region box block 0 3 0 3 0 3
        create_box 1 box
        create_atoms 1 box
        mass 1 1.0
        velocity all create 1.0 87287 loop geom
        pair_style lj/cut 2.5
        pair_coeff 1 1 1.0 1.0 2.5
        fix 1 all nve
        thermo 10
        run 100
        """;

    private static string Run(TextWriter screen, ProgressReporter? progress)
    {
        using var s = new DeckSession(screen, RepoPaths.TempDir(), null);
        s.Context.Progress = progress;
        s.Runner.RunText("in.progress", Deck);
        return screen.ToString()!;
    }

    /// <summary>What a terminal shows: within each line, only the text after the last carriage return / erase.</summary>
    private static string[] Screen(string raw) =>
        raw.Split('\n').Select(l => l.Contains('\r') ? l[(l.LastIndexOf('\r') + 1)..].Replace("\u001b[2K", "") : l).ToArray();

    private static IEnumerable<string> ThermoRows(IEnumerable<string> lines) =>
        lines.Where(l => l.Trim().Length > 0 && char.IsDigit(l.Trim()[0]) && l.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6);

    [Test]
    public void TheBarStaysBelowIntactThermoLines()
    {
        var plain = Run(new StringWriter { NewLine = "\n" }, null);
        var terminal = new StringWriter { NewLine = "\n" };
        var status = new StatusLine(terminal, sharesOutput: true);
        Run(status.Output, new ProgressReporter(status) { MinDrawInterval = TimeSpan.Zero });
        var raw = terminal.ToString();

        Assert.That(raw, Does.Contain("\r\u001b[2K[").And.Contain("steps/s").And.Contain("tau/day").And.Contain("ETA").And.Contain("100% step 100/100"));
        var shown = Screen(raw);
        Assert.That(ThermoRows(shown).ToList(), Has.Count.EqualTo(11));
        // Same rows as without progress, apart from the run-dependent timing columns (none in thermo_style one).
        Assert.That(ThermoRows(shown), Is.EqualTo(ThermoRows(plain.Split('\n'))));
        Assert.That(shown.Where(l => l.Contains("Step")), Has.Exactly(1).EqualTo(plain.Split('\n').Single(l => l.Contains("Step"))), "header intact");
        Assert.That(shown.Last(), Is.Empty.Or.Not.Contains("["), "the bar is removed when the run ends");
    }

    [Test]
    public void WithoutATerminalPlainLinesGoElsewhereAndShortRunsStayQuiet()
    {
        var lines = new StringWriter { NewLine = "\n" };
        var screen = Run(new StringWriter { NewLine = "\n" }, new ProgressReporter(lines) { MinLineInterval = TimeSpan.Zero });
        var progress = lines.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(progress, Has.Length.EqualTo(9), "one line per tenth (10% .. 90%)");
        Assert.That(progress[0], Does.StartWith("dpsharp: progress:  10% step 10/100").And.Contain("steps/s").And.Contain("tau/day").And.Contain("ETA"));
        Assert.That(screen, Does.Not.Contain("progress"), "the screen (thermo) is untouched");

        var quiet = new StringWriter();
        Run(new StringWriter(), new ProgressReporter(quiet));
        Assert.That(quiet.ToString(), Is.Empty, "a run shorter than 5 s prints no progress lines");
    }
}
