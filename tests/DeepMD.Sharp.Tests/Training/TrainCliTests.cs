namespace DeepMD.Sharp.Tests.Training;

using DeepMD.Sharp.Models;
using DeepMD.Sharp.Tests.Support;
using CommandLine = DeepMD.Sharp.Cli.CommandLine;

/// <summary><c>dpsharp train</c> and <c>dpsharp test</c> end to end on a tiny model.</summary>
public class TrainCliTests
{
    private string _tmp = "";

    [OneTimeSetUp]
    public void OneThread() => DeepMD.Sharp.Training.TorchRuntime.Initialize(threads: 1);

    [SetUp]
    public void SetUp() => _tmp = RepoPaths.TempDir();

    [TearDown]
    public void TearDown() => Directory.Delete(_tmp, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var code = CommandLine.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    private string Input(string extraDescriptorKey = "", int steps = 6) =>
        $$"""
        {
          "model": {
            "type_map": ["O", "H"],
            "descriptor": {"type": "se_e2_a", "sel": [20, 40], "rcut_smth": 0.5, "rcut": 4.0, "neuron": [4, 8], "axis_neuron": 2,
                           "type_one_side": true, "resnet_dt": false, "precision": "float64", "seed": 1{{extraDescriptorKey}}},
            "fitting_net": {"neuron": [8, 8], "resnet_dt": true, "seed": 1}
          },
          "learning_rate": {"type": "exp", "decay_steps": 2, "start_lr": 0.005, "stop_lr": 1e-4},
          "loss": {"type": "ener", "start_pref_e": 0.02, "limit_pref_e": 1, "start_pref_f": 1000, "limit_pref_f": 1},
          "training": {
            "training_data": {"systems": [{{System.Text.Json.JsonSerializer.Serialize(TrainingFixtures.WaterDir)}}], "batch_size": "auto"},
            "numb_steps": {{steps}}, "seed": 3, "disp_freq": 2, "save_freq": 4,
            "disp_file": {{System.Text.Json.JsonSerializer.Serialize(Path.Combine(_tmp, "lcurve.out"))}},
            "save_ckpt": {{System.Text.Json.JsonSerializer.Serialize(Path.Combine(_tmp, "model.ckpt"))}}
          }
        }
        """;

    [Test]
    public void Restart_From_A_Checkpoint_Reproduces_The_Run_And_Progress_Is_Printed()
    {
        var input = Path.Combine(_tmp, "input.json");
        File.WriteAllText(input, Input());
        var model = Path.Combine(_tmp, "full.dp");
        var (code, stdout, stderr) = Run("train", input, "-o", model);
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        Assert.That(stdout, Does.Contain("step 6/6 (100.0 %)").And.Contain("ETA"));
        Assert.That(File.Exists(Path.Combine(_tmp, "model.ckpt-4.ckpt")) && File.Exists(Path.Combine(_tmp, "model.ckpt-6.ckpt")));
        var lcurve = File.ReadAllText(Path.Combine(_tmp, "lcurve.out"));

        var resumed = Path.Combine(_tmp, "resumed.dp");
        File.Delete(Path.Combine(_tmp, "model.ckpt-6.ckpt"));
        (code, stdout, stderr) = Run("train", input, "-o", resumed, "--restart", Path.Combine(_tmp, "model.ckpt"));
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        Assert.That(stdout, Does.Contain("at step 4"));
        Assert.That(File.ReadAllText(Path.Combine(_tmp, "lcurve.out")), Is.EqualTo(lcurve));
        Assert.That(TestEnergies(resumed), Is.EqualTo(TestEnergies(model)));
    }

    [Test]
    public void Train_Writes_Lcurve_And_A_Loadable_Model_That_Test_Can_Score()
    {
        var input = Path.Combine(_tmp, "input.json");
        File.WriteAllText(input, Input());
        var model = Path.Combine(_tmp, "out.dp");
        var (code, stdout, stderr) = Run("train", input, "-o", model);
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        var lcurve = File.ReadAllLines(Path.Combine(_tmp, "lcurve.out"));
        Assert.That(lcurve[0], Does.StartWith("#").And.Contain("rmse_trn").And.Contain("rmse_e_trn").And.Contain("rmse_f_trn").And.EndWith("lr"));
        Assert.That(lcurve.Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]), Is.EqualTo(new[] { "0", "2", "4", "5" }));
        Assert.That(Directory.GetFiles(_tmp).Where(f => f.Contains(".tmp")), Is.Empty, "no temporary model file left");
        Assert.That(ModelLoader.Load(model).TypeMap.Names, Is.EqualTo(new[] { "O", "H" }));

        var detail = Path.Combine(_tmp, "detail");
        var (tcode, tout, terr) = Run("test", "-m", model, "-s", TrainingFixtures.WaterDir, "-n", "2", "-d", detail);
        Assert.That(tcode, Is.EqualTo(0), terr);
        Assert.That(tout, Does.Contain("# number of test data : 2").And.Contain("Energy RMSE/Natoms").And.Contain("Force  RMSE"));

        // dp test -d: "# SYSTEM: data_e pred_e" then one row per frame (data, prediction); forces one row per atom.
        var e = File.ReadAllLines(detail + ".e.out");
        Assert.That(e[0], Is.EqualTo($"# {TrainingFixtures.WaterDir}: data_e pred_e"));
        Assert.That(e, Has.Length.EqualTo(3));
        var system = TrainingFixtures.Water();
        var row = e[1].Split(' ').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.That(row[0], Is.EqualTo(system.Energies![0]));
        var rmse = Math.Sqrt(e.Skip(1).Select(l => l.Split(' ').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray())
            .Average(r => (r[1] - r[0]) * (r[1] - r[0])));
        var printed = tout.Split('\n').First(l => l.StartsWith("Energy RMSE        :"));
        Assert.That(double.Parse(printed.Split(':')[1].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(rmse).Within(1e-6 * rmse));
        Assert.That(File.ReadAllLines(detail + ".e_peratom.out"), Has.Length.EqualTo(3));
        var f = File.ReadAllLines(detail + ".f.out");
        Assert.That(f[0], Does.EndWith(": data_fx data_fy data_fz pred_fx pred_fy pred_fz"));
        Assert.That(f, Has.Length.EqualTo(1 + 2 * system.AtomCount));
        Assert.That(File.Exists(detail + ".v.out"), Is.False, "no virial labels, no virial file");
    }

    [Test]
    public void Se_E2_R_Input_Trains_Restarts_And_Exports_An_Se_R_Model()
    {
        var input = Path.Combine(_tmp, "input.json");
        File.WriteAllText(input, Input().Replace("\"type\": \"se_e2_a\"", "\"type\": \"se_e2_r\"").Replace(", \"axis_neuron\": 2", ""));
        var model = Path.Combine(_tmp, "r.dp");
        var (code, stdout, stderr) = Run("train", input, "-o", model);
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        var loaded = ModelLoader.Load(model);
        Assert.That(loaded.Descriptor.TypeName, Is.EqualTo("se_r"));
        Assert.That(loaded.Descriptor.OutputSize, Is.EqualTo(8));

        var resumed = Path.Combine(_tmp, "r-resumed.dp");
        File.Delete(Path.Combine(_tmp, "model.ckpt-6.ckpt"));
        (code, stdout, stderr) = Run("train", input, "-o", resumed, "--restart", Path.Combine(_tmp, "model.ckpt"));
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        Assert.That(TestEnergies(resumed), Is.EqualTo(TestEnergies(model)));

        File.WriteAllText(input, Input(", \"axis_neuron\": 4").Replace("\"type\": \"se_e2_a\"", "\"type\": \"se_e2_r\"").Replace(", \"axis_neuron\": 2", ""));
        (code, _, stderr) = Run("train", input);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("axis_neuron").And.Contain("se_e2_r"));
    }

    [Test]
    public void Freeze_Writes_The_Model_Of_A_Checkpoint()
    {
        var input = Path.Combine(_tmp, "input.json");
        File.WriteAllText(input, Input());
        var model = Path.Combine(_tmp, "trained.dp");
        var (code, stdout, stderr) = Run("train", input, "-o", model);
        Assert.That(code, Is.EqualTo(0), stderr + stdout);

        var frozen = Path.Combine(_tmp, "frozen.dp");
        (code, stdout, stderr) = Run("freeze", "-i", input, "-o", frozen);
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        Assert.That(stdout, Does.Contain("model.ckpt-6.ckpt (step 6)"));
        Assert.That(TestEnergies(frozen), Is.EqualTo(TestEnergies(model)), "the newest checkpoint is the final model");
        // Both carry the coverage of the training data for the extrapolation guard (docs/guard.md).
        foreach (var written in new[] { model, frozen })
        {
            var coverage = DeepMD.Sharp.Models.ModelLoader.Load(written).Coverage;
            Assert.That(coverage, Is.Not.Null, written);
            Assert.That(coverage!.HasDescriptorRanges, Is.True);
            Assert.That(coverage.FrameCount, Is.GreaterThan(0));
            Assert.That(coverage.GlobalMinDistance, Is.EqualTo(DeepMD.Sharp.Models.ModelLoader.Load(written).MinNeighborDistance).Within(1e-12),
                "the per-pair minima agree with the training's min_nbor_dist");
        }

        var early = Path.Combine(_tmp, "step4.dp");
        (code, stdout, stderr) = Run("freeze", "-i", input, "-c", Path.Combine(_tmp, "model.ckpt-4.ckpt"), "-o", early);
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        Assert.That(TestEnergies(early), Is.Not.EqualTo(TestEnergies(model)));

        (code, _, stderr) = Run("freeze", "-i", input, "-c", Path.Combine(_tmp, "missing.ckpt"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("missing.ckpt"));
    }

    [Test]
    public void Unknown_Key_Is_An_Error_Naming_The_Valid_Keys()
    {
        var input = Path.Combine(_tmp, "input.json");
        File.WriteAllText(input, Input(", \"sell\": 3"));
        var (code, _, stderr) = Run("train", input);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("model.descriptor.sell: unknown key 'sell'").And.Contain("valid keys here:").And.Contain("axis_neuron"));
    }

    [Test]
    public void Too_Small_Sel_Is_A_User_Error()
    {
        var input = Path.Combine(_tmp, "input.json");
        File.WriteAllText(input, Input().Replace("[20, 40]", "[2, 4]"));
        var (code, _, stderr) = Run("train", input, "-o", Path.Combine(_tmp, "m.dp"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("increase sel"));
    }

    [Test]
    public void Init_Model_Round_Trips_And_Finetune_Zeroes_The_Mean_Energy_Error()
    {
        var input = Path.Combine(_tmp, "input.json");
        File.WriteAllText(input, Input(steps: 2));
        var first = Path.Combine(_tmp, "first.dp");
        Assert.That(Run("train", input, "-o", first).Code, Is.EqualTo(0));

        File.WriteAllText(input, Input(steps: 0));
        var again = Path.Combine(_tmp, "again.dp");
        var (code, _, err) = Run("train", input, "-o", again, "--init-model", first);
        Assert.That(code, Is.EqualTo(0), err);
        var a = TestEnergies(first);
        var b = TestEnergies(again);
        Assert.That(b, Is.EqualTo(a).Within(1e-10), "--init-model with 0 steps reproduces the model");

        var tuned = Path.Combine(_tmp, "tuned.dp");
        (code, _, err) = Run("train", input, "-o", tuned, "--finetune", first);
        Assert.That(code, Is.EqualTo(0), err);
        var system = TrainingFixtures.Water();
        var e = TestEnergies(tuned);
        var meanError = Enumerable.Range(0, e.Length).Average(f => e[f] - system.Energies![f]);
        Assert.That(Math.Abs(meanError), Is.LessThan(1e-6), "bias shifted onto the data (10 statistics frames)");

        File.WriteAllText(input, Input(steps: 0).Replace("[\"O\", \"H\"]", "[\"H\", \"O\"]"));
        (code, _, err) = Run("train", input, "-o", tuned, "--init-model", first);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(err, Does.Contain("--init-model keeps the model's type map"));

        // --finetune selects and reorders the per-type pieces instead.
        string output;
        (code, output, err) = Run("train", input, "-o", tuned, "--finetune", first);
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(output, Does.Contain("type map [O, H] -> [H, O]"));
        Assert.That(ModelLoader.Load(tuned).TypeMap.Names, Is.EqualTo(new[] { "H", "O" }));
    }

    private static double[] TestEnergies(string modelPath)
    {
        var m = ModelLoader.Load(modelPath);
        var s = TrainingFixtures.Water();
        var n = s.AtomCount;
        return Enumerable.Range(0, 10).Select(f =>
        {
            var x = Enumerable.Range(0, n).Select(i => s.Coords[(f * n + i) * 3]).ToArray();
            var y = Enumerable.Range(0, n).Select(i => s.Coords[(f * n + i) * 3 + 1]).ToArray();
            var z = Enumerable.Range(0, n).Select(i => s.Coords[(f * n + i) * 3 + 2]).ToArray();
            return DeepMD.Sharp.Models.Evaluation.ReferenceEvaluator.Evaluate(m, x, y, z, s.Types, new DeepMD.Sharp.Core.Geometry.Box(s.Boxes.AsSpan(f * 9, 9))).Energy;
        }).ToArray();
    }
}
