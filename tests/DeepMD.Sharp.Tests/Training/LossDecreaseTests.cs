namespace DeepMD.Sharp.Tests.Training;

using DeepMD.Sharp.Training;
using DeepMD.Sharp.Training.Data;
using DeepMD.Sharp.Training.Model;
using DeepMD.Sharp.Training.Optimization;
using TorchSharp;

public class LossDecreaseTests
{
    [Test]
    public void Loss_Decreases_On_Tiny_Water_Set()
    {
        TorchRuntime.Initialize(threads: 1);
        var system = TrainingFixtures.Water();
        var model = new SeAEnergyModel(TrainingFixtures.TinyConfig(typeOneSide: true) with { Neuron = [8, 16], AxisNeuron = 4, FittingNeuron = [16, 16] });
        var data = new TrainingDataSet([system], [1], seed: 11);
        var loss = new EnergyLoss();
        var lr = new ExponentialLearningRate(2e-2, 1e-3, 50, 200);
        var trainer = new Trainer(model, loss, lr, data, null, new TrainerOptions { NumbSteps = 200, DispFile = null });
        trainer.InitStatistics();
        var probe = new BatchBuilder(model.Config.Rcut, model.Config.Sel).Build(system, [0, 20, 40, 60]);

        double Evaluate()
        {
            using var scope = torch.NewDisposeScope();
            // Fixed prefactors (lr = lr0) so that before and after are comparable.
            return loss.Compute(model, probe, lr.StartLr, lr.StartLr, training: false).Loss.item<double>();
        }

        var before = Evaluate();
        trainer.Run();
        var after = Evaluate();
        TestContext.Out.WriteLine($"loss before {before:G6}, after {after:G6}");
        Assert.That(after, Is.LessThan(0.5 * before));
    }
}
