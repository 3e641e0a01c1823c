namespace DeepMD.Sharp.Tests.Input;

using System.Diagnostics;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Input.Parsing;
using DeepMD.Sharp.Tests.Dynamics;
using DeepMD.Sharp.Tests.Support;
using CommandLine = DeepMD.Sharp.Cli.CommandLine;

/// <summary>
/// The deck language beyond pair styles: the settings that change nothing on one process (dimension 3, newton,
/// comm_modify, atom_modify map/first) run as LAMMPS runs them, their errors read as LAMMPS', and a refused deck lists
/// every command it lacks.
/// </summary>
[TestFixture]
public class DeckLanguageTests
{
    private const string Melt = """
        units           lj
        dimension       3
        newton          off on
        atom_modify     map array
        comm_modify     mode single cutoff 3.0 vel yes
        atom_style      atomic
        lattice         fcc 0.8442
        region          box block 0 5 0 5 0 5
        create_box      1 box
        create_atoms    1 box
        mass            1 1.0
        velocity        all create 3.0 87287 loop geom
        pair_style      lj/cut 2.5
        pair_coeff      1 1 1.0 1.0 2.5
        neighbor        0.3 bin
        neigh_modify    every 20 delay 0 check no
        fix             1 all nve
        thermo          50
        run             200
        comm_modify     cutoff 4.0
        run             100
        """;

    [Test]
    public void SerialNoOpSettingsGiveLammpsThermo()
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var deck = Path.Combine(dir, "in.noop");
        File.WriteAllText(deck, Melt);
        var theirs = LammpsHarness.RunLammps(lmp, deck, dir);
        var ours = LammpsHarness.RunDpsharp(deck, dir);
        Assert.That(LammpsExampleDeckTests.FirstDifference(theirs, ours), Is.Null);
    }

    private const string Box = """
        units           lj
        lattice         fcc 0.8442
        region          box block 0 2 0 2 0 2
        create_box      1 box

        """;

    private const string Atoms = Box + "create_atoms 1 box\nmass 1 1.0\npair_style lj/cut 2.5\npair_coeff * * 1.0 1.0\n";

    [TestCase("dimension 4\n")]
    [TestCase("dimension 3 3\n")]
    [TestCase(Box + "dimension 3\n")]
    [TestCase("newton sometimes\n")]
    [TestCase("newton on on on\n")]
    [TestCase(Box + "newton on off\n")]
    [TestCase("comm_modify\n")]
    [TestCase("comm_modify cutoff\n")]
    [TestCase("comm_modify cutoff -1\n")]
    [TestCase("comm_modify mode triple\n")]
    [TestCase(Atoms + "thermo_style custom step v_nope\nrun 0\n")]
    [TestCase(Atoms + "variable s index 3\nthermo_style custom step v_s\nrun 0\n")]
    public void RefusalsUseLammpsWords(string deck)
    {
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
        var lammps = line["ERROR: ".Length..line.LastIndexOf(" (", StringComparison.Ordinal)];

        using var session = new DeckSession(new StringWriter(), dir, logFile: null);
        var ours = Assert.Throws<UserInputException>(() => session.RunFile(path))!.Message;
        Assert.That(ours, Does.Contain(lammps));
    }

    [Test]
    public void ThermoColumnsOfVariablesGiveLammpsValues()
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var deck = Path.Combine(dir, "in.v");
        File.WriteAllText(deck, Melt.Replace("thermo          50\n",
            "variable        t2 equal temp*2+v_half\nvariable        half equal 0.5\nvariable        ep equal pe/atoms-press\n"
            + "thermo_style    custom step v_t2 temp pe v_ep press\nthermo_modify   norm no\nthermo          50\n"));
        var theirs = LammpsHarness.RunLammps(lmp, deck, dir);
        var ours = LammpsHarness.RunDpsharp(deck, dir);
        Assert.That(LammpsExampleDeckTests.Tables(ours)[0].Header, Does.Contain("v_t2"));
        Assert.That(LammpsExampleDeckTests.FirstDifference(theirs, ours), Is.Null);
    }

    // Liquid argon written in each unit style: metres, joules, kilograms and seconds per Å, eV, amu and fs.
    [TestCase("si", 1e-10, 1.602176634e-19, 1.66053907e-27, 1e-15)]
    [TestCase("cgs", 1e-8, 1.602176634e-12, 1.66053907e-24, 1e-15)]
    [TestCase("electron", 1.88972612, 1.0 / 27.211386, 1.0, 1.0)]
    [TestCase("micro", 1e-4, 1.602176634e-4, 1.66053907e-12, 1e-9)]
    [TestCase("nano", 0.1, 160.2176634, 1.66053907e-6, 1e-6)]
    public void UnitStylesGiveLammpsThermo(string units, double angstrom, double eV, double amu, double fs)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var deck = Path.Combine(dir, "in.units");
        string F(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllText(deck, $"""
            units           {units}
            lattice         fcc {F(5.6 * angstrom)}
            region          box block 0 4 0 4 0 4
            create_box      1 box
            create_atoms    1 box
            mass            1 {F(39.95 * amu)}
            velocity        all create 120.0 4928459 loop geom
            pair_style      lj/cut {F(8.5 * angstrom)}
            pair_coeff      1 1 {F(0.0104 * eV)} {F(3.4 * angstrom)}
            neighbor        {F(1.0 * angstrom)} bin
            timestep        {F(5.0 * fs)}
            fix             1 all nve
            thermo_style    custom step temp pe ke etotal press vol
            thermo          50
            run             200
            """);
        var theirs = LammpsHarness.RunLammps(lmp, deck, dir);
        var ours = LammpsHarness.RunDpsharp(deck, dir);
        Assert.That(LammpsExampleDeckTests.FirstDifference(theirs, ours), Is.Null);
    }

    [TestCase("region ball sphere 4 4 4 2.6\nregion rod cylinder z 4 4 1.5 INF INF side out\n", "ball", "rod")]
    [TestCase("region ball sphere 3.1 3.3 3.9 2.2 side out units lattice\nregion rod cylinder x 4.2 3.0 1.2 1 5.5\n", "ball", "rod")]
    [TestCase("region ball sphere 8.0 8.0 8.0 5.0 units box\nregion rod cylinder y 7.0 8.0 3.0 EDGE 6.0 units box\n", "ball", "rod")]
    public void SphereAndCylinderRegionsSelectLammpsAtoms(string regions, string a, string b)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var deck = Path.Combine(dir, "in.regions");
        File.WriteAllText(deck, $"""
            units           lj
            lattice         fcc 0.8442
            region          box block 0 8 0 8 0 8
            create_box      2 box
            {regions}
            create_atoms    1 region {a}
            mass            * 1.0
            group           picked region {b}
            velocity        picked create 1.0 87287 loop geom
            pair_style      lj/cut 2.5
            pair_coeff      * * 1.0 1.0 2.5
            fix             1 all nve
            thermo_style    custom step atoms temp pe press
            thermo          25
            run             50
            """);
        var theirs = LammpsHarness.RunLammps(lmp, deck, dir);
        var ours = LammpsHarness.RunDpsharp(deck, dir);
        Assert.That(LammpsExampleDeckTests.FirstDifference(theirs, ours), Is.Null);
    }

    [Test]
    public void IfBranchesRunAsInLammps()
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var deck = Path.Combine(dir, "in.if");
        File.WriteAllText(deck, Melt.Replace("run             200\n", """
            variable        n loop 3
            label           again
            if "${n} == 1" then "variable eps equal 1.0" "thermo 20" elif "${n} > 2 && ${n} < 9" "variable eps equal 0.8" else "variable eps equal 1.2"
            if "metal == lj" then "quit" else "print 'not metal'"
            if "pe < -1e9" then "run 1000"
            pair_coeff      1 1 ${eps} 1.0 2.5
            run             40
            next            n
            jump            SELF again

            """).Replace("run             100", ""));
        var theirs = LammpsHarness.RunLammps(lmp, deck, dir);
        var ours = LammpsHarness.RunDpsharp(deck, dir);
        Assert.That(LammpsExampleDeckTests.Tables(ours), Has.Count.EqualTo(3));
        Assert.That(LammpsExampleDeckTests.FirstDifference(theirs, ours), Is.Null);
    }

    [TestCase("if 1 > 0\n")]
    [TestCase("if 1 > 0 then\n")]
    [TestCase("if 1 > 0 otherwise 'print 1'\n")]
    [TestCase("if 1 > 0 then 'print 1' else\n")]
    public void IfRefusalsUseLammpsWords(string deck) => RefusalsUseLammpsWords(deck);

    [Test]
    public void AtomModifyFirstIsAccepted()
    {
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.first");
        File.WriteAllText(path, "atom_modify first all sort 0 0.0\n" + Box + "create_atoms 1 box\n");
        using var session = new DeckSession(new StringWriter(), dir, logFile: null);
        session.RunFile(path);
        Assert.That(session.Simulation!.Atoms.Count, Is.EqualTo(32));
    }

    private const string Gappy = """
        units           lj
        dimension       2
        atom_style      atomic
        lattice         sq2 0.8442
        region          box cone z 0 0 1 2 0 1
        create_box      1 box
        create_atoms    1 box
        compute         1 all pair lj/cut
        pair_style      lj/cut 2.5
        pair_coeff      * * 1.0 1.0 2.5
        fix             1 all nve
        fix             2 all enforce2d
        kspace_style    ewald 1.0e-4
        run             10
        """;

    [Test]
    public void ScannerListsEveryUnsupportedCommandAndStyle()
    {
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.gappy");
        File.WriteAllText(path, Gappy);
        var gaps = DeckGapScanner.Scan(path);
        Assert.That(gaps.Select(g => (g.Line, g.What)), Is.EqualTo(new[]
        {
            (5, "region cone"), (8, "compute style 'pair'"), (13, "command 'kspace_style'"),
        }));
    }

    [Test]
    public void RunPrintsTheWholeGapAfterTheFirstError()
    {
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.gappy");
        File.WriteAllText(path, Gappy);
        var o = new StringWriter();
        var e = new StringWriter();
        var code = CommandLine.Run(["run", path, "--log", "none", "--progress", "none"], o, e);
        Assert.That(code, Is.EqualTo(1));
        var lines = e.ToString().Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Does.StartWith("dpsharp: error: ").And.Contain("cone"));
        Assert.That(lines[1], Does.Contain("3 commands or styles that dpsharp does not support yet"));
        Assert.That(lines[2..], Has.Length.EqualTo(3));
        Assert.That(lines[4], Does.Contain("in.gappy:13: command 'kspace_style': kspace_style    ewald 1.0e-4"));
    }
}
