namespace DeepMD.Sharp.Models.Evaluation;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Models.Descriptors;
using DeepMD.Sharp.Models.Networks;
using static Tape;

/// <summary>
/// Reference (oracle) code of the DPA-2 descriptor over a whole frame, following DeePMD-kit's NumPy implementation
/// (<c>deepmd/dpmodel/descriptor/dpa2.py</c>, <c>repformers.py</c>, the se_atten and se_t_tebd blocks) operation by
/// operation, on a <see cref="Tape"/> so that the backward pass (∂E/∂d of every list entry, hence forces and virials)
/// is exact by construction. Padding conventions are DeePMD-kit's, including the ones that only matter with non-zero
/// davg: a padded slot's environment row is −davg/dstd and its neighbor type is the type of atom 0.
/// </summary>
/// <remarks>
/// The repformer layers read g1 of each neighbor: the neighbor entries must name local atoms (a list built from a box,
/// where periodic images name their owner). Lists over ghost atoms (LAMMPS ranks) are refused with a clear error:
/// DeePMD-kit exchanges g1 of the ghosts between layers, which this code does not do.
/// </remarks>
internal sealed class Dpa2Reference : IFrameReferenceDescriptor
{
    private readonly Dpa2Spec _spec;

    public Dpa2Reference(Dpa2Spec spec) => _spec = spec;

    private sealed class State
    {
        public required Tape Tape;
        public required Var D;
        public required Var Output;
    }

    /// <summary>Which slots of a block hold which list entry (−1: none), and which are excluded type pairs.</summary>
    private readonly record struct Block(int Nsel, int[] Entry, bool[] Excluded);

    public object Forward(int[] types, NeighborList nl, NeighborSlot[][] slots, double[] descriptors, ParallelOptions parallel) =>
        Forward(types, nl, slots, descriptors, new EvaluationOptions(), parallel);

    public object Forward(int[] types, NeighborList nl, NeighborSlot[][] slots, double[] descriptors, EvaluationOptions options) =>
        Forward(types, nl, slots, descriptors, options, options.ParallelOptions());

    private object Forward(int[] types, NeighborList nl, NeighborSlot[][] slots, double[] descriptors, EvaluationOptions options, ParallelOptions parallel)
    {
        var s = _spec;
        var nloc = nl.CenterCount;
        var tape = new Tape { Parallel = parallel };
        var entries = nl.EntryCount;
        var dv = new double[entries * 3];
        for (var e = 0; e < entries; e++)
        {
            dv[3 * e] = nl.Dx[e];
            dv[3 * e + 1] = nl.Dy[e];
            dv[3 * e + 2] = nl.Dz[e];
        }
        var d = tape.Input(dv);
        var tebd = s.TypeEmbedding;
        var t = tebd.Dim;

        var repinitBlock = SubBlock(types, nl, slots, s.Repinit.Rcut, s.Repinit.Nsel, options);
        var g1 = Repinit(tape, d, types, nl, repinitBlock);
        if (s.ThreeBody is { } tb)
        {
            var block = SubBlock(types, nl, slots, tb.Rcut, tb.Nsel, options);
            var g3 = ThreeBody(tape, d, types, nl, block, tb);
            var w1 = s.Repinit.Neuron[^1] * s.Repinit.AxisNeuron;
            g1 = tape.Concat(nloc, (g1, w1), (g3, tb.Neuron[^1]));
        }
        if (s.G1ShapeTransform is { } shape) g1 = tape.Net(g1, nloc, shape);
        if (s.TebdTransform is { } tt) g1 = tape.Add(g1, tape.Net(Const(CenterTebd(types, nloc)), nloc, tt));

        var fblock = SubBlock(types, nl, slots, s.Repformer.Rcut, s.Repformer.Nsel, options);
        for (var q = 0; q < fblock.Entry.Length; q++)
        {
            var e = fblock.Entry[q];
            if (e >= 0 && nl.Owner[e] >= nloc)
                throw new UserInputException(
                    $"atom {q / fblock.Nsel + 1} has a neighbor that is a ghost atom (index {nl.Owner[e] + 1}, beyond the {nloc} local atoms): "
                    + "DPA-2's repformer layers pass messages between neighbors, which needs each neighbor's features; evaluate it on a "
                    + "periodic box (neighbor list built from the cell) rather than on a list over ghost atoms");
        }
        g1 = Repformers(tape, d, types, nl, fblock, g1);

        var ds = s.OutputSize;
        var g1d = s.Repformer.G1Dim;
        var output = s.ConcatOutputTebd ? tape.Concat(nloc, (g1, g1d), (Const(CenterTebd(types, nloc)), t)) : g1;
        Array.Copy(output.V, descriptors, nloc * ds);
        return new State { Tape = tape, D = d, Output = output };
    }

    public void Backward(int[] types, NeighborList nl, NeighborSlot[][] slots, object state, double[] descriptorGrad,
        double[] gx, double[] gy, double[] gz, ParallelOptions parallel)
    {
        var st = (State)state;
        st.Tape.Backward(st.Output, descriptorGrad.AsSpan(0, st.Output.Length));
        if (st.D.G is not { } g) return;
        for (var e = 0; e < nl.EntryCount; e++)
        {
            gx[e] += g[3 * e];
            gy[e] += g[3 * e + 1];
            gz[e] += g[3 * e + 2];
        }
    }

    /// <summary>
    /// DeePMD-kit's per-atom virial minus the pair form. With H_e = Σ_i ∂e_i/∂d_e ⊗ (x_c − x_i) for entry e of center c
    /// (x the wrapped positions), DeePMD-kit's w_o is the pair form − Σ_{e naming o} H_e + Σ_{e of center o} H_e. The sum
    /// over i weighted by positions is three more backward passes, seeded with x_i,b · ∂e_i/∂descriptor_i.
    /// </summary>
    public double[]? AtomVirialCorrection(int[] types, NeighborList nl, object state, double[] descriptorGrad,
        double[] gx, double[] gy, double[] gz, EvaluationOptions options)
    {
        var st = (State)state;
        return MessagePassingVirial.AtomVirialCorrection(st.Tape, st.D, st.Output, _spec.OutputSize, types, nl, descriptorGrad, gx, gy, gz, options);
    }

    /// <summary>The type embedding of every local center, [nloc, tebd_dim].</summary>
    private double[] CenterTebd(int[] types, int nloc)
    {
        var t = _spec.TypeEmbedding.Dim;
        var v = new double[nloc * t];
        for (var i = 0; i < nloc; i++) _spec.TypeEmbedding.Row(types[i]).CopyTo(v.AsSpan(i * t, t));
        return v;
    }

    /// <summary>
    /// The slots of a block with cutoff <paramref name="rcut"/> and <paramref name="nsel"/> slots: the first nsel model slots
    /// with their entries beyond rcut cleared (DeePMD-kit's build_multiple_neighbor_list), so the nearest ones. More
    /// neighbors within rcut than nsel is the sel-overflow error unless the policy keeps DeePMD-kit's truncation.
    /// </summary>
    private Block SubBlock(int[] types, NeighborList nl, NeighborSlot[][] slots, double rcut, int nsel, EvaluationOptions options)
    {
        var nloc = nl.CenterCount;
        var entry = new int[nloc * nsel];
        var excluded = new bool[nloc * nsel];
        Array.Fill(entry, -1);
        for (var i = 0; i < nloc; i++)
        {
            var row = slots[i];
            if (options.SelOverflow == SelOverflowPolicy.Error && nsel < _spec.SlotCount)
            {
                var count = 0;
                for (var e = nl.Offsets[i]; e < nl.Offsets[i + 1]; e++)
                {
                    var r = Math.Sqrt(nl.Dx[e] * nl.Dx[e] + nl.Dy[e] * nl.Dy[e] + nl.Dz[e] * nl.Dz[e]);
                    if (r <= rcut) count++;
                }
                if (count > nsel)
                {
                    var label = options.AtomLabels is { } l && i < l.Count ? $"{i + 1} ({l[i]})" : $"{i + 1}";
                    throw new UserInputException(
                        $"atom {label} has {count} neighbors within {rcut} Å, but the model's DPA-2 block with that cutoff keeps {nsel} "
                        + "(the nearest, whatever their type). DeePMD-kit would silently drop the farthest ones and energy would not be "
                        + "conserved. Use a model with a larger sel, check the structure's density, or pass --allow-sel-truncation to "
                        + "reproduce DeePMD-kit's truncation.");
                }
            }
            for (var k = 0; k < Math.Min(nsel, row.Length); k++)
            {
                var sl = row[k];
                if (sl.Entry < 0 || sl.R > rcut) continue;
                entry[i * nsel + k] = sl.Entry;
                excluded[i * nsel + k] = _spec.IsExcluded(types[i], types[nl.Owner[sl.Entry]]);
            }
        }
        return new Block(nsel, entry, excluded);
    }

    /// <summary>
    /// The normalised environment matrix of a block, [nloc, nsel, 4], and the switch sw [nloc, nsel]. Padding rows are
    /// −davg/dstd; excluded pairs are zero rows (<paramref name="excludedAsPadding"/>: padding rows, as in the repformer
    /// block, which clears them from the list before the environment matrix); sw is zero on both.
    /// </summary>
    private (Var Rr, Var Sw) EnvMat(Tape tape, Var d, int[] types, int nloc, Block b, double rcut, double rcs, double[] davg, double[] dstd, bool excludedAsPadding)
    {
        var nsel = b.Nsel;
        var p = _spec.EnvProtection;
        var rr = new double[nloc * nsel * 4];
        var sw = new double[nloc * nsel];
        // Per slot: ∂rr[c]/∂d[l] (already divided by dstd) and ∂sw/∂d[l].
        var jac = new double[nloc * nsel * 12];
        var jsw = new double[nloc * nsel * 3];
        for (var i = 0; i < nloc; i++)
            for (var k = 0; k < nsel; k++)
            {
                var q = i * nsel + k;
                var st = (types[i] * nsel + k) * 4;
                var e = b.Entry[q];
                if (e < 0 || (b.Excluded[q] && excludedAsPadding))
                {
                    for (var c = 0; c < 4; c++) rr[q * 4 + c] = -davg[st + c] / dstd[st + c];
                    continue;
                }
                if (b.Excluded[q]) continue; // zero row, zero switch
                double x = d.V[3 * e], y = d.V[3 * e + 1], z = d.V[3 * e + 2];
                var r = Math.Sqrt(x * x + y * y + z * z);
                var (w, dw) = ReferenceEvaluator.Switch(r, rcs, rcut);
                var rp = r + p;
                double[] v = [x, y, z];
                var env0 = w / rp;
                rr[q * 4] = (env0 - davg[st]) / dstd[st];
                var d0 = (dw / rp - w / (rp * rp)) / r;
                for (var l = 0; l < 3; l++) jac[q * 12 + l] = d0 * v[l] / dstd[st];
                var a = (dw / (rp * rp) - 2 * w / (rp * rp * rp)) / r;
                for (var c = 0; c < 3; c++)
                {
                    rr[q * 4 + 1 + c] = (w * v[c] / (rp * rp) - davg[st + 1 + c]) / dstd[st + 1 + c];
                    for (var l = 0; l < 3; l++)
                        jac[q * 12 + (1 + c) * 3 + l] = ((c == l ? w / (rp * rp) : 0) + v[c] * a * v[l]) / dstd[st + 1 + c];
                }
                sw[q] = w;
                for (var l = 0; l < 3; l++) jsw[q * 3 + l] = dw * v[l] / r;
            }
        var rrVar = tape.Custom(rr, g =>
        {
            for (var q = 0; q < nloc * nsel; q++)
            {
                var e = b.Entry[q];
                if (e < 0 || b.Excluded[q]) continue;
                for (var c = 0; c < 4; c++)
                {
                    var gc = g[q * 4 + c];
                    if (gc == 0) continue;
                    for (var l = 0; l < 3; l++) d.G![3 * e + l] += gc * jac[q * 12 + c * 3 + l];
                }
            }
        }, d);
        var swVar = tape.Custom(sw, g =>
        {
            for (var q = 0; q < nloc * nsel; q++)
            {
                var e = b.Entry[q];
                if (e < 0 || b.Excluded[q] || g[q] == 0) continue;
                for (var l = 0; l < 3; l++) d.G![3 * e + l] += g[q] * jsw[q * 3 + l];
            }
        }, d);
        return (rrVar, swVar);
    }

    /// <summary>The type of the atom in each slot; DeePMD-kit gathers atom 0 for empty slots.</summary>
    private static int[] SlotTypes(int[] types, NeighborList nl, Block b) =>
        b.Entry.Select((e, q) => e >= 0 && !b.Excluded[q] ? types[nl.Owner[e]] : types[0]).ToArray();

    /// <summary>repinit: se_atten without attention → [nloc, neuron[-1]·axis_neuron].</summary>
    private Var Repinit(Tape tape, Var d, int[] types, NeighborList nl, Block b)
    {
        var s = _spec;
        var ri = s.Repinit;
        var nloc = nl.CenterCount;
        var nnei = b.Nsel;
        var rows = nloc * nnei;
        var ng = ri.Neuron[^1];
        var t = s.TypeEmbedding.Dim;
        var tebd = s.TypeEmbedding;
        var (rr, sw) = EnvMat(tape, d, types, nloc, b, ri.Rcut, ri.RcutSmooth, ri.Davg, ri.Dstd, excludedAsPadding: false);
        var ss = tape.Slice(rr, rows, 4, 1, 0, 1);
        var nbType = SlotTypes(types, nl, b);
        Var gg;
        if (!ri.Strip)
        {
            var sides = ri.TypeOneSide ? 1 : 2;
            var tv = new double[rows * sides * t];
            for (var q = 0; q < rows; q++)
            {
                tebd.Row(nbType[q]).CopyTo(tv.AsSpan(q * sides * t, t));
                if (!ri.TypeOneSide) tebd.Row(types[q / nnei]).CopyTo(tv.AsSpan(q * sides * t + t, t));
            }
            gg = tape.Net(tape.Concat(rows, (ss, 1), (Const(tv), sides * t)), rows, ri.Net);
        }
        else
        {
            var gs = tape.Net(ss, rows, ri.Net);
            var table = _spec.StripTable(ri.StripNet!, ri.TypeOneSide);
            var ntp = tebd.RowCount;
            var gt = new double[rows * ng];
            for (var q = 0; q < rows; q++)
            {
                var row = ri.TypeOneSide ? nbType[q] : types[q / nnei] * ntp + nbType[q];
                Array.Copy(table, row * ng, gt, q * ng, ng);
            }
            var gtv = Const(gt);
            if (s.Smooth) gtv = tape.Mul(gtv, sw, rows, 1, ng, bHasB: false, bHasC: false);
            gg = tape.Add(tape.Mul(gs, gtv), gs);
        }
        // gr = Σ_j ggᵀ ⊗ rr / nnei: [nloc, ng, 4]
        var gr = tape.Affine(tape.MatMul(gg, rr, nloc, ng, nnei, 4, ta: true), 1.0 / nnei);
        var gr1 = tape.Slice(gr, nloc, ng, 4, 0, ri.AxisNeuron);
        return tape.MatMul(gr, gr1, nloc, ng, 4, ri.AxisNeuron, tb: true);
    }

    /// <summary>The three-body block (se_t_tebd): embedding of r̂_j·r̂_k with both neighbors' types → [nloc, neuron[-1]].</summary>
    private Var ThreeBody(Tape tape, Var d, int[] types, NeighborList nl, Block b, Dpa2ThreeBody tb)
    {
        var s = _spec;
        var nloc = nl.CenterCount;
        var n = b.Nsel;
        var ng = tb.Neuron[^1];
        var t = s.TypeEmbedding.Dim;
        var tebd = s.TypeEmbedding;
        var (rr, sw) = EnvMat(tape, d, types, nloc, b, tb.Rcut, tb.RcutSmooth, tb.Davg, tb.Dstd, excludedAsPadding: false);
        var v = tape.Slice(rr, nloc * n, 4, 1, 1, 3);
        var env = tape.MatMul(v, v, nloc, n, 3, n, tb: true); // [nloc, n, n]
        var rows = nloc * n * n;
        var nbType = SlotTypes(types, nl, b);
        Var gg;
        if (!s.Repinit.Strip)
        {
            var tv = new double[rows * 2 * t];
            for (var i = 0; i < nloc; i++)
                for (var j = 0; j < n; j++)
                    for (var k = 0; k < n; k++)
                    {
                        var q = (i * n + j) * n + k;
                        tebd.Row(nbType[i * n + j]).CopyTo(tv.AsSpan(q * 2 * t, t));
                        tebd.Row(nbType[i * n + k]).CopyTo(tv.AsSpan(q * 2 * t + t, t));
                    }
            gg = tape.Net(tape.Concat(rows, (env, 1), (Const(tv), 2 * t)), rows, tb.Net);
        }
        else
        {
            var gs = tape.Net(env, rows, tb.Net);
            var table = _spec.StripTable(tb.StripNet!, oneSide: false, centerFirst: true);
            var ntp = tebd.RowCount;
            var gt = new double[rows * ng];
            for (var i = 0; i < nloc; i++)
                for (var j = 0; j < n; j++)
                    for (var k = 0; k < n; k++)
                        Array.Copy(table, (nbType[i * n + j] * ntp + nbType[i * n + k]) * ng, gt, ((i * n + j) * n + k) * ng, ng);
            var gtv = Const(gt);
            if (s.Smooth)
            {
                var swsw = tape.MatMul(sw, sw, nloc, n, 1, n); // [nloc, n, n]
                gtv = tape.Mul(gtv, swsw, rows, 1, ng, bHasB: false, bHasC: false);
            }
            gg = tape.Add(tape.Mul(gs, gtv), gs);
        }
        var res = tape.MatMul(env, gg, nloc, 1, n * n, ng); // [nloc, 1, ng]
        return tape.Affine(res, 1.0 / n / n);
    }

    /// <summary>The repformer block: g1 [nloc, g1_dim] in, g1 after all layers out.</summary>
    private Var Repformers(Tape tape, Var d, int[] types, NeighborList nl, Block b, Var g1In)
    {
        var f = _spec.Repformer;
        var nloc = nl.CenterCount;
        var nnei = b.Nsel;
        var rows = nloc * nnei;
        var (rr, sw) = EnvMat(tape, d, types, nloc, b, f.Rcut, f.RcutSmooth, f.Davg, f.Dstd, excludedAsPadding: true);
        var mask = new double[rows];
        var owner = new int[rows];
        for (var q = 0; q < rows; q++)
        {
            var real = b.Entry[q] >= 0 && !b.Excluded[q];
            mask[q] = real ? 1 : 0;
            owner[q] = real ? nl.Owner[b.Entry[q]] : 0; // DeePMD-kit gathers atom 0 for empty slots
        }
        var g1 = tape.Act(g1In, f.Activation);
        Var g2, h2;
        if (!f.DirectDist)
        {
            g2 = tape.Slice(rr, rows, 4, 1, 0, 1);
            h2 = tape.Slice(rr, rows, 4, 1, 1, 3);
        }
        else
        {
            var idx = new int[rows];
            for (var q = 0; q < rows; q++) idx[q] = mask[q] != 0 ? b.Entry[q] : -1;
            var diff = tape.Gather(d, 3, idx);
            g2 = tape.Affine(tape.Norm3(diff, rows), 1 / f.Rcut);
            h2 = tape.Affine(diff, 1 / f.Rcut);
        }
        g2 = tape.Act(tape.Net(g2, rows, f.G2Embedding), f.Activation);
        foreach (var layer in f.Layers)
            (g1, g2, h2) = Layer(tape, layer, nloc, nnei, g1, g2, h2, owner, mask, sw);
        return g1;
    }

    private (Var G1, Var G2, Var H2) Layer(Tape tape, Dpa2Layer l, int nloc, int nnei, Var g1, Var g2, Var h2, int[] owner, double[] mask, Var sw)
    {
        var f = _spec.Repformer;
        int g1d = f.G1Dim, g2d = f.G2Dim, rows = nloc * nnei;
        var act = l.Activation;
        var maskV = Const(mask);
        var gg1 = l.G1Drrd || l.G1Conv || l.G1Attn || l.G2G1G1 ? tape.Gather(g1, g1d, owner) : null;

        var g2Update = new List<Var> { g2 };
        var h2Update = new List<Var> { h2 };
        var g1Update = new List<Var> { g1 };
        var g1Mlp = new List<(Var, int)>();
        if (!l.G1OutMlp) g1Mlp.Add((g1, g1d));
        if (l.G1OutMlp) g1Update.Add(tape.Act(tape.Net(g1, nloc, l.G1SelfMlp!), act));

        if (l.UpdateChannel2)
        {
            g2Update.Add(tape.Act(tape.Net(g2, rows, l.Linear2!), act));
            if (l.G2G1G1)
            {
                var ret = tape.Mul(gg1!, g1, nloc, nnei, g1d, bHasB: false);
                ret = MaskSwitch(tape, ret, rows, g1d, maskV, l.Smooth ? sw : null);
                g2Update.Add(tape.Net(ret, rows, l.ProjG1G1G2!));
            }
            if (l.G2Attn || l.UpdateH2)
            {
                var aa = Atten2Map(tape, l, nloc, nnei, g2, h2, mask, sw); // [nloc, nh, nnei, nnei]
                if (l.G2Attn)
                {
                    var g22 = Atten2MultiHead(tape, l, nloc, nnei, aa, g2);
                    g2Update.Add(tape.LayerNormRows(g22, rows, l.Attn2Norm!));
                }
                if (l.UpdateH2) h2Update.Add(Atten2EquiVar(tape, l, nloc, nnei, aa, h2));
            }
        }

        if (l.G1Conv)
        {
            var conv = Conv(tape, l, nloc, nnei, gg1!, g2, maskV, mask, sw);
            if (!l.G1OutConv) g1Mlp.Add((conv, g2d));
            else g1Update.Add(conv);
        }
        if (l.G1Grrg) g1Mlp.Add((Symmetrization(tape, l, nloc, nnei, g2, g2d, h2, maskV, mask, sw), g2d * f.AxisNeuron));
        if (l.G1Drrd) g1Mlp.Add((Symmetrization(tape, l, nloc, nnei, gg1!, g1d, h2, maskV, mask, sw), g1d * f.AxisNeuron));
        g1Update.Add(tape.Act(tape.Net(tape.Concat(nloc, g1Mlp.ToArray()), nloc, l.Linear1), act));
        if (l.G1Attn) g1Update.Add(LocalAttention(tape, l, nloc, nnei, g1, gg1!, mask, sw));

        Var g2New = g2, h2New = h2;
        if (l.UpdateChannel2)
        {
            g2New = Combine(tape, l, g2Update, l.G2Residual);
            h2New = Combine(tape, l, h2Update, l.H2Residual);
        }
        return (Combine(tape, l, g1Update, l.G1Residual), g2New, h2New);
    }

    /// <summary>The update rule: res_avg, res_incr or res_residual.</summary>
    private static Var Combine(Tape tape, Dpa2Layer l, List<Var> items, double[][] residual)
    {
        var n = items.Count;
        var u = items[0];
        switch (l.UpdateStyle)
        {
            case "res_avg":
                for (var k = 1; k < n; k++) u = tape.Add(u, items[k]);
                return tape.Affine(u, 1 / Math.Sqrt(n));
            case "res_incr":
                var scale = n > 1 ? 1 / Math.Sqrt(n - 1) : 0;
                for (var k = 1; k < n; k++) u = tape.Add(u, tape.Affine(items[k], scale));
                return u;
            default:
                for (var k = 0; k < residual.Length; k++) u = tape.Add(u, tape.MulRow(items[k + 1], residual[k]));
                return u;
        }
    }

    /// <summary>[rows, dim] rows zeroed where the slot is empty, times sw when smooth.</summary>
    private static Var MaskSwitch(Tape tape, Var x, int rows, int dim, Var mask, Var? sw)
    {
        x = tape.Mul(x, mask, rows, 1, dim, bHasB: false, bHasC: false);
        return sw is null ? x : tape.Mul(x, sw, rows, 1, dim, bHasB: false, bHasC: false);
    }

    /// <summary>1/(ε + n) or 1/(ε + √n) per center, n the real neighbors (the non-smooth normalisation).</summary>
    private static double[] InvNneiPerCenter(double[] mask, int nloc, int nnei, bool sqrt)
    {
        var inv = new double[nloc];
        for (var i = 0; i < nloc; i++)
        {
            double n = 0;
            for (var k = 0; k < nnei; k++) n += mask[i * nnei + k];
            inv[i] = 1 / (Dpa2Layer.Epsilon + (sqrt ? Math.Sqrt(n) : n));
        }
        return inv;
    }

    private Var Conv(Tape tape, Dpa2Layer l, int nloc, int nnei, Var gg1, Var g2, Var maskV, double[] mask, Var sw)
    {
        var f = _spec.Repformer;
        int rows = nloc * nnei, g1d = f.G1Dim, g2d = f.G2Dim;
        var width = l.G1OutConv ? g1d : g2d;
        var x = l.G1OutConv ? gg1 : tape.Net(gg1, rows, l.ProjG1G2!);
        x = MaskSwitch(tape, x, rows, width, maskV, l.Smooth ? sw : null);
        var other = l.G1OutConv ? tape.Net(g2, rows, l.ProjG1G2!) : g2;
        var sum = tape.SumMid(tape.Mul(other, x), nloc, nnei, width);
        if (l.Smooth) return tape.Affine(sum, 1.0 / nnei);
        return tape.Mul(sum, Const(InvNneiPerCenter(mask, nloc, nnei, sqrt: false)), nloc, 1, width, bHasB: false, bHasC: false);
    }

    /// <summary>symmetrization_op: hg = hᵀ g / norm ([nloc, 3, ng]), then hg[:, :, :axis]ᵀ hg / 3 → [nloc, axis·ng].</summary>
    private Var Symmetrization(Tape tape, Dpa2Layer l, int nloc, int nnei, Var g, int ng, Var h, Var maskV, double[] mask, Var sw)
    {
        var axis = _spec.Repformer.AxisNeuron;
        var rows = nloc * nnei;
        g = MaskSwitch(tape, g, rows, ng, maskV, l.Smooth ? sw : null);
        var hg = tape.MatMul(h, g, nloc, 3, nnei, ng, ta: true); // [nloc, 3, ng]
        if (l.Smooth) hg = tape.Affine(hg, 1 / (l.UseSqrtNnei ? Math.Sqrt(nnei) : nnei));
        else hg = tape.Mul(hg, Const(InvNneiPerCenter(mask, nloc, nnei, l.UseSqrtNnei)), nloc, 1, 3 * ng, bHasB: false, bHasC: false);
        var hgm = tape.Slice(hg, nloc * 3, ng, 1, 0, axis); // [nloc, 3, axis]
        return tape.Affine(tape.MatMul(hgm, hg, nloc, axis, 3, ng, ta: true), 1.0 / 3.0);
    }

    /// <summary>The outer product sw_j sw_k per center, [nloc, nnei, nnei].</summary>
    private static Var SwOuter(Tape tape, Var sw, int nloc, int nnei) => tape.MatMul(sw, sw, nloc, nnei, 1, nnei);

    /// <summary>Atten2Map: gated multi-head attention weights over neighbor pairs, [nloc, nh, nnei, nnei].</summary>
    private static Var Atten2Map(Tape tape, Dpa2Layer l, int nloc, int nnei, Var g2, Var h2, double[] mask, Var sw)
    {
        int nd = l.Attn2Hidden, nh = l.Attn2Heads, rows = nloc * nnei;
        var qk = tape.Net(g2, rows, l.Attn2MapQk!); // [nloc, nnei, nd, 2nh]
        qk = tape.Permute(qk, [nloc, nnei, nd, 2 * nh], [0, 3, 1, 2]); // [nloc, 2nh, nnei, nd]
        var q = tape.Slice(qk, nloc, 2 * nh, nnei * nd, 0, nh);
        var k = tape.Slice(qk, nloc, 2 * nh, nnei * nd, nh, nh);
        var w = tape.Affine(tape.MatMul(q, k, nloc * nh, nnei, nd, nnei, tb: true), 1 / Math.Sqrt(nd)); // [nloc, nh, nnei, nnei]
        var hh = tape.MatMul(h2, h2, nloc, nnei, 3, nnei, tb: true); // [nloc, nnei, nnei]
        if (l.Attn2Gate) w = tape.Mul(w, hh, nloc, nh, nnei * nnei, bHasB: false);
        var pairMask = PairMask(mask, nloc, nnei);
        Var? swsw = l.Smooth ? SwOuter(tape, sw, nloc, nnei) : null;
        bool[]? minusInf = null;
        if (swsw is not null) w = tape.Affine(tape.Mul(tape.Affine(w, 1, l.Attn2Shift), swsw, nloc, nh, nnei * nnei, bHasB: false), 1, -l.Attn2Shift);
        else minusInf = KeyPadding(mask, nloc, nh, nnei, nnei);
        w = tape.Softmax(w, nloc * nh * nnei, nnei, minusInf);
        w = tape.Mul(w, Const(pairMask), nloc, nh, nnei * nnei, bHasB: false);
        if (swsw is not null) w = tape.Mul(w, swsw, nloc, nh, nnei * nnei, bHasB: false);
        var hh3 = tape.Affine(hh, 1 / Math.Sqrt(3));
        return tape.Mul(w, hh3, nloc, nh, nnei * nnei, bHasB: false);
    }

    /// <summary>1 where both slots j, k of a center are real, [nloc, nnei, nnei].</summary>
    private static double[] PairMask(double[] mask, int nloc, int nnei)
    {
        var m = new double[nloc * nnei * nnei];
        for (var i = 0; i < nloc; i++)
            for (var j = 0; j < nnei; j++)
                for (var k = 0; k < nnei; k++)
                    m[(i * nnei + j) * nnei + k] = mask[i * nnei + j] * mask[i * nnei + k];
        return m;
    }

    /// <summary>For [nloc, nh, queries, nnei] logits: which keys are padding (−∞ before the softmax when not smooth).</summary>
    private static bool[] KeyPadding(double[] mask, int nloc, int nh, int queries, int nnei)
    {
        var m = new bool[nloc * nh * queries * nnei];
        for (var i = 0; i < nloc; i++)
            for (var h = 0; h < nh; h++)
                for (var a = 0; a < queries; a++)
                    for (var k = 0; k < nnei; k++)
                        m[((i * nh + h) * queries + a) * nnei + k] = mask[i * nnei + k] == 0;
        return m;
    }

    /// <summary>Atten2MultiHeadApply: the heads' weights on mapv(g2), concatenated, through head_map → [nloc·nnei, g2].</summary>
    private Var Atten2MultiHead(Tape tape, Dpa2Layer l, int nloc, int nnei, Var aa, Var g2)
    {
        int nh = l.Attn2Heads, g2d = _spec.Repformer.G2Dim, rows = nloc * nnei;
        var v = tape.Net(g2, rows, l.Attn2MapV!); // [nloc, nnei, g2, nh]
        v = tape.Permute(v, [nloc, nnei, g2d, nh], [0, 3, 1, 2]); // [nloc, nh, nnei, g2]
        var ret = tape.MatMul(aa, v, nloc * nh, nnei, nnei, g2d); // [nloc, nh, nnei, g2]
        ret = tape.Permute(ret, [nloc, nh, nnei, g2d], [0, 2, 3, 1]); // [nloc, nnei, g2, nh]
        return tape.Net(ret, rows, l.Attn2HeadMap!);
    }

    /// <summary>Atten2EquiVarApply: the heads' weights on h2, mixed by head_map → [nloc·nnei, 3].</summary>
    private static Var Atten2EquiVar(Tape tape, Dpa2Layer l, int nloc, int nnei, Var aa, Var h2)
    {
        var nh = l.Attn2Heads;
        var idx = new int[nloc * nh * nnei];
        for (var i = 0; i < nloc; i++)
            for (var h = 0; h < nh; h++)
                for (var j = 0; j < nnei; j++) idx[(i * nh + h) * nnei + j] = i * nnei + j;
        var h2m = tape.Gather(h2, 3, idx); // [nloc, nh, nnei, 3]
        var ret = tape.MatMul(aa, h2m, nloc * nh, nnei, nnei, 3); // [nloc, nh, nnei, 3]
        ret = tape.Permute(ret, [nloc, nh, nnei, 3], [0, 2, 3, 1]); // [nloc, nnei, 3, nh]
        return tape.Net(ret, nloc * nnei * 3, l.Attn2EvHeadMap!);
    }

    /// <summary>LocalAtten: multi-head attention of g1 over its neighbors' g1 → [nloc, g1].</summary>
    private Var LocalAttention(Tape tape, Dpa2Layer l, int nloc, int nnei, Var g1, Var gg1, double[] mask, Var sw)
    {
        int nd = l.Attn1Hidden, nh = l.Attn1Heads, ni = _spec.Repformer.G1Dim, rows = nloc * nnei;
        var q = tape.Net(g1, nloc, l.LocMapQ!); // [nloc, nd, nh]
        q = tape.Permute(q, [nloc, nd, nh], [0, 2, 1]); // [nloc, nh, nd]
        var kv = tape.Net(gg1, rows, l.LocMapKv!); // [nloc, nnei, nd+ni, nh]
        kv = tape.Permute(kv, [nloc, nnei, nd + ni, nh], [0, 3, 1, 2]); // [nloc, nh, nnei, nd+ni]
        var k = tape.Slice(kv, nloc * nh * nnei, nd + ni, 1, 0, nd);
        var v = tape.Slice(kv, nloc * nh * nnei, nd + ni, 1, nd, ni);
        var w = tape.Affine(tape.MatMul(q, k, nloc * nh, 1, nd, nnei, tb: true), 1 / Math.Sqrt(nd)); // [nloc, nh, nnei]
        bool[]? minusInf = null;
        if (l.Smooth) w = tape.Affine(tape.Mul(tape.Affine(w, 1, l.Attn1Shift), sw, nloc, nh, nnei, bHasB: false), 1, -l.Attn1Shift);
        else minusInf = KeyPadding(mask, nloc, nh, 1, nnei);
        w = tape.Softmax(w, nloc * nh, nnei, minusInf);
        w = tape.Mul(w, Const(mask), nloc, nh, nnei, bHasB: false);
        if (l.Smooth) w = tape.Mul(w, sw, nloc, nh, nnei, bHasB: false);
        var ret = tape.MatMul(w, v, nloc * nh, 1, nnei, ni); // [nloc, nh, ni]
        return tape.Net(ret, nloc, l.LocHeadMap!);
    }
}
