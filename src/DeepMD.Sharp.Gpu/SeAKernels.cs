namespace DeepMD.Sharp.Gpu;

using ILGPU;
using ILGPU.Algorithms;

/// <summary>
/// The se_e2_a (and, with <see cref="SeAKernelParams{T}.Radial"/>, se_e2_r) kernels, written for correctness first: one thread per (atom, slot) for the environment matrix and
/// the embedding, one thread per (atom, channel) for T and D, one thread per (atom, neuron) for each fitting layer forward and
/// backward, one thread per (atom, T element) for ∂e/∂T, one thread per (atom, slot) for the pair gradients. Values are stored in <typeparamref name="T"/>; network matrix-vector loops accumulate in <typeparamref name="T"/>,
/// everything else is computed in double.
/// </summary>
public static class SeAKernels<T, TOps> where T : unmanaged where TOps : struct, IRealOps<T>
{
    /// <summary>Per (atom, slot): normalised row R̃ and the embedding G(s), G'(s) of s = R̃[0].</summary>
    public static void EnvEmbed(Index1D index, SeAKernelParams<T> p)
    {
        var ops = default(TOps);
        long slot = index;
        var flag = p.SlotFlag[slot];
        if (flag <= 0) return; // padding is added per atom in Fit from the precomputed row of its type pair
        var atom = (int)(slot / p.Nnei);
        var k = (int)(slot % p.Nnei);
        var ti = p.CenterType[atom];
        var tt = p.SlotType[k];
        var pb = (ti * p.TypeCount + tt) * 4;
        double r0 = 0, r1 = 0, r2 = 0, r3 = 0;
        if (flag == 1)
        {
            var dx = ops.ToDouble(p.SlotD[slot * 3]);
            var dy = ops.ToDouble(p.SlotD[slot * 3 + 1]);
            var dz = ops.ToDouble(p.SlotD[slot * 3 + 2]);
            var r = XMath.Sqrt(dx * dx + dy * dy + dz * dz);
            var w = Switch(r, p.RcutSmooth, p.Rcut, out _);
            var rp = r + p.Protection;
            r0 = w / rp;
            var inv2 = w / (rp * rp);
            r1 = inv2 * dx;
            r2 = inv2 * dy;
            r3 = inv2 * dz;
        }
        var s = flag == 2 ? 0.0 : (r0 - p.Mean[pb]) * p.InvStd[pb];
        p.Rt[slot * 4] = ops.FromDouble(s);
        p.Rt[slot * 4 + 1] = ops.FromDouble((r1 - p.Mean[pb + 1]) * p.InvStd[pb + 1]);
        p.Rt[slot * 4 + 2] = ops.FromDouble((r2 - p.Mean[pb + 2]) * p.InvStd[pb + 2]);
        p.Rt[slot * 4 + 3] = ops.FromDouble((r3 - p.Mean[pb + 3]) * p.InvStd[pb + 3]);
        var net = p.EmbeddingNet[ti * p.TypeCount + tt];
        var table = p.TableOf[net];
        if (table >= 0) EvaluateTable(p, table, s, slot);
        else EvaluateScalarNet(p, net, s, slot);
    }

    /// <summary>
    /// Per (atom, embedding channel a): row a of T = (1/nnei) Σ G ⊗ R̃ (padding included); for se_r the descriptor
    /// element a (the mean embedding times 1/5), written straight into the fitting input.
    /// </summary>
    public static void DescriptorT(Index1D index, SeAKernelParams<T> p)
    {
        var ops = default(TOps);
        var atom = index.X / p.M1;
        var a = index.X % p.M1;
        var ti = p.CenterType[atom];
        var tBase = (long)atom * p.M1 * 4;
        if (ti < 0)
        {
            if (a == 0) p.Energy[atom] = ops.FromDouble(0);
            for (var c = 0; c < 4; c++) p.DT[tBase + a * 4 + c] = ops.FromDouble(0);
            return;
        }
        long slotBase = (long)atom * p.Nnei;
        if (p.Radial == 1)
        {
            double sum = 0;
            for (var k = 0; k < p.Nnei; k++)
            {
                var slot = slotBase + k;
                if (p.SlotFlag[slot] > 0) sum += ops.ToDouble(p.G[slot + a * p.SlotCapacity]);
            }
            for (var tt = 0; tt < p.TypeCount; tt++)
                sum += p.PadCount[atom * p.TypeCount + tt] * p.PadG[(ti * p.TypeCount + tt) * p.M1 + a];
            p.FitScratch[FitInput(p, atom, ti) + a] = ops.FromDouble(sum / p.Nnei * RadialRescale);
            return;
        }
        double t0 = 0, t1 = 0, t2 = 0, t3 = 0;
        for (var k = 0; k < p.Nnei; k++)
        {
            var slot = slotBase + k;
            if (p.SlotFlag[slot] <= 0) continue;
            var g = ops.ToDouble(p.G[slot + a * p.SlotCapacity]);
            t0 += g * ops.ToDouble(p.Rt[slot * 4]);
            t1 += g * ops.ToDouble(p.Rt[slot * 4 + 1]);
            t2 += g * ops.ToDouble(p.Rt[slot * 4 + 2]);
            t3 += g * ops.ToDouble(p.Rt[slot * 4 + 3]);
        }
        for (var tt = 0; tt < p.TypeCount; tt++)
        {
            var pads = p.PadCount[atom * p.TypeCount + tt];
            if (pads == 0) continue;
            var pair = ti * p.TypeCount + tt;
            var pg = pads * p.PadG[pair * p.M1 + a];
            t0 += pg * p.PadR[pair * 4];
            t1 += pg * p.PadR[pair * 4 + 1];
            t2 += pg * p.PadR[pair * 4 + 2];
            t3 += pg * p.PadR[pair * 4 + 3];
        }
        p.TMat[tBase + a * 4] = ops.FromDouble(t0 / p.Nnei);
        p.TMat[tBase + a * 4 + 1] = ops.FromDouble(t1 / p.Nnei);
        p.TMat[tBase + a * 4 + 2] = ops.FromDouble(t2 / p.Nnei);
        p.TMat[tBase + a * 4 + 3] = ops.FromDouble(t3 / p.Nnei);
    }

    /// <summary>Per (atom, channel a): row a of D = T·T&lt;ᵀ into the fitting input (se_e2_a), and the input tail (fparam, aparam…).</summary>
    public static void DescriptorD(Index1D index, SeAKernelParams<T> p)
    {
        var ops = default(TOps);
        var atom = index.X / p.M1;
        var a = index.X % p.M1;
        var ti = p.CenterType[atom];
        if (ti < 0) return;
        var inOff = FitInput(p, atom, ti);
        var ds = p.Radial == 1 ? p.M1 : p.M1 * p.M2;
        if (a == 0)
            for (var q = 0; q < p.TailLength; q++) p.FitScratch[inOff + ds + q] = p.Tail[(long)atom * p.TailLength + q];
        if (p.Radial == 1) return;
        var tBase = (long)atom * p.M1 * 4;
        for (var b = 0; b < p.M2; b++)
        {
            double s = 0;
            for (var c = 0; c < 4; c++) s += ops.ToDouble(p.TMat[tBase + a * 4 + c]) * ops.ToDouble(p.TMat[tBase + b * 4 + c]);
            p.FitScratch[inOff + a * p.M2 + b] = ops.FromDouble(s);
        }
    }

    /// <summary>Where the fitting input of <paramref name="atom"/> starts in the fitting scratch.</summary>
    private static long FitInput(SeAKernelParams<T> p, int atom, int ti) =>
        (long)atom * p.FitScratchStride + p.Layers[p.Nets[2 * p.FittingNet[ti]] * DeviceNetworks.LayerFields + 7];

    /// <summary>Per (atom, output neuron) of fitting layer <paramref name="layer"/>: pre-activation and output, kept for the backward pass.</summary>
    public static void FitForward(Index1D index, SeAKernelParams<T> p, int layer)
    {
        var ops = default(TOps);
        var atom = index.X / p.FitWidth;
        var o = index.X % p.FitWidth;
        var ti = p.CenterType[atom];
        if (ti < 0) return;
        var net = p.FittingNet[ti];
        if (layer >= p.Nets[2 * net + 1]) return;
        var L = (p.Nets[2 * net] + layer) * DeviceNetworks.LayerFields;
        int n = p.Layers[L], m = p.Layers[L + 1], wOff = p.Layers[L + 2], bOff = p.Layers[L + 3], idtOff = p.Layers[L + 4];
        if (o >= m) return;
        int act = p.Layers[L + 5], res = p.Layers[L + 6];
        var sBase = (long)atom * p.FitScratchStride;
        long xOff = sBase + p.Layers[L + 7], zOff = sBase + p.Layers[L + 8], yOff = sBase + p.Layers[L + 9];
        var zt = bOff >= 0 ? p.Weights[bOff + o] : ops.FromDouble(0);
        for (var k = 0; k < n; k++) zt = ops.MulAdd(zt, p.FitScratch[xOff + k], p.Weights[wOff + (long)k * m + o]);
        p.FitScratch[zOff + o] = zt;
        var z = ops.ToDouble(zt);
        var y = Activate(act, z);
        if (idtOff >= 0) y *= ops.ToDouble(p.Weights[idtOff + o]);
        if (res == 1) y += ops.ToDouble(p.FitScratch[xOff + o]);
        else if (res == 2) y += ops.ToDouble(p.FitScratch[xOff + o % n]);
        p.FitScratch[yOff + o] = ops.FromDouble(y);
    }

    /// <summary>Per atom: the energy (net output) and the seed ∂e/∂out = 1 of the backward pass.</summary>
    public static void FitSeed(Index1D index, SeAKernelParams<T> p)
    {
        var ops = default(TOps);
        int atom = index;
        var ti = p.CenterType[atom];
        if (ti < 0) return;
        var net = p.FittingNet[ti];
        var last = (p.Nets[2 * net] + p.Nets[2 * net + 1] - 1) * DeviceNetworks.LayerFields;
        var sBase = (long)atom * p.FitScratchStride;
        p.Energy[atom] = p.FitScratch[sBase + p.Layers[last + 9]];
        var g = GradientBuffer(p, atom, 0);
        for (var o = 0; o < p.Layers[last + 1]; o++) p.FitScratch[g + o] = ops.FromDouble(1);
    }

    /// <summary>Per (atom, output neuron) of fitting layer <paramref name="layer"/>: ∂e/∂z, stored over the pre-activation.</summary>
    public static void FitBackwardZ(Index1D index, SeAKernelParams<T> p, int layer)
    {
        var ops = default(TOps);
        var atom = index.X / p.FitWidth;
        var o = index.X % p.FitWidth;
        var ti = p.CenterType[atom];
        if (ti < 0) return;
        var net = p.FittingNet[ti];
        var count = p.Nets[2 * net + 1];
        if (layer >= count) return;
        var L = (p.Nets[2 * net] + layer) * DeviceNetworks.LayerFields;
        int m = p.Layers[L + 1], idtOff = p.Layers[L + 4], act = p.Layers[L + 5];
        if (o >= m) return;
        var zOff = (long)atom * p.FitScratchStride + p.Layers[L + 8];
        var gIn = GradientBuffer(p, atom, count - 1 - layer);
        var z = ops.ToDouble(p.FitScratch[zOff + o]);
        var dz = ops.ToDouble(p.FitScratch[gIn + o]) * Derivative(act, z, Activate(act, z));
        if (idtOff >= 0) dz *= ops.ToDouble(p.Weights[idtOff + o]);
        p.FitScratch[zOff + o] = ops.FromDouble(dz);
    }

    /// <summary>Per (atom, input) of fitting layer <paramref name="layer"/>: ∂e/∂x = W·∂e/∂z plus the residual path.</summary>
    public static void FitBackwardX(Index1D index, SeAKernelParams<T> p, int layer)
    {
        var ops = default(TOps);
        var atom = index.X / p.FitWidth;
        var k = index.X % p.FitWidth;
        var ti = p.CenterType[atom];
        if (ti < 0) return;
        var net = p.FittingNet[ti];
        var count = p.Nets[2 * net + 1];
        if (layer >= count) return;
        var L = (p.Nets[2 * net] + layer) * DeviceNetworks.LayerFields;
        int n = p.Layers[L], m = p.Layers[L + 1], wOff = p.Layers[L + 2], res = p.Layers[L + 6];
        if (k >= n) return;
        var zOff = (long)atom * p.FitScratchStride + p.Layers[L + 8];
        var gIn = GradientBuffer(p, atom, count - 1 - layer);
        var gOut = GradientBuffer(p, atom, count - layer);
        var dxt = ops.FromDouble(0);
        for (var o = 0; o < m; o++) dxt = ops.MulAdd(dxt, p.Weights[wOff + (long)k * m + o], p.FitScratch[zOff + o]);
        var dx = ops.ToDouble(dxt);
        if (res == 1) dx += ops.ToDouble(p.FitScratch[gIn + k]);
        else if (res == 2) dx += ops.ToDouble(p.FitScratch[gIn + k]) + ops.ToDouble(p.FitScratch[gIn + k + n]);
        p.FitScratch[gOut + k] = ops.FromDouble(dx);
    }

    /// <summary>Per (atom, T element): ∂e/∂T from ∂e/∂D (se_r: ∂e/∂G of every slot, in component 0).</summary>
    public static void DescriptorBackward(Index1D index, SeAKernelParams<T> p)
    {
        var ops = default(TOps);
        var atom = index.X / (p.M1 * 4);
        var q = index.X % (p.M1 * 4);
        var ti = p.CenterType[atom];
        if (ti < 0) return; // DT was zeroed by DescriptorT
        var a = q / 4;
        var c = q % 4;
        var tBase = (long)atom * p.M1 * 4;
        var gA = GradientBuffer(p, atom, p.Nets[2 * p.FittingNet[ti] + 1]);
        if (p.Radial == 1)
        {
            p.DT[tBase + q] = ops.FromDouble(c == 0 ? ops.ToDouble(p.FitScratch[gA + a]) * RadialRescale / p.Nnei : 0.0);
            return;
        }
        // ∂e/∂T[a][c] = (Σ_b dD[a][b] T[b][c] + [a < M2] Σ_a' dD[a'][a] T[a'][c]) / nnei (T already holds the 1/nnei).
        double s = 0;
        for (var b = 0; b < p.M2; b++) s += ops.ToDouble(p.FitScratch[gA + a * p.M2 + b]) * ops.ToDouble(p.TMat[tBase + b * 4 + c]);
        if (a < p.M2)
            for (var a2 = 0; a2 < p.M1; a2++) s += ops.ToDouble(p.FitScratch[gA + a2 * p.M2 + a]) * ops.ToDouble(p.TMat[tBase + a2 * 4 + c]);
        p.DT[tBase + q] = ops.FromDouble(s / p.Nnei);
    }

    /// <summary>The fitting gradient buffer holding ∂e/∂(input of the layer <paramref name="step"/> steps below the output):
    /// the two buffers after the activations alternate.</summary>
    private static long GradientBuffer(SeAKernelParams<T> p, int atom, int step) =>
        (long)atom * p.FitScratchStride + p.FitScratchStride - 2L * p.FitWidth + (step % 2) * (long)p.FitWidth;

    /// <summary>Per (atom, slot): g = ∂e_i/∂d through R̃, the normalisation and the switch.</summary>
    public static void PairGradient(Index1D index, SeAKernelParams<T> p)
    {
        var ops = default(TOps);
        long slot = index;
        if (p.SlotFlag[slot] != 1)
        {
            p.PairGradient[slot * 3] = ops.FromDouble(0);
            p.PairGradient[slot * 3 + 1] = ops.FromDouble(0);
            p.PairGradient[slot * 3 + 2] = ops.FromDouble(0);
            return;
        }
        var atom = (int)(slot / p.Nnei);
        var k = (int)(slot % p.Nnei);
        var ti = p.CenterType[atom];
        var tt = p.SlotType[k];
        var pb = (ti * p.TypeCount + tt) * 4;
        var tBase = (long)atom * p.M1 * 4;
        double rt0 = ops.ToDouble(p.Rt[slot * 4]), rt1 = ops.ToDouble(p.Rt[slot * 4 + 1]);
        double rt2 = ops.ToDouble(p.Rt[slot * 4 + 2]), rt3 = ops.ToDouble(p.Rt[slot * 4 + 3]);
        var dx = ops.ToDouble(p.SlotD[slot * 3]);
        var dy = ops.ToDouble(p.SlotD[slot * 3 + 1]);
        var dz = ops.ToDouble(p.SlotD[slot * 3 + 2]);
        var r = XMath.Sqrt(dx * dx + dy * dy + dz * dz);
        var w = Switch(r, p.RcutSmooth, p.Rcut, out var dw);
        var rp = r + p.Protection;
        var c0 = (dw / rp - w / (rp * rp)) / r;
        if (p.Radial == 1)
        {
            double dsv = 0;
            for (var a = 0; a < p.M1; a++) dsv += ops.ToDouble(p.DT[tBase + a * 4]) * ops.ToDouble(p.Gp[slot + a * p.SlotCapacity]);
            dsv *= p.InvStd[pb] * c0;
            p.PairGradient[slot * 3] = ops.FromDouble(dsv * dx);
            p.PairGradient[slot * 3 + 1] = ops.FromDouble(dsv * dy);
            p.PairGradient[slot * 3 + 2] = ops.FromDouble(dsv * dz);
            return;
        }
        double d0 = 0, d1 = 0, d2 = 0, d3 = 0, chain = 0;
        for (var a = 0; a < p.M1; a++)
        {
            double t0 = ops.ToDouble(p.DT[tBase + a * 4]), t1 = ops.ToDouble(p.DT[tBase + a * 4 + 1]);
            double t2 = ops.ToDouble(p.DT[tBase + a * 4 + 2]), t3 = ops.ToDouble(p.DT[tBase + a * 4 + 3]);
            var g = ops.ToDouble(p.G[slot + a * p.SlotCapacity]);
            d0 += t0 * g;
            d1 += t1 * g;
            d2 += t2 * g;
            d3 += t3 * g;
            chain += ops.ToDouble(p.Gp[slot + a * p.SlotCapacity]) * (t0 * rt0 + t1 * rt1 + t2 * rt2 + t3 * rt3);
        }
        d0 = (d0 + chain) * p.InvStd[pb];
        d1 *= p.InvStd[pb + 1];
        d2 *= p.InvStd[pb + 2];
        d3 *= p.InvStd[pb + 3];
        var diag = w / (rp * rp);
        var c1 = (dw / (rp * rp) - 2 * w / (rp * rp * rp)) / r;
        var proj = d1 * dx + d2 * dy + d3 * dz;
        p.PairGradient[slot * 3] = ops.FromDouble(d0 * c0 * dx + d1 * diag + proj * c1 * dx);
        p.PairGradient[slot * 3 + 1] = ops.FromDouble(d0 * c0 * dy + d2 * diag + proj * c1 * dy);
        p.PairGradient[slot * 3 + 2] = ops.FromDouble(d0 * c0 * dz + d3 * diag + proj * c1 * dz);
    }

    /// <summary>
    /// Forward-mode evaluation of a one-input network into G and G'. Scratch holds x, dx, y, dy (EmbWidth each) with
    /// the slot fastest, so neighboring threads touch neighboring addresses.
    /// </summary>
    private static void EvaluateScalarNet(SeAKernelParams<T> p, int net, double s, long slot)
    {
        var ops = default(TOps);
        var first = p.Nets[2 * net];
        var count = p.Nets[2 * net + 1];
        var S = p.SlotCapacity;
        long x = slot, dxs = slot + p.EmbWidth * S, y = slot + 2L * p.EmbWidth * S, dys = slot + 3L * p.EmbWidth * S;
        p.EmbScratch[x] = ops.FromDouble(s);
        p.EmbScratch[dxs] = ops.FromDouble(1);
        var n = 1;
        for (var l = first; l < first + count; l++)
        {
            var L = l * DeviceNetworks.LayerFields;
            int m = p.Layers[L + 1], wOff = p.Layers[L + 2], bOff = p.Layers[L + 3], idtOff = p.Layers[L + 4];
            int act = p.Layers[L + 5], res = p.Layers[L + 6];
            for (var o = 0; o < m; o++)
            {
                var zt = bOff >= 0 ? p.Weights[bOff + o] : ops.FromDouble(0);
                var dzt = ops.FromDouble(0);
                for (var k = 0; k < n; k++)
                {
                    var w = p.Weights[wOff + (long)k * m + o];
                    zt = ops.MulAdd(zt, p.EmbScratch[x + k * S], w);
                    dzt = ops.MulAdd(dzt, p.EmbScratch[dxs + k * S], w);
                }
                var z = ops.ToDouble(zt);
                var dz = ops.ToDouble(dzt);
                var a = Activate(act, z);
                var da = Derivative(act, z, a) * dz;
                if (idtOff >= 0)
                {
                    var idt = ops.ToDouble(p.Weights[idtOff + o]);
                    a *= idt;
                    da *= idt;
                }
                if (res == 1)
                {
                    a += ops.ToDouble(p.EmbScratch[x + o * S]);
                    da += ops.ToDouble(p.EmbScratch[dxs + o * S]);
                }
                else if (res == 2)
                {
                    a += ops.ToDouble(p.EmbScratch[x + (o % n) * S]);
                    da += ops.ToDouble(p.EmbScratch[dxs + (o % n) * S]);
                }
                p.EmbScratch[y + o * S] = ops.FromDouble(a);
                p.EmbScratch[dys + o * S] = ops.FromDouble(da);
            }
            (x, y) = (y, x);
            (dxs, dys) = (dys, dxs);
            n = m;
        }
        for (var a = 0; a < p.M1; a++)
        {
            p.G[slot + a * S] = p.EmbScratch[x + a * S];
            p.Gp[slot + a * S] = p.EmbScratch[dxs + a * S];
        }
    }

    /// <summary>DeePMD-kit's tabulated embedding: quintic per interval, linear extrapolation outside the table.</summary>
    private static void EvaluateTable(SeAKernelParams<T> p, int table, double s, long slot)
    {
        var ops = default(TOps);
        var info = table * DeviceNetworks.TableFields;
        double lower = p.TableInfo[info], upper = p.TableInfo[info + 1], max = p.TableInfo[info + 2];
        double stride0 = p.TableInfo[info + 3], stride1 = p.TableInfo[info + 4];
        var firstStride = (long)p.TableInfo[info + 5];
        var last = (long)p.TableInfo[info + 6] - 1;
        var data = (long)p.TableInfo[info + 7];
        var channels = (int)p.TableInfo[info + 8];
        long idx;
        double t, extra = 0;
        if (s < lower)
        {
            idx = 0;
            t = 0;
            extra = s - lower;
        }
        else if (s < upper)
        {
            idx = XMath.Clamp((long)XMath.Floor((s - lower) / stride0), 0L, last);
            t = s - (idx * stride0 + lower);
        }
        else if (s < max)
        {
            idx = XMath.Clamp(firstStride + (long)XMath.Floor((s - upper) / stride1), 0L, last);
            t = s - ((idx - firstStride) * stride1 + upper);
        }
        else
        {
            idx = last;
            t = max - ((last - firstStride) * stride1 + upper);
            extra = s - max;
        }
        var row = data + idx * 6 * channels;
        for (var a = 0; a < channels; a++)
        {
            var c = row + 6 * a;
            double f = p.TableData[c], e = p.TableData[c + 1], d = p.TableData[c + 2];
            double cc = p.TableData[c + 3], b = p.TableData[c + 4], q = p.TableData[c + 5];
            var v = f + (e + (d + (cc + (b + q * t) * t) * t) * t) * t;
            var g = e + (2 * d + (3 * cc + (4 * b + 5 * q * t) * t) * t) * t;
            p.G[slot + a * p.SlotCapacity] = ops.FromDouble(v + g * extra);
            p.Gp[slot + a * p.SlotCapacity] = ops.FromDouble(g);
        }
    }

    /// <summary>Quintic switch w(r) and dw/dr (C² between rcut_smth and rcut).</summary>
    private static double Switch(double r, double rs, double rc, out double dw)
    {
        if (r <= rs) { dw = 0; return 1; }
        if (r >= rc) { dw = 0; return 0; }
        var u = (r - rs) / (rc - rs);
        dw = -30 * u * u * (1 - u) * (1 - u) / (rc - rs);
        return u * u * u * (-6 * u * u + 15 * u - 10) + 1;
    }

    private const double GeluC = 0.7978845608028654;

    /// <summary>DeePMD-kit's se_r scale of the averaged embedding (SeE2RSpec.ResultRescale).</summary>
    private const double RadialRescale = 1.0 / 5.0;

    private static double Sigmoid(double z) => z >= 0 ? 1 / (1 + XMath.Exp(-z)) : XMath.Exp(z) / (1 + XMath.Exp(z));

    /// <summary>φ(z) for <see cref="Models.Networks.ActivationKind"/> values (silut is not supported).</summary>
    private static double Activate(int kind, double z)
    {
        switch (kind)
        {
            case 1: return XMath.Tanh(z);
            case 2: return z > 0 ? z : 0;
            case 3: return z < 0 ? 0 : z > 6 ? 6 : z;
            case 4: return XMath.Max(z, 0.0) + XMath.Log(1 + XMath.Exp(-XMath.Abs(z)));
            case 5: return Sigmoid(z);
            case 6: return z * Sigmoid(z);
            case 7: return 0.5 * z * (1 + XMath.Tanh(GeluC * (z + 0.044715 * z * z * z)));
            default: return z;
        }
    }

    /// <summary>dφ/dz given z and y = φ(z).</summary>
    private static double Derivative(int kind, double z, double y)
    {
        switch (kind)
        {
            case 1: return 1 - y * y;
            case 2: return z > 0 ? 1 : 0;
            case 3: return z > 0 && z < 6 ? 1 : 0;
            case 4: return Sigmoid(z);
            case 5: return y * (1 - y);
            case 6:
            {
                var s = Sigmoid(z);
                return s + z * s * (1 - s);
            }
            case 7:
            {
                var t = XMath.Tanh(GeluC * (z + 0.044715 * z * z * z));
                return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * GeluC * (1 + 3 * 0.044715 * z * z);
            }
            default: return 1;
        }
    }
}
