namespace DeepMD.Sharp.Tests.Domains;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Domains.Communication;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// The <c>processors</c> command on one process, and decks run decomposed on virtual ranks (threads of this process,
/// <see cref="LoopbackCommunicator"/>: the code an MPI rank runs) against the one-process run.
/// </summary>
[TestFixture]
public class DecomposedDeckTests
{
    private const string Melt = """
        units lj
        atom_style atomic
        PROCESSORS
        lattice fcc 0.8442
        region box block 0 6 0 6 0 6
        create_box 1 box
        create_atoms 1 box
        mass 1 1.0
        velocity all create 3.0 87287 loop geom
        pair_style lj/cut 2.5
        pair_coeff 1 1 1.0 1.0 2.5
        neighbor 0.3 bin
        neigh_modify every 2 delay 0 check yes
        FIX
        thermo 5
        thermo_style custom step temp pe ke etotal press vol
        thermo_modify format float %.17g
        run 40
        """;

    private static string Deck(string processors = "", string fix = "fix 1 all nve") =>
        Melt.Replace("PROCESSORS", processors).Replace("FIX", fix);

    internal static string RunSerial(string deck)
    {
        var screen = new StringWriter();
        using var s = new DeckSession(screen, RepoPaths.TempDir(), null);
        s.Runner.RunText("in.melt", deck);
        return screen.ToString();
    }

    internal static string RunOnVirtualRanks(int ranks, string deck)
    {
        var screens = new StringWriter[ranks];
        var dir = RepoPaths.TempDir();
        LoopbackCommunicator.Run(ranks, comm =>
        {
            var screen = screens[comm.Rank] = new StringWriter();
            using var s = new DeckSession(comm.Rank == 0 ? screen : TextWriter.Null, dir, null, comm);
            s.Runner.RunText("in.melt", deck);
        });
        return screens[0].ToString();
    }

    /// <summary>The rows of every thermo table (after a "Step" header, up to the loop time).</summary>
    internal static List<double[]> Thermo(string output)
    {
        var rows = new List<double[]>();
        var inTable = false;
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("Step ", StringComparison.Ordinal)) inTable = true;
            else if (line.StartsWith("Loop time", StringComparison.Ordinal)) inTable = false;
            else if (inTable && line.Length > 0)
                rows.Add([.. line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => double.Parse(w, System.Globalization.CultureInfo.InvariantCulture))]);
        }
        return rows;
    }

    [TestCase("processors * * *")]
    [TestCase("processors 1 1 1")]
    [TestCase("processors 1 * 1")]
    public void Processors_OfOneRank_AreAcceptedOnOneProcess(string processors) =>
        Assert.That(Thermo(RunSerial(Deck(processors))), Is.EqualTo(Thermo(RunSerial(Deck()))));

    [TestCase("processors 2 1 1", "cannot be a grid of 1 MPI rank")]
    [TestCase("processors 0 1 1", "positive number of ranks")]
    [TestCase("processors a 1 1", "Px")]
    public void Processors_ThatNeedMoreRanks_AreAnError(string processors, string message)
    {
        var ex = Assert.Throws<UserInputException>(() => RunSerial(Deck(processors)));
        Assert.That(ex!.Message, Does.Contain(message));
    }

    [Test]
    public void Processors_AfterTheBox_IsAnError()
    {
        var ex = Assert.Throws<UserInputException>(() => RunSerial(Deck().Replace("mass 1 1.0", "mass 1 1.0\nprocessors * * *")));
        Assert.That(ex!.Message, Does.Contain("before the box is defined"));
    }

    [TestCase(1, "", "fix 1 all nve")]
    [TestCase(2, "", "fix 1 all nve")]
    [TestCase(2, "", "fix 1 all nvt temp 2.0 2.0 0.5\nrun 20\nvelocity all scale 2.5\nthermo 10")]
    [TestCase(4, "processors 2 2 1", "fix 1 all nvt temp 2.0 2.0 0.5")]
    [TestCase(3, "processors 3 1 1", "fix 1 all nvt temp 2.0 2.0 0.5")]
    public void Melt_OnVirtualRanks_EqualsTheOneProcessRun(int ranks, string processors, string fix)
    {
        var expected = Thermo(RunSerial(Deck(fix: fix)));
        var output = RunOnVirtualRanks(ranks, Deck(processors, fix));
        var actual = Thermo(output);
        Assert.That(expected, Has.Count.GreaterThanOrEqualTo(9));
        Assert.That(actual, Has.Count.EqualTo(expected.Count), output);
        for (var r = 0; r < expected.Count; r++)
            for (var c = 0; c < expected[r].Length; c++)
                Assert.That(actual[r][c], Is.EqualTo(expected[r][c]).Within(1e-10 * Math.Abs(expected[r][c])), $"step {expected[r][0]} column {c}");
        Assert.That(output, Does.Contain($"with {ranks} MPI tasks"));
    }

    private const string Copper = """
        units       metal
        atom_style  atomic
        PROCESSORS
        lattice     fcc 3.615
        region      box block 0 5 0 5 0 5
        create_box  1 box
        create_atoms 1 box
        pair_style  eam
        pair_coeff  1 1 /usr/share/lammps/potentials/Cu_u3.eam
        velocity    all create 800.0 4928459 mom yes rot yes dist gaussian
        neighbor    1.0 bin
        neigh_modify every 1 delay 0 check yes
        timestep    0.002
        FIX
        thermo_style custom step temp pe ke etotal press vol pxx pyy pzz pxy pxz pyz
        thermo_modify format float %.17g
        thermo      10
        run         100
        """;

    private const string CopperNickel = """
        units       metal
        PROCESSORS
        lattice     fcc 3.56
        region      box block 0 4 0 4 0 4
        create_box  2 box
        region      left block 0 1.9 INF INF INF INF
        region      right block 1.9 4 INF INF INF INF
        create_atoms 1 region left
        create_atoms 2 region right
        pair_style  eam/alloy
        pair_coeff  * * /usr/share/lammps/potentials/CuNi.eam.alloy Cu Ni
        velocity    all create 600.0 87287 loop geom
        FIX
        thermo_style custom step temp pe ke etotal press pxx pyy pzz pxy pxz pyz
        thermo_modify format float %.17g
        thermo      10
        run         100
        """;

    internal static void AssertSameThermo(string serial, string decomposed, int ranks, int minRows = 11)
    {
        var expected = Thermo(serial);
        var actual = Thermo(decomposed);
        Assert.That(expected, Has.Count.GreaterThanOrEqualTo(minRows));
        Assert.That(actual, Has.Count.EqualTo(expected.Count), decomposed);
        for (var r = 0; r < expected.Count; r++)
            for (var c = 0; c < expected[r].Length; c++)
                Assert.That(actual[r][c], Is.EqualTo(expected[r][c]).Within(1e-10 * Math.Abs(expected[r][c])), $"step {expected[r][0]} column {c}");
        Assert.That(decomposed, Does.Contain($"with {ranks} MPI tasks"));
    }

    [TestCase("eam", 2, "", "fix 1 all nvt temp 800.0 800.0 0.1")]
    [TestCase("eam", 3, "processors 3 1 1", "fix 1 all nve")]
    [TestCase("eam/alloy", 2, "", "fix 1 all nve")]
    [TestCase("eam/alloy", 4, "processors 2 1 2", "fix 1 all nvt temp 600.0 600.0 0.1")]
    public void Eam_OnVirtualRanks_EqualsTheOneProcessRun(string style, int ranks, string processors, string fix)
    {
        Requirement.That(File.Exists("/usr/share/lammps/potentials/Cu_u3.eam"), Requirement.Lammps, "/usr/share/lammps/potentials missing; install lammps-data");
        var deck = (style == "eam" ? Copper : CopperNickel).Replace("FIX", fix);
        AssertSameThermo(RunSerial(deck.Replace("PROCESSORS", "")), RunOnVirtualRanks(ranks, deck.Replace("PROCESSORS", processors)), ranks);
    }

    [TestCase(2, "", "fix 1 all nve\nfix 2 all temp/rescale 5 2.0 2.0 0.02 0.5")]
    [TestCase(3, "processors 3 1 1", "fix 1 all nve\nfix 2 all temp/berendsen 2.0 2.0 0.5")]
    [TestCase(2, "", "fix 1 all nve\nfix 2 all momentum 5 linear 1 1 1 angular")]
    [TestCase(4, "processors 2 2 1", "fix 1 all nvt temp 2.0 2.0 0.5\nfix 2 all momentum 3 linear 1 1 1")]
    [TestCase(2, "", "group half id 1:432\nfix 1 half nve")]
    [TestCase(3, "processors 1 3 1", "group low id 1:300\nvelocity low set 0.0 0.0 0.0\nfix 1 all nve\nfix 2 low setforce 0.0 0.0 0.0")]
    public void DeterministicFixes_OnVirtualRanks_EqualTheOneProcessRun(int ranks, string processors, string fix)
    {
        static string WithEcouple(string deck) => deck.Replace("etotal press vol", "etotal press vol ecouple econserve");
        AssertSameThermo(RunSerial(WithEcouple(Deck(fix: fix))), RunOnVirtualRanks(ranks, WithEcouple(Deck(processors, fix))), ranks, minRows: 9);
    }

    /// <summary>
    /// The water example with a two-model ensemble (the float64 se_e2_a test model gives the forces, the se_e2_r one is
    /// the second model), fix nvt, 20 steps, deviations every 2 steps to md.out.
    /// </summary>
    internal static string EnsembleWater(string processors, string options) => $"""
        units metal
        atom_style atomic
        {processors}
        neighbor 2.0 bin
        neigh_modify every 10 delay 0 check no
        read_data {RepoPaths.Get("examples", "water", "water.lmp")}
        mass 1 16
        mass 2 2
        pair_style deepmd {RepoPaths.TestModel("deeppot_sea.yaml")} {RepoPaths.TestModel("deeppot-r.yaml")} out_freq 2 out_file md.out {options}
        pair_coeff * * O H
        velocity all create 330.0 23456789
        fix 1 all nvt temp 330.0 330.0 0.05
        timestep 0.0005
        thermo 5
        thermo_style custom step temp pe ke etotal press pxx pyy pzz pxy pxz pyz
        thermo_modify format float %.17g
        run 20
        """;

    /// <summary>
    /// Asserts that two model deviation files have the same lines: the header and step fields equal, every number equal
    /// to its printed precision (6 decimals of the mantissa), allowing one unit in the last printed digit. Returns the
    /// largest difference in units of the last digit and how many numbers differ in their printed form.
    /// </summary>
    internal static (double WorstUnits, int Differing) AssertSameDeviationFile(string expectedPath, string actualPath, int columns)
    {
        var expected = File.ReadAllLines(expectedPath);
        var actual = File.ReadAllLines(actualPath);
        Assert.That(expected, Has.Length.EqualTo(1 + 11), "header and steps 0, 2, ..., 20");
        Assert.That(actual, Has.Length.EqualTo(expected.Length));
        Assert.That(actual[0], Is.EqualTo(expected[0]), "header");
        double worst = 0;
        var differing = 0;
        for (var k = 1; k < expected.Length; k++)
        {
            var (e, a) = (expected[k].Split(' ', StringSplitOptions.RemoveEmptyEntries), actual[k].Split(' ', StringSplitOptions.RemoveEmptyEntries));
            Assert.That(e, Has.Length.EqualTo(1 + columns), expected[k]);
            Assert.That(a, Has.Length.EqualTo(e.Length), actual[k]);
            Assert.That(actual[k].Length, Is.EqualTo(expected[k].Length), "the fixed-width layout");
            Assert.That(a[0], Is.EqualTo(e[0]), "step");
            for (var c = 1; c < e.Length; c++)
            {
                if (a[c] != e[c]) differing++;
                var ev = double.Parse(e[c], System.Globalization.CultureInfo.InvariantCulture);
                var av = double.Parse(a[c], System.Globalization.CultureInfo.InvariantCulture);
                var exponent = int.Parse(e[c][(e[c].IndexOf('e') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
                var unit = Math.Pow(10, exponent - 6); // one unit in the last printed digit of %.6e
                var units = Math.Abs(av - ev) / unit;
                worst = Math.Max(worst, units);
                Assert.That(units, Is.LessThanOrEqualTo(1.0 + 1e-6), $"step {e[0]} column {c}: {a[c]} vs {e[c]}");
            }
            Assert.That(double.Parse(e[4], System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(0), "the two models do differ");
        }
        return (worst, differing);
    }

    [Test]
    public void ModelDeviationEnsemble_WithTheGuardsDeviationLimit_OnVirtualRanks_StopsBeforeTheRun()
    {
        var ex = Assert.Throws<UserInputException>(() => RunOnVirtualRanks(2, EnsembleWater("", "guard warn guard_devi 0.5")));
        Assert.That(ex!.Message, Does.Contain("pair_style deepmd with several models and the extrapolation guard's force deviation limit (guard_devi) is not supported with 2 ranks yet"));
    }

    [TestCase(2, "", "")]
    [TestCase(3, "processors 1 3 1", "")]
    [TestCase(2, "", "atomic")]
    [TestCase(3, "", "atomic relative 1.0 relative_v 0.5")]
    [TestCase(2, "processors 1 1 2", "atomic relative 0.2")]
    public void ModelDeviationEnsemble_OnVirtualRanks_WritesTheOneProcessFile(int ranks, string processors, string options)
    {
        var serialDir = RepoPaths.TempDir();
        var serialScreen = new StringWriter();
        using (var s = new DeckSession(serialScreen, serialDir, null))
            s.Runner.RunText("in.water", EnsembleWater("", options));
        var dir = RepoPaths.TempDir();
        var screens = new StringWriter[ranks];
        LoopbackCommunicator.Run(ranks, comm =>
        {
            var screen = screens[comm.Rank] = new StringWriter();
            using var s = new DeckSession(comm.Rank == 0 ? screen : TextWriter.Null, dir, null, comm);
            s.Runner.RunText("in.water", EnsembleWater(processors, options));
        });
        var output = screens[0].ToString();
        AssertSameThermo(serialScreen.ToString(), output, ranks, minRows: 5);
        Assert.That(output, Does.Contain($"Decomposed over").And.Contain("model deviation of 2 models"));
        var (worst, differing) = AssertSameDeviationFile(Path.Combine(serialDir, "md.out"), Path.Combine(dir, "md.out"), options.Contains("atomic") ? 6 + 192 : 6);
        TestContext.Out.WriteLine($"{ranks} ranks, '{options}': largest difference {worst:G3} units of the last printed digit, {differing} numbers printed differently");
    }

    /// <summary>
    /// Fix temp/rescale, temp/berendsen, temp/csvr and momentum on a group (the lower half of the melt, 100 steps): the group's temperature
    /// (Σ m v² and member count of the owned atoms) is summed over ranks, so thermo and ecouple equal the one-process run.
    /// </summary>
    [TestCase(2, "", "fix 2 lower temp/berendsen 1.0 1.0 0.2")]
    [TestCase(3, "processors 1 1 3", "fix 2 lower temp/berendsen 1.0 1.0 0.2")]
    [TestCase(2, "processors 1 1 2", "fix 2 lower temp/rescale 5 1.0 1.0 0.05 0.7")]
    [TestCase(3, "", "fix 2 lower temp/rescale 5 1.0 1.0 0.05 0.7")]
    [TestCase(3, "processors 3 1 1", "fix 2 lower temp/berendsen 1.0 1.0 0.2\nfix 3 upper temp/rescale 3 4.0 4.0 0.05 1.0")]
    [TestCase(2, "processors 2 1 1", "fix 2 lower temp/csvr 1.0 1.0 0.2 12345")]
    [TestCase(3, "", "fix 2 lower temp/csvr 1.0 1.0 0.2 12345\nfix 3 upper temp/berendsen 4.0 4.0 0.5")]
    [TestCase(2, "", "fix 2 lower momentum 5 linear 1 1 1 angular\nfix 3 upper temp/berendsen 1.0 1.0 0.5")]
    [TestCase(3, "processors 1 1 3", "fix 2 lower momentum 3 linear 1 1 1\nfix 3 upper momentum 4 angular")]
    public void GroupThermostats_OnVirtualRanks_EqualTheOneProcessRun(int ranks, string processors, string fix)
    {
        var fixes = "region lower block INF INF INF INF INF 3\ngroup lower region lower\ngroup upper subtract all lower\nfix 1 all nve\n" + fix;
        static string Long(string deck) => deck.Replace("etotal press vol", "etotal press vol ecouple econserve").Replace("run 40", "run 100");
        AssertSameThermo(RunSerial(Long(Deck(fix: fixes))), RunOnVirtualRanks(ranks, Long(Deck(processors, fixes))), ranks, minRows: 21);
    }

    /// <summary>
    /// These thermostats and momentum act on group all only in the one-process engine too (Fix.SupportsGroups): on a group
    /// the deck stops at the fix line, with the one-process message, on every rank count (not at the decomposed check).
    /// (fix langevin works on any group: DecomposedThermostatTests.)
    /// </summary>
    [TestCase(2, "fix 2 lower nvt temp 2.0 2.0 0.5")]
    public void GroupThermostats_AreRefusedAtTheFixLine_AsInOneProcess(int ranks, string fix)
    {
        var deck = Deck(fix: "region lower block INF INF INF INF INF 3\ngroup lower region lower\nfix 1 all nve\n" + fix);
        var serial = Assert.Throws<UserInputException>(() => RunSerial(deck));
        Assert.That(serial!.Message, Does.Contain("works on the group 'all' only; got group 'lower'"));
        var decomposed = Assert.Throws<UserInputException>(() => RunOnVirtualRanks(ranks, deck));
        Assert.That(decomposed!.Message, Is.EqualTo(serial.Message));
    }

    [TestCase("fix 1 all nve\npair_style soft 1.12246\npair_coeff * * 1.0", "pair_style soft is not supported with 2 ranks yet")]
    [TestCase("fix 1 all nve\nvariable e equal pe\nthermo_style custom step pe v_e\nrun 0", "thermo keyword v_e is not supported with 2 ranks yet")]
    public void UnsupportedFeatures_OnVirtualRanks_StopBeforeTheRun(string fix, string message)
    {
        var ex = Assert.Throws<UserInputException>(() => RunOnVirtualRanks(2, Deck(fix: fix)));
        Assert.That(ex!.Message, Does.Contain(message));
    }
}
