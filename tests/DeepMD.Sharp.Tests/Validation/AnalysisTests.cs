namespace DeepMD.Sharp.Tests.Validation;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Dynamics.Analysis;

/// <summary>
/// The analyses of the potential validation protocol against references that do not come from them: an ideal
/// gas (g = 1), the shells of a face-centred cubic crystal (12, 6, 24, 12 neighbours), brute-force periodic images,
/// a random walk with a known diffusion coefficient, straight lines with known slopes.
/// </summary>
[TestFixture]
public class AnalysisTests
{
    private static (double[] X, double[] Y, double[] Z) RandomInCell(Box box, int n, Random rng)
    {
        var x = new double[n];
        var y = new double[n];
        var z = new double[n];
        for (var i = 0; i < n; i++) (x[i], y[i], z[i]) = box.ToCartesian(rng.NextDouble(), rng.NextDouble(), rng.NextDouble());
        return (x, y, z);
    }

    [Test]
    public void RdfOfAnIdealGasIsOneInATriclinicCell()
    {
        var box = new Box([20, 0, 0, 3, 19, 0, -2, 4, 18]);
        var rng = new Random(11);
        var types = new int[1000];
        for (var i = 0; i < types.Length; i++) types[i] = i % 3 == 0 ? 1 : 0; // 0 and 1, a third of type 1
        var rMax = 0.5 * Math.Min(box.FaceDistance(0), Math.Min(box.FaceDistance(1), box.FaceDistance(2)));
        var same = new RadialDistribution(0, 0, rMax, 40);
        var cross = new RadialDistribution(0, 1, rMax, 40);
        for (var f = 0; f < 20; f++)
        {
            var (x, y, z) = RandomInCell(box, types.Length, rng);
            same.Add(x, y, z, types, box);
            cross.Add(x, y, z, types, box);
        }

        foreach (var rdf in new[] { same, cross })
        {
            var r = rdf.Radii();
            var g = rdf.Values();
            for (var k = 0; k < g.Length; k++)
                if (r[k] > 2.5) Assert.That(g[k], Is.EqualTo(1).Within(0.06), $"g({r[k]:F2}) of types {rdf.TypeA}-{rdf.TypeB}");
            var outer = Enumerable.Range(0, g.Length).Where(k => r[k] > rMax / 2).Select(k => g[k]).Average();
            Assert.That(outer, Is.EqualTo(1).Within(0.01), "mean g over the outer half");
        }

        // Coordination: ρ_B · 4π/3 r³ for an ideal gas (ρ of type 1 seen from type 0: 334 atoms in V).
        var nb = types.Count(t => t == 1);
        var expected = nb / box.Volume * 4.0 / 3.0 * Math.PI * Math.Pow(rMax, 3);
        Assert.That(cross.Coordination()[^1], Is.EqualTo(expected).Within(0.02 * expected));
    }

    private static (double[] X, double[] Y, double[] Z, Box Box) FccCubic(double a, int cells)
    {
        double[][] basis = [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]];
        var x = new List<double>();
        var y = new List<double>();
        var z = new List<double>();
        for (var i = 0; i < cells; i++)
        for (var j = 0; j < cells; j++)
        for (var k = 0; k < cells; k++)
            foreach (var b in basis)
            {
                x.Add((i + b[0]) * a);
                y.Add((j + b[1]) * a);
                z.Add((k + b[2]) * a);
            }

        return (x.ToArray(), y.ToArray(), z.ToArray(), Box.Orthorhombic(cells * a, cells * a, cells * a));
    }

    private static (double[] X, double[] Y, double[] Z, Box Box) FccPrimitive(double a, int cells)
    {
        // The rhombohedral primitive cell (all edges a/√2, all angles 60°) in LAMMPS' lower-triangular orientation.
        var s = a / Math.Sqrt(2);
        double[] va = [s, 0, 0], vb = [s / 2, s * Math.Sqrt(3) / 2, 0], vc = [s / 2, s / (2 * Math.Sqrt(3)), s * Math.Sqrt(2.0 / 3.0)];
        var x = new List<double>();
        var y = new List<double>();
        var z = new List<double>();
        for (var i = 0; i < cells; i++)
        for (var j = 0; j < cells; j++)
        for (var k = 0; k < cells; k++)
        {
            x.Add(i * va[0] + j * vb[0] + k * vc[0]);
            y.Add(i * va[1] + j * vb[1] + k * vc[1]);
            z.Add(i * va[2] + j * vb[2] + k * vc[2]);
        }

        var box = new Box([cells * va[0], 0, 0, cells * vb[0], cells * vb[1], 0, cells * vc[0], cells * vc[1], cells * vc[2]]);
        return (x.ToArray(), y.ToArray(), z.ToArray(), box);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void RdfOfAnFccCrystalCountsItsShells(bool primitiveTriclinic)
    {
        const double a = 4.0;
        var (x, y, z, box) = primitiveTriclinic ? FccPrimitive(a, 5) : FccCubic(a, 4);
        var types = new int[x.Length];
        var rdf = new RadialDistribution(0, 0, 6.0, 120); // bins of 0.05 Å
        rdf.Add(x, y, z, types, box);
        var n = rdf.Coordination();
        double At(double r) => n[(int)(r / rdf.BinWidth)];
        // Shells at a/√2 (12), a (6), a√(3/2) (24), a√2 (12).
        Assert.That(At(2.7), Is.EqualTo(0));
        Assert.That(At(3.0), Is.EqualTo(12).Within(1e-12));
        Assert.That(At(4.2), Is.EqualTo(18).Within(1e-12));
        Assert.That(At(5.0), Is.EqualTo(42).Within(1e-12));
        Assert.That(At(5.9), Is.EqualTo(54).Within(1e-12));
        // The first shell sits in the bin containing a/√2, and that is the highest peak (12 atoms in the thinnest shell).
        var g = rdf.Values();
        var kPeak = Array.IndexOf(g, g.Max());
        Assert.That(kPeak, Is.EqualTo((int)(a / Math.Sqrt(2) / rdf.BinWidth)));
        // g of that bin: 12 neighbours per atom spread over its shell at density (N−1)/V.
        double r0 = kPeak * rdf.BinWidth, r1 = r0 + rdf.BinWidth;
        var shell = 4.0 / 3.0 * Math.PI * (r1 * r1 * r1 - r0 * r0 * r0);
        Assert.That(g[kPeak], Is.EqualTo(12 / ((x.Length - 1) / box.Volume * shell)).Within(1e-9));
    }

    [Test]
    public void PeakOfAParabolaIsItsVertex()
    {
        var r = Enumerable.Range(0, 50).Select(k => 2 + 0.02 * (k + 0.5)).ToArray();
        var g = r.Select(v => 3.1 - 40 * (v - 2.737) * (v - 2.737)).ToArray();
        var (pos, height) = RadialDistribution.Peak(r, g);
        Assert.That(pos, Is.EqualTo(2.737).Within(1e-9));
        Assert.That(height, Is.EqualTo(3.1).Within(1e-9));
    }

    [Test]
    public void FirstMinimumOfAShellLikeCurveIsFoundWithinOneBin()
    {
        // A first shell at 2.0 Å, a depletion at about 2.75 Å and a second shell at 4.2 Å, on 0.05 Å bins; the
        // analytic minimum is located on a fine grid.
        static double G(double r) => r < 1.2 ? 0 : 1 + 6 * Math.Exp(-Math.Pow(r - 2.0, 2) / 0.03) - 0.8 * Math.Exp(-Math.Pow(r - 2.8, 2) / 0.1)
            + 0.4 * Math.Exp(-Math.Pow(r - 4.2, 2) / 0.2);
        var fine = Enumerable.Range(0, 40001).Select(k => 2.1 + k * 1e-4 * 1.5).ToArray();
        var exact = fine.OrderBy(G).First();
        Assert.That(exact, Is.GreaterThan(2.3).And.LessThan(3.2));
        const double h = 0.05;
        var r = Enumerable.Range(0, 120).Select(k => (k + 0.5) * h).ToArray();
        var g = r.Select(G).ToArray();
        Assert.That(RadialDistribution.FirstMinimum(r, g), Is.EqualTo(exact).Within(h));

        // Noise on every bin (±2% of g) must not stop it at a spurious dip before the real minimum.
        var rng = new Random(7);
        var noisy = g.Select(v => v * (1 + 0.02 * (2 * rng.NextDouble() - 1))).ToArray();
        Assert.That(RadialDistribution.FirstMinimum(r, noisy), Is.EqualTo(exact).Within(2 * h));

        // A curve that only falls after its peak has no first minimum.
        var falling = r.Select(x => Math.Exp(-x)).ToArray();
        Assert.That(RadialDistribution.FirstMinimum(r, falling), Is.NaN);
    }

    [Test]
    public void MinimumDistancesMatchBruteForceOverPeriodicImages()
    {
        // A small, strongly tilted cell: the closest pairs are often between an atom and an image beyond the next cell.
        var box = new Box([5.0, 0, 0, 3.5, 4.6, 0, -2.8, 2.1, 4.4]);
        var rng = new Random(5);
        for (var trial = 0; trial < 20; trial++)
        {
            var n = 3 + rng.Next(10);
            var (x, y, z) = RandomInCell(box, n, rng);
            var types = Enumerable.Range(0, n).Select(_ => rng.Next(3)).ToArray();
            // Positions not wrapped: move some atoms several cells away.
            for (var i = 0; i < n; i += 2)
            {
                var (sx, sy, sz) = box.ToCartesian(rng.Next(-3, 4), rng.Next(-3, 4), rng.Next(-3, 4));
                x[i] += sx;
                y[i] += sy;
                z[i] += sz;
            }

            var got = MinimumDistances.PerTypePair(x, y, z, types, 3, box, 9.0);
            var brute = new double[3, 3];
            for (var p = 0; p < 3; p++)
            for (var q = 0; q < 3; q++)
                brute[p, q] = double.PositiveInfinity;
            for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
            for (var u = -6; u <= 6; u++)
            for (var v = -6; v <= 6; v++)
            for (var w = -6; w <= 6; w++)
            {
                if (i == j && u == 0 && v == 0 && w == 0) continue;
                var (sx, sy, sz) = box.ToCartesian(u, v, w);
                double dx = x[j] + sx - x[i], dy = y[j] + sy - y[i], dz = z[j] + sz - z[i];
                var d = Math.Sqrt(dx * dx + dy * dy + dz * dz);
                if (d > 9.0) continue;
                if (d < brute[types[i], types[j]]) brute[types[i], types[j]] = brute[types[j], types[i]] = d;
            }

            for (var p = 0; p < 3; p++)
            for (var q = 0; q < 3; q++)
            {
                Assert.That(got[p, q].Distance, Is.EqualTo(brute[p, q]).Within(1e-10), $"trial {trial}, types {p}-{q}");
                if (double.IsFinite(brute[p, q]))
                {
                    int ai = got[p, q].AtomI, aj = got[p, q].AtomJ;
                    Assert.That(new[] { types[ai], types[aj] }.Order(), Is.EqualTo(new[] { p, q }.Order()));
                }
            }
        }
    }

    [Test]
    public void DiffusionOfARandomWalkIsRecovered()
    {
        const double d = 0.25, dt = 0.01; // Å²/ps, ps per step
        const int walkers = 300, steps = 3000;
        var rng = new Random(17);
        var sigma = Math.Sqrt(2 * d * dt);
        double Gauss() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var frames = new List<double[]> { new double[3 * walkers] };
        for (var s = 1; s <= steps; s++)
        {
            var prev = frames[^1];
            var next = new double[prev.Length];
            for (var i = 0; i < next.Length; i++) next[i] = prev[i] + sigma * Gauss();
            frames.Add(next);
        }

        var atoms = Enumerable.Range(0, walkers).ToArray();
        var msd = MeanSquaredDisplacement.Compute(frames, atoms, 300);
        Assert.That(msd[0], Is.EqualTo(0));
        Assert.That(msd[100], Is.EqualTo(6 * d * 100 * dt).Within(0.03 * 6 * d * 100 * dt));
        var (dFit, fit) = MeanSquaredDisplacement.Diffusion(msd, dt, 0.2, 3.0);
        Assert.That(fit.Count, Is.EqualTo(281));
        Assert.That(dFit, Is.EqualTo(d).Within(0.03 * d));
        // Only half the atoms selected: a walker set of its own, same D.
        var half = Enumerable.Range(0, walkers / 2).Select(i => 2 * i).ToArray();
        var (dHalf, _) = MeanSquaredDisplacement.Diffusion(MeanSquaredDisplacement.Compute(frames, half, 300), dt, 0.2, 3.0);
        Assert.That(dHalf, Is.EqualTo(d).Within(0.05 * d));
    }

    [Test]
    public void LinearFitRecoversAnExactLine()
    {
        var t = Enumerable.Range(0, 11).Select(i => 0.5 * i).ToArray();
        var e = t.Select(v => -29945.2 + 3.5e-3 * v).ToArray();
        var fit = LinearFit.Of(t, e);
        Assert.That(fit.Slope, Is.EqualTo(3.5e-3).Within(1e-9));
        Assert.That(fit.Intercept, Is.EqualTo(-29945.2).Within(1e-8));
        Assert.That(fit.Count, Is.EqualTo(11));
    }

    [Test]
    public void DriftFitOnNoisyEnergyFindsTheDriftWithinItsError()
    {
        // Total energy per atom over 20 ps: drift 4e-5 eV/atom/ps, a fluctuation of 2e-4 eV/atom (noise + oscillation).
        const double drift = 4e-5;
        var rng = new Random(3);
        var t = Enumerable.Range(0, 2001).Select(i => 0.01 * i).ToArray();
        var e = t.Select(v => -155.9 + drift * v + 1e-4 * Math.Sin(2 * Math.PI * v / 0.37) + 1.5e-4 * (rng.NextDouble() - 0.5)).ToArray();
        var fit = LinearFit.Of(t, e);
        Assert.That(fit.Slope, Is.EqualTo(drift).Within(4 * fit.SlopeStandardError + 1e-7));
        Assert.That(fit.SlopeStandardError, Is.LessThan(drift / 10));
        // With no drift the slope is zero within its error.
        var flat = LinearFit.Of(t, e.Select((v, i) => v - drift * t[i]).ToArray());
        Assert.That(Math.Abs(flat.Slope), Is.LessThan(4 * flat.SlopeStandardError + 1e-7));
    }
}
