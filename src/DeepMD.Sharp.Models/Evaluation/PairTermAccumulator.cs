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
        var w = result.Virial;
        var av = result.AtomVirial;
        Span<double> g = stackalloc double[3];
        Span<double> d = stackalloc double[3];
        for (var i = 0; i < neighbors.CenterCount; i++)
        {
            for (var e = neighbors.Offsets[i]; e < neighbors.Offsets[i + 1]; e++)
            {
                g[0] = gx[e];
                g[1] = gy[e];
                g[2] = gz[e];
                if (g[0] == 0 && g[1] == 0 && g[2] == 0) continue;
                var j = neighbors.Owner[e];
                f[3 * i] += g[0];
                f[3 * i + 1] += g[1];
                f[3 * i + 2] += g[2];
                f[3 * j] -= g[0];
                f[3 * j + 1] -= g[1];
                f[3 * j + 2] -= g[2];
                d[0] = neighbors.Dx[e];
                d[1] = neighbors.Dy[e];
                d[2] = neighbors.Dz[e];
                for (var a = 0; a < 3; a++)
                    for (var b = 0; b < 3; b++)
                    {
                        var term = g[a] * d[b];
                        w[3 * a + b] -= term;
                        av[9 * j + 3 * a + b] -= term;
                    }
            }
        }
    }
}
