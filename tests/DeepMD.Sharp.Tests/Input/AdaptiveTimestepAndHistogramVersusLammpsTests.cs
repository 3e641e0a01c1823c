namespace DeepMD.Sharp.Tests.Input;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Tests.Dynamics;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// fix dt/reset (the adaptive timestep, with thermo <c>dt</c> and <c>time</c> following it) and fix ave/histo (global
/// scalar and vector inputs, per-atom inputs, ave one/running/window, beyond ignore/end/extra, its file and its global
/// vector and array) against Debian's <c>lmp</c> on decks of their own: thermo at <c>%20.15g</c> to 1e-9 relative and
/// the histogram files line for line.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class AdaptiveTimestepAndHistogramVersusLammpsTests
{
    private static (string Lammps, string Ours, string Dir) RunBoth(string deck)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.deck");
        File.WriteAllText(path, deck);
        var lammps = LammpsHarness.RunLammps(lmp, path, dir);
        foreach (var f in Directory.GetFiles(dir, "*.histo")) File.Move(f, f + ".lammps");
        return (lammps, LammpsHarness.RunDpsharp(path, dir), dir);
    }

    private static void AssertSameFiles(string dir, params string[] names)
    {
        foreach (var name in names)
        {
            var theirs = File.ReadAllLines(Path.Combine(dir, name + ".lammps"));
            var ours = File.ReadAllLines(Path.Combine(dir, name));
            Assert.That(ours, Has.Length.EqualTo(theirs.Length), $"{name}: line count");
            Assert.That(theirs.Length, Is.GreaterThan(3), $"{name}: LAMMPS wrote histograms");
            for (var i = 0; i < theirs.Length; i++) Assert.That(ours[i], Is.EqualTo(theirs[i]), $"{name}, line {i + 1}");
        }
    }

    [Test]
    public void DtResetChangesTheTimestepAndElapsedTimeAsLammps()
    {
        // LAMMPS' COUPLE/fortran2/in.simple with a run: the timestep follows the fastest atom every step (f_2 is the last
        // step it changed, histogrammed by ave/histo); then emax and lattice units with Nevery 5 under fix nvt; then a
        // fixed timestep and reset_timestep, so thermo time must add each step at the timestep it was taken with
        var (lammps, ours, dir) = RunBoth("""
            units lj
            atom_modify map array
            lattice bcc 1.0
            region simbox block 0 8 0 8 0 8
            create_box 2 simbox
            create_atoms 1 region simbox
            pair_style lj/cut 2.5
            pair_coeff * * 1.0 1.0
            mass 1 58.2
            mass 2 28.3
            velocity all create 1200.0 7474848 dist gaussian
            fix 1 all nve
            fix 2 all dt/reset 1 1E-5 1E-3 0.01 units box
            fix 4 all ave/histo 10 5 100 0.5 1.5 50 f_2 file temp.histo ave running
            thermo_style custom step dt time temp press etotal f_4[1][1] f_4[1] f_4[2] f_4[3] f_4[4] f_4[50][2] f_2
            thermo_modify format float %20.15g
            thermo 100
            run 600
            thermo_style custom step dt time temp press etotal
            unfix 4
            unfix 1
            unfix 2
            fix 1 all nvt temp 1000.0 1000.0 0.05
            fix 2 all dt/reset 5 NULL 2E-3 0.01 emax 0.5
            run 300
            unfix 2
            timestep 0.0007
            run 200
            reset_timestep 50
            run 100
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
        AssertSameFiles(dir, "temp.histo");
    }

    [Test]
    public void HistogramsOfPerAtomAndGlobalInputsMatchLammps()
    {
        // per-atom velocities (mode vector, beyond extra, a window of 3) on a group, per-atom compute and atom-style
        // variable (beyond end, running), global scalars: a compute, a vector element, an equal-style variable (ave one),
        // a compute's global vector; every f_ID[i] and some f_ID[i][j] in thermo and a formula
        var (lammps, ours, dir) = RunBoth("""
            units lj
            atom_style atomic
            lattice fcc 0.8442
            region box block 0 5 0 5 0 5
            create_box 1 box
            create_atoms 1 box
            mass 1 1.0
            velocity all create 1.5 87287 loop geom
            pair_style lj/cut 2.5
            pair_coeff 1 1 1.0 1.0 2.5
            neighbor 0.3 bin
            neigh_modify delay 0 every 1 check yes
            fix 1 all nve
            region left block 0 2.5 INF INF INF INF
            group left region left
            compute ke all ke/atom
            variable e atom 2*c_ke+0.1*x
            variable p equal pe
            compute t all temp
            fix h1 left ave/histo 2 5 10 -2 2 20 vx vy vz mode vector beyond extra ave window 3 file h1.histo
            fix h2 all ave/histo 1 10 10 0 3 15 c_ke v_e mode vector beyond end ave running file h2.histo
            fix h3 all ave/histo 5 2 10 0.5 2.0 10 c_t c_thermo_press[1] v_p file h3.histo
            fix h4 all ave/histo 10 1 10 -5 5 5 c_thermo_press mode vector ave running file h4.histo
            variable frac equal f_h1[5][3]+f_h2[2][2]
            thermo_style custom step temp pe f_h1[1] f_h1[2] f_h1[3] f_h1[4] f_h1[1][1] f_h1[1][2] f_h1[11][2] f_h1[22][3] f_h2[1] f_h2[3] f_h2[4] f_h2[15][2] f_h3[1] f_h3[2] f_h3[3] f_h3[4] f_h4[1] f_h4[3][2] v_frac
            thermo_modify format float %20.15g
            thermo 10
            run 100
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
        AssertSameFiles(dir, "h1.histo", "h2.histo", "h3.histo", "h4.histo");
    }

    [TestCase("fix 9 all dt/reset 0 1e-5 1e-3 0.01\n", "Illegal fix dt/reset command")]
    [TestCase("fix 9 all dt/reset 1 1e-3 1e-5 0.01\n", "Illegal fix dt/reset command")]
    [TestCase("fix 9 all dt/reset 1 NULL NULL 0.0\n", "Illegal fix dt/reset command")]
    [TestCase("fix 9 all dt/reset 1 NULL NULL 0.1 emax -1\n", "Illegal fix dt/reset command")]
    [TestCase("fix 9 all dt/reset 1 NULL NULL 0.1\nreset_timestep 10\n", "Cannot reset timestep with a time-dependent fix defined")]
    [TestCase("fix 9 all ave/histo 1 1 1 0 1 10 vx\n", "Fix ave/histo cannot input per-atom values in scalar mode")]
    [TestCase("fix 9 all ave/histo 1 1 1 0 1 10 file\n", "No values in fix ave/histo command")]
    [TestCase("fix 9 all ave/histo 2 3 5 0 1 10 c_thermo_temp\n", "Illegal fix ave/histo command")]
    [TestCase("fix 9 all ave/histo 1 1 1 1 0 10 c_thermo_temp\n", "Illegal fix ave/histo command")]
    [TestCase("fix 9 all ave/histo 1 1 1 0 1 10 c_thermo_temp vx mode vector\n", "Fix ave/histo input kind is invalid")]
    [TestCase("compute k all ke/atom\nfix 9 all ave/histo 1 1 1 0 1 10 c_k\n", "Fix ave/histo cannot input per-atom values in scalar mode")]
    [TestCase("fix 9 all ave/histo 1 1 1 0 1 10 c_thermo_pe mode vector\n", "Fix ave/histo compute does not calculate a global vector")]
    [TestCase("fix 9 all ave/histo 1 1 1 0 1 10 c_thermo_press[7]\n", "Fix ave/histo compute vector is accessed out-of-range")]
    [TestCase("fix 9 all ave/histo 1 1 1 0 1 10 c_thermo_temp ave one overwrite\n", "Illegal fix ave/histo command")]
    [TestCase("fix 8 all ave/time 2 1 2 c_thermo_temp\nfix 9 all ave/histo 1 1 1 0 1 10 f_8\n", "Fix for fix ave/histo not computed at compatible time")]
    [TestCase("fix 8 all ave/time 1 1 1 c_thermo_temp\nfix 9 all ave/histo 1 1 1 0 1 10 f_8\nunfix 8\n", "Fix ID for fix ave/histo does not exist")]
    [TestCase("variable a atom x\nfix 9 all ave/histo 1 1 1 0 1 10 v_a[2] mode vector\n", "Fix ave/histo variable cannot be indexed")]
    public void RefusesWithLammpsErrorText(string lines, string text)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.bad");
        File.WriteAllText(path, "units lj\nlattice sc 0.8\nregion box block 0 3 0 3 0 3\ncreate_box 1 box\ncreate_atoms 1 box\nmass * 1.0\n" +
            "pair_style lj/cut 2.5\npair_coeff * * 1 1\nfix 0 all nve\n" + lines + "run 2\n");
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
