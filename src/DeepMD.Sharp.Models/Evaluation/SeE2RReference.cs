namespace DeepMD.Sharp.Models.Evaluation;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Models.Descriptors;

/// <summary>The reference (oracle) code of se_e2_r for one center: radial environment, embedding sum, and the chain rule back to ∂e_i/∂d per slot.</summary>
internal sealed class SeE2RReference(SeE2RSpec d) : IReferenceDescriptor
{
    /// <summary>Forward state of one center for the se_r backward pass.</summary>
    private sealed class SeRState
    {
        public required bool[] Active;
        public required double[] Gprime; // [slots][M1]
    }

    public object Forward(int i, int ti, int[] types, NeighborList nl, NeighborSlot[] slots, double[] input)
    {
        int nnei = d.SlotCount, m1 = d.Neuron[^1];
        var active = new bool[nnei];
        var gp = new double[nnei * m1];
        Span<double> g = stackalloc double[m1];
        var sum = new double[m1];
        for (var tt = 0; tt < d.TypeCount; tt++)
        {
            var net = d.EmbeddingFor(ti, tt) ?? throw new UserInputException($"the model has no embedding net for center type {ti}, neighbor type {tt}");
            for (var k = d.SelOffsets[tt]; k < d.SelOffsets[tt + 1]; k++)
            {
                var s = slots[k];
                double sval;
                if (s.Entry >= 0 && d.IsExcluded(ti, tt))
                {
                    sval = 0; // dpmodel multiplies the normalised row by the exclusion mask, then embeds it
                }
                else
                {
                    double raw = 0;
                    if (s.Entry >= 0)
                    {
                        active[k] = true;
                        var (w, _) = ReferenceEvaluator.Switch(s.R, d.RcutSmooth, d.Rcut);
                        raw = w / (s.R + d.EnvProtection);
                    }
                    var b = ti * nnei + k;
                    sval = (raw - d.Davg[b]) / d.Dstd[b];
                }
                if (d.TableFor(ti, tt) is { } table) table.Evaluate(sval, g, gp.AsSpan(k * m1, m1));
                else net.EvaluateScalar(sval, g, gp.AsSpan(k * m1, m1));
                for (var a = 0; a < m1; a++) sum[a] += g[a];
            }
        }
        for (var a = 0; a < m1; a++) input[a] = sum[a] / nnei * SeE2RSpec.ResultRescale;
        return new SeRState { Active = active, Gprime = gp };
    }

    public void Backward(int ti, NeighborList nl, NeighborSlot[] slots, object stateObj, double[] inputGrad,
        double[] gx, double[] gy, double[] gz)
    {
        var st = (SeRState)stateObj;
        int nnei = d.SlotCount, m1 = d.Neuron[^1];
        for (var k = 0; k < nnei; k++)
        {
            if (!st.Active[k]) continue;
            var s = slots[k];
            double dsv = 0;
            for (var a = 0; a < m1; a++) dsv += inputGrad[a] * st.Gprime[k * m1 + a];
            dsv *= SeE2RSpec.ResultRescale / nnei / d.Dstd[ti * nnei + k];
            var (w, dw) = ReferenceEvaluator.Switch(s.R, d.RcutSmooth, d.Rcut);
            var rp = s.R + d.EnvProtection;
            var c0 = dsv * (dw / rp - w / (rp * rp)) / s.R;
            gx[s.Entry] = c0 * nl.Dx[s.Entry];
            gy[s.Entry] = c0 * nl.Dy[s.Entry];
            gz[s.Entry] = c0 * nl.Dz[s.Entry];
        }
    }
}
