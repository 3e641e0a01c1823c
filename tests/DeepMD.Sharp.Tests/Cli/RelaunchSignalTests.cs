namespace DeepMD.Sharp.Tests.Cli;

using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// dpsharp relaunches itself with 512-bit vectors (<see cref="WideVectorsTests"/>); stopping the launched process must
/// stop the relaunched child too: <c>kill -9</c> (what timeouts and batch systems do), SIGTERM and SIGINT sent to the
/// parent alone. Runs the built program on a long deck and watches the child in /proc.
/// </summary>
[NonParallelizable]
public class RelaunchSignalTests
{
    private string _tmp = "";

    [SetUp]
    public void SetUp()
    {
        Requirement.Applies(OperatingSystem.IsLinux(), "Linux only (PR_SET_PDEATHSIG, /proc)");
        Requirement.Applies(Vector512.IsHardwareAccelerated, "dpsharp relaunches itself only where 512-bit vectors are fast");
        _tmp = RepoPaths.TempDir();
    }

    [TearDown]
    public void TearDown()
    {
        if (_tmp.Length > 0) Directory.Delete(_tmp, recursive: true);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    /// <summary>Starts <c>dotnet dpsharp.dll run</c> on a deck of a million steps; returns the parent and the child's pid once the child is running the deck.</summary>
    private (Process Parent, int Child) StartLongRun()
    {
        File.Copy(RepoPaths.Get("examples", "water", "water.lmp"), Path.Combine(_tmp, "water.lmp"));
        var text = File.ReadAllText(RepoPaths.Get("examples", "water", "in.water"))
            .Replace("../../potentials/water/water.dp", RepoPaths.TestModel("deeppot_sea.yaml"))
            .Replace("run             200", "run             1000000");
        File.WriteAllText(Path.Combine(_tmp, "in.water"), text);
        // Started as a user's shell starts it: SIGINT and SIGQUIT at their default disposition. A test host launched in the
        // background of a non-interactive shell has them ignored, which every child inherits (and .NET honours, as any
        // program does); env --default-signal (coreutils) resets them and execs, so the parent's pid is dotnet's.
        var psi = new ProcessStartInfo("env")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = _tmp,
        };
        psi.ArgumentList.Add("--default-signal=INT,QUIT");
        psi.ArgumentList.Add("dotnet");
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "dpsharp.dll"));
        foreach (var a in new[] { "run", "in.water", "--log", "none", "--progress", "none", "--threads", "1" }) psi.ArgumentList.Add(a);
        foreach (var name in new[] { "DOTNET_MaxVectorTBitWidth", "DPSHARP_NO_RELAUNCH", "DPSHARP_RELAUNCHED" }) psi.Environment.Remove(name);
        var parent = Process.Start(psi)!;
        var started = new TaskCompletionSource();
        parent.OutputDataReceived += (_, e) => { if (e.Data?.Contains("Setting up Verlet run") == true) started.TrySetResult(); };
        parent.ErrorDataReceived += (_, _) => { };
        parent.BeginOutputReadLine();
        parent.BeginErrorReadLine();
        if (!started.Task.Wait(TimeSpan.FromSeconds(120)))
        {
            parent.Kill(entireProcessTree: true);
            Assert.Fail("the run did not start within 120 s");
        }
        var children = Children(parent.Id);
        if (children.Count != 1)
        {
            parent.Kill(entireProcessTree: true);
            Assert.Fail($"expected one relaunched child of {parent.Id}, found {children.Count}");
        }
        return (parent, children[0]);
    }

    private static List<int> Children(int pid)
    {
        var list = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var p)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1]) == pid) list.Add(p);
            }
            catch (IOException)
            {
            }
        }
        return list;
    }

    /// <summary>Whether a process runs (exists and is not a zombie).</summary>
    private static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static bool GoneWithin(int pid, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            if (!Alive(pid)) return true;
            Thread.Sleep(20);
        }
        return !Alive(pid);
    }

    private void StopParentAndExpectTheChildGone(int signal)
    {
        var (parent, child) = StartLongRun();
        try
        {
            Assert.That(kill(parent.Id, signal), Is.Zero);
            Assert.That(GoneWithin(child, TimeSpan.FromSeconds(1)), Is.True, $"the relaunched child {child} still runs 1 s after signal {signal} to the parent");
            Assert.That(parent.WaitForExit(5000), Is.True, "the parent did not exit");
        }
        finally
        {
            if (Alive(child)) kill(child, 9);
            if (!parent.HasExited) parent.Kill();
            parent.Dispose();
        }
    }

    [Test]
    public void KillNineOfTheParentStopsTheChild() => StopParentAndExpectTheChildGone(9);

    [Test]
    public void SigtermToTheParentStopsTheChild() => StopParentAndExpectTheChildGone(15);

    [Test]
    public void SigintToTheParentAloneStopsTheChild() => StopParentAndExpectTheChildGone(2);
}
