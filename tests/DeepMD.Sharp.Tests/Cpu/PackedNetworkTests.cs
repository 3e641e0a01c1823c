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

    /// <summary>
    /// Forward-mode G and dG/ds of one-input nets: G equals the scalar net's output, and Σ_a w[a]·dG[a]/ds equals the
    /// reverse-mode input gradient for random w (the scalar net's own backward pass), column by column; also a central
    /// finite difference of G itself.
    /// </summary>
    [TestCase(new[] { 3, 6, 12 }, false, "tanh", 13)]
    [TestCase(new[] { 25, 50, 100 }, false, "tanh", 70)]
    [TestCase(new[] { 8, 16, 16 }, true, "tanh", 9)]
    [TestCase(new[] { 4, 8, 8 }, false, "gelu", 5)]
    [TestCase(new[] { 6, 6 }, false, "tanh", 1)]
    public void ForwardTangentMatchesScalarNetwork(int[] widths, bool finalLinear, string act, int cols)
    {
        var rng = new Random(5);
        var net = RandomModels.Net(rng, 1, widths, act, timestep: true, finalLinear: finalLinear);
        var packed = new PackedNetwork<double>(net);
        var ld = FeatureMajorGemm<double>.Pad(cols);
        var s = new double[ld];
        for (var v = 0; v < cols; v++) s[v] = rng.NextDouble() * 3 - 0.5;
        var outW = net.OutputSize;
        var g = new double[outW * ld];
        var dg = new double[outW * ld];
        packed.ForwardTangent(s, g, dg, ld, new double[4 * packed.MaxWidth * ld]);
        for (var v = 0; v < cols; v++)
        {
            var w = Enumerable.Range(0, outW).Select(_ => rng.NextDouble() - 0.5).ToArray();
            var yref = new double[outW];
            var gin = new double[1];
            net.Evaluate([s[v]], yref, w, gin);
            double contracted = 0;
            for (var o = 0; o < outW; o++)
            {
                Assert.That(g[o * ld + v], Is.EqualTo(yref[o]).Within(1e-12), $"output {o} column {v}");
                contracted += w[o] * dg[o * ld + v];
            }
            Assert.That(contracted, Is.EqualTo(gin[0]).Within(1e-11), $"contracted tangent, column {v}");
            const double h = 1e-5;
            var yp = new double[outW];
            var ym = new double[outW];
            net.Evaluate([s[v] + h], yp, new double[outW], new double[1]);
            net.Evaluate([s[v] - h], ym, new double[outW], new double[1]);
            for (var o = 0; o < outW; o++)
                Assert.That(dg[o * ld + v], Is.EqualTo((yp[o] - ym[o]) / (2 * h)).Within(1e-6 * (1 + Math.Abs(dg[o * ld + v]))), $"dG/ds {o} column {v} (finite difference)");
        }
    }

    /// <summary>
    /// A column count below the row stride (a center's own block, rows padded): the columns in use get exactly what the
    /// whole-row call gives them, the padding columns are left as they were, and an unaligned count is refused.
    /// </summary>
    [TestCase(64, 72)]
    [TestCase(136, 144)]
    [TestCase(8, 24)]
    public void ForwardTangentOnLeadingColumnsOnly(int cols, int ld)
    {
        var rng = new Random(9);
        var net = RandomModels.Net(rng, 1, [25, 50, 100], "tanh", timestep: true, finalLinear: false);
        var packed = new PackedNetwork<double>(net);
        var s = new double[ld];
        for (var v = 0; v < ld; v++) s[v] = rng.NextDouble() * 3 - 0.5;
        var outW = net.OutputSize;
        double[] g = new double[outW * ld], dg = new double[outW * ld], gAll = new double[outW * ld], dgAll = new double[outW * ld];
        Array.Fill(g, double.NaN);
        Array.Fill(dg, double.NaN);
        packed.ForwardTangent(s, g, dg, ld, new double[4 * packed.MaxWidth * ld], cols);
        packed.ForwardTangent(s, gAll, dgAll, ld, new double[4 * packed.MaxWidth * ld]);
        for (var o = 0; o < outW; o++)
            for (var v = 0; v < ld; v++)
            {
                if (v < cols)
                {
                    Assert.That(g[o * ld + v], Is.EqualTo(gAll[o * ld + v]), $"G, output {o} column {v}");
                    Assert.That(dg[o * ld + v], Is.EqualTo(dgAll[o * ld + v]), $"dG/ds, output {o} column {v}");
                }
                else
                {
                    Assert.That(g[o * ld + v], Is.NaN, $"padding column {v} of output {o} written");
                    Assert.That(dg[o * ld + v], Is.NaN, $"padding column {v} of output {o} written (tangent)");
                }
            }
        Assert.Throws<ArgumentOutOfRangeException>(() => packed.ForwardTangent(s, g, dg, ld, new double[4 * packed.MaxWidth * ld], cols - 1));
    }
}
