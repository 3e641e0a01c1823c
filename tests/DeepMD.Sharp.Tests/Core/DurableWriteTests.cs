namespace DeepMD.Sharp.Tests.Core;

using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.Core.Files;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Dynamics.Checkpoints;
using DeepMD.Sharp.IO;
using DeepMD.Sharp.Models.Serialization;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// Issue 16 item 9: every write-to-a-temporary-then-rename writer flushes the temporary file to the disk before the
/// rename and flushes the folder after it (a power loss cannot be simulated; the steps are recorded through
/// <see cref="DurableFile.Observer"/> in the order they happen).
/// </summary>
[TestFixture]
public class DurableWriteTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "dpsharp-durable-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown()
    {
        DurableFile.Observer = null;
        Directory.Delete(_dir, recursive: true);
    }

    private List<string> Record(Action write)
    {
        var steps = new List<string>();
        DurableFile.Observer = steps.Add;
        try { write(); }
        finally { DurableFile.Observer = null; }
        return steps;
    }

    /// <summary>The last rename onto <paramref name="final"/> comes after a flush of its source and before a flush of the folder.</summary>
    internal static void AssertFlushMoveFsync(List<string> steps, string final)
    {
        final = Path.GetFullPath(final);
        var move = steps.FindLastIndex(s => s.StartsWith("move ", StringComparison.Ordinal) && s.EndsWith(" " + final, StringComparison.Ordinal));
        Assert.That(move, Is.GreaterThanOrEqualTo(0), $"no recorded rename onto {final}; steps: {string.Join(" | ", steps)}");
        var temp = steps[move]["move ".Length..^(final.Length + 1)];
        var flush = steps.FindLastIndex(move, s => s == "flush " + temp);
        Assert.That(flush, Is.GreaterThanOrEqualTo(0), $"the temporary file {temp} was not flushed to the disk before the rename; steps: {string.Join(" | ", steps)}");
        var dirSync = steps.FindIndex(move, s => s == "fsync-dir " + Path.GetDirectoryName(final));
        Assert.That(dirSync, Is.GreaterThan(move), $"the folder was not flushed after the rename; steps: {string.Join(" | ", steps)}");
        Assert.That(File.Exists(temp), Is.False);
        Assert.That(new FileInfo(final).Length, Is.GreaterThan(0));
    }

    [Test]
    public void RestartFile_FlushedBeforeRename_FolderAfter()
    {
        var path = Path.Combine(_dir, "run.restart");
        var c = new Checkpoint
        {
            Units = "metal", Step = 7, Timestep = 0.001, Bounds = [0, 10, 0, 10, 0, 10], Tilts = [0, 0, 0], Periodic = [true, true, true],
            Masses = [1.0], Skin = 2, NeighborEvery = 1, NeighborDelay = 0, NeighborCheck = true,
            Ids = [1], Types = [0], X = [1], Y = [2], Z = [3], Vx = [0], Vy = [0], Vz = [0], ImageA = [0], ImageB = [0], ImageC = [0],
            Fixes = [],
        };
        AssertFlushMoveFsync(Record(() => CheckpointFile.Write(c, path)), path);
        Assert.That(CheckpointFile.Read(path).Step, Is.EqualTo(7));
    }

    [Test]
    public void DataFile_FlushedBeforeRename_FolderAfter()
    {
        var path = Path.Combine(_dir, "out.data");
        var atoms = new AtomState();
        atoms.Add(1, 0, 1, 2, 3);
        var box = new SimulationBox(0, 10, 0, 10, 0, 10);
        AssertFlushMoveFsync(Record(() => LammpsDataWriter.Write(path, box, atoms, 1, [1.0], 0, "metal")), path);
    }

    [Test]
    public void ExtXyz_FlushedBeforeRename_FolderAfter()
    {
        var path = Path.Combine(_dir, "out.extxyz");
        var s = new Structure(["O"], [1.0], [2.0], [3.0], new Box([10, 0, 0, 0, 10, 0, 0, 0, 10], true, true, true));
        AssertFlushMoveFsync(Record(() => ExtXyzWriter.Write(path, s)), path);
    }

    [Test]
    public void ModelFile_FlushedBeforeRename_FolderAfter([Values("dp", "yaml")] string ext)
    {
        var tree = ModelFile.Load(RepoPaths.TestModel("water-example-float32.dp"));
        var path = Path.Combine(_dir, "model." + ext);
        AssertFlushMoveFsync(Record(() => ModelFile.Save(path, tree)), path);
    }

    [Test]
    public void FolderFlush_WorksOnARealFolder()
    {
        Assert.DoesNotThrow(() => DurableFile.FlushFolder(_dir));
        Assert.Throws<IOException>(() => DurableFile.FlushFolder(Path.Combine(_dir, "missing")), "a folder that cannot be opened is an error, not silently skipped")
            ;
    }
}
