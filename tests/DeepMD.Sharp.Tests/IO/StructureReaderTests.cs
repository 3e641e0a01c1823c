namespace DeepMD.Sharp.Tests.IO;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.IO;

[TestFixture]
public class StructureReaderTests
{
    private const string Xyz = "2\nLattice=\"6 0 0 0 6 0 0 0 6\"\nO 0 0 0\nH 1 0 0\n";
    private const string Poscar = "bulk\n1.0\n6 0 0\n0 6 0\n0 0 6\nO H\n1 1\nCartesian\n0 0 0\n1 0 0\n";
    private const string Lammps = "data\n\n2 atoms\n2 atom types\n0 6 xlo xhi\n0 6 ylo yhi\n0 6 zlo zhi\n\nAtoms # atomic\n\n1 1 0 0 0\n2 2 1 0 0\n";

    private TempFiles _files = null!;

    [OneTimeSetUp]
    public void SetUp() => _files = new TempFiles();

    [OneTimeTearDown]
    public void TearDown() => _files.Dispose();

    [TestCase("water.xyz", StructureFormat.ExtXyz)]
    [TestCase("water.EXTXYZ", StructureFormat.ExtXyz)]
    [TestCase("POSCAR", StructureFormat.Poscar)]
    [TestCase("POSCAR_relaxed", StructureFormat.Poscar)]
    [TestCase("CONTCAR", StructureFormat.Poscar)]
    [TestCase("cell.vasp", StructureFormat.Poscar)]
    [TestCase("cell.poscar", StructureFormat.Poscar)]
    [TestCase("water.data", StructureFormat.LammpsData)]
    [TestCase("water.lmp", StructureFormat.LammpsData)]
    [TestCase("water.lammps", StructureFormat.LammpsData)]
    [TestCase("data.water", StructureFormat.LammpsData)]
    public void DetectFormat_ByName(string name, StructureFormat expected)
    {
        var content = expected switch
        {
            StructureFormat.ExtXyz => Xyz,
            StructureFormat.Poscar => Poscar,
            _ => Lammps,
        };
        var dir = Path.Combine(_files.Directory, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, content);
        Assert.That(StructureReader.DetectFormat(path), Is.EqualTo(expected));
        var s = StructureReader.Read(path, ["O", "H"]);
        Assert.Multiple(() =>
        {
            Assert.That(s.Species, Is.EqualTo(new[] { "O", "H" }));
            Assert.That(s.X, Is.EqualTo(new[] { 0.0, 1.0 }));
            Assert.That(s.Box!.Volume, Is.EqualTo(216).Within(1e-9));
        });
    }

    [TestCase(Xyz, StructureFormat.ExtXyz)]
    [TestCase(Poscar, StructureFormat.Poscar)]
    [TestCase(Lammps, StructureFormat.LammpsData)]
    public void DetectFormat_SniffsContentWhenTheNameSaysNothing(string content, StructureFormat expected)
    {
        var path = _files.Write($"structure-{Guid.NewGuid():N}.txt", content);
        Assert.That(StructureReader.DetectFormat(path), Is.EqualTo(expected));
        Assert.That(StructureReader.Read(path, ["O", "H"]).Count, Is.EqualTo(2));
    }

    [TestCase("missing.xyz")]
    [TestCase("missing-structure")]
    [TestCase("POSCAR")]
    public void MissingFile_IsAUserError(string name)
    {
        var path = Path.Combine(_files.Directory, "nowhere", name);
        var ex = Assert.Throws<UserInputException>(() => StructureReader.Read(path))!;
        Assert.That(ex.Message, Does.Contain("file not found").And.Contain(path));
    }

    [Test]
    public void Directory_IsAUserError()
    {
        var ex = Assert.Throws<UserInputException>(() => StructureReader.Read(_files.Directory))!;
        Assert.That(ex.Message, Does.Contain("directory"));
    }
}
