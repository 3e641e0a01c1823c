namespace DeepMD.Sharp.Tests.Support;

using DeepMD.Sharp.Core.Geometry;

/// <summary>Random atom configurations in random triclinic cells, with a minimum pair distance.</summary>
public static class RandomStructures
{
    /// <summary>A random triclinic cell with edge lengths in [lo, hi] and moderate tilts.</summary>
    public static Box TriclinicBox(Random rng, double lo, double hi, double tilt = 0.3)
    {
        double L() => lo + (hi - lo) * rng.NextDouble();
        double T(double l) => tilt * l * (2 * rng.NextDouble() - 1);
        var a = L();
        var b = L();
        var c = L();
        return new Box([a, 0, 0, T(b), b, 0, T(c), T(c), c]);
    }

    public static (double[] X, double[] Y, double[] Z, int[] Types) Atoms(Random rng, Box box, int n, int ntypes, double minDist = 0.9)
    {
        var x = new List<double>();
        var y = new List<double>();
        var z = new List<double>();
        var tries = 0;
        while (x.Count < n && tries++ < 100000)
        {
            // Some atoms deliberately outside the cell: the evaluator must wrap them.
            var (px, py, pz) = box.ToCartesian(rng.NextDouble() * 1.4 - 0.2, rng.NextDouble() * 1.4 - 0.2, rng.NextDouble() * 1.4 - 0.2);
            var ok = true;
            for (var k = 0; k < x.Count && ok; k++)
                ok = MinImageDistance(box, px - x[k], py - y[k], pz - z[k]) >= minDist;
            if (ok && MinImageDistance(box, 0, 0, 0, selfCheck: true) >= minDist)
            {
                x.Add(px);
                y.Add(py);
                z.Add(pz);
            }
        }
        if (x.Count < n) throw new InvalidOperationException("could not place atoms");
        var types = new int[n];
        for (var i = 0; i < n; i++) types[i] = i % ntypes;
        return (x.ToArray(), y.ToArray(), z.ToArray(), types);
    }

    /// <summary>Smallest distance between a displacement's periodic images (brute force over nearby shifts).</summary>
    public static double MinImageDistance(Box box, double dx, double dy, double dz, bool selfCheck = false)
    {
        var best = double.PositiveInfinity;
        for (var a = -2; a <= 2; a++)
            for (var b = -2; b <= 2; b++)
                for (var c = -2; c <= 2; c++)
                {
                    if (selfCheck && a == 0 && b == 0 && c == 0) continue;
                    var (sx, sy, sz) = box.ToCartesian(a, b, c);
                    var r = Math.Sqrt((dx + sx) * (dx + sx) + (dy + sy) * (dy + sy) + (dz + sz) * (dz + sz));
                    best = Math.Min(best, r);
                }
        return best;
    }
}
