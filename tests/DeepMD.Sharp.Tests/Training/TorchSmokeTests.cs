namespace DeepMD.Sharp.Tests.Training;

using DeepMD.Sharp.Training;
using TorchSharp;

public class TorchSmokeTests
{
    [Test]
    public void TorchSharp_Loads_And_Computes_A_Double_Backward()
    {
        TorchRuntime.Initialize(threads: 1);
        // E(x) = sum x^3; F = -dE/dx = -3x^2; d(sum F)/dx = -6x (needs create_graph).
        var x = torch.tensor(new[] { 1.0, 2.0, -0.5 }, requires_grad: true);
        var e = x.pow(3).sum();
        var g = torch.autograd.grad([e], [x], create_graph: true)[0];
        var force = -g;
        var second = torch.autograd.grad([force.sum()], [x])[0];
        var values = second.data<double>().ToArray();
        Assert.That(values, Is.EqualTo(new[] { -6.0, -12.0, 3.0 }).Within(1e-12));
    }
}
