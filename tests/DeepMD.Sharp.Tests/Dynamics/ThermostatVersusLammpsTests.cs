namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Tests.Support;

/// <summary>
/// Small decks run by LAMMPS and dpsharp: fix nvt (Nosé–Hoover chain) with a temperature ramp, velocity create
/// with loop all and Gaussian deviates, thermo_style custom with every supported column, in lj and metal units.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class ThermostatVersusLammpsTests
{
    private static double Compare(string deck, double tol = 1e-6)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.test");
        File.WriteAllText(path, deck);
        var lammps = LammpsHarness.RunLammps(lmp, path, dir);
        var ours = LammpsHarness.RunDpsharp(path, dir);
        return LammpsHarness.AssertSameThermo(lammps, ours, tol);
    }

    [Test]
    public void LjNvtWithRampAndGaussianLoopAllVelocitiesMatchesLammps() => Compare("""
        units       lj
        atom_style  atomic
        lattice     fcc 0.8442
        region      box block 0 6 0 6 0 6
        create_box  1 box
        create_atoms 1 box
        mass        1 1.0
        velocity    all create 1.5 4928459 dist gaussian
        pair_style  lj/cut 2.5
        pair_coeff  1 1 1.0 1.0 2.5
        neighbor    0.3 bin
        neigh_modify every 1 delay 0 check yes
        fix         1 all nvt temp 1.5 1.0 0.5
        thermo_style custom step temp pe ke etotal press vol density lx ly lz pxx pyy pzz pxy pxz pyz evdwl epair
        thermo      20
        run         200
        """);

    [Test]
    public void MetalUnitsArgonNvtTchainTloopMatchesLammps() => Compare("""
        units       metal
        boundary    p p p
        atom_style  atomic
        lattice     fcc 5.26
        region      box block 0 4 0 4 0 4
        create_box  1 box
        create_atoms 1 box
        mass        1 39.948
        velocity    all create 300.0 12345 mom yes rot yes dist uniform
        pair_style  lj/cut 8.0
        pair_coeff  1 1 0.0104 3.40
        neighbor    2.0 bin
        neigh_modify every 10 delay 0 check no
        timestep    0.002
        fix         1 all nvt temp 300.0 300.0 0.1 tchain 5 tloop 2
        thermo_style custom step temp pe ke etotal press pxx pyy pzz pxy pxz pyz density vol
        thermo      10
        run         100
        """);

    [Test]
    public void TwoRunsWithResetTimestepAndThermoZeroMatchLammps() => Compare("""
        units       lj
        lattice     fcc 0.8442
        region      box block 0 5 0 5 0 5
        create_box  1 box
        create_atoms 1 box
        mass        1 1.0
        velocity    all create 2.0 87287 loop geom
        pair_style  lj/cut 2.5
        pair_coeff  * * 1.0 1.0
        fix         1 all nve
        thermo      0
        run         30
        reset_timestep 1000
        thermo      7
        run         30
        """);

    [Test]
    public void BerendsenWithMomentumRemovalMatchesLammps() => Compare("""
        units       lj
        lattice     fcc 0.8442
        region      box block 0 5 0 5 0 5
        create_box  1 box
        create_atoms 1 box
        mass        1 1.0
        velocity    all create 3.0 87287 loop geom
        pair_style  lj/cut 2.5
        pair_coeff  1 1 1.0 1.0 2.5
        fix         1 all nve
        neigh_modify delay 0
        fix         2 all temp/berendsen 3.0 1.0 0.1
        fix         3 all momentum 5 linear 1 1 1
        thermo_style custom step temp pe etotal press
        thermo_modify format float %20.15g
        thermo      20
        run         100
        """, 1e-9);

    /// <summary>
    /// temp/berendsen on the lower half and temp/rescale on the upper half: each group's own temperature (d·N_group − d
    /// degrees of freedom) and atoms; ecouple checks the energy each fix removed (norm no: LAMMPS does not normalize ecouple).
    /// </summary>
    [Test]
    public void BerendsenAndRescaleOnGroupsMatchLammps() => Compare("""
        units       lj
        lattice     fcc 0.8442
        region      box block 0 5 0 5 0 5
        create_box  1 box
        create_atoms 1 box
        mass        1 1.0
        velocity    all create 3.0 87287 loop geom
        pair_style  lj/cut 2.5
        pair_coeff  1 1 1.0 1.0 2.5
        region      lower block INF INF INF INF INF 2.5
        group       lower region lower
        group       upper subtract all lower
        fix         1 all nve
        neigh_modify delay 0
        fix         2 lower temp/berendsen 1.0 1.0 0.1
        fix         3 upper temp/rescale 5 4.0 4.0 0.05 0.8
        thermo_style custom step temp pe etotal press ecouple
        thermo_modify format float %20.15g norm no
        thermo      20
        run         100
        """, 1e-9);

    /// <summary>fix momentum (linear and angular) on the lower half: the group's centre-of-mass motion and rotation only.</summary>
    [Test]
    public void MomentumOnAGroupMatchesLammps() => Compare("""
        units       lj
        lattice     fcc 0.8442
        region      box block 0 5 0 5 0 5
        create_box  1 box
        create_atoms 1 box
        mass        1 1.0
        velocity    all create 3.0 87287 loop geom
        pair_style  lj/cut 2.5
        pair_coeff  1 1 1.0 1.0 2.5
        region      lower block INF INF INF INF INF 2.5
        group       lower region lower
        velocity    lower set 0.5 -0.3 0.2 sum yes
        fix         1 all nve
        neigh_modify delay 0
        fix         2 lower momentum 5 linear 1 1 1 angular
        thermo_style custom step temp pe etotal press pxy pxz pyz
        thermo_modify format float %20.15g
        thermo      20
        run         100
        """, 1e-9);
}
