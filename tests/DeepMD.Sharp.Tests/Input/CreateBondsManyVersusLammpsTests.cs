namespace DeepMD.Sharp.Tests.Input;

using DeepMD.Sharp.Tests.Dynamics;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// <c>create_bonds many G1 G2 BTYPE rmin rmax</c> against Debian's <c>lmp</c> (the bond type is the fourth word; it
/// was read from the second, the first group's name, which refused LAMMPS' balance/in.balance.bond.* decks): the same
/// bonds (count printed by both, then thermo with ebond and the pressure at <c>%20.15g</c> to 1e-9 over 60 steps of a
/// hot 2-d disc bonded within one group and between two).
/// </summary>
[TestFixture]
[Category("Lammps")]
public class CreateBondsManyVersusLammpsTests
{
    [Test]
    public void BondsWithinAndBetweenGroupsMatchLammps()
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.deck");
        File.WriteAllText(path, """
            units lj
            dimension 2
            atom_style bond
            boundary p p p
            lattice hex 0.85
            region box block 0 20 0 12 -0.5 0.5
            create_box 2 box bond/types 2 extra/bond/per/atom 6
            region circle sphere 10 6 0.0 5
            create_atoms 1 region circle
            region left block INF 10 INF INF INF INF
            group left region left
            group right subtract all left
            set group right type 2
            mass * 1.0
            velocity all create 0.5 87287 loop geom
            pair_style lj/cut 2.5
            pair_coeff * * 10.0 1.0 2.5
            bond_style harmonic
            bond_coeff 1 10.0 1.2
            bond_coeff 2 5.0 1.1
            special_bonds lj/coul 0 1 1
            create_bonds many left left 1 1.0 1.5
            create_bonds many left right 2 1.0 1.3
            neighbor 0.3 bin
            neigh_modify delay 0 every 1 check yes
            fix 1 all nve
            thermo_style custom step temp epair ebond press
            thermo_modify format float %20.15g
            thermo 10
            run 60
            """ + "\n");
        var lammps = LammpsHarness.RunLammps(lmp, path, dir);
        var ours = LammpsHarness.RunDpsharp(path, dir);
        static List<string> Added(string s) => s.Split('\n').Where(l => l.StartsWith("Added ", StringComparison.Ordinal)).Select(l => l.Trim()).ToList();
        Assert.That(Added(ours), Is.EqualTo(Added(lammps)));
        Assert.That(Added(lammps), Is.EqualTo(new[] { "Added 117 bonds, new total = 117", "Added 21 bonds, new total = 138" }));
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    [Test]
    public void BondedAtomsPassingThroughEachOtherMatchLammps()
    {
        // LAMMPS' balance/in.balance.bond.* without the balancing: a hot 2-d disc bonded by create_bonds many, where
        // bonded atoms (special LJ weight 0) pass within 0.06 sigma of each other. LAMMPS leaves such pairs out of the
        // neighbor list; computing their LJ (~3e16) and subtracting it again cancelled catastrophically (a spurious
        // kick at step 112, an epair spike at 113, an atom out of the box at 124) before
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.deck");
        File.WriteAllText(path, """
            variable b index 0
            variable x index 50
            variable y index 20
            variable d index 20
            variable v index 5
            variable w index 2
            units lj
            dimension 2
            atom_style bond
            boundary f f p
            lattice hex 0.85
            region box block 0 $x 0 $y -0.5 0.5
            create_box 1 box bond/types 1 extra/bond/per/atom 6
            region circle sphere $(v_d/2+1) $(v_d/2/sqrt(3.0)+1) 0.0 $(v_d/2)
            create_atoms 1 region circle
            mass 1 1.0
            velocity all create 0.5 87287 loop geom
            velocity all set $v $w 0 sum yes
            pair_style lj/cut 2.5
            pair_coeff 1 1 10.0 1.0 2.5
            bond_style harmonic
            bond_coeff 1 10.0 1.2
            special_bonds lj/coul 0 1 1
            create_bonds many all all 1 1.0 1.5
            neighbor 0.3 bin
            neigh_modify delay 0 every 1 check yes
            fix 1 all nve
            fix 2 all wall/lj93 xlo 0.0 1 1 2.5 xhi $x 1 1 2.5
            fix 3 all wall/lj93 ylo 0.0 1 1 2.5 yhi $y 1 1 2.5
            comm_modify cutoff 10.0 # because bonds stretch a long ways
            thermo_style custom step temp epair ebond press pxx pyy pxy
            thermo_modify format float %20.15g
            thermo 10
            run 200
            """ + "\n");
        LammpsHarness.AssertSameThermo(LammpsHarness.RunLammps(lmp, path, dir), LammpsHarness.RunDpsharp(path, dir), 1e-9);
    }
}
