namespace DeepMD.Sharp.Tests.Input;

using DeepMD.Sharp.Tests.Dynamics;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// Deck features of issue 18 compared with Debian's <c>lmp</c> on decks of their own: thermostats acting around the
/// bias of a temperature compute (temp/partial, temp/ramp, temp/deform, temp/region with fix temp/rescale and
/// temp/berendsen), <c>thermo_modify temp</c> with such a compute (its kinetic tensor in the pressure tensor),
/// <c>velocity … temp</c> with a biased compute, thermo <c>nbuild</c>/<c>ndanger</c>; custom per-atom vectors of
/// fix property/atom (set, compute property/atom, dump custom) and balance weights stored in them, with fix balance's
/// forced rebuilds; create_atoms into a shrink-wrapped box; compute heat/flux with fix ave/correlate and trap(); fix heat.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class BiasedThermostatsAndCustomPropertiesVersusLammpsTests
{
    private static (string Lammps, string Ours, string Dir) RunBoth(string deck)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.deck");
        File.WriteAllText(path, deck);
        var lammps = LammpsHarness.RunLammps(lmp, path, dir);
        var lammpsDumps = Directory.GetFiles(dir, "dump.*").Concat(Directory.GetFiles(dir, "profile.*"));
        foreach (var f in lammpsDumps) File.Move(f, f + ".lammps");
        return (lammps, LammpsHarness.RunDpsharp(path, dir), dir);
    }

    [Test]
    public void TempRampAndTempPartialAroundRescaleAndBerendsenMatchLammps()
    {
        // 2-d wall-driven flow: velocity create measured by temp/partial, temp/rescale around temp/partial's bias, then
        // berendsen around temp/ramp's; thermo's temperature and pressure tensor from temp/ramp (thermo_modify temp)
        var (lammps, ours, _) = RunBoth("""
            units lj
            dimension 2
            boundary p s p
            atom_style atomic
            lattice sq2 0.6
            region box block 0 12 0 10 -0.1 0.1
            create_box 2 box
            create_atoms 1 box
            mass * 1.0
            region lower block INF INF INF 0.9 INF INF
            region upper block INF INF 9.1 INF INF INF
            group lower region lower
            group upper region upper
            group wall union lower upper
            group flow subtract all wall
            set group wall type 2
            pair_style lj/cut 1.12246
            pair_coeff * * 1.0 1.0 1.12246
            neigh_modify delay 0 every 1
            compute thermal flow temp/partial 0 1 0
            velocity flow create 1.0 97287 temp thermal
            velocity upper set 1.5 0.0 0.0 units box
            fix 1 all nve
            fix 2 flow temp/rescale 5 1.0 1.0 0.02 0.5
            fix_modify 2 temp thermal
            fix 3 wall setforce 0.0 NULL 0.0
            fix 5 all enforce2d
            compute tilt flow temp/ramp vx 0 1.5 y 0 10 units lattice
            thermo_style custom step temp c_tilt c_thermal pe etotal press pxx pyy pxy nbuild ndanger
            thermo_modify temp tilt format float %20.15g
            thermo 20
            run 200
            unfix 2
            fix 2 flow temp/berendsen 1.0 1.0 0.5
            fix_modify 2 temp tilt
            run 200
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    [Test]
    public void TempDeformAndTempRegionThermostatsMatchLammps()
    {
        // a sheared prism box (zero tilt at the start, so triclinic in LAMMPS' sense): temp/rescale around the streaming
        // velocity of temp/deform, berendsen on the atoms inside a region, thermo's pressure tensor from temp/deform
        var (lammps, ours, _) = RunBoth("""
            units lj
            atom_style atomic
            lattice fcc 0.8442
            region box prism 0 5 0 5 0 5 0 0 0
            create_box 1 box
            create_atoms 1 box
            mass 1 1.0
            velocity all create 1.2 87287 loop geom
            pair_style lj/cut 2.5
            pair_coeff 1 1 1.0 1.0 2.5
            neighbor 0.3 bin
            neigh_modify every 1 delay 0 check yes
            fix 1 all nve
            fix 2 all deform 1 xy erate 0.05 remap v
            compute tdef all temp/deform
            fix 3 all temp/rescale 10 1.0 1.0 0.01 0.7
            fix_modify 3 temp tdef
            region mid block INF INF INF INF 1.25 3.75
            compute treg all temp/region mid
            fix 4 all temp/berendsen 1.0 1.0 2.0
            fix_modify 4 temp treg
            thermo_style custom step temp c_tdef c_treg pe etotal press pxx pyy pzz pxy pxz pyz xy
            thermo_modify temp tdef format float %20.15g
            thermo 20
            run 200
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    [Test]
    public void CustomVectorsAndStoredBalanceWeightsMatchLammps()
    {
        // d_WEIGHT and i_flag set from a number and an atom variable, balance weights (group, var, neigh) stored into
        // d_WEIGHT by balance and every 25 steps by fix balance (atoms wrapped first, as LAMMPS' pre_exchange), the
        // weighted load f_0[1], and the dump of both vectors
        var (lammps, ours, dir) = RunBoth("""
            units lj
            atom_style atomic
            lattice fcc 0.8442
            region box block 0 5 0 5 0 5
            create_box 2 box
            create_atoms 1 box
            mass * 1.0
            region half block 0 2.5 INF INF INF INF
            set region half type 2
            group a type 1
            group b type 2
            velocity all create 1.4 87287 loop geom
            pair_style lj/cut 2.5
            pair_coeff * * 1.0 1.0 2.5
            neighbor 0.3 bin
            neigh_modify every 2 delay 4 check yes
            fix p all property/atom d_WEIGHT i_flag
            set group b i_flag 7
            variable v atom 1.0+0.05*x
            set group a d_WEIGHT v_v
            compute p all property/atom d_WEIGHT i_flag
            compute s all reduce sum c_p[1] c_p[2]
            variable w atom 0.5+0.02*y
            balance 0.9 shift x 3 1.1 weight group 2 a 2.0 b 0.5 weight var w weight store WEIGHT
            thermo_style custom step pe c_s[1] c_s[2]
            thermo_modify format float %20.15g
            run 0
            fix 0 all balance 25 0.9 shift x 3 1.1 weight group 1 b 3.0 weight var w weight neigh 1.0 weight store WEIGHT
            fix 1 all nve
            thermo_style custom step temp pe press c_s[1] c_s[2] f_0 f_0[1] f_0[2] f_0[3] nbuild ndanger
            thermo 25
            dump 1 all custom 50 dump.prop id type d_WEIGHT i_flag
            dump_modify 1 sort id
            run 100
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
        var expected = File.ReadAllLines(Path.Combine(dir, "dump.prop.lammps"));
        var actual = File.ReadAllLines(Path.Combine(dir, "dump.prop"));
        Assert.That(actual, Is.EqualTo(expected), "dump custom id type d_WEIGHT i_flag, line for line");
    }

    [Test]
    public void AtomsCreatedOneByOneLeaveAShrinkWrappedBoxForTheNextCreateAtoms()
    {
        // LAMMPS resets a shrink-wrapped box after creating molecules only: the second slab still fits
        var (lammps, ours, _) = RunBoth("""
            units lj
            dimension 2
            boundary p s p
            lattice hex 0.9
            region box block 0 12 0 12 -0.25 0.25
            create_box 1 box
            region lo block INF INF INF 3 INF INF
            region hi block INF INF 8 INF INF INF
            create_atoms 1 region lo
            create_atoms 1 region hi
            mass 1 1.0
            pair_style lj/cut 2.5
            pair_coeff * * 1.0 1.0 2.5
            velocity all create 0.2 4928
            fix 1 all nve
            fix 2 all enforce2d
            thermo_style custom step atoms temp pe press vol ly
            thermo_modify format float %20.15g
            thermo 20
            run 100
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    [Test]
    public void HeatFluxAndItsGreenKuboIntegralMatchLammps()
    {
        // compute heat/flux from ke/atom, pe/atom and stress/atom (virial only, and with the kinetic part on a group),
        // fix ave/correlate of its components and trap() over the correlation column, as KAPPA/in.heatflux
        var (lammps, ours, dir) = RunBoth("""
            units lj
            atom_style atomic
            lattice fcc 0.6
            region box block 0 4 0 4 0 4
            create_box 2 box
            create_atoms 1 box
            mass 1 1.0
            mass 2 2.0
            set type 1 type/fraction 2 0.3 12345
            velocity all create 1.35 87287 loop geom
            pair_style lj/cut 2.5
            pair_coeff * * 1.0 1.0
            pair_coeff 1 2 1.2 0.9
            neighbor 0.3 bin
            neigh_modify delay 0 every 1
            fix 1 all nvt temp 1.35 1.35 0.5
            run 100
            unfix 1
            reset_timestep 0
            compute myKE all ke/atom
            compute myPE all pe/atom
            compute myStress all stress/atom NULL virial
            compute flux all heat/flux myKE myPE myStress
            group light type 1
            compute myStress2 all stress/atom NULL
            compute fluxl light heat/flux myKE myPE myStress2
            variable Jx equal c_flux[1]/vol
            fix 1 all nve
            fix JJ all ave/correlate 5 20 100 c_flux[1] c_flux[2] c_flux[3] type auto file profile.heatflux ave running
            variable k11 equal trap(f_JJ[3])*5*dt/1.35/1.35/vol
            thermo 100
            thermo_style custom step temp pe c_flux[1] c_flux[2] c_flux[3] c_flux[4] c_flux[5] c_flux[6] v_Jx c_fluxl[1] c_fluxl[6] v_k11
            thermo_modify format float %20.15g
            run 400
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
        var expected = File.ReadAllLines(Path.Combine(dir, "profile.heatflux.lammps"));
        var actual = File.ReadAllLines(Path.Combine(dir, "profile.heatflux"));
        Assert.That(actual.Where(l => !l.StartsWith('#')), Is.EqualTo(expected.Where(l => !l.StartsWith('#'))), "fix ave/correlate file, line for line");
    }

    [Test]
    public void LangevinInATiltedBoxWithFrequentSortsMatchesLammps()
    {
        // LAMMPS sorts a triclinic box's atoms on fractional coordinates binned over the box's bounding box (here from
        // negative bounds), so fix langevin's random numbers go to the atoms in that order; sorts every 50 steps
        var (lammps, ours, _) = RunBoth("""
            units lj
            atom_style atomic
            lattice fcc 0.8442
            region box prism -3 3 -2 3 0 4 1.5 0.5 -0.8
            create_box 1 box
            create_atoms 1 box
            mass 1 1.0
            velocity all create 1.0 87287 loop geom
            pair_style lj/cut 2.5
            pair_coeff 1 1 1.0 1.0 2.5
            neighbor 0.3 bin
            neigh_modify every 1 delay 0 check yes
            atom_modify sort 50 0.0
            fix 1 all nve
            fix 2 all langevin 1.5 1.5 0.5 48279
            thermo_style custom step temp pe etotal press pxy
            thermo_modify format float %20.15g
            thermo 20
            run 200
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    [Test]
    public void FixHeatWithRegionsAndAnEqualStyleFluxMatchesLammps()
    {
        // fix heat adding a ramped flux every step to one slab and removing a constant one every 2 steps from another,
        // momentum-conserving scaling; f_ID is the last scale factor
        var (lammps, ours, _) = RunBoth("""
            units lj
            atom_style atomic
            lattice fcc 0.6
            region box block 0 4 0 4 0 8
            create_box 1 box
            create_atoms 1 box
            mass 1 1.0
            velocity all create 1.35 87287 loop geom
            pair_style lj/cut 2.5
            pair_coeff 1 1 1.0 1.0
            neighbor 0.3 bin
            neigh_modify delay 0 every 1
            region hot block INF INF INF INF 0 1
            region cold block INF INF INF INF 4 5
            compute Thot all temp/region hot
            compute Tcold all temp/region cold
            variable q equal 20.0+0.1*step
            fix 1 all nve
            fix hot all heat 1 v_q region hot
            fix cold all heat 2 -40.0 region cold
            thermo_style custom step temp etotal c_Thot c_Tcold f_hot f_cold
            thermo_modify format float %20.15g
            thermo 20
            run 300
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    [Test]
    public void NoseHooverAndRescaleAroundTempPartialAndTempComMatchLammps()
    {
        // fix nvt on all with fix_modify temp of a temp/partial on a subgroup (each atom's bias removed and restored, as
        // LAMMPS' nh_v_temp), then temp/rescale around temp/com's centre-of-mass velocity
        var (lammps, ours, _) = RunBoth("""
            units lj
            dimension 2
            boundary p s p
            atom_style atomic
            lattice sq2 0.6
            region box block 0 12 0 10 -0.1 0.1
            create_box 2 box
            create_atoms 1 box
            mass * 1.0
            region lower block INF INF INF 0.9 INF INF
            region upper block INF INF 9.1 INF INF INF
            group lower region lower
            group upper region upper
            group wall union lower upper
            group flow subtract all wall
            set group wall type 2
            pair_style lj/cut 1.12246
            pair_coeff * * 1.0 1.0 1.12246
            neigh_modify delay 0 every 1
            compute thermal flow temp/partial 0 1 0
            velocity flow create 1.0 97287 temp thermal
            velocity upper set 1.5 0.0 0.0 units box
            fix 1 all nve
            fix 2 all nvt temp 1.0 1.0 0.5
            fix_modify 2 temp thermal
            fix 3 wall setforce 0.0 NULL 0.0
            fix 5 all enforce2d
            compute tilt flow temp/ramp vx 0 1.5 y 0 10 units lattice
            compute tcom flow temp/com
            thermo_style custom step temp c_tilt c_thermal pe etotal press pxx pyy pxy nbuild ndanger
            thermo_modify temp tilt format float %20.15g
            thermo 20
            run 200
            unfix 2
            fix 2 flow temp/rescale 5 1.0 1.0 0.02 0.5
            fix_modify 2 temp tcom
            run 200
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }
}
