namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Dynamics.Thermo;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Tests.Support;

/// <summary>fix langevin brings an lj crystal to the target temperature (statistical check; not bit-matched to LAMMPS).</summary>
[TestFixture]
public class LangevinTests
{
    [TestCase("")]
    [TestCase(" stream keyed")]
    public void LangevinThermalisesToTheTarget(string stream)
    {
        using var s = new DeckSession(new StringWriter(), RepoPaths.TempDir(), null);
        s.Runner.RunText("d", """
            units lj
            lattice fcc 0.8442
            region box block 0 4 0 4 0 4
            create_box 1 box
            create_atoms 1 box
            mass 1 1.0
            velocity all create 0.3 87287 loop geom
            pair_style lj/cut 2.5
            pair_coeff 1 1 1.0 1.0 2.5
            neigh_modify delay 0
            fix 1 all nve
            fix 2 all langevin 1.5 1.5 0.05 48279STREAM
            thermo 0
            run 400
            """.Replace("STREAM", stream));
        double sum = 0;
        for (var k = 0; k < 10; k++)
        {
            s.Runner.RunText("more", "run 20");
            sum += Thermodynamics.Temperature(s.Simulation!);
        }
        Assert.That(sum / 10, Is.EqualTo(1.5).Within(0.15));
    }
}

/// <summary>
/// The keyed random numbers of fix langevin's <c>stream keyed</c> and decomposed runs
/// (<see cref="DeepMD.Sharp.Dynamics.Random.KeyedRandom"/>): uniform moments and no correlation between neighbouring keys.
/// </summary>
[TestFixture]
public class KeyedRandomTests
{
    [Test]
    public void Uniform_HasTheMomentsOfAUniformDeviate_AndNeighbouringKeysAreUncorrelated()
    {
        const int n = 200_000;
        double sum = 0, sum2 = 0, byStep = 0, byId = 0, byComponent = 0;
        for (var k = 0; k < n; k++)
        {
            long id = 1 + k % 1000, step = k / 1000;
            var u = DeepMD.Sharp.Dynamics.Random.KeyedRandom.Uniform(48279, id, step, 0) - 0.5;
            Assert.That(u, Is.GreaterThanOrEqualTo(-0.5).And.LessThan(0.5));
            sum += u;
            sum2 += u * u;
            byStep += u * (DeepMD.Sharp.Dynamics.Random.KeyedRandom.Uniform(48279, id, step + 1, 0) - 0.5);
            byId += u * (DeepMD.Sharp.Dynamics.Random.KeyedRandom.Uniform(48279, id + 1, step, 0) - 0.5);
            byComponent += u * (DeepMD.Sharp.Dynamics.Random.KeyedRandom.Uniform(48279, id, step, 1) - 0.5);
        }
        // mean 0 and variance 1/12 of U(-1/2, 1/2); the standard error of each mean of n products is (1/12)/sqrt(n) ≈ 1.9e-4
        Assert.That(sum / n, Is.EqualTo(0).Within(5 * Math.Sqrt(1.0 / 12 / n)));
        Assert.That(sum2 / n, Is.EqualTo(1.0 / 12).Within(5 * Math.Sqrt(1.0 / 180 / n)));
        foreach (var c in new[] { byStep, byId, byComponent })
            Assert.That(c / n, Is.EqualTo(0).Within(5 * (1.0 / 12) / Math.Sqrt(n)));
        Assert.That(DeepMD.Sharp.Dynamics.Random.KeyedRandom.Uniform(1, 5, 7, 2), Is.Not.EqualTo(DeepMD.Sharp.Dynamics.Random.KeyedRandom.Uniform(2, 5, 7, 2)), "the seed matters");
    }
}
