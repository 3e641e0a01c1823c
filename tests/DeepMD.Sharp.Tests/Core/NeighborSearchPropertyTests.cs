namespace DeepMD.Sharp.Tests.Core;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// Random systems checked entry by entry: against an O(N²) all-images brute force (owner, lattice shift integers relative
/// to the caller's unwrapped positions, displacement), and against the previous cell-list implementation (same rows in the
/// same order, bit for bit).
/// </summary>
public class NeighborSearchPropertyTests
{
    private const double Cutoff = 5.0;

    /// <summary>Periodicity patterns: all, some, none.</summary>
    private static readonly bool[][] Patterns =
    [
        [true, true, true], [true, false, true], [false, true, false], [false, false, true], [false, false, false],
    ];

    public static IEnumerable<TestCaseData> Systems()
    {
        var seed = 100;
        foreach (var triclinic in new[] { false, true })
            foreach (var pattern in Patterns)
                foreach (var (lo, hi) in new[] { (12.0, 17.0), (5.5, 9.0), (2.0, 4.5) }) // box larger than 2 rc, below 2 rc, below rc
                    foreach (var n in new[] { 1, 17, 300 })
                    {
                        // A few hundred atoms in a box smaller than the cutoff make millions of image pairs; keep those cases smaller.
                        var count = hi < Cutoff && n > 100 ? 60 : n;
                        var name = $"{(triclinic ? "triclinic" : "orthorhombic")} {string.Concat(pattern.Select(p => p ? 'p' : 'f'))} edge {lo}-{hi} n={count}";
                        yield return new TestCaseData(seed++, triclinic, pattern, lo, hi, count).SetName(name);
                    }
    }

    [TestCaseSource(nameof(Systems))]
    public void MatchesBruteForceAndPreviousBuild(int seed, bool triclinic, bool[] periodic, double lo, double hi, int n)
    {
        var rng = new Random(seed);
        var shape = triclinic ? RandomStructures.TriclinicBox(rng, lo, hi, tilt: 0.45) : Box.Orthorhombic(Edge(rng, lo, hi), Edge(rng, lo, hi), Edge(rng, lo, hi));
        var box = new Box(shape.Matrix, periodic[0], periodic[1], periodic[2]);
        var (x, y, z) = Scatter(rng, box, n);
        var nl = CellListNeighborSearch.Build(x, y, z, box, Cutoff);
        AssertMatchesBruteForce(nl, x, y, z, box, Cutoff);
        AssertIdentical(nl, LegacyCellListNeighborSearch.Build(x, y, z, box, Cutoff));
        AssertIdentical(nl, CellListNeighborSearch.Build(x, y, z, box, Cutoff));
    }

    [TestCase(1, 1)]
    [TestCase(2, 17)]
    [TestCase(3, 300)]
    public void NoBoxMatchesBruteForceAndPreviousBuild(int seed, int n)
    {
        var rng = new Random(seed);
        var x = new double[n];
        var y = new double[n];
        var z = new double[n];
        for (var i = 0; i < n; i++) (x[i], y[i], z[i]) = (rng.NextDouble() * 25 - 5, rng.NextDouble() * 14, rng.NextDouble() * 9 + 100);
        var nl = CellListNeighborSearch.Build(x, y, z, null, Cutoff);
        AssertMatchesBruteForce(nl, x, y, z, null, Cutoff);
        AssertIdentical(nl, LegacyCellListNeighborSearch.Build(x, y, z, null, Cutoff));
    }

    [Test]
    public void EmptySystemHasNoEntries()
    {
        var nl = CellListNeighborSearch.Build([], [], [], Box.Orthorhombic(10, 10, 10), Cutoff);
        Assert.That(nl.CenterCount, Is.Zero);
        Assert.That(nl.EntryCount, Is.Zero);
    }

    /// <summary>
    /// A dense periodic liquid-like system (thousands of atoms, ~90 neighbors each, several cells per direction and
    /// atoms far outside the box) gives the previous build's rows exactly, in the same order.
    /// </summary>
    [TestCase(false)]
    [TestCase(true)]
    public void DenseSystemIsIdenticalToPreviousBuild(bool triclinic)
    {
        var rng = new Random(triclinic ? 77 : 78);
        var shape = triclinic ? RandomStructures.TriclinicBox(rng, 24, 28, tilt: 0.3) : Box.Orthorhombic(25, 26, 27);
        var n = (int)(0.1 * shape.Volume);
        var (x, y, z) = Scatter(rng, shape, n);
        AssertIdentical(CellListNeighborSearch.Build(x, y, z, shape, 6.0), LegacyCellListNeighborSearch.Build(x, y, z, shape, 6.0));
    }

    private static double Edge(Random rng, double lo, double hi) => lo + (hi - lo) * rng.NextDouble();

    /// <summary>Random positions with fractional coordinates in [−1.5, 2.5): many atoms lie outside the box.</summary>
    private static (double[] X, double[] Y, double[] Z) Scatter(Random rng, Box box, int n)
    {
        var x = new double[n];
        var y = new double[n];
        var z = new double[n];
        for (var i = 0; i < n; i++)
        {
            double F() => rng.NextDouble() < 0.7 ? rng.NextDouble() : rng.NextDouble() * 4 - 1.5;
            (x[i], y[i], z[i]) = box.ToCartesian(F(), F(), F());
        }
        return (x, y, z);
    }

    /// <summary>
    /// Every image r_j + s·H (s integer, zero along non-periodic directions) within the cutoff of r_i, by brute force over
    /// all pairs and the lattice shifts that can reach, checked against the list: same (owner, shift) keys, displacement
    /// within 1e-12 Å. Pairs within 1e-9 Å of the cutoff are left out on both sides (rounding decides them).
    /// </summary>
    private static void AssertMatchesBruteForce(NeighborList nl, double[] x, double[] y, double[] z, Box? box, double rc)
    {
        var n = x.Length;
        Assert.That(nl.CenterCount, Is.EqualTo(n));
        Span<int> lo = stackalloc int[3];
        Span<int> hi = stackalloc int[3];
        var faces = new double[3];
        for (var d = 0; d < 3; d++) faces[d] = box?.FaceDistance(d) ?? 1;
        for (var i = 0; i < n; i++)
        {
            var expected = new Dictionary<(int, int, int, int), (double, double, double)>();
            var (ai, bi, ci) = box?.ToFractional(x[i], y[i], z[i]) ?? (0, 0, 0);
            for (var j = 0; j < n; j++)
            {
                var (aj, bj, cj) = box?.ToFractional(x[j], y[j], z[j]) ?? (0, 0, 0);
                double[] f = [aj - ai, bj - bi, cj - ci];
                for (var d = 0; d < 3; d++)
                {
                    // |shift + f| ≤ rc / face along d is necessary for distance ≤ rc; one extra each side for rounding.
                    var periodic = box is not null && box.IsPeriodic(d);
                    lo[d] = periodic ? (int)Math.Floor(-rc / faces[d] - f[d]) - 1 : 0;
                    hi[d] = periodic ? (int)Math.Ceiling(rc / faces[d] - f[d]) + 1 : 0;
                }
                for (var sa = lo[0]; sa <= hi[0]; sa++)
                    for (var sb = lo[1]; sb <= hi[1]; sb++)
                        for (var sc = lo[2]; sc <= hi[2]; sc++)
                        {
                            if (j == i && sa == 0 && sb == 0 && sc == 0) continue;
                            var (sx, sy, sz) = box?.ToCartesian(sa, sb, sc) ?? (0, 0, 0);
                            double dx = x[j] + sx - x[i], dy = y[j] + sy - y[i], dz = z[j] + sz - z[i];
                            var r = Math.Sqrt(dx * dx + dy * dy + dz * dz);
                            if (r <= rc) expected[(j, sa, sb, sc)] = (dx, dy, dz);
                        }
            }
            var seen = new HashSet<(int, int, int, int)>();
            for (var e = nl.Offsets[i]; e < nl.Offsets[i + 1]; e++)
            {
                var key = (nl.Owner[e], nl.ShiftA[e], nl.ShiftB[e], nl.ShiftC[e]);
                Assert.That(seen.Add(key), Is.True, $"atom {i}: entry {key} listed twice");
                var r = Math.Sqrt(nl.Dx[e] * nl.Dx[e] + nl.Dy[e] * nl.Dy[e] + nl.Dz[e] * nl.Dz[e]);
                if (!expected.TryGetValue(key, out var want))
                {
                    Assert.That(Math.Abs(r - rc), Is.LessThan(1e-9), $"atom {i}: entry {key} at r = {r} is not a neighbor");
                    continue;
                }
                Assert.That(nl.Dx[e], Is.EqualTo(want.Item1).Within(1e-12), $"atom {i} entry {key} dx");
                Assert.That(nl.Dy[e], Is.EqualTo(want.Item2).Within(1e-12), $"atom {i} entry {key} dy");
                Assert.That(nl.Dz[e], Is.EqualTo(want.Item3).Within(1e-12), $"atom {i} entry {key} dz");
            }
            foreach (var (key, d) in expected)
            {
                if (seen.Contains(key)) continue;
                var r = Math.Sqrt(d.Item1 * d.Item1 + d.Item2 * d.Item2 + d.Item3 * d.Item3);
                Assert.That(Math.Abs(r - rc), Is.LessThan(1e-9), $"atom {i}: neighbor {key} at r = {r} is missing");
            }
        }
    }

    /// <summary>Same offsets and the same entries in the same order, bit for bit.</summary>
    /// <summary>Same rows, bit for bit; arrays are compared over the list's entries (a recycled list's arrays may be longer).</summary>
    private static void AssertIdentical(NeighborList got, NeighborList want)
    {
        Assert.That(got.Offsets, Is.EqualTo(want.Offsets));
        var n = want.EntryCount;
        Assert.That(got.EntryCount, Is.EqualTo(n));
        Assert.That(got.Owner.Take(n), Is.EqualTo(want.Owner.Take(n)));
        Assert.That(got.ShiftA.Take(n), Is.EqualTo(want.ShiftA.Take(n)));
        Assert.That(got.ShiftB.Take(n), Is.EqualTo(want.ShiftB.Take(n)));
        Assert.That(got.ShiftC.Take(n), Is.EqualTo(want.ShiftC.Take(n)));
        Assert.That(Bits(got.Dx.Take(n)), Is.EqualTo(Bits(want.Dx.Take(n))));
        Assert.That(Bits(got.Dy.Take(n)), Is.EqualTo(Bits(want.Dy.Take(n))));
        Assert.That(Bits(got.Dz.Take(n)), Is.EqualTo(Bits(want.Dz.Take(n))));
        Assert.That(got.Cutoff, Is.EqualTo(want.Cutoff));
    }

    /// <summary>
    /// Building into a recycled list (as MD rebuilds do) gives the same rows as a fresh build, whether the new list has
    /// fewer entries (arrays reused, longer than needed) or many more (arrays replaced), and checks against brute force.
    /// </summary>
    [TestCase(0.9)]
    [TestCase(1.0)]
    [TestCase(1.6)]
    public void RecycledBuildIsIdenticalToFreshBuild(double densityRatio)
    {
        var rng = new Random(91);
        var shape = Box.Orthorhombic(14, 15, 16);
        var n = (int)(0.08 * shape.Volume);
        var (x0, y0, z0) = Scatter(rng, shape, n);
        var first = CellListNeighborSearch.Build(x0, y0, z0, shape, Cutoff);
        // Same atom count, positions squeezed or spread: more or fewer pairs.
        var scaled = Box.Orthorhombic(14 / Math.Cbrt(densityRatio), 15 / Math.Cbrt(densityRatio), 16 / Math.Cbrt(densityRatio));
        var (x1, y1, z1) = Scatter(rng, scaled, n);
        var fresh = CellListNeighborSearch.Build(x1, y1, z1, scaled, Cutoff);
        var recycled = CellListNeighborSearch.Build(x1, y1, z1, scaled, Cutoff, first);
        AssertIdentical(recycled, fresh);
        AssertMatchesBruteForce(recycled, x1, y1, z1, scaled, Cutoff);
        // And once more into the recycled one, back to the first configuration.
        AssertIdentical(CellListNeighborSearch.Build(x0, y0, z0, shape, Cutoff, recycled), CellListNeighborSearch.Build(x0, y0, z0, shape, Cutoff));
    }

    /// <summary>
    /// The builder's scratch arrays travel with a recycled list: a build after one of another kind (periodic atoms far
    /// outside the cell, so wrap offsets are set; then no box at all; then periodic again) and at a size where the
    /// per-atom passes run in parallel still equals a fresh build, spatial order included.
    /// </summary>
    [Test]
    public void RecycledScratchDoesNotLeakBetweenBuildsOfDifferentKinds()
    {
        var rng = new Random(17);
        var box = Box.Orthorhombic(38, 40, 42);
        var n = (int)(0.08 * box.Volume);
        var (x0, y0, z0) = Scatter(rng, box, n);
        var (x1, y1, z1) = Scatter(rng, box, n);
        var periodic = CellListNeighborSearch.Build(x0, y0, z0, box, Cutoff);
        var open = CellListNeighborSearch.Build(x1, y1, z1, null, Cutoff, periodic);
        var openFresh = CellListNeighborSearch.Build(x1, y1, z1, null, Cutoff);
        AssertIdentical(open, openFresh);
        Assert.That(open.SpatialOrder, Is.EqualTo(openFresh.SpatialOrder));
        var again = CellListNeighborSearch.Build(x0, y0, z0, box, Cutoff, open);
        var againFresh = CellListNeighborSearch.Build(x0, y0, z0, box, Cutoff);
        AssertIdentical(again, againFresh);
        Assert.That(again.SpatialOrder, Is.EqualTo(againFresh.SpatialOrder));
    }

    private static long[] Bits(IEnumerable<double> v) => v.Select(BitConverter.DoubleToInt64Bits).ToArray();
}
