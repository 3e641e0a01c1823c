namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// fix wall/lj93, wall/lj126, wall/lj1043 and wall/harmonic compared with LAMMPS on small decks: the same thermo rows,
/// the fix's energy (f_ID, normalised by thermo in lj units) and wall forces (f_ID[i]) included; constant, EDGE and
/// variable walls, lattice and box units, a group, pbc yes; and LAMMPS' error texts where it refuses.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class WallPotentialFixesVersusLammpsTests
{
    private static (string Lammps, string Ours) RunBoth(string deck)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.deck");
        File.WriteAllText(path, deck);
        return (LammpsHarness.RunLammps(lmp, path, dir), LammpsHarness.RunDpsharp(path, dir));
    }

    /// <summary>An lj fcc slab between z walls (non-periodic z), 288 atoms, NVE.</summary>
    private static string Slab(string boundary, string walls, string thermo) => $"""
        units lj
        boundary {boundary}
        lattice fcc 0.7
        region box block 0 4 0 4 0 6
        create_box 2 box
        region atoms block 0 4 0 4 1 5
        create_atoms 1 region atoms
        mass * 1.0
        pair_style lj/cut 2.5
        pair_coeff * * 1.0 1.0 2.5
        region top block INF INF INF INF 3.9 INF
        group top region top
        set group top type 2
        velocity all create 1.5 87287 loop geom
        fix 1 all nve
        variable zhi equal "zhi - 0.002*step"
        variable eps equal "1.0 + 0.001*step"
        {walls}
        thermo_style custom step temp pe ke etotal press {thermo}
        thermo_modify format float %20.15g
        thermo 50
        run 300
        """;

    [TestCase("fix 2 all wall/lj93 zlo 0.5 1.0 1.0 2.5 zhi EDGE 1.5 1.0 2.5", "f_2 f_2[1] f_2[2]")]
    [TestCase("fix 2 all wall/lj126 zlo 0.6 1.0 1.0 1.122462 units box\nfix 3 top wall/lj126 zhi v_zhi v_eps 1.2 2.5 units box", "f_2 f_2[1] f_3 f_3[1]")]
    [TestCase("fix 2 all wall/lj1043 zlo 0.4 1.0 1.0 2.5 zhi 5.6 0.5 1.1 2.5", "f_2 f_2[1] f_2[2]")]
    [TestCase("fix 2 all wall/harmonic zlo EDGE v_eps 1.0 2.0 zhi v_zhi 20.0 1.0 1.5 units box", "f_2 f_2[1] f_2[2]")]
    [TestCase("fix 2 all wall/lj93 zlo 0.5 1.0 1.0 2.5 zhi EDGE 1.5 1.0 2.5 pbc yes", "f_2 f_2[2]", "p p p")]
    public void WallMatchesLammps(string walls, string thermo, string boundary = "p p f")
    {
        var (lammps, ours) = RunBoth(Slab(boundary, walls, thermo));
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    /// <summary>A 2-d gas in a box of lj93 walls on x and y (LAMMPS' balance example's walls), f_ID in an equal-style variable.</summary>
    [Test]
    public void TwoDimensionalBoxOfWallsMatchesLammps()
    {
        var (lammps, ours) = RunBoth("""
            units lj
            dimension 2
            boundary f f p
            lattice hex 0.5
            region box block 0 12 0 8 -0.5 0.5
            create_box 1 box
            region inner block 1 11 1 7 INF INF
            create_atoms 1 region inner
            mass 1 1.0
            pair_style lj/cut 2.5
            pair_coeff * * 1.0 1.0 2.5
            velocity all create 1.0 482748 loop geom
            variable x equal xhi
            variable y equal yhi
            fix 1 all nve
            fix 2 all wall/lj93 xlo 0.0 1 1 2.5 xhi $x 1 1 2.5 units box
            fix 3 all wall/lj93 ylo 0.0 1 1 2.5 yhi $y 1 1 2.5 units box
            fix 4 all enforce2d
            variable ew equal f_2+f_3
            thermo_style custom step temp pe ke etotal press f_2 f_3[1] f_3[2] v_ew
            thermo_modify format float %20.15g norm no
            thermo 50
            run 300
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    [TestCase("fix 1 all wall/lj93 xlo EDGE 1 1 2.5\n", "Cannot use fix wall in periodic dimension")]
    [TestCase("fix 1 all wall/lj126 ylo EDGE 1 1 2.5 ylo 0.5 1 1 2.5\n", "Wall defined twice in fix wall command")]
    [TestCase("fix 1 all wall/harmonic ylo EDGE 1 1 0.0\n", "Fix wall cutoff <= 0.0")]
    [TestCase("fix 1 all wall/lj1043 ylo EDGE 1 1 2.5 fld maybe\n", "Illegal fix wall command")]
    [TestCase("fix 1 all wall/lj93 ylo EDGE 1 1\n", "Illegal fix wall command")]
    [TestCase("fix 1 all wall/lj93 ylo 0.5 1 1 2.5\nrun 0\n", "Particle on or inside fix wall surface")]
    [TestCase("fix 1 all wall/harmonic yhi 2.0 1 1 2.5\nrun 0\n", "Particle on or inside fix wall surface")]
    public void RefusesWithLammpsErrorText(string line, string text)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.bad");
        File.WriteAllText(path, "units lj\nboundary p f p\nlattice sc 0.8\nregion box block 0 3 0 3 0 3\ncreate_box 2 box\ncreate_atoms 1 box\nmass * 1.0\n" +
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
