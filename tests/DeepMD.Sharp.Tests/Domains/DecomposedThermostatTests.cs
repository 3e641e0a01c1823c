namespace DeepMD.Sharp.Tests.Domains;

using DeepMD.Sharp.Domains.Communication;
using static DecomposedDeckTests;

/// <summary>
/// The stochastic thermostats decomposed on virtual ranks (<see cref="LoopbackCommunicator"/>): fix langevin draws
/// numbers keyed by atom id and step (the same on any number of ranks, and in a one-process run with
/// <c>stream keyed</c>); fix temp/csvr draws one scale factor per step from the same stream on every rank, from the
/// temperature summed over ranks. Thermo equal to the one-process run to 1e-10 relative.
/// </summary>
[TestFixture]
public class DecomposedThermostatTests
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
        thermo_style custom step temp pe ke etotal press vol ecouple econserve
        thermo_modify format float %.17g
        run 40
        """;

    private static string Deck(string fix, string processors = "") => Melt.Replace("PROCESSORS", processors).Replace("FIX", fix);

    [TestCase(1, "")]
    [TestCase(2, "")]
    [TestCase(3, "processors 1 3 1")]
    [TestCase(4, "processors 2 2 1")]
    public void Langevin_OnVirtualRanks_EqualsTheOneProcessRunWithKeyedNumbers(int ranks, string processors)
    {
        const string fix = "fix 1 all nve\nfix 2 all langevin 1.5 1.5 0.5 48279";
        // a decomposed run always draws the keyed numbers; the one-process run does with stream keyed
        AssertSameThermo(RunSerial(Deck(fix + " stream keyed")), RunOnVirtualRanks(ranks, Deck(fix, processors)), ranks, minRows: 9);
    }

    /// <summary>
    /// fix langevin on a group (with zero yes) runs in one process; several ranks do not carry a group thermostat yet and
    /// stop before the run naming the fix and what they support.
    /// </summary>
    [TestCase(3, "processors 1 3 1")]
    public void LangevinOnAGroup_RunsInOneProcess_AndIsRefusedClearlyOnVirtualRanks(int ranks, string processors)
    {
        const string fix = "region lower block INF INF INF INF INF 3\ngroup lower region lower\nfix 1 all nve\nfix 2 lower langevin 1.5 1.5 0.5 48279 zero yes";
        Assert.That(Thermo(RunSerial(Deck(fix))), Has.Count.GreaterThanOrEqualTo(9));
        var ex = Assert.Throws<DeepMD.Sharp.Core.Errors.UserInputException>(() => RunOnVirtualRanks(ranks, Deck(fix, processors)))!;
        Assert.That(ex.Message, Does.Contain("a fix on group lower (fix 2) is not supported with 3 ranks yet").And.Contain("langevin on group all"));
    }

    [Test]
    public void Langevin_KeyedAndLammpsStreams_Differ()
    {
        const string fix = "fix 1 all nve\nfix 2 all langevin 1.5 1.5 0.5 48279";
        var lammps = Thermo(RunSerial(Deck(fix)));
        var keyed = Thermo(RunSerial(Deck(fix + " stream keyed")));
        Assert.That(keyed[^1][1], Is.Not.EqualTo(lammps[^1][1]), "the option should change the random numbers");
    }

    [TestCase(2, "", "fix 1 all nve\nfix 2 all temp/csvr 1.5 1.5 0.5 12345")]
    [TestCase(3, "processors 3 1 1", "fix 1 all nve\nfix 2 all temp/csvr 2.0 1.0 0.2 777")]
    [TestCase(3, "", "fix 1 all nve\nfix 2 all langevin 2.0 2.0 0.5 48279 stream keyed\nfix 3 all temp/csvr 2.0 2.0 0.5 12345")]
    public void TempCsvr_OnVirtualRanks_EqualsTheOneProcessRun(int ranks, string processors, string fix) =>
        AssertSameThermo(RunSerial(Deck(fix)), RunOnVirtualRanks(ranks, Deck(fix, processors)), ranks, minRows: 9);

    /// <summary>
    /// temp/csvr on a group holding every atom (by id) takes the same temperature, degrees of freedom, random numbers and
    /// atoms as on group all (no LAMMPS reference: Debian's LAMMPS has no temp/csvr); a group of half the atoms differs.
    /// </summary>
    [Test]
    public void TempCsvr_OnAGroupOfEveryAtom_EqualsGroupAll()
    {
        const string groups = "group everyone id 1:864\nregion lower block INF INF INF INF INF 3\ngroup lower region lower\nfix 1 all nve\n";
        var all = Thermo(RunSerial(Deck(groups + "fix 2 all temp/csvr 1.0 1.0 0.2 12345")));
        var everyone = Thermo(RunSerial(Deck(groups + "fix 2 everyone temp/csvr 1.0 1.0 0.2 12345")));
        var lower = Thermo(RunSerial(Deck(groups + "fix 2 lower temp/csvr 1.0 1.0 0.2 12345")));
        Assert.That(everyone, Has.Count.EqualTo(all.Count).And.Count.GreaterThanOrEqualTo(9));
        for (var r = 0; r < all.Count; r++) Assert.That(everyone[r], Is.EqualTo(all[r]), $"row {r}");
        Assert.That(lower[^1][1], Is.Not.EqualTo(all[^1][1]), "a thermostat on half the atoms should change the run");
    }
}
