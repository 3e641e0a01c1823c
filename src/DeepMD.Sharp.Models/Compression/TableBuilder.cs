namespace DeepMD.Sharp.Models.Compression;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Models.Descriptors;
using DeepMD.Sharp.Models.Evaluation;

/// <summary>
/// Tabulates the embedding nets of an se_e2_a descriptor like DeePMD-kit's <c>dp compress</c>: on a grid over the
/// normalised s(r) (fine stride from lower to upper, coarse stride up to extrapolate·upper), each interval gets a
/// quintic that matches the net's value, first and second derivative at both ends.
/// </summary>
public static class TableBuilder
{
    /// <summary>
    /// Builds one table per embedding net (NetworkCollection order; null where the net is unused or excluded).
    /// <paramref name="minNeighborDistance"/> (Å) sets the upper end of the fine grid.
    /// </summary>
    public static EmbeddingTable?[] Build(DescriptorSpec d, double minNeighborDistance, double stride0 = 0.01, double stride1 = 0.1,
        double extrapolate = 5, int checkFrequency = -1)
    {
        if (!(minNeighborDistance > 0)) throw new UserInputException($"the minimal neighbor distance must be positive, got {minNeighborDistance}");
        if (!(stride0 > 0) || !(stride1 > 0) || !(extrapolate > 1)) throw new UserInputException("compression needs positive strides and extrapolate > 1");
        var nt = d.TypeCount;
        var (lower, upper) = Range(d, minNeighborDistance);
        var tables = new EmbeddingTable?[d.Embeddings.Length];
        for (var k = 0; k < tables.Length; k++)
        {
            var net = d.Embeddings[k];
            if (net is null) continue;
            double ll, uu;
            if (d.TypeOneSide)
            {
                // One net per neighbor type k serves every center type that sees it.
                var centers = Enumerable.Range(0, nt).Where(ti => !d.IsExcluded(ti, k) && d.Sel[ti] > 0).ToArray();
                if (centers.Length == 0) continue;
                ll = centers.Min(ti => lower[ti]);
                uu = centers.Max(ti => upper[ti]);
            }
            else
            {
                int ti = k % nt, tt = k / nt;
                if (d.IsExcluded(ti, tt)) continue;
                ll = lower[ti];
                uu = upper[ti];
            }
            tables[k] = Tabulate(net, d.Neuron[^1], ll, uu, stride0, stride1, extrapolate, checkFrequency);
        }
        return tables;
    }

    /// <summary>
    /// The radial net of a DPA-1 block in strip mode (se_atten, se_atten_v2), as DeePMD-kit's <c>dp compress</c> tabulates it: one
    /// table for all types, over [lower, upper] where, exactly as DeePMD-kit computes them from the statistics' first slot,
    /// lower = ⌊min over types and the four components of −davg/dstd⌋ and upper = ⌈max of (sw(dmin)/dmin − davg)/dstd⌉.
    /// </summary>
    public static EmbeddingTable BuildSeAtten(SeAttenBlock b, double minNeighborDistance, double stride0 = 0.01, double stride1 = 0.1,
        double extrapolate = 5, int checkFrequency = -1)
    {
        if (!(minNeighborDistance > 0)) throw new UserInputException($"the minimal neighbor distance must be positive, got {minNeighborDistance}");
        if (!(stride0 > 0) || !(stride1 > 0) || !(extrapolate > 1)) throw new UserInputException("compression needs positive strides and extrapolate > 1");
        if (b.Mode != TebdInputMode.Strip) throw new UserInputException("se_atten is compressed only in tebd_input_mode strip (as DeePMD-kit's dp compress)");
        var (sw, _) = ReferenceEvaluator.Switch(minNeighborDistance, b.RcutSmooth, b.Rcut);
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        for (var t = 0; t < b.TypeCount; t++)
            for (var c = 0; c < 4; c++)
            {
                // Slot 0 of type t (DeePMD-kit reads davg[:, 0], every component; statistics are the same for every slot).
                var avg = b.Davg[t * b.Nsel * 4 + c];
                var std = b.Dstd[t * b.Nsel * 4 + c];
                lo = Math.Min(lo, Math.Floor(-avg / std));
                hi = Math.Max(hi, Math.Ceiling((sw / minNeighborDistance - avg) / std));
            }
        return Tabulate(b.Embedding, b.EmbeddingWidth, lo, hi, stride0, stride1, extrapolate, checkFrequency);
    }

    /// <summary>Per center type: floor of the smallest and ceiling of the largest normalised s the model can see.</summary>
    private static (double[] Lower, double[] Upper) Range(DescriptorSpec d, double dmin)
    {
        var nt = d.TypeCount;
        var (sw, _) = ReferenceEvaluator.Switch(dmin, d.RcutSmooth, d.Rcut);
        var lower = new double[nt];
        var upper = new double[nt];
        for (var t = 0; t < nt; t++)
        {
            double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
            for (var k = 0; k < d.SlotCount; k++)
            {
                // The radial column: 4 columns per slot for se_e2_a, 1 for se_e2_r.
                var avg = d.Davg[(t * d.SlotCount + k) * d.ComponentCount];
                var std = d.Dstd[(t * d.SlotCount + k) * d.ComponentCount];
                lo = Math.Min(lo, -avg / std);
                hi = Math.Max(hi, (sw / dmin - avg) / std);
            }
            lower[t] = Math.Floor(lo);
            upper[t] = Math.Ceiling(hi);
        }
        return (lower, upper);
    }

    private static EmbeddingTable Tabulate(Networks.NeuralNetwork net, int channels, double lower, double upper, double stride0,
        double stride1, double extrapolate, int checkFrequency)
    {
        var n0 = (int)Math.Round((upper - lower) / stride0);
        var tableMax = extrapolate * upper;
        var n1 = (int)Math.Round((tableMax - upper) / stride1);
        if (n0 < 1 || n1 < 1) throw new UserInputException($"cannot tabulate the range [{lower}, {tableMax}] with strides {stride0}, {stride1}");
        var nodes = new double[n0 + n1 + 1];
        for (var k = 0; k < n0; k++) nodes[k] = lower + k * stride0;
        for (var k = 0; k < n1; k++) nodes[n0 + k] = upper + k * stride1;
        nodes[^1] = tableMax;
        var count = nodes.Length;
        var y = new double[count * channels];
        var y1 = new double[count * channels];
        var y2 = new double[count * channels];
        Parallel.For(0, count, k =>
            net.EvaluateScalarWithCurvature(nodes[k], y.AsSpan(k * channels, channels), y1.AsSpan(k * channels, channels), y2.AsSpan(k * channels, channels)));
        var nspline = count - 1;
        var data = new double[nspline * channels * 6];
        for (var l = 0; l < nspline; l++)
        {
            var dt = nodes[l + 1] - nodes[l];
            for (var a = 0; a < channels; a++)
            {
                int p = l * channels + a, q = (l + 1) * channels + a;
                var h = y[q] - y[p];
                var o = (l * channels + a) * 6;
                data[o] = y[p];
                data[o + 1] = y1[p];
                data[o + 2] = y2[p] / 2;
                data[o + 3] = (20 * h - (8 * y1[q] + 12 * y1[p]) * dt - (3 * y2[p] - y2[q]) * dt * dt) / (2 * dt * dt * dt);
                data[o + 4] = (-30 * h + (14 * y1[q] + 16 * y1[p]) * dt + (3 * y2[p] - 2 * y2[q]) * dt * dt) / (2 * dt * dt * dt * dt);
                data[o + 5] = (12 * h - 6 * (y1[q] + y1[p]) * dt + (y2[q] - y2[p]) * dt * dt) / (2 * dt * dt * dt * dt * dt);
            }
        }
        return new EmbeddingTable(data, [lower, upper, tableMax, stride0, stride1, checkFrequency], channels);
    }
}
