namespace DeepMD.Sharp.Tests.Support;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Models.Evaluation;

/// <summary>What the backend tests share: random systems and the comparison of a backend's result with the reference.</summary>
public static class BackendComparison
{
    public static (double[] X, double[] Y, double[] Z, int[] T, Box? Box) RandomSystem(int seed, int n, int ntypes, bool periodic)
    {
        var rng = new Random(seed);
        if (!periodic)
        {
            var side = Math.Cbrt(n * 12.0);
            var x = RandomModels.Fill(rng, n, side / 2);
            var y = RandomModels.Fill(rng, n, side / 2);
            var z = RandomModels.Fill(rng, n, side / 2);
            return (x, y, z, Enumerable.Range(0, n).Select(i => i % ntypes).ToArray(), null);
        }
        var l = Math.Cbrt(n * 12.0);
        var box = RandomStructures.TriclinicBox(rng, l * 0.9, l * 1.1, tilt: 0.3);
        var (px, py, pz, t) = RandomStructures.Atoms(rng, box, n, ntypes, minDist: 0.9);
        return (px, py, pz, t, box);
    }

    public static void AssertClose(EvaluationResult expected, EvaluationResult got, double relEnergy, double force)
    {
        Assert.That(got.Energy, Is.EqualTo(expected.Energy).Within(relEnergy * Math.Max(1, Math.Abs(expected.Energy))), "energy");
        for (var i = 0; i < expected.AtomCount; i++)
            Assert.That(got.AtomEnergy[i], Is.EqualTo(expected.AtomEnergy[i]).Within(relEnergy * Math.Max(1, Math.Abs(expected.AtomEnergy[i]))), $"atom energy {i}");
        Assert.That(got.Forces, Is.EqualTo(expected.Forces).Within(force), "forces");
        var vscale = Math.Max(1, expected.Virial.Max(Math.Abs));
        Assert.That(got.Virial, Is.EqualTo(expected.Virial).Within(Math.Max(force, relEnergy * vscale * 10)), "virial");
        Assert.That(got.AtomVirial, Is.EqualTo(expected.AtomVirial).Within(Math.Max(force, relEnergy * 10)), "atom virial");
    }
}
