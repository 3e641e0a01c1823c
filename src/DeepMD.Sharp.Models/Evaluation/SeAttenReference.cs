namespace DeepMD.Sharp.Models.Evaluation;

using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Models.Descriptors;

/// <summary>The reference (oracle) code of DPA-1 for one center: the <see cref="SeAttenBlock"/> and the center's type embedding appended.</summary>
internal sealed class SeAttenReference(SeAttenSpec d) : IReferenceDescriptor
{
    private readonly SeAttenBlockReference _block = new(d.Block);

    public object Forward(int i, int ti, int[] types, NeighborList nl, NeighborSlot[] slots, double[] input)
    {
        var state = _block.Forward(ti, types, nl, slots, input.AsSpan(0, d.Block.OutputSize));
        if (d.ConcatOutputTebd) d.TypeEmbedding.Row(ti).CopyTo(input.AsSpan(d.Block.OutputSize));
        return state;
    }

    public void Backward(int ti, NeighborList nl, NeighborSlot[] slots, object state, double[] inputGrad, double[] gx, double[] gy, double[] gz) =>
        _block.Backward((SeAttenBlockReference.State)state, ti, nl, slots, inputGrad.AsSpan(0, d.Block.OutputSize), gx, gy, gz);
}

/// <summary>
/// The reference code of one <see cref="SeAttenBlock"/> for one center (notes §2.1, dpa1.py's dense <c>call</c>), with
/// its exact reverse pass: environment matrix of the nsel slots (padding normalised to −davg/dstd, excluded pairs zero),
/// the type-aware embedding, the attention layers, T = Σ_j Ĝ_jᵀ R̃_j / nsel and D = T T&lt;ᵀ; backward to ∂e/∂d per slot
/// through R̃, r̂ (attn_dotr) and the switch sw (smooth attention, strip type net).
/// </summary>
/// <remarks>
/// Padded and excluded slots take the type embedding of atom 0 of the frame, as DeePMD-kit's dense path does (it gathers
/// with index 0 where the list says −1); that matters only through their phantom rows (davg ≠ 0, or no smoothing).
/// </remarks>
public sealed class SeAttenBlockReference(SeAttenBlock b)
{
    private const double AttentionShift = 20.0; // DeePMD-kit's attnw_shift

    /// <summary>Everything the backward pass of one center needs.</summary>
    public sealed class State
    {
        public required double[] Rr;        // [nsel][4] normalised environment matrix (excluded rows zero)
        public required bool[] Mask;        // real, non-excluded neighbor
        public required double[] Sw;        // switch, 0 for padded/excluded
        public required double[] Dsw;       // dsw/dr for masked slots
        public required double[] Rhat;      // [nsel][3] r̂ for attn_dotr
        public required double[] RhatNorm;  // |R̃[1:4]|
        public required double[] G0ds;      // [nsel][ng] ∂G0/∂s
        public required double[]? G0dsw;    // [nsel][ng] ∂G0/∂sw (strip + smooth)
        public required LayerState[] Layers;
        public required double[] G;         // [nsel][ng] after the attention layers
        public required double[] T;         // [ng][4]
    }

    /// <summary>Forward values of one attention layer.</summary>
    public sealed class LayerState
    {
        public required double[] Q, K, V;      // [nsel][h], normalised (Q also scaled) as used
        public required double[] Qn, Kn, Vn;   // norms before normalisation
        public required double[] Soft;         // [nsel][nsel] softmax output A'
        public required double[] Logit;        // [nsel][nsel] L = q·k (scaled), before the smooth shift
        public required double[] Masked;       // A'' = A' with padded query rows zeroed
        public required double[] Gated;        // B: A'' (× sw_i sw_j when smooth), before the dotr factor
        public required double[] A;            // final attention weights
        public required double[] Normalized;   // [nsel][ng] x̂ of the layer norm
        public required double[] Inv;          // [nsel] 1/√(σ²+ε)
    }

    /// <summary>Writes the block output (ng·axis_neuron) of center type <paramref name="ti"/> into <paramref name="output"/>.</summary>
    public State Forward(int ti, int[] types, NeighborList nl, NeighborSlot[] slots, Span<double> output)
    {
        int nnei = b.Nsel, ng = b.EmbeddingWidth, m2 = b.AxisNeuron;
        var tebd = b.TypeEmbedding;
        var td = tebd.Dim;
        var ntp = tebd.RowCount;
        var padType = types.Length > 0 ? types[0] : -1;
        var rr = new double[nnei * 4];
        var mask = new bool[nnei];
        var sw = new double[nnei];
        var dsw = new double[nnei];
        var rhat = new double[nnei * 3];
        var rnorm = new double[nnei];
        var g = new double[nnei * ng];
        var gds = new double[nnei * ng];
        double[]? gdsw = b.Mode == TebdInputMode.Strip && b.Smooth ? new double[nnei * ng] : null;
        var input = new double[b.Embedding.InputSize];
        var gs = new double[ng];
        var gsd = new double[ng];
        for (var k = 0; k < nnei; k++)
        {
            var s = slots[k];
            var valid = s.Entry >= 0;
            var tj = valid ? types[nl.Owner[s.Entry]] : -1;
            var excluded = valid && b.IsExcluded(ti, tj);
            mask[k] = valid && !excluded;
            double r0 = 0, r1 = 0, r2 = 0, r3 = 0;
            if (valid) (r0, r1, r2, r3) = EnvironmentRow.Raw(nl.Dx[s.Entry], nl.Dy[s.Entry], nl.Dz[s.Entry], s.R, b.RcutSmooth, b.Rcut, b.EnvProtection);
            var bs = (ti * nnei + k) * 4;
            if (!excluded)
            {
                rr[k * 4] = (r0 - b.Davg[bs]) / b.Dstd[bs];
                rr[k * 4 + 1] = (r1 - b.Davg[bs + 1]) / b.Dstd[bs + 1];
                rr[k * 4 + 2] = (r2 - b.Davg[bs + 2]) / b.Dstd[bs + 2];
                rr[k * 4 + 3] = (r3 - b.Davg[bs + 3]) / b.Dstd[bs + 3];
            }
            if (mask[k]) (sw[k], dsw[k]) = ReferenceEvaluator.Switch(s.R, b.RcutSmooth, b.Rcut);
            var n = Math.Sqrt(rr[k * 4 + 1] * rr[k * 4 + 1] + rr[k * 4 + 2] * rr[k * 4 + 2] + rr[k * 4 + 3] * rr[k * 4 + 3]);
            rnorm[k] = n;
            var den = Math.Max(n, 1e-12);
            for (var c = 0; c < 3; c++) rhat[k * 3 + c] = rr[k * 4 + 1 + c] / den;

            // The neighbor type the embedding sees: its own, or atom 0's for padded and excluded slots.
            var te = mask[k] ? tj : padType;
            var sval = rr[k * 4];
            if (b.Mode == TebdInputMode.Concat)
            {
                input[0] = sval;
                tebd.Row(te).CopyTo(input.AsSpan(1));
                if (!b.TypeOneSide) tebd.Row(ti).CopyTo(input.AsSpan(1 + td));
                b.Embedding.EvaluateDirectional(input, 0, g.AsSpan(k * ng, ng), gds.AsSpan(k * ng, ng));
            }
            else
            {
                if (b.RadialTable is { } table) table.Evaluate(sval, gs, gsd); // a compressed model: tabulate_fusion's quintic
                else b.Embedding.EvaluateDirectional([sval], 0, gs, gsd);
                var teIndex = te < 0 ? ntp - 1 : te;
                var row = b.TypeOneSide ? teIndex : ti * ntp + teIndex;
                var gt = b.StripTable.AsSpan(row * ng, ng);
                var f = b.Smooth ? sw[k] : 1.0;
                for (var a = 0; a < ng; a++)
                {
                    g[k * ng + a] = gs[a] * gt[a] * f + gs[a];
                    gds[k * ng + a] = gsd[a] * (gt[a] * f + 1);
                    if (gdsw is not null) gdsw[k * ng + a] = gs[a] * gt[a];
                }
            }
        }

        var layers = new LayerState[b.AttentionLayers.Count];
        for (var l = 0; l < layers.Length; l++) (g, layers[l]) = AttentionForward(b.AttentionLayers[l], g, mask, sw, rhat);

        var t = new double[ng * 4];
        for (var k = 0; k < nnei; k++)
            for (var a = 0; a < ng; a++)
            {
                var ga = g[k * ng + a];
                for (var c = 0; c < 4; c++) t[a * 4 + c] += ga * rr[k * 4 + c];
            }
        for (var q = 0; q < t.Length; q++) t[q] /= nnei;
        for (var a = 0; a < ng; a++)
            for (var bb = 0; bb < m2; bb++)
            {
                double sum = 0;
                for (var c = 0; c < 4; c++) sum += t[a * 4 + c] * t[bb * 4 + c];
                output[a * m2 + bb] = sum;
            }
        return new State { Rr = rr, Mask = mask, Sw = sw, Dsw = dsw, Rhat = rhat, RhatNorm = rnorm, G0ds = gds, G0dsw = gdsw, Layers = layers, G = g, T = t };
    }

    private (double[] Out, LayerState State) AttentionForward(AttentionLayer layer, double[] x, bool[] mask, double[] sw, double[] rhat)
    {
        int nnei = b.Nsel, ng = b.EmbeddingWidth, h = layer.HiddenDim;
        var w = layer.InProjection.Weights; // [ng][3h]
        var bias = layer.InProjection.Bias;
        double[] q = new double[nnei * h], kk = new double[nnei * h], v = new double[nnei * h];
        double[] qn = new double[nnei], kn = new double[nnei], vn = new double[nnei];
        for (var j = 0; j < nnei; j++)
        {
            for (var p = 0; p < 3 * h; p++)
            {
                var pre = bias?[p] ?? 0;
                for (var a = 0; a < ng; a++) pre += x[j * ng + a] * w[a * 3 * h + p];
                var target = p < h ? q : p < 2 * h ? kk : v;
                target[j * h + p % h] = pre;
            }
            if (layer.Normalize)
            {
                qn[j] = NormalizeRow(q.AsSpan(j * h, h));
                kn[j] = NormalizeRow(kk.AsSpan(j * h, h));
                vn[j] = NormalizeRow(v.AsSpan(j * h, h));
            }
            for (var c = 0; c < h; c++) q[j * h + c] *= layer.Scale;
        }
        var logit = new double[nnei * nnei];
        var soft = new double[nnei * nnei];
        for (var i = 0; i < nnei; i++)
        {
            var max = double.NegativeInfinity;
            for (var j = 0; j < nnei; j++)
            {
                double dot = 0;
                for (var c = 0; c < h; c++) dot += q[i * h + c] * kk[j * h + c];
                logit[i * nnei + j] = dot;
                double lp;
                if (b.Smooth) lp = (dot + AttentionShift) * sw[i] * sw[j] - AttentionShift;
                else lp = mask[j] ? dot : double.NegativeInfinity;
                soft[i * nnei + j] = lp;
                if (lp > max) max = lp;
            }
            if (double.IsNegativeInfinity(max))
            {
                for (var j = 0; j < nnei; j++) soft[i * nnei + j] = 0; // no key at all (a center without neighbors)
                continue;
            }
            double sum = 0;
            for (var j = 0; j < nnei; j++)
            {
                var e = Math.Exp(soft[i * nnei + j] - max);
                soft[i * nnei + j] = e;
                sum += e;
            }
            for (var j = 0; j < nnei; j++) soft[i * nnei + j] /= sum;
        }
        var masked = new double[nnei * nnei];
        var gated = new double[nnei * nnei];
        var attn = new double[nnei * nnei];
        for (var i = 0; i < nnei; i++)
            for (var j = 0; j < nnei; j++)
            {
                var m = mask[i] ? soft[i * nnei + j] : 0;
                masked[i * nnei + j] = m;
                var gt = b.Smooth ? m * sw[i] * sw[j] : m;
                gated[i * nnei + j] = gt;
                attn[i * nnei + j] = b.Dotr ? gt * Dot3(rhat, i, j) : gt;
            }
        // O = A V, Y = O W_out + b_out, Z = X + Y, out = LN(Z).
        var wo = layer.OutProjection.Weights; // [h][ng]
        var bo = layer.OutProjection.Bias;
        var o = new double[h];
        var z = new double[ng];
        var output = new double[nnei * ng];
        var normalized = new double[nnei * ng];
        var inv = new double[nnei];
        for (var i = 0; i < nnei; i++)
        {
            Array.Clear(o);
            for (var j = 0; j < nnei; j++)
            {
                var aij = attn[i * nnei + j];
                if (aij == 0) continue;
                for (var c = 0; c < h; c++) o[c] += aij * v[j * h + c];
            }
            for (var a = 0; a < ng; a++)
            {
                var y = bo?[a] ?? 0;
                for (var c = 0; c < h; c++) y += o[c] * wo[c * ng + a];
                z[a] = x[i * ng + a] + y;
            }
            inv[i] = layer.Norm.Forward(z, output.AsSpan(i * ng, ng), normalized.AsSpan(i * ng, ng));
        }
        return (output, new LayerState
        {
            Q = q, K = kk, V = v, Qn = qn, Kn = kn, Vn = vn, Soft = soft, Logit = logit, Masked = masked, Gated = gated, A = attn,
            Normalized = normalized, Inv = inv,
        });
    }

    private static double NormalizeRow(Span<double> row)
    {
        double s = 0;
        foreach (var v in row) s += v * v;
        var n = Math.Sqrt(s);
        for (var c = 0; c < row.Length; c++) row[c] /= n;
        return n;
    }

    private static double Dot3(double[] r, int i, int j) => r[i * 3] * r[j * 3] + r[i * 3 + 1] * r[j * 3 + 1] + r[i * 3 + 2] * r[j * 3 + 2];

    /// <summary>Given ∂e/∂output (ng·axis_neuron), adds ∂e/∂d into (gx, gy, gz) at the entries of the center's real slots.</summary>
    public void Backward(State st, int ti, NeighborList nl, NeighborSlot[] slots, ReadOnlySpan<double> dOut, double[] gx, double[] gy, double[] gz)
    {
        int nnei = b.Nsel, ng = b.EmbeddingWidth, m2 = b.AxisNeuron;
        var t = st.T;
        var dT = new double[ng * 4];
        for (var a = 0; a < ng; a++)
            for (var c = 0; c < 4; c++)
            {
                double s = 0;
                for (var bb = 0; bb < m2; bb++) s += dOut[a * m2 + bb] * t[bb * 4 + c];
                if (a < m2)
                    for (var a2 = 0; a2 < ng; a2++) s += dOut[a2 * m2 + a] * t[a2 * 4 + c];
                dT[a * 4 + c] = s / nnei;
            }
        var drr = new double[nnei * 4];
        var dg = new double[nnei * ng];
        for (var k = 0; k < nnei; k++)
            for (var a = 0; a < ng; a++)
            {
                double s = 0;
                for (var c = 0; c < 4; c++)
                {
                    s += dT[a * 4 + c] * st.Rr[k * 4 + c];
                    drr[k * 4 + c] += dT[a * 4 + c] * st.G[k * ng + a];
                }
                dg[k * ng + a] = s;
            }
        var dsw = new double[nnei];
        var drhat = new double[nnei * 3];
        for (var l = st.Layers.Length - 1; l >= 0; l--)
            dg = AttentionBackward(b.AttentionLayers[l], st.Layers[l], st, dg, dsw, drhat);

        for (var k = 0; k < nnei; k++)
        {
            if (!st.Mask[k]) continue;
            double ds = 0;
            for (var a = 0; a < ng; a++)
            {
                ds += dg[k * ng + a] * st.G0ds[k * ng + a];
                if (st.G0dsw is { } gw) dsw[k] += dg[k * ng + a] * gw[k * ng + a];
            }
            drr[k * 4] += ds;
            if (b.Dotr && st.Layers.Length > 0)
            {
                // r̂ = v/max(|v|, 1e−12) with v = R̃[1:4]. |v| is 0 for a neighbor at rcut (the switch is exactly 0 there, and
                // rounds to 0 within ~1e−5 Å of it): there the max is the constant and r̂ = v/1e−12, as DeePMD-kit's
                // autodiff differentiates it; dividing by |v| instead gave NaN forces in MD.
                var n = st.RhatNorm[k];
                if (n < 1e-12)
                    for (var c = 0; c < 3; c++) drr[k * 4 + 1 + c] += drhat[k * 3 + c] / 1e-12;
                else
                {
                    double proj = 0;
                    for (var c = 0; c < 3; c++) proj += drhat[k * 3 + c] * st.Rhat[k * 3 + c];
                    for (var c = 0; c < 3; c++) drr[k * 4 + 1 + c] += (drhat[k * 3 + c] - st.Rhat[k * 3 + c] * proj) / n;
                }
            }
            var s = slots[k];
            var bs = (ti * nnei + k) * 4;
            var (px, py, pz) = EnvironmentRow.PairGradient(drr[k * 4] / b.Dstd[bs], drr[k * 4 + 1] / b.Dstd[bs + 1], drr[k * 4 + 2] / b.Dstd[bs + 2],
                drr[k * 4 + 3] / b.Dstd[bs + 3], nl.Dx[s.Entry], nl.Dy[s.Entry], nl.Dz[s.Entry], s.R, b.RcutSmooth, b.Rcut, b.EnvProtection);
            var swTerm = dsw[k] * st.Dsw[k] / s.R;
            gx[s.Entry] += px + swTerm * nl.Dx[s.Entry];
            gy[s.Entry] += py + swTerm * nl.Dy[s.Entry];
            gz[s.Entry] += pz + swTerm * nl.Dz[s.Entry];
        }
    }

    /// <summary>Back through one attention layer: returns ∂e/∂(layer input); adds into ∂e/∂sw and ∂e/∂r̂.</summary>
    private double[] AttentionBackward(AttentionLayer layer, LayerState ls, State st, double[] dOutput, double[] dsw, double[] drhat)
    {
        int nnei = b.Nsel, ng = b.EmbeddingWidth, h = layer.HiddenDim;
        var sw = st.Sw;
        var dx = new double[nnei * ng];
        var dz = new double[ng];
        var dO = new double[nnei * h];
        var wo = layer.OutProjection.Weights;
        for (var i = 0; i < nnei; i++)
        {
            Array.Clear(dz);
            layer.Norm.Backward(dOutput.AsSpan(i * ng, ng), ls.Normalized.AsSpan(i * ng, ng), ls.Inv[i], dz);
            for (var a = 0; a < ng; a++) dx[i * ng + a] += dz[a]; // residual
            for (var c = 0; c < h; c++)
            {
                double s = 0;
                for (var a = 0; a < ng; a++) s += dz[a] * wo[c * ng + a];
                dO[i * h + c] = s;
            }
        }
        var dq = new double[nnei * h];
        var dk = new double[nnei * h];
        var dv = new double[nnei * h];
        var dA = new double[nnei * nnei];
        for (var i = 0; i < nnei; i++)
            for (var j = 0; j < nnei; j++)
            {
                var aij = ls.A[i * nnei + j];
                double s = 0;
                for (var c = 0; c < h; c++)
                {
                    s += dO[i * h + c] * ls.V[j * h + c];
                    dv[j * h + c] += aij * dO[i * h + c];
                }
                dA[i * nnei + j] = s;
            }
        // Through dotr, smooth gating and the query mask, to dA' (softmax output).
        var dSoft = new double[nnei * nnei];
        for (var i = 0; i < nnei; i++)
            for (var j = 0; j < nnei; j++)
            {
                var dB = dA[i * nnei + j];
                if (b.Dotr)
                {
                    var dC = dB * ls.Gated[i * nnei + j];
                    dB *= Dot3(st.Rhat, i, j);
                    for (var c = 0; c < 3; c++)
                    {
                        drhat[i * 3 + c] += dC * st.Rhat[j * 3 + c];
                        drhat[j * 3 + c] += dC * st.Rhat[i * 3 + c];
                    }
                }
                var dM = dB;
                if (b.Smooth)
                {
                    var m = ls.Masked[i * nnei + j];
                    dM = dB * sw[i] * sw[j];
                    dsw[i] += dB * m * sw[j];
                    dsw[j] += dB * m * sw[i];
                }
                dSoft[i * nnei + j] = st.Mask[i] ? dM : 0;
            }
        // Softmax, then the smooth shift, to the logits q·k.
        for (var i = 0; i < nnei; i++)
        {
            double dot = 0;
            for (var j = 0; j < nnei; j++) dot += ls.Soft[i * nnei + j] * dSoft[i * nnei + j];
            for (var j = 0; j < nnei; j++)
            {
                var dLp = ls.Soft[i * nnei + j] * (dSoft[i * nnei + j] - dot);
                if (dLp == 0) continue;
                var dL = dLp;
                if (b.Smooth)
                {
                    var shifted = ls.Logit[i * nnei + j] + AttentionShift;
                    dL = dLp * sw[i] * sw[j];
                    dsw[i] += dLp * shifted * sw[j];
                    dsw[j] += dLp * shifted * sw[i];
                }
                for (var c = 0; c < h; c++)
                {
                    dq[i * h + c] += dL * ls.K[j * h + c];
                    dk[j * h + c] += dL * ls.Q[i * h + c];
                }
            }
        }
        // Q was scaled after normalisation: L = (scale·q̂)·k̂.
        for (var q = 0; q < dq.Length; q++) dq[q] *= layer.Scale;
        if (layer.Normalize)
            for (var j = 0; j < nnei; j++)
            {
                NormalizeBackward(ls.Q.AsSpan(j * h, h), layer.Scale, ls.Qn[j], dq.AsSpan(j * h, h));
                NormalizeBackward(ls.K.AsSpan(j * h, h), 1, ls.Kn[j], dk.AsSpan(j * h, h));
                NormalizeBackward(ls.V.AsSpan(j * h, h), 1, ls.Vn[j], dv.AsSpan(j * h, h));
            }
        var w = layer.InProjection.Weights;
        for (var j = 0; j < nnei; j++)
            for (var a = 0; a < ng; a++)
            {
                double s = 0;
                var row = a * 3 * h;
                for (var c = 0; c < h; c++)
                    s += dq[j * h + c] * w[row + c] + dk[j * h + c] * w[row + h + c] + dv[j * h + c] * w[row + 2 * h + c];
                dx[j * ng + a] += s;
            }
        return dx;
    }

    /// <summary>u = x/|x| (stored scaled by <paramref name="scale"/>): du → dx = (du − u (u·du))/|x|, in place.</summary>
    private static void NormalizeBackward(ReadOnlySpan<double> stored, double scale, double norm, Span<double> d)
    {
        double proj = 0;
        for (var c = 0; c < d.Length; c++) proj += stored[c] / scale * d[c];
        for (var c = 0; c < d.Length; c++) d[c] = (d[c] - stored[c] / scale * proj) / norm;
    }
}
