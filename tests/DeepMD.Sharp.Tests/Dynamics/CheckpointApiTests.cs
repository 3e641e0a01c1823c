namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Dynamics.Checkpoints;
using DeepMD.Sharp.Dynamics.Fixes;
using DeepMD.Sharp.Dynamics.Potentials;
using DeepMD.Sharp.Dynamics.Units;
using DeepMD.Sharp.Dynamics.Velocities;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// The C# checkpoint API (Simulation.SaveCheckpoint / LoadCheckpoint) and the file's refusal of truncated, corrupted,
/// foreign and newer files.
/// </summary>
[TestFixture]
public class CheckpointApiTests
{
    /// <summary>An lj crystal built with the API (no deck): 108 atoms, NVE + Langevin.</summary>
    private static Simulation NewLj()
    {
        var sim = new Simulation(UnitSystem.Lj);
        var n = 3;
        var a = Math.Pow(4 / 0.8442, 1.0 / 3);
        sim.CreateBox(new SimulationBox(0, n * a, 0, n * a, 0, n * a), 1);
        sim.SetMass(0, 1.0);
        double[][] basis = [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]];
        var id = 1;
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
                for (var k = 0; k < n; k++)
                    foreach (var b in basis)
                        sim.Atoms.Add(id++, 0, (i + b[0]) * a, (j + b[1]) * a, (k + b[2]) * a);
        VelocityGenerator.Create(sim, 2.0, 4928459, new VelocityOptions());
        AddModel(sim);
        return sim;
    }

    private static void AddModel(Simulation sim)
    {
        var lj = new LennardJonesCut(1, 2.5);
        lj.SetCoefficients(0, 0, 1.0, 1.0);
        sim.Potential = lj;
        sim.Fixes.Add(new FixNve("1"));
        sim.Fixes.Add(new FixLangevin("2", 1.2, 1.2, 0.3, 7331));
    }

    [Test]
    public void SaveAndLoadContinueTheRunBitForBit()
    {
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "api.restart");
        var full = NewLj();
        full.Run(60);

        var half = NewLj();
        half.Run(30);
        half.SaveCheckpoint(path);
        var resumed = Simulation.LoadCheckpoint(path);
        Assert.That(resumed.Step, Is.EqualTo(30));
        Assert.That(resumed.Potential, Is.Null, "the potential is defined again by the caller");
        AddModel(resumed);
        resumed.Run(30);

        Assert.That(resumed.Step, Is.EqualTo(60));
        // every stored array, the box and the fix states (the Langevin random generator's included), bit for bit
        var expected = Checkpoint.Capture(full);
        Assert.That(expected.Fx, Is.Not.Null);
        Assert.That(expected.Fixes.Single(f => f.Style == "langevin").State, Is.Not.Empty, "the Langevin random-generator state is compared");
        CheckpointAssert.Identical(expected, Checkpoint.Capture(resumed));
    }

    [Test]
    public void ChangingTheStateAfterLoadingFallsBackToAFreshSetup()
    {
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "api.restart");
        var half = NewLj();
        half.Run(30);
        half.SaveCheckpoint(path);
        var resumed = Simulation.LoadCheckpoint(path);
        AddModel(resumed);
        resumed.Atoms.Vx[0] += 0.5; // like a velocity command between read_restart and run
        var warnings = new List<string>();
        resumed.Warn = warnings.Add;
        resumed.Run(0);
        // A fresh setup: the list is rebuilt and Langevin draws new random forces, so the saved forces are not reused.
        var saved = CheckpointFile.Read(path);
        Assert.That(resumed.PendingCheckpoint, Is.Null);
        Assert.That(warnings, Is.Empty);
        Assert.That(resumed.Atoms.Fx, Is.Not.EqualTo(saved.Fx));
        Assert.That(resumed.Verlet.BuildCount, Is.EqualTo(1), "rebuilt from scratch, not restored with the saved build count");
    }

    [Test]
    public void AFixDroppedOnRestartIsReported()
    {
        var path = Path.Combine(RepoPaths.TempDir(), "api.restart");
        var half = NewLj();
        half.Run(5);
        half.SaveCheckpoint(path);
        var resumed = Simulation.LoadCheckpoint(path);
        var lj = new LennardJonesCut(1, 2.5);
        lj.SetCoefficients(0, 0, 1.0, 1.0);
        resumed.Potential = lj;
        resumed.Fixes.Add(new FixNve("1"));
        var warnings = new List<string>();
        resumed.Warn = warnings.Add;
        resumed.Run(1);
        Assert.That(warnings, Has.Some.Contains("fix 2 (langevin)"));
    }

    private static string ValidFile()
    {
        var path = Path.Combine(RepoPaths.TempDir(), "ok.restart");
        var sim = NewLj();
        sim.Run(3);
        sim.SaveCheckpoint(path);
        return path;
    }

    [Test]
    public void ATruncatedFileIsRefusedWithAClearError()
    {
        var path = ValidFile();
        var bytes = File.ReadAllBytes(path);
        foreach (var keep in new[] { 10, 30, bytes.Length / 2, bytes.Length - 1 })
        {
            var cut = path + keep;
            File.WriteAllBytes(cut, bytes[..keep]);
            var e = Assert.Throws<UserInputException>(() => CheckpointFile.Read(cut))!;
            Assert.That(e.Message, Does.Contain(cut).And.Contain(keep < 16 ? "not a dpsharp restart file" : "truncated"), $"{keep} bytes");
        }
    }

    [Test]
    public void ACorruptedForeignOrNewerFileIsRefused()
    {
        var path = ValidFile();
        var bytes = File.ReadAllBytes(path);
        var flipped = (byte[])bytes.Clone();
        flipped[200] ^= 0x10;
        File.WriteAllBytes(path + ".bad", flipped);
        Assert.That(Assert.Throws<UserInputException>(() => CheckpointFile.Read(path + ".bad"))!.Message, Does.Contain("corrupted"));

        var newer = (byte[])bytes.Clone();
        BitConverter.GetBytes(CheckpointFile.Version + 1).CopyTo(newer, 16);
        File.WriteAllBytes(path + ".new", newer);
        Assert.That(Assert.Throws<UserInputException>(() => CheckpointFile.Read(path + ".new"))!.Message, Does.Contain($"format version {CheckpointFile.Version + 1}"));

        var data = RepoPaths.Get("examples", "water", "water.lmp");
        Assert.That(Assert.Throws<UserInputException>(() => CheckpointFile.Read(data))!.Message, Does.Contain("is not a dpsharp restart file"));
        Assert.That(Assert.Throws<UserInputException>(() => CheckpointFile.Read(path + ".none"))!.Message, Does.Contain("does not exist"));
    }

    [Test]
    public void WritingLeavesNoTemporaryFileAndReplacesTheOldCheckpoint()
    {
        var path = ValidFile();
        var dir = Path.GetDirectoryName(path)!;
        var sim = NewLj();
        sim.Run(7);
        sim.SaveCheckpoint(path);
        Assert.That(CheckpointFile.Read(path).Step, Is.EqualTo(7));
        Assert.That(Directory.GetFiles(dir), Is.EqualTo(new[] { path }));
    }

    [Test]
    public void ReadRestartInADeckAfterABoxExistsIsAnError()
    {
        var path = ValidFile();
        using var s = new DeckSession(new StringWriter(), Path.GetDirectoryName(path)!, null);
        s.Runner.RunText("d", "region b block 0 1 0 1 0 1 units box\ncreate_box 1 b\n");
        var e = Assert.Throws<UserInputException>(() => s.Runner.RunText("d2", $"read_restart {path}"))!;
        Assert.That(e.Message, Does.Contain("read_restart"));
    }
}
