namespace DeepMD.Sharp.Models.Evaluation;

using DeepMD.Sharp.Core.Neighbors;

/// <summary>
/// Turns pair gradients g = ∂e_i/∂d_ij (one per neighbor entry) into forces, virial and per-atom virial, summing in
/// a fixed order so that results do not depend on how the centers were spread over threads. The pair term of the
/// per-atom virial goes to the neighbor atom, as DeePMD-kit's <c>prod_virial</c> does; images fold onto their owners.
/// </summary>
public static class PairTermAccumulator
{
    public static void Accumulate(NeighborList neighbors, double[] gx, double[] gy, double[] gz, EvaluationResult result)
    {
        var f = result.Forces;
        var av = result.AtomVirial;
        // The total virial in nine locals (registers) rather than nine array updates per entry; same operations in the
        // same order, so the same bits. This loop is serial and touches every entry (10⁶ for 10⁴ atoms).
        var w = result.Virial;
        double w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3], w4 = w[4], w5 = w[5], w6 = w[6], w7 = w[7], w8 = w[8];
        var owner = neighbors.Owner;
        var dxs = neighbors.Dx;
        var dys = neighbors.Dy;
        var dzs = neighbors.Dz;
        for (var i = 0; i < neighbors.CenterCount; i++)
        {
            for (var e = neighbors.Offsets[i]; e < neighbors.Offsets[i + 1]; e++)
            {
                double g0 = gx[e], g1 = gy[e], g2 = gz[e];
                if (g0 == 0 && g1 == 0 && g2 == 0) continue;
                var j = owner[e];
                f[3 * i] += g0;
                f[3 * i + 1] += g1;
                f[3 * i + 2] += g2;
                f[3 * j] -= g0;
                f[3 * j + 1] -= g1;
                f[3 * j + 2] -= g2;
                double d0 = dxs[e], d1 = dys[e], d2 = dzs[e];
                double t00 = g0 * d0, t01 = g0 * d1, t02 = g0 * d2;
                double t10 = g1 * d0, t11 = g1 * d1, t12 = g1 * d2;
                double t20 = g2 * d0, t21 = g2 * d1, t22 = g2 * d2;
                w0 -= t00; w1 -= t01; w2 -= t02;
                w3 -= t10; w4 -= t11; w5 -= t12;
                w6 -= t20; w7 -= t21; w8 -= t22;
                var a = 9 * j;
                av[a] -= t00; av[a + 1] -= t01; av[a + 2] -= t02;
                av[a + 3] -= t10; av[a + 4] -= t11; av[a + 5] -= t12;
                av[a + 6] -= t20; av[a + 7] -= t21; av[a + 8] -= t22;
            }
        }
        (w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8]) = (w0, w1, w2, w3, w4, w5, w6, w7, w8);
    }
}
