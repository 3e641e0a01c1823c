namespace DeepMD.Sharp.Tests.Training;

using System.Diagnostics;
using DeepMD.Sharp.Core.Files;
using DeepMD.Sharp.Tests.Core;
using DeepMD.Sharp.Tests.Support;
using CommandLine = DeepMD.Sharp.Cli.CommandLine;

/// <summary>
/// What <c>dpsharp train</c> owns in its folder (issue 16 items 8 and 9): a second training writing the same
/// lcurve.out and checkpoints is refused while the first runs, naming the first process; every checkpoint is flushed
/// to the disk before it is renamed into place and the folder is flushed after the rename.
/// </summary>
[NonParallelizable]
public class TrainOutputsTests
{
    private string _tmp = "";

    [SetUp]
    public void SetUp() => _tmp = RepoPaths.TempDir();

    [TearDown]
    public void TearDown()
    {
        DurableFile.Observer = null;
        Directory.Delete(_tmp, recursive: true);
    }

    /// <summary>A tiny se_e2_a input whose outputs (lcurve.out, model.ckpt-STEP.ckpt) are relative to the current folder.</summary>
    private static string Input(int steps) =>
        $$"""
        {
          "model": {
            "type_map": ["O", "H"],
            "descriptor": {"type": "se_e2_a", "sel": [20, 40], "rcut_smth": 0.5, "rcut": 4.0, "neuron": [4, 8], "axis_neuron": 2,
                           "type_one_side": true, "resnet_dt": false, "precision": "float64", "seed": 1},
            "fitting_net": {"neuron": [8, 8], "resnet_dt": true, "seed": 1}
          },
          "learning_rate": {"type": "exp", "decay_steps": 2, "start_lr": 0.005, "stop_lr": 1e-4},
          "loss": {"type": "ener", "start_pref_e": 0.02, "limit_pref_e": 1, "start_pref_f": 1000, "limit_pref_f": 1},
          "training": {
            "training_data": {"systems": [{{System.Text.Json.JsonSerializer.Serialize(TrainingFixtures.WaterDir)}}], "batch_size": "auto"},
            "numb_steps": {{steps}}, "seed": 3, "disp_freq": 1, "save_freq": 4,
            "disp_file": "lcurve.out", "save_ckpt": "model.ckpt"
          }
        }
        """;

    [Test]
    public void SecondTrainingInOneFolder_IsRefused_NamingTheFirst()
    {
        File.WriteAllText(Path.Combine(_tmp, "input.json"), Input(100_000_000));
        var dll = Path.Combine(TestContext.CurrentContext.TestDirectory, "dpsharp.dll");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var psi = new ProcessStartInfo(dotnet, [dll, "train", "input.json", "-o", "first.dp"])
        {
            WorkingDirectory = _tmp, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.Environment["DPSHARP_NO_RELAUNCH"] = "1";  // one process, so that killing it ends the training
        using var first = Process.Start(psi)!;
        var firstErr = first.StandardError.ReadToEndAsync();
        _ = first.StandardOutput.ReadToEndAsync();
        try
        {
            var lcurve = Path.Combine(_tmp, "lcurve.out");
            var watch = Stopwatch.StartNew();
            while (!(File.Exists(lcurve) && File.ReadAllLines(lcurve).Any(l => l.Length > 0 && char.IsDigit(l.TrimStart()[0])))
                   && watch.Elapsed < TimeSpan.FromSeconds(120) && !first.HasExited)
                Thread.Sleep(200);
            Assert.That(first.HasExited, Is.False, $"the first training ended early: {(first.HasExited ? firstErr.Result : "")}");
            Assert.That(File.ReadAllText(lcurve), Does.Match(@"\n\s*\d"), "the first training wrote no lcurve.out line within 120 s");

            // The second training in the same folder: refused, naming the file and the first process. Bounded: without
            // the lock it would train (and write) as long as the first.
            var secondInfo = new ProcessStartInfo(dotnet, [dll, "train", "input.json", "-o", "second.dp"])
            {
                WorkingDirectory = _tmp, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            secondInfo.Environment["DPSHARP_NO_RELAUNCH"] = "1";
            using var second = Process.Start(secondInfo)!;
            var errTask = second.StandardError.ReadToEndAsync();
            var outTask = second.StandardOutput.ReadToEndAsync();
            if (!second.WaitForExit(120_000))
            {
                second.Kill(entireProcessTree: true);
                second.WaitForExit();
                Assert.Fail("the second training in the same folder was not refused (still running after 120 s)");
            }
            var err = errTask.Result;
            Assert.That(second.ExitCode, Is.EqualTo(1), $"the second training was not refused:\n{outTask.Result}\n{err}");
            Assert.That(err, Does.Contain("lcurve.out").And.Contain($"PID {first.Id}"), err);
            Assert.That(File.Exists(Path.Combine(_tmp, "second.dp")), Is.False, "the refused training wrote no model");
            Assert.That(first.HasExited, Is.False, "the first training goes on");
        }
        finally
        {
            first.Kill(entireProcessTree: true);
            first.WaitForExit();
        }
    }

    [Test]
    public void Checkpoints_AreFlushedBeforeTheRename_AndTheFolderAfter()
    {
        DeepMD.Sharp.Training.TorchRuntime.Initialize(threads: 1);
        var input = Path.Combine(_tmp, "input.json");
        File.WriteAllText(input, Input(6).Replace("\"lcurve.out\"", System.Text.Json.JsonSerializer.Serialize(Path.Combine(_tmp, "lcurve.out")))
            .Replace("\"model.ckpt\"", System.Text.Json.JsonSerializer.Serialize(Path.Combine(_tmp, "model.ckpt"))));
        var steps = new List<string>();
        DurableFile.Observer = steps.Add;
        var e = new StringWriter();
        int code;
        try
        {
            code = CommandLine.Run(["train", input, "-o", Path.Combine(_tmp, "model.dp")], new StringWriter(), e);
        }
        finally
        {
            DurableFile.Observer = null;
        }
        Assert.That(code, Is.EqualTo(0), e.ToString());
        foreach (var step in new[] { 4, 6 })
            DurableWriteTests.AssertFlushMoveFsync(steps, Path.Combine(_tmp, $"model.ckpt-{step}.ckpt"));
    }
}
