namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// fix deform (every length and tilt style, remap x and v, box flips), fix nvt/sllod and compute temp/deform compared
/// with LAMMPS on small decks: the same thermo rows (box lengths and tilts included), and LAMMPS' error texts.
/// With remap none the atoms stay while their images move with the box; LAMMPS' rebuild check (box corners plus atom
/// displacements) then misses pairs that a list rebuilt every step finds, so that case is compared with lists rebuilt
/// every step.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class DeformVersusLammpsTests
{
    private static (string Lammps, string Ours) RunBoth(string deck)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.deck");
        File.WriteAllText(path, deck);
        return (LammpsHarness.RunLammps(lmp, path, dir), LammpsHarness.RunDpsharp(path, dir));
    }

    [TestCase("x erate 0.05 y volume z scale 1.0")]
    [TestCase("x final 0 7 y delta -0.2 0.3 z vel 0.1")]
    [TestCase("x trate 0.1 z volume")]
    [TestCase("x wiggle 0.4 0.5 y vel -0.1 z volume")]
    [TestCase("xz vel 0.5 yz erate 0.3 xy final 1.0")]
    [TestCase("xy trate 0.1")]
    [TestCase("x variable v_d v_r")]
    [TestCase("x delta -0.1 0.1 y erate -0.02 xy vel 0.2 remap none", "neigh_modify every 1 delay 0 check no")]
    public void DeformMatchesLammps(string spec, string neighbor = "")
    {
        var (lammps, ours) = RunBoth($"""
            units lj
            lattice fcc 0.8442
            region box prism 0 4 0 4 0 4 0.1 0.0 0.0
            create_box 1 box
            create_atoms 1 box
            mass * 1.0
            velocity all create 1.44 87287 loop geom
            pair_style lj/cut 2.5
            pair_coeff * * 1.0 1.0 2.5
            {neighbor}
            variable d equal "0.3*sin(step*0.01)"
            variable r equal "0.3*0.01/dt*cos(step*0.01)"
            fix 1 all nve
            fix 2 all deform 2 {spec} units box
            thermo_style custom step temp pe ke etotal press pxy xy xz yz lx ly lz
            thermo_modify format float %20.15g
            thermo 50
            run 300
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    /// <summary>LAMMPS' nemd example (2-d SLLOD shear flow), at a shear rate that flips the box several times in 250 steps,
    /// with compute temp/deform in thermo and as the pressure's temperature; and the 3-d form in lattice units.</summary>
    [TestCase("dimension 2\nlattice sq2 0.8442\nregion box prism 0 10 0 8 -0.5 0.5 0 0 0", "xy erate 0.5 remap v")]
    [TestCase("lattice fcc 0.8442\nregion box prism 0 4 0 4 0 4 0 0 0", "xy vel 0.3 xz erate 0.1 remap v")]
    public void SllodShearMatchesLammps(string geometry, string deform)
    {
        var (lammps, ours) = RunBoth($"""
            units lj
            {geometry}
            create_box 2 box
            create_atoms 1 box
            mass * 1.0
            velocity all create 1.44 87287 loop geom
            region slice block 1 2 INF INF INF INF
            set region slice type 2
            pair_style lj/cut 2.5
            pair_coeff * * 1.0 1.0 1.0
            neighbor 0.3 bin
            neigh_modify delay 0 every 1
            fix 1 all nvt/sllod temp 1.0 1.0 1.0
            fix 2 all deform 1 {deform}
            compute tilt all temp/deform
            compute p all pressure tilt
            thermo_style custom step temp c_tilt c_1_temp c_tilt[4] pe ke etotal press c_p pxy xy xz lx
            thermo_modify format float %20.15g
            thermo 50
            run 250
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    [TestCase("fix 1 all deform 1 x volume\n", "Fix deform volume setting is invalid")]
    [TestCase("fix 1 all deform 1 x volume y volume\n", "Fix deform volume setting is invalid")]
    [TestCase("fix 1 all deform 0 x scale 1.1\n", "Illegal fix deform command")]
    [TestCase("fix 1 all deform 1 x scale 1.1 remap q\n", "Illegal fix deform command")]
    [TestCase("fix 1 all deform 1 x erate -2.0\nrun 200\n", "Final box dimension due to fix deform is < 0.0")]
    [TestCase("fix 1 all deform 1 x scale 1.1\nfix 2 all deform 1 y scale 1.1\nrun 1\n", "More than one fix deform")]
    [TestCase("fix 1 all deform 1 xy trate 0.1\nrun 1\n", "Cannot use fix deform trate on a box with zero tilt")]
    [TestCase("fix 1 all nvt/sllod temp 1 1 1\nrun 1\n", "Using fix nvt/sllod with no fix deform defined")]
    [TestCase("fix 1 all nvt/sllod temp 1 1 1\nfix 2 all deform 1 xy erate 0.1\nrun 1\n", "Using fix nvt/sllod with inconsistent fix deform remap option")]
    public void RefusesWithLammpsErrorText(string line, string text)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.bad");
        File.WriteAllText(path, "units lj\nlattice sc 0.8\nregion box prism 0 3 0 3 0 3 0 0 0\ncreate_box 1 box\ncreate_atoms 1 box\nmass * 1.0\n" +
            "pair_style lj/cut 2.5\npair_coeff * * 1 1\nfix 0 all nve\n" + line);
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
        var e = Assert.Throws(Is.InstanceOf<UserInputException>(), () => LammpsHarness.RunDpsharp(path, dir));
        Assert.That(e!.Message, Does.Contain(text));
    }
}
