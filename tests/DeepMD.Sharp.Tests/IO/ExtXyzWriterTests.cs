namespace DeepMD.Sharp.Tests.IO;

using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.IO;

[TestFixture]
public class ExtXyzWriterTests
{
    private TempFiles _files = null!;

    [OneTimeSetUp]
    public void SetUp() => _files = new TempFiles();

    [OneTimeTearDown]
    public void TearDown() => _files.Dispose();

    private static Structure Triclinic() =>
        new(["O", "H", "H", "Na"],
            [0.1, 1.0 / 3.0, -2.5e-7, 9.87654321],
            [0.2, Math.PI, 4.4, 1e5],
            [0.3, -Math.E, 0.0, 7.25],
            new Box([10.5, 0, 0, 1.25, 11.0, 0, -0.5, 0.75, 12.125], true, true, false));

    [Test]
    public void RoundTrip_PreservesEverythingExactly()
    {
        var s = Triclinic();
        var forces = new[] { 0.1, -0.2, 0.3, 1.0 / 7.0, 2e-9, -3.5, 0, 0, 0, 1, 2, 3 };
        var atomEnergies = new[] { -1.5, -0.25, -0.25, -2.0 / 3.0 };
        var path = Path.Combine(_files.Directory, "roundtrip.extxyz");

        ExtXyzWriter.Write(path, s, energy: -4.6666666666666667, forces: forces, atomEnergies: atomEnergies);
        var frame = ExtXyzReader.ReadExtendedFrame(path, 0);
        var r = frame.Structure;

        Assert.Multiple(() =>
        {
            Assert.That(r.Species, Is.EqualTo(s.Species));
            Assert.That(r.X, Is.EqualTo(s.X));
            Assert.That(r.Y, Is.EqualTo(s.Y));
            Assert.That(r.Z, Is.EqualTo(s.Z));
            Assert.That(r.Box!.Matrix.ToArray(), Is.EqualTo(s.Box!.Matrix.ToArray()));
            Assert.That(new[] { r.Box.IsPeriodic(0), r.Box.IsPeriodic(1), r.Box.IsPeriodic(2) }, Is.EqualTo(new[] { true, true, false }));
            Assert.That(frame.Forces, Is.EqualTo(forces));
            Assert.That(frame.Arrays["energies"], Is.EqualTo(atomEnergies));
            Assert.That(frame.Energy, Is.EqualTo(-4.6666666666666667));
        });
    }

    [Test]
    public void RoundTrip_VelocitiesIdsAndInfo()
    {
        var s = Triclinic();
        var velocities = new[] { 1e-3, -2.0 / 3.0, 0, 5, 6, 7, -8e10, 9, 10, 0.1, 0.2, 0.3 };
        var ids = new[] { 4, 17, 2, 1_000_000 };
        KeyValuePair<string, string>[] info = [new("Timestep", "11"), new("units", "metal"), new("origin", "0.5 -1 \"q\"")];
        var path = Path.Combine(_files.Directory, "velo.extxyz");

        ExtXyzWriter.Write(path, s, forces: new double[12], velocities: velocities, ids: ids, info: info);
        var frame = ExtXyzReader.ReadExtendedFrame(path, 0);

        Assert.Multiple(() =>
        {
            Assert.That(File.ReadLines(path).ElementAt(1), Does.Contain("Properties=species:S:1:pos:R:3:forces:R:3:velo:R:3:id:I:1"));
            Assert.That(frame.Structure.X, Is.EqualTo(s.X));
            Assert.That(frame.Forces, Is.EqualTo(new double[12]));
            Assert.That(frame.Arrays["velo"], Is.EqualTo(velocities));
            Assert.That(frame.Arrays["id"], Is.EqualTo(ids.Select(i => (double)i).ToArray()));
            Assert.That(frame.Info["Timestep"], Is.EqualTo("11"));
            Assert.That(frame.Info["units"], Is.EqualTo("metal"));
            Assert.That(frame.Info["origin"], Is.EqualTo("0.5 -1 \"q\""), "values with spaces and quotes are quoted");
        });
        Assert.Throws<ArgumentException>(() => ExtXyzWriter.Write(path, s, velocities: new double[3]));
        Assert.Throws<ArgumentException>(() => ExtXyzWriter.Write(path, s, ids: [1]));
    }

    [Test]
    public void RoundTrip_WithoutBoxOrExtras()
    {
        var s = new Structure(["C", "O"], [0, 1.128], [0, 0], [0, 0], null);
        var path = Path.Combine(_files.Directory, "co.xyz");
        ExtXyzWriter.Write(path, s);
        var frame = ExtXyzReader.ReadExtendedFrame(path, 0);
        Assert.Multiple(() =>
        {
            Assert.That(frame.Structure.Box, Is.Null);
            Assert.That(frame.Structure.X, Is.EqualTo(s.X));
            Assert.That(frame.Arrays, Is.Empty);
            Assert.That(frame.Energy, Is.Null);
            Assert.That(File.ReadAllLines(path)[1], Does.Contain("pbc=\"F F F\"").And.Not.Contain("Lattice"));
        });
    }

    [Test]
    public void Write_ReplacesExistingFileAndLeavesNoTemporaryFiles()
    {
        var dir = Path.Combine(_files.Directory, "replace");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "out.xyz");
        File.WriteAllText(path, "old content that is longer than the new frame ................................................\n");

        ExtXyzWriter.Write(path, new Structure(["He"], [1], [2], [3], null));

        Assert.Multiple(() =>
        {
            Assert.That(Directory.GetFiles(dir), Is.EqualTo(new[] { path }));
            Assert.That(File.ReadAllText(path), Does.Not.Contain("old content"));
            Assert.That(ExtXyzReader.Read(path).Species, Is.EqualTo(new[] { "He" }));
        });
    }

    [Test]
    public void WriteFrame_BuildsAMultiFrameTrajectory()
    {
        var path = Path.Combine(_files.Directory, "traj.xyz");
        using (var w = new StreamWriter(path))
        {
            ExtXyzWriter.WriteFrame(w, Triclinic(), energy: 1.0);
            ExtXyzWriter.WriteFrame(w, new Structure(["Ar"], [1], [1], [1], Box.Orthorhombic(3, 3, 3)), energy: 2.0);
        }
        var frames = ExtXyzReader.ReadExtendedFrames(path);
        Assert.Multiple(() =>
        {
            Assert.That(frames, Has.Count.EqualTo(2));
            Assert.That(frames.Select(f => f.Energy), Is.EqualTo(new double?[] { 1.0, 2.0 }));
            Assert.That(frames[1].Structure.Box!.Volume, Is.EqualTo(27).Within(1e-12));
        });
    }

    [Test]
    public void Write_IntoMissingDirectory_IsAUserError()
    {
        var path = Path.Combine(_files.Directory, "no-such-dir", "out.xyz");
        var ex = Assert.Throws<UserInputException>(() => ExtXyzWriter.Write(path, new Structure(["He"], [0], [0], [0], null)))!;
        Assert.That(ex.Message, Does.Contain("out.xyz"));
    }

    [Test]
    public void Write_RejectsForcesOfTheWrongLength()
    {
        var path = Path.Combine(_files.Directory, "wrong.xyz");
        Assert.Throws<ArgumentException>(() => ExtXyzWriter.Write(path, new Structure(["He"], [0], [0], [0], null), forces: [1, 2]));
        Assert.That(File.Exists(path), Is.False);
    }
}
