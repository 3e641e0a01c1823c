namespace DeepMD.Sharp.Tests.Cpu;

using DeepMD.Sharp.Cpu.Kernels;
using DeepMD.Sharp.Tests.Support;

/// <summary>The batched network kernels against the scalar reference network, forward and backward.</summary>
public class PackedNetworkTests
{
    [TestCase(1, new[] { 3, 6, 12 }, false, "tanh")]
    [TestCase(1, new[] { 25, 50, 100 }, true, "tanh")]
    [TestCase(1, new[] { 4, 8, 8 }, true, "gelu")]
    [TestCase(24, new[] { 10, 10, 10 }, true, "tanh")]
    public void MatchesScalarNetwork(int input, int[] widths, bool finalLinear, string act)
    {
        var rng = new Random(3);
        var net = RandomModels.Net(rng, input, widths, act, timestep: true, finalLinear: finalLinear);
        var packed = new PackedNetwork<double>(net);
        const int cols = 13;
        var ld = FeatureMajorGemm<double>.Pad(cols);
        var x = new double[input * ld];
        for (var k = 0; k < input; k++)
            for (var v = 0; v < cols; v++) x[k * ld + v] = rng.NextDouble() * 2 - 1;
        var outW = net.OutputSize;
        var y = new double[outW * ld];
        var saved = new double[packed.ActivationFloats * ld];
        var scratch = new double[3 * packed.MaxWidth * ld];
        packed.Forward(x, y, ld, saved, scratch);
        var gradOut = new double[outW * ld];
        for (var q = 0; q < gradOut.Length; q++) gradOut[q] = rng.NextDouble() - 0.5;
        var gradOutCopy = (double[])gradOut.Clone();
        var gradIn = new double[input * ld];
        packed.Backward(gradOut, gradIn, ld, saved, scratch);
        for (var v = 0; v < cols; v++)
        {
            var xin = Enumerable.Range(0, input).Select(k => x[k * ld + v]).ToArray();
            var g = Enumerable.Range(0, outW).Select(o => gradOutCopy[o * ld + v]).ToArray();
            var yref = new double[outW];
            var gin = new double[input];
            net.Evaluate(xin, yref, g, gin);
            for (var o = 0; o < outW; o++) Assert.That(y[o * ld + v], Is.EqualTo(yref[o]).Within(1e-12), $"output {o} column {v}");
            for (var k = 0; k < input; k++) Assert.That(gradIn[k * ld + v], Is.EqualTo(gin[k]).Within(1e-12), $"input gradient {k} column {v}");
        }
    }
}
