namespace DeepMD.Sharp.Training.Model;

using DeepMD.Sharp.Training.Data;
using MathNet.Numerics.LinearAlgebra;

/// <summary>Training-time statistics: davg/dstd of the environment matrix (notes §1.3) and the energy bias (§5.5).</summary>
public static class Statistics
{
    /// <summary>
    /// Sets <see cref="SeAEnergyModel.Davg"/>/<see cref="SeAEnergyModel.Dstd"/> from the raw environment matrices of
    /// <paramref name="batches"/>, pooling all slots of each center type, padding zeros included.
    /// </summary>
    public static void InitDescriptor(SeAEnergyModel model, IEnumerable<FrameBatch> batches)
    {
        var c = model.Config;
        (model.Davg, model.Dstd) = EnvironmentStatistics(batches, c.TypeCount, c.SlotCount, c.EnvColumns, c.RcutSmooth, c.Rcut,
            c.SetDavgZero, c.DataStatProtect);
    }

    /// <summary>
    /// davg/dstd [type][slot][cols] from the raw environment matrices of <paramref name="batches"/>: per center type the
    /// radial column and the three angular columns are pooled over all slots (padding zeros included), as DeePMD-kit's
    /// EnvMatStatSe does for se_e2_a and, with one mixed block of Σsel slots, for se_atten.
    /// </summary>
    public static (double[] Davg, double[] Dstd) EnvironmentStatistics(IEnumerable<FrameBatch> batches, int typeCount, int slotCount,
        int columns, double rcutSmooth, double rcut, bool setDavgZero, double protect)
    {
        var c = (RcutSmooth: rcutSmooth, Rcut: rcut, SlotCount: slotCount, EnvColumns: columns, SetDavgZero: setDavgZero, DataStatProtect: protect);
        var nt = typeCount;
        var n = new double[nt];
        var sr = new double[nt];
        var sr2 = new double[nt];
        var sa = new double[nt];
        var sa2 = new double[nt];
        foreach (var b in batches)
        {
            var nA = b.FrameCount * b.AtomCount;
            for (var i = 0; i < nA; i++)
            {
                var t = (int)b.Types[i];
                for (var s = 0; s < b.SlotCount; s++)
                {
                    var q = i * b.SlotCount + s;
                    n[t] += 1;
                    if (b.Mask[q] == 0) continue;
                    var j = (int)b.Neighbor[q];
                    double dx = b.Coords[j * 3] - b.Coords[i * 3] + b.Shift[q * 3];
                    double dy = b.Coords[j * 3 + 1] - b.Coords[i * 3 + 1] + b.Shift[q * 3 + 1];
                    double dz = b.Coords[j * 3 + 2] - b.Coords[i * 3 + 2] + b.Shift[q * 3 + 2];
                    var r = Math.Sqrt(dx * dx + dy * dy + dz * dz);
                    var w = Switch(r, c.RcutSmooth, c.Rcut);
                    var r0 = w / r;
                    sr[t] += r0;
                    sr2[t] += r0 * r0;
                    foreach (var a in (ReadOnlySpan<double>)[dx, dy, dz])
                    {
                        var v = w * a / (r * r);
                        sa[t] += v;
                        sa2[t] += v * v;
                    }
                }
            }
        }
        var nnei = c.SlotCount;
        var cols = c.EnvColumns;
        var davg = new double[nt * nnei * cols];
        var dstd = new double[nt * nnei * cols];
        for (var t = 0; t < nt; t++)
        {
            var mr = n[t] > 0 ? sr[t] / n[t] : 0;
            var stdR = Std(n[t], sr[t], sr2[t], c.DataStatProtect);
            var stdA = Std(3 * n[t], sa[t], sa2[t], c.DataStatProtect);
            for (var s = 0; s < nnei; s++)
            {
                var k = (t * nnei + s) * cols;
                davg[k] = c.SetDavgZero ? 0 : mr;
                dstd[k] = stdR;
                if (cols == 4) dstd[k + 1] = dstd[k + 2] = dstd[k + 3] = stdA;
            }
        }
        return (davg, dstd);
    }

    private static double Std(double n, double sum, double sum2, double protection)
    {
        if (n == 0) return 0.1;
        var m = sum / n;
        var s = Math.Sqrt(Math.Max(sum2 / n - m * m, 0));
        return s < protection ? protection : s;
    }

    /// <summary>The quintic switch w(r) of notes §1.2.</summary>
    public static double Switch(double r, double rs, double rc)
    {
        var u = Math.Clamp((r - rs) / (rc - rs), 0, 1);
        return u * u * u * (-6 * u * u + 15 * u - 10) + 1;
    }

    /// <summary>
    /// Least-squares per-type energies b minimising ‖N·b − E‖ (N: atoms of each type per frame), minimum-norm when
    /// N is rank deficient (numpy lstsq semantics, singular values below rcond·s_max dropped).
    /// </summary>
    public static double[] EnergyBias(IReadOnlyList<int[]> typeCounts, IReadOnlyList<double> energies, int typeCount, double rcond = 1e-10)
    {
        var a = Matrix<double>.Build.Dense(typeCounts.Count, typeCount, (i, t) => typeCounts[i][t]);
        var e = Vector<double>.Build.DenseOfEnumerable(energies);
        var svd = a.Svd(true);
        var s = svd.S;
        var smax = s.Count > 0 ? s.Maximum() : 0;
        var x = Vector<double>.Build.Dense(typeCount);
        for (var k = 0; k < s.Count; k++)
        {
            if (s[k] <= rcond * smax || s[k] == 0) continue;
            var coef = svd.U.Column(k).DotProduct(e) / s[k];
            x += svd.VT.Row(k) * coef;
        }
        return x.ToArray();
    }
}
