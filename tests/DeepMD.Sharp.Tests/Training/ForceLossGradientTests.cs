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
        // Every parameter tensor, every element: the autograd gradient contracted with a random direction v over all
        // of the tensor's elements against the central difference of the loss along v (an error in any element's
        // gradient changes the contraction).
        var parameters = model.Parameters().ToList();
        foreach (var q in parameters) q.grad?.zero_();
        Tensor[] grads;
        using (NewDisposeScope())
        {
            fOnly.Compute(model, batch, 1e-3, 1e-3, training: true).Loss.backward();
            // no gradient at all: the force loss does not reach the tensor (the finite difference must then be zero too)
            grads = parameters.Select(q => (q.grad is null ? zeros_like(q) : q.grad.detach().clone()).MoveToOuterDisposeScope()).ToArray();
        }
        double Loss(TorchSharp.Modules.Parameter p, Tensor direction, double delta)
        {
            using var scope = NewDisposeScope();
            using (no_grad()) p.add_(direction, alpha: delta);
            var v = fOnly.Compute(model, batch, 1e-3, 1e-3, training: false).Loss.item<double>();
            using (no_grad()) p.add_(direction, alpha: -delta);
            return v;
        }
        const double h = 1e-5;
        var generator = new Generator(seed: 20261207);
        var dependent = 0;
        for (var k = 0; k < parameters.Count; k++)
        {
            var p = parameters[k];
            var v = randn(p.shape, dtype: p.dtype, generator: generator);
            var analytic = (grads[k] * v).sum().item<double>();
            var numeric = (Loss(p, v, h) - Loss(p, v, -h)) / (2 * h);
            TestContext.Out.WriteLine($"parameter {k} {string.Join("x", p.shape)}: autograd·v {analytic:E8}, finite difference {numeric:E8}");
            if (Math.Abs(numeric) > 1e-8) dependent++;
            Assert.That(analytic, Is.EqualTo(numeric).Within(1e-5 * Math.Abs(numeric) + 1e-10), $"parameter tensor {k} ({string.Join("x", p.shape)}), along a random direction");
        }
        TestContext.Out.WriteLine($"{dependent} of {parameters.Count} parameter tensors change the force loss");
        Assert.That(dependent, Is.GreaterThan(parameters.Count / 2), "the force loss depends on most parameter tensors");
        foreach (var t in grads) t.Dispose();
    }
}
