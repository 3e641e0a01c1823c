namespace DeepMD.Sharp.Tests.Cli;

using DeepMD.Sharp.Tests.Support;
using CommandLine = DeepMD.Sharp.Cli.CommandLine;

/// <summary><c>dpsharp run --threads N</c>: the same trajectory whatever the thread count, and a clear error for N &lt; 1.</summary>
public class RunThreadsTests
{
    [TearDown]
    public void TearDown() => Environment.SetEnvironmentVariable("DPSHARP_THREADS", null);

    private static string RunWaterDeck(params string[] extra)
    {
        var dir = RepoPaths.TempDir();
        try
        {
            var deck = Path.Combine(dir, "in.water");
            File.Copy(RepoPaths.Get("examples", "water", "water.lmp"), Path.Combine(dir, "water.lmp"));
            var text = File.ReadAllText(RepoPaths.Get("examples", "water", "in.water"))
                .Replace("../../potentials/water/water.dp", RepoPaths.Get("potentials", "water", "water.dp"))
                .Replace("run             200", "run             20");
            File.WriteAllText(deck, text);
            var o = new StringWriter();
            var e = new StringWriter();
            var cwd = Environment.CurrentDirectory;
            Environment.CurrentDirectory = dir;
            try
            {
                Assert.That(CommandLine.Run(["run", deck, "--log", "none", .. extra], o, e), Is.EqualTo(0), e.ToString());
            }
            finally
            {
                Environment.CurrentDirectory = cwd;
            }
            // Thermo rows only (step followed by numbers), not timings.
            return string.Join("\n", o.ToString().Split('\n').Where(l => l.TrimStart().Length > 0 && char.IsDigit(l.TrimStart()[0]) && l.Contains('-')));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public void OneThreadGivesTheSameThermoAsAllCores()
    {
        var all = RunWaterDeck();
        var one = RunWaterDeck("--threads", "1");
        Assert.That(one, Is.Not.Empty);
        Assert.That(one, Is.EqualTo(all));
    }

    [Test]
    public void ZeroThreadsIsAUserError()
    {
        var e = new StringWriter();
        Assert.That(CommandLine.Run(["run", "in.none", "--threads", "0"], new StringWriter(), e), Is.EqualTo(1));
        Assert.That(e.ToString(), Does.Contain("--threads must be at least 1"));
    }
}
