namespace DeepMD.Sharp.Tests.Input;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Tests.Dynamics;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// <c>create_atoms TYPE random N SEED REGION|NULL [mol TEMPLATE SEED]</c> against Debian's <c>lmp</c>: LAMMPS'
/// Park–Miller stream and draw order put every atom at the same place, checked through sums, maxima and minima of the
/// positions and types, the energy of a soft potential and a short run (thermo at <c>%20.15g</c> to 1e-9 relative), in
/// an orthogonal box with the bounding boxes of block, sphere, cylinder, union, intersect and side-out regions, in a
/// triclinic box with molecules and a prism region, and in 2-d.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class CreateAtomsRandomVersusLammpsTests
{
    private const string Probe = """
        compute p all property/atom x y z type
        compute s all reduce sum c_p[1] c_p[2] c_p[3] c_p[4]
        compute m all reduce max c_p[1] c_p[2] c_p[3]
        compute n all reduce min c_p[1] c_p[2] c_p[3]
        pair_style soft 1.0
        pair_coeff * * 10.0
        neigh_modify delay 0 every 1 check yes
        fix 1 all nve
        thermo_style custom step atoms pe ke c_s[1] c_s[2] c_s[3] c_s[4] c_m[1] c_m[2] c_m[3] c_n[1] c_n[2] c_n[3]
        thermo_modify format float %20.15g
        thermo 10
        run 40
        """;

    private static void AssertSameAsLammps(string deck)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.deck");
        File.WriteAllText(path, deck + "\n" + Probe + "\n");
        var lammps = LammpsHarness.RunLammps(lmp, path, dir);
        LammpsHarness.AssertSameThermo(lammps, LammpsHarness.RunDpsharp(path, dir), 1e-9);
    }

    [Test]
    public void RandomAtomsInAnOrthogonalBoxAndRegionsMatchLammps()
    {
        AssertSameAsLammps("""
            units lj
            atom_style atomic
            region box block 0 10 0 12 -2 8 units box
            create_box 3 box
            create_atoms 1 random 150 4567 NULL
            region s sphere 5 5 3 3.5 units box
            create_atoms 2 random 60 991 s
            region c cylinder y 7 2 2.5 INF INF units box
            region b block 6 9 1 11 0 5 units box
            region u union 2 s b
            region i intersect 2 c b
            region o sphere 5 5 3 2 side out units box
            create_atoms 3 random 40 777 u
            create_atoms 3 random 30 778 i
            create_atoms 2 random 20 779 o
            create_atoms 1 random 25 780 c
            mass * 1.0
            """);
    }

    [Test]
    public void RandomMoleculesInATriclinicBoxMatchLammps()
    {
        var dimer = Path.Combine(RepoPaths.TempDir(), "molecule.dimer");
        File.WriteAllText(dimer, "# dimer\n\n2 atoms\n1 bonds\n\nCoords\n\n1 0 0 0\n2 1 0 0\n\nTypes\n\n1 2\n2 3\n\nBonds\n\n1 1 1 2\n");
        AssertSameAsLammps($"""
            units lj
            atom_style bond
            region box prism 0 10 0 12 -2 8 2.0 -1.5 1.0 units box
            create_box 3 box bond/types 1 extra/bond/per/atom 1
            molecule dimer {dimer}
            create_atoms 1 random 150 4567 NULL
            region s sphere 5 5 3 3.5 units box
            create_atoms 0 random 30 991 s mol dimer 4242
            region p prism 1 6 2 8 0 4 1.0 0.5 -0.5 units box
            create_atoms 1 random 40 1234 p
            mass * 1.0
            bond_style harmonic
            bond_coeff 1 5.0 1.0
            """);
    }

    [Test]
    public void RandomAtomsInTwoDimensionsMatchLammps()
    {
        AssertSameAsLammps("""
            units lj
            dimension 2
            atom_style atomic
            region box block 0 20 0 15 -0.5 0.5 units box
            create_box 2 box
            create_atoms 1 random 120 31415 NULL
            region c cylinder z 10 7 4 INF INF units box
            create_atoms 2 random 40 27182 c
            mass * 1.0
            """);
    }

    [TestCase("create_atoms 1 random 10 0 NULL\n", "Illegal create_atoms command")]
    [TestCase("create_atoms 1 random 10 5\n", "Illegal create_atoms command")]
    [TestCase("create_atoms 1 random 10 5 NULL overlap 0.5\n", "Illegal create_atoms command")]
    [TestCase("create_atoms 1 random 10 5 nowhere\n", "Create_atoms region ID does not exist")]
    [TestCase("region far block 20 30 0 1 0 1 units box\ncreate_atoms 1 random 10 5 far\n", "No overlap of box and region for create_atoms")]
    public void RefusesWithLammpsErrorText(string lines, string text)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.bad");
        File.WriteAllText(path, "units lj\nregion box block 0 5 0 5 0 5 units box\ncreate_box 1 box\nmass * 1.0\n" + lines);
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
