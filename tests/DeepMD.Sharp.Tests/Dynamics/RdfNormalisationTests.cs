namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Dynamics.Computes;
using DeepMD.Sharp.Dynamics.Groups;
using DeepMD.Sharp.Dynamics.Units;

/// <summary>
/// compute rdf's normalisation from physics: in an ideal gas (uniform random positions) the number of J atoms in a shell
/// around an I atom is the shell volume times the J density (an atom is not its own partner), so g(r) = 1 in every bin
/// up to counting noise, for like and unlike type pairs, and the coordination number at r is (4/3)πr³ times that density.
/// </summary>
[TestFixture]
public class RdfNormalisationTests
{
    [Test]
    public void IdealGasHasUnitRdfAndTheMatchingCoordination()
    {
        const double l = 18.0, cutoff = 4.0;
        const int n = 3000, bins = 40;
        var sim = new Simulation(UnitSystem.Lj);
        sim.CreateBox(new SimulationBox(0, l, 0, l, 0, l), 2);
        var rng = new Random(20261207);
        var count = new int[3];
        for (var i = 0; i < n; i++)
        {
            var type = rng.NextDouble() < 0.4 ? 0 : 1;
            count[type + 1]++;
            sim.Atoms.Add(i + 1, type, l * rng.NextDouble(), l * rng.NextDouble(), l * rng.NextDouble());
        }
        var rdf = new ComputeRdf("rdf", AtomGroup.All, bins, [(1, 1, 1, 1), (1, 1, 2, 2), (1, 2, 1, 2)], cutoff);
        var a = rdf.Array(sim);
        Assert.That(a, Has.Length.EqualTo(bins));
        Assert.That(a[0], Has.Length.EqualTo(7));
        var volume = l * l * l;
        // partners of each I atom: N_J − 1 for like pairs, N_J for unlike ones, all types: N − 1
        double[] partners = [count[1] - 1, count[2], n - 1];
        int[] centers = [count[1], count[1], n];
        var delr = cutoff / bins;
        var worst = 0.0;
        for (var m = 0; m < 3; m++)
        {
            for (var b = 0; b < bins; b++)
            {
                Assert.That(a[b][0], Is.EqualTo((b + 0.5) * delr).Within(1e-12));
                var shell = 4.0 / 3.0 * Math.PI * (Math.Pow((b + 1) * delr, 3) - Math.Pow(b * delr, 3));
                var expected = centers[m] * partners[m] / volume * shell; // expected pair count in the bin
                if (expected < 200) continue;
                var g = a[b][1 + 2 * m];
                // counting noise: each pair is seen from both atoms for like pairs, so the spread is up to √2 × Poisson
                var sigma = Math.Sqrt(2.0 / expected);
                worst = Math.Max(worst, Math.Abs(g - 1) / sigma);
                Assert.That(g, Is.EqualTo(1.0).Within(5 * sigma), $"pair {m + 1}, bin {b + 1}");
            }
            var coordination = a[bins - 1][2 + 2 * m];
            var ideal = partners[m] / volume * 4.0 / 3.0 * Math.PI * cutoff * cutoff * cutoff;
            Assert.That(coordination, Is.EqualTo(ideal).Within(2).Percent, $"coordination number at the cutoff, pair {m + 1}");
        }
        TestContext.Out.WriteLine($"largest |g − 1| over bins: {worst:F2} σ");
    }

    [Test]
    public void CoordinationIsTheCountOfPartnersWithinTheCutoff()
    {
        // The last coordination number equals the directly counted mean number of partners within the cutoff.
        const double l = 9.0, cutoff = 3.0;
        var sim = new Simulation(UnitSystem.Lj);
        sim.CreateBox(new SimulationBox(0, l, 0, l, 0, l), 1);
        var rng = new Random(7);
        const int n = 200;
        for (var i = 0; i < n; i++) sim.Atoms.Add(i + 1, 0, l * rng.NextDouble(), l * rng.NextDouble(), l * rng.NextDouble());
        var a = new ComputeRdf("rdf", AtomGroup.All, 30, [], cutoff).Array(sim);
        var within = 0;
        var x = sim.Atoms;
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
            {
                if (i == j) continue;
                double dx = x.X[j] - x.X[i], dy = x.Y[j] - x.Y[i], dz = x.Z[j] - x.Z[i];
                dx -= l * Math.Round(dx / l);
                dy -= l * Math.Round(dy / l);
                dz -= l * Math.Round(dz / l);
                if (dx * dx + dy * dy + dz * dz < cutoff * cutoff) within++;
            }
        Assert.That(a[29][2], Is.EqualTo((double)within / n).Within(1e-9).Percent);
    }
}
