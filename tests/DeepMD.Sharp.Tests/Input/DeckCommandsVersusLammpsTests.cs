namespace DeepMD.Sharp.Tests.Input;

using System.Diagnostics;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Tests.Dynamics;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// Deck commands compared with LAMMPS (<c>lmp</c>) on small decks, thermo at the precision printed (%20.15g):
/// <c>fix_modify</c> (energy, temp, press, respa), <c>compute_modify</c> (extra/dof, dynamic/dof), <c>velocity … temp</c>,
/// <c>comm_style</c>, <c>run_style verlet</c>, <c>balance</c> and <c>fix balance</c>, <c>change_box</c>, atom-style
/// variables; and LAMMPS' error texts where it refuses.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class DeckCommandsVersusLammpsTests
{
    private static (string Lammps, string Ours) RunBoth(string deck)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.deck");
        File.WriteAllText(path, deck);
        return (LammpsHarness.RunLammps(lmp, path, dir), LammpsHarness.RunDpsharp(path, dir));
    }

    private const string Melt = """
        units lj
        atom_style atomic
        lattice fcc 0.8442
        region box block 0 4 0 4 0 4
        create_box 2 box
        create_atoms 1 box
        mass * 1.0
        region half block INF 2 INF INF INF INF
        group left region half
        set group left type 2
        pair_style lj/cut 2.5
        pair_coeff * * 1.0 1.0 2.5
        neigh_modify delay 0

        """;

    [Test]
    public void FixModifyComputeModifyVelocityTempAndBalanceMatchLammps()
    {
        var (lammps, ours) = RunBoth(Melt + """
            comm_style brick
            compute tleft left temp
            compute_modify tleft extra/dof 2
            compute_modify thermo_temp extra/dof 5 dynamic/dof yes
            velocity all create 1.5 87287 temp tleft
            run_style verlet
            balance 1.0 shift x 5 1.1 weight time 1.0
            fix 1 all nve
            fix 2 left temp/berendsen 1.2 1.2 0.5
            fix_modify 2 temp tleft
            fix 3 all addforce 0.1 0.0 0.05
            fix_modify 3 energy yes respa 1
            fix 4 all balance 100 1.1 shift xyz 10 1.1
            thermo_style custom step temp pe ke etotal press c_tleft
            thermo_modify format float %20.15g
            thermo 20
            run 100
            velocity all scale 1.0 temp tleft
            fix_modify 3 energy no
            run 40
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    [Test]
    public void ThermoModifyTempUsesTheComputeForTempKeAndPressAsLammps()
    {
        var (lammps, ours) = RunBoth(Melt + """
            compute tleft left temp
            compute_modify tleft extra/dof 1
            velocity all create 1.1 87287
            fix 1 all nve
            thermo_style custom step temp pe ke etotal press
            thermo_modify temp tleft format float %20.15g
            thermo 20
            run 60
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    [Test]
    public void FixModifyTempAndPressOnNptMatchLammps()
    {
        var (lammps, ours) = RunBoth(Melt + """
            compute tleft left temp
            compute myp all pressure tleft
            velocity all create 1.2 4928459
            fix 1 all npt temp 1.0 1.0 0.5 iso 1.0 1.0 2.0
            fix_modify 1 temp tleft press myp
            thermo_style custom step temp pe etotal press vol c_tleft
            thermo_modify format float %20.15g
            thermo 25
            run 100
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    [Test]
    public void FixModifyEnergyOfAnIndenterJoinsTheMinimizersEnergyAsInLammps()
    {
        var (lammps, ours) = RunBoth(Melt + """
            fix 1 all indent 10.0 sphere 3.3 3.3 3.3 2.0
            fix_modify 1 energy yes
            thermo_style custom step pe etotal press
            thermo_modify format float %20.15g
            thermo 5
            minimize 0.0 1e-8 30 100
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-8);
    }

    [Test]
    public void ChangeBoxSequencesMatchLammps()
    {
        var (lammps, ours) = RunBoth(Melt + """
            velocity all create 1.0 87287
            fix 1 all nve
            thermo_style custom step temp pe etotal press vol lx ly lz xy xz yz
            thermo_modify format float %20.15g
            thermo 20
            run 20
            change_box all x scale 1.02 y delta -0.1 0.1 z final 0 4.1 remap
            run 20
            change_box all x final 0 4.2 y volume remap units lattice
            run 20
            change_box all x delta 0 0.1 y volume z volume remap units box
            run 20
            change_box all triclinic
            change_box all xy final 0.3 remap xz delta 0.2 yz final -0.1 remap units box
            run 20
            change_box all set x scale 0.99 remap
            run 20
            change_box left x scale 1.01
            change_box all boundary p p f z delta -0.5 0.5 units box
            run 20
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    /// <summary>
    /// Atom-style variables (per-atom names, math, thermo keywords, other variables) in group variable, velocity set,
    /// fix addforce and setforce and dump custom; internal, file (with next), getenv, format and uloop variables.
    /// </summary>
    [Test]
    public void AtomStyleAndOtherVariableStylesMatchLammps()
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        File.WriteAllText(Path.Combine(dir, "vals.txt"), "# values for a file variable\n0.5\n\n0.7\n");
        var path = Path.Combine(dir, "in.deck");
        File.WriteAllText(path, """
            units lj
            atom_style atomic
            lattice fcc 0.8442
            region box block 0 4 0 4 0 4
            create_box 2 box
            create_atoms 1 box
            mass 1 1.0
            mass 2 2.0
            variable left atom "x < 3.0 && y > 1.0"
            group left variable left
            set group left type 2
            pair_style lj/cut 2.5
            pair_coeff * * 1.0 1.0 2.5
            neigh_modify delay 0
            variable k internal 0.3
            variable scale file vals.txt
            variable kf format k %.3f
            variable vx0 atom 0.2*sin(y)+v_k*(type-1)
            variable vz0 equal 0.05*v_scale
            velocity all create 1.0 87287
            velocity all set v_vx0 NULL v_vz0 sum yes
            variable fx atom -v_k*(x-lx/2)*mass
            variable fz atom 0.02*type+id*0
            variable fy equal 0.01*v_scale
            fix 1 all nve
            fix 2 all addforce v_fx v_fy v_fz
            variable hold atom "id <= 4"
            group hold variable hold
            fix 3 hold setforce 0.0 v_fy NULL
            variable kin atom 0.5*mass*(vx^2+vy^2+vz^2)
            dump d all custom 25 dump.txt id type v_kin v_fx
            thermo_style custom step temp pe ke etotal press
            thermo_modify format float %20.15g
            thermo 25
            run 50
            next scale
            run 50
            print "kf=${kf} scale=${scale}"
            variable n uloop 3
            label again
            print "n=${n}"
            next n
            jump SELF again
            """);
        var lammps = LammpsHarness.RunLammps(lmp, path, dir);
        var lammpsDump = File.ReadAllText(Path.Combine(dir, "dump.txt"));
        var ours = LammpsHarness.RunDpsharp(path, dir);
        var ourDump = File.ReadAllText(Path.Combine(dir, "dump.txt"));
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
        foreach (var line in new[] { "96 atoms in group left", "4 atoms in group hold", "kf=0.300 scale=0.7", "n=1", "n=2", "n=3" })
        {
            Assert.That(lammps, Does.Contain(line), "LAMMPS' output");
            Assert.That(ours, Does.Contain(line));
        }
        // the dump's v_ columns (printed with %g), atoms matched by id within each frame (the storage orders differ)
        var theirs = DumpRows(lammpsDump);
        var mine = DumpRows(ourDump);
        Assert.That(mine.Keys, Is.EquivalentTo(theirs.Keys));
        foreach (var (key, row) in theirs)
            for (var c = 0; c < row.Length; c++)
                Assert.That(mine[key][c], Is.EqualTo(row[c]).Within(Math.Max(1e-12, 2e-5 * Math.Abs(row[c]))), $"dump frame {key.Frame} atom {key.Id} column {c}");
    }

    /// <summary>The numeric rows of a text dump's ATOMS sections by (frame, first column = id).</summary>
    private static Dictionary<(int Frame, string Id), double[]> DumpRows(string dump)
    {
        var rows = new Dictionary<(int, string), double[]>();
        var frame = -1;
        var inAtoms = false;
        foreach (var line in dump.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("ITEM:", StringComparison.Ordinal))
            {
                inAtoms = line.StartsWith("ITEM: ATOMS", StringComparison.Ordinal);
                if (inAtoms) frame++;
                continue;
            }
            if (!inAtoms) continue;
            var w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            rows[(frame, w[0])] = w.Skip(1).Select(x => double.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        }
        return rows;
    }

    [Test]
    public void NeighModifyExcludeTypesAndGroupsMatchLammps()
    {
        var (lammps, ours) = RunBoth("""
            units lj
            atom_style atomic
            lattice fcc 0.8442
            region box block 0 4 0 4 0 4
            create_box 3 box
            create_atoms 1 box
            mass * 1.0
            region half block INF 2 INF INF INF INF
            group left region half
            set group left type 2
            region top block INF INF INF INF 3 INF
            group top region top
            set group top type 3
            pair_style lj/cut 2.5
            pair_coeff * * 1.0 1.0 2.5
            neigh_modify delay 0 exclude type 1 2 exclude group top left
            velocity all create 0.3 87287
            fix 1 all nve
            thermo_style custom step temp pe ke etotal press
            thermo_modify format float %20.15g
            thermo 20
            run 20
            neigh_modify exclude none exclude type 3 3
            run 40
            neigh_modify exclude none
            run 20
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    private static readonly string Atoms = Melt;

    [TestCase("fix_modify 1\n", "Illegal fix_modify command")]
    [TestCase("fix_modify 9 energy yes\n", "Could not find fix_modify ID")]
    [TestCase("fix_modify 1 energy yes\n", "Illegal fix_modify command")]
    [TestCase("fix_modify 1 energy maybe\n", "Illegal fix_modify command")]
    [TestCase("fix_modify 2 temp nope\n", "Could not find fix_modify temperature ID")]
    [TestCase("compute p all pe\nfix_modify 2 temp p\n", "Fix_modify temperature ID does not compute temperature")]
    [TestCase("fix_modify 2 press thermo_press\n", "Illegal fix_modify command")]
    [TestCase("compute_modify nope extra/dof 1\n", "Could not find compute_modify ID")]
    [TestCase("compute_modify thermo_temp extra/dof\n", "Illegal compute_modify command")]
    [TestCase("compute_modify thermo_temp dynamic/dof sometimes\n", "Illegal compute_modify command")]
    [TestCase("compute_modify thermo_temp colour blue\n", "Illegal compute_modify command")]
    [TestCase("velocity all create 1.0 1234 temp nope\n", "Could not find velocity temperature ID")]
    [TestCase("compute p all pe\nvelocity all create 1.0 1234 temp p\n", "Velocity temperature ID does not compute temperature")]
    [TestCase("comm_style\n", "Illegal comm_style command")]
    [TestCase("comm_style ring\n", "Illegal comm_style command")]
    [TestCase("run_style\n", "Illegal run_style command")]
    [TestCase("run_style fast\n", "Illegal integrate style")]
    [TestCase("balance 1.0\n", "Illegal balance command")]
    [TestCase("balance 1.0 shift xx 5 1.1\n", "Balance shift string is invalid")]
    [TestCase("balance 1.0 shift x 0 1.1\n", "Illegal balance command")]
    [TestCase("balance 1.0 rcb\n", "Balance rcb cannot be used with comm_style brick")]
    [TestCase("balance 1.0 shift x 5 1.1 weight colour 1\n", "Unknown (fix) balance weight method: colour")]
    [TestCase("fix 5 all balance 10 1.1\n", "Illegal fix balance command")]
    [TestCase("fix 5 all balance 10 1.1 rcb\n", "Fix balance rcb cannot be used with comm_style brick")]
    [TestCase("fix 5 all balance 10 1.1 shift xyx 10 1.1\n", "Fix balance shift string is invalid")]
    [TestCase("variable a atom x\nvariable b equal v_a+1\nprint ${b}\n", "Atom-style variable in equal-style variable formula")]
    [TestCase("variable a atom x\nprint ${a}\n", "Substitution for illegal variable a")]
    [TestCase("variable a equal 1\nvariable a atom x\n", "Cannot redefine variable as a different style")]
    [TestCase("variable a internal 1 2\n", "Illegal variable command")]
    [TestCase("variable a format b %d\n", "Incorrect conversion in format string")]
    [TestCase("variable a equal 1\nnext a\n", "Invalid variable style with next command")]
    [TestCase("group g variable nope\n", "Variable name for group does not exist")]
    [TestCase("variable a equal 1\ngroup g variable a\n", "Variable for group is invalid style")]
    [TestCase("velocity all set v_nope NULL NULL\n", "Variable name for velocity set does not exist")]
    [TestCase("variable a string x\nvelocity all set v_a NULL NULL\n", "Variable for velocity set is invalid style")]
    [TestCase("variable a equal 1\ndump d all custom 1 d.txt id v_a\nrun 0\n", "Dump custom variable a is not atom-style variable")]
    [TestCase("dump d all custom 1 d.txt id v_nope\nrun 0\n", "Could not find dump custom variable name")]
    [TestCase("neigh_modify exclude\n", "Illegal neigh_modify command")]
    [TestCase("neigh_modify exclude type 1\n", "Illegal neigh_modify command")]
    [TestCase("neigh_modify exclude group all nope\n", "Invalid group ID in neigh_modify command")]
    [TestCase("neigh_modify exclude molecule/intra all\n", "Neigh_modify exclude molecule requires atom attribute molecule")]
    [TestCase("neigh_modify exclude colour 1 2\n", "Illegal neigh_modify command")]
    [TestCase("thermo_modify temp nope\n", "Could not find thermo_modify temperature ID")]
    [TestCase("compute p all pe\nthermo_modify temp p\n", "Thermo_modify temperature ID does not compute temperature")]
    [TestCase("change_box all\n", "Illegal change_box command")]
    [TestCase("change_box nope x scale 1.1\n", "Could not find change_box group ID")]
    [TestCase("change_box all x stretch 1.1\n", "Illegal change_box command")]
    [TestCase("change_box all y volume\n", "Change_box volume used incorrectly")]
    [TestCase("change_box all x scale 1.1 x volume\n", "Change_box volume used incorrectly")]
    [TestCase("change_box all xy final 0.1\n", "Cannot change box tilt factors for orthogonal box")]
    [TestCase("change_box all triclinic xy final 0.1 ortho\n", "Cannot change box to orthogonal when tilt is non-zero")]
    [TestCase("change_box all x final 2 1\n", "Box bounds are invalid or missing")]
    [TestCase("change_box all x scale 1.1 units metres\n", "Illegal change_box command")]
    [TestCase("dump d all atom 10 d.txt\nchange_box all triclinic\n", "Cannot change box ortho/triclinic with dumps defined")]
    [TestCase("change_box all triclinic xy final 4.0\n", "Triclinic box skew is too large")]
    public void RefusalsUseLammpsWords(string tail, string lammpsText)
    {
        var deck = Atoms + "fix 1 all nve\nfix 2 all temp/rescale 1 1.0 1.0 0.02 1.0\n" + tail;
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.bad");
        File.WriteAllText(path, deck);
        var psi = new ProcessStartInfo(lmp, ["-in", path, "-log", "none", "-echo", "none"])
        {
            WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        var line = output.Split('\n').First(l => l.StartsWith("ERROR", StringComparison.Ordinal));
        Assert.That(line, Does.Contain(lammpsText), "the deck's expected LAMMPS text");

        using var session = new DeckSession(new StringWriter(), dir, logFile: null);
        var ours = Assert.Throws<UserInputException>(() => session.RunFile(path))!.Message;
        Assert.That(ours, Does.Contain(lammpsText));
    }
}
