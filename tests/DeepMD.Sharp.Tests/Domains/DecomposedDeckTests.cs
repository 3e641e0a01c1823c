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

    [Test]
    public void ModelDeviationEnsemble_OnVirtualRanks_StopsBeforeTheRun()
    {
        var model = RepoPaths.TestModel("deeppot_sea.yaml");
        var deck = $"units metal\natom_style atomic\nread_data {RepoPaths.Get("examples", "water", "water.lmp")}\nmass 1 16\nmass 2 2\n"
            + $"pair_style deepmd {model} {model} out_freq 10 out_file md.out\npair_coeff * * O H\nfix 1 all nve\nrun 0\n";
        var ex = Assert.Throws<UserInputException>(() => RunOnVirtualRanks(2, deck));
        Assert.That(ex!.Message, Does.Contain("pair_style deepmd with several models (model deviation) is not supported with 2 ranks yet"));
    }

    [TestCase("fix 1 all nve\npair_style soft 1.12246\npair_coeff * * 1.0", "pair_style soft is not supported with 2 ranks yet")]
    [TestCase("fix 1 all nve\nvariable e equal pe\nthermo_style custom step pe v_e\nrun 0", "thermo keyword v_e is not supported with 2 ranks yet")]
    public void UnsupportedFeatures_OnVirtualRanks_StopBeforeTheRun(string fix, string message)
    {
        var ex = Assert.Throws<UserInputException>(() => RunOnVirtualRanks(2, Deck(fix: fix)));
        Assert.That(ex!.Message, Does.Contain(message));
    }
}
