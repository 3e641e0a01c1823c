namespace DeepMD.Sharp.Tests.Input;

using DeepMD.Sharp.Tests.Dynamics;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// LAMMPS' <c>shell</c> command against Debian's <c>lmp</c>: the same deck run by both in fresh folders leaves the same
/// files and folders behind (mkdir, cd, mv, rm, rmdir, putenv read back by a system command, a system command writing a
/// file), dumps and write_data land where LAMMPS puts them after <c>shell cd</c>, and failures are LAMMPS' warnings.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class ShellCommandVersusLammpsTests
{
    private const string Deck = """
        units lj
        lattice sc 0.8
        region box block 0 3 0 3 0 3
        create_box 1 box
        create_atoms 1 box
        mass 1 1.0
        pair_style lj/cut 2.5
        pair_coeff * * 1 1
        shell mkdir out out/sub tmp
        shell mkdir out
        shell putenv DPS_SHELL_TEST=hello-from-putenv
        shell "echo $DPS_SHELL_TEST > out/env.txt"
        shell cd out
        write_data data.here
        shell mv data.here data.moved
        shell cd ..
        shell rm tmp
        shell rmdir tmp out/sub
        shell rmdir out
        shell rm nothing.here
        shell mv nothing.here else.there
        shell cd nowhere
        shell false
        print "done"
        """;

    private static (string Output, List<string> Tree) Run(Func<string, string, string> runner)
    {
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.shell");
        File.WriteAllText(path, Deck + "\n");
        var output = runner(path, dir);
        var tree = Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(dir, p)).Where(p => p != "in.shell" && !p.StartsWith("log.", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        return (output, tree);
    }

    [Test]
    public void ShellCommandsLeaveTheSameFilesAndWarningsAsLammps()
    {
        var lmp = LammpsHarness.RequireLammps();
        var (theirs, theirTree) = Run((path, dir) => LammpsHarness.RunLammps(lmp, path, dir));
        var (ours, ourTree) = Run(LammpsHarness.RunDpsharp);
        Assert.That(ourTree, Is.EqualTo(theirTree), "files and folders left behind");
        Assert.That(theirTree, Does.Contain(Path.Combine("out", "data.moved")).And.Contain(Path.Combine("out", "env.txt")));
        static List<string> Warnings(string s) => s.Split('\n').Where(l => l.StartsWith("WARNING: Shell command", StringComparison.Ordinal))
            .Select(l => l.Contains(" (src/", StringComparison.Ordinal) ? l[..l.IndexOf(" (src/", StringComparison.Ordinal)] : l).ToList();
        Assert.That(Warnings(ours), Is.EqualTo(Warnings(theirs)), "LAMMPS' warnings, in order");
        Assert.That(Warnings(theirs), Has.Count.EqualTo(7));
    }

    [Test]
    public void PutenvValueReachesTheSystemCommand()
    {
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.env");
        File.WriteAllText(path, "shell putenv DPS_SHELL_VALUE=42\nshell \"echo $DPS_SHELL_VALUE > value.txt\"\n");
        LammpsHarness.RunDpsharp(path, dir);
        Assert.That(File.ReadAllText(Path.Combine(dir, "value.txt")).Trim(), Is.EqualTo("42"));
    }

    [TestCase("shell\n", "Illegal shell command")]
    [TestCase("shell cd a b\n", "Illegal shell cd command")]
    [TestCase("shell mv a\n", "Illegal shell mv command")]
    [TestCase("shell mkdir\n", "Illegal shell mkdir command")]
    [TestCase("shell rm\n", "Illegal shell rm command")]
    [TestCase("shell rmdir\n", "Illegal shell rmdir command")]
    [TestCase("shell putenv\n", "Illegal shell putenv command")]
    public void RefusesWithLammpsErrorText(string line, string text)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.bad");
        File.WriteAllText(path, line);
        var lammps = LammpsHarness.RunLammps(lmp, path, dir, expectFailure: true);
        Assert.That(lammps, Does.Contain("ERROR: " + text));
        var e = Assert.Throws(Is.InstanceOf<DeepMD.Sharp.Core.Errors.UserInputException>(), () => LammpsHarness.RunDpsharp(path, dir));
        Assert.That(e!.Message, Does.Contain(text));
    }
}
