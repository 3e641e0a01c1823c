namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.IO;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// Molecular atom styles (bond, angle, molecular, full), bonded forces (bond harmonic/fene, angle harmonic) and
/// special_bonds weights against LAMMPS: the decks of tests/reference-cases/molecular (random-walk bead chains; one
/// continues from a data file LAMMPS wrote) give LAMMPS' printed thermo (15 digits) over 200 NVE steps, compared with
/// the committed LAMMPS logs (Debian's LAMMPS 29 Sep 2021) and, where lmp is installed, with a live run. Forces against
/// finite differences of the energy at two step sizes and the virial against a strain derivative; read/write round
/// trips of every style; replicate and delete_atoms keep the topology; bad input gets LAMMPS' words. in.molecule
/// places molecules from a molecule file (create_atoms 0 single/region ... mol ID SEED, LAMMPS' random rotations).
/// </summary>
[TestFixture]
public class MolecularStylesTests
{
    private static readonly string Cases = RepoPaths.Get("tests", "reference-cases", "molecular");

    private static string CopyCases()
    {
        var dir = RepoPaths.TempDir();
        foreach (var f in Directory.GetFiles(Cases)) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        return dir;
    }

    private static IEnumerable<TestCaseData> Decks()
    {
        yield return new TestCaseData("in.chains-bond", "log.chains-bond.lammps").SetName("{m}(bond, fene + lj/cut, special_bonds fene)");
        yield return new TestCaseData("in.chains-full", "log.chains-full.lammps").SetName("{m}(full, harmonic bonds and angles, lj/cut/coul/cut, 1-2/1-3/1-4 weights)");
        yield return new TestCaseData("in.lammps-written-full", "log.lammps-written-full.lammps").SetName("{m}(full, LAMMPS-written data file with Coeffs sections)");
        yield return new TestCaseData("in.molecule", "log.molecule.lammps").SetName("{m}(full, molecule template + create_atoms mol single/region, random orientations)");
    }

    [TestCaseSource(nameof(Decks))]
    public void ThermoMatchesCommittedLammpsLog(string deck, string log)
    {
        var dir = CopyCases();
        var ours = LammpsHarness.RunDpsharp(Path.Combine(dir, deck), dir);
        LammpsHarness.AssertSameThermo(File.ReadAllText(Path.Combine(Cases, log)), ours, 1e-9);
    }

    [TestCaseSource(nameof(Decks))]
    [Category("Lammps")]
    public void ThermoMatchesLiveLammps(string deck, string log)
    {
        _ = log;
        var lmp = LammpsHarness.RequireLammps();
        var dir = CopyCases();
        var theirs = LammpsHarness.RunLammps(lmp, Path.Combine(dir, deck), dir);
        LammpsHarness.AssertSameThermo(theirs, LammpsHarness.RunDpsharp(Path.Combine(dir, deck), dir), 1e-9);
    }

    /// <summary>Runs a deck text in a folder holding the reference cases and returns the session (for its simulation).</summary>
    private static DeckSession Session(string deck, out string dir, out StringWriter screen)
    {
        dir = CopyCases();
        File.WriteAllText(Path.Combine(dir, "in.test"), deck);
        screen = new StringWriter { NewLine = "\n" };
        var s = new DeckSession(screen, dir, logFile: null);
        s.RunFile(Path.Combine(dir, "in.test"));
        return s;
    }

    // Shifted pair energies: no jump at the cutoff for a finite-difference step to cross (the Coulomb part keeps its
    // small jump, which no pair of these decks crosses).
    private const string FullSetup = """
        units           lj
        atom_style      full
        bond_style      harmonic
        angle_style     harmonic
        special_bonds   lj 0.0 0.5 0.75 coul 0.0 0.25 0.8
        read_data       chains-full.data
        bond_coeff      1 100.0 0.97
        bond_coeff      2 80.0 1.0
        angle_coeff     1 10.0 120.0
        pair_style      lj/cut/coul/cut 2.5 3.0
        pair_coeff      * * 1.0 1.0
        pair_coeff      2 2 0.8 1.1
        pair_modify     shift yes
        displace_atoms  all random 0.05 0.05 0.05 1234
        run             0

        """;

    private const string BondSetup = """
        units           lj
        atom_style      bond
        special_bonds   fene
        bond_style      fene
        read_data       chains-bond.data
        bond_coeff      1 30.0 1.5 1.0 1.0
        pair_style      lj/cut 2.5
        pair_coeff      * * 1.0 1.0
        pair_modify     shift yes
        run             0

        """;

    private static double Energy(Simulation sim)
    {
        sim.RebuildNeighbors();
        sim.ComputeForces();
        return sim.PotentialEnergy;
    }

    [TestCase(FullSetup)]
    [TestCase(BondSetup)]
    public void ForcesAreMinusTheEnergyGradient(string deck)
    {
        using var s = Session(deck, out _, out _);
        var sim = s.Simulation!;
        var a = sim.Atoms;
        Energy(sim);
        var f = new[] { a.Fx[..a.Count], a.Fy[..a.Count], a.Fz[..a.Count] };
        var coords = new[] { a.X, a.Y, a.Z };
        double worstCoarse = 0, worstFine = 0;
        foreach (var i in new[] { 0, 5, 11, 12, 23, 30, 47 })
            for (var d = 0; d < 3; d++)
            {
                double Diff(double h)
                {
                    var x0 = coords[d][i];
                    coords[d][i] = x0 + h;
                    var ep = Energy(sim);
                    coords[d][i] = x0 - h;
                    var em = Energy(sim);
                    coords[d][i] = x0;
                    return Math.Abs(-(ep - em) / (2 * h) - f[d][i]);
                }
                worstCoarse = Math.Max(worstCoarse, Diff(1e-3));
                worstFine = Math.Max(worstFine, Diff(1e-5));
            }
        TestContext.Out.WriteLine($"max |F + dE/dx|: h=1e-3 {worstCoarse:E2}, h=1e-5 {worstFine:E2}");
        Assert.That(worstFine, Is.LessThan(1e-6), "forces equal −dE/dx");
        Assert.That(worstFine, Is.LessThan(worstCoarse / 100), "the difference shrinks with the step (O(h²))");
    }

    [TestCase(FullSetup)]
    [TestCase(BondSetup)]
    public void VirialDiagonalIsMinusTheStrainDerivative(string deck)
    {
        using var s = Session(deck, out _, out _);
        var sim = s.Simulation!;
        var a = sim.Atoms;
        Energy(sim);
        var virial = (double[])sim.Virial.Clone();
        var box = sim.Box!;
        var (lo, hi) = ((double[])box.Lo.Clone(), (double[])box.Hi.Clone());
        var x0 = new[] { a.X[..a.Count], a.Y[..a.Count], a.Z[..a.Count] };
        var coords = new[] { a.X, a.Y, a.Z };
        for (var d = 0; d < 3; d++)
        {
            double Strained(double e)
            {
                var h = (double[])hi.Clone();
                h[d] = lo[d] + (hi[d] - lo[d]) * (1 + e);
                box.Reshape(lo[0], h[0], lo[1], h[1], lo[2], h[2], 0, 0, 0);
                for (var k = 0; k < a.Count; k++) coords[d][k] = lo[d] + (x0[d][k] - lo[d]) * (1 + e);
                var energy = Energy(sim);
                for (var k = 0; k < a.Count; k++) coords[d][k] = x0[d][k];
                box.Reshape(lo[0], hi[0], lo[1], hi[1], lo[2], hi[2], 0, 0, 0);
                return energy;
            }
            const double eps = 1e-5;
            var dEde = (Strained(eps) - Strained(-eps)) / (2 * eps);
            Assert.That(-dEde, Is.EqualTo(virial[4 * d]).Within(1e-6 * Math.Max(1, Math.Abs(virial[4 * d]))), $"W[{d}][{d}]");
        }
    }

    [Test]
    public void ComputePeTermsAddUpToPe()
    {
        using var s = Session(FullSetup + """
            compute pp all pe pair
            compute pb all pe bond
            compute pa all pe angle
            compute pt all pe
            run 0
            """, out _, out _);
        var sim = s.Simulation!;
        double V(string id) => sim.FindCompute(id)!.Scalar(sim);
        Assert.That(V("pb"), Is.EqualTo(sim.BondEnergy).And.GreaterThan(0));
        Assert.That(V("pa"), Is.EqualTo(sim.AngleEnergy).And.GreaterThan(0));
        Assert.That(V("pp") + V("pb") + V("pa"), Is.EqualTo(V("pt")).Within(1e-12 * Math.Abs(V("pt"))));
        Assert.That(V("pt"), Is.EqualTo(sim.PotentialEnergy));
    }

    private static readonly (string Style, string Atoms, string Extra)[] StyleData =
    [
        ("atomic", "1 1 1.0 1.5 2.0 0 0 0\n2 2 3.0 3.5 4.0 1 0 -1\n3 1 5.0 5.5 6.0 0 0 0\n4 2 7.0 7.5 8.5 0 0 0\n", ""),
        ("charge", "1 1 0.5 1.0 1.5 2.0 0 0 0\n2 2 -0.5 3.0 3.5 4.0 1 0 -1\n3 1 0.25 5.0 5.5 6.0 0 0 0\n4 2 -0.25 7.0 7.5 8.5 0 0 0\n", ""),
        ("bond", "1 1 1 1.0 1.5 2.0 0 0 0\n2 1 2 1.5 1.5 2.0 1 0 -1\n3 2 1 5.0 5.5 6.0 0 0 0\n4 2 2 5.5 5.5 6.0 0 0 0\n", "\nBonds\n\n1 1 1 2\n2 1 3 4\n"),
        ("angle", "1 1 1 1.0 1.5 2.0 0 0 0\n2 1 2 1.5 1.5 2.0 0 0 0\n3 1 1 1.5 2.0 2.0 0 0 0\n4 2 2 5.5 5.5 6.0 0 0 0\n", "\nBonds\n\n1 1 1 2\n2 1 2 3\n\nAngles\n\n1 1 1 2 3\n"),
        ("molecular", "1 1 1 1.0 1.5 2.0 0 0 0\n2 1 2 1.5 1.5 2.0 0 0 0\n3 1 1 1.5 2.0 2.0 0 0 0\n4 1 2 2.0 2.0 2.5 0 0 0\n", "\nBonds\n\n1 1 1 2\n2 1 2 3\n3 1 3 4\n\nAngles\n\n1 1 1 2 3\n2 1 2 3 4\n\nDihedrals\n\n1 1 1 2 3 4\n\nImpropers\n\n1 1 2 1 3 4\n"),
        ("full", "1 1 1 -0.8 1.0 1.5 2.0 0 0 0\n2 1 2 0.4 1.5 1.5 2.0 0 -1 0\n3 1 2 0.4 1.5 2.0 2.0 0 0 0\n4 0 1 0.0 7.0 7.5 8.5 0 0 0\n", "\nBonds\n\n1 1 1 2\n2 1 1 3\n\nAngles\n\n1 1 2 1 3\n"),
    ];

    private static string DataFile(string style, string atoms, string extra)
    {
        var counts = "";
        if (extra.Contains("Bonds")) counts += $"{extra.Split("\nBonds\n\n")[1].Split("\n\n")[0].Trim().Split('\n').Length} bonds\n1 bond types\n";
        if (extra.Contains("Angles")) counts += $"{extra.Split("\nAngles\n\n")[1].Split("\n\n")[0].Trim().Split('\n').Length} angles\n1 angle types\n";
        if (extra.Contains("Dihedrals")) counts += "1 dihedrals\n1 dihedral types\n";
        if (extra.Contains("Impropers")) counts += "1 impropers\n1 improper types\n";
        return $"hand-written {style}\n\n4 atoms\n2 atom types\n{counts}\n0 10 xlo xhi\n0 10 ylo yhi\n0 10 zlo zhi\n\nMasses\n\n1 1.0\n2 2.0\n\nAtoms # {style}\n\n{atoms}\nVelocities\n\n1 0.1 0 0\n2 0 0.2 0\n3 0 0 0.3\n4 0.1 0.1 0.1\n{extra}";
    }

    public static IEnumerable<TestCaseData> Styles() => StyleData.Select(s => new TestCaseData(s.Style).SetName($"{{m}}({s.Style})"));

    [TestCaseSource(nameof(Styles))]
    public void ReadWriteRoundTripKeepsEverything(string style)
    {
        var (_, atoms, extra) = StyleData.First(s => s.Style == style);
        var dir = RepoPaths.TempDir();
        File.WriteAllText(Path.Combine(dir, "in.data"), DataFile(style, atoms, extra));
        File.WriteAllText(Path.Combine(dir, "in.rt"), $"atom_style {style}\nread_data in.data\nwrite_data out.data\n");
        LammpsHarness.RunDpsharp(Path.Combine(dir, "in.rt"), dir);
        var names = new[] { "A", "B" };
        var before = LammpsDataReader.Read(Path.Combine(dir, "in.data"), names, style);
        var after = LammpsDataReader.Read(Path.Combine(dir, "out.data"), names, style);
        Assert.That(File.ReadAllText(Path.Combine(dir, "out.data")), Does.Contain($"Atoms # {style}\n"));
        AssertSameData(before, after);
    }

    private static void AssertSameData(LammpsData before, LammpsData after)
    {
        Assert.Multiple(() =>
        {
            Assert.That(after.AtomStyle, Is.EqualTo(before.AtomStyle));
            Assert.That(after.Ids, Is.EqualTo(before.Ids));
            Assert.That(after.Types, Is.EqualTo(before.Types));
            Assert.That(after.Charges, Is.EqualTo(before.Charges));
            Assert.That(after.Molecules, Is.EqualTo(before.Molecules));
            Assert.That(after.Structure.X, Is.EqualTo(before.Structure.X).Within(1e-12), "unwrapped x");
            Assert.That(after.Structure.Y, Is.EqualTo(before.Structure.Y).Within(1e-12), "unwrapped y");
            Assert.That(after.Structure.Z, Is.EqualTo(before.Structure.Z).Within(1e-12), "unwrapped z");
            Assert.That(after.Velocities, Is.EqualTo(before.Velocities));
            Assert.That(after.Topology?.Bonds ?? [], Is.EqualTo(before.Topology?.Bonds ?? []));
            Assert.That(after.Topology?.Angles ?? [], Is.EqualTo(before.Topology?.Angles ?? []));
            Assert.That(after.Topology?.Dihedrals ?? [], Is.EqualTo(before.Topology?.Dihedrals ?? []));
            Assert.That(after.Topology?.Impropers ?? [], Is.EqualTo(before.Topology?.Impropers ?? []));
            Assert.That(after.Topology?.BondTypes, Is.EqualTo(before.Topology?.BondTypes));
            Assert.That(after.Topology?.AngleTypes, Is.EqualTo(before.Topology?.AngleTypes));
        });
    }

    [Test]
    public void LammpsWrittenDataFileRoundTrips()
    {
        var dir = CopyCases();
        File.WriteAllText(Path.Combine(dir, "in.rt"), """
            units lj
            atom_style full
            bond_style harmonic
            angle_style harmonic
            dihedral_style zero
            pair_style lj/cut/coul/cut 2.5 3.0
            read_data lammps-written-full.data
            write_data out.data
            """);
        LammpsHarness.RunDpsharp(Path.Combine(dir, "in.rt"), dir);
        var names = new[] { "A", "B" };
        var lammps = LammpsDataReader.Read(Path.Combine(dir, "lammps-written-full.data"), names, "full");
        var ours = LammpsDataReader.Read(Path.Combine(dir, "out.data"), names, "full");
        Assert.That(lammps.Topology!.Bonds, Has.Count.EqualTo(44));
        Assert.That(lammps.Topology.Dihedrals, Has.Count.EqualTo(36));
        AssertSameData(lammps, ours);
        var text = File.ReadAllText(Path.Combine(dir, "out.data"));
        Assert.That(text, Does.Contain("Bond Coeffs # harmonic\n\n1 100 0.97\n2 80 1\n"));
        Assert.That(text, Does.Contain("Angle Coeffs # harmonic\n\n1 10 120\n"));
        Assert.That(text, Does.Contain("Dihedral Coeffs # zero\n\n1\n"));
    }

    [Test]
    public void ReplicateCopiesMoleculesAndBonds()
    {
        using var s = Session(BondSetup + "variable e equal pe\nvariable b equal ebond\nprint \"BEFORE ${e} ${b}\"\nreplicate 2 2 1\nrun 0\nprint \"AFTER ${e} ${b}\"\n", out _, out var screen);
        var sim = s.Simulation!;
        var a = sim.Atoms;
        Assert.That(a.Count, Is.EqualTo(4 * 48));
        Assert.That(a.Topology.Bonds, Has.Count.EqualTo(4 * 44));
        Assert.That(a.Molecule[..a.Count].Distinct().Count(), Is.EqualTo(16));
        // lj units normalise pe by the atom count: four copies of the same periodic system have the same value.
        var lines = screen.ToString().Split('\n');
        double[] Values(string tag) => lines.First(l => l.StartsWith(tag, StringComparison.Ordinal)).Split(' ').Skip(1).Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var (b, c) = (Values("BEFORE"), Values("AFTER"));
        Assert.That(c[0], Is.EqualTo(b[0]).Within(1e-10 * Math.Abs(b[0])));
        Assert.That(c[1], Is.EqualTo(b[1]).Within(1e-10 * Math.Abs(b[1])));
    }

    [Test]
    public void DeleteAtomsMolYesTakesWholeMoleculesAndTheirBonds()
    {
        using var s = Session(BondSetup + "group one id 3\ndelete_atoms group one mol yes\nrun 0\n", out _, out var screen);
        var a = s.Simulation!.Atoms;
        Assert.That(a.Count, Is.EqualTo(36));
        Assert.That(a.Topology.Bonds, Has.Count.EqualTo(33));
        Assert.That(a.Molecule[..a.Count], Has.No.Member(1));
        Assert.That(screen.ToString(), Does.Contain("Deleted 12 atoms, new total = 36").And.Contain("Ignoring 'compress yes' for molecular system"));
    }

    private static IEnumerable<TestCaseData> Refusals()
    {
        yield return new TestCaseData("atom_style hybrid full sphere\n", "atom style hybrid is not supported").SetName("{m}(hybrid)");
        yield return new TestCaseData("atom_style sphere\n", "atom style 'sphere' is not supported").SetName("{m}(sphere)");
        yield return new TestCaseData("read_data chains-full.data\n", "put 'atom_style full' before read_data").SetName("{m}(full data, atomic deck)");
        yield return new TestCaseData("atom_style charge\nread_data chains-bond.data\n", "put 'atom_style bond' before read_data").SetName("{m}(bond data, charge deck)");
        yield return new TestCaseData("atom_style bond\nread_data chains-full.data\n", "put 'atom_style full' before read_data").SetName("{m}(full data, bond deck)");
        yield return new TestCaseData("atom_style bond\nbond_style class2\n", "bond style 'class2' is not supported").SetName("{m}(bond_style class2)");
        yield return new TestCaseData("atom_style full\nangle_style charmm\n", "angle style 'charmm' is not supported").SetName("{m}(angle_style charmm)");
        yield return new TestCaseData("atom_style full\ndihedral_style opls\n", "dihedral style 'opls' is not supported").SetName("{m}(dihedral_style opls)");
        yield return new TestCaseData("bond_style harmonic\n", "bond_style command when no bonds allowed").SetName("{m}(bond_style, atomic)");
        yield return new TestCaseData("atom_style bond\nread_data chains-bond.data\nbond_style harmonic\npair_style lj/cut 2.5\npair_coeff * * 1 1\nrun 0\n", "All bond coeffs are not set").SetName("{m}(bond coeffs missing)");
        yield return new TestCaseData("atom_style bond\nbond_style harmonic\nread_data chains-bond.data\nbond_coeff 1 1 1\npair_style lj/cut 2.5\npair_coeff * * 1 1\ngroup one id 5\ndelete_atoms group one\nrun 0\n", "Bond atoms missing").SetName("{m}(deleted bond atom)");
        yield return new TestCaseData("atom_style full\nread_data lammps-written-full.data\n", "Must define pair_style before Pair Coeffs").SetName("{m}(Pair Coeffs without pair_style)");
    }

    [TestCaseSource(nameof(Refusals))]
    public void BadInputGetsLammpsWords(string deck, string words)
    {
        var ex = Assert.Catch<UserInputException>(() => Session("units lj\n" + deck, out _, out _).Dispose())!;
        Assert.That(ex.Message, Does.Contain(words));
    }

    [Test]
    public void AtomicReaderWithoutDeckStyleTakesTheHint()
    {
        var d = LammpsDataReader.Read(Path.Combine(Cases, "chains-full.data"), ["A", "B"]);
        Assert.That(d.AtomStyle, Is.EqualTo("full"));
        Assert.That(d.Molecules!.Distinct().Count(), Is.EqualTo(4));
        Assert.That(d.Topology!.Angles, Has.Count.EqualTo(40));
    }

    [Test]
    public void RestartContinuesAMolecularRunExactly()
    {
        const string styles = """
            bond_style      harmonic
            angle_style     harmonic
            dihedral_style  zero

            """;
        const string coeffs = """
            bond_coeff      1 100.0 0.97
            bond_coeff      2 80.0 1.0
            angle_coeff     1 10.0 120.0
            pair_style      lj/cut/coul/cut 2.5 3.0
            pair_coeff      * * 1.0 1.0
            pair_coeff      2 2 0.8 1.1
            fix             1 all nve
            timestep        0.002
            thermo_style    custom step pe ebond eangle ecoul press
            thermo_modify   format float %20.15g
            thermo          10

            """;
        var head = "units lj\natom_style full\n" + styles + "special_bonds lj 0.0 0.5 0.75 coul 0.0 0.25 0.8\nread_data chains-full.data\n" + coeffs +
            "velocity all create 1.0 4928459 loop geom\n";
        var dir = CopyCases();
        File.WriteAllText(Path.Combine(dir, "in.straight"), head + "run 40\nrun 40\n");
        File.WriteAllText(Path.Combine(dir, "in.first"), head + "run 40\nwrite_restart chains.restart\n");
        File.WriteAllText(Path.Combine(dir, "in.second"), "units lj\nread_restart chains.restart\n" + styles + coeffs + "run 40\n");
        var straight = LammpsHarness.ThermoTables(LammpsHarness.RunDpsharp(Path.Combine(dir, "in.straight"), dir));
        LammpsHarness.RunDpsharp(Path.Combine(dir, "in.first"), dir);
        var continued = LammpsHarness.ThermoTables(LammpsHarness.RunDpsharp(Path.Combine(dir, "in.second"), dir));
        Assert.That(continued[0].Rows.Select(r => r.ToArray()), Is.EqualTo(straight[1].Rows.Select(r => r.ToArray())),
            "the continued run prints what the straight run printed (special weights, charges, molecules and bonds restored)");
    }
}

/// <summary>
/// Per-molecule analysis against LAMMPS: compute chunk/atom (molecule, type), com/chunk and msd/chunk written by fix
/// ave/time in vector mode (in.chunks of tests/reference-cases/molecular): the files equal LAMMPS' committed outputs
/// line by line in layout, every number to 1e-8 relative, and the thermo (with c_msd[2][4], c_com[3][1]) the log.
/// </summary>
[TestFixture]
public class ChunkComputesTests
{
    private static readonly string Cases = RepoPaths.Get("tests", "reference-cases", "molecular");

    [Test]
    public void ChunkOutputsMatchLammps()
    {
        var dir = RepoPaths.TempDir();
        File.Copy(Path.Combine(Cases, "in.chunks"), Path.Combine(dir, "in.chunks"));
        File.Copy(Path.Combine(Cases, "chains-bond.data"), Path.Combine(dir, "chains-bond.data"));
        var screen = LammpsHarness.RunDpsharp(Path.Combine(dir, "in.chunks"), dir);
        LammpsHarness.AssertSameThermo(File.ReadAllText(Path.Combine(Cases, "log.chunks.lammps")), screen, 1e-9);
        foreach (var name in new[] { "com", "msd", "tcom" })
        {
            var expected = File.ReadAllLines(Path.Combine(Cases, $"lammps-{name}.out"));
            var actual = File.ReadAllLines(Path.Combine(dir, $"{name}.out"));
            Assert.That(actual, Has.Length.EqualTo(expected.Length), $"{name}.out lines");
            for (var l = 0; l < expected.Length; l++)
            {
                var e = expected[l].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var a = actual[l].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                Assert.That(a, Has.Length.EqualTo(e.Length), $"{name}.out line {l + 1}: {actual[l]}");
                for (var k = 0; k < e.Length; k++)
                {
                    if (!double.TryParse(e[k], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var x))
                    {
                        Assert.That(a[k], Is.EqualTo(e[k]), $"{name}.out line {l + 1}");
                        continue;
                    }
                    var y = double.Parse(a[k], System.Globalization.CultureInfo.InvariantCulture);
                    Assert.That(y, Is.EqualTo(x).Within(1e-8 * Math.Max(Math.Abs(x), 1e-4)), $"{name}.out line {l + 1} column {k + 1}");
                }
            }
        }
    }

    [Test]
    public void ChunkAtomMoleculeNeedsAMolecularStyle()
    {
        var dir = RepoPaths.TempDir();
        File.WriteAllText(Path.Combine(dir, "in.t"), "units lj\nlattice fcc 0.8\nregion b block 0 2 0 2 0 2\ncreate_box 1 b\ncreate_atoms 1 box\ncompute c all chunk/atom molecule\n");
        var ex = Assert.Catch<UserInputException>(() => LammpsHarness.RunDpsharp(Path.Combine(dir, "in.t"), dir))!;
        Assert.That(ex.Message, Does.Contain("Compute chunk/atom molecule for non-molecular system"));
    }
}
