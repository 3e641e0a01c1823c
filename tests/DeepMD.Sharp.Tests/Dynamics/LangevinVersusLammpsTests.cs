namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Tests.Support;

/// <summary>
/// fix langevin against LAMMPS: the same random numbers reach the same atoms once dpsharp follows LAMMPS' spatial
/// atom sort (at setup and every <c>atom_modify sort</c> steps), so the trajectories agree to round-off.
/// </summary>
[TestFixture]
public class LangevinVersusLammpsTests
{
    private static string Deck(string sort, int steps) => $"""
        units lj
        lattice fcc 0.8442
        region box block 0 5 0 5 0 5
        create_box 1 box
        create_atoms 1 box
        mass 1 1.0
        {sort}
        velocity all create 1.0 87287 loop geom
        pair_style lj/cut 2.5
        pair_coeff 1 1 1.0 1.0 2.5
        neighbor 0.3 bin
        neigh_modify every 1 delay 0 check yes
        fix 1 all nve
        fix 2 all langevin 1.5 1.2 0.5 48279
        thermo_style custom step temp pe ke etotal press
        thermo_modify format float %20.15g
        thermo 20
        run {steps}
        run 40
        """;

    [TestCase("", 100)]
    [TestCase("atom_modify sort 30 0.0", 100)]
    [TestCase("atom_modify sort 25 0.7", 60)]
    public void LjLangevinMatchesLammps(string sort, int steps)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var deck = Path.Combine(dir, "in.langevin");
        File.WriteAllText(deck, Deck(sort, steps));
        var lammps = LammpsHarness.RunLammps(lmp, deck, dir);
        var ours = LammpsHarness.RunDpsharp(deck, dir);
        // measured 3.3e-13 for the three sort settings; ~100×
        var worst = LammpsHarness.AssertSameThermo(lammps, ours, relTol: 3e-11, absFloor: 1e-9);
        TestContext.Out.WriteLine($"{(sort == "" ? "default sort" : sort)}: max relative difference {worst:E2}");
    }
}
