namespace DeepMD.Sharp.Tests.Cli;

using DeepMD.Sharp.Tests.Support;
using CommandLine = DeepMD.Sharp.Cli.CommandLine;

/// <summary>
/// Faults a user causes that are not bugs (a full disk, a system too large for memory) give one clear line and exit 1;
/// the run summary names the thread count as LAMMPS does; the top-level help names every job.
/// </summary>
public class HardeningCliTests
{
    private string _tmp = "";

    [SetUp]
    public void SetUp() => _tmp = RepoPaths.TempDir();

    [TearDown]
    public void TearDown()
    {
        Environment.SetEnvironmentVariable("DPSHARP_THREADS", null);
        Directory.Delete(_tmp, recursive: true);
    }

    /// <summary>The water example with <paramref name="edit"/> applied to its text, run with <c>dpsharp run</c> in a temp folder.</summary>
    private (int Code, string Out, string Err) RunWater(Func<string, string> edit, params string[] extra)
    {
        File.Copy(RepoPaths.Get("examples", "water", "water.lmp"), Path.Combine(_tmp, "water.lmp"));
        var text = File.ReadAllText(RepoPaths.Get("examples", "water", "in.water"))
            .Replace("../../potentials/water/water.dp", RepoPaths.TestModel("deeppot_sea.yaml"))
            .Replace("run             200", "run             20");
        var deck = Path.Combine(_tmp, "in.water");
        File.WriteAllText(deck, edit(text));
        var o = new StringWriter();
        var e = new StringWriter();
        var cwd = Environment.CurrentDirectory;
        Environment.CurrentDirectory = _tmp;
        try
        {
            var code = CommandLine.Run(["run", deck, .. extra], o, e);
            return (code, o.ToString(), e.ToString());
        }
        finally
        {
            Environment.CurrentDirectory = cwd;
        }
    }

    [Test]
    public void FullDiskWhileWritingADumpIsOneClearLineNamingTheFile()
    {
        // /dev/full accepts the open and fails every write with ENOSPC, as a full disk does.
        Requirement.Applies(File.Exists("/dev/full"), "needs /dev/full (Linux)");
        var (code, _, err) = RunWater(t => t.Replace("water.dump", "/dev/full").Replace("custom 100", "custom 1")
            .Replace("run  ", "write_data before.data\nrun  "), "--log", "none");
        Assert.That(code, Is.EqualTo(1), err);
        // What was written before the failure stays whole.
        var before = File.ReadAllLines(Path.Combine(_tmp, "before.data"));
        Assert.That(before, Does.Contain("192 atoms"));
        Assert.That(before.Count(l => l.Trim().Length > 0 && char.IsDigit(l.Trim()[0]) && l.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).Length >= 5), Is.EqualTo(192));
        Assert.That(err, Does.Contain("/dev/full"));
        Assert.That(err, Does.Contain("no space left on device"));
        Assert.That(err, Does.Not.Contain("bug"));
        Assert.That(err.TrimEnd().Split('\n'), Has.Length.EqualTo(1), err);
    }

    [Test]
    public void FullDiskWhileWritingTheLogIsOneClearLine()
    {
        Requirement.Applies(File.Exists("/dev/full"), "needs /dev/full (Linux)");
        var (code, _, err) = RunWater(t => t.Replace("custom 100", "custom 10"), "--log", "/dev/full");
        Assert.That(code, Is.EqualTo(1), err);
        Assert.That(err, Does.Contain("/dev/full"));
        Assert.That(err, Does.Contain("no space left on device"));
        Assert.That(err, Does.Not.Contain("bug"));
    }

    [Test]
    public void ReplicateBeyondMemoryIsRefusedWithTheEstimate()
    {
        // 200^3 copies of 192 atoms: 1.5e9 atoms, hundreds of GB before any neighbor list.
        var (code, _, err) = RunWater(t => t.Replace("velocity", "replicate 200 200 200\nvelocity"), "--log", "none");
        Assert.That(code, Is.EqualTo(1), err);
        Assert.That(err, Does.Contain("replicate 200 200 200"));
        Assert.That(err, Does.Contain("GB of memory"));
        Assert.That(err, Does.Contain("available"));
        Assert.That(err, Does.Not.Contain("bug"));
    }

    [Test]
    public void OutOfMemoryReachingTheTopIsNotCalledABug()
    {
        var e = new StringWriter();
        var code = CommandLine.Report(new OutOfMemoryException("Array dimensions exceeded supported range."), e);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(e.ToString(), Does.Contain("out of memory"));
        Assert.That(e.ToString(), Does.Not.Contain("bug"));
    }

    [Test]
    public void LoopTimeNamesTheThreadsAsLammpsDoes()
    {
        var (code, stdout, err) = RunWater(t => t, "--log", "none", "--threads", "2");
        Assert.That(code, Is.Zero, err);
        // LAMMPS with OMP_NUM_THREADS=2: "Loop time of T on 2 procs for N steps with A atoms", then after Performance
        // "P% CPU use with 1 MPI tasks x 2 OpenMP threads".
        Assert.That(stdout, Does.Match(@"Loop time of \S+ on 2 procs for 20 steps with 192 atoms"));
        Assert.That(stdout, Does.Match(@"\d+\.\d% CPU use with 1 MPI tasks x 2 OpenMP threads"));
    }

    [Test]
    public void TopLevelHelpNamesRunAndTrain()
    {
        var o = new StringWriter();
        Assert.That(CommandLine.Run(["--help"], o, new StringWriter()), Is.Zero);
        var description = o.ToString().Split("Usage:")[0];
        Assert.That(description, Does.Contain("run"));
        Assert.That(description, Does.Contain("train"));
    }
}
