namespace DeepMD.Sharp.Tests.Cpu;

using DeepMD.Sharp.Cpu.Kernels;

/// <summary>The dense kernel against a plain triple loop, over shapes that reach every register tile and tail.</summary>
public class FeatureMajorGemmTests
{
    [TestCase(1, 25, 13)]
    [TestCase(25, 50, 200)]
    [TestCase(100, 50, 200)]
    [TestCase(50, 25, 37)]
    [TestCase(25, 1, 300)]
    [TestCase(7, 3, 70)]
    [TestCase(300, 6, 150)]   // two K blocks: the second accumulates into the first's result
    [TestCase(240, 1, 16)]
    public void MatchesPlainLoops(int nin, int nout, int cols)
    {
        var rng = new Random(nin * 1000 + nout);
        var ld = FeatureMajorGemm<double>.Pad(cols);
        var w = Enumerable.Range(0, nin * nout).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var bias = Enumerable.Range(0, nout).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var x = Enumerable.Range(0, nin * ld).Select(_ => rng.NextDouble() - 0.5).ToArray();
        foreach (var withBias in new[] { true, false })
        {
            var z = Enumerable.Repeat(double.NaN, nout * ld).ToArray();
            FeatureMajorGemm<double>.Multiply(FeatureMajorGemm<double>.Pack(w, nin, nout), withBias ? bias : [], nin, nout, x, z, ld);
            for (var o = 0; o < nout; o++)
                for (var v = 0; v < ld; v++)
                {
                    var expected = withBias ? bias[o] : 0.0;
                    for (var k = 0; k < nin; k++) expected += w[k * nout + o] * x[k * ld + v];
                    Assert.That(z[o * ld + v], Is.EqualTo(expected).Within(1e-13 * (1 + nin)), $"output {o} column {v} bias {withBias}");
                }
        }
    }
}
