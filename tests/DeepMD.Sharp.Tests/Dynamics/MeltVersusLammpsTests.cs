namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Tests.Support;

/// <summary>LAMMPS' melt example (lj units, 4000 atoms, 250 steps) run by LAMMPS and by dpsharp.</summary>
[TestFixture]
[Category("Lammps")]
public class MeltVersusLammpsTests
{
    private const string MeltDeck = "/usr/share/lammps/examples/melt/in.melt";

    [Test]
    public void EveryThermoColumnAtEveryStepMatchesLammpsToSixDigits()
    {
        var lmp = LammpsHarness.RequireLammps();
        if (!File.Exists(MeltDeck))
        {
            Requirement.That(false, Requirement.Lammps, $"{MeltDeck} missing; install lammps-examples");
        }
        var dir = RepoPaths.TempDir();
        var lammps = LammpsHarness.RunLammps(lmp, MeltDeck, dir);
        var ours = LammpsHarness.RunDpsharp(MeltDeck, dir);
        var tables = LammpsHarness.ThermoTables(ours);
        Assert.That(tables[0].Rows, Has.Count.EqualTo(6), "thermo every 50 steps of 250, plus step 0");
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-6);
    }

    [Test]
    public void AtFifteenDigitsTheTrajectoriesStillAgree()
    {
        var lmp = LammpsHarness.RequireLammps();
        Requirement.That(File.Exists(MeltDeck), Requirement.Lammps, $"{MeltDeck} missing; install lammps-examples");
        var dir = RepoPaths.TempDir();
        var deck = Path.Combine(dir, "in.melt15");
        File.WriteAllText(deck, File.ReadAllText(MeltDeck).Replace("thermo\t\t50", "thermo\t\t50\nthermo_modify\tformat float %20.15g"));
        Assert.That(File.ReadAllText(deck), Does.Contain("format float"));
        // measured 2.8e-12 (the difference grows along the chaotic trajectory); ~100×
        var worst = LammpsHarness.AssertSameThermo(LammpsHarness.RunLammps(lmp, deck, dir), LammpsHarness.RunDpsharp(deck, dir), 3e-10);
        TestContext.Out.WriteLine($"melt at %20.15g: max relative difference {worst:E2}");
    }
}
