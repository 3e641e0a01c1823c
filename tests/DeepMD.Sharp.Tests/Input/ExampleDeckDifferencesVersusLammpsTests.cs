namespace DeepMD.Sharp.Tests.Input;

using DeepMD.Sharp.Tests.Dynamics;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// Differences between dpsharp and Debian's <c>lmp</c> found in LAMMPS example decks that ran but printed other values
/// (docs/lammps-examples.md, state "differs"), each reduced to a deck of its own and compared at full precision.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class ExampleDeckDifferencesVersusLammpsTests
{
    /// <summary>Copies <paramref name="files"/> of the example folder <paramref name="folder"/> next to the deck and runs it in both.</summary>
    private static (string Lammps, string Ours) RunBoth(string deck, string folder, params string[] files)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        foreach (var f in files)
        {
            var source = Path.Combine(LammpsExampleDeckTests.ExamplesRoot, folder, f);
            Requirement.That(File.Exists(source), Requirement.Lammps, $"{source} is missing (Debian package lammps-examples)");
            File.Copy(source, Path.Combine(dir, f));
        }
        var path = Path.Combine(dir, "in.deck");
        File.WriteAllText(path, deck);
        return (LammpsHarness.RunLammps(lmp, path, dir), LammpsHarness.RunDpsharp(path, dir));
    }

    [Test]
    public void ZeroWeightSpecialPairsAreLeftOutOfThePairSumAsInLammps()
    {
        // template/in.mol-data-mix: cyclohexane (special_bonds 0 0 0) and methane. The 1-2 and 1-3 Lennard-Jones
        // energies of a ring are ~1e7 kcal/mol each; computing them and taking them off again (special weight 0) left
        // round-off of 1e-6 kcal/mol in E_vdwl, 2e-10 of it, and in the forces. LAMMPS leaves such pairs out of the
        // neighbor list. compute pe/atom pair holds the pair term only (it had the bond, angle, dihedral shares too).
        var (lammps, ours) = RunBoth("""
            units real
            atom_style molecular
            pair_style lj/cut 12.0
            pair_modify mix geometric tail yes
            bond_style harmonic
            angle_style harmonic
            dihedral_style harmonic
            read_data molecular-mix.data
            compute pa all pe/atom pair
            compute all all pe/atom
            compute sum all reduce sum c_pa c_all
            thermo_style custom step temp pe evdwl emol c_sum[1] c_sum[2] press pxx pxy
            thermo_modify format float %22.17g
            thermo 5
            fix 1 all nve
            run 10
            """, "template", "molecular-mix.data");
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-12);
    }

    [Test]
    public void SpecialBondsChangedBetweenRunsRebuildTheListThatLeavesZeroWeightPairsOut()
    {
        // The 1-4 weight turned on and off again between runs: a run that kept the last run's neighbor list (nothing
        // else changed) would miss the 1-4 pairs it left out, or count them twice.
        var (lammps, ours) = RunBoth("""
            units real
            atom_style molecular
            pair_style lj/cut 12.0
            pair_modify mix geometric
            bond_style harmonic
            angle_style harmonic
            dihedral_style harmonic
            read_data molecular-mix.data
            thermo_style custom step temp pe evdwl emol press pxy
            thermo_modify format float %22.17g
            thermo 5
            fix 1 all nve
            run 5
            special_bonds lj 0 0 0.5
            run 5
            special_bonds lj 0 0 0
            run 5
            """, "template", "molecular-mix.data");
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-12);
    }
}
