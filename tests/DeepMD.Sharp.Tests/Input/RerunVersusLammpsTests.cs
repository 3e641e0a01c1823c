namespace DeepMD.Sharp.Tests.Input;

using DeepMD.Sharp.Tests.Dynamics;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// read_dump and rerun against LAMMPS: dumps written by <c>lmp</c> (dump custom with x or xs or xu columns, dump atom
/// with image flags, a dump of half the atoms, triclinic boxes) are read back by the same deck in <c>lmp</c> and in
/// dpsharp, and every thermo value (energies, pressure tensor, computes of positions, image flags and velocities,
/// the atom count) agrees at <c>%20.15g</c>. Also LAMMPS' own rerun example decks at printed precision,
/// and LAMMPS' error texts.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class RerunVersusLammpsTests
{
    private const string Lattice = """
        units lj
        lattice fcc 0.8442
        region box block 0 4 0 4 0 4
        create_box 2 box
        create_atoms 1 box
        mass * 1.0
        """;

    private const string Triclinic = """
        units lj
        lattice fcc 0.8442
        region box prism 0 4 0 4 0 4 0.9 0.6 -0.4
        create_box 2 box
        create_atoms 1 box
        mass * 1.0
        """;

    private const string Pair = """
        pair_style lj/cut 2.5
        pair_coeff * * 1.0 1.0 2.5
        neighbor 0.3 bin
        """;

    /// <summary>The dumps (written by lmp): 256 atoms, two types, a melt with atoms crossing the faces, 200 steps.</summary>
    private static string Producer(string box) => $"""
        {box}
        set type 1 type/fraction 2 0.3 4321
        velocity all create 3.0 87287 loop geom
        {Pair}
        fix 1 all nve
        group half id <= 128
        dump 1 all custom 20 lj.dump id type x y z vx vy vz
        dump_modify 1 format float %20.15g
        dump 2 all atom 20 lj.atom.dump
        dump_modify 2 image yes
        dump 3 all custom 20 lj.unwrapped.dump id type xu yu zu vx vy vz
        dump_modify 3 format float %20.15g
        dump 4 half custom 20 half.dump id type x y z vx vy vz
        dump_modify 4 format float %20.15g
        dump 5 all custom 20 lj.scaled.dump id type xs ys zs ix iy iz
        dump_modify 5 format float %20.15g
        thermo 100
        run 200
        """;

    private const string Outputs = """
        compute p all property/atom xu yu zu vx type ix
        compute sp all reduce sum c_p[1] c_p[2] c_p[3] c_p[4] c_p[5] c_p[6]
        compute d all displace/atom
        compute sd all reduce max c_d[1] c_d[4]
        thermo_style custom step atoms temp pe ke etotal press pxx pyy pxy pyz c_sp[1] c_sp[2] c_sp[3] c_sp[4] c_sp[5] c_sp[6] c_sd[1] c_sd[2]
        thermo_modify format float %20.15g
        """;

    /// <param name="box">The deck's box commands (orthogonal or triclinic).</param>
    /// <param name="deckBody">The thermo interval and the read_dump/rerun commands.</param>
    /// <param name="relTol">
    /// 1e-10; 1e-8 for triclinic boxes, where LAMMPS maps every atom through fractional coordinates and back while
    /// reading (last-bit changes dpsharp does not make), visible in the tiny displacements of dump atom's 6-digit
    /// positions (3.4e-6 differing by 4e-15).
    /// </param>
    private static void Compare(string box, string deckBody, double relTol = 1e-10)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var producer = Path.Combine(dir, "in.producer");
        File.WriteAllText(producer, Producer(box));
        LammpsHarness.RunLammps(lmp, producer, dir);
        var deck = Path.Combine(dir, "in.deck");
        File.WriteAllText(deck, $"{box}\n{Pair}\n{Outputs}\n{deckBody}\n");
        var lammps = LammpsHarness.RunLammps(lmp, deck, dir);
        var ours = LammpsHarness.RunDpsharp(deck, dir);
        LammpsHarness.AssertSameThermo(lammps, ours, relTol);
    }

    [TestCase("thermo 40\nrerun lj.dump first 20 last 180 every 40 dump x y z vx vy vz")]
    [TestCase("thermo 50\nrerun lj.unwrapped.dump start 0 stop 200 dump x y z vx vy vz")]
    [TestCase("thermo 20\nrerun lj.atom.dump skip 3 dump x y z ix iy iz box no")]
    [TestCase("thermo 0\nrerun lj.scaled.dump lj.dump first 60 last 140 post yes dump x y z ix iy iz")]
    [TestCase("thermo 100\nrerun half.dump lj.unwrapped.dump every 60 dump x y z vx vy vz replace yes")]
    public void RerunMatchesLammps(string rerun) => Compare(Lattice, rerun);

    [TestCase("thermo 40\nrerun lj.dump dump x y z vx vy vz")]
    [TestCase("thermo 40\nrerun lj.scaled.dump dump x y z ix iy iz")]
    [TestCase("thermo 40\nrerun lj.unwrapped.dump first 100 dump x y z vx vy vz")]
    [TestCase("thermo 40\nrerun lj.atom.dump every 100 dump x y z ix iy iz")]
    public void TriclinicRerunMatchesLammps(string rerun) => Compare(Triclinic, rerun, 1e-8);

    [Test]
    public void ReadDumpSnapshotsWithEveryKeywordMatchLammps() => Compare(Lattice, """
        thermo 10
        read_dump lj.dump 200 x y z vx vy vz
        run 0 post no
        read_dump lj.atom.dump 100 x y z ix iy iz box no
        run 0 post no
        read_dump lj.unwrapped.dump 60 x y z vx vy vz
        run 0 post no
        read_dump lj.scaled.dump 180 x y z ix iy iz box yes replace yes
        run 0
        read_dump half.dump 100 x y z vx vy vz trim yes
        run 0 post no
        read_dump lj.dump 120 x y z vx vy vz add yes
        run 0 post no
        read_dump lj.dump 140 x y z vx vy vz label vx vy label vy vx purge yes replace no add keep
        run 0 post no
        read_dump lj.dump 160 x y z vx vy vz scaled no wrapped yes
        run 20
        """);

    [Test]
    public void TriclinicReadDumpMatchesLammps() => Compare(Triclinic, """
        thermo 10
        read_dump lj.scaled.dump 200 x y z ix iy iz
        run 0 post no
        read_dump lj.unwrapped.dump 60 x y z vx vy vz
        run 0 post no
        read_dump lj.atom.dump 100 x y z ix iy iz
        run 10
        """, 1e-8);

    /// <summary>LAMMPS' error texts for bad read_dump and rerun commands, with the same dumps.</summary>
    [TestCase("read_dump lj.dump 30 x y z", "Dump file does not contain requested snapshot")]
    [TestCase("read_dump lj.dump 20 x y z q", "Read dump of atom property that isn't allocated")]
    [TestCase("read_dump lj.dump 20 x y z x", "Duplicate fields in read_dump command")]
    [TestCase("read_dump lj.dump 20 x y z purge yes", "If read_dump purges it cannot replace or trim")]
    [TestCase("read_dump lj.dump 20 x y z format adios", "Unrecognized reader style 'adios' is part of the ADIOS package which is not enabled in this LAMMPS binary.")]
    [TestCase("read_dump lj.dump 20 x y z format molfile", "Unrecognized reader style 'molfile' is part of the MOLFILE package which is not enabled in this LAMMPS binary.")]
    [TestCase("read_dump lj.dump 20 x y z format foo", "Unrecognized reader style 'foo'")]
    [TestCase("read_dump lj.dump 20 x y z box maybe", "Illegal read_dump command")]
    [TestCase("rerun lj.dump first 500 dump x y z", "Rerun dump file does not contain requested snapshot")]
    [TestCase("rerun lj.dump first 100 last 50 dump x y z", "Illegal rerun command")]
    [TestCase("rerun lj.dump first 100", "Illegal rerun command")]
    [TestCase("rerun lj.dump stop 50 dump x y z", "Read rerun dump file timestep > specified stop")]
    public void RefusalsCarryLammpsText(string command, string text)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var producer = Path.Combine(dir, "in.producer");
        File.WriteAllText(producer, Producer(Lattice));
        LammpsHarness.RunLammps(lmp, producer, dir);
        var deck = Path.Combine(dir, "in.deck");
        File.WriteAllText(deck, $"{Lattice}\n{Pair}\n{command}\n");
        var lammps = RunLammpsExpectingError(lmp, deck, dir);
        Assert.That(lammps, Does.Contain("ERROR: " + text), "LAMMPS' own text");
        var e = Assert.Catch(() => LammpsHarness.RunDpsharp(deck, dir))!;
        Assert.That(e.Message, Does.Contain(text));
    }

    private static string RunLammpsExpectingError(string lmp, string deck, string dir)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(lmp, ["-in", deck, "-log", "none", "-echo", "none"])
        {
            WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return o.Result + e.Result;
    }

    /// <summary>
    /// fix vector and the formula functions of a whole vector (slope, trap, sum, min, max, ave) on vectors and array
    /// columns, across two runs, with extensive values normalised in lj thermo.
    /// </summary>
    [Test]
    public void FixVectorAndVectorFunctionsMatchLammps()
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var deck = Path.Combine(dir, "in.deck");
        File.WriteAllText(deck, $"""
            {Lattice}
            velocity all create 1.44 87287 loop geom
            {Pair}
            fix 1 all nve
            compute msd all msd com yes
            variable t equal temp
            fix 9 all vector 10 c_msd[4]
            fix 7 all vector 20 v_t c_msd[3]
            fix 6 all vector 5 c_thermo_pe
            variable s equal slope(f_9)/4/(10*dt)
            variable tr equal 0.5*dt*trap(f_9)
            variable su equal sum(f_9)
            variable mn equal min(f_9)
            variable mx equal max(f_9)
            variable av equal ave(f_9)
            variable s2 equal slope(f_7[2])
            variable a1 equal ave(f_7[1])
            variable e equal sum(f_6)+trap(f_6)
            variable f1 equal f_9[1]
            variable f72 equal f_7[1][2]
            variable f61 equal f_6[1]
            thermo_style custom step temp c_msd[4] v_s v_tr v_su v_mn v_mx v_av v_s2 v_a1 v_e v_f1 v_f72 v_f61
            thermo_modify format float %20.15g
            thermo 100
            run 300
            run 200
            """);
        var lammps = LammpsHarness.RunLammps(lmp, deck, dir);
        var ours = LammpsHarness.RunDpsharp(deck, dir);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    /// <summary>LAMMPS' own example decks (through the example-deck harness: capped runs, printed precision).</summary>
    [TestCase("rerun/in.rerun")]
    [TestCase("rerun/in.read_dump")]
    [TestCase("rerun/in.rdf.rerun")]
    [CancelAfter(900_000)]
    public void ExampleDeckMatchesLammps(string deck)
    {
        var lmp = LammpsHarness.RequireLammps();
        Requirement.That(Directory.Exists(LammpsExampleDeckTests.ExamplesRoot), Requirement.Lammps, "LAMMPS' example decks (lammps-examples) are needed");
        var result = LammpsExampleDeckTests.RunOne(lmp, deck);
        Assert.That(result.Outcome, Is.EqualTo(LammpsExampleDeckTests.Outcome.Matches), result.Reason);
    }
}
