namespace DeepMD.Sharp.Tests.IO;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.IO;

[TestFixture]
public class PoscarReaderTests
{
    private TempFiles _files = null!;

    [OneTimeSetUp]
    public void SetUp() => _files = new TempFiles();

    [OneTimeTearDown]
    public void TearDown() => _files.Dispose();

    private string Write(string content) => _files.Write($"POSCAR-{Guid.NewGuid():N}", content);

    [Test]
    public void Vasp5_Direct_TriclinicLattice()
    {
        var path = Write(
            "triclinic test\n1.0\n4.0 0.0 0.0\n1.0 5.0 0.0\n0.5 0.5 6.0\nGa As\n1 2\nDirect\n" +
            "0.0 0.0 0.0\n0.5 0.5 0.5\n0.25 0.0 1.0\n");
        var s = PoscarReader.Read(path);
        Assert.Multiple(() =>
        {
            Assert.That(s.Species, Is.EqualTo(new[] { "Ga", "As", "As" }));
            Assert.That(s.Box!.Matrix.ToArray(), Is.EqualTo(new double[] { 4, 0, 0, 1, 5, 0, 0.5, 0.5, 6 }));
            Assert.That(s.Box.IsPeriodic(0) && s.Box.IsPeriodic(1) && s.Box.IsPeriodic(2), Is.True);
            // 0.5 a + 0.5 b + 0.5 c = (2 + 0.5 + 0.25, 2.5 + 0.25, 3)
            Assert.That(s.X[1], Is.EqualTo(2.75).Within(1e-12));
            Assert.That(s.Y[1], Is.EqualTo(2.75).Within(1e-12));
            Assert.That(s.Z[1], Is.EqualTo(3.0).Within(1e-12));
            // 0.25 a + c = (1 + 0.5, 0.5, 6)
            Assert.That(s.X[2], Is.EqualTo(1.5).Within(1e-12));
            Assert.That(s.Y[2], Is.EqualTo(0.5).Within(1e-12));
            Assert.That(s.Z[2], Is.EqualTo(6.0).Within(1e-12));
        });
    }

    [TestCase("Cartesian")]
    [TestCase("cartesian")]
    [TestCase("Kartesisch")]
    [TestCase("  C")]
    public void Cartesian_IsScaledLikeTheLattice(string mode)
    {
        var path = Write($"scaled\n2.0\n2.0 0.0 0.0\n0.0 2.5 0.0\n0.0 0.0 3.0\nSi\n2\n{mode}\n0.0 0.0 0.0\n0.5 1.0 1.5\n");
        var s = PoscarReader.Read(path);
        Assert.Multiple(() =>
        {
            Assert.That(s.Box!.Matrix.ToArray(), Is.EqualTo(new double[] { 4, 0, 0, 0, 5, 0, 0, 0, 6 }));
            Assert.That((s.X[1], s.Y[1], s.Z[1]), Is.EqualTo((1.0, 2.0, 3.0)));
        });
    }

    [TestCase("Direct")]
    [TestCase("direct")]
    [TestCase("D")]
    public void Direct_ScaleAppliesThroughTheLattice(string mode)
    {
        var path = Write($"scaled\n2.0\n2.0 0.0 0.0\n0.0 2.5 0.0\n0.0 0.0 3.0\nSi\n1\n{mode}\n0.5 0.5 0.5\n");
        var s = PoscarReader.Read(path);
        Assert.That((s.X[0], s.Y[0], s.Z[0]), Is.EqualTo((2.0, 2.5, 3.0)));
    }

    [Test]
    public void NegativeScale_IsTheTargetVolume()
    {
        // Raw cell volume 1 * 2 * 4 = 8; target 64 -> factor 2.
        var path = Write("volume\n-64\n1 0 0\n0 2 0\n0 0 4\nCu\n2\nCartesian\n0 0 0\n0.5 0.5 0.5\n");
        var s = PoscarReader.Read(path);
        Assert.Multiple(() =>
        {
            Assert.That(s.Box!.Volume, Is.EqualTo(64).Within(1e-9));
            Assert.That(s.Box[0, 0], Is.EqualTo(2).Within(1e-12));
            Assert.That(s.Box[2, 2], Is.EqualTo(8).Within(1e-12));
            Assert.That(s.X[1], Is.EqualTo(1.0).Within(1e-12));
        });
    }

    [Test]
    public void ThreeScaleFactors_ScaleEachCartesianAxis()
    {
        var path = Write("per-axis\n1 2 3\n1 0 0\n0 1 0\n0 0 1\nAl\n1\nCartesian\n1 1 1\n");
        var s = PoscarReader.Read(path);
        Assert.Multiple(() =>
        {
            Assert.That(s.Box!.Matrix.ToArray(), Is.EqualTo(new double[] { 1, 0, 0, 0, 2, 0, 0, 0, 3 }));
            Assert.That((s.X[0], s.Y[0], s.Z[0]), Is.EqualTo((1.0, 2.0, 3.0)));
        });
    }

    [Test]
    public void SelectiveDynamics_FlagsAreIgnored()
    {
        var path = Write(
            "relaxation\n1.0\n5 0 0\n0 5 0\n0 0 5\nO H\n1 2\nSelective dynamics\nDirect\n" +
            "0.0 0.0 0.0 F F F\n0.1 0.0 0.0 T T T\n0.0 0.1 0.0 T T F\n\n0.0 0.0 0.0\n0.0 0.0 0.0\n0.0 0.0 0.0\n");
        var s = PoscarReader.Read(path);
        Assert.Multiple(() =>
        {
            Assert.That(s.Species, Is.EqualTo(new[] { "O", "H", "H" }));
            Assert.That(s.X[1], Is.EqualTo(0.5).Within(1e-12));
            Assert.That(s.Y[2], Is.EqualTo(0.5).Within(1e-12));
        });
    }

    [Test]
    public void Vasp4_TakesSpeciesFromTheComment()
    {
        var path = Write("O H\n1.0\n5 0 0\n0 5 0\n0 0 5\n1 2\nDirect\n0 0 0\n0.1 0 0\n0 0.1 0\n");
        Assert.That(PoscarReader.Read(path).Species, Is.EqualTo(new[] { "O", "H", "H" }));
    }

    [Test]
    public void Vasp4_CallerNamesTakePrecedence()
    {
        var path = Write("O H\n1.0\n5 0 0\n0 5 0\n0 0 5\n1 2\nDirect\n0 0 0\n0.1 0 0\n0 0.1 0\n");
        Assert.That(PoscarReader.Read(path, ["N", "C"]).Species, Is.EqualTo(new[] { "N", "C", "C" }));
    }

    [Test]
    public void Vasp4_WithoutNames_AsksForThem()
    {
        var path = Write("water box\n1.0\n5 0 0\n0 5 0\n0 0 5\n1 2 3\nDirect\n0 0 0\n0.1 0 0\n0 0.1 0\n");
        var ex = TempFiles.AssertErrorAt(() => PoscarReader.Read(path), path, 6);
        Assert.That(ex.Message, Does.Contain("species"));
    }

    [Test]
    public void Vasp6_SpeciesHashSuffixIsDropped()
    {
        var path = Write("vasp6\n1.0\n5 0 0\n0 5 0\n0 0 5\nSi/5ba0ac2c Ge/b0db1f7d\n1 1\nDirect\n0 0 0\n0.5 0.5 0.5\n");
        Assert.That(PoscarReader.Read(path).Species, Is.EqualTo(new[] { "Si", "Ge" }));
    }

    private static IEnumerable<TestCaseData> Malformed()
    {
        const string lattice = "5 0 0\n0 5 0\n0 0 5\n";
        yield return new TestCaseData($"c\nabc\n{lattice}Si\n1\nDirect\n0 0 0\n", 2, "scale").SetName("NonNumericScale");
        yield return new TestCaseData($"c\n0\n{lattice}Si\n1\nDirect\n0 0 0\n", 2, "non-zero").SetName("ZeroScale");
        yield return new TestCaseData("c\n1.0\n5 0 0\n0 5\n0 0 5\nSi\n1\nDirect\n0 0 0\n", 4, "three numbers").SetName("ShortLatticeRow");
        yield return new TestCaseData("c\n1.0\n5 0 0\n10 0 0\n0 0 5\nSi\n1\nDirect\n0 0 0\n", 3, "singular").SetName("SingularLattice");
        yield return new TestCaseData($"c\n1.0\n{lattice}Si O\n1\nDirect\n0 0 0\n", 7, "counts").SetName("NamesCountsMismatch");
        yield return new TestCaseData($"c\n1.0\n{lattice}Si\nx\nDirect\n0 0 0\n", 7, "counts").SetName("NonIntegerCounts");
        yield return new TestCaseData($"c\n1.0\n{lattice}Si\n1\nFractional\n0 0 0\n", 8, "Direct").SetName("UnknownCoordinateMode");
        yield return new TestCaseData($"c\n1.0\n{lattice}Si\n2\nDirect\n0 0 0\n", 7, "ends after 1").SetName("TooFewCoordinateLines");
        yield return new TestCaseData($"c\n1.0\n{lattice}Si\n2\nDirect\n0 0 0\n0 y 0\n", 10, "'y'").SetName("NonNumericCoordinate");
        yield return new TestCaseData($"c\n1.0\n{lattice}Si\n1\nDirect\n0 0\n", 9, "three coordinates").SetName("TwoCoordinates");
        yield return new TestCaseData("c\n1.0\n5 0 0\n", 4, "ends early").SetName("Truncated");
    }

    [TestCaseSource(nameof(Malformed))]
    public void MalformedInput_ThrowsWithFileAndLine(string content, int line, string fragment)
    {
        var path = Write(content);
        var ex = TempFiles.AssertErrorAt(() => PoscarReader.Read(path), path, line);
        Assert.That(ex.Message, Does.Contain(fragment));
    }

    [Test]
    public void EmptyFile_IsAUserError()
    {
        var path = Write("");
        Assert.That(Assert.Throws<UserInputException>(() => PoscarReader.Read(path))!.Message, Does.Contain(path));
    }
}
