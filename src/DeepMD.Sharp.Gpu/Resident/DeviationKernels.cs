namespace DeepMD.Sharp.Gpu.Resident;

using ILGPU;
using ILGPU.Algorithms;

/// <summary>Ensemble spread on the device: per-atom force deviation over models and per-block sums for the host.</summary>
public static class DeviationKernels
{
    /// <summary>Atoms per partial result.</summary>
    public const int Block = 256;

    /// <summary>
    /// Per atom: σ_i = sqrt(Σ_c mean_k (F_kic − F̄_ic)²) over the <paramref name="models"/> force sets in
    /// <paramref name="forces"/> ([model][component][atom]), two passes (mean, then squares).
    /// </summary>
    public static void ForceDeviation(Index1D index, ArrayView<double> forces, ArrayView<double> sigma, int atoms, int models)
    {
        int i = index;
        double sum = 0;
        for (var c = 0; c < 3; c++)
        {
            double mean = 0;
            for (var k = 0; k < models; k++) mean += forces[((long)k * 3 + c) * atoms + i];
            mean /= models;
            double sq = 0;
            for (var k = 0; k < models; k++)
            {
                var d = forces[((long)k * 3 + c) * atoms + i] - mean;
                sq += d * d;
            }
            sum += sq / models;
        }
        sigma[i] = XMath.Sqrt(sum);
    }

    /// <summary>Per block of atoms: max, min and sum of σ.</summary>
    public static void ReduceSigma(Index1D index, ArrayView<double> sigma, ArrayView<double> partial, int atoms)
    {
        int b = index;
        var first = b * Block;
        var end = XMath.Min(first + Block, atoms);
        double max = double.NegativeInfinity, min = double.PositiveInfinity, sum = 0;
        for (var i = first; i < end; i++)
        {
            var s = sigma[i];
            max = XMath.Max(max, s);
            min = XMath.Min(min, s);
            sum += s;
        }
        partial[3 * b] = max;
        partial[3 * b + 1] = min;
        partial[3 * b + 2] = sum;
    }

    /// <summary>Per block of atoms: Σ energy and Σ virial (9) of one model.</summary>
    public static void SumEnergyVirial(Index1D index, ArrayView<double> energy, ArrayView<double> virial, ArrayView<double> partial, int atoms)
    {
        int b = index;
        var first = b * Block;
        var end = XMath.Min(first + Block, atoms);
        double e = 0, v0 = 0, v1 = 0, v2 = 0, v3 = 0, v4 = 0, v5 = 0, v6 = 0, v7 = 0, v8 = 0;
        for (var i = first; i < end; i++)
        {
            e += energy[i];
            long q = 9L * i;
            v0 += virial[q]; v1 += virial[q + 1]; v2 += virial[q + 2];
            v3 += virial[q + 3]; v4 += virial[q + 4]; v5 += virial[q + 5];
            v6 += virial[q + 6]; v7 += virial[q + 7]; v8 += virial[q + 8];
        }
        long o = 10L * b;
        partial[o] = e;
        partial[o + 1] = v0; partial[o + 2] = v1; partial[o + 3] = v2;
        partial[o + 4] = v3; partial[o + 5] = v4; partial[o + 6] = v5;
        partial[o + 7] = v6; partial[o + 8] = v7; partial[o + 9] = v8;
    }
}
