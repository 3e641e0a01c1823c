namespace DeepMD.Sharp.Tests.Domains;

using System.Globalization;
using DeepMD.Sharp.Domains.Communication;
using DeepMD.Sharp.Dynamics.Checkpoints;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// Files written by decks run decomposed on virtual ranks (<see cref="LoopbackCommunicator"/>: the code an MPI rank
/// runs): restart files (periodic and <c>write_restart</c>) written by 2 ranks and continued by 1 process and by 3
/// ranks equal the uninterrupted one-process run; write_data, write_dump and the log equal the one-process run's.
/// </summary>
[TestFixture]
public class DecomposedOutputTests
{
    /// <summary>LJ melt with fix nvt (a thermostat state the continuation must take over) and setforce (forces a continuation must take from the file), full-precision thermo.</summary>
    private const string Melt = """
        units lj
        atom_style atomic
        lattice fcc 0.8442
        region box block 0 6 0 6 0 6
        create_box 1 box
        create_atoms 1 box
        mass 1 1.0
        velocity all create 3.0 87287 loop geom
        SETTINGS
        OUTPUTS
        run 40
        """;

    private const string Settings = """
        pair_style lj/cut 2.5
        pair_coeff 1 1 1.0 1.0 2.5
        neighbor 0.3 bin
        neigh_modify every 2 delay 0 check yes
        fix 1 all nvt temp 2.0 2.0 0.5
        fix 2 all momentum 7 linear 1 1 1
        group low id 1:100
        fix 3 low setforce 0.0 0.0 NULL
        thermo 5
        thermo_style custom step temp pe ke etotal press ecouple econserve
        thermo_modify format float %.17g
        """;

    private static string Deck(string outputs) => Melt.Replace("SETTINGS", Settings).Replace("OUTPUTS", outputs);

    /// <summary>Continues the restart file <paramref name="file"/> (in the run folder) up to step 40.</summary>
    private static string Continuation(string file, long from) =>
        $"read_restart {file}\n{Settings}\nrun {40 - from}\n";

    private static string RunSerial(string dir, string deck, string? log = null)
    {
        var screen = new StringWriter();
        using (var s = new DeckSession(screen, dir, log)) s.Runner.RunText("in.deck", deck);
        return screen.ToString();
    }

    private static string RunOnVirtualRanks(int ranks, string dir, string deck, string? log = null)
    {
        var screens = new StringWriter[ranks];
        LoopbackCommunicator.Run(ranks, comm =>
        {
            var screen = screens[comm.Rank] = new StringWriter();
            var root = comm.Rank == 0;
            using var s = new DeckSession(root ? screen : TextWriter.Null, dir, root ? log : null, comm);
            s.Runner.RunText("in.deck", deck);
        });
        return screens[0].ToString();
    }

    /// <summary>The rows of every thermo table, by step (a later table's row of the same step replaces an earlier one).</summary>
    internal static SortedDictionary<long, double[]> Thermo(string output)
    {
        var rows = new SortedDictionary<long, double[]>();
        var inTable = false;
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("Step ", StringComparison.Ordinal)) inTable = true;
            else if (line.StartsWith("Loop time", StringComparison.Ordinal)) inTable = false;
            else if (inTable && line.Length > 0)
            {
                double[] row = [.. line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => double.Parse(w, CultureInfo.InvariantCulture))];
                rows[(long)row[0]] = row;
            }
        }
        return rows;
    }

    /// <summary>Every row of <paramref name="actual"/> equals the row of the same step in <paramref name="expected"/> to 1e-10 relative; returns the largest deviation.</summary>
    internal static double AssertRowsMatch(SortedDictionary<long, double[]> expected, SortedDictionary<long, double[]> actual, int minRows, string what)
    {
        Assert.That(actual, Has.Count.GreaterThanOrEqualTo(minRows), what);
        double worst = 0;
        foreach (var (step, row) in actual)
        {
            Assert.That(expected.ContainsKey(step), $"{what}: step {step} is not in the reference");
            var e = expected[step];
            Assert.That(row, Has.Length.EqualTo(e.Length));
            for (var c = 0; c < e.Length; c++)
            {
                var dev = Math.Abs(row[c] - e[c]) / Math.Max(Math.Abs(e[c]), 1e-300);
                worst = Math.Max(worst, dev);
                Assert.That(dev, Is.LessThanOrEqualTo(1e-10), $"{what}: step {step} column {c}: {row[c]:R} vs {e[c]:R}");
            }
        }
        return worst;
    }

    [TestCase("restart 20 rst.*", "rst.20", 20)]
    [TestCase("restart 15 rst.a rst.b", "rst.b", 30)]
    [TestCase("run 25\nwrite_restart end.rst\nOMIT", "end.rst", 25)]
    public void Restart_WrittenByTwoRanks_ContinuesOnOneAndThreeAsTheUninterruptedRun(string outputs, string file, long from)
    {
        var reference = Thermo(RunSerial(RepoPaths.TempDir(), Deck("")));
        Assert.That(reference.Keys, Is.EqualTo(new long[] { 0, 5, 10, 15, 20, 25, 30, 35, 40 }));

        var dir = RepoPaths.TempDir();
        var deck = outputs.EndsWith("OMIT", StringComparison.Ordinal) ? Deck(outputs.Replace("\nOMIT", "")).Replace("run 40", "") : Deck(outputs);
        var written = Thermo(RunOnVirtualRanks(2, dir, deck));
        AssertRowsMatch(reference, written, (int)Math.Min(from, 40 - 1) / 5 + 1, "the writing run on 2 ranks");
        var path = Path.Combine(dir, file);
        Assert.That(File.Exists(path), $"{file} was not written");
        var checkpoint = CheckpointFile.Read(path);
        Assert.That(checkpoint.Step, Is.EqualTo(from));
        Assert.That(checkpoint.Ids, Is.EqualTo(Enumerable.Range(1, 864).ToArray()), "the atoms in id order, each once");

        var one = Thermo(RunSerial(dir, Continuation(file, from)));
        var worstOne = AssertRowsMatch(reference, one, (int)(40 - from) / 5, $"{file} continued on one process");
        var three = Thermo(RunOnVirtualRanks(3, dir, Continuation(file, from)));
        var worstThree = AssertRowsMatch(reference, three, (int)(40 - from) / 5, $"{file} continued on 3 ranks");
        Assert.That(one.Keys.Last(), Is.EqualTo(40));
        Assert.That(three.Keys.Last(), Is.EqualTo(40));
        TestContext.Out.WriteLine($"{file}: largest relative deviation from the uninterrupted run: {worstOne:G3} (1 process), {worstThree:G3} (3 ranks)");
    }

    [Test]
    public void Restart_WrittenByOneProcess_ContinuesOnTwoRanksAsTheUninterruptedRun()
    {
        var reference = Thermo(RunSerial(RepoPaths.TempDir(), Deck("")));
        var dir = RepoPaths.TempDir();
        RunSerial(dir, Deck("restart 20 rst.*"));
        AssertRowsMatch(reference, Thermo(RunOnVirtualRanks(2, dir, Continuation("rst.20", 20))), 4, "a one-process restart on 2 ranks");
    }

    [Test]
    public void WriteDataWriteDumpAndLog_OnThreeRanks_AreThoseOfTheOneProcessRun()
    {
        const string outputs = "write_dump all custom start.dump id type x y z vx vy vz\n";
        var tail = "write_data end.data\nwrite_dump all custom end.*.dump id type x y z vx vy vz fx fy fz ix iy iz modify sort id\n";
        var serialDir = RepoPaths.TempDir();
        var mpiDir = RepoPaths.TempDir();
        RunSerial(serialDir, Deck(outputs) + "\n" + tail, log: Path.Combine(serialDir, "log.lammps"));
        RunOnVirtualRanks(3, mpiDir, Deck(outputs) + "\n" + tail, log: Path.Combine(mpiDir, "log.lammps"));

        Assert.That(File.ReadAllText(Path.Combine(mpiDir, "start.dump")), Is.EqualTo(File.ReadAllText(Path.Combine(serialDir, "start.dump"))));
        AssertSameNumbers(Path.Combine(serialDir, "end.data"), Path.Combine(mpiDir, "end.data"));
        AssertSameNumbers(Path.Combine(serialDir, "end.40.dump"), Path.Combine(mpiDir, "end.40.dump"));
        var serialLog = File.ReadAllText(Path.Combine(serialDir, "log.lammps"));
        var mpiLog = File.ReadAllText(Path.Combine(mpiDir, "log.lammps"));
        AssertRowsMatch(Thermo(serialLog), Thermo(mpiLog), 9, "the log");
        Assert.That(mpiLog.Split('\n').Count(l => l.StartsWith("Step ", StringComparison.Ordinal)), Is.EqualTo(1), "one thermo table: the log is written once");
        Assert.That(Directory.GetFiles(mpiDir, "*.tmp*"), Is.Empty, "no temporary files left");
    }

    [Test]
    public void LogCommand_OnThreeRanks_WritesTheFileOnce()
    {
        var serialDir = RepoPaths.TempDir();
        var mpiDir = RepoPaths.TempDir();
        var deck = Deck("").Replace("units lj", "log my.log\nunits lj");
        RunSerial(serialDir, deck);
        RunOnVirtualRanks(3, mpiDir, deck);
        var expected = File.ReadAllText(Path.Combine(serialDir, "my.log"));
        var actual = File.ReadAllText(Path.Combine(mpiDir, "my.log"));
        AssertRowsMatch(Thermo(expected), Thermo(actual), 9, "log my.log");
        Assert.That(actual.Split('\n').Count(l => l.StartsWith("Step ", StringComparison.Ordinal)), Is.EqualTo(1), actual);
    }

    /// <summary>Thermo fnorm and fmax during a run on 3 ranks (sum and maximum over the ranks), from a displaced lattice.</summary>
    [Test]
    public void ForceNormsInThermo_OnThreeRanks_AreThoseOfTheOneProcessRun()
    {
        var deck = Deck("thermo_style custom step pe fnorm fmax")
            .Replace("create_atoms 1 box", "create_atoms 1 box\ndisplace_atoms all random 0.05 0.05 0.05 4321");
        var expected = Thermo(RunSerial(RepoPaths.TempDir(), deck));
        var actual = Thermo(RunOnVirtualRanks(3, RepoPaths.TempDir(), deck));
        Assert.That(expected.Values.Min(r => r[2]), Is.GreaterThan(1.0), "forces far from rounding noise");
        var worst = AssertRowsMatch(expected, actual, 9, "fnorm and fmax on 3 ranks");
        TestContext.Out.WriteLine($"fnorm, fmax on 3 ranks: largest relative deviation {worst:G3}");
    }

    /// <summary>
    /// Two text files with the same lines, numbers equal to 1e-9 relative (at least 1e-12 absolute): the decomposed run
    /// sums forces in another order, so the last digits of positions and velocities may differ after 40 steps.
    /// </summary>
    internal static void AssertSameNumbers(string expectedPath, string actualPath)
    {
        Assert.That(File.Exists(actualPath), $"{actualPath} was not written");
        var expected = File.ReadAllLines(expectedPath);
        var actual = File.ReadAllLines(actualPath);
        Assert.That(actual, Has.Length.EqualTo(expected.Length));
        for (var k = 0; k < expected.Length; k++)
        {
            var (e, a) = (expected[k].Split(' ', StringSplitOptions.RemoveEmptyEntries), actual[k].Split(' ', StringSplitOptions.RemoveEmptyEntries));
            Assert.That(a, Has.Length.EqualTo(e.Length), $"line {k + 1}: {actual[k]} vs {expected[k]}");
            for (var c = 0; c < e.Length; c++)
            {
                if (e[c] == a[c]) continue;
                var parsed = double.TryParse(e[c], CultureInfo.InvariantCulture, out var ev);
                parsed &= double.TryParse(a[c], CultureInfo.InvariantCulture, out var av);
                Assert.That(parsed, $"line {k + 1}: {actual[k]} vs {expected[k]}");
                Assert.That(av, Is.EqualTo(ev).Within(Math.Max(1e-9 * Math.Abs(ev), 1e-12)), $"line {k + 1}: {actual[k]} vs {expected[k]}");
            }
        }
    }
}
