namespace DeepMD.Sharp.Cpu;

using System.Collections.Concurrent;
using System.Numerics;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Cpu.Kernels;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Descriptors;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Models.Networks;

/// <summary>
/// The CPU backend for DPA-2 (<c>dpa2</c>, docs/dpa.md "DPA-2"): the repinit block (and the three-body block), the
/// transforms to g1, and every repformer layer over the whole frame, networks in precision <typeparamref name="T"/>,
/// geometry, energy and virial in double.
/// </summary>
/// <remarks>
/// The descriptor is a sequence of whole-frame operations on <see cref="Dpa2Tape{T}"/> that follows DeePMD-kit's NumPy
/// implementation (<c>dpa2.py</c>, <c>repformers.py</c>) step for step, as the reference backend
/// (<c>Dpa2Reference</c>) does in double: the embedding and linear nets are SIMD GEMMs over chunks of rows, the other
/// operations (attention products, softmaxes, symmetrisation, gathers over neighbors) are vectorised loops over fixed
/// chunks, each run in parallel, with every output and gradient written by one chunk so that 1 and several threads give
/// identical results. The reverse pass is each operation's hand-written reverse step, replayed backwards, ending in
/// ∂E/∂d per list entry (double), which <see cref="PairTermAccumulator"/> turns into forces and virials. DeePMD-kit's
/// per-atom virial (when <see cref="EvaluationOptions.AtomPositions"/> is given) takes three more reverse passes,
/// seeded with x_i·∂e_i/∂descriptor_i. Repformer neighbors must be local atoms: lists over ghost atoms (LAMMPS ranks)
/// are refused with a clear error, as on the reference backend.
/// </remarks>
public sealed class CpuDpa2Evaluator<T> : IModelEvaluator, ICenterWeightedEvaluator where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Dpa2Spec _spec;
    private readonly PackedNetwork<T>?[] _fitting;
    private readonly ConcurrentDictionary<NeuralNetwork, Dpa2Tape<T>.RowNet> _nets = new(ReferenceEqualityComparer.Instance);
    private readonly double[]? _repinitStrip, _threeBodyStrip;

    public CpuDpa2Evaluator(DeepPotModel model)
    {
        if (!Supports(model, out var why)) throw new ArgumentException(why);
        Model = model;
        Name = typeof(T) == typeof(double) ? "cpu-f64" : "cpu-f32";
        _spec = (Dpa2Spec)model.Descriptor;
        _fitting = Enumerable.Range(0, model.TypeMap.Count).Select(t => model.Fitting.NetFor(t) is { } n ? new PackedNetwork<T>(n) : null).ToArray();
        if (_spec.Repinit.Strip)
        {
            _repinitStrip = _spec.StripTable(_spec.Repinit.StripNet!, _spec.Repinit.TypeOneSide);
            if (_spec.ThreeBody is { } tb) _threeBodyStrip = _spec.StripTable(tb.StripNet!, oneSide: false, centerFirst: true);
        }
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public DeepPotModel Model { get; }

    /// <summary>Whether this backend can evaluate <paramref name="model"/>; if not, <paramref name="reason"/> says why.</summary>
    public static bool Supports(DeepPotModel model, out string reason)
    {
        if (model.Descriptor is not Dpa2Spec)
        {
            reason = $"this is the dpa2 evaluator; the model's descriptor is {model.Descriptor.TypeName}";
            return false;
        }
        reason = "";
        return true;
    }

    private Dpa2Tape<T>.RowNet Packed(NeuralNetwork net) => _nets.GetOrAdd(net, n => new Dpa2Tape<T>.RowNet(n));

    /// <summary>Which slots of a block hold which list entry (−1: none), and which are excluded type pairs.</summary>
    private readonly record struct Block(int Nsel, int[] Entry, bool[] Excluded);

    /// <summary>One evaluation's state: the tape, the descriptor output, the geometry gradient it fills.</summary>
    private sealed class Pass
    {
        public required Dpa2Tape<T> Tape;
        public required NeighborList Nl;
        public required ParallelOptions Po;
        public double[] DGrad = [];
    }

    /// <inheritdoc />
    public void Evaluate(int[] types, NeighborList neighbors, EvaluationOptions options, EvaluationResult result)
    {
        var nall = types.Length;
        var nloc = neighbors.CenterCount;
        var fparam = EvaluationInputs.Validate(Model, types, neighbors, options);
        var po = options.ParallelOptions();
        var slots = new NeighborSlot[nloc][];
        var errors = new UserInputException?[nloc];
        Parallel.For(0, nloc, po, i =>
        {
            try
            {
                slots[i] = ReferenceEvaluator.AssignMixedSlots(Model, i, types, neighbors, options, _spec.Rcut, _spec.SlotCount);
            }
            catch (UserInputException ex)
            {
                errors[i] = ex;
            }
        });
        if (Array.Find(errors, e => e is not null) is { } first) throw first;

        result.Reset(nall, nloc);
        var buffers = Interlocked.Exchange(ref _buffers, null) ?? new Dpa2Tape<T>.Buffers();
        try
        {
            Evaluate(types, neighbors, options, result, slots, fparam, po, buffers);
        }
        finally
        {
            _buffers = buffers;
        }
    }

    /// <summary>The arrays of the last evaluation's tape (taken by an evaluation, given back after; a concurrent one makes its own).</summary>
    private Dpa2Tape<T>.Buffers? _buffers;

    private void Evaluate(int[] types, NeighborList neighbors, EvaluationOptions options, EvaluationResult result, NeighborSlot[][] slots,
        double[]? fparam, ParallelOptions po, Dpa2Tape<T>.Buffers buffers)
    {
        var nloc = neighbors.CenterCount;
        var pass = new Pass { Tape = new Dpa2Tape<T>(po, buffers), Nl = neighbors, Po = po, DGrad = new double[3 * neighbors.EntryCount] };
        var output = Forward(pass, types, neighbors, slots, options);
        var ds = _spec.OutputSize;
        var descriptors = new double[nloc * ds];
        for (var q = 0; q < descriptors.Length; q++) descriptors[q] = double.CreateTruncating(output.V[q]);
        var descGrad = new double[nloc * ds];
        Fit(types, descriptors, nloc, fparam, options, result.AtomEnergy, descGrad, po);
        double energy = 0;
        for (var i = 0; i < nloc; i++) energy += result.AtomEnergy[i];
        result.Energy = energy;

        var entries = neighbors.EntryCount;
        var gx = new double[entries];
        var gy = new double[entries];
        var gz = new double[entries];
        Reverse(pass, output, descGrad);
        for (var e = 0; e < entries; e++) (gx[e], gy[e], gz[e]) = (pass.DGrad[3 * e], pass.DGrad[3 * e + 1], pass.DGrad[3 * e + 2]);
        PairTermAccumulator.Accumulate(neighbors, gx, gy, gz, result, po);
        if (Dpa2Tape<T>.Timing) Dpa2Tape<T>.PrintTimes();

        if (options.AtomPositions is not { } pos) return;
        // DeePMD-kit's per-atom virial: Σ_i ∂e_i/∂d_e ⊗ x_i needs the reverse pass seeded with x_i,b·∂e_i/∂descriptor_i.
        var weighted = new double[entries * 9];
        double[][] coords = [pos.X, pos.Y, pos.Z];
        var seed = new double[descGrad.Length];
        for (var b = 0; b < 3; b++)
        {
            for (var i = 0; i < nloc; i++)
                for (var k = 0; k < ds; k++) seed[i * ds + k] = coords[b][i] * descGrad[i * ds + k];
            pass.Tape.ZeroGradients();
            Array.Clear(pass.DGrad);
            Reverse(pass, output, seed);
            for (var e = 0; e < entries; e++)
                for (var a = 0; a < 3; a++) weighted[9 * e + 3 * a + b] = pass.DGrad[3 * e + a];
        }
        var av = result.AtomVirial;
        for (var c = 0; c < nloc; c++)
        {
            double xc0 = pos.X[c], xc1 = pos.Y[c], xc2 = pos.Z[c];
            for (var e = neighbors.Offsets[c]; e < neighbors.Offsets[c + 1]; e++)
            {
                var o = neighbors.Owner[e];
                for (var a = 0; a < 3; a++)
                {
                    var ge = a == 0 ? gx[e] : a == 1 ? gy[e] : gz[e];
                    for (var b = 0; b < 3; b++)
                    {
                        var h = ge * (b == 0 ? xc0 : b == 1 ? xc1 : xc2) - weighted[9 * e + 3 * a + b];
                        av[9 * o + 3 * a + b] -= h;
                        av[9 * c + 3 * a + b] += h;
                    }
                }
            }
        }
    }

    private static void Reverse(Pass pass, Dpa2Tape<T>.Var output, double[] seed)
    {
        var s = new T[seed.Length];
        for (var q = 0; q < s.Length; q++) s[q] = T.CreateTruncating(seed[q]);
        pass.Tape.Backward(output, s);
    }

    // ---------------------------------------------------------------- forward

    private Dpa2Tape<T>.Var Forward(Pass pass, int[] types, NeighborList nl, NeighborSlot[][] slots, EvaluationOptions options)
    {
        var s = _spec;
        var tape = pass.Tape;
        var nloc = nl.CenterCount;
        var t = s.TypeEmbedding.Dim;

        var repinitBlock = SubBlock(types, nl, slots, s.Repinit.Rcut, s.Repinit.Nsel, options);
        var g1 = Repinit(pass, types, nl, repinitBlock);
        if (s.ThreeBody is { } tb)
        {
            var block = SubBlock(types, nl, slots, tb.Rcut, tb.Nsel, options);
            var g3 = ThreeBody(pass, types, nl, block, tb);
            var w1 = s.Repinit.Neuron[^1] * s.Repinit.AxisNeuron;
            g1 = tape.Concat(nloc, (g1, w1), (g3, tb.Neuron[^1]));
        }
        if (s.G1ShapeTransform is { } shape) g1 = tape.Net(g1, nloc, Packed(shape));
        if (s.TebdTransform is { } tt) g1 = tape.Add(g1, tape.Net(tape.Constant(CenterTebd(types, nloc)), nloc, Packed(tt)));

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
        g1 = Repformers(pass, types, nl, fblock, g1);
        var g1d = s.Repformer.G1Dim;
        return s.ConcatOutputTebd ? tape.Concat(nloc, (g1, g1d), (tape.Constant(CenterTebd(types, nloc)), t)) : g1;
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
    /// with their entries beyond rcut cleared (DeePMD-kit's build_multiple_neighbor_list). More neighbors within rcut than
    /// nsel is the sel-overflow error unless the policy keeps DeePMD-kit's truncation.
    /// </summary>
    private Block SubBlock(int[] types, NeighborList nl, NeighborSlot[][] slots, double rcut, int nsel, EvaluationOptions options)
    {
        var nloc = nl.CenterCount;
        var entry = new int[nloc * nsel];
        var excluded = new bool[nloc * nsel];
        Array.Fill(entry, -1);
        var errors = new UserInputException?[nloc];
        Parallel.For(0, nloc, options.ParallelOptions(), i =>
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
                    errors[i] = new UserInputException(
                        $"atom {label} has {count} neighbors within {rcut} Å, but the model's DPA-2 block with that cutoff keeps {nsel} "
                        + "(the nearest, whatever their type). DeePMD-kit would silently drop the farthest ones and energy would not be "
                        + "conserved. Use a model with a larger sel, check the structure's density, or pass --allow-sel-truncation to "
                        + "reproduce DeePMD-kit's truncation.");
                    return;
                }
            }
            for (var k = 0; k < Math.Min(nsel, row.Length); k++)
            {
                var sl = row[k];
                if (sl.Entry < 0 || sl.R > rcut) continue;
                entry[i * nsel + k] = sl.Entry;
                excluded[i * nsel + k] = _spec.IsExcluded(types[i], types[nl.Owner[sl.Entry]]);
            }
        });
        if (Array.Find(errors, e => e is not null) is { } first) throw first;
        return new Block(nsel, entry, excluded);
    }

    /// <summary>
    /// The normalised environment matrix of a block, [nloc, nsel, 4], and the switch sw [nloc, nsel], computed in double
    /// with their Jacobians; their reverse steps add into the pass's ∂E/∂d. Padding rows are −davg/dstd; excluded pairs
    /// zero rows (<paramref name="excludedAsPadding"/>: padding rows); sw is zero on both.
    /// </summary>
    private (Dpa2Tape<T>.Var Rr, Dpa2Tape<T>.Var Sw) EnvMat(Pass pass, int[] types, int nloc, Block b, double rcut, double rcs, double[] davg, double[] dstd, bool excludedAsPadding)
    {
        var nl = pass.Nl;
        var nsel = b.Nsel;
        var p = _spec.EnvProtection;
        var rr = new T[nloc * nsel * 4];
        var sw = new T[nloc * nsel];
        var jac = new double[nloc * nsel * 12];
        var jsw = new double[nloc * nsel * 3];
        Parallel.For(0, nloc, pass.Po, i =>
        {
            for (var k = 0; k < nsel; k++)
            {
                var q = i * nsel + k;
                var st = (types[i] * nsel + k) * 4;
                var e = b.Entry[q];
                if (e < 0 || (b.Excluded[q] && excludedAsPadding))
                {
                    for (var c = 0; c < 4; c++) rr[q * 4 + c] = T.CreateTruncating(-davg[st + c] / dstd[st + c]);
                    continue;
                }
                if (b.Excluded[q]) continue;
                double x = nl.Dx[e], y = nl.Dy[e], z = nl.Dz[e];
                var r = Math.Sqrt(x * x + y * y + z * z);
                var (w, dw) = ReferenceEvaluator.Switch(r, rcs, rcut);
                var rp = r + p;
                var env0 = w / rp;
                rr[q * 4] = T.CreateTruncating((env0 - davg[st]) / dstd[st]);
                var d0 = (dw / rp - w / (rp * rp)) / r;
                jac[q * 12] = d0 * x / dstd[st];
                jac[q * 12 + 1] = d0 * y / dstd[st];
                jac[q * 12 + 2] = d0 * z / dstd[st];
                var a = (dw / (rp * rp) - 2 * w / (rp * rp * rp)) / r;
                for (var c = 0; c < 3; c++)
                {
                    var vc = c == 0 ? x : c == 1 ? y : z;
                    rr[q * 4 + 1 + c] = T.CreateTruncating((w * vc / (rp * rp) - davg[st + 1 + c]) / dstd[st + 1 + c]);
                    for (var l = 0; l < 3; l++)
                    {
                        var vl = l == 0 ? x : l == 1 ? y : z;
                        jac[q * 12 + (1 + c) * 3 + l] = ((c == l ? w / (rp * rp) : 0) + vc * a * vl) / dstd[st + 1 + c];
                    }
                }
                sw[q] = T.CreateTruncating(w);
                jsw[q * 3] = dw * x / r;
                jsw[q * 3 + 1] = dw * y / r;
                jsw[q * 3 + 2] = dw * z / r;
            }
        });
        var dg = pass.DGrad;
        // Each entry is in one slot of one center: the reverse steps write disjoint entries per center.
        var rrVar = pass.Tape.Leaf(rr, g => Parallel.For(0, nloc, pass.Po, i =>
        {
            for (var q = i * nsel; q < (i + 1) * nsel; q++)
            {
                var e = b.Entry[q];
                if (e < 0 || b.Excluded[q]) continue;
                for (var c = 0; c < 4; c++)
                {
                    var gc = double.CreateTruncating(g[q * 4 + c]);
                    if (gc == 0) continue;
                    for (var l = 0; l < 3; l++) dg[3 * e + l] += gc * jac[q * 12 + c * 3 + l];
                }
            }
        }));
        var swVar = pass.Tape.Leaf(sw, g => Parallel.For(0, nloc, pass.Po, i =>
        {
            for (var q = i * nsel; q < (i + 1) * nsel; q++)
            {
                var e = b.Entry[q];
                var gq = double.CreateTruncating(g[q]);
                if (e < 0 || b.Excluded[q] || gq == 0) continue;
                for (var l = 0; l < 3; l++) dg[3 * e + l] += gq * jsw[q * 3 + l];
            }
        }));
        return (rrVar, swVar);
    }

    /// <summary>The type of the atom in each slot; DeePMD-kit gathers atom 0 for empty slots.</summary>
    private static int[] SlotTypes(int[] types, NeighborList nl, Block b) =>
        b.Entry.Select((e, q) => e >= 0 && !b.Excluded[q] ? types[nl.Owner[e]] : types[0]).ToArray();

    /// <summary>repinit: se_atten without attention → [nloc, neuron[-1]·axis_neuron].</summary>
    private Dpa2Tape<T>.Var Repinit(Pass pass, int[] types, NeighborList nl, Block b)
    {
        var s = _spec;
        var tape = pass.Tape;
        var ri = s.Repinit;
        var nloc = nl.CenterCount;
        var nnei = b.Nsel;
        var rows = nloc * nnei;
        var ng = ri.Neuron[^1];
        var t = s.TypeEmbedding.Dim;
        var tebd = s.TypeEmbedding;
        var (rr, sw) = EnvMat(pass, types, nloc, b, ri.Rcut, ri.RcutSmooth, ri.Davg, ri.Dstd, excludedAsPadding: false);
        var ss = tape.Slice(rr, rows, 4, 1, 0, 1);
        var nbType = SlotTypes(types, nl, b);
        Dpa2Tape<T>.Var gg;
        var sides = ri.TypeOneSide ? 1 : 2;
        if (!ri.Strip && ri.Net.Layers[0].ResidualKind == 0)
        {
            var ntp = tebd.RowCount;
            var pair = new int[rows];
            for (var q = 0; q < rows; q++) pair[q] = ri.TypeOneSide ? nbType[q] : nbType[q] * ntp + types[q / nnei];
            gg = tape.Net(ss, rows, Packed(ri.Net), pair, TypeTable(ri.Net, sides));
        }
        else if (!ri.Strip)
        {
            var tv = new double[rows * sides * t];
            for (var q = 0; q < rows; q++)
            {
                tebd.Row(nbType[q]).CopyTo(tv.AsSpan(q * sides * t, t));
                if (!ri.TypeOneSide) tebd.Row(types[q / nnei]).CopyTo(tv.AsSpan(q * sides * t + t, t));
            }
            gg = tape.Net(tape.Concat(rows, (ss, 1), (tape.Constant(tv), sides * t)), rows, Packed(ri.Net));
        }
        else
        {
            var gs = tape.Net(ss, rows, Packed(ri.Net));
            var table = _repinitStrip!;
            var ntp = tebd.RowCount;
            var gt = tape.Alloc(rows * ng);
            for (var q = 0; q < rows; q++)
            {
                var row = ri.TypeOneSide ? nbType[q] : types[q / nnei] * ntp + nbType[q];
                for (var c = 0; c < ng; c++) gt[q * ng + c] = T.CreateTruncating(table[row * ng + c]);
            }
            var gtv = tape.Constant(gt);
            if (s.Smooth) gtv = tape.Mul(gtv, sw, rows, 1, ng, bHasB: false, bHasC: false);
            gg = tape.Add(tape.Mul(gs, gtv), gs);
        }
        var gr = tape.Affine(tape.MatMul(gg, rr, nloc, ng, nnei, 4, ta: true), 1.0 / nnei);
        var gr1 = tape.Slice(gr, nloc, ng, 4, 0, ri.AxisNeuron);
        return tape.MatMul(gr, gr1, nloc, ng, 4, ri.AxisNeuron, tb: true);
    }

    private readonly ConcurrentDictionary<NeuralNetwork, T[]> _typeTables = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// For a net on [s, T_a, T_b] (or [s, T_a] with one side): the first layer's bias plus the type inputs' product with
    /// its weights, per type pair (row a·ntp + b, or a), padded to whole vectors (<see cref="Dpa2Tape{T}.Net"/>'s typed form).
    /// </summary>
    private T[] TypeTable(NeuralNetwork net, int sides) => _typeTables.GetOrAdd(net, n =>
    {
        var tebd = _spec.TypeEmbedding;
        int ntp = tebd.RowCount, t = tebd.Dim;
        var layer = n.Layers[0];
        var nout = layer.OutputSize;
        var outP = Dpa3Kernels<T>.P(nout);
        var pairs = sides == 1 ? ntp : ntp * ntp;
        var table = new T[pairs * outP];
        for (var pr = 0; pr < pairs; pr++)
        {
            int a = sides == 1 ? pr : pr / ntp, b = sides == 1 ? -1 : pr % ntp;
            for (var o = 0; o < nout; o++)
            {
                var z = layer.Bias?[o] ?? 0;
                for (var c = 0; c < t; c++)
                {
                    z += tebd.Table[a * t + c] * layer.Weights[(1 + c) * nout + o];
                    if (b >= 0) z += tebd.Table[b * t + c] * layer.Weights[(1 + t + c) * nout + o];
                }
                table[pr * outP + o] = T.CreateTruncating(z);
            }
        }
        return table;
    });

    /// <summary>The three-body block (se_t_tebd): embedding of r̂_j·r̂_k with both neighbors' types → [nloc, neuron[-1]].</summary>
    private Dpa2Tape<T>.Var ThreeBody(Pass pass, int[] types, NeighborList nl, Block b, Dpa2ThreeBody tb)
    {
        var s = _spec;
        var tape = pass.Tape;
        var nloc = nl.CenterCount;
        var n = b.Nsel;
        var ng = tb.Neuron[^1];
        var t = s.TypeEmbedding.Dim;
        var tebd = s.TypeEmbedding;
        var (rr, sw) = EnvMat(pass, types, nloc, b, tb.Rcut, tb.RcutSmooth, tb.Davg, tb.Dstd, excludedAsPadding: false);
        var v = tape.Slice(rr, nloc * n, 4, 1, 1, 3);
        var env = tape.MatMul(v, v, nloc, n, 3, n, tb: true); // [nloc, n, n]
        var rows = nloc * n * n;
        var nbType = SlotTypes(types, nl, b);
        Dpa2Tape<T>.Var gg;
        if (!s.Repinit.Strip && tb.Net.Layers[0].ResidualKind == 0)
        {
            var ntp = tebd.RowCount;
            var pair = new int[rows];
            Parallel.For(0, nloc, pass.Po, i =>
            {
                for (var j = 0; j < n; j++)
                    for (var k = 0; k < n; k++) pair[(i * n + j) * n + k] = nbType[i * n + j] * ntp + nbType[i * n + k];
            });
            gg = tape.Net(env, rows, Packed(tb.Net), pair, TypeTable(tb.Net, 2));
        }
        else if (!s.Repinit.Strip)
        {
            var tv = tape.Alloc(rows * 2 * t);
            Parallel.For(0, nloc, pass.Po, i =>
            {
                for (var j = 0; j < n; j++)
                    for (var k = 0; k < n; k++)
                    {
                        var q = (i * n + j) * n + k;
                        var rj = tebd.Row(nbType[i * n + j]);
                        var rk = tebd.Row(nbType[i * n + k]);
                        for (var c = 0; c < t; c++)
                        {
                            tv[q * 2 * t + c] = T.CreateTruncating(rj[c]);
                            tv[q * 2 * t + t + c] = T.CreateTruncating(rk[c]);
                        }
                    }
            });
            gg = tape.Net(tape.Concat(rows, (env, 1), (tape.Constant(tv), 2 * t)), rows, Packed(tb.Net));
        }
        else
        {
            var gs = tape.Net(env, rows, Packed(tb.Net));
            var table = _threeBodyStrip!;
            var ntp = tebd.RowCount;
            var gt = tape.Alloc(rows * ng);
            Parallel.For(0, nloc, pass.Po, i =>
            {
                for (var j = 0; j < n; j++)
                    for (var k = 0; k < n; k++)
                    {
                        var src = (nbType[i * n + j] * ntp + nbType[i * n + k]) * ng;
                        var dst = ((i * n + j) * n + k) * ng;
                        for (var c = 0; c < ng; c++) gt[dst + c] = T.CreateTruncating(table[src + c]);
                    }
            });
            var gtv = tape.Constant(gt);
            if (s.Smooth)
            {
                var swsw = tape.MatMul(sw, sw, nloc, n, 1, n);
                gtv = tape.Mul(gtv, swsw, rows, 1, ng, bHasB: false, bHasC: false);
            }
            gg = tape.Add(tape.Mul(gs, gtv), gs);
        }
        var res = tape.MatMul(env, gg, nloc, 1, n * n, ng); // [nloc, 1, ng]
        return tape.Affine(res, 1.0 / n / n);
    }

    /// <summary>The repformer block: g1 [nloc, g1_dim] in, g1 after all layers out.</summary>
    private Dpa2Tape<T>.Var Repformers(Pass pass, int[] types, NeighborList nl, Block b, Dpa2Tape<T>.Var g1In)
    {
        var f = _spec.Repformer;
        var tape = pass.Tape;
        var nloc = nl.CenterCount;
        var nnei = b.Nsel;
        var rows = nloc * nnei;
        var (rr, sw) = EnvMat(pass, types, nloc, b, f.Rcut, f.RcutSmooth, f.Davg, f.Dstd, excludedAsPadding: true);
        var mask = new double[rows];
        var owner = new int[rows];
        for (var q = 0; q < rows; q++)
        {
            var real = b.Entry[q] >= 0 && !b.Excluded[q];
            mask[q] = real ? 1 : 0;
            owner[q] = real ? nl.Owner[b.Entry[q]] : 0; // DeePMD-kit gathers atom 0 for empty slots
        }
        var g1 = tape.Act(g1In, f.Activation);
        Dpa2Tape<T>.Var g2, h2;
        if (!f.DirectDist)
        {
            g2 = tape.Slice(rr, rows, 4, 1, 0, 1);
            h2 = tape.Slice(rr, rows, 4, 1, 1, 3);
        }
        else (g2, h2) = DirectDist(pass, b, mask, f.Rcut);
        g2 = tape.Act(tape.Net(g2, rows, Packed(f.G2Embedding)), f.Activation);
        foreach (var layer in f.Layers)
            (g1, g2, h2) = Layer(tape, layer, nloc, nnei, g1, g2, h2, owner, mask, sw);
        return g1;
    }

    /// <summary>direct_dist: g2 = |d|/rcut [rows], h2 = d/rcut [rows, 3] of the real slots (zero elsewhere).</summary>
    private (Dpa2Tape<T>.Var G2, Dpa2Tape<T>.Var H2) DirectDist(Pass pass, Block b, double[] mask, double rcut)
    {
        var nl = pass.Nl;
        var rows = mask.Length;
        var g2 = new T[rows];
        var h2 = new T[rows * 3];
        var r = new double[rows];
        for (var q = 0; q < rows; q++)
        {
            if (mask[q] == 0) continue;
            var e = b.Entry[q];
            double x = nl.Dx[e], y = nl.Dy[e], z = nl.Dz[e];
            r[q] = Math.Sqrt(x * x + y * y + z * z);
            g2[q] = T.CreateTruncating(r[q] / rcut);
            h2[3 * q] = T.CreateTruncating(x / rcut);
            h2[3 * q + 1] = T.CreateTruncating(y / rcut);
            h2[3 * q + 2] = T.CreateTruncating(z / rcut);
        }
        var dg = pass.DGrad;
        var g2v = pass.Tape.Leaf(g2, g =>
        {
            for (var q = 0; q < rows; q++)
            {
                if (mask[q] == 0 || !(r[q] > 0)) continue;
                var e = b.Entry[q];
                var gq = double.CreateTruncating(g[q]) / rcut / r[q];
                dg[3 * e] += gq * nl.Dx[e];
                dg[3 * e + 1] += gq * nl.Dy[e];
                dg[3 * e + 2] += gq * nl.Dz[e];
            }
        });
        var h2v = pass.Tape.Leaf(h2, g =>
        {
            for (var q = 0; q < rows; q++)
            {
                if (mask[q] == 0) continue;
                var e = b.Entry[q];
                for (var c = 0; c < 3; c++) dg[3 * e + c] += double.CreateTruncating(g[3 * q + c]) / rcut;
            }
        });
        return (g2v, h2v);
    }

    private (Dpa2Tape<T>.Var G1, Dpa2Tape<T>.Var G2, Dpa2Tape<T>.Var H2) Layer(Dpa2Tape<T> tape, Dpa2Layer l, int nloc, int nnei, Dpa2Tape<T>.Var g1, Dpa2Tape<T>.Var g2, Dpa2Tape<T>.Var h2, int[] owner, double[] mask, Dpa2Tape<T>.Var sw)
    {
        var f = _spec.Repformer;
        int g1d = f.G1Dim, g2d = f.G2Dim, rows = nloc * nnei;
        var act = l.Activation;
        var maskV = tape.Constant(mask);
        var gg1 = l.G1Drrd || l.G1Conv || l.G1Attn || l.G2G1G1 ? tape.Gather(g1, g1d, owner) : null;

        var g2Update = new List<Dpa2Tape<T>.Var> { g2 };
        var h2Update = new List<Dpa2Tape<T>.Var> { h2 };
        var g1Update = new List<Dpa2Tape<T>.Var> { g1 };
        var g1Mlp = new List<(Dpa2Tape<T>.Var, int)>();
        if (!l.G1OutMlp) g1Mlp.Add((g1, g1d));
        if (l.G1OutMlp) g1Update.Add(tape.Act(tape.Net(g1, nloc, Packed(l.G1SelfMlp!)), act));

        if (l.UpdateChannel2)
        {
            g2Update.Add(tape.Act(tape.Net(g2, rows, Packed(l.Linear2!)), act));
            if (l.G2G1G1)
            {
                var ret = tape.Mul(gg1!, g1, nloc, nnei, g1d, bHasB: false);
                ret = MaskSwitch(tape, ret, rows, g1d, maskV, l.Smooth ? sw : null);
                g2Update.Add(tape.Net(ret, rows, Packed(l.ProjG1G1G2!)));
            }
            if (l.G2Attn || l.UpdateH2)
            {
                var aa = Atten2Map(tape, l, nloc, nnei, g2, h2, mask, sw);
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
        g1Update.Add(tape.Act(tape.Net(tape.Concat(nloc, g1Mlp.ToArray()), nloc, Packed(l.Linear1)), act));
        if (l.G1Attn) g1Update.Add(LocalAttention(tape, l, nloc, nnei, g1, gg1!, mask, sw));

        Dpa2Tape<T>.Var g2New = g2, h2New = h2;
        if (l.UpdateChannel2)
        {
            g2New = Combine(tape, l, g2Update, l.G2Residual);
            h2New = Combine(tape, l, h2Update, l.H2Residual);
        }
        return (Combine(tape, l, g1Update, l.G1Residual), g2New, h2New);
    }

    /// <summary>The update rule: res_avg, res_incr or res_residual.</summary>
    private static Dpa2Tape<T>.Var Combine(Dpa2Tape<T> tape, Dpa2Layer l, List<Dpa2Tape<T>.Var> items, double[][] residual)
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
    private static Dpa2Tape<T>.Var MaskSwitch(Dpa2Tape<T> tape, Dpa2Tape<T>.Var x, int rows, int dim, Dpa2Tape<T>.Var mask, Dpa2Tape<T>.Var? sw)
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

    private Dpa2Tape<T>.Var Conv(Dpa2Tape<T> tape, Dpa2Layer l, int nloc, int nnei, Dpa2Tape<T>.Var gg1, Dpa2Tape<T>.Var g2, Dpa2Tape<T>.Var maskV, double[] mask, Dpa2Tape<T>.Var sw)
    {
        var f = _spec.Repformer;
        int rows = nloc * nnei, g1d = f.G1Dim, g2d = f.G2Dim;
        var width = l.G1OutConv ? g1d : g2d;
        var x = l.G1OutConv ? gg1 : tape.Net(gg1, rows, Packed(l.ProjG1G2!));
        x = MaskSwitch(tape, x, rows, width, maskV, l.Smooth ? sw : null);
        var other = l.G1OutConv ? tape.Net(g2, rows, Packed(l.ProjG1G2!)) : g2;
        var sum = tape.SumMid(tape.Mul(other, x), nloc, nnei, width);
        if (l.Smooth) return tape.Affine(sum, 1.0 / nnei);
        return tape.Mul(sum, tape.Constant(InvNneiPerCenter(mask, nloc, nnei, sqrt: false)), nloc, 1, width, bHasB: false, bHasC: false);
    }

    /// <summary>symmetrization_op: hg = hᵀ g / norm ([nloc, 3, ng]), then hg[:, :, :axis]ᵀ hg / 3 → [nloc, axis·ng].</summary>
    private Dpa2Tape<T>.Var Symmetrization(Dpa2Tape<T> tape, Dpa2Layer l, int nloc, int nnei, Dpa2Tape<T>.Var g, int ng, Dpa2Tape<T>.Var h, Dpa2Tape<T>.Var maskV, double[] mask, Dpa2Tape<T>.Var sw)
    {
        var axis = _spec.Repformer.AxisNeuron;
        var rows = nloc * nnei;
        g = MaskSwitch(tape, g, rows, ng, maskV, l.Smooth ? sw : null);
        var hg = tape.MatMul(h, g, nloc, 3, nnei, ng, ta: true);
        if (l.Smooth) hg = tape.Affine(hg, 1 / (l.UseSqrtNnei ? Math.Sqrt(nnei) : nnei));
        else hg = tape.Mul(hg, tape.Constant(InvNneiPerCenter(mask, nloc, nnei, l.UseSqrtNnei)), nloc, 1, 3 * ng, bHasB: false, bHasC: false);
        var hgm = tape.Slice(hg, nloc * 3, ng, 1, 0, axis);
        return tape.Affine(tape.MatMul(hgm, hg, nloc, axis, 3, ng, ta: true), 1.0 / 3.0);
    }

    /// <summary>Atten2Map: gated multi-head attention weights over neighbor pairs, [nloc, nh, nnei, nnei].</summary>
    private Dpa2Tape<T>.Var Atten2Map(Dpa2Tape<T> tape, Dpa2Layer l, int nloc, int nnei, Dpa2Tape<T>.Var g2, Dpa2Tape<T>.Var h2, double[] mask, Dpa2Tape<T>.Var sw)
    {
        int nd = l.Attn2Hidden, nh = l.Attn2Heads, rows = nloc * nnei;
        var qk = tape.Net(g2, rows, Packed(l.Attn2MapQk!));
        qk = tape.Permute(qk, [nloc, nnei, nd, 2 * nh], [0, 3, 1, 2]);
        var q = tape.Slice(qk, nloc, 2 * nh, nnei * nd, 0, nh);
        var k = tape.Slice(qk, nloc, 2 * nh, nnei * nd, nh, nh);
        var w = tape.Affine(tape.MatMul(q, k, nloc * nh, nnei, nd, nnei, tb: true), 1 / Math.Sqrt(nd));
        var hh = tape.MatMul(h2, h2, nloc, nnei, 3, nnei, tb: true);
        Dpa2Tape<T>.Var? swsw = l.Smooth ? tape.MatMul(sw, sw, nloc, nnei, 1, nnei) : null;
        var hh3 = tape.Affine(hh, 1 / Math.Sqrt(3));
        return tape.AttentionWeights(w, nloc, nh, nnei, nnei, l.Attn2Gate ? hh : null, swsw, mask, PairMask(mask, nloc, nnei), hh3, l.Attn2Shift);
    }

    private static double[] PairMask(double[] mask, int nloc, int nnei)
    {
        var m = new double[nloc * nnei * nnei];
        for (var i = 0; i < nloc; i++)
            for (var j = 0; j < nnei; j++)
                for (var k = 0; k < nnei; k++)
                    m[(i * nnei + j) * nnei + k] = mask[i * nnei + j] * mask[i * nnei + k];
        return m;
    }


    private Dpa2Tape<T>.Var Atten2MultiHead(Dpa2Tape<T> tape, Dpa2Layer l, int nloc, int nnei, Dpa2Tape<T>.Var aa, Dpa2Tape<T>.Var g2)
    {
        int nh = l.Attn2Heads, g2d = _spec.Repformer.G2Dim, rows = nloc * nnei;
        var v = tape.Net(g2, rows, Packed(l.Attn2MapV!));
        v = tape.Permute(v, [nloc, nnei, g2d, nh], [0, 3, 1, 2]);
        var ret = tape.MatMul(aa, v, nloc * nh, nnei, nnei, g2d);
        ret = tape.Permute(ret, [nloc, nh, nnei, g2d], [0, 2, 3, 1]);
        return tape.Net(ret, rows, Packed(l.Attn2HeadMap!));
    }

    private Dpa2Tape<T>.Var Atten2EquiVar(Dpa2Tape<T> tape, Dpa2Layer l, int nloc, int nnei, Dpa2Tape<T>.Var aa, Dpa2Tape<T>.Var h2)
    {
        var nh = l.Attn2Heads;
        var idx = new int[nloc * nh * nnei];
        for (var i = 0; i < nloc; i++)
            for (var h = 0; h < nh; h++)
                for (var j = 0; j < nnei; j++) idx[(i * nh + h) * nnei + j] = i * nnei + j;
        var h2m = tape.Gather(h2, 3, idx);
        var ret = tape.MatMul(aa, h2m, nloc * nh, nnei, nnei, 3);
        ret = tape.Permute(ret, [nloc, nh, nnei, 3], [0, 2, 3, 1]);
        return tape.Net(ret, nloc * nnei * 3, Packed(l.Attn2EvHeadMap!));
    }

    private Dpa2Tape<T>.Var LocalAttention(Dpa2Tape<T> tape, Dpa2Layer l, int nloc, int nnei, Dpa2Tape<T>.Var g1, Dpa2Tape<T>.Var gg1, double[] mask, Dpa2Tape<T>.Var sw)
    {
        int nd = l.Attn1Hidden, nh = l.Attn1Heads, ni = _spec.Repformer.G1Dim;
        var q = tape.Net(g1, nloc, Packed(l.LocMapQ!));
        q = tape.Permute(q, [nloc, nd, nh], [0, 2, 1]);
        var kv = tape.Net(gg1, nloc * nnei, Packed(l.LocMapKv!));
        kv = tape.Permute(kv, [nloc, nnei, nd + ni, nh], [0, 3, 1, 2]);
        var k = tape.Slice(kv, nloc * nh * nnei, nd + ni, 1, 0, nd);
        var v = tape.Slice(kv, nloc * nh * nnei, nd + ni, 1, nd, ni);
        var w = tape.Affine(tape.MatMul(q, k, nloc * nh, 1, nd, nnei, tb: true), 1 / Math.Sqrt(nd));
        w = tape.AttentionWeights(w, nloc, nh, 1, nnei, null, l.Smooth ? sw : null, mask, mask, null, l.Attn1Shift);
        var ret = tape.MatMul(w, v, nloc * nh, 1, nnei, ni);
        return tape.Net(ret, nloc, Packed(l.LocHeadMap!));
    }

    // ---------------------------------------------------------------- fitting

    /// <summary>The fitting net per type, batched feature-major: atomic energies and ∂e_i/∂descriptor_i (zero for excluded types).</summary>
    private void Fit(int[] types, double[] descriptors, int nloc, double[]? fparam, EvaluationOptions options, double[] atomEnergy, double[] descGrad,
        ParallelOptions po)
    {
        var fitting = Model.Fitting;
        var ds = _spec.OutputSize;
        var nin = fitting.InputSize;
        const int chunk = 64;
        var batches = new List<int[]>();
        for (var t = 0; t < Model.TypeMap.Count; t++)
        {
            var members = Enumerable.Range(0, nloc).Where(i => types[i] == t).ToArray();
            if (Model.IsAtomExcluded(t))
            {
                foreach (var i in members) atomEnergy[i] = 0;
                continue;
            }
            for (var s = 0; s < members.Length; s += chunk) batches.Add(members[s..Math.Min(members.Length, s + chunk)]);
        }
        var errors = new UserInputException?[batches.Count];
        Parallel.For(0, batches.Count, po, b =>
        {
            var centers = batches[b];
            var ti = types[centers[0]];
            var net = _fitting[ti];
            if (net is null)
            {
                errors[b] = new UserInputException($"the model has no fitting net for type '{Model.TypeMap.Names[ti]}'", Model.Source);
                return;
            }
            var ld = Dpa3Kernels<T>.P(centers.Length);
            var x = new T[nin * ld];
            var input = new double[nin];
            for (var c = 0; c < centers.Length; c++)
            {
                var i = centers[c];
                descriptors.AsSpan(i * ds, ds).CopyTo(input);
                options.DescriptorWatch?.Observe(i, ti, input.AsSpan(0, ds));
                var k2 = ds;
                if (fparam is not null)
                    for (var p = 0; p < fparam.Length; p++)
                        input[k2++] = (fparam[p] - (fitting.FparamAvg?[p] ?? 0)) * (fitting.FparamInvStd?[p] ?? 1);
                if (fitting.AparamCount > 0 && !fitting.UseAparamAsMask)
                    for (var p = 0; p < fitting.AparamCount; p++)
                        input[k2++] = (options.Aparam![i * fitting.AparamCount + p] - (fitting.AparamAvg?[p] ?? 0)) * (fitting.AparamInvStd?[p] ?? 1);
                if (fitting.CaseEmbedding is { } ce)
                    foreach (var v in ce) input[k2++] = v;
                for (var k = 0; k < nin; k++) x[k * ld + c] = T.CreateTruncating(input[k]);
            }
            var output = new T[ld];
            var saved = new T[net.ActivationFloats * ld];
            var scratch = new T[3 * net.MaxWidth * ld];
            net.Forward(x, output, ld, saved, scratch);
            for (var c = 0; c < centers.Length; c++)
                atomEnergy[centers[c]] = double.CreateTruncating(output[c]) + fitting.BiasAtomE[ti] + Model.OutBias[ti];
            for (var c = 0; c < ld; c++)
                output[c] = c >= centers.Length ? T.Zero : options.CenterWeights is { } w ? T.CreateTruncating(w[centers[c]]) : T.One;
            var grad = new T[nin * ld];
            net.Backward(output, grad, ld, saved, scratch);
            for (var c = 0; c < centers.Length; c++)
                for (var k = 0; k < ds; k++) descGrad[centers[c] * ds + k] = double.CreateTruncating(grad[k * ld + c]);
        });
        if (Array.Find(errors, e => e is not null) is { } first) throw first;
    }
}
