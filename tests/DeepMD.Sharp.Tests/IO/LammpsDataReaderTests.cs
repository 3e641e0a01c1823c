namespace DeepMD.Sharp.Tests.IO;

using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.IO;

[TestFixture]
public class LammpsDataReaderTests
{
    private TempFiles _files = null!;

    [OneTimeSetUp]
    public void SetUp() => _files = new TempFiles();

    [OneTimeTearDown]
    public void TearDown() => _files.Dispose();

    private string Write(string content) => _files.Write($"test-{Guid.NewGuid():N}.data", content);

    private const string Orthorhombic = """
        LAMMPS data file written by hand

        3 atoms
        2 atom types

        0.0 10.0 xlo xhi
        0.0 11.0 ylo yhi
        0.0 12.0 zlo zhi

        Masses

        1 15.9994 # O
        2 1.00794 # H

        Atoms # atomic

        3 2 1.0 0.0 0.5
        1 1 0.0 0.0 0.0
        2 2 -1.0 0.0 0.5

        Velocities

        1 0.1 0.2 0.3
        2 0.0 0.0 0.0
        3 0.0 0.0 0.0
        """;

    [Test]
    public void Atomic_SortsByIdAndNamesTypesFromMassComments()
    {
        var path = Write(Orthorhombic);
        var d = LammpsDataReader.Read(path);
        var s = d.Structure;
        Assert.Multiple(() =>
        {
            Assert.That(d.Ids, Is.EqualTo(new[] { 1, 2, 3 }));
            Assert.That(d.Types, Is.EqualTo(new[] { 1, 2, 2 }));
            Assert.That(d.TypeNames, Is.EqualTo(new[] { "O", "H" }));
            Assert.That(d.Masses, Is.EqualTo(new[] { 15.9994, 1.00794 }));
            Assert.That(d.AtomMasses(), Is.EqualTo(new[] { 15.9994, 1.00794, 1.00794 }));
            Assert.That(d.Charges, Is.Null);
            Assert.That(d.AtomStyle, Is.EqualTo("atomic"));
            Assert.That(s.Species, Is.EqualTo(new[] { "O", "H", "H" }));
            Assert.That(s.X, Is.EqualTo(new[] { 0.0, -1.0, 1.0 }));
            Assert.That(s.Z, Is.EqualTo(new[] { 0.0, 0.5, 0.5 }));
            Assert.That(s.Box!.Matrix.ToArray(), Is.EqualTo(new double[] { 10, 0, 0, 0, 11, 0, 0, 0, 12 }));
            Assert.That(s.Box.IsPeriodic(0) && s.Box.IsPeriodic(1) && s.Box.IsPeriodic(2), Is.True);
        });
    }

    [Test]
    public void TypeMap_OverridesTheFile()
    {
        var d = LammpsDataReader.Read(Write(Orthorhombic), ["Ow", "Hw"]);
        Assert.That(d.Structure.Species, Is.EqualTo(new[] { "Ow", "Hw", "Hw" }));
    }

    [Test]
    public void TypeMap_WithWrongLength_IsAUserError()
    {
        var path = Write(Orthorhombic);
        var ex = Assert.Throws<UserInputException>(() => LammpsDataReader.Read(path, ["O"]))!;
        Assert.That(ex.Message, Does.Contain(path).And.Contain("2 atom types"));
    }

    [Test]
    public void TypeMap_LongerThanTheTypes_UsesTheFirstNames()
    {
        var d = LammpsDataReader.Read(Write(Orthorhombic), ["O", "H", "C"]);
        Assert.That(d.Structure.Species, Is.EqualTo(new[] { "O", "H", "H" }));
    }

    [Test]
    public void Triclinic_BoxMatrixAndPositionsShiftedByBoxLo()
    {
        var path = Write("""
            triclinic

            2 atoms
            1 atom types
            1.0 6.0 xlo xhi
            -2.0 4.0 ylo yhi
            0.5 7.5 zlo zhi
            1.5 -0.5 0.25 xy xz yz

            Atoms # atomic

            1 1 1.0 -2.0 0.5
            2 1 3.5 1.0 4.0
            """);
        var d = LammpsDataReader.Read(path, ["Ar"]);
        var s = d.Structure;
        Assert.Multiple(() =>
        {
            Assert.That(s.Box!.Matrix.ToArray(), Is.EqualTo(new double[] { 5, 0, 0, 1.5, 6, 0, -0.5, 0.25, 7 }));
            Assert.That(d.BoxLo, Is.EqualTo((1.0, -2.0, 0.5)));
            Assert.That((s.X[0], s.Y[0], s.Z[0]), Is.EqualTo((0.0, 0.0, 0.0)));
            Assert.That((s.X[1], s.Y[1], s.Z[1]), Is.EqualTo((2.5, 3.0, 3.5)));
        });
    }

    [Test]
    public void ImageFlags_UnwrapPositions()
    {
        var path = Write("""
            images

            2 atoms
            1 atom types
            0 10 xlo xhi
            0 20 ylo yhi
            0 30 zlo zhi
            2 3 4 xy xz yz

            Masses

            1 63.546

            Atoms

            1 1 1.0 2.0 3.0 0 0 0
            2 1 1.0 2.0 3.0 1 -1 2
            """);
        var s = LammpsDataReader.Read(path).Structure;
        Assert.Multiple(() =>
        {
            Assert.That(s.Species, Is.EqualTo(new[] { "Cu", "Cu" }));
            Assert.That((s.X[0], s.Y[0], s.Z[0]), Is.EqualTo((1.0, 2.0, 3.0)));
            // + 1 a - 1 b + 2 c with a = (10,0,0), b = (2,20,0), c = (3,4,30)
            Assert.That((s.X[1], s.Y[1], s.Z[1]), Is.EqualTo((1.0 + 10 - 2 + 6, 2.0 - 20 + 8, 3.0 + 60)));
        });
    }

    private const string ShiftedTriclinicWithImages = """
        shifted triclinic box, image flags and velocities

        3 atoms
        2 atom types
        0.1 10.7 xlo xhi
        -3.3 17.9 ylo yhi
        0.3 30.1 zlo zhi
        2.1 -3.7 0.9 xy xz yz

        Masses

        1 63.546
        2 1.008

        Atoms # atomic

        7 2 6.0 0.7 29.9 -1 2 0
        2 1 0.17 -3.1 0.61 0 0 -3
        5 1 4.4 4.4 4.4

        Velocities

        5 0.1 0.2 0.3
        7 -1e-3 2.5e-4 7.0
        2 0 0 -0.3
        """;

    [Test]
    public void AddAtomsTo_KeepsPositionsImageFlagsAndBoxAsWritten()
    {
        var d = LammpsDataReader.Read(Write(ShiftedTriclinicWithImages), ["Cu", "H"]);
        var box = d.CreateBox(true, false, true);
        var atoms = new AtomState();
        d.AddAtomsTo(atoms);
        Assert.Multiple(() =>
        {
            Assert.That((box.Lo[0], box.Hi[0], box.Lo[1], box.Hi[1], box.Lo[2], box.Hi[2]), Is.EqualTo((0.1, 10.7, -3.3, 17.9, 0.3, 30.1)));
            Assert.That((box.Xy, box.Xz, box.Yz), Is.EqualTo((2.1, -3.7, 0.9)));
            Assert.That(box.Periodic, Is.EqualTo(new[] { true, false, true }));
            Assert.That(atoms.Count, Is.EqualTo(3));
            Assert.That(atoms.Id[..3], Is.EqualTo(new[] { 2, 5, 7 }), "atom order (ascending ids)");
            Assert.That(atoms.Type[..3], Is.EqualTo(new[] { 0, 0, 1 }), "0-based types");
            Assert.That(atoms.X[..3], Is.EqualTo(new[] { 0.17, 4.4, 6.0 }), "x as written, bit for bit");
            Assert.That(atoms.Y[..3], Is.EqualTo(new[] { -3.1, 4.4, 0.7 }));
            Assert.That(atoms.Z[..3], Is.EqualTo(new[] { 0.61, 4.4, 29.9 }));
            Assert.That(atoms.ImageA[..3], Is.EqualTo(new[] { 0, 0, -1 }));
            Assert.That(atoms.ImageB[..3], Is.EqualTo(new[] { 0, 0, 2 }));
            Assert.That(atoms.ImageC[..3], Is.EqualTo(new[] { -3, 0, 0 }), "flags as written; a line without flags gives 0");
            Assert.That(atoms.Vx[..3], Is.EqualTo(new[] { 0.0, 0.1, -1e-3 }));
            Assert.That(atoms.Vy[..3], Is.EqualTo(new[] { 0.0, 0.2, 2.5e-4 }));
            Assert.That(atoms.Vz[..3], Is.EqualTo(new[] { -0.3, 0.3, 7.0 }));
        });
    }

    [Test]
    public void WriterAndReader_RoundTripAtomsExactly()
    {
        var d = LammpsDataReader.Read(Write(ShiftedTriclinicWithImages), ["Cu", "H"]);
        var box = d.CreateBox();
        var atoms = new AtomState();
        d.AddAtomsTo(atoms);
        var path = Path.Combine(_files.Directory, $"roundtrip-{Guid.NewGuid():N}.data");
        LammpsDataWriter.Write(path, box, atoms, d.TypeCount, d.Masses!, 42, "metal");
        var again = LammpsDataReader.Read(path, ["Cu", "H"]);
        var back = new AtomState();
        again.AddAtomsTo(back);
        Assert.Multiple(() =>
        {
            Assert.That(File.ReadLines(path).First(), Is.EqualTo("LAMMPS data file via dpsharp write_data, timestep = 42, units = metal"));
            Assert.That(again.Bounds, Is.EqualTo(d.Bounds));
            Assert.That(again.Tilts, Is.EqualTo(d.Tilts));
            Assert.That(again.Masses, Is.EqualTo(d.Masses));
            foreach (var (x, y) in new[] { (back.X, atoms.X), (back.Y, atoms.Y), (back.Z, atoms.Z), (back.Vx, atoms.Vx), (back.Vy, atoms.Vy), (back.Vz, atoms.Vz) })
                Assert.That(x[..3], Is.EqualTo(y[..3]));
            foreach (var (x, y) in new[] { (back.Id, atoms.Id), (back.Type, atoms.Type), (back.ImageA, atoms.ImageA), (back.ImageB, atoms.ImageB), (back.ImageC, atoms.ImageC) })
                Assert.That(x[..3], Is.EqualTo(y[..3]));
            // The Structure path still shifts by lo and unwraps with the flags.
            Assert.That(again.Structure.X, Is.EqualTo(d.Structure.X));
        });
    }

    [Test]
    public void ChargeStyle_ReadsTheRightColumns()
    {
        var path = Write("""
            charge

            2 atoms
            2 atom types
            0 10 xlo xhi
            0 10 ylo yhi
            0 10 zlo zhi

            Masses

            1 22.98977
            2 35.453

            Atoms # charge

            2 2 -1.0 5.0 5.0 5.0
            1 1 1.0 1.0 2.0 3.0
            """);
        var d = LammpsDataReader.Read(path);
        Assert.Multiple(() =>
        {
            Assert.That(d.AtomStyle, Is.EqualTo("charge"));
            Assert.That(d.Structure.Species, Is.EqualTo(new[] { "Na", "Cl" }));
            Assert.That(d.Charges, Is.EqualTo(new[] { 1.0, -1.0 }));
            Assert.That(d.Structure.X, Is.EqualTo(new[] { 1.0, 5.0 }));
            Assert.That(d.Structure.Z, Is.EqualTo(new[] { 3.0, 5.0 }));
        });
    }

    [Test]
    public void FullStyle_WithBondsSectionSkipped()
    {
        var path = Write("""
            full

            3 atoms
            2 bonds
            2 atom types
            1 bond types
            -5 5 xlo xhi
            -5 5 ylo yhi
            -5 5 zlo zhi

            Masses

            1 15.999 # O
            2 1.008 # H

            Atoms # full

            1 1 1 -0.8476 0.0 0.0 0.0 0 0 0
            2 1 2 0.4238 0.8 0.6 0.0 0 0 0
            3 1 2 0.4238 -0.8 0.6 0.0 0 0 0

            Bonds

            1 1 1 2
            2 1 1 3
            """);
        var d = LammpsDataReader.Read(path);
        Assert.Multiple(() =>
        {
            Assert.That(d.AtomStyle, Is.EqualTo("full"));
            Assert.That(d.Structure.Species, Is.EqualTo(new[] { "O", "H", "H" }));
            Assert.That(d.Charges, Is.EqualTo(new[] { -0.8476, 0.4238, 0.4238 }));
            Assert.That(d.Structure.X, Is.EqualTo(new[] { 5.0, 5.8, 4.2 }).Within(1e-12));
            Assert.That(d.Structure.Y, Is.EqualTo(new[] { 5.0, 5.6, 5.6 }).Within(1e-12));
        });
    }

    [Test]
    public void MassesWithoutComments_AreMatchedToElements()
    {
        var path = Write("""
            guess

            2 atoms
            3 atom types
            0 10 xlo xhi
            0 10 ylo yhi
            0 10 zlo zhi

            Masses

            1 15.9994
            2 1.00794
            3 196.96657

            Atoms

            1 3 0 0 0
            2 2 1 1 1
            """);
        var d = LammpsDataReader.Read(path);
        Assert.Multiple(() =>
        {
            Assert.That(d.TypeNames, Is.EqualTo(new[] { "O", "H", "Au" }));
            Assert.That(d.Structure.Species, Is.EqualTo(new[] { "Au", "H" }));
        });
    }

    [Test]
    public void TypeLabels_NameTheTypesAndMayBeUsedInAtoms()
    {
        var path = Write("""
            labels

            2 atoms
            2 atom types
            0 10 xlo xhi
            0 10 ylo yhi
            0 10 zlo zhi

            Atom Type Labels

            1 Si
            2 C

            Atoms # atomic

            1 C 0 0 0
            2 1 1 1 1
            """);
        var d = LammpsDataReader.Read(path);
        Assert.Multiple(() =>
        {
            Assert.That(d.Types, Is.EqualTo(new[] { 2, 1 }));
            Assert.That(d.Structure.Species, Is.EqualTo(new[] { "C", "Si" }));
            Assert.That(d.Masses, Is.Null);
        });
    }

    [Test]
    public void WaterExample_FromDeePMDKit()
    {
        var path = Path.Combine(TestContext.CurrentContext.TestDirectory, "Data", "water.lmp");
        var d = LammpsDataReader.Read(path, ["O", "H"]);
        var s = d.Structure;
        Assert.Multiple(() =>
        {
            Assert.That(s.Count, Is.EqualTo(192));
            Assert.That(s.Species.Count(x => x == "O"), Is.EqualTo(64));
            Assert.That(s.Species.Count(x => x == "H"), Is.EqualTo(128));
            Assert.That(d.Ids, Is.EqualTo(Enumerable.Range(1, 192)));
            Assert.That(s.Box!.Matrix.ToArray(), Is.EqualTo(new[] { 12.4447, 0, 0, 0, 12.4447, 0, 0, 0, 12.4447 }));
            Assert.That((s.X[0], s.Y[0], s.Z[0]), Is.EqualTo((11.83, 2.56, 2.18)));
            Assert.That((s.X[191], s.Y[191], s.Z[191]), Is.EqualTo((1.11, 10.09, 7.21)));
            Assert.That(d.Masses, Is.Null);
        });
        // "Atoms # metal" names no atom style, so the reader must fall back to atomic; without a type map
        // and without Masses it cannot name the species.
        var ex = Assert.Throws<UserInputException>(() => LammpsDataReader.Read(path))!;
        Assert.That(ex.Message, Does.Contain("--type-map").And.Contain("water.lmp"));
    }

    [Test]
    public void UnrecognisedMass_AsksForATypeMap()
    {
        var path = Write("m\n1 atoms\n1 atom types\n0 1 xlo xhi\n0 1 ylo yhi\n0 1 zlo zhi\n\nMasses\n\n1 3.5\n\nAtoms\n\n1 1 0 0 0\n");
        var ex = Assert.Throws<UserInputException>(() => LammpsDataReader.Read(path))!;
        Assert.That(ex.Message, Does.Contain("--type-map").And.Contain("type 1").And.Contain(path));
        Assert.That(LammpsDataReader.Read(path, ["Li"]).Structure.Species, Is.EqualTo(new[] { "Li" }));
    }

    private const string Box = "0 10 xlo xhi\n0 10 ylo yhi\n0 10 zlo zhi\n";

    private static IEnumerable<TestCaseData> Malformed()
    {
        // Line numbers are 1-based; line 1 is the title.
        yield return new TestCaseData($"t\nx atoms\n1 atom types\n{Box}\nAtoms\n\n1 1 0 0 0\n", 2, "Atoms").SetName("NonIntegerAtomCount");
        yield return new TestCaseData($"t\n2.5 atoms\n1 atom types\n{Box}\nAtoms\n\n1 1 0 0 0\n", 2, "atoms").SetName("FractionalAtomCount");
        yield return new TestCaseData($"t\n1 atoms\n1 atom types\n0 10 xlo xhi\n0 10 ylo yhi\n5 1 zlo zhi\n\nAtoms\n\n1 1 0 0 0\n", 6, "high > low").SetName("InvertedBounds");
        yield return new TestCaseData($"t\n1 atoms\n1 atom types\n0 xlo xhi\n0 10 ylo yhi\n0 1 zlo zhi\n\nAtoms\n\n1 1 0 0 0\n", 4, "two numbers").SetName("OneBound");
        yield return new TestCaseData($"t\n1 atoms\n1 atom types\n{Box}0 0 xy xz yz\n\nAtoms\n\n1 1 0 0 0\n", 7, "three numbers").SetName("TwoTilts");
        yield return new TestCaseData($"t\n2 atoms\n1 atom types\n{Box}\nAtoms\n\n1 1 0 0 0\n2 1 0 0\n", 11, "columns").SetName("TooFewColumns");
        yield return new TestCaseData($"t\n1 atoms\n1 atom types\n{Box}\nAtoms\n\n1 1 0 0 0 0\n", 10, "Atoms # full").SetName("SixColumnsAtomic");
        yield return new TestCaseData($"t\n2 atoms\n1 atom types\n{Box}\nAtoms\n\n1 1 0 0 0\n2 1 0 abc 0\n", 11, "'abc'").SetName("NonNumericCoordinate");
        yield return new TestCaseData($"t\n1 atoms\n1 atom types\n{Box}\nAtoms\n\n1 3 0 0 0\n", 10, "outside 1..1").SetName("TypeOutOfRange");
        yield return new TestCaseData($"t\n2 atoms\n1 atom types\n{Box}\nAtoms\n\n1 1 0 0 0\n1 1 1 1 1\n", 11, "twice").SetName("DuplicateId");
        yield return new TestCaseData($"t\n0 atoms\n1 atom types\n{Box}\nAtoms\n\n0 1 0 0 0\n", 8, "header declares 0").SetName("MoreAtomsThanHeader");
        yield return new TestCaseData($"t\n3 atoms\n1 atom types\n{Box}\nAtoms\n\n1 1 0 0 0\n2 1 0 0 0\n", 8, "has 2 line").SetName("FewerAtomsThanHeader");
        yield return new TestCaseData($"t\n1 atoms\n1 atom types\n{Box}\nAtoms\n\n1 1 0 0 0 0 x 0\n", 10, "image flag").SetName("BadImageFlag");
        yield return new TestCaseData($"t\n1 atoms\n1 atom types\n{Box}\nAtoms # sphere\n\n1 1 1.0 1.0 0 0 0\n", 8, "sphere").SetName("UnsupportedStyle");
        yield return new TestCaseData($"t\n1 atoms\n2 atom types\n{Box}\nMasses\n\n1 1.008\n\nAtoms\n\n1 1 0 0 0\n", 8, "type 2").SetName("IncompleteMasses");
        yield return new TestCaseData($"t\n1 atoms\n1 atom types\n{Box}\nMasses\n\n1 -1.0\n\nAtoms\n\n1 1 0 0 0\n", 10, "positive").SetName("NegativeMass");
        yield return new TestCaseData($"t\n1 atoms\n1 atom types\n{Box}5 7\n\nAtoms\n\n1 1 0 0 0\n", 7, "no keyword").SetName("HeaderWithoutKeyword");
        yield return new TestCaseData($"t\n1 atoms\n1 atom types\n{Box}\nAtoms\n\n1 1 0 0 0\n\nAtoms\n\n2 1 0 0 0\n", 12, "second Atoms").SetName("TwoAtomsSections");
    }

    [TestCaseSource(nameof(Malformed))]
    public void MalformedInput_ThrowsWithFileAndLine(string content, int line, string fragment)
    {
        var path = Write(content);
        var ex = TempFiles.AssertErrorAt(() => LammpsDataReader.Read(path, new[] { "H", "He" }[..TypeCount(content)]), path, line);
        Assert.That(ex.Message, Does.Contain(fragment));
    }

    private static int TypeCount(string content) =>
        content.Contains("2 atom types", StringComparison.Ordinal) ? 2 : 1;

    [Test]
    public void MissingHeaderKeywords_AreUserErrors()
    {
        var noAtoms = Write($"t\n1 atom types\n{Box}\nAtoms\n\n1 1 0 0 0\n");
        Assert.That(Assert.Throws<UserInputException>(() => LammpsDataReader.Read(noAtoms, ["H"]))!.Message,
            Does.Contain("atoms").And.Contain(noAtoms));
        var noBox = Write("t\n1 atoms\n1 atom types\n0 10 xlo xhi\n\nAtoms\n\n1 1 0 0 0\n");
        Assert.That(Assert.Throws<UserInputException>(() => LammpsDataReader.Read(noBox, ["H"]))!.Message,
            Does.Contain("ylo yhi").And.Contain(noBox));
        var noSection = Write($"t\n1 atoms\n1 atom types\n{Box}");
        Assert.That(Assert.Throws<UserInputException>(() => LammpsDataReader.Read(noSection, ["H"]))!.Message,
            Does.Contain("no Atoms section"));
    }
}
