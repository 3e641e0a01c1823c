namespace DeepMD.Sharp.Tests.Training;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Training;
using DeepMD.Sharp.Training.Data;
using DeepMD.Sharp.Training.Model;
using DeepMD.Sharp.Training.Optimization;

/// <summary>
/// --restart: a run stopped after N/2 steps and continued from its checkpoint must end bit-identical to the
/// uninterrupted run (weights, statistics, lcurve.out), with a validation set drawing batches too.
/// </summary>
public class RestartTests
{
    private const int Steps = 8;

    [Test]
    public void Interrupted_And_Restarted_Run_Equals_Uninterrupted_Run()
    {
        TorchRuntime.Initialize(threads: 1);
        var root = Path.Combine(Path.GetTempPath(), "dpsharp-restart-" + Guid.NewGuid().ToString("N"));
        var a = Directory.CreateDirectory(Path.Combine(root, "a")).FullName;
        var b = Directory.CreateDirectory(Path.Combine(root, "b")).FullName;
        try
        {
            var full = NewTrainer(a, Steps, seed: 7, out var fullModel);
            full.InitStatistics();
            full.Run();
            Assert.That(File.Exists(Path.Combine(a, "model.ckpt-4.ckpt")) && File.Exists(Path.Combine(a, "model.ckpt-8.ckpt")));

            // The same run stopped after step 4 (its lr schedule still spans 8 steps) ...
            var first = NewTrainer(b, Steps / 2, seed: 7, out _);
            first.InitStatistics();
            first.Run();
            // ... as if killed after writing a line past the checkpoint.
            File.AppendAllText(Path.Combine(b, "lcurve.out"), "      4    9.99e+00    9.99e+00    9.99e+00\n");

            // A new process: other initial weights, fresh samplers with the input's seeds.
            var second = NewTrainer(b, Steps, seed: 99, out var resumedModel);
            second.Resume(Trainer.ResolveCheckpoint(Path.Combine(b, "model.ckpt")));

            var pa = fullModel.Parameters().Select(Values).ToList();
            var pb = resumedModel.Parameters().Select(Values).ToList();
            Assert.That(pb.Count, Is.EqualTo(pa.Count));
            for (var k = 0; k < pa.Count; k++) Assert.That(pb[k], Is.EqualTo(pa[k]), $"parameter {k} differs");
            Assert.That(resumedModel.Davg, Is.EqualTo(fullModel.Davg));
            Assert.That(resumedModel.Dstd, Is.EqualTo(fullModel.Dstd));
            Assert.That(resumedModel.OutBias, Is.EqualTo(fullModel.OutBias));
            Assert.That(File.ReadAllText(Path.Combine(b, "lcurve.out")), Is.EqualTo(File.ReadAllText(Path.Combine(a, "lcurve.out"))));
            Assert.That(second.Losses, Is.EqualTo(full.Losses.Skip(Steps / 2)));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Test]
    public void Restart_With_A_Different_Model_Is_An_Error()
    {
        TorchRuntime.Initialize(threads: 1);
        var dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "dpsharp-restart-" + Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            var t = NewTrainer(dir, 2, seed: 7, out _);
            t.InitStatistics();
            t.Run();
            var other = new SeAEnergyModel(TrainingFixtures.TinyConfig(typeOneSide: false));
            var trainer = new Trainer(other, new EnergyLoss(), new ExponentialLearningRate(1e-3, 1e-5, 1, 4),
                new TrainingDataSet([TrainingFixtures.Water()], [1], 3), null, new TrainerOptions { NumbSteps = 4, DispFile = null });
            var ex = Assert.Throws<UserInputException>(() => trainer.Resume(Path.Combine(dir, "model.ckpt-2.ckpt")));
            Assert.That(ex!.Message, Does.Contain("different model"));
            Assert.Throws<UserInputException>(() => Trainer.ResolveCheckpoint(Path.Combine(dir, "nothing.ckpt")));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static Trainer NewTrainer(string dir, int steps, long seed, out SeAEnergyModel model)
    {
        var system = TrainingFixtures.Water();
        model = new SeAEnergyModel(TrainingFixtures.TinyConfig(typeOneSide: true) with { Seed = seed });
        var train = new TrainingDataSet([system], [2], seed: 3);
        var validation = new TrainingDataSet([system], [1], seed: 4);
        var loss = new EnergyLoss { StartPrefV = 0.5, LimitPrefV = 0.1 };
        var options = new TrainerOptions
        {
            NumbSteps = steps, DispFreq = 1, SaveFreq = 4, DispFile = Path.Combine(dir, "lcurve.out"),
            CheckpointPrefix = Path.Combine(dir, "model.ckpt"), MaxCheckpointKeep = 2,
        };
        return new Trainer(model, loss, new ExponentialLearningRate(1e-3, 1e-5, 2, Steps), train, validation, options);
    }

    private static double[] Values(TorchSharp.Modules.Parameter p)
    {
        using var d = p.detach().contiguous();
        return d.data<double>().ToArray();
    }
}
