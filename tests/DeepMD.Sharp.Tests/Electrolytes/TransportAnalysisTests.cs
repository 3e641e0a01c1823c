namespace DeepMD.Sharp.Tests.Electrolytes;

using DeepMD.Sharp.Dynamics.Analysis;
using DeepMD.Sharp.Electrolytes;

/// <summary>The transport analysis against analytic cases.</summary>
public class TransportAnalysisTests
{
    [Test]
    public void BallisticTrajectoryHasMsdVSquaredTSquared()
    {
        // Two particles at constant velocities v1, v2: msd(t) = (|v1|² + |v2|²)/2 · t² for every origin.
        double[] v1 = [0.3, -0.2, 0.1], v2 = [-0.05, 0.4, 0.25];
        const double dt = 0.1;
        var frames = Enumerable.Range(0, 20).Select(f => new[]
        {
            1 + v1[0] * f * dt, 2 + v1[1] * f * dt, 3 + v1[2] * f * dt, -1 + v2[0] * f * dt, 0.5 + v2[1] * f * dt, 7 + v2[2] * f * dt,
        }).ToList();
        var msd = MeanSquaredDisplacement.Compute(frames, [0, 1], 10);
        var v2sum = (v1.Sum(v => v * v) + v2.Sum(v => v * v)) / 2;
        for (var k = 0; k <= 10; k++) Assert.That(msd[k], Is.EqualTo(v2sum * k * dt * k * dt).Within(1e-12));
    }

    [Test]
    public void RandomWalkGivesItsDiffusionCoefficient()
    {
        // Gaussian steps of variance 2 D Δt per direction: ⟨|Δr|²⟩ = 6 D t exactly in expectation.
        const double d = 0.37, dt = 0.05;
        const int atoms = 400, frames = 200;
        var rng = new Random(3);
        var pos = new double[3 * atoms];
        var list = new List<double[]> { (double[])pos.Clone() };
        var sigma = Math.Sqrt(2 * d * dt);
        for (var f = 1; f < frames; f++)
        {
            for (var i = 0; i < pos.Length; i++) pos[i] += sigma * Gaussian(rng);
            list.Add((double[])pos.Clone());
        }
        var all = Enumerable.Range(0, atoms).ToArray();
        var msd = MeanSquaredDisplacement.Compute(list, all, 40);
        var fit = TransportAnalysis.Fit(msd, dt, 0.2, 2.0);
        Assert.That(fit.Slope / 6, Is.EqualTo(d).Within(0.03 * d));
        var blocked = TransportAnalysis.Blocked(list, 4, f => TransportAnalysis.Fit(MeanSquaredDisplacement.Compute(f, all, 20), dt, 0.1, 1.0).Slope / 6);
        Assert.That(blocked.Blocks, Has.Length.EqualTo(4));
        Assert.That(blocked.Value, Is.EqualTo(d).Within(5 * blocked.Error + 0.02 * d));
        Assert.That(blocked.Error, Is.GreaterThan(0).And.LessThan(0.1 * d));
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    [Test]
    public void BlockErrorIsTheStandardErrorOfTheMean()
    {
        // 1, 2, 3, 4: sample standard deviation √(5/3), standard error √(5/3)/2.
        Assert.That(TransportAnalysis.BlockError([1, 2, 3, 4]), Is.EqualTo(Math.Sqrt(5.0 / 3) / 2).Within(1e-15));
        Assert.That(TransportAnalysis.BlockError([2]), Is.NaN);
    }

    [Test]
    public void NernstEinsteinConductivityOfAOneMolarSaltByHand()
    {
        // One pair in 1/N_A L (1 mol/L), D+ = D- = 1 Å²/ps = 1e-8 m²/s, T = 300 K:
        // σ = e²·(1·1e-8 + 1·1e-8) / (V k_B T) with V = 1e-3/N_A m³ = 1.66053907e-27 m³:
        // (1.602176634e-19)² · 2e-8 / (1.66053907e-27 · 1.380649e-23 · 300) = 74.644 S/m.
        var v = 1e27 / 6.02214076e23; // Å³
        var sigma = TransportAnalysis.NernstEinstein(v, 300, [(1, 1, 1.0), (1, -1, 1.0)]);
        var byHand = 1.602176634e-19 * 1.602176634e-19 * 2e-8 / (1e-3 / 6.02214076e23 * 1.380649e-23 * 300);
        Assert.That(sigma, Is.EqualTo(byHand).Within(1e-12 * byHand));
        Assert.That(sigma, Is.EqualTo(74.644).Within(0.001));
        // Divalent ions count z²: one Mg2+ with D = 1 gives twice the Li+ term.
        Assert.That(TransportAnalysis.NernstEinstein(v, 300, [(1, 2, 1.0)]), Is.EqualTo(2 * sigma).Within(1e-9 * sigma));
    }

    [Test]
    public void EinsteinConductivityOfUncorrelatedIonsEqualsNernstEinstein()
    {
        // Independent straight-line motion: the collective msd is Σ z_i² |v_i|² t² (cross terms vanish when the
        // velocities are orthogonal), so its slope at t is 2 Σ z²|v|² t; and for one ion it is that ion's own msd.
        const double dt = 0.1;
        var frames = Enumerable.Range(0, 30).Select(f => new[] { 0.2 * f * dt, 0, 0, 0, -0.3 * f * dt, 0 }).ToList();
        var collective = TransportAnalysis.CollectiveMsd(frames, [1, -1], 10);
        for (var k = 0; k <= 10; k++) Assert.That(collective[k], Is.EqualTo((0.04 + 0.09) * k * dt * k * dt).Within(1e-12));
        var single = TransportAnalysis.CollectiveMsd(frames.Select(f => f[..3]).ToList(), [1], 10);
        var own = MeanSquaredDisplacement.Compute(frames, [0], 10);
        Assert.That(single, Is.EqualTo(own).Within(1e-12));
        // A slope of 6 Σ N z² D reproduces Nernst–Einstein exactly.
        var v = 5000.0;
        Assert.That(TransportAnalysis.Einstein(v, 330, 6 * (3 * 0.5 + 3 * 0.25)),
            Is.EqualTo(TransportAnalysis.NernstEinstein(v, 330, [(3, 1, 0.5), (3, -1, 0.25)])).Within(1e-12));
    }

    [Test]
    public void BoundIonPairsCarryNoCurrent()
    {
        // A cation and an anion moving together (a contact pair) displace no charge: the collective msd is zero,
        // while each ion diffuses.
        var rng = new Random(9);
        var p = new double[3];
        var frames = new List<double[]>();
        for (var f = 0; f < 50; f++)
        {
            for (var d = 0; d < 3; d++) p[d] += rng.NextDouble() - 0.5;
            frames.Add([p[0], p[1], p[2], p[0] + 1.5, p[1], p[2]]);
        }
        Assert.That(TransportAnalysis.CollectiveMsd(frames, [1, -1], 20), Is.All.EqualTo(0).Within(1e-20));
        Assert.That(MeanSquaredDisplacement.Compute(frames, [0, 1], 20)[20], Is.GreaterThan(0.5));
    }

    [Test]
    public void CentresOfMassRemoveTheSystemDrift()
    {
        // Two atoms (masses 1 and 3) form one molecule; the whole system translates by (1, 2, 3) per frame: with the
        // drift removed the centre stays put.
        var frames = Enumerable.Range(0, 4).Select(f => new[] { 0.0 + f, 0 + 2.0 * f, 0 + 3.0 * f, 4 + f, 0 + 2.0 * f, 0 + 3.0 * f }).ToList();
        var c = TransportAnalysis.Centres(frames, [[0, 1]], [1, 3], removeDrift: false);
        Assert.That(c[2], Is.EqualTo(new[] { 5.0, 4, 6 }).Within(1e-12));
        var still = TransportAnalysis.Centres(frames, [[0, 1]], [1, 3]);
        Assert.That(still.All(f => f.All(v => Math.Abs(v) < 1e-12)));
    }
}
