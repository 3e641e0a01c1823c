namespace DeepMD.Sharp.Tests.Input;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Tests.Dynamics;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// fix deposit against Debian's <c>lmp</c>, over one run and over several: LAMMPS' deposit examples (atoms, then dimer molecules from a template) and
/// variants with its other keywords, thermo (atom count, temperature of the growing group, energies, pressure, bond
/// energy) at <c>%20.15g</c> to 1e-9 relative at every printed step; a fix langevin on the substrate draws its random
/// numbers in LAMMPS' storage order, which the inserted atoms join at its end.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class DepositVersusLammpsTests
{
    private const string Substrate = """
        units lj
        atom_style ATOMSTYLE
        boundary p p f
        lattice fcc 1.0
        region box block 0 5 0 5 0 10
        create_box 3 box BOXEXTRA
        region substrate block INF INF INF INF INF 3
        create_atoms 1 region substrate
        pair_style lj/cut 2.5
        pair_coeff * * 1.0 1.0
        pair_coeff 1 2 1.0 1.0 5.0
        mass * 1.0
        neigh_modify delay 0
        group addatoms type 2 3
        region mobile block 0 5 0 5 2 INF
        group mobile region mobile
        compute add addatoms temp
        compute_modify add dynamic/dof yes extra/dof 0
        fix 1 addatoms nve
        fix 2 mobile langevin 1.0 1.0 0.1 587283
        fix 3 mobile nve
        region slab block 0 5 0 5 8 9
        """;

    private static void AssertSameAsLammps(string deck)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        File.WriteAllText(Path.Combine(dir, "molecule.dimer"),
            "# dimer\n\n2 atoms\n1 bonds\n\nCoords\n\n1 0 0 0\n2 1 0 0\n\nTypes\n\n1 2\n2 3\n\nBonds\n\n1 1 1 2\n");
        var path = Path.Combine(dir, "in.deck");
        File.WriteAllText(path, deck + "\n");
        var lammps = LammpsHarness.RunLammps(lmp, path, dir);
        LammpsHarness.AssertSameThermo(lammps, LammpsHarness.RunDpsharp(path, dir), 1e-9);
    }

    private static string Atomic(string deposit, string thermo = "step atoms temp epair etotal press") =>
        Substrate.Replace("ATOMSTYLE", "atomic").Replace("BOXEXTRA", "") + "\n" + deposit + $"""

        fix 5 addatoms wall/reflect zhi EDGE
        thermo_style custom {thermo}
        thermo_modify temp add format float %20.15g
        thermo 50
        run 600
        """;

    private static string Molecular(string deposit) =>
        Substrate.Replace("ATOMSTYLE", "bond").Replace("BOXEXTRA", "bond/types 1 extra/bond/per/atom 1") + $"""

        bond_style harmonic
        bond_coeff 1 5.0 1.0
        molecule dimer molecule.dimer
        {deposit}
        fix 5 addatoms wall/reflect zhi EDGE
        thermo_style custom step atoms temp epair ebond etotal press
        thermo_modify temp add lost/bond ignore lost warn format float %20.15g
        thermo 50
        run 600
        """;

    [Test]
    public void DepositedAtomsMatchLammpsAsInItsExample()
    {
        AssertSameAsLammps(Atomic("fix 4 addatoms deposit 100 2 100 12345 region slab near 1.0 vz -1.0 -1.0"));
    }

    [Test]
    public void DepositedAtomsWithGlobalHeightVelocityRangesAndIdNextMatchLammps()
    {
        // a fast insertion rate, heights drawn above the highest atom, random lateral velocities, few attempts, ids from
        // the last one inserted, and a second deposit fix inserting type 3 into the same group
        AssertSameAsLammps(Atomic("""
            fix 4 addatoms deposit 4 2 50 4242 region slab near 0.9 attempt 3 global 1.0 1.5 vx -0.3 0.3 vy -0.2 0.4 vz -1.0 -0.5 id next
            region slab2 block 1 4 1 4 7.5 9.5
            fix 6 addatoms deposit 4 3 45 777 region slab2 near 1.0 local 1.2 1.4 1.0 vz -0.8 -0.8 units lattice
            """, "step atoms temp epair etotal press f_2"));
    }

    [Test]
    public void DepositedAtomsWithRateGaussianAndTargetMatchLammps()
    {
        AssertSameAsLammps(Atomic("""
            region ball sphere 2.5 2.5 8.0 1.2
            fix 4 addatoms deposit 40 2 15 99 region ball near 0.8 gaussian 2.5 2.5 8.0 0.6 vz -1.0 -0.6 target 2.5 2.5 3.0
            fix 6 addatoms deposit 10 3 50 31337 region slab near 0.8 rate -0.2 vz -0.5 -0.5
            """));
    }

    [Test]
    public void InsertionsContinueOnTheirStepGridOverSeveralRuns()
    {
        // LAMMPS' setup_pre_exchange puts the next insertion on the grid of the first one at each run's setup
        AssertSameAsLammps(Atomic("fix 4 addatoms deposit 100 2 70 12345 region slab near 1.0 vz -1.0 -1.0")
            .Replace("run 600", "run 130\nrun 250\nrun 220"));
    }

    [Test]
    public void DepositedMoleculesMatchLammpsAsInItsExample()
    {
        AssertSameAsLammps(Molecular("fix 4 addatoms deposit 100 0 100 12345 region slab near 1.0 mol dimer vz -1.0 -1.0"));
    }

    [Test]
    public void DepositedMoleculesWithVelocityRangesAndOrientMatchLammps()
    {
        AssertSameAsLammps(Molecular("""
            fix 4 addatoms deposit 20 0 25 6543 region slab near 1.2 mol dimer vz -1.0 -1.0 vx -0.2 0.2 vy 0.0 0.3
            fix 6 addatoms deposit 8 0 60 2468 region slab near 1.2 mol dimer orient 1 1 0 vz -0.7 -0.7
            """));
    }

    [TestCase("fix 9 all deposit 10 1 100 12345 near 1.0\n", "Must specify a region in fix deposit")]
    [TestCase("fix 9 all deposit 10 1 100 0 region slab\n", "Illegal fix deposit command")]
    [TestCase("fix 9 all deposit 10 5 100 12345 region slab\n", "Invalid atom type in fix deposit command")]
    [TestCase("fix 9 all deposit 10 1 100 12345 region nowhere\n", "Region ID for fix deposit does not exist")]
    [TestCase("fix 9 all deposit 10 1 100 12345 region slab vz -1\n", "Illegal fix deposit command")]
    [TestCase("region big block 0 5 0 5 8 12\nfix 9 all deposit 10 1 100 12345 region big\n", "Deposition region extends outside simulation box")]
    [TestCase("region out block 1 2 1 2 8 9 side out\nfix 9 all deposit 10 1 100 12345 region out\n", "Fix deposit region does not support a bounding box")]
    [TestCase("fix 9 all deposit 10 1 100 12345 region slab\nreset_timestep 100\n", "Cannot reset timestep with a time-dependent fix defined")]
    [TestCase("fix 9 all deposit 10 0 100 12345 region slab mol nothing\n", "Molecule template ID for fix deposit does not exist")]
    public void RefusesWithLammpsErrorText(string lines, string text)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.bad");
        File.WriteAllText(path, "units lj\nboundary p p f\nlattice fcc 1.0\nregion box block 0 5 0 5 0 10\ncreate_box 3 box\n" +
            "region substrate block INF INF INF INF INF 3\ncreate_atoms 1 region substrate\nmass * 1.0\npair_style lj/cut 2.5\n" +
            "pair_coeff * * 1 1\nregion slab block 0 5 0 5 8 9\nfix 0 all nve\n" + lines + "run 0\n");
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
