namespace DeepMD.Sharp.Tests.Cpu;

using DeepMD.Sharp.Cpu.Kernels;

public class VectorMathTests
{
    [Test]
    public void TanhDoubleIsWithin2e15Relative()
    {
        var rng = new Random(4);
        var x = Enumerable.Range(0, 20011).Select(i => (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-8, 3))).Append(0).Append(-0.02).Append(0.02).Append(800).Append(-800).ToArray();
        var y = new double[x.Length];
        VectorMath.Tanh<double>(x, y);
        for (var i = 0; i < x.Length; i++)
        {
            var expected = Math.Tanh(x[i]);
            Assert.That(y[i], Is.EqualTo(expected).Within(2e-15 * Math.Abs(expected) + 1e-300), $"tanh({x[i]:R})");
        }
    }

    [Test]
    public void TanhFloatIsWithin1e6Relative()
    {
        var rng = new Random(5);
        var x = Enumerable.Range(0, 20011).Select(i => (float)((rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-6, 3)))).ToArray();
        var y = new float[x.Length];
        VectorMath.Tanh<float>(x, y);
        for (var i = 0; i < x.Length; i++)
        {
            var expected = Math.Tanh(x[i]);
            Assert.That(y[i], Is.EqualTo(expected).Within(1e-6 * Math.Abs(expected) + 1e-38), $"tanh({x[i]:R})");
        }
    }
}
