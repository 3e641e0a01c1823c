namespace DeepMD.Sharp.Models.Evaluation;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Models.Descriptors;

/// <summary>The reference (oracle) code of se_e2_a for one center: environment matrix, embedding, T, descriptor, and the chain rule back to ∂e_i/∂d per slot.</summary>
internal sealed class SeE2AReference(SeE2ASpec d) : IReferenceDescriptor
{
    /// <summary>Forward state of one center for the se_e2_a backward pass.</summary>
    private sealed class SeAState
    {
        public required double[] Rtilde;   // [slots][4] normalised environment matrix (masked)
        public required bool[] Active;     // slot has a real, non-excluded neighbor
        public required double[] G;        // [slots][M1] embedding values (rows of inactive slots unused)
        public required double[] Gprime;   // [slots][M1] dG/ds
        public required double[] T;        // [M1][4]
    }

    public object Forward(int i, int ti, int[] types, NeighborList nl, NeighborSlot[] slots, double[] input)
    {
        int nnei = d.SlotCount, m1 = d.EmbeddingWidth, m2 = d.AxisNeuron;
        var rt = new double[nnei * 4];
        var active = new bool[nnei];
        var g = new double[nnei * m1];
        var gp = new double[nnei * m1];
        var t = new double[m1 * 4];
        Span<double> raw = stackalloc double[4];
        for (var tt = 0; tt < d.TypeCount; tt++)
        {
            for (var k = d.SelOffsets[tt]; k < d.SelOffsets[tt + 1]; k++)
            {
                var s = slots[k];
                raw.Clear();
                if (s.Entry >= 0)
                {
                    if (d.IsExcluded(ti, tt)) continue; // excluded neighbor: its row is zero and contributes nothing
                    active[k] = true;
                    (raw[0], raw[1], raw[2], raw[3]) = EnvironmentRow.Raw(nl.Dx[s.Entry], nl.Dy[s.Entry], nl.Dz[s.Entry], s.R, d.RcutSmooth, d.Rcut, d.EnvProtection);
                }
                var b = (ti * nnei + k) * 4;
                for (var c = 0; c < 4; c++) rt[k * 4 + c] = (raw[c] - d.Davg[b + c]) / d.Dstd[b + c];
                if (d.TableFor(ti, tt) is { } table)
                {
                    table.Evaluate(rt[k * 4], g.AsSpan(k * m1, m1), gp.AsSpan(k * m1, m1));
                }
                else
                {
                    var net = d.EmbeddingFor(ti, tt) ?? throw new UserInputException($"the model has no embedding net for center type {ti}, neighbor type {tt}");
                    net.EvaluateScalar(rt[k * 4], g.AsSpan(k * m1, m1), gp.AsSpan(k * m1, m1));
                }
                for (var a = 0; a < m1; a++)
                    for (var c = 0; c < 4; c++)
                        t[a * 4 + c] += g[k * m1 + a] * rt[k * 4 + c];
            }
        }
        for (var q = 0; q < t.Length; q++) t[q] /= nnei;
        // D[a][b] = Σ_c T[a][c] T[b][c], b < M2, flattened with b fastest.
        for (var a = 0; a < m1; a++)
            for (var bb = 0; bb < m2; bb++)
            {
                double s = 0;
                for (var c = 0; c < 4; c++) s += t[a * 4 + c] * t[bb * 4 + c];
                input[a * m2 + bb] = s;
            }
        return new SeAState { Rtilde = rt, Active = active, G = g, Gprime = gp, T = t };
    }

    public void Backward(int ti, NeighborList nl, NeighborSlot[] slots, object stateObj, double[] inputGrad,
        double[] gx, double[] gy, double[] gz)
    {
        var st = (SeAState)stateObj;
        int nnei = d.SlotCount, m1 = d.EmbeddingWidth, m2 = d.AxisNeuron;
        var t = st.T;
        // dT[a][c] = Σ_b dD[a][b] T[b][c] + [a < M2] Σ_a' dD[a'][a] T[a'][c]
        var dT = new double[m1 * 4];
        for (var a = 0; a < m1; a++)
            for (var c = 0; c < 4; c++)
            {
                double s = 0;
                for (var b = 0; b < m2; b++) s += inputGrad[a * m2 + b] * t[b * 4 + c];
                if (a < m2)
                    for (var a2 = 0; a2 < m1; a2++) s += inputGrad[a2 * m2 + a] * t[a2 * 4 + c];
                dT[a * 4 + c] = s;
            }
        Span<double> dR = stackalloc double[4];
        for (var k = 0; k < nnei; k++)
        {
            if (!st.Active[k]) continue;
            var s = slots[k];
            dR.Clear();
            double chain = 0; // Σ_a G'[a] Σ_c dT[a][c] R̃[c]
            for (var a = 0; a < m1; a++)
            {
                var ga = st.G[k * m1 + a];
                double dotR = 0;
                for (var c = 0; c < 4; c++)
                {
                    dR[c] += dT[a * 4 + c] * ga;
                    dotR += dT[a * 4 + c] * st.Rtilde[k * 4 + c];
                }
                chain += st.Gprime[k * m1 + a] * dotR;
            }
            dR[0] += chain;
            var b0 = (ti * nnei + k) * 4;
            for (var c = 0; c < 4; c++) dR[c] = dR[c] / nnei / d.Dstd[b0 + c];

            (gx[s.Entry], gy[s.Entry], gz[s.Entry]) = EnvironmentRow.PairGradient(dR[0], dR[1], dR[2], dR[3],
                nl.Dx[s.Entry], nl.Dy[s.Entry], nl.Dz[s.Entry], s.R, d.RcutSmooth, d.Rcut, d.EnvProtection);
        }
    }
}
