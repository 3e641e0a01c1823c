namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// <c>dimension 2</c> compared with LAMMPS: the 2-d lattices (sq, sq2, hex, custom) fill the box with LAMMPS' atoms,
/// <c>velocity create</c> (loop all and geom, mom and rot) gives LAMMPS' velocities with vz = 0, thermo reports the
/// temperature with 2N − 2 degrees of freedom, the pressure and its tensor per area (pzz, pxz, pyz = 0), the area as
/// <c>vol</c>, and a short run with <c>fix enforce2d</c> (nve, nvt, a setforce before it, a minimizer) follows LAMMPS.
/// Refusals carry LAMMPS' own error texts.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class TwoDimensionVersusLammpsTests
{
    private const string Thermo = """
        thermo_style custom step temp pe ke etotal press pxx pyy pzz pxy pxz pyz vol density enthalpy lx ly lz atoms
        thermo_modify format float %20.15g
        """;

    private static (string Lammps, string Ours) RunBoth(string deck)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.deck");
        File.WriteAllText(path, deck);
        return (LammpsHarness.RunLammps(lmp, path, dir), LammpsHarness.RunDpsharp(path, dir));
    }

    [TestCase("hex 0.8", "0 6 0 4 -0.5 0.5", "mom yes rot yes")]
    [TestCase("sq 0.75", "0 7 0 7 -0.25 0.25", "loop geom")]
    [TestCase("sq2 0.8442", "0 5 0 6 -0.1 0.1", "dist gaussian mom yes")]
    [TestCase("custom 0.7 a1 1 0 0 a2 0.5 0.9 0 a3 0 0 1 basis 0 0 0 basis 0.5 0.5 0 origin 0.1 0.2 0", "0 5 0 4 -0.5 0.5", "rot yes")]
    public void LjRunWithEnforce2dMatchesLammps(string lattice, string bounds, string velocity)
    {
        var (lammps, ours) = RunBoth($"""
            units lj
            dimension 2
            lattice {lattice}
            region box block {bounds}
            create_box 2 box
            create_atoms 1 box
            region half block 0 2 INF INF INF INF
            group left region half
            mass 1 1.0
            mass 2 1.0
            velocity all create 1.5 4928 {velocity}
            pair_style lj/cut 2.5
            pair_coeff * * 1.0 1.0
            pair_modify shift yes
            neigh_modify delay 0
            fix 1 all nve
            fix 2 all enforce2d
            {Thermo}
            thermo 10
            run 60
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    /// <summary>
    /// Fixes act in the order they were defined: a z force set before enforce2d is zeroed again (the system stays flat),
    /// one set after it acts (atoms leave the plane, in LAMMPS as here).
    /// </summary>
    [TestCase("fix 2 left setforce NULL 0.2 0.5\nfix 3 all enforce2d")]
    [TestCase("fix 3 all enforce2d\nfix 2 left setforce NULL 0.2 0.5")]
    public void SetforceActsBeforeOrAfterEnforce2dAsDefined(string fixes)
    {
        var (lammps, ours) = RunBoth($"""
            units lj
            dimension 2
            lattice hex 0.7
            region box block 0 6 0 4 -0.5 0.5
            create_box 1 box
            create_atoms 1 box
            mass 1 1.0
            region half block 0 2 INF INF INF INF
            group left region half
            velocity all create 0.5 771 loop geom
            pair_style lj/cut 2.5
            pair_coeff * * 1.0 1.0
            neigh_modify delay 0
            fix 1 all nve
            {fixes}
            thermo_style custom step temp pe ke etotal press pxx pyy pzz pxy vol
            thermo_modify format float %20.15g
            thermo 10
            run 40
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    [Test]
    public void NvtAndVelocityScaleUseTwoDimensionalDegreesOfFreedom()
    {
        var (lammps, ours) = RunBoth($"""
            units lj
            dimension 2
            lattice sq2 0.8
            region box block 0 6 0 6 -0.1 0.1
            create_box 1 box
            create_atoms 1 box
            mass 1 1.0
            region low block INF INF 0 3 INF INF
            group low region low
            velocity all create 0.8 8123 loop geom
            velocity low scale 2.0
            pair_style lj/cut 2.5
            pair_coeff * * 1.0 1.0
            fix 1 all nvt temp 1.0 1.0 0.5
            fix 2 all enforce2d
            {Thermo}
            thermo 10
            run 50
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    [Test]
    public void MinimizerWithSetforceBeforeEnforce2dMatchesLammps()
    {
        var (lammps, ours) = RunBoth($"""
            units metal
            dimension 2
            lattice hex 3.0
            region box block 0 4 0 3 -0.5 0.5
            create_box 1 box
            create_atoms 1 box
            mass 1 40.0
            displace_atoms all random 0.2 0.2 0.0 9911
            region edge block INF 1 INF INF INF INF
            group edge region edge
            pair_style lj/cut 7.0
            pair_coeff * * 0.0104 3.4
            fix 1 edge setforce 0.0 NULL 0.0
            fix 2 all enforce2d
            {Thermo}
            min_style cg
            minimize 0.0 1.0e-8 50 1000
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-8);
    }

    /// <summary>A deck LAMMPS refuses: dpsharp refuses it at the same command with LAMMPS' error text.</summary>
    [TestCase("dimension 2\nlattice fcc 0.8\n", "Lattice style incompatible with simulation dimension")]
    [TestCase("lattice sq 0.8\n", "Lattice style incompatible with simulation dimension")]
    [TestCase("dimension 2\nboundary p p f\nlattice sq 0.8\nregion box block 0 4 0 4 -0.5 0.5\ncreate_box 1 box\n", "Cannot run 2d simulation with nonperiodic Z dimension")]
    [TestCase("dimension 2\nlattice sq 0.8\nregion box prism 0 4 0 4 -0.5 0.5 1 0.5 0\ncreate_box 1 box\n", "Cannot skew triclinic box in z for 2d simulation")]
    [TestCase("dimension 2\nlattice sq 0.8 origin 0 0 0.5\n", "Lattice settings are not compatible with 2d simulation")]
    [TestCase("dimension 2\nlattice custom 0.8 a1 1 0 0.5 a2 0 1 0 basis 0 0 0\n", "Lattice settings are not compatible with 2d simulation")]
    [TestCase("dimension 4\n", "Illegal dimension command")]
    [TestCase("dimension 2\nlattice sq 0.8\nregion box block 0 3 0 3 -0.5 0.5\ncreate_box 1 box\ncreate_atoms 1 box\nmass 1 1\npair_style lj/cut 2.5\npair_coeff 1 1 1 1\nfix 1 all setforce 0.0 0.1 NULL\nminimize 0 1e-6 10 10\n", "Cannot use non-zero forces in an energy minimization")]
    [TestCase("lattice fcc 0.8\nregion box block 0 2 0 2 0 2\ncreate_box 1 box\ndimension 2\n", "Dimension command after simulation box is defined")]
    [TestCase("lattice fcc 0.8\nregion box block 0 2 0 2 0 2\ncreate_box 1 box\ncreate_atoms 1 box\nmass 1 1\npair_style lj/cut 2.5\npair_coeff 1 1 1 1\nfix 1 all enforce2d\nrun 1\n", "Cannot use fix enforce2d with 3d simulation")]
    [TestCase("dimension 2\nlattice sq 0.8\nregion box block 0 2 0 2 -0.5 0.5\ncreate_box 1 box\nfix 1 all enforce2d extra\n", "Illegal fix enforce2d command")]
    public void RefusesWithLammpsErrorText(string deck, string text)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.bad");
        File.WriteAllText(path, "units lj\n" + deck);
        var psi = new System.Diagnostics.ProcessStartInfo(lmp, ["-in", path, "-log", "none", "-echo", "none"])
        {
            WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using (var p = System.Diagnostics.Process.Start(psi)!)
        {
            var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.That(output, Does.Contain("ERROR: " + text), "LAMMPS' own error for this deck");
        }
        var e = Assert.Throws<UserInputException>(() => LammpsHarness.RunDpsharp(path, dir));
        Assert.That(e!.Message, Does.Contain(text));
    }
}
