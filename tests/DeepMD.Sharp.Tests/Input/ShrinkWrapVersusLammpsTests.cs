namespace DeepMD.Sharp.Tests.Input;

using DeepMD.Sharp.Tests.Dynamics;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// Shrink-wrapped boundaries (<c>boundary s</c>, <c>m</c>, mixed per face) compared with LAMMPS (<c>lmp</c>): the box
/// follows the atoms at every neighbor list build, so volume, bounds and pressure in thermo equal LAMMPS'; thermo
/// style one then adds LAMMPS' Volume column, decided at each run's setup.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class ShrinkWrapVersusLammpsTests
{
    private static (string Lammps, string Ours) RunBoth(string deck)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.deck");
        File.WriteAllText(path, deck);
        return (LammpsHarness.RunLammps(lmp, path, dir), LammpsHarness.RunDpsharp(path, dir));
    }

    [Test]
    public void HotLjClusterInAShrinkWrappedBoxMatchesLammps()
    {
        // A hot lj crystal expanding into s (x) and m (y) faces, periodic z: bounds, volume and pressure change at
        // every build; the second run prints thermo style one, which LAMMPS extends by Volume.
        var (lammps, ours) = RunBoth("""
            units lj
            atom_style atomic
            boundary s m p
            lattice fcc 0.8442
            region box block 0 4 0 4 0 4
            create_box 1 box
            create_atoms 1 box
            mass 1 1.0
            velocity all create 3.0 87287
            pair_style lj/cut 2.5
            pair_coeff 1 1 1.0 1.0 2.5
            neighbor 0.3 bin
            neigh_modify every 1 delay 0 check yes
            fix 1 all nve
            thermo_style custom step temp pe press vol xlo xhi ylo yhi zlo zhi
            thermo_modify format float %20.15g
            thermo 10
            run 150
            thermo_style one
            thermo_modify format float %20.15g
            thermo 25
            run 100
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
        Assert.That(LammpsHarness.ThermoTables(ours)[1].Header, Does.Contain("Volume"));
    }

    [Test]
    public void TwoDimensionalFixedAndShrinkWrappedFacesWithMinimizeMatchLammps()
    {
        // 2-d, y fixed below (two lattice rows under the atoms) and shrink-wrapped above: a push along +y moves the
        // atoms up, away from the fixed face;
        // then a cg minimization, whose neighbor builds shrink-wrap the box too.
        var (lammps, ours) = RunBoth("""
            dimension 2
            boundary p fs p
            atom_style atomic
            lattice hex 0.9
            region box block 0 10 -2 5 -0.25 0.25
            create_box 1 box
            region atoms block INF INF 0 INF INF INF
            create_atoms 1 region atoms
            mass 1 1.0
            pair_style lj/cut 2.5
            pair_coeff 1 1 1.0 1.0 2.5
            neigh_modify delay 0
            velocity all create 0.5 4928459
            fix 1 all nve
            fix 2 all addforce 0.0 0.3 0.0
            fix 3 all enforce2d
            thermo_style custom step temp pe press vol ylo yhi lx ly
            thermo_modify format float %20.15g
            thermo 20
            run 200
            unfix 2
            minimize 1.0e-8 1.0e-8 200 1000
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-8);
    }

    [Test]
    public void ThermoOneGetsVolumeOnlyWhenTheBoxMayChange()
    {
        // LAMMPS' Thermo::init at each run: no Volume in a periodic box, Volume with fix balance or shrink-wrapped faces
        var (lammps, ours) = RunBoth("""
            units lj
            atom_style atomic
            boundary p p p
            lattice fcc 0.8442
            region box block 0 3 0 3 0 3
            create_box 1 box
            create_atoms 1 box
            mass 1 1.0
            velocity all create 0.5 87287
            pair_style lj/cut 2.5
            pair_coeff 1 1 1.0 1.0 2.5
            fix 1 all nve
            thermo_modify format float %20.15g
            run 20
            fix 2 all balance 10 1.1 shift x 5 1.1
            run 20
            unfix 2
            change_box all boundary p s p
            run 20
            """);
        var tables = LammpsHarness.ThermoTables(lammps);
        Assert.That(tables.Select(t => t.Header.Contains("Volume")), Is.EqualTo(new[] { false, true, true }), "LAMMPS' own headers");
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }
}
