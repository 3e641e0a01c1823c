namespace DeepMD.Sharp.Tests.Training;

using DeepMD.Sharp.Training;
using DeepMD.Sharp.Training.Data;
using DeepMD.Sharp.Training.Model;
using DeepMD.Sharp.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// The force term of the ener loss must reach every parameter through the double backward: the autograd gradient of
/// p_f·mse(F) with respect to embedding and fitting weights is compared with a central finite difference of the loss.
/// </summary>
public class ForceLossGradientTests
{
    [TestCase(true, "se_e2_a")]
    [TestCase(false, "se_e2_a")]
    [TestCase(false, "se_e2_r")]
    public void Force_Loss_Gradient_Matches_Finite_Difference(bool typeOneSide, string descriptor)
    {
        TorchRuntime.Initialize(threads: 1);
        var water = TrainingFixtures.Water();
        var model = new SeAEnergyModel(TrainingFixtures.TinyConfig(typeOneSide) with { DescriptorType = descriptor });
        new Trainer(model, new EnergyLoss(), new ExponentialLearningRate(1e-3, 1e-5, 1, 1),
            new TrainingDataSet([water], [1], 1), null, new TrainerOptions { NumbSteps = 0, DispFile = null }).InitStatistics();
        var batch = new BatchBuilder(model.Config.Rcut, model.Config.Sel).Build(water, [0]);
        var fOnly = new EnergyLoss { StartPrefE = 0, LimitPrefE = 0, StartPrefF = 1, LimitPrefF = 1 };
        var probes = new List<(string Name, TorchSharp.Modules.Parameter P)>
        {
            ("embedding[0] layer 0 W", model.Embeddings[0].Layers[0].W),
            ("embedding[last] layer 1 b", model.Embeddings[^1].Layers[1].B!),
            ("fitting[0] layer 0 W", model.Fittings[0].Layers[0].W),
            ("fitting[1] layer 1 idt", model.Fittings[1].Layers[1].Idt ?? model.Fittings[1].Layers[1].W),
        };
        foreach (var (name, p) in probes)
        {
            foreach (var q in model.Parameters()) q.grad?.zero_();
            double analytic;
            using (NewDisposeScope())
            {
                fOnly.Compute(model, batch, 1e-3, 1e-3, training: true).Loss.backward();
                analytic = p.grad!.flatten()[0].item<double>();
            }
            double Loss(double delta)
            {
                using var scope = NewDisposeScope();
                using (no_grad()) p.flatten()[0].add_(delta);
                var v = fOnly.Compute(model, batch, 1e-3, 1e-3, training: false).Loss.item<double>();
                using (no_grad()) p.flatten()[0].add_(-delta);
                return v;
            }
            const double h = 1e-5;
            var numeric = (Loss(h) - Loss(-h)) / (2 * h);
            TestContext.Out.WriteLine($"{name}: autograd {analytic:E8}, finite difference {numeric:E8}");
            Assert.That(Math.Abs(numeric), Is.GreaterThan(1e-8), $"{name}: the force loss depends on this parameter");
            Assert.That(analytic, Is.EqualTo(numeric).Within(1e-5 * Math.Abs(numeric) + 1e-10), name);
        }
    }
}
