namespace DeepMD.Sharp.Models.Evaluation;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Models.Descriptors;
using DeepMD.Sharp.Models.Networks;
using static Tape;

/// <summary>
/// Reference (oracle) code of the DPA-3 descriptor over a whole frame, following the mathematics of DeePMD-kit's NumPy
/// implementation (<c>deepmd/dpmodel/descriptor/dpa3.py</c>, <c>repflows.py</c>) on a <see cref="Tape"/>, so that ∂E/∂d
/// of every list entry (forces, virials) is exact by construction.
/// </summary>
/// <remarks>
/// Edges and angles are kept compact: only the real edges (neighbors within e_rcut in the model's slots, descriptor
/// exclusions dropped) and the real angles (pairs of edges within a_rcut in the first a_sel slots, or all of them with
/// dynamic sel). DeePMD-kit's dense code also carries padded slots, but every padded contribution to the node features is
/// multiplied by a zero switch there, so the energy is the same; the normalisations are DeePMD-kit's (e_sel and a_sel,
/// or e_sel/sel_reduce_factor and a_sel/sel_reduce_factor with dynamic sel). Node features of neighbors are read by
/// atom: the list must name local atoms (a list built from a box); lists over ghost atoms are refused.
/// </remarks>
internal sealed class Dpa3Reference : IFrameReferenceDescriptor
{
    private readonly Dpa3Spec _spec;

    public Dpa3Reference(Dpa3Spec spec) => _spec = spec;

    private sealed class State
    {
        public required Tape Tape;
        public required Var D;
        public required Var Output;
    }

    /// <summary>The frame's graph: edges (center, list entry, neighbor atom, slot) and angles (center, edge j, edge k).</summary>
    private sealed class Graph
    {
        public int Edges, Angles;
        public int[] EdgeCenter = [], EdgeEntry = [], EdgeOwner = [], EdgeSlot = [];

        /// <summary>1 for an edge that is not in the angle list (the non-smooth edge update's fallback), else 0.</summary>
        public double[] NotAngleEdge = [];
        public int[] AngleCenter = [], AngleJ = [], AngleK = [];

        /// <summary>The edges in the angle list and, per angle, the position of its j and k edges in that list.</summary>
        public int[] AngleEdges = [], AngleJa = [], AngleKa = [];
    }

    public object Forward(int[] types, NeighborList nl, NeighborSlot[][] slots, double[] descriptors, ParallelOptions parallel) =>
        Forward(types, nl, slots, descriptors, new EvaluationOptions(), parallel);

    public object Forward(int[] types, NeighborList nl, NeighborSlot[][] slots, double[] descriptors, EvaluationOptions options) =>
        Forward(types, nl, slots, descriptors, options, options.ParallelOptions());

    private object Forward(int[] types, NeighborList nl, NeighborSlot[][] slots, double[] descriptors, EvaluationOptions options, ParallelOptions parallel)
    {
        var r = _spec.Repflow;
        var nloc = nl.CenterCount;
        var g = BuildGraph(types, nl, slots, options);
        var tape = new Tape { Parallel = parallel };
        var dv = new double[nl.EntryCount * 3];
        for (var e = 0; e < nl.EntryCount; e++)
        {
            dv[3 * e] = nl.Dx[e];
            dv[3 * e + 1] = nl.Dy[e];
            dv[3 * e + 2] = nl.Dz[e];
        }
        var d = tape.Input(dv);
        int E = g.Edges, A = g.Angles, nd = r.NDim;

        var diff = tape.Gather(d, 3, g.EdgeEntry); // [E, 3]
        var env = EdgeEnv(tape, diff, types, g); // [E, 5]: normalised (1/r, x/r², y/r², z/r²)·sw, sw
        var h2 = tape.Slice(env, E, 5, 1, 1, 3);
        var sw = tape.Slice(env, E, 5, 1, 4, 1);
        var edgeInput = r.EdgeInitUseDist ? tape.Norm3(diff, E) : tape.Slice(env, E, 5, 1, 0, 1);
        var edge = tape.Net(edgeInput, E, r.EdgeEmbedding);
        if (!r.EdgeInitUseDist) edge = tape.Act(edge, r.Activation);

        var angleDiff = tape.Gather(diff, 3, g.AngleEdges); // [NA, 3]
        var (cosine, aswPair) = AngleInputs(tape, angleDiff, g);
        var angle = tape.Net(cosine, A, r.AngleEmbedding); // [A, a_dim]

        var tebd = CenterTebd(types, nloc);
        var node = tape.Act(Const(tebd), r.Activation);

        var eNorm = r.UseDynamicSel ? r.ESel / r.SelReduceFactor : r.ESel;
        var aNorm = r.UseDynamicSel ? r.ASel / r.SelReduceFactor : r.ASel;
        foreach (var layer in r.Layers)
            (node, edge, angle) = r.SequentialUpdate
                ? SequentialLayer(tape, layer, g, nloc, node, edge, angle, h2, sw, aswPair, eNorm, aNorm)
                : ParallelLayer(tape, layer, g, nloc, node, edge, angle, h2, sw, aswPair, eNorm, aNorm);

        var output = _spec.ConcatOutputTebd ? tape.Concat(nloc, (node, nd), (Const(tebd), _spec.TypeEmbedding.Dim)) : node;
        Array.Copy(output.V, descriptors, nloc * _spec.OutputSize);
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

    public double[]? AtomVirialCorrection(int[] types, NeighborList nl, object state, double[] descriptorGrad,
        double[] gx, double[] gy, double[] gz, EvaluationOptions options)
    {
        var st = (State)state;
        return MessagePassingVirial.AtomVirialCorrection(st.Tape, st.D, st.Output, _spec.OutputSize, types, nl, descriptorGrad, gx, gy, gz, options);
    }

    /// <summary>
    /// Edges: the model's slots of each center (the e_sel nearest within e_rcut, or all of them with dynamic sel) less
    /// padding and descriptor-excluded pairs. Angle edges: those within a_rcut among the first a_sel slots (DeePMD-kit's
    /// angle list is the edge list cut to a_sel and masked by a_rcut); more neighbors within a_rcut than a_sel is the
    /// sel-overflow error unless truncation was asked for (with dynamic sel every edge within a_rcut is an angle edge).
    /// </summary>
    private Graph BuildGraph(int[] types, NeighborList nl, NeighborSlot[][] slots, EvaluationOptions options)
    {
        var r = _spec.Repflow;
        var nloc = nl.CenterCount;
        var center = new List<int>();
        var entry = new List<int>();
        var slot = new List<int>();
        var isAngle = new List<bool>();
        var angleEdgesOf = new List<int>[nloc];
        for (var i = 0; i < nloc; i++)
        {
            angleEdgesOf[i] = [];
            if (!r.UseDynamicSel && options.SelOverflow == SelOverflowPolicy.Error)
            {
                var count = 0;
                for (var e = nl.Offsets[i]; e < nl.Offsets[i + 1]; e++)
                    if (Math.Sqrt(nl.Dx[e] * nl.Dx[e] + nl.Dy[e] * nl.Dy[e] + nl.Dz[e] * nl.Dz[e]) < r.ARcut) count++;
                if (count > r.ASel)
                {
                    var label = options.AtomLabels is { } l && i < l.Count ? $"{i + 1} ({l[i]})" : $"{i + 1}";
                    throw new UserInputException(
                        $"atom {label} has {count} neighbors within a_rcut = {r.ARcut} Å, but the DPA-3 model's a_sel is {r.ASel} "
                        + "(its angle list keeps the nearest, whatever their type). DeePMD-kit would silently drop the farthest ones and "
                        + "energy would not be conserved. Use a model with a larger a_sel, check the structure's density, or pass "
                        + "--allow-sel-truncation to reproduce DeePMD-kit's truncation.");
                }
            }
            var row = slots[i];
            for (var k = 0; k < row.Length; k++)
            {
                var sl = row[k];
                if (sl.Entry < 0) continue;
                var o = nl.Owner[sl.Entry];
                if (_spec.IsExcluded(types[i], types[o])) continue;
                if (o >= nloc)
                    throw new UserInputException(
                        $"atom {i + 1} has a neighbor that is a ghost atom (index {o + 1}, beyond the {nloc} local atoms): DPA-3's repflow "
                        + "layers pass messages between neighbors, which needs each neighbor's node features; evaluate it on a periodic box "
                        + "(neighbor list built from the cell) rather than on a list over ghost atoms");
                var angleEdge = (r.UseDynamicSel || k < r.ASel) && sl.R < r.ARcut;
                if (angleEdge) angleEdgesOf[i].Add(center.Count);
                center.Add(i);
                entry.Add(sl.Entry);
                slot.Add(k);
                isAngle.Add(angleEdge);
            }
        }
        var g = new Graph
        {
            Edges = center.Count,
            EdgeCenter = [.. center],
            EdgeEntry = [.. entry],
            EdgeOwner = entry.Select(e => nl.Owner[e]).ToArray(),
            EdgeSlot = [.. slot],
            NotAngleEdge = isAngle.Select(b => b ? 0.0 : 1.0).ToArray(),
        };
        var angleEdges = new List<int>();
        var position = new Dictionary<int, int>();
        for (var i = 0; i < nloc; i++)
            foreach (var e in angleEdgesOf[i])
            {
                position[e] = angleEdges.Count;
                angleEdges.Add(e);
            }
        List<int> ac = [], aj = [], ak = [];
        for (var i = 0; i < nloc; i++)
            foreach (var j in angleEdgesOf[i])
                foreach (var k in angleEdgesOf[i])
                {
                    ac.Add(i);
                    aj.Add(j);
                    ak.Add(k);
                }
        g.Angles = ac.Count;
        g.AngleCenter = [.. ac];
        g.AngleJ = [.. aj];
        g.AngleK = [.. ak];
        g.AngleEdges = [.. angleEdges];
        g.AngleJa = aj.Select(e => position[e]).ToArray();
        g.AngleKa = ak.Select(e => position[e]).ToArray();
        return g;
    }

    /// <summary>The switch of the edge or angle block: DeePMD-kit's quintic one, or its exponential one (use_exp_switch).</summary>
    private (double W, double Dw) Switch(double r, double rs, double rc)
    {
        if (!_spec.Repflow.UseExpSwitch) return ReferenceEvaluator.Switch(r, rs, rc);
        // exp(−exp(20 (r − rs)/rs)) on r clipped to [0, rc]
        if (r >= rc) r = rc;
        var a = 20 / rs;
        var inner = Math.Exp(a * (r - rs));
        var w = Math.Exp(-inner);
        return (w, r >= rc ? 0 : -w * inner * a);
    }

    /// <summary>
    /// Per edge: the environment row (w/(r+p), w·x/(r+p)², …) normalised by the center type's davg/dstd of the edge's slot,
    /// and the edge switch w.
    /// </summary>
    private Var EdgeEnv(Tape tape, Var diff, int[] types, Graph g)
    {
        var r = _spec.Repflow;
        var p = _spec.EnvProtection;
        var E = g.Edges;
        var val = new double[E * 5];
        var jac = new double[E * 15];
        for (var q = 0; q < E; q++)
        {
            double x = diff.V[3 * q], y = diff.V[3 * q + 1], z = diff.V[3 * q + 2];
            double[] v = [x, y, z];
            var len = Math.Sqrt(x * x + y * y + z * z);
            var (w, dw) = Switch(len, r.ERcutSmooth, r.ERcut);
            var st = (types[g.EdgeCenter[q]] * r.ESel + Math.Min(g.EdgeSlot[q], r.ESel - 1)) * 4;
            var rp = len + p;
            val[q * 5] = (w / rp - r.Davg[st]) / r.Dstd[st];
            var d0 = (dw / rp - w / (rp * rp)) / len;
            for (var l = 0; l < 3; l++) jac[q * 15 + l] = d0 * v[l] / r.Dstd[st];
            var a = (dw / (rp * rp) - 2 * w / (rp * rp * rp)) / len;
            for (var c = 0; c < 3; c++)
            {
                val[q * 5 + 1 + c] = (w * v[c] / (rp * rp) - r.Davg[st + 1 + c]) / r.Dstd[st + 1 + c];
                for (var l = 0; l < 3; l++)
                    jac[q * 15 + (1 + c) * 3 + l] = ((c == l ? w / (rp * rp) : 0) + v[c] * a * v[l]) / r.Dstd[st + 1 + c];
            }
            val[q * 5 + 4] = w;
            for (var l = 0; l < 3; l++) jac[q * 15 + 12 + l] = dw * v[l] / len;
        }
        return tape.Custom(val, gr =>
        {
            for (var q = 0; q < E; q++)
                for (var c = 0; c < 5; c++)
                {
                    var gc = gr[q * 5 + c];
                    if (gc == 0) continue;
                    for (var l = 0; l < 3; l++) diff.G![3 * q + l] += gc * jac[q * 15 + c * 3 + l];
                }
        }, diff);
    }

    /// <summary>
    /// Per angle (j, k): the input of the angle embedding, cos θ_jk (1 − 10⁻⁶)/√π with unit vectors d/(|d| + 10⁻⁶), and the
    /// weight a_sw_j·a_sw_k of the angle switch.
    /// </summary>
    private (Var Cosine, Var SwPair) AngleInputs(Tape tape, Var angleDiff, Graph g)
    {
        var r = _spec.Repflow;
        var na = g.AngleEdges.Length;
        var u = new double[na * 3];
        var ju = new double[na * 9]; // ∂u_c/∂d_l
        var asw = new double[na];
        var jsw = new double[na * 3];
        for (var q = 0; q < na; q++)
        {
            double[] v = [angleDiff.V[3 * q], angleDiff.V[3 * q + 1], angleDiff.V[3 * q + 2]];
            var len = Math.Sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
            var den = len + 1e-6;
            for (var c = 0; c < 3; c++)
            {
                u[3 * q + c] = v[c] / den;
                for (var l = 0; l < 3; l++) ju[9 * q + 3 * c + l] = (c == l ? 1 / den : 0) - v[c] * v[l] / (len * den * den);
            }
            var (w, dw) = Switch(len, r.ARcutSmooth, r.ARcut);
            asw[q] = w;
            for (var l = 0; l < 3; l++) jsw[3 * q + l] = dw * v[l] / len;
        }
        var A = g.Angles;
        var scale = (1 - 1e-6) / Math.Sqrt(Math.PI);
        var cos = new double[A];
        var swp = new double[A];
        for (var t = 0; t < A; t++)
        {
            int j = g.AngleJa[t], k = g.AngleKa[t];
            cos[t] = (u[3 * j] * u[3 * k] + u[3 * j + 1] * u[3 * k + 1] + u[3 * j + 2] * u[3 * k + 2]) * (1 - 1e-6) / Math.Sqrt(Math.PI);
            swp[t] = asw[j] * asw[k];
        }
        void AddU(int q, double[] gu)
        {
            for (var l = 0; l < 3; l++)
            {
                double s = 0;
                for (var c = 0; c < 3; c++) s += gu[c] * ju[9 * q + 3 * c + l];
                angleDiff.G![3 * q + l] += s;
            }
        }
        var cosVar = tape.Custom(cos, gr =>
        {
            for (var t = 0; t < A; t++)
            {
                if (gr[t] == 0) continue;
                int j = g.AngleJa[t], k = g.AngleKa[t];
                var s = gr[t] * scale;
                AddU(j, [s * u[3 * k], s * u[3 * k + 1], s * u[3 * k + 2]]);
                AddU(k, [s * u[3 * j], s * u[3 * j + 1], s * u[3 * j + 2]]);
            }
        }, angleDiff);
        var swVar = tape.Custom(swp, gr =>
        {
            for (var t = 0; t < A; t++)
            {
                if (gr[t] == 0) continue;
                int j = g.AngleJa[t], k = g.AngleKa[t];
                for (var l = 0; l < 3; l++)
                {
                    angleDiff.G![3 * j + l] += gr[t] * asw[k] * jsw[3 * j + l];
                    angleDiff.G![3 * k + l] += gr[t] * asw[j] * jsw[3 * k + l];
                }
            }
        }, angleDiff);
        return (cosVar, swVar);
    }

    /// <summary>DeePMD-kit's parallel repflow layer: every update reads the layer's input features.</summary>
    private (Var Node, Var Edge, Var Angle) ParallelLayer(Tape tape, Dpa3Layer l, Graph g, int nloc, Var node, Var edge, Var angle,
        Var h2, Var sw, Var aswPair, double eNorm, double aNorm)
    {
        var r = _spec.Repflow;
        var nei = tape.Gather(node, r.NDim, g.EdgeOwner);
        var nodeUpdates = NodeUpdates(tape, l, g, nloc, node, edge, nei, h2, sw, eNorm);
        var info = EdgeInfo(tape, g, node, nei, edge);
        var edgeSelf = tape.Act(tape.Net(info, g.Edges, l.EdgeSelfLinear), r.Activation);
        var newNode = Combine(tape, nodeUpdates, l.NodeResidual);
        if (!r.UpdateAngle)
            return (newNode, Combine(tape, [edge, edgeSelf], l.EdgeResidual), Combine(tape, [angle], l.AngleResidual));
        var (nodeA, edgeA) = AngleFeatures(tape, l, g, nloc, node, edge);
        var angleInfo = AngleInfo(tape, g, angle, nodeA, edgeA);
        var edgeAngle = EdgeAngleMessage(tape, l, g, angleInfo, edge, aswPair, aNorm);
        var angleSelf = tape.Act(tape.Net(angleInfo, g.Angles, l.AngleSelfLinear!), r.Activation);
        return (newNode, Combine(tape, [edge, edgeSelf, edgeAngle], l.EdgeResidual), Combine(tape, [angle, angleSelf], l.AngleResidual));
    }

    /// <summary>
    /// DeePMD-kit's sequential repflow layer (res_residual only): edge self update, then the angle update from the new
    /// edges, then the edge angle message from the new angles, then the node updates from the final edges.
    /// </summary>
    private (Var Node, Var Edge, Var Angle) SequentialLayer(Tape tape, Dpa3Layer l, Graph g, int nloc, Var node, Var edge, Var angle,
        Var h2, Var sw, Var aswPair, double eNorm, double aNorm)
    {
        var r = _spec.Repflow;
        var nei = tape.Gather(node, r.NDim, g.EdgeOwner);
        var edgeSelf = tape.Act(tape.Net(EdgeInfo(tape, g, node, nei, edge), g.Edges, l.EdgeSelfLinear), r.Activation);
        var edge1 = tape.Add(edge, tape.MulRow(edgeSelf, l.EdgeResidual[0]));
        var (nodeA, edgeA) = AngleFeatures(tape, l, g, nloc, node, edge1);
        var angleSelf = tape.Act(tape.Net(AngleInfo(tape, g, angle, nodeA, edgeA), g.Angles, l.AngleSelfLinear!), r.Activation);
        var newAngle = tape.Add(angle, tape.MulRow(angleSelf, l.AngleResidual[0]));
        var edgeAngle = EdgeAngleMessage(tape, l, g, AngleInfo(tape, g, newAngle, nodeA, edgeA), edge1, aswPair, aNorm);
        var newEdge = tape.Add(edge1, tape.MulRow(edgeAngle, l.EdgeResidual[1]));
        var newNode = Combine(tape, NodeUpdates(tape, l, g, nloc, node, newEdge, nei, h2, sw, eNorm), l.NodeResidual);
        return (newNode, newEdge, newAngle);
    }

    /// <summary>The node update list: the node itself, its self MLP, the symmetrised edge/neighbor term, the edge message heads.</summary>
    private List<Var> NodeUpdates(Tape tape, Dpa3Layer l, Graph g, int nloc, Var node, Var edge, Var nei, Var h2, Var sw, double eNorm)
    {
        var r = _spec.Repflow;
        int nd = r.NDim, ed = r.EDim, axis = r.AxisNeuron;
        var updates = new List<Var> { node, tape.Act(tape.Net(node, nloc, l.NodeSelfMlp), r.Activation) };
        var sym = tape.Concat(nloc, (Symmetrization(tape, g, nloc, edge, ed, h2, sw, eNorm), ed * axis),
            (Symmetrization(tape, g, nloc, nei, nd, h2, sw, eNorm), nd * axis));
        updates.Add(tape.Act(tape.Net(sym, nloc, l.NodeSymLinear), r.Activation));
        var message = tape.Act(tape.Net(EdgeInfo(tape, g, node, nei, edge), g.Edges, l.NodeEdgeLinear), r.Activation);
        message = tape.Mul(message, sw, g.Edges, 1, r.NMultiEdgeMessage * nd, bHasB: false, bHasC: false);
        var summed = tape.Affine(ScatterAdd(tape, message, r.NMultiEdgeMessage * nd, g.EdgeCenter, nloc), 1 / eNorm);
        if (r.NMultiEdgeMessage == 1) updates.Add(summed);
        else
            for (var h = 0; h < r.NMultiEdgeMessage; h++) updates.Add(tape.Slice(summed, nloc, r.NMultiEdgeMessage, nd, h, 1));
        return updates;
    }

    /// <summary>[node_i, node_j, edge_ij] per edge.</summary>
    private Var EdgeInfo(Tape tape, Graph g, Var node, Var nei, Var edge)
    {
        var r = _spec.Repflow;
        return tape.Concat(g.Edges, (tape.Gather(node, r.NDim, g.EdgeCenter), r.NDim), (nei, r.NDim), (edge, r.EDim));
    }

    /// <summary>The node and edge features inside the angle message: compressed by a linear map, split, or as they are.</summary>
    private (Var Node, Var Edge) AngleFeatures(Tape tape, Dpa3Layer l, Graph g, int nloc, Var node, Var edge)
    {
        var r = _spec.Repflow;
        if (r.ACompressRate == 0) return (node, edge);
        if (!r.ACompressUseSplit) return (tape.Net(node, nloc, l.ACompressNLinear!), tape.Net(edge, g.Edges, l.ACompressELinear!));
        return (tape.Slice(node, nloc, r.NDim, 1, 0, r.NodeAngleDim), tape.Slice(edge, g.Edges, r.EDim, 1, 0, r.EdgeAngleDim));
    }

    /// <summary>[angle_jk, node_i, edge_ik, edge_ij] per angle, DeePMD-kit's order.</summary>
    private Var AngleInfo(Tape tape, Graph g, Var angle, Var nodeA, Var edgeA)
    {
        var r = _spec.Repflow;
        int nA = r.NodeAngleDim, eA = r.EdgeAngleDim;
        return tape.Concat(g.Angles, (angle, r.ADim), (tape.Gather(nodeA, nA, g.AngleCenter), nA),
            (tape.Gather(edgeA, eA, g.AngleK), eA), (tape.Gather(edgeA, eA, g.AngleJ), eA));
    }

    /// <summary>
    /// The angle-to-edge message: act(linear1(angle info)) weighted by a_sw_j a_sw_k, summed over k onto edge ij and
    /// divided by √a_sel; without smooth_edge_update an edge outside the angle list takes its own features instead; then
    /// act(linear2(·)).
    /// </summary>
    private Var EdgeAngleMessage(Tape tape, Dpa3Layer l, Graph g, Var angleInfo, Var fallback, Var aswPair, double aNorm)
    {
        var r = _spec.Repflow;
        var ed = r.EDim;
        var m = tape.Act(tape.Net(angleInfo, g.Angles, l.EdgeAngleLinear1!), r.Activation);
        m = tape.Mul(m, aswPair, g.Angles, 1, ed, bHasB: false, bHasC: false);
        var reduced = tape.Affine(ScatterAdd(tape, m, ed, g.AngleJ, g.Edges), 1 / Math.Sqrt(aNorm));
        if (!r.SmoothEdgeUpdate)
            reduced = tape.Add(reduced, tape.Mul(fallback, Const(g.NotAngleEdge), g.Edges, 1, ed, bHasB: false, bHasC: false));
        return tape.Act(tape.Net(reduced, g.Edges, l.EdgeAngleLinear2!), r.Activation);
    }

    /// <summary>
    /// symmetrization_op over each center's edges: hg = Σ_e h2_eᵀ (g_e sw_e) / √norm ([nloc, 3, ng]), then
    /// hg[:, :, :axis]ᵀ hg / 3 → [nloc, axis·ng].
    /// </summary>
    private Var Symmetrization(Tape tape, Graph g, int nloc, Var x, int ng, Var h2, Var sw, double norm)
    {
        var axis = _spec.Repflow.AxisNeuron;
        var gs = tape.Mul(x, sw, g.Edges, 1, ng, bHasB: false, bHasC: false);
        var hg = tape.Affine(SegmentOuter(tape, h2, gs, ng, g.EdgeCenter, nloc), 1 / Math.Sqrt(norm)); // [nloc, 3, ng]
        var hgm = tape.Slice(hg, nloc * 3, ng, 1, 0, axis); // [nloc, 3, axis]
        return tape.Affine(tape.MatMul(hgm, hg, nloc, axis, 3, ng, ta: true), 1.0 / 3.0);
    }

    /// <summary>Σ over rows with the same <paramref name="index"/> of x ([rows, d]) → [count, d].</summary>
    private static Var ScatterAdd(Tape tape, Var x, int d, int[] index, int count)
    {
        var y = new double[count * d];
        for (var q = 0; q < index.Length; q++)
            for (var c = 0; c < d; c++) y[index[q] * d + c] += x.V[q * d + c];
        return tape.Custom(y, gr =>
        {
            if (x.G is null) return;
            for (var q = 0; q < index.Length; q++)
                for (var c = 0; c < d; c++) x.G[q * d + c] += gr[index[q] * d + c];
        }, x);
    }

    /// <summary>Per center, Σ over its edges of h_e ⊗ x_e: h [E, 3], x [E, ng] → [nloc, 3, ng].</summary>
    private static Var SegmentOuter(Tape tape, Var h, Var x, int ng, int[] center, int nloc)
    {
        var y = new double[nloc * 3 * ng];
        for (var q = 0; q < center.Length; q++)
            for (var a = 0; a < 3; a++)
            {
                var hv = h.V[3 * q + a];
                var o = (center[q] * 3 + a) * ng;
                for (var k = 0; k < ng; k++) y[o + k] += hv * x.V[q * ng + k];
            }
        return tape.Custom(y, gr =>
        {
            for (var q = 0; q < center.Length; q++)
                for (var a = 0; a < 3; a++)
                {
                    var o = (center[q] * 3 + a) * ng;
                    double gh = 0;
                    for (var k = 0; k < ng; k++)
                    {
                        gh += gr[o + k] * x.V[q * ng + k];
                        if (x.G is not null) x.G[q * ng + k] += gr[o + k] * h.V[3 * q + a];
                    }
                    if (h.G is not null) h.G[3 * q + a] += gh;
                }
        }, h, x);
    }

    /// <summary>The update rule: res_avg, res_incr or res_residual.</summary>
    private Var Combine(Tape tape, List<Var> items, double[][] residual)
    {
        var n = items.Count;
        var u = items[0];
        switch (_spec.Repflow.UpdateStyle)
        {
            case "res_avg":
                for (var k = 1; k < n; k++) u = tape.Add(u, items[k]);
                return n == 1 ? u : tape.Affine(u, 1 / Math.Sqrt(n));
            case "res_incr":
                var scale = n > 1 ? 1 / Math.Sqrt(n - 1) : 0;
                for (var k = 1; k < n; k++) u = tape.Add(u, tape.Affine(items[k], scale));
                return u;
            default:
                for (var k = 0; k < residual.Length; k++) u = tape.Add(u, tape.MulRow(items[k + 1], residual[k]));
                return u;
        }
    }

    /// <summary>The type embedding of every local center, [nloc, n_dim].</summary>
    private double[] CenterTebd(int[] types, int nloc)
    {
        var t = _spec.TypeEmbedding.Dim;
        var v = new double[nloc * t];
        for (var i = 0; i < nloc; i++) _spec.TypeEmbedding.Row(types[i]).CopyTo(v.AsSpan(i * t, t));
        return v;
    }
}
