namespace DeepMD.Sharp.Tests.Cpu;

using System.Numerics;
using DeepMD.Sharp.Cpu.Kernels;
using NUnit.Framework;

/// <summary>The four-at-once horizontal sum against plain sums of the lanes, at whatever vector width this run has.</summary>
public class VectorReduceTests
{
    [Test]
    public void Sum4MatchesLaneSumsInFloat()
    {
        var rng = new Random(3);
        for (var trial = 0; trial < 50; trial++)
        {
            var lanes = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, Vector<float>.Count).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray()).ToArray();
            var (a, b, c, d) = VectorReduce.Sum4(new Vector<float>(lanes[0]), new Vector<float>(lanes[1]), new Vector<float>(lanes[2]), new Vector<float>(lanes[3]));
            var got = new[] { a, b, c, d };
            for (var k = 0; k < 4; k++)
            {
                var exact = lanes[k].Sum(x => (double)x);
                var scale = lanes[k].Sum(x => Math.Abs((double)x));
                Assert.That(got[k], Is.EqualTo(exact).Within(4e-7 * scale + 1e-12), $"trial {trial}, vector {k}");
            }
        }
    }

    [Test]
    public void Sum4MatchesLaneSumsInDouble()
    {
        var rng = new Random(4);
        for (var trial = 0; trial < 50; trial++)
        {
            var lanes = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, Vector<double>.Count).Select(_ => rng.NextDouble() * 2 - 1).ToArray()).ToArray();
            // Distinct magnitudes per lane so a lane summed into the wrong result cannot cancel out.
            for (var k = 0; k < 4; k++)
                for (var l = 0; l < lanes[k].Length; l++) lanes[k][l] += (k + 1) * 1000.0 * (l + 1);
            var (a, b, c, d) = VectorReduce.Sum4(new Vector<double>(lanes[0]), new Vector<double>(lanes[1]), new Vector<double>(lanes[2]), new Vector<double>(lanes[3]));
            var got = new[] { a, b, c, d };
            for (var k = 0; k < 4; k++)
                Assert.That(got[k], Is.EqualTo(lanes[k].Sum()).Within(1e-9), $"trial {trial}, vector {k}");
        }
    }
}
