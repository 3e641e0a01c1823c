namespace DeepMD.Sharp.Tests.Core;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Tests.Support;

public class NeighborSearchTests
{
    private static List<string> BruteForce(double[] x, double[] y, double[] z, Box? box, double rc, int i)
    {
        var found = new List<string>();
        var reach = new int[3];
        for (var d = 0; d < 3; d++)
            reach[d] = box is not null && box.IsPeriodic(d) ? (int)Math.Ceiling(rc / box.FaceDistance(d)) + 2 : 0;
        for (var j = 0; j < x.Length; j++)
            for (var a = -reach[0]; a <= reach[0]; a++)
                for (var b = -reach[1]; b <= reach[1]; b++)
                    for (var c = -reach[2]; c <= reach[2]; c++)
                    {
                        if (j == i && a == 0 && b == 0 && c == 0) continue;
                        var (sx, sy, sz) = box?.ToCartesian(a, b, c) ?? (0, 0, 0);
                        double dx = x[j] + sx - x[i], dy = y[j] + sy - y[i], dz = z[j] + sz - z[i];
                        if (dx * dx + dy * dy + dz * dz <= rc * rc) found.Add(Key(j, dx, dy, dz));
                    }
        found.Sort(StringComparer.Ordinal);
        return found;
    }

    private static string Key(int j, double dx, double dy, double dz) => FormattableString.Invariant($"{j}:{dx:F6}:{dy:F6}:{dz:F6}");

    private static void AssertSameAsBruteForce(double[] x, double[] y, double[] z, Box? box, double rc)
    {
        var nl = CellListNeighborSearch.Build(x, y, z, box, rc);
        for (var i = 0; i < x.Length; i++)
        {
            var got = new List<string>();
            for (var e = nl.Offsets[i]; e < nl.Offsets[i + 1]; e++) got.Add(Key(nl.Owner[e], nl.Dx[e], nl.Dy[e], nl.Dz[e]));
            got.Sort(StringComparer.Ordinal);
            Assert.That(got, Is.EqualTo(BruteForce(x, y, z, box, rc, i)), $"atom {i}");
        }
    }

    [TestCase(1, 8.0, 14.0, 20)]
    [TestCase(2, 4.0, 7.0, 15)]   // face distance below the cutoff
    [TestCase(3, 1.5, 2.5, 3)]    // tiny cell: many images of every atom, including the atom itself
    [TestCase(4, 12.0, 18.0, 120)]
    public void TriclinicCellMatchesBruteForce(int seed, double lo, double hi, int n)
    {
        var rng = new Random(seed);
        var box = RandomStructures.TriclinicBox(rng, lo, hi, tilt: 0.45);
        var x = new double[n];
        var y = new double[n];
        var z = new double[n];
        for (var i = 0; i < n; i++)
            (x[i], y[i], z[i]) = box.ToCartesian(rng.NextDouble() * 3 - 1, rng.NextDouble() * 3 - 1, rng.NextDouble() * 3 - 1);
        AssertSameAsBruteForce(x, y, z, box, 5.0);
    }

    [Test]
    public void NoPeriodicBoundariesMatchesBruteForce()
    {
        var rng = new Random(7);
        var n = 80;
        var x = RandomModels.Fill(rng, n, 9);
        var y = RandomModels.Fill(rng, n, 9);
        var z = RandomModels.Fill(rng, n, 4);
        AssertSameAsBruteForce(x, y, z, null, 3.5);
    }

    [Test]
    public void MixedPeriodicityMatchesBruteForce()
    {
        var rng = new Random(11);
        var box = new Box([6, 0, 0, 1.5, 5, 0, 0.5, -1, 7], periodicA: true, periodicB: false, periodicC: true);
        var n = 40;
        var x = new double[n];
        var y = new double[n];
        var z = new double[n];
        for (var i = 0; i < n; i++)
            (x[i], y[i], z[i]) = box.ToCartesian(rng.NextDouble(), rng.NextDouble() * 2 - 0.5, rng.NextDouble());
        AssertSameAsBruteForce(x, y, z, box, 4.0);
    }

    [Test]
    public void SingleAtomInSmallCellSeesItsImages()
    {
        var box = Box.Orthorhombic(2, 2, 2);
        var nl = CellListNeighborSearch.Build([0.3], [0.2], [0.1], box, 2.5);
        // images at distance 2 (6 of them) and 2√2 > 2.5 excluded: exactly the 6 face neighbors
        Assert.That(nl.CountOf(0), Is.EqualTo(6));
        Assert.That(nl.Owner.Distinct(), Is.EqualTo(new[] { 0 }));
    }

    [Test]
    public void StoredShiftsReproduceDisplacementsAfterAtomsMove()
    {
        var rng = new Random(21);
        var box = RandomStructures.TriclinicBox(rng, 4.0, 6.0, tilt: 0.4);
        var n = 12;
        var x = new double[n];
        var y = new double[n];
        var z = new double[n];
        for (var i = 0; i < n; i++)
            (x[i], y[i], z[i]) = box.ToCartesian(rng.NextDouble() * 3 - 1, rng.NextDouble() * 3 - 1, rng.NextDouble() * 3 - 1);
        var nl = CellListNeighborSearch.Build(x, y, z, box, 5.0);
        var before = (nl.Dx.ToArray(), nl.Dy.ToArray(), nl.Dz.ToArray());
        nl.UpdateDisplacements(x, y, z, box);
        Assert.That(nl.Dx, Is.EqualTo(before.Item1).Within(1e-12));
        Assert.That(nl.Dy, Is.EqualTo(before.Item2).Within(1e-12));
        Assert.That(nl.Dz, Is.EqualTo(before.Item3).Within(1e-12));
        // Move atoms a little (no re-wrapping): each entry's displacement follows both atoms.
        var mx = x.Select(v => v + 0.1 * (rng.NextDouble() - 0.5)).ToArray();
        var my = y.Select(v => v + 0.1 * (rng.NextDouble() - 0.5)).ToArray();
        var mz = z.Select(v => v + 0.1 * (rng.NextDouble() - 0.5)).ToArray();
        nl.UpdateDisplacements(mx, my, mz, box);
        for (var i = 0; i < n; i++)
            for (var e = nl.Offsets[i]; e < nl.Offsets[i + 1]; e++)
            {
                var j = nl.Owner[e];
                Assert.That(nl.Dx[e], Is.EqualTo(before.Item1[e] + (mx[j] - x[j]) - (mx[i] - x[i])).Within(1e-12));
                Assert.That(nl.Dz[e], Is.EqualTo(before.Item3[e] + (mz[j] - z[j]) - (mz[i] - z[i])).Within(1e-12));
            }
    }

    [Test]
    public void SpatialOrderIsAPermutationWhoseRunsAreCompact()
    {
        // Atoms numbered at random in a 40 Å cube, 6 Å cutoff: 6 cells per direction.
        var rng = new Random(11);
        const int n = 4000;
        const double l = 40;
        var x = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * l).ToArray();
        var y = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * l).ToArray();
        var z = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * l).ToArray();
        var nl = CellListNeighborSearch.Build(x, y, z, Box.Orthorhombic(l, l, l), 6.0);
        var order = nl.SpatialOrder!;
        Assert.That(order.OrderBy(i => i), Is.EqualTo(Enumerable.Range(0, n)));
        // The eight runs of 1/8 of the atoms along a Z-order curve are nearly the eight octants of the box. Measured by
        // the 10th-90th percentile range along each axis (robust to the few atoms a run takes from the next octant),
        // summed over the axes: ~1.2 box lengths for an octant, ~2.4 for a run of random numbering.
        var run = n / 8;
        var sums = new List<double>();
        for (var s = 0; s + run <= n; s += run)
        {
            var members = order.AsSpan(s, run).ToArray();
            sums.Add(new[] { x, y, z }.Sum(c =>
            {
                var v = members.Select(i => c[i]).Order().ToArray();
                return v[v.Length * 9 / 10] - v[v.Length / 10];
            }));
        }
        Assert.That(sums.Max(), Is.LessThan(1.5 * l), string.Join(", ", sums.Select(v => v.ToString("F1"))));
        // A recycled build reuses the array and gives the same order.
        var again = CellListNeighborSearch.Build(x, y, z, Box.Orthorhombic(l, l, l), 6.0, nl);
        Assert.That(again.SpatialOrder, Is.SameAs(order));
        Assert.That(again.SpatialOrder, Is.EqualTo(CellListNeighborSearch.Build(x, y, z, Box.Orthorhombic(l, l, l), 6.0).SpatialOrder));
    }
}
