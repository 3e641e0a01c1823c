namespace DeepMD.Sharp.Tests.Input;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Tests.Dynamics;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// Deck commands of LAMMPS' example decks (issue 18) compared with Debian's <c>lmp</c> on small decks: regions union,
/// intersect and plane with side in/out, rotating and moving regions (created atoms, set types, groups and a force in a
/// moving region shape the trajectory); velocity ramp with sum and units; fix langevin on groups with zero, tally, scale
/// and a variable temperature; set with atom-style variables and random(); run pre/post; fix balance's global values;
/// and LAMMPS' error texts where it refuses.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class RegionVelocityLangevinVersusLammpsTests
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
    public void UnionIntersectPlaneRotatingAndMovingRegionsMatchLammps()
    {
        var (lammps, ours) = RunBoth("""
            units lj
            dimension 2
            boundary p p p
            lattice hex 0.9
            region box block 0 20 0 12 -0.25 0.25
            create_box 4 box
            region lo block INF INF INF 4 INF INF
            region above block INF INF INF 4 INF INF side out
            region asp sphere 10 4 0 3
            region half intersect 2 asp above
            region two union 2 lo half
            create_atoms 1 region two
            region top block INF INF 8 INF INF INF
            create_atoms 2 region top
            mass * 1.0
            pair_style lj/cut 2.5
            pair_coeff * * 1.0 1.0 2.5
            pair_coeff 1 2 0.7 1.0 2.5
            pair_coeff 3 3 1.3 1.0 2.5
            pair_coeff 2 4 0.5 1.1 2.5
            region slant plane 10 6 0 1 1 0
            set region slant type 3
            region notslant plane 10 6 0 1 1 0 side out units box
            group ns region notslant
            variable th equal 0.4
            region rot block 4 8 0 12 INF INF rotate v_th 6 6 0 0 0 1
            set region rot type 4
            region both intersect 2 rot notslant side out
            group nb region both
            variable dx equal 0.05*step
            region mover block 0 3 INF INF INF INF move v_dx NULL NULL units box
            velocity all create 0.5 4928 loop geom
            velocity ns set 0.1 0.0 0.0 sum yes
            velocity nb set 0.0 -0.1 0.0 sum yes
            fix 1 all nve
            fix 2 all addforce 0.0 0.3 0.0 region mover
            fix 3 all enforce2d
            thermo_style custom step atoms temp pe ke etotal press pxx pyy pxy
            thermo_modify format float %20.15g
            thermo 20
            run 200
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    [Test]
    public void LangevinOnGroupsWithZeroTallyScaleAndVariableTemperatureMatchesLammps()
    {
        var (lammps, ours) = RunBoth("""
            units lj
            lattice fcc 0.8442
            region box block 0 5 0 5 0 5
            create_box 2 box
            create_atoms 1 box
            mass 1 1.0
            mass 2 2.0
            region half block INF INF INF INF INF 2.5
            group lower region half
            set group lower type 2
            group upper subtract all lower
            velocity all create 1.0 87287 loop geom
            pair_style lj/cut 2.5
            pair_coeff * * 1.0 1.0 2.5
            neighbor 0.3 bin
            neigh_modify every 1 delay 0 check yes
            variable tc equal 1.1+0.001*step
            fix 1 all nve
            fix 2 lower langevin 1.5 1.2 0.5 48279 zero yes tally yes scale 2 2.5
            fix 3 upper langevin v_tc 1.0 0.8 9127 tally yes
            thermo_style custom step temp pe ke etotal press f_2 f_3 ecouple econserve
            thermo_modify format float %20.15g
            thermo 20
            run 100
            run 40
            """);
        // as LangevinVersusLammpsTests: the same random numbers reach the same atoms, so the runs agree to round-off
        LammpsHarness.AssertSameThermo(lammps, ours, relTol: 3e-11, absFloor: 1e-9);
    }

    [Test]
    public void FixBalanceGlobalValuesOnOneProcessMatchLammps()
    {
        var (lammps, ours) = RunBoth("""
            units lj
            lattice fcc 0.8442
            region box block 0 4 0 4 0 4
            create_box 1 box
            create_atoms 1 box
            mass 1 1.0
            pair_style lj/cut 2.5
            pair_coeff 1 1 1.0 1.0 2.5
            velocity all create 1.0 87287 loop geom
            fix 1 all nve
            fix 10 all balance 50 0.9 shift xy 10 1.1
            fix 11 all balance 50 1.5 shift x 10 1.1
            fix 12 all balance 0 0.5 shift zxy 10 1.1
            thermo_style custom step temp pe f_10 f_10[1] f_10[2] f_10[3] f_11 f_11[1] f_11[2] f_11[3] f_12 f_12[2]
            thermo_modify format float %20.15g
            thermo 50
            run 100
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    [Test]
    public void LangevinWithInternalAndAtomStyleTemperatureVariablesMatchesLammps()
    {
        // LAMMPS' controller example without fix controller (Debian's lmp lacks EXTRA-FIX): the target temperature from
        // an internal variable, then from an equal-style one of the step, then per atom from an atom-style one, with zero yes.
        var (lammps, ours) = RunBoth("""
            units lj
            lattice fcc 0.8442
            region box block 0 4 0 4 0 4
            create_box 1 box
            create_atoms 1 box
            mass 1 1.0
            velocity all create 1.44 87287 loop geom
            pair_style lj/cut 2.5
            pair_coeff 1 1 1.0 1.0 2.5
            neighbor 0.3 bin
            neigh_modify delay 0 every 1 check yes
            fix 1 all nve
            variable tcontrol internal 0.5
            variable tatom atom 0.5+0.1*(x>3)
            fix tstat all langevin v_tcontrol 0.5 0.5 2938940
            thermo_style custom step temp pe etotal press
            thermo_modify format float %20.15g
            thermo 20
            run 60
            variable teq equal 0.9-0.002*elapsed
            fix tstat all langevin v_teq 0.5 0.5 2938940
            run 60
            fix tstat all langevin v_tatom 0.5 0.5 2938940 zero yes
            run 60
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, relTol: 3e-11, absFloor: 1e-9);
    }

    [Test]
    public void LangevinWithTemperatureBiasOfRegionAndPartialComputesMatchesLammps()
    {
        // LAMMPS' KAPPA/in.langevin, smaller: hot and cold slabs thermostatted through fix_modify temp with temp/region
        // (atoms outside the slab feel neither drag nor noise) and tallied; then temp/partial (only x and z thermostatted).
        var (lammps, ours) = RunBoth("""
            units lj
            lattice fcc 0.6
            region box block 0 4 0 4 0 8
            create_box 1 box
            create_atoms 1 box
            mass 1 1.0
            velocity all create 1.35 87287
            pair_style lj/cut 2.5
            pair_coeff 1 1 1.0 1.0
            neighbor 0.3 bin
            neigh_modify delay 0 every 1
            region hot block INF INF INF INF 0 1
            region cold block INF INF INF INF 4 5
            compute Thot all temp/region hot
            compute Tcold all temp/region cold
            compute Tpart all temp/partial 1 0 1
            fix 1 all nve
            fix hot all langevin 1.7 1.7 1.0 59804 tally yes
            fix cold all langevin 1.0 1.0 1.0 287859 tally yes
            fix_modify hot temp Thot
            fix_modify cold temp Tcold
            variable tdiff equal c_Thot-c_Tcold
            thermo_style custom step temp c_Thot c_Tcold f_hot f_cold v_tdiff pe etotal
            thermo_modify format float %20.15g
            thermo 50
            run 200
            unfix hot
            unfix cold
            fix part all langevin 1.2 1.2 0.5 4321 zero yes
            fix_modify part temp Tpart
            thermo_style custom step temp c_Tpart pe etotal press
            thermo_modify format float %20.15g
            run 100
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, relTol: 3e-11, absFloor: 1e-9);
    }

    [TestCase("region u union 2 nosuch other\n", "Region union region ID does not exist")]
    [TestCase("region a block 0 1 0 1 0 1\nregion u intersect 2 a nosuch\n", "Region intersect region ID does not exist")]
    [TestCase("region a block 0 1 0 1 0 1\nregion b block 1 2 0 1 0 1\nvariable d equal 1\nregion u union 2 a b move v_d NULL NULL\n", "Region union or intersect cannot be dynamic")]
    [TestCase("region p plane 0 0 0 0 0 0\n", "Illegal region plane command")]
    [TestCase("region p block 0 1 0 1 0 1 move v_nosuch NULL NULL\n", "Variable name for region does not exist")]
    [TestCase("variable th equal 1\nregion p block 0 1 0 1 0 1 rotate v_th 0 0 0 0 0 0\n", "Region cannot have 0 length rotation vector")]
    [TestCase("region nosuch delete\n", "Delete region ID does not exist")]
    [TestCase("velocity all ramp vq 0 1 x 0 1\n", "Illegal velocity command")]
    [TestCase("fix 1 all langevin 1.0 1.0 0.0 5\n", "Fix langevin period must be > 0.0")]
    [TestCase("fix 1 all langevin 1.0 1.0 1.0 5 zero maybe\n", "Illegal fix langevin command")]
    [TestCase("fix 1 all langevin 1.0 1.0 1.0 5 scale 3 2.0\n", "Illegal fix langevin command")]
    [TestCase("variable v atom x\nfix 1 all langevin v_w 1.0 1.0 5\nfix 2 all nve\nrun 0\n", "Variable name for fix langevin does not exist")]
    [TestCase("variable s string abc\nfix 1 all langevin v_s 1.0 1.0 5\nfix 2 all nve\nrun 0\n", "Variable for fix langevin is invalid style")]
    [TestCase("run 10 every 2\n", "Illegal run command")]
    public void RefusesWithLammpsErrorText(string line, string text)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.bad");
        File.WriteAllText(path, "units lj\nboundary p f p\nlattice sc 0.8\nregion box block 0 3 0 3 0 3\ncreate_box 2 box\ncreate_atoms 1 box\nmass * 1.0\n"
            + "pair_style lj/cut 2.5\npair_coeff * * 1.0 1.0 2.5\n" + line);
        var psi = new System.Diagnostics.ProcessStartInfo(lmp, ["-in", path, "-log", "none", "-echo", "none"])
        {
            WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using (var p = System.Diagnostics.Process.Start(psi)!)
        {
            var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.That(output, Does.Contain("ERROR").And.Contain(text + " (src/"), "LAMMPS' own error for this deck");
        }
        var e = Assert.Throws<UserInputException>(() => LammpsHarness.RunDpsharp(path, dir));
        Assert.That(e!.Message, Does.Contain(text));
    }
}
