namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// <c>set</c>, <c>delete_atoms</c>, <c>fix wall/reflect</c>, <c>fix addforce</c>, <c>fix aveforce</c> and <c>fix indent</c> compared with LAMMPS on small decks:
/// the same thermo rows (types changed by set, type/fraction's position-seeded choice, positions and velocities set,
/// walls reflecting atoms on non-periodic faces, forces added and averaged, in MD and in a minimization), and
/// LAMMPS' error texts where it refuses.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class SetAndWallFixesVersusLammpsTests
{
    private static (string Lammps, string Ours) RunBoth(string deck)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.deck");
        File.WriteAllText(path, deck);
        return (LammpsHarness.RunLammps(lmp, path, dir), LammpsHarness.RunDpsharp(path, dir));
    }

    private const string Box2d = """
        units lj
        dimension 2
        boundary p p p
        lattice hex 0.8
        region box block 0 8 0 6 -0.25 0.25
        create_box 3 box
        create_atoms 1 box
        mass * 1.0
        pair_style lj/cut 2.5
        pair_coeff * * 1.0 1.0 2.5
        pair_coeff 1 2 1.2 1.0 2.5
        pair_coeff 2 3 0.8 1.1 2.5
        neigh_modify delay 0
        """;

    [Test]
    public void SetTypesPositionsAndVelocitiesMatchLammps()
    {
        var (lammps, ours) = RunBoth($"""
            {Box2d}
            region lower block INF INF INF 1.2 INF INF
            group lower region lower
            set group lower type 2
            region upper block INF INF 4.5 INF INF INF
            set region upper type 3
            set type 1 type/fraction 3 0.3 12345
            set atom 5*9 vx 0.5 vy -0.25
            set atom 17 x 0.2
            set atom 3 image 1 0 0
            velocity all create 1.0 8711 loop geom
            fix 1 all nve
            fix 2 all enforce2d
            thermo_style custom step temp pe ke etotal press pxx pyy pxy
            thermo_modify format float %20.15g
            thermo 10
            run 30
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    [Test]
    public void AddforceAndAveforceInMdMatchLammps()
    {
        var (lammps, ours) = RunBoth($"""
            {Box2d}
            region lower block INF INF INF 1.2 INF INF
            group lower region lower
            region upper block INF INF 4.5 INF INF INF
            group upper region upper
            group boundary union lower upper
            group flow subtract all boundary
            set group lower type 2
            set group upper type 3
            velocity flow create 1.0 482748
            fix 1 all nve
            fix 2 lower setforce 0.0 0.0 0.0
            fix 3 upper aveforce 0.0 -0.5 NULL
            fix 4 flow addforce 0.3 0.0 0.0
            region mid block 2 5 INF INF INF INF
            fix 5 flow addforce 0.0 0.1 0.0 region mid
            fix 6 all enforce2d
            thermo_style custom step temp pe ke etotal press pxx pyy pxy
            thermo_modify format float %20.15g
            thermo 10
            run 40
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    [Test]
    public void WallReflectKeepsAGasInsideAsLammps()
    {
        var (lammps, ours) = RunBoth("""
            units metal
            boundary p f f
            lattice sc 6
            region box block 0 5 0 5 0 5
            create_box 1 box
            create_atoms 1 box
            mass 1 39.95
            pair_style lj/cut 8.5
            pair_coeff * * 0.01 3.4 8.5
            neighbor 2.0 bin
            velocity all create 900 482748
            fix 1 all nve
            fix 2 all wall/reflect ylo EDGE yhi EDGE zlo 0.1 zhi 4.9
            thermo_style custom step temp pe ke etotal press
            thermo_modify format float %20.15g
            thermo 50
            run 400
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    /// <summary>fix indent (LAMMPS' indent example, shortened): a moving spherical indenter from an equal-style variable
    /// with xlat/ylat, a cylinder and a plane, pressing on a 2-d crystal held by setforce at the bottom.</summary>
    [TestCase("sphere 10 v_y 0 5.0")]
    [TestCase("cylinder z 10 v_y 6.0 side out")]
    [TestCase("plane y v_yp hi units box")]
    public void IndentMatchesLammps(string geometry)
    {
        var (lammps, ours) = RunBoth($"""
            dimension 2
            boundary p f p
            neighbor 0.3 bin
            neigh_modify delay 5
            lattice hex 0.9
            region box block 0 20 0 10 -0.25 0.25
            create_box 2 box
            create_atoms 1 box
            mass * 1.0
            pair_style lj/cut 2.5
            pair_coeff * * 1.0 1.0 2.5
            region 1 block INF INF INF 1.25 INF INF
            group lower region 1
            group mobile subtract all lower
            set group lower type 2
            velocity mobile create 0.2 482748
            fix 1 all nve
            fix 2 lower setforce 0.0 0.0 0.0
            fix 3 all temp/rescale 100 0.1 0.1 0.01 1.0
            timestep 0.003
            variable k equal 1000.0/xlat
            variable y equal "12.8*ylat - step*dt*1.0*ylat"
            variable yp equal "9.8*ylat - step*dt*0.5*ylat"
            fix 4 all indent $k {geometry}
            fix 5 all enforce2d
            thermo_style custom step temp pe ke etotal press pxx pyy pxy
            thermo_modify format float %20.15g
            thermo 50
            run 300
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    /// <summary>
    /// delete_atoms by region and by group: LAMMPS' removal order (a removed slot takes the last atom) and the compressed
    /// ids 1..N that follow from it, so a later id group, velocity create loop all and a group fix pick LAMMPS' atoms.
    /// </summary>
    [Test]
    public void DeleteAtomsRenumbersAsLammps()
    {
        var (lammps, ours) = RunBoth("""
            units lj
            lattice fcc 0.8442
            region box block 0 5 0 5 0 5
            create_box 1 box
            create_atoms 1 box
            mass 1 1.0
            region void sphere 2.5 2.5 2.5 1.2
            delete_atoms region void
            region low block INF INF INF 1.0 INF INF
            group low region low
            group odd id 1:500:37
            delete_atoms group odd
            velocity all create 0.8 87287 loop all
            velocity low set 0.0 0.0 0.0
            pair_style lj/cut 2.5
            pair_coeff 1 1 1.0 1.0 2.5
            neigh_modify delay 0
            fix 1 all nve
            fix 2 low setforce 0.0 0.0 0.0
            thermo_style custom step atoms temp pe ke etotal press pxx pyy pzz
            thermo_modify format float %20.15g
            thermo 20
            run 60
            """);
        Assert.That(ours, Does.Contain("Deleted 38 atoms, new total = 462").And.Contain("Deleted 13 atoms, new total = 449"));
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    [TestCase("set group nosuch type 2\n", "Could not find set group ID")]
    [TestCase("set region nosuch type 2\n", "Set region ID does not exist")]
    [TestCase("set type 1 type 7\n", "Invalid value in set command")]
    [TestCase("set type 1 type/fraction 2 1.5 7\n", "Invalid value in set command")]
    [TestCase("set type 1 type/fraction 2 0.5 0\n", "Invalid random number seed in set command")]
    [TestCase("set type 1 charge 0.5\n", "Cannot set this attribute for this atom style")]
    [TestCase("variable s equal 0.2\nset atom 1 x v_s\n", "Variable for set command is invalid style")]
    [TestCase("set atom 1 x v_nosuch\n", "Variable name for set command does not exist")]
    [TestCase("fix 1 all wall/reflect xlo EDGE\n", "Cannot use fix wall/reflect in periodic dimension")]
    [TestCase("fix 1 all wall/reflect ylo EDGE ylo 0.5\n", "Wall defined twice in fix wall/reflect command")]
    [TestCase("fix 1 all wall/reflect ylo EDGE foo 1\n", "Illegal fix wall/reflect command")]
    [TestCase("fix 1 all addforce 1 0 0 region nosuch\n", "Region ID for fix addforce does not exist")]
    [TestCase("fix 1 all aveforce 1 NULL 0 region nosuch\n", "Region ID for fix aveforce does not exist")]
    [TestCase("fix 1 all indent 10 sphere 1 1 1 1 foo\n", "Illegal fix indent command")]
    [TestCase("delete_atoms group nosuch\n", "Could not find delete_atoms group ID")]
    [TestCase("delete_atoms region nosuch\n", "Could not find delete_atoms region ID")]
    [TestCase("fix 1 all indent 10 plane q 1 lo\n", "Illegal fix indent command")]
    public void RefusesWithLammpsErrorText(string line, string text)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.bad");
        File.WriteAllText(path, "units lj\nboundary p f p\nlattice sc 0.8\nregion box block 0 3 0 3 0 3\ncreate_box 2 box\ncreate_atoms 1 box\nmass * 1.0\n" + line);
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
