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
/// The CPU backend for DPA-3 (<c>dpa3</c>, docs/dpa.md "DPA-3"): the repflow layers over the whole frame with hand-written
/// forward and reverse passes, networks in precision <typeparamref name="T"/>, geometry, energy and virial in double.
/// </summary>
/// <remarks>
/// Message passing needs every atom's previous-layer features, so each layer is three sweeps: per atom (the node parts of
/// the edge linears), per center (its edges and angles), per atom (the node update); each sweep runs in parallel over
/// atoms and every value is computed by one center, so results do not depend on the thread count. Memory: per layer the
/// node and edge features (atoms × n_dim, edges × e_dim) and the node-sym pre-activation are kept; the angle features
/// (a_sel² per center) are kept only for the current layer (one buffer, the angle gradient in the reverse pass), and in
/// the reverse pass each center recomputes its angle state from the geometry and the kept node/edge features. The last
/// layer's edge and angle updates do not reach the energy and are skipped. The per-atom virial in DeePMD-kit's form
/// (when <see cref="EvaluationOptions.AtomPositions"/> is given) takes three more reverse passes, seeded with
/// x_i·∂e_i/∂descriptor_i, as the reference backend does.
/// </remarks>
public sealed class CpuDpa3Evaluator<T> : IModelEvaluator, ICenterWeightedEvaluator where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Dpa3Spec _spec;
    private readonly Dpa3Repflow _r;
    private readonly LayerWeights[] _layers;
    private readonly PackedNetwork<T>?[] _fitting;
    private readonly int _nd, _ed, _ad, _nA, _eA, _axis, _m, _ndP, _edP, _adP, _outC, _outCP, _outAP, _asP, _symP, _mndP, _nAP, _eAP;
    private readonly double _eNorm, _aNorm;
    private readonly T[] _edgeW, _edgeB, _angleW, _angleB;
    private readonly ConcurrentBag<Scratch> _scratch = new();

    private static int VC => Dpa3Kernels<T>.VC;
    private static int P(int n) => Dpa3Kernels<T>.P(n);
    private static T[] Bias(NeuralNetwork net) => Dpa3Kernels<T>.Bias(net);
    private static void Add(Span<T> y, ReadOnlySpan<T> x) => Dpa3Kernels<T>.Add(y, x);
    private static void Sum(Span<T> y, ReadOnlySpan<T> a, ReadOnlySpan<T> b) => Dpa3Kernels<T>.Sum(y, a, b);
    private static void AddMul(Span<T> y, ReadOnlySpan<T> a, ReadOnlySpan<T> x) => Dpa3Kernels<T>.AddMul(y, a, x);
    private static void Mul(Span<T> y, ReadOnlySpan<T> a, ReadOnlySpan<T> x) => Dpa3Kernels<T>.Mul(y, a, x);
    private static void AddScaled(Span<T> y, T s, ReadOnlySpan<T> x) => Dpa3Kernels<T>.AddScaled(y, s, x);
    private static T Dot(ReadOnlySpan<T> a, ReadOnlySpan<T> b, int n) => Dpa3Kernels<T>.Dot(a, b, n);
    private static void Act(Activation act, ReadOnlySpan<T> z, Span<T> y) => Dpa3Kernels<T>.Act(act, z, y);
    private static void ActBack(Activation act, ReadOnlySpan<T> z, Span<T> g) => Dpa3Kernels<T>.ActBack(act, z, g);

    /// <summary>y = φ(z); with <paramref name="derivative"/> z ← φ′(z) as well (the reverse pass's recomputation).</summary>
    private static void Act(Activation act, Span<T> z, Span<T> y, bool derivative)
    {
        if (derivative) Dpa3Kernels<T>.ActBoth(act, z, y);
        else Dpa3Kernels<T>.Act(act, z, y);
    }

    public CpuDpa3Evaluator(DeepPotModel model)
    {
        if (!Supports(model, out var why)) throw new ArgumentException(why);
        Model = model;
        Name = typeof(T) == typeof(double) ? "cpu-f64" : "cpu-f32";
        _spec = (Dpa3Spec)model.Descriptor;
        _r = _spec.Repflow;
        (_nd, _ed, _ad, _axis, _m) = (_r.NDim, _r.EDim, _r.ADim, _r.AxisNeuron, _r.NMultiEdgeMessage);
        (_nA, _eA) = (_r.NodeAngleDim, _r.EdgeAngleDim);
        (_ndP, _edP, _adP) = (P(_nd), P(_ed), P(_ad));
        (_nAP, _eAP) = (P(_nA), P(_eA));
        _outC = _m * _nd + _ed;
        _outCP = P(_outC);
        _mndP = P(_m * _nd);
        _outAP = P(_ed + _ad);
        _asP = _adP;
        _symP = P(_axis * (_ed + _nd));
        _eNorm = _r.UseDynamicSel ? _r.ESel / _r.SelReduceFactor : _r.ESel;
        _aNorm = _r.UseDynamicSel ? _r.ASel / _r.SelReduceFactor : _r.ASel;
        _layers = _r.Layers.Select(l => new LayerWeights(this, l)).ToArray();
        _fitting = Enumerable.Range(0, model.TypeMap.Count).Select(t => model.Fitting.NetFor(t) is { } n ? new PackedNetwork<T>(n) : null).ToArray();
        (_edgeW, _edgeB) = Scalar(_r.EdgeEmbedding, _edP);
        (_angleW, _angleB) = Scalar(_r.AngleEmbedding, _adP);
    }

    private static (T[] W, T[] B) Scalar(NeuralNetwork net, int width)
    {
        var l = net.Layers[0];
        var w = new T[width];
        var b = new T[width];
        for (var o = 0; o < l.OutputSize; o++)
        {
            w[o] = T.CreateTruncating(l.Weights[o]);
            b[o] = T.CreateTruncating(l.Bias?[o] ?? 0);
        }
        return (w, b);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public DeepPotModel Model { get; }

    /// <summary>Whether this backend can evaluate <paramref name="model"/>; if not, <paramref name="reason"/> says why.</summary>
    public static bool Supports(DeepPotModel model, out string reason)
    {
        if (model.Descriptor is not Dpa3Spec d)
        {
            reason = $"this is the dpa3 evaluator; the model's descriptor is {model.Descriptor.TypeName}";
            return false;
        }
        if (d.Repflow.EdgeEmbedding.Layers.Count != 1 || d.Repflow.AngleEmbedding.Layers.Count != 1)
        {
            reason = "the DPA-3 CPU backend expects one-layer edge and angle embeddings";
            return false;
        }
        reason = "";
        return true;
    }

    /// <summary>One layer's weights: the linears split by input block (so node parts are computed once per atom).</summary>
    private sealed class LayerWeights
    {
        public readonly Dpa3Kernels<T>.Block Ci, Cj, Ce, Ns, Sym, E2;
        public readonly T[] Cb, NsB, SymB, E2B;
        public readonly Dpa3Kernels<T>.Block? Aa, An, Ak, Aj, Sa, Sn, Sk, Sj, La, Ln, Lk, Lj, Cn, Cen;
        public readonly T[] AB = [], SB = [], LB = [], CnB = [], CenB = [];
        public readonly T[][] NodeCoef, EdgeCoef, AngleCoef;

        public LayerWeights(CpuDpa3Evaluator<T> o, Dpa3Layer l)
        {
            int nd = o._nd, ed = o._ed, ad = o._ad, m = o._m;
            // NodeEdgeLinear and EdgeSelfLinear read the same [n_i, n_j, e_ij]: one matrix with their outputs side by side.
            var ne = l.NodeEdgeLinear.Layers[0];
            var es = l.EdgeSelfLinear.Layers[0];
            var inC = 2 * nd + ed;
            var w = new double[inC * o._outC];
            for (var k = 0; k < inC; k++)
            {
                for (var c = 0; c < m * nd; c++) w[k * o._outC + c] = ne.Weights[k * m * nd + c];
                for (var c = 0; c < ed; c++) w[k * o._outC + m * nd + c] = es.Weights[k * ed + c];
            }
            Ci = new Dpa3Kernels<T>.Block(w, o._outC, 0, nd);
            Cj = new Dpa3Kernels<T>.Block(w, o._outC, nd, nd);
            Ce = new Dpa3Kernels<T>.Block(w, o._outC, 2 * nd, ed);
            Cb = new T[o._outCP];
            for (var c = 0; c < m * nd; c++) Cb[c] = T.CreateTruncating(ne.Bias?[c] ?? 0);
            for (var c = 0; c < ed; c++) Cb[m * nd + c] = T.CreateTruncating(es.Bias?[c] ?? 0);
            Ns = new Dpa3Kernels<T>.Block(l.NodeSelfMlp.Layers[0].Weights, nd, 0, nd);
            NsB = Bias(l.NodeSelfMlp);
            Sym = new Dpa3Kernels<T>.Block(l.NodeSymLinear.Layers[0].Weights, nd, 0, o._axis * (ed + nd));
            SymB = Bias(l.NodeSymLinear);
            var r = o._r;
            if (r.UpdateAngle)
            {
                int nA = o._nA, eA = o._eA;
                var a1 = l.EdgeAngleLinear1!.Layers[0];
                var sl = l.AngleSelfLinear!.Layers[0];
                var inA = ad + nA + 2 * eA;
                // edge_angle_linear1 and angle_self_linear read the same angle info: outputs side by side (ed, then ad).
                var wa = new double[inA * (ed + ad)];
                for (var k = 0; k < inA; k++)
                {
                    for (var c = 0; c < ed; c++) wa[k * (ed + ad) + c] = a1.Weights[k * ed + c];
                    for (var c = 0; c < ad; c++) wa[k * (ed + ad) + ed + c] = sl.Weights[k * ad + c];
                }
                Aa = new Dpa3Kernels<T>.Block(wa, ed + ad, 0, ad);
                An = new Dpa3Kernels<T>.Block(wa, ed + ad, ad, nA);
                Ak = new Dpa3Kernels<T>.Block(wa, ed + ad, ad + nA, eA);
                Aj = new Dpa3Kernels<T>.Block(wa, ed + ad, ad + nA + eA, eA);
                AB = new T[o._outAP];
                for (var c = 0; c < ed; c++) AB[c] = T.CreateTruncating(a1.Bias?[c] ?? 0);
                for (var c = 0; c < ad; c++) AB[ed + c] = T.CreateTruncating(sl.Bias?[c] ?? 0);
                // The angle-self part alone (the angle chain recomputed in the reverse pass).
                Sa = new Dpa3Kernels<T>.Block(sl.Weights, ad, 0, ad);
                Sn = new Dpa3Kernels<T>.Block(sl.Weights, ad, ad, nA);
                Sk = new Dpa3Kernels<T>.Block(sl.Weights, ad, ad + nA, eA);
                Sj = new Dpa3Kernels<T>.Block(sl.Weights, ad, ad + nA + eA, eA);
                SB = Bias(l.AngleSelfLinear);
                // edge_angle_linear1 alone (sequential_update reads it on the updated angles)
                La = new Dpa3Kernels<T>.Block(a1.Weights, ed, 0, ad);
                Ln = new Dpa3Kernels<T>.Block(a1.Weights, ed, ad, nA);
                Lk = new Dpa3Kernels<T>.Block(a1.Weights, ed, ad + nA, eA);
                Lj = new Dpa3Kernels<T>.Block(a1.Weights, ed, ad + nA + eA, eA);
                LB = Bias(l.EdgeAngleLinear1);
                E2 = new Dpa3Kernels<T>.Block(l.EdgeAngleLinear2!.Layers[0].Weights, ed, 0, ed);
                E2B = Bias(l.EdgeAngleLinear2);
                if (r.ACompressRate != 0 && !r.ACompressUseSplit)
                {
                    Cn = new Dpa3Kernels<T>.Block(l.ACompressNLinear!.Layers[0].Weights, nA, 0, nd);
                    CnB = Bias(l.ACompressNLinear);
                    Cen = new Dpa3Kernels<T>.Block(l.ACompressELinear!.Layers[0].Weights, eA, 0, ed);
                    CenB = Bias(l.ACompressELinear);
                }
            }
            else
            {
                E2 = Ns; // unused
                E2B = [];
            }
            NodeCoef = Coefficients(r.UpdateStyle, 3 + m, o._ndP, l.NodeResidual);
            EdgeCoef = Coefficients(r.UpdateStyle, r.UpdateAngle ? 3 : 2, o._edP, l.EdgeResidual);
            AngleCoef = r.UpdateAngle ? Coefficients(r.UpdateStyle, 2, o._adP, l.AngleResidual) : [];
        }

        /// <summary>The update rule as one coefficient vector per item: new = Σ_k c_k ⊙ item_k.</summary>
        private static T[][] Coefficients(string style, int n, int width, double[][] residual)
        {
            var c = new T[n][];
            for (var k = 0; k < n; k++)
            {
                c[k] = new T[width];
                for (var q = 0; q < width; q++)
                    c[k][q] = style switch
                    {
                        "res_avg" => T.CreateTruncating(1 / Math.Sqrt(n)),
                        "res_incr" => T.CreateTruncating(k == 0 ? 1 : 1 / Math.Sqrt(n - 1)),
                        _ => k == 0 ? T.One : q < residual[k - 1].Length ? T.CreateTruncating(residual[k - 1][q]) : T.Zero,
                    };
            }
            return c;
        }
    }

    /// <summary>The frame's graph and per-edge geometry (double).</summary>
    private sealed class Frame
    {
        public int N, E;
        public int[] EdgeStart = [], AngleCount = [], EdgeOwner = [], EdgeEntry = [], EdgeCenter = [];
        public long[] AngleOffset = [];
        public int[] InStart = [], InEdges = []; // per atom, the edges naming it (ascending)
        public double[] H = [], Sw = [], S = [], Dist = [], Asw = []; // H: 3 per edge (normalised environment rows 1..3)
        public double[] U = []; // 3 per edge: d/(|d| + 1e−6) for angle edges
        public int[] EdgeSlot = [], Types = [];
        public NeighborList Nl = null!;
    }

    private sealed class Scratch
    {
        public T[] ZE = [], YE = [], dYE = [], HgE = [], HgN = [], DHgE = [], NodeA = [], EA = [], C1 = [], K1 = [], J1 = [];
        public T[] ZA = [], YA = [], R = [], Z2 = [], Y2 = [], dEF = [], dR = [], dNodeA = [], dEA = [], SK = [], SJ = [];
        public T[] A = [], ZS = [], Row = [], Row2 = [], NewE = [], Sum = [];
        public T[] E1 = [], ZN = [], ZAS = [], YAS = [], NA = [], Z1 = [], Y1 = [], dNew = [], dNA = [], Tmp = [];
        public T[] Fx = [], Fo = [], Fs = [], Fg = [], Fsc = [];
        public double[] DSwp = [];

        public static Span<TE> Get<TE>(ref TE[] a, long n)
        {
            if (a.Length < n) a = new TE[Math.Max(n, a.Length * 3 / 2)];
            return a.AsSpan(0, (int)n);
        }
    }

    /// <summary>
    /// The frame-sized arrays (features per layer, gradients), kept between evaluations (GBs for 10⁴ atoms: fresh ones
    /// would cost page faults and zeroing every step); taken by an evaluation, given back after.
    /// </summary>
    private sealed class Pool
    {
        private readonly Dictionary<string, Array> _arrays = [];

        /// <summary>An array of at least <paramref name="n"/> elements under <paramref name="key"/>; the first n zeroed when <paramref name="clear"/>.</summary>
        public TE[] Get<TE>(string key, long n, bool clear = false)
        {
            if (n > Array.MaxLength)
                throw new UserInputException($"the DPA-3 CPU backend keeps '{key}' of this frame in one array of {n:N0} elements, above .NET's limit of "
                    + $"{Array.MaxLength:N0} (about 70,000 water atoms for a_sel 30, a_dim 32); evaluate fewer atoms per frame");
            if (!_arrays.TryGetValue(key, out var a) || a.Length < n)
            {
                _arrays.Remove(key);
                a = clear ? new TE[n] : GC.AllocateUninitializedArray<TE>((int)n);
                _arrays[key] = a;
                return (TE[])a;
            }
            if (clear) Array.Clear(a, 0, (int)n);
            return (TE[])a;
        }
    }

    private Pool? _pool;

    private Scratch Rent() => _scratch.TryTake(out var s) ? s : new Scratch();

    private void Return(Scratch s) => _scratch.Add(s);

    private void ForCenters(int count, ParallelOptions po, Action<int, Scratch> body) =>
        Parallel.For(0, count, po, Rent, (i, _, s) =>
        {
            body(i, s);
            return s;
        }, Return);

    /// <inheritdoc />
    public void Evaluate(int[] types, NeighborList neighbors, EvaluationOptions options, EvaluationResult result)
    {
        var nall = types.Length;
        var nloc = neighbors.CenterCount;
        var fparam = EvaluationInputs.Validate(Model, types, neighbors, options);
        var po = options.ParallelOptions();
        var f = BuildFrame(types, neighbors, options, po);
        result.Reset(nall, nloc);
        var pool = Interlocked.Exchange(ref _pool, null) ?? new Pool();
        try
        {
            Evaluate(types, neighbors, options, result, f, fparam, po, pool);
        }
        finally
        {
            _pool = pool;
        }
    }

    private void Evaluate(int[] types, NeighborList neighbors, EvaluationOptions options, EvaluationResult result, Frame f, double[]? fparam,
        ParallelOptions po, Pool pool)
    {
        var nloc = neighbors.CenterCount;
        var L = _layers.Length;

        // Forward: node and edge features per layer (edges of the last layer are not needed), angles in one buffer.
        var nodes = new T[L + 1][];
        var edges = new T[L][];
        var zsym = new T[L][];
        nodes[0] = pool.Get<T>("n0", nloc * _ndP, clear: true);
        for (var i = 0; i < nloc; i++)
        {
            var row = _spec.TypeEmbedding.Row(types[i]);
            var dst = nodes[0].AsSpan(i * _ndP, _ndP);
            for (var c = 0; c < _nd; c++) dst[c] = T.CreateTruncating(row[c]);
            Act(_r.Activation, dst, dst);
        }
        edges[0] = pool.Get<T>("e0", (f.E + 1L) * _edP);
        ForCenters(nloc, po, (i, s) => EdgeInit(f, i, edges[0]));
        T[] angles = _r.UpdateAngle ? pool.Get<T>("a", (f.AngleOffset[nloc] + 1) * _adP) : [];
        if (_r.UpdateAngle) ForCenters(nloc, po, (i, s) => AngleInit(f, i, angles.AsSpan((int)(f.AngleOffset[i] * _adP))));
        var pi = pool.Get<T>("pi", nloc * _outCP);
        var pj = pool.Get<T>("pj", nloc * _outCP);
        var sym = pool.Get<T>("sym", nloc * _symP);
        var msg = pool.Get<T>("msg", nloc * _mndP);
        for (var l = 0; l < L; l++)
        {
            var last = l == L - 1;
            var lw = _layers[l];
            var n = nodes[l];
            AtomProducts(lw, n, nloc, pi, pj, po);
            var eNext = last ? null : edges[l + 1] = pool.Get<T>($"e{l + 1}", (f.E + 1L) * _edP);
            var el = edges[l];
            ForCenters(nloc, po, (i, s) =>
            {
                var a = _r.UpdateAngle ? angles.AsSpan((int)(f.AngleOffset[i] * _adP), (f.AngleCount[i] * f.AngleCount[i] + 1) * _adP) : [];
                if (_r.SequentialUpdate) SeqForward(f, lw, i, n, el, pi, pj, a, s, writeAngles: true, derivative: false);
                else CenterForward(f, lw, i, n, el, pi, pj, a, s, last);
                var e0 = f.EdgeStart[i];
                var ne = f.EdgeStart[i + 1] - e0;
                s.Sum.AsSpan(0, _mndP).CopyTo(msg.AsSpan(i * _mndP, _mndP));
                Symmetrize(s, sym.AsSpan(i * _symP, _symP));
                if (!last) s.NewE.AsSpan(0, ne * _edP).CopyTo(eNext.AsSpan(e0 * _edP, ne * _edP));
            });
            zsym[l] = pool.Get<T>($"zsym{l}", nloc * _ndP);
            nodes[l + 1] = pool.Get<T>($"n{l + 1}", nloc * _ndP);
            NodeUpdate(lw, n, sym, msg, zsym[l], nodes[l + 1], nloc, po);
        }

        // Fitting net per type, batched; ∂e_i/∂descriptor_i.
        var ds = _spec.OutputSize;
        var descGrad = new double[nloc * ds];
        Fit(types, nodes[L], nloc, fparam, options, result.AtomEnergy, descGrad, po);
        double energy = 0;
        for (var i = 0; i < nloc; i++) energy += result.AtomEnergy[i];
        result.Energy = energy;

        var gx = new double[neighbors.EntryCount];
        var gy = new double[neighbors.EntryCount];
        var gz = new double[neighbors.EntryCount];
        Backward(f, nodes, edges, zsym, angles, descGrad, nloc, po, gx, gy, gz, pool);
        PairTermAccumulator.Accumulate(neighbors, gx, gy, gz, result, po);
        if (options.AtomPositions is { } pos)
        {
            // DeePMD-kit's per-atom virial: Σ_i ∂e_i/∂d_e ⊗ x_i needs the reverse pass seeded with x_i,b·∂e_i/∂descriptor_i.
            var weighted = new double[3][];
            double[][] coords = [pos.X, pos.Y, pos.Z];
            var seed = new double[descGrad.Length];
            for (var b = 0; b < 3; b++)
            {
                for (var i = 0; i < nloc; i++)
                    for (var k = 0; k < ds; k++) seed[i * ds + k] = coords[b][i] * descGrad[i * ds + k];
                double[] wx = new double[neighbors.EntryCount], wy = new double[neighbors.EntryCount], wz = new double[neighbors.EntryCount];
                Backward(f, nodes, edges, zsym, angles, seed, nloc, po, wx, wy, wz, pool);
                weighted[b] = new double[neighbors.EntryCount * 3];
                for (var e = 0; e < neighbors.EntryCount; e++)
                    (weighted[b][3 * e], weighted[b][3 * e + 1], weighted[b][3 * e + 2]) = (wx[e], wy[e], wz[e]);
            }
            var av = result.AtomVirial;
            for (var c = 0; c < nloc; c++)
            {
                double[] xc = [pos.X[c], pos.Y[c], pos.Z[c]];
                for (var e = neighbors.Offsets[c]; e < neighbors.Offsets[c + 1]; e++)
                {
                    double[] ge = [gx[e], gy[e], gz[e]];
                    var o = neighbors.Owner[e];
                    for (var a = 0; a < 3; a++)
                        for (var b = 0; b < 3; b++)
                        {
                            var h = ge[a] * xc[b] - weighted[b][3 * e + a];
                            av[9 * o + 3 * a + b] -= h;
                            av[9 * c + 3 * a + b] += h;
                        }
                }
            }
        }
    }

    // ---------------------------------------------------------------- graph and geometry

    private Frame BuildFrame(int[] types, NeighborList nl, EvaluationOptions options, ParallelOptions po)
    {
        var nloc = nl.CenterCount;
        var slots = new NeighborSlot[nloc][];
        var errors = new UserInputException?[nloc];
        Parallel.For(0, nloc, po, i =>
        {
            try
            {
                slots[i] = ReferenceEvaluator.AssignMixedSlots(Model, i, types, nl, options, _spec.Rcut, _spec.SlotCount, _r.UseDynamicSel);
                if (!_r.UseDynamicSel && options.SelOverflow == SelOverflowPolicy.Error)
                {
                    var count = 0;
                    for (var e = nl.Offsets[i]; e < nl.Offsets[i + 1]; e++)
                        if (Math.Sqrt(nl.Dx[e] * nl.Dx[e] + nl.Dy[e] * nl.Dy[e] + nl.Dz[e] * nl.Dz[e]) < _r.ARcut) count++;
                    if (count > _r.ASel)
                    {
                        var label = options.AtomLabels is { } lb && i < lb.Count ? $"{i + 1} ({lb[i]})" : $"{i + 1}";
                        throw new UserInputException(
                            $"atom {label} has {count} neighbors within a_rcut = {_r.ARcut} Å, but the DPA-3 model's a_sel is {_r.ASel} "
                            + "(its angle list keeps the nearest, whatever their type). DeePMD-kit would silently drop the farthest ones and "
                            + "energy would not be conserved. Use a model with a larger a_sel, check the structure's density, or pass "
                            + "--allow-sel-truncation to reproduce DeePMD-kit's truncation.");
                    }
                }
            }
            catch (UserInputException ex)
            {
                errors[i] = ex;
            }
        });
        if (Array.Find(errors, e => e is not null) is { } first) throw first;

        var f = new Frame { N = nloc, EdgeStart = new int[nloc + 1], AngleCount = new int[nloc], AngleOffset = new long[nloc + 1] };
        var slotOf = new List<int>();
        for (var i = 0; i < nloc; i++)
        {
            var row = slots[i];
            var count = 0;
            var na = 0;
            var angleRun = true;
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
                var angleEdge = (_r.UseDynamicSel || k < _r.ASel) && sl.R < _r.ARcut;
                if (angleEdge)
                {
                    if (!angleRun) throw new InvalidOperationException("DPA-3 angle edges are not a prefix of the edge list");
                    na++;
                }
                else angleRun = false;
                count++;
            }
            f.EdgeStart[i + 1] = f.EdgeStart[i] + count;
            f.AngleCount[i] = _r.UpdateAngle ? na : 0;
            f.AngleOffset[i + 1] = f.AngleOffset[i] + (long)f.AngleCount[i] * f.AngleCount[i];
        }
        var E = f.E = f.EdgeStart[nloc];
        f.EdgeOwner = new int[E];
        f.EdgeEntry = new int[E];
        f.EdgeCenter = new int[E];
        var edgeSlot = f.EdgeSlot = new int[E];
        f.Types = types;
        f.Nl = nl;
        f.H = new double[3 * E];
        f.Sw = new double[E];
        f.S = new double[E];
        f.Dist = new double[E];
        f.Asw = new double[E];
        f.U = new double[3 * E];
        Parallel.For(0, nloc, po, i =>
        {
            var q = f.EdgeStart[i];
            var row = slots[i];
            for (var k = 0; k < row.Length; k++)
            {
                var sl = row[k];
                if (sl.Entry < 0) continue;
                var o = nl.Owner[sl.Entry];
                if (_spec.IsExcluded(types[i], types[o])) continue;
                f.EdgeOwner[q] = o;
                f.EdgeEntry[q] = sl.Entry;
                f.EdgeCenter[q] = i;
                edgeSlot[q] = k;
                q++;
            }
            for (q = f.EdgeStart[i]; q < f.EdgeStart[i + 1]; q++)
            {
                var e = f.EdgeEntry[q];
                double x = nl.Dx[e], y = nl.Dy[e], z = nl.Dz[e];
                var len = Math.Sqrt(x * x + y * y + z * z);
                var (w, _) = Switch(len, _r.ERcutSmooth, _r.ERcut);
                var st = (types[i] * _r.ESel + Math.Min(edgeSlot[q], _r.ESel - 1)) * 4;
                var rp = len + _spec.EnvProtection;
                f.S[q] = (w / rp - _r.Davg[st]) / _r.Dstd[st];
                f.H[3 * q] = (w * x / (rp * rp) - _r.Davg[st + 1]) / _r.Dstd[st + 1];
                f.H[3 * q + 1] = (w * y / (rp * rp) - _r.Davg[st + 2]) / _r.Dstd[st + 2];
                f.H[3 * q + 2] = (w * z / (rp * rp) - _r.Davg[st + 3]) / _r.Dstd[st + 3];
                f.Sw[q] = w;
                f.Dist[q] = len;
                if (q - f.EdgeStart[i] < f.AngleCount[i])
                {
                    f.Asw[q] = Switch(len, _r.ARcutSmooth, _r.ARcut).W;
                    var den = len + 1e-6;
                    (f.U[3 * q], f.U[3 * q + 1], f.U[3 * q + 2]) = (x / den, y / den, z / den);
                }
            }
        });
        // Edges naming each atom, ascending (a fixed order for the gathers of the reverse pass).
        f.InStart = new int[nloc + 1];
        foreach (var o in f.EdgeOwner) f.InStart[o + 1]++;
        for (var i = 0; i < nloc; i++) f.InStart[i + 1] += f.InStart[i];
        f.InEdges = new int[E];
        var fill = f.InStart[..nloc];
        for (var q = 0; q < E; q++) f.InEdges[fill[f.EdgeOwner[q]]++] = q;
        return f;
    }

    private (double W, double Dw) Switch(double r, double rs, double rc)
    {
        if (!_r.UseExpSwitch) return ReferenceEvaluator.Switch(r, rs, rc);
        if (r >= rc) r = rc;
        var a = 20 / rs;
        var inner = Math.Exp(a * (r - rs));
        var w = Math.Exp(-inner);
        return (w, r >= rc ? 0 : -w * inner * a);
    }

    /// <summary>The initial edge features of center i: act(embedding(s)) or embedding(|d|).</summary>
    private void EdgeInit(Frame f, int i, T[] e0)
    {
        for (var q = f.EdgeStart[i]; q < f.EdgeStart[i + 1]; q++)
        {
            var x = T.CreateTruncating(_r.EdgeInitUseDist ? f.Dist[q] : f.S[q]);
            var row = e0.AsSpan(q * _edP, _edP);
            for (var c = 0; c < _edP; c++) row[c] = _edgeW[c] * x + _edgeB[c];
            if (!_r.EdgeInitUseDist) Act(_r.Activation, row, row);
        }
    }

    private static readonly double CosScale = (1 - 1e-6) / Math.Sqrt(Math.PI);

    /// <summary>The initial angle features of center i: embedding(cos θ_jk (1 − 10⁻⁶)/√π), rows j·na + k.</summary>
    private void AngleInit(Frame f, int i, Span<T> a)
    {
        int na = f.AngleCount[i], e0 = f.EdgeStart[i];
        for (var j = 0; j < na; j++)
            for (var k = 0; k < na; k++)
            {
                int qj = 3 * (e0 + j), qk = 3 * (e0 + k);
                var cos = T.CreateTruncating((f.U[qj] * f.U[qk] + f.U[qj + 1] * f.U[qk + 1] + f.U[qj + 2] * f.U[qk + 2]) * CosScale);
                var row = a.Slice((j * na + k) * _adP, _adP);
                for (var c = 0; c < _adP; c++) row[c] = _angleW[c] * cos + _angleB[c];
            }
    }

    // ---------------------------------------------------------------- forward

    /// <summary>Per atom: the n_i and n_j parts of the edge linears (Pi with the bias).</summary>
    private void AtomProducts(LayerWeights lw, T[] n, int nloc, T[] pi, T[] pj, ParallelOptions po)
    {
        const int chunk = 32;
        Parallel.For(0, (nloc + chunk - 1) / chunk, po, c =>
        {
            int i0 = c * chunk, m = Math.Min(nloc, i0 + chunk) - i0;
            var x = n.AsSpan(i0 * _ndP);
            lw.Ci.Forward(x, _ndP, pi.AsSpan(i0 * _outCP), _outCP, m, false);
            lw.Cj.Forward(x, _ndP, pj.AsSpan(i0 * _outCP), _outCP, m, false);
            for (var i = 0; i < m; i++) Add(pi.AsSpan((i0 + i) * _outCP, _outCP), lw.Cb);
        });
    }

    /// <summary>
    /// Center i's part of a layer: edge products (message and edge self), symmetrisation sums, and (unless
    /// <paramref name="last"/>) the angle products and the new edges (s.NewE) and angles (in place in <paramref name="a"/>, center i's rows j·na + k).
    /// Leaves in the scratch what the reverse pass needs.
    /// </summary>
    private void CenterForward(Frame f, LayerWeights lw, int i, T[] n, T[] el, T[] pi, T[] pj, Span<T> a, Scratch s, bool last,
        bool writeAngles = true, bool derivative = false)
    {
        int e0 = f.EdgeStart[i], ne = f.EdgeStart[i + 1] - e0, na = f.AngleCount[i];
        var ef = el.AsSpan(e0 * _edP, Math.Max(ne, 1) * _edP);
        var ze = Scratch.Get(ref s.ZE, ne * _outCP);
        var ye = Scratch.Get(ref s.YE, ne * _outCP);
        lw.Ce.Forward(ef, _edP, ze, _outCP, ne, false);
        var pii = pi.AsSpan(i * _outCP, _outCP);
        for (var q = 0; q < ne; q++)
        {
            var row = ze.Slice(q * _outCP, _outCP);
            Add(row, pii);
            Add(row, pj.AsSpan(f.EdgeOwner[e0 + q] * _outCP, _outCP));
        }
        Act(_r.Activation, ze, ye, derivative);
        // message: Σ_q act(z_q)·sw_q / e_norm (heads side by side)
        var sum = Scratch.Get(ref s.Sum, _mndP);
        sum.Clear();
        var inv = 1 / _eNorm;
        for (var q = 0; q < ne; q++) AddScaled(sum[..(_m * _nd)], T.CreateTruncating(f.Sw[e0 + q] * inv), ye.Slice(q * _outCP, _m * _nd));
        // symmetrisation sums hg = Σ_q h_q ⊗ x_q sw_q / √e_norm for the edges and the neighbors' nodes
        var hgE = Scratch.Get(ref s.HgE, 3 * _edP);
        var hgN = Scratch.Get(ref s.HgN, 3 * _ndP);
        hgE.Clear();
        hgN.Clear();
        var rs = 1 / Math.Sqrt(_eNorm);
        for (var q = 0; q < ne; q++)
        {
            var g = e0 + q;
            for (var c = 0; c < 3; c++)
            {
                var h = T.CreateTruncating(f.H[3 * g + c] * f.Sw[g] * rs);
                AddScaled(hgE.Slice(c * _edP, _edP), h, ef.Slice(q * _edP, _edP));
                AddScaled(hgN.Slice(c * _ndP, _ndP), h, n.AsSpan(f.EdgeOwner[g] * _ndP, _ndP));
            }
        }
        if (last) return;

        var newE = Scratch.Get(ref s.NewE, ne * _edP);
        var ec = lw.EdgeCoef;
        for (var q = 0; q < ne; q++)
        {
            var dst = newE.Slice(q * _edP, _edP);
            Mul(dst, ec[0], ef.Slice(q * _edP, _edP));
            AddMul(dst[.._ed], ec[1].AsSpan(0, _ed), ye.Slice(q * _outCP + _m * _nd, _ed));
        }
        if (!_r.UpdateAngle) return;

        AngleFeatures(lw, i, na, n, ef, s, out var ea, out var lda);
        // per-center and per-edge parts of the angle linears
        var c1 = Scratch.Get(ref s.C1, _outAP);
        c1.Clear();
        lw.An!.Forward(s.NodeA, _nAP, c1, _outAP, 1, false);
        Add(c1, lw.AB);
        var k1 = Scratch.Get(ref s.K1, Math.Max(na, 1) * _outAP);
        var j1 = Scratch.Get(ref s.J1, Math.Max(na, 1) * _outAP);
        lw.Ak!.Forward(ea, lda, k1, _outAP, na, false);
        lw.Aj!.Forward(ea, lda, j1, _outAP, na, false);
        var nang = na * na;
        var za = Scratch.Get(ref s.ZA, Math.Max(nang, 1) * _outAP);
        var ya = Scratch.Get(ref s.YA, Math.Max(nang, 1) * _outAP);
        // z_jk = (c1 + j1_j + k1_k) + a_jk·W: the per-edge parts first, the product accumulated onto them
        for (var j = 0; j < na; j++)
        {
            var cj = j1.Slice(j * _outAP, _outAP);
            Add(cj, c1);
            for (var k = 0; k < na; k++) Sum(za.Slice((j * na + k) * _outAP, _outAP), cj, k1.Slice(k * _outAP, _outAP));
        }
        lw.Aa!.Forward(a, _adP, za, _outAP, nang, true);
        Act(_r.Activation, za, ya, derivative);
        // angle → edge: Σ_k act(z1_jk) a_sw_j a_sw_k / √a_norm, then act(linear2(·)); other edges: their own features (non-smooth) or 0
        var red = Scratch.Get(ref s.R, Math.Max(ne, 1) * _edP);
        red.Clear();
        var ra = 1 / Math.Sqrt(_aNorm);
        for (var j = 0; j < na; j++)
        {
            var dst = red.Slice(j * _edP, _edP);
            for (var k = 0; k < na; k++)
                AddScaled(dst[.._ed], T.CreateTruncating(f.Asw[e0 + j] * f.Asw[e0 + k] * ra), ya.Slice((j * na + k) * _outAP, _ed));
        }
        if (!_r.SmoothEdgeUpdate)
            for (var q = na; q < ne; q++) ef.Slice(q * _edP, _edP).CopyTo(red.Slice(q * _edP, _edP));
        var z2 = Scratch.Get(ref s.Z2, Math.Max(ne, 1) * _edP);
        var y2 = Scratch.Get(ref s.Y2, Math.Max(ne, 1) * _edP);
        lw.E2.Forward(red, _edP, z2, _edP, ne, false);
        for (var q = 0; q < ne; q++) Add(z2.Slice(q * _edP, _edP), lw.E2B);
        Act(_r.Activation, z2[..(ne * _edP)], y2, derivative);
        for (var q = 0; q < ne; q++) AddMul(newE.Slice(q * _edP, _edP), ec[2], y2.Slice(q * _edP, _edP));
        if (!writeAngles) return;
        var ac = lw.AngleCoef;
        for (var t = 0; t < nang; t++)
        {
            var row = a.Slice(t * _adP, _adP);
            Mul(row, ac[0], row);
            AddMul(row[.._ad], ac[1].AsSpan(0, _ad), ya.Slice(t * _outAP + _ed, _ad));
        }
    }

    /// <summary>The node and edge features inside the angle message (compressed, split or as they are) into s.NodeA and ea.</summary>
    private void AngleFeatures(LayerWeights lw, int i, int na, T[] n, Span<T> ef, Scratch s, out Span<T> ea, out int lda)
    {
        var nodeA = Scratch.Get(ref s.NodeA, _nAP);
        var ni = n.AsSpan(i * _ndP, _ndP);
        if (lw.Cn is { } cn)
        {
            cn.Forward(ni, _ndP, nodeA, _nAP, 1, false);
            Add(nodeA, lw.CnB);
            var eaBuf = Scratch.Get(ref s.EA, Math.Max(na, 1) * _eAP);
            lw.Cen!.Forward(ef, _edP, eaBuf, _eAP, na, false);
            for (var q = 0; q < na; q++) Add(eaBuf.Slice(q * _eAP, _eAP), lw.CenB);
            ea = eaBuf;
            lda = _eAP;
        }
        else
        {
            nodeA.Clear();
            ni[.._nA].CopyTo(nodeA);
            ea = ef;
            lda = _edP;
        }
    }

    /// <summary>sym = [hgE[:, :axis]ᵀ hgE / 3, hgN[:, :axis]ᵀ hgN / 3] from the scratch's sums.</summary>
    private void Symmetrize(Scratch s, Span<T> sym)
    {
        sym.Clear();
        var third = T.CreateTruncating(1.0 / 3.0);
        for (var p = 0; p < _axis; p++)
            for (var a = 0; a < 3; a++)
            {
                AddScaled(sym.Slice(p * _ed, _ed), s.HgE[a * _edP + p] * third, s.HgE.AsSpan(a * _edP, _ed));
                AddScaled(sym.Slice(_axis * _ed + p * _nd, _nd), s.HgN[a * _ndP + p] * third, s.HgN.AsSpan(a * _ndP, _nd));
            }
    }

    /// <summary>Node update per atom: n' = c0 n + c1 act(self) + c2 act(sym linear) + Σ_h c_{3+h} message_h.</summary>
    private void NodeUpdate(LayerWeights lw, T[] n, T[] sym, T[] msg, T[] zsym, T[] next, int nloc, ParallelOptions po)
    {
        const int chunk = 32;
        Parallel.For(0, (nloc + chunk - 1) / chunk, po, Rent, (c, _, s) =>
        {
            int i0 = c * chunk, m = Math.Min(nloc, i0 + chunk) - i0;
            lw.Sym.Forward(sym.AsSpan(i0 * _symP), _symP, zsym.AsSpan(i0 * _ndP), _ndP, m, false);
            var zs = Scratch.Get(ref s.ZS, m * _ndP);
            lw.Ns.Forward(n.AsSpan(i0 * _ndP), _ndP, zs, _ndP, m, false);
            var row = Scratch.Get(ref s.Row, _ndP);
            var nc = lw.NodeCoef;
            for (var i = 0; i < m; i++)
            {
                var dst = next.AsSpan((i0 + i) * _ndP, _ndP);
                Mul(dst, nc[0], n.AsSpan((i0 + i) * _ndP, _ndP));
                var z = zs.Slice(i * _ndP, _ndP);
                Add(z, lw.NsB);
                Act(_r.Activation, z, row);
                AddMul(dst, nc[1], row);
                var zy = zsym.AsSpan((i0 + i) * _ndP, _ndP);
                Add(zy, lw.SymB);
                Act(_r.Activation, zy, row);
                AddMul(dst, nc[2], row);
                for (var h = 0; h < _m; h++)
                    AddMul(dst[.._nd], nc[3 + h].AsSpan(0, _nd), msg.AsSpan((i0 + i) * _mndP + h * _nd, _nd));
            }
            return s;
        }, Return);
    }

    // ---------------------------------------------------------------- sequential_update

    /// <summary>
    /// edge1 = e + r0 ⊙ act(edge_self_linear([n_i, n_j, e])) for the first <paramref name="count"/> edges of center i from
    /// the layer's node and edge features (the reverse pass's angle chain for sequential_update), into s.E1.
    /// </summary>
    private Span<T> SeqEdge1(Frame f, LayerWeights lw, int i, int count, T[] n, T[] el, Scratch s)
    {
        int e0 = f.EdgeStart[i];
        var ef = el.AsSpan(e0 * _edP, Math.Max(count, 1) * _edP);
        var z = Scratch.Get(ref s.ZN, Math.Max(count, 1) * _outCP);
        var pi = Scratch.Get(ref s.C1, _outCP);
        var nj = Scratch.Get(ref s.Row2, Math.Max(count, 1) * _ndP);
        for (var q = 0; q < count; q++) n.AsSpan(f.EdgeOwner[e0 + q] * _ndP, _ndP).CopyTo(nj.Slice(q * _ndP, _ndP));
        lw.Ci.Forward(n.AsSpan(i * _ndP, _ndP), _ndP, pi, _outCP, 1, false);
        Add(pi, lw.Cb);
        lw.Cj.Forward(nj, _ndP, z, _outCP, count, false);
        lw.Ce.Forward(ef, _edP, z, _outCP, count, true);
        var e1 = Scratch.Get(ref s.E1, Math.Max(count, 1) * _edP);
        var y = Scratch.Get(ref s.Row, _outCP);
        var mnd = _m * _nd;
        for (var q = 0; q < count; q++)
        {
            var row = z.Slice(q * _outCP, _outCP);
            Add(row, pi);
            Act(_r.Activation, row.Slice(mnd, _ed), y[.._ed]);
            var dst = e1.Slice(q * _edP, _edP);
            Mul(dst, lw.EdgeCoef[0], ef.Slice(q * _edP, _edP));
            AddMul(dst[.._ed], lw.EdgeCoef[1].AsSpan(0, _ed), y[.._ed]);
        }
        return e1;
    }

    /// <summary>
    /// DeePMD-kit's sequential repflow layer for center i: edge self update (edge1), the angle update from edge1, the
    /// angle-to-edge message from the updated angles (new edges), then the message and symmetrisation from the new edges.
    /// Leaves in the scratch what the reverse pass needs (with <paramref name="derivative"/> the activation derivatives in
    /// place of the pre-activations); the new edges in s.NewE, the new angles in s.NA (and in <paramref name="a"/> when
    /// <paramref name="writeAngles"/>).
    /// </summary>
    private void SeqForward(Frame f, LayerWeights lw, int i, T[] n, T[] el, T[] pi, T[] pj, Span<T> a, Scratch s, bool writeAngles, bool derivative)
    {
        int e0 = f.EdgeStart[i], ne = f.EdgeStart[i + 1] - e0, na = f.AngleCount[i], nang = na * na, mnd = _m * _nd;
        var ef = el.AsSpan(e0 * _edP, Math.Max(ne, 1) * _edP);
        var ze = Scratch.Get(ref s.ZE, Math.Max(ne, 1) * _outCP);
        var ye = Scratch.Get(ref s.YE, Math.Max(ne, 1) * _outCP);
        lw.Ce.Forward(ef, _edP, ze, _outCP, ne, false);
        var pii = pi.AsSpan(i * _outCP, _outCP);
        var ec = lw.EdgeCoef;
        var e1 = Scratch.Get(ref s.E1, Math.Max(ne, 1) * _edP);
        for (var q = 0; q < ne; q++)
        {
            var row = ze.Slice(q * _outCP, _outCP);
            Add(row, pii);
            Add(row, pj.AsSpan(f.EdgeOwner[e0 + q] * _outCP, _outCP));
            Act(_r.Activation, row.Slice(mnd, _ed), ye.Slice(q * _outCP + mnd, _ed), derivative);
            var dst = e1.Slice(q * _edP, _edP);
            Mul(dst, ec[0], ef.Slice(q * _edP, _edP));
            AddMul(dst[.._ed], ec[1].AsSpan(0, _ed), ye.Slice(q * _outCP + mnd, _ed));
        }
        AngleFeatures(lw, i, na, n, e1, s, out var ea, out var lda);
        // angle self on the layer's angles
        var c = Scratch.Get(ref s.C1, _asP);
        c.Clear();
        lw.Sn!.Forward(s.NodeA, _nAP, c, _asP, 1, false);
        Add(c, lw.SB);
        var k1 = Scratch.Get(ref s.K1, Math.Max(na, 1) * _asP);
        var j1 = Scratch.Get(ref s.J1, Math.Max(na, 1) * _asP);
        lw.Sk!.Forward(ea, lda, k1, _asP, na, false);
        lw.Sj!.Forward(ea, lda, j1, _asP, na, false);
        var zas = Scratch.Get(ref s.ZAS, Math.Max(nang, 1) * _asP);
        var yas = Scratch.Get(ref s.YAS, Math.Max(nang, 1) * _asP);
        for (var j = 0; j < na; j++)
        {
            var cj = j1.Slice(j * _asP, _asP);
            Add(cj, c);
            for (var k = 0; k < na; k++) Sum(zas.Slice((j * na + k) * _asP, _asP), cj, k1.Slice(k * _asP, _asP));
        }
        lw.Sa!.Forward(a, _adP, zas, _asP, nang, true);
        Act(_r.Activation, zas[..(nang * _asP)], yas, derivative);
        var na2 = Scratch.Get(ref s.NA, (nang + 1) * _adP);
        var ac = lw.AngleCoef;
        for (var t = 0; t < nang; t++)
        {
            var dst = na2.Slice(t * _adP, _adP);
            Mul(dst, ac[0], a.Slice(t * _adP, _adP));
            AddMul(dst[.._ad], ac[1].AsSpan(0, _ad), yas.Slice(t * _asP, _ad));
        }
        if (writeAngles) na2[..(nang * _adP)].CopyTo(a);
        // angle → edge message from the updated angles
        var edP = P(_ed);
        var c1 = Scratch.Get(ref s.Tmp, edP);
        c1.Clear();
        lw.Ln!.Forward(s.NodeA, _nAP, c1, edP, 1, false);
        Add(c1, lw.LB);
        var k2 = Scratch.Get(ref s.SK, Math.Max(na, 1) * edP);
        var j2 = Scratch.Get(ref s.SJ, Math.Max(na, 1) * edP);
        lw.Lk!.Forward(ea, lda, k2, edP, na, false);
        lw.Lj!.Forward(ea, lda, j2, edP, na, false);
        var z1 = Scratch.Get(ref s.Z1, Math.Max(nang, 1) * edP);
        var y1 = Scratch.Get(ref s.Y1, Math.Max(nang, 1) * edP);
        for (var j = 0; j < na; j++)
        {
            var cj = j2.Slice(j * edP, edP);
            Add(cj, c1);
            for (var k = 0; k < na; k++) Sum(z1.Slice((j * na + k) * edP, edP), cj, k2.Slice(k * edP, edP));
        }
        lw.La!.Forward(na2, _adP, z1, edP, nang, true);
        Act(_r.Activation, z1[..(nang * edP)], y1, derivative);
        var red = Scratch.Get(ref s.R, Math.Max(ne, 1) * _edP);
        red.Clear();
        var ra = 1 / Math.Sqrt(_aNorm);
        for (var j = 0; j < na; j++)
        {
            var dst = red.Slice(j * _edP, _edP);
            for (var k = 0; k < na; k++)
                AddScaled(dst[.._ed], T.CreateTruncating(f.Asw[e0 + j] * f.Asw[e0 + k] * ra), y1.Slice((j * na + k) * edP, _ed));
        }
        if (!_r.SmoothEdgeUpdate)
            for (var q = na; q < ne; q++) e1.Slice(q * _edP, _edP).CopyTo(red.Slice(q * _edP, _edP));
        var z2 = Scratch.Get(ref s.Z2, Math.Max(ne, 1) * _edP);
        var y2 = Scratch.Get(ref s.Y2, Math.Max(ne, 1) * _edP);
        lw.E2.Forward(red, _edP, z2, _edP, ne, false);
        for (var q = 0; q < ne; q++) Add(z2.Slice(q * _edP, _edP), lw.E2B);
        Act(_r.Activation, z2[..(ne * _edP)], y2, derivative);
        var newE = Scratch.Get(ref s.NewE, Math.Max(ne, 1) * _edP);
        for (var q = 0; q < ne; q++)
        {
            var dst = newE.Slice(q * _edP, _edP);
            e1.Slice(q * _edP, _edP).CopyTo(dst);
            AddMul(dst, ec[2], y2.Slice(q * _edP, _edP));
        }
        // message from the new edges: the node_edge_linear columns of [n_i, n_j, e']·W
        var zn = Scratch.Get(ref s.ZN, Math.Max(ne, 1) * _outCP);
        lw.Ce.Forward(newE, _edP, zn, _outCP, ne, false);
        for (var q = 0; q < ne; q++)
        {
            var row = zn.Slice(q * _outCP, _outCP);
            Add(row, pii);
            Add(row, pj.AsSpan(f.EdgeOwner[e0 + q] * _outCP, _outCP));
            row[..mnd].CopyTo(ze.Slice(q * _outCP, mnd));
            Act(_r.Activation, ze.Slice(q * _outCP, mnd), ye.Slice(q * _outCP, mnd), derivative);
        }
        var sum = Scratch.Get(ref s.Sum, _mndP);
        sum.Clear();
        var inv = 1 / _eNorm;
        for (var q = 0; q < ne; q++) AddScaled(sum[..mnd], T.CreateTruncating(f.Sw[e0 + q] * inv), ye.Slice(q * _outCP, mnd));
        // symmetrisation over the new edges and the neighbors' nodes
        var hgE = Scratch.Get(ref s.HgE, 3 * _edP);
        var hgN = Scratch.Get(ref s.HgN, 3 * _ndP);
        hgE.Clear();
        hgN.Clear();
        var rs = 1 / Math.Sqrt(_eNorm);
        for (var q = 0; q < ne; q++)
        {
            var g = e0 + q;
            for (var d = 0; d < 3; d++)
            {
                var h = T.CreateTruncating(f.H[3 * g + d] * f.Sw[g] * rs);
                AddScaled(hgE.Slice(d * _edP, _edP), h, newE.Slice(q * _edP, _edP));
                AddScaled(hgN.Slice(d * _ndP, _ndP), h, n.AsSpan(f.EdgeOwner[g] * _ndP, _ndP));
            }
        }
    }

    /// <summary>The reverse of <see cref="SeqForward"/> for center i (after it ran with derivatives on the recomputed angles).</summary>
    private void SeqBackward(Frame f, LayerWeights lw, int i, T[] n, T[] el, Scratch s,
        T[] dE, T[] dAall, T[] dNl, T[] dz, T[] dPi, T[] dsym, T[] dmsg, T[] dhgN, double[] gH, double[] gSw, double[] gAsw)
    {
        int e0 = f.EdgeStart[i], ne = f.EdgeStart[i + 1] - e0, na = f.AngleCount[i], nang = na * na, mnd = _m * _nd;
        var edP = P(_ed);
        var ec = lw.EdgeCoef;
        var ac = lw.AngleCoef;
        var ef = el.AsSpan(e0 * _edP, Math.Max(ne, 1) * _edP);
        var newE = s.NewE;
        var dEi = dE.AsSpan(e0 * _edP, Math.Max(ne, 1) * _edP);
        var dNi = dNl.AsSpan(i * _ndP, _ndP);
        // 1. node updates from the new edges: message part of ∂/∂z, and ∂/∂e' = dE^{l+1} + message + symmetrisation
        var dYE = Scratch.Get(ref s.dYE, Math.Max(ne, 1) * _outCP);
        var dmi = dmsg.AsSpan(i * _mndP, _mndP);
        var inv = 1 / _eNorm;
        for (var q = 0; q < ne; q++)
        {
            var row = dYE.Slice(q * _outCP, _outCP);
            row.Clear();
            AddScaled(row[..mnd], T.CreateTruncating(f.Sw[e0 + q] * inv), dmi[..mnd]);
            Mul(row[..mnd], s.ZE.AsSpan(q * _outCP, mnd), row[..mnd]);
            gSw[e0 + q] += double.CreateTruncating(Dot(s.YE.AsSpan(q * _outCP, mnd), dmi, mnd)) * inv;
        }
        var dNew = Scratch.Get(ref s.dNew, Math.Max(ne, 1) * _edP);
        dEi[..(ne * _edP)].CopyTo(dNew);
        lw.Ce.Backward(dYE, _outCP, dNew, _edP, ne, true);
        SymBackward(f, i, n, newE, dNew, s, dsym, dhgN, gH, gSw);
        // 2.–3. e' = edge1 + r1 ⊙ act(linear2(reduced)); the message from the updated angles
        var dE1 = Scratch.Get(ref s.dEF, Math.Max(ne, 1) * _edP);
        dNew[..(ne * _edP)].CopyTo(dE1);
        var dZ2 = Scratch.Get(ref s.Y2, Math.Max(ne, 1) * _edP);
        for (var q = 0; q < ne; q++) Mul(dZ2.Slice(q * _edP, _edP), ec[2], dNew.Slice(q * _edP, _edP));
        Mul(dZ2[..(ne * _edP)], s.Z2.AsSpan(0, ne * _edP), dZ2[..(ne * _edP)]);
        var dR = Scratch.Get(ref s.dR, Math.Max(ne, 1) * _edP);
        lw.E2.Backward(dZ2, _edP, dR, _edP, ne, false);
        if (!_r.SmoothEdgeUpdate)
            for (var q = na; q < ne; q++) Add(dE1.Slice(q * _edP, _edP), dR.Slice(q * _edP, _edP));
        var ra = T.CreateTruncating(1 / Math.Sqrt(_aNorm));
        var dZ1 = Scratch.Get(ref s.Z1, Math.Max(nang, 1) * edP); // in place of the derivatives
        var dswp = Scratch.Get(ref s.DSwp, Math.Max(nang, 1));
        for (var j = 0; j < na; j++)
            for (var k = 0; k < na; k++)
            {
                var t = j * na + k;
                var dm = dR.Slice(j * _edP, _ed);
                dswp[t] = double.CreateTruncating(Dot(s.Y1.AsSpan(t * edP, _ed), dm, _ed) * ra);
                var row = dZ1.Slice(t * edP, edP);
                var scale = T.CreateTruncating(f.Asw[e0 + j] * f.Asw[e0 + k]) * ra;
                for (var c = 0; c < _ed; c++) row[c] *= scale * dm[c];
                row[_ed..].Clear();
            }
        for (var j = 0; j < na; j++)
            for (var k = 0; k < na; k++)
            {
                gAsw[e0 + j] += dswp[j * na + k] * f.Asw[e0 + k];
                gAsw[e0 + k] += dswp[j * na + k] * f.Asw[e0 + j];
            }
        // ∂/∂a' (updated angles) = dA^{l+1} + linear1's part
        var dA = dAall.AsSpan((int)(f.AngleOffset[i] * _adP), (nang + 1) * _adP);
        var dNA = Scratch.Get(ref s.dNA, (nang + 1) * _adP);
        dA[..(nang * _adP)].CopyTo(dNA);
        lw.La!.Backward(dZ1, edP, dNA, _adP, nang, true);
        var dNodeA = Scratch.Get(ref s.dNodeA, _nAP);
        var dEA = Scratch.Get(ref s.dEA, Math.Max(na, 1) * _eAP);
        dNodeA.Clear();
        if (na > 0) dEA[..(na * _eAP)].Clear();
        AnglePartsBackward(lw.Ln!, lw.Lk!, lw.Lj!, dZ1, edP, na, dNodeA, dEA, s);
        // 4. a' = c0 ⊙ a + c1 ⊙ act(angle_self(·))
        var dZS = Scratch.Get(ref s.ZAS, Math.Max(nang, 1) * _asP); // in place of the derivatives
        for (var t = 0; t < nang; t++)
        {
            var g = dNA.Slice(t * _adP, _adP);
            var row = dZS.Slice(t * _asP, _asP);
            var tmp = Scratch.Get(ref s.Row, _asP);
            Mul(tmp[.._ad], ac[1].AsSpan(0, _ad), g[.._ad]);
            Mul(row[.._ad], row[.._ad], tmp[.._ad]);
            row[_ad..].Clear();
            Mul(dA.Slice(t * _adP, _adP), ac[0], g);
        }
        lw.Sa!.Backward(dZS, _asP, dA, _adP, nang, true);
        AnglePartsBackward(lw.Sn!, lw.Sk!, lw.Sj!, dZS, _asP, na, dNodeA, dEA, s);
        // 5. the node and edge1 features inside the angle message
        if (lw.Cn is { } cn)
        {
            lw.Cen!.Backward(dEA, _eAP, dE1, _edP, na, true);
            var tmp = Scratch.Get(ref s.Row, _ndP);
            cn.Backward(dNodeA, _nAP, tmp, _ndP, 1, false);
            Add(dNi, tmp);
        }
        else
        {
            for (var q = 0; q < na; q++) Add(dE1.Slice(q * _edP, _eA), dEA.Slice(q * _eAP, _eA));
            Add(dNi[.._nA], dNodeA[.._nA]);
        }
        // 6. edge1 = c0 ⊙ e + c1 ⊙ act(edge_self([n_i, n_j, e]))
        var dEF = Scratch.Get(ref s.Tmp, Math.Max(ne, 1) * _edP);
        for (var q = 0; q < ne; q++)
        {
            var g = dE1.Slice(q * _edP, _edP);
            Mul(dEF.Slice(q * _edP, _edP), ec[0], g);
            var row = dYE.Slice(q * _outCP, _outCP);
            Mul(row.Slice(mnd, _ed), ec[1].AsSpan(0, _ed), g[.._ed]);
            Mul(row.Slice(mnd, _ed), s.ZE.AsSpan(q * _outCP + mnd, _ed), row.Slice(mnd, _ed));
        }
        // 7. ∂/∂z of both linears (for the node parts), the edge part of edge_self_linear
        dYE[..(ne * _outCP)].CopyTo(dz.AsSpan(e0 * _outCP, ne * _outCP));
        var dpi = dPi.AsSpan(i * _outCP, _outCP);
        dpi.Clear();
        for (var q = 0; q < ne; q++)
        {
            var row = dYE.Slice(q * _outCP, _outCP);
            Add(dpi, row);
            row[..mnd].Clear();
        }
        lw.Ce.Backward(dYE, _outCP, dEF, _edP, ne, true);
        dEF[..(ne * _edP)].CopyTo(dEi);
    }

    /// <summary>∂/∂nodeA and ∂/∂edgeA (added) from ∂/∂z of a linear over [a_jk, nodeA, edgeA_k, edgeA_j].</summary>
    private void AnglePartsBackward(Dpa3Kernels<T>.Block bn, Dpa3Kernels<T>.Block bk, Dpa3Kernels<T>.Block bj, Span<T> dz, int ld, int na,
        Span<T> dNodeA, Span<T> dEA, Scratch s)
    {
        var sk = Scratch.Get(ref s.SK, Math.Max(na, 1) * ld);
        var sj = Scratch.Get(ref s.SJ, Math.Max(na, 1) * ld);
        var sall = Scratch.Get(ref s.C1, ld);
        sk.Clear();
        sj.Clear();
        sall.Clear();
        for (var j = 0; j < na; j++)
            for (var k = 0; k < na; k++)
            {
                var row = dz.Slice((j * na + k) * ld, ld);
                Add(sk.Slice(k * ld, ld), row);
                Add(sj.Slice(j * ld, ld), row);
            }
        for (var j = 0; j < na; j++) Add(sall, sj.Slice(j * ld, ld));
        bn.Backward(sall, ld, dNodeA, _nAP, 1, true);
        bk.Backward(sk, ld, dEA, _eAP, na, true);
        bj.Backward(sj, ld, dEA, _eAP, na, true);
    }

    /// <summary>
    /// The symmetrisation's reverse for center i over edge features <paramref name="x"/>: into <paramref name="dx"/>, the
    /// geometry gradients, and the node part (dhgN) for the gather.
    /// </summary>
    private void SymBackward(Frame f, int i, T[] n, Span<T> x, Span<T> dx, Scratch s, T[] dsym, T[] dhgN, double[] gH, double[] gSw)
    {
        int e0 = f.EdgeStart[i], ne = f.EdgeStart[i + 1] - e0;
        var dsE = dsym.AsSpan(i * _symP, _axis * _ed);
        var dsN = dsym.AsSpan(i * _symP + _axis * _ed, _axis * _nd);
        var hgE = s.HgE;
        var hgN = s.HgN;
        var dhgE = Scratch.Get(ref s.DHgE, 3 * _edP);
        var dhN = dhgN.AsSpan(i * 3 * _ndP, 3 * _ndP);
        dhgE.Clear();
        dhN.Clear();
        var third = T.CreateTruncating(1.0 / 3.0);
        for (var a = 0; a < 3; a++)
            for (var p = 0; p < _axis; p++)
            {
                AddScaled(dhgE.Slice(a * _edP, _ed), hgE[a * _edP + p] * third, dsE.Slice(p * _ed, _ed));
                dhgE[a * _edP + p] += Dot(hgE.AsSpan(a * _edP), dsE.Slice(p * _ed), _ed) * third;
                AddScaled(dhN.Slice(a * _ndP, _nd), hgN[a * _ndP + p] * third, dsN.Slice(p * _nd, _nd));
                dhN[a * _ndP + p] += Dot(hgN.AsSpan(a * _ndP), dsN.Slice(p * _nd), _nd) * third;
            }
        var rs = 1 / Math.Sqrt(_eNorm);
        for (var q = 0; q < ne; q++)
        {
            var g = e0 + q;
            var sw = f.Sw[g];
            var xe = x.Slice(q * _edP, _edP);
            var xn = n.AsSpan(f.EdgeOwner[g] * _ndP, _ndP);
            var dsw = 0.0;
            for (var a = 0; a < 3; a++)
            {
                var t = double.CreateTruncating(Dot(dhgE.Slice(a * _edP), xe, _ed) + Dot(dhN.Slice(a * _ndP), xn, _nd)) * rs;
                gH[3 * g + a] += t * sw;
                dsw += t * f.H[3 * g + a];
                AddScaled(dx.Slice(q * _edP, _edP), T.CreateTruncating(f.H[3 * g + a] * sw * rs), dhgE.Slice(a * _edP, _edP));
            }
            gSw[g] += dsw;
        }
    }

    // ---------------------------------------------------------------- fitting

    private void Fit(int[] types, T[] node, int nloc, double[]? fparam, EvaluationOptions options, double[] atomEnergy, double[] descGrad,
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
        Parallel.For(0, batches.Count, po, Rent, (b, _, s) =>
        {
            var centers = batches[b];
            var ti = types[centers[0]];
            var net = _fitting[ti];
            if (net is null)
            {
                errors[b] = new UserInputException($"the model has no fitting net for type '{Model.TypeMap.Names[ti]}'", Model.Source);
                return s;
            }
            var ld = P(centers.Length);
            var x = Scratch.Get(ref s.Fx, nin * ld);
            x.Clear();
            var input = new double[nin];
            for (var c = 0; c < centers.Length; c++)
            {
                var i = centers[c];
                for (var k = 0; k < _nd; k++) input[k] = double.CreateTruncating(node[i * _ndP + k]);
                if (_spec.ConcatOutputTebd)
                {
                    var row = _spec.TypeEmbedding.Row(ti);
                    for (var k = 0; k < row.Length; k++) input[_nd + k] = row[k];
                }
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
            var output = Scratch.Get(ref s.Fo, ld);
            var saved = Scratch.Get(ref s.Fs, net.ActivationFloats * ld);
            var scratch = Scratch.Get(ref s.Fsc, 3 * net.MaxWidth * ld);
            net.Forward(x, output, ld, saved, scratch);
            for (var c = 0; c < centers.Length; c++)
                atomEnergy[centers[c]] = double.CreateTruncating(output[c]) + fitting.BiasAtomE[ti] + Model.OutBias[ti];
            for (var c = 0; c < ld; c++)
                output[c] = c >= centers.Length ? T.Zero : options.CenterWeights is { } w ? T.CreateTruncating(w[centers[c]]) : T.One;
            var grad = Scratch.Get(ref s.Fg, nin * ld);
            net.Backward(output, grad, ld, saved, scratch);
            for (var c = 0; c < centers.Length; c++)
                for (var k = 0; k < ds; k++) descGrad[centers[c] * ds + k] = double.CreateTruncating(grad[k * ld + c]);
            return s;
        }, Return);
        if (Array.Find(errors, e => e is not null) is { } first) throw first;
    }

    // ---------------------------------------------------------------- reverse

    /// <summary>The reverse pass from ∂E/∂descriptor (<paramref name="seed"/>) to ∂E/∂d per list entry, added into (gx, gy, gz).</summary>
    private void Backward(Frame f, T[][] nodes, T[][] edges, T[][] zsym, T[] dA, double[] seed, int nloc, ParallelOptions po,
        double[] gx, double[] gy, double[] gz, Pool pool)
    {
        var L = _layers.Length;
        var ds = _spec.OutputSize;
        var E = f.E;
        var dN = pool.Get<T>("dN", nloc * _ndP, clear: true);
        for (var i = 0; i < nloc; i++)
            for (var k = 0; k < _nd; k++) dN[i * _ndP + k] = T.CreateTruncating(seed[i * ds + k]);
        var dNl = pool.Get<T>("dNl", nloc * _ndP, clear: true);
        var dE = pool.Get<T>("dE", (E + 1L) * _edP, clear: _r.SequentialUpdate); // sequential: the last layer reads dE^L = 0
        if (dA.Length > 0) Array.Clear(dA);
        var dz = pool.Get<T>("dz", (E + 1L) * _outCP);
        var dPi = pool.Get<T>("dPi", nloc * _outCP);
        var dsym = pool.Get<T>("dsym", nloc * _symP);
        var dmsg = pool.Get<T>("dmsg", nloc * _mndP);
        var dhgN = pool.Get<T>("dhgN", nloc * 3 * _ndP);
        var pi = pool.Get<T>("pi", nloc * _outCP);
        var pj = pool.Get<T>("pj", nloc * _outCP);
        // geometry gradients per edge (double, owned by the edge's center)
        var gH = pool.Get<double>("gH", 3 * E, clear: true);
        var gSw = pool.Get<double>("gSw", E, clear: true);
        var gAsw = pool.Get<double>("gAsw", E, clear: true);
        for (var l = L - 1; l >= 0; l--)
        {
            var lw = _layers[l];
            var last = l == L - 1;
            var n = nodes[l];
            NodeBackward(lw, n, zsym[l], dN, dNl, dsym, dmsg, nloc, po);
            AtomProducts(lw, n, nloc, pi, pj, po);
            var el = edges[l];
            var ll = l;
            ForCenters(nloc, po, (i, s) =>
            {
                if (_r.SequentialUpdate)
                {
                    RecomputeAngles(f, i, nodes, edges, ll, s);
                    var nang = f.AngleCount[i] * f.AngleCount[i];
                    SeqForward(f, lw, i, n, el, pi, pj, s.A.AsSpan(0, (nang + 1) * _adP), s, writeAngles: false, derivative: true);
                    SeqBackward(f, lw, i, n, el, s, dE, dA, dNl, dz, dPi, dsym, dmsg, dhgN, gH, gSw, gAsw);
                    return;
                }
                if (_r.UpdateAngle && !last) RecomputeAngles(f, i, nodes, edges, ll, s);
                CenterBackward(f, lw, i, n, el, pi, pj, s, last, dE, dA, dNl, dz, dPi, dsym, dmsg, dhgN, gH, gSw, gAsw);
            });
            GatherNodeGradients(f, lw, dNl, dz, dPi, dhgN, nloc, po);
            (dN, dNl) = (dNl, dN);
        }
        // layer 0's inputs: the edge and angle embeddings, then the geometry, per center
        ForCenters(nloc, po, (i, s) => Geometry(f, i, dE, dA, gH, gSw, gAsw, gx, gy, gz));
    }

    /// <summary>Per atom: the node update's reverse (self MLP, sym linear, message heads), dN^l's own part.</summary>
    private void NodeBackward(LayerWeights lw, T[] n, T[] zsym, T[] dN, T[] dNl, T[] dsym, T[] dmsg, int nloc, ParallelOptions po)
    {
        const int chunk = 32;
        Parallel.For(0, (nloc + chunk - 1) / chunk, po, Rent, (c, _, s) =>
        {
            int i0 = c * chunk, m = Math.Min(nloc, i0 + chunk) - i0;
            var zs = Scratch.Get(ref s.ZS, m * _ndP);
            lw.Ns.Forward(n.AsSpan(i0 * _ndP), _ndP, zs, _ndP, m, false);
            var dzy = Scratch.Get(ref s.Row2, m * _ndP);
            var nc = lw.NodeCoef;
            for (var i = 0; i < m; i++)
            {
                var g = dN.AsSpan((i0 + i) * _ndP, _ndP);
                Mul(dNl.AsSpan((i0 + i) * _ndP, _ndP), nc[0], g);
                var z = zs.Slice(i * _ndP, _ndP);
                Add(z, lw.NsB);
                var dzs = Scratch.Get(ref s.Row, _ndP);
                Mul(dzs, nc[1], g);
                ActBack(_r.Activation, z, dzs);
                dzs.CopyTo(z); // zs now holds ∂/∂z of the self MLP
                var dy = dzy.Slice(i * _ndP, _ndP);
                Mul(dy, nc[2], g);
                ActBack(_r.Activation, zsym.AsSpan((i0 + i) * _ndP, _ndP), dy);
                var dm = dmsg.AsSpan((i0 + i) * _mndP, _mndP);
                dm.Clear();
                for (var h = 0; h < _m; h++) Mul(dm.Slice(h * _nd, _nd), nc[3 + h].AsSpan(0, _nd), g[.._nd]);
            }
            lw.Ns.Backward(zs, _ndP, dNl.AsSpan(i0 * _ndP), _ndP, m, true);
            lw.Sym.Backward(dzy, _ndP, dsym.AsSpan(i0 * _symP), _symP, m, false);
            return s;
        }, Return);
    }

    /// <summary>Center i's angle features at the input of layer <paramref name="l"/> (into s.A), from the geometry and the kept node/edge features.</summary>
    private void RecomputeAngles(Frame f, int i, T[][] nodes, T[][] edges, int l, Scratch s)
    {
        int na = f.AngleCount[i], nang = na * na, e0 = f.EdgeStart[i];
        var a = Scratch.Get(ref s.A, (nang + 1) * _adP);
        AngleInit(f, i, a);
        var zs = Scratch.Get(ref s.ZS, Math.Max(nang, 1) * _asP);
        for (var m = 0; m < l; m++)
        {
            var lw = _layers[m];
            var ef = _r.SequentialUpdate ? SeqEdge1(f, lw, i, na, nodes[m], edges[m], s)
                : edges[m].AsSpan(e0 * _edP, Math.Max(f.EdgeStart[i + 1] - e0, 1) * _edP);
            AngleFeatures(lw, i, na, nodes[m], ef, s, out var ea, out var lda);
            var c1 = Scratch.Get(ref s.C1, _asP);
            c1.Clear();
            lw.Sn!.Forward(s.NodeA, _nAP, c1, _asP, 1, false);
            Add(c1, lw.SB);
            var k1 = Scratch.Get(ref s.K1, Math.Max(na, 1) * _asP);
            var j1 = Scratch.Get(ref s.J1, Math.Max(na, 1) * _asP);
            lw.Sk!.Forward(ea, lda, k1, _asP, na, false);
            lw.Sj!.Forward(ea, lda, j1, _asP, na, false);
            for (var j = 0; j < na; j++)
            {
                var cj = j1.Slice(j * _asP, _asP);
                Add(cj, c1);
                for (var k = 0; k < na; k++) Sum(zs.Slice((j * na + k) * _asP, _asP), cj, k1.Slice(k * _asP, _asP));
            }
            lw.Sa!.Forward(a, _adP, zs, _asP, nang, true);
            var yz = Scratch.Get(ref s.Y2, Math.Max(nang, 1) * _asP);
            Act(_r.Activation, zs[..(nang * _asP)], yz);
            var ac = lw.AngleCoef;
            for (var t = 0; t < nang; t++)
            {
                var dst = a.Slice(t * _adP, _adP);
                Mul(dst, ac[0], dst);
                AddMul(dst, ac[1], yz.Slice(t * _asP, _asP));
            }
        }
    }

    private void CenterBackward(Frame f, LayerWeights lw, int i, T[] n, T[] el, T[] pi, T[] pj, Scratch s, bool last,
        T[] dE, T[] dAall, T[] dNl, T[] dz, T[] dPi, T[] dsym, T[] dmsg, T[] dhgN, double[] gH, double[] gSw, double[] gAsw)
    {
        int e0 = f.EdgeStart[i], ne = f.EdgeStart[i + 1] - e0, na = f.AngleCount[i], nang = na * na;
        // the forward of this layer for center i (angles from the recomputed chain in s.A), nothing written
        CenterForward(f, lw, i, n, el, pi, pj, _r.UpdateAngle && !last ? s.A.AsSpan(0, (nang + 1) * _adP) : [], s, last, writeAngles: false, derivative: true);
        var ef = el.AsSpan(e0 * _edP, Math.Max(ne, 1) * _edP);
        var dEi = dE.AsSpan(e0 * _edP, Math.Max(ne, 1) * _edP);
        var dEF = Scratch.Get(ref s.dEF, Math.Max(ne, 1) * _edP);
        var dYE = Scratch.Get(ref s.dYE, Math.Max(ne, 1) * _outCP);
        var ec = lw.EdgeCoef;
        var ya = s.YA;
        if (last) dEF.Clear();
        else
        {
            for (var q = 0; q < ne; q++)
            {
                var g = dEi.Slice(q * _edP, _edP);
                Mul(dEF.Slice(q * _edP, _edP), ec[0], g);
                Mul(dYE.Slice(q * _outCP + _m * _nd, _ed), ec[1].AsSpan(0, _ed), g[.._ed]);
            }
        }
        var dNi = dNl.AsSpan(i * _ndP, _ndP);
        if (_r.UpdateAngle && !last)
        {
            // edge_angle = act(linear2(reduced))
            var dR = Scratch.Get(ref s.dR, Math.Max(ne, 1) * _edP);
            var dZ2 = Scratch.Get(ref s.Y2, Math.Max(ne, 1) * _edP);
            for (var q = 0; q < ne; q++) Mul(dZ2.Slice(q * _edP, _edP), ec[2], dEi.Slice(q * _edP, _edP));
            Mul(dZ2[..(ne * _edP)], s.Z2.AsSpan(0, ne * _edP), dZ2[..(ne * _edP)]);
            lw.E2.Backward(dZ2, _edP, dR, _edP, ne, false);
            if (!_r.SmoothEdgeUpdate)
                for (var q = na; q < ne; q++) Add(dEF.Slice(q * _edP, _edP), dR.Slice(q * _edP, _edP));
            // angle rows: [∂/∂z1 (ed) | ∂/∂z_self (ad)]
            var dA = dAall.AsSpan((int)(f.AngleOffset[i] * _adP), Math.Max(nang, 1) * _adP);
            var dZA = Scratch.Get(ref s.ZS, Math.Max(nang, 1) * _outAP);
            var dswp = Scratch.Get(ref s.DSwp, Math.Max(nang, 1));
            var ra = T.CreateTruncating(1 / Math.Sqrt(_aNorm));
            var ac = lw.AngleCoef;
            for (var j = 0; j < na; j++)
                for (var k = 0; k < na; k++)
                {
                    var t = j * na + k;
                    var row = dZA.Slice(t * _outAP, _outAP);
                    var dm = dR.Slice(j * _edP, _ed);
                    dswp[t] = double.CreateTruncating(Dot(ya.AsSpan(t * _outAP, _ed), dm, _ed) * ra);
                    var swp = T.CreateTruncating(f.Asw[e0 + j] * f.Asw[e0 + k]) * ra;
                    row.Clear();
                    AddScaled(row[.._ed], swp, dm);
                    var ga = dA.Slice(t * _adP, _adP);
                    Mul(row.Slice(_ed, _ad), ac[1].AsSpan(0, _ad), ga[.._ad]);
                    Mul(ga, ac[0], ga);
                }
            Mul(dZA[..(nang * _outAP)], s.ZA.AsSpan(0, nang * _outAP), dZA[..(nang * _outAP)]);
            lw.Aa!.Backward(dZA, _outAP, dA, _adP, nang, true);
            for (var j = 0; j < na; j++)
                for (var k = 0; k < na; k++)
                {
                    gAsw[e0 + j] += dswp[j * na + k] * f.Asw[e0 + k];
                    gAsw[e0 + k] += dswp[j * na + k] * f.Asw[e0 + j];
                }
            // sums over k (edge j's part), over j (edge k's part) and over all (the node part)
            var sk = Scratch.Get(ref s.SK, Math.Max(na, 1) * _outAP);
            var sj = Scratch.Get(ref s.SJ, Math.Max(na, 1) * _outAP);
            var sall = Scratch.Get(ref s.C1, _outAP);
            sk.Clear();
            sj.Clear();
            sall.Clear();
            for (var j = 0; j < na; j++)
                for (var k = 0; k < na; k++)
                {
                    var row = dZA.Slice((j * na + k) * _outAP, _outAP);
                    Add(sk.Slice(k * _outAP, _outAP), row);
                    Add(sj.Slice(j * _outAP, _outAP), row);
                }
            for (var j = 0; j < na; j++) Add(sall, sj.Slice(j * _outAP, _outAP));
            var dNodeA = Scratch.Get(ref s.dNodeA, _nAP);
            lw.An!.Backward(sall, _outAP, dNodeA, _nAP, 1, false);
            var dEA = Scratch.Get(ref s.dEA, Math.Max(na, 1) * _eAP);
            lw.Ak!.Backward(sk, _outAP, dEA, _eAP, na, false);
            lw.Aj!.Backward(sj, _outAP, dEA, _eAP, na, true);
            if (lw.Cn is { } cn)
            {
                lw.Cen!.Backward(dEA, _eAP, dEF, _edP, na, true);
                var tmp = Scratch.Get(ref s.Row, _ndP);
                cn.Backward(dNodeA, _nAP, tmp, _ndP, 1, false);
                Add(dNi, tmp);
            }
            else
            {
                for (var q = 0; q < na; q++) Add(dEF.Slice(q * _edP, _eA), dEA.Slice(q * _eAP, _eA));
                Add(dNi[.._nA], dNodeA[.._nA]);
            }
        }
        // message and edge self: ∂/∂z of [n_i, n_j, e_ij]·W
        var dmi = dmsg.AsSpan(i * _mndP, _mndP);
        var inv = 1 / _eNorm;
        var ye = s.YE;
        var mnd = _m * _nd;
        for (var q = 0; q < ne; q++)
        {
            var row = dYE.Slice(q * _outCP, _outCP);
            var sw = f.Sw[e0 + q];
            row[..mnd].Clear();
            AddScaled(row[..mnd], T.CreateTruncating(sw * inv), dmi[..mnd]);
            if (last) row.Slice(mnd).Clear();
            else row.Slice(mnd + _ed).Clear();
            gSw[e0 + q] += double.CreateTruncating(Dot(ye.AsSpan(q * _outCP, mnd), dmi, mnd)) * inv;
        }
        Mul(dYE[..(ne * _outCP)], s.ZE.AsSpan(0, ne * _outCP), dYE[..(ne * _outCP)]);
        dYE[..(ne * _outCP)].CopyTo(dz.AsSpan(e0 * _outCP, ne * _outCP));
        var dpi = dPi.AsSpan(i * _outCP, _outCP);
        dpi.Clear();
        for (var q = 0; q < ne; q++) Add(dpi, dYE.Slice(q * _outCP, _outCP));
        lw.Ce.Backward(dYE, _outCP, dEF, _edP, ne, true);
        SymBackward(f, i, n, ef, dEF, s, dsym, dhgN, gH, gSw);
        dEF[..(ne * _edP)].CopyTo(dEi);
    }

    /// <summary>dN^l_j += (∂/∂Pi_j)·Ciᵀ + (Σ_{edges q naming j} ∂/∂z_q)·Cjᵀ + the node part of the symmetrisation.</summary>
    private void GatherNodeGradients(Frame f, LayerWeights lw, T[] dNl, T[] dz, T[] dPi, T[] dhgN, int nloc, ParallelOptions po)
    {
        const int chunk = 32;
        var rs = 1 / Math.Sqrt(_eNorm);
        Parallel.For(0, (nloc + chunk - 1) / chunk, po, Rent, (c, _, s) =>
        {
            int i0 = c * chunk, m = Math.Min(nloc, i0 + chunk) - i0;
            var dpj = Scratch.Get(ref s.ZS, m * _outCP);
            dpj.Clear();
            for (var i = 0; i < m; i++)
            {
                var j = i0 + i;
                var dst = dpj.Slice(i * _outCP, _outCP);
                var dn = dNl.AsSpan(j * _ndP, _ndP);
                for (var p = f.InStart[j]; p < f.InStart[j + 1]; p++)
                {
                    var q = f.InEdges[p];
                    Add(dst, dz.AsSpan(q * _outCP, _outCP));
                    var ci = f.EdgeCenter[q];
                    for (var a = 0; a < 3; a++)
                        AddScaled(dn, T.CreateTruncating(f.H[3 * q + a] * f.Sw[q] * rs), dhgN.AsSpan((ci * 3 + a) * _ndP, _ndP));
                }
            }
            lw.Ci.Backward(dPi.AsSpan(i0 * _outCP), _outCP, dNl.AsSpan(i0 * _ndP), _ndP, m, true);
            lw.Cj.Backward(dpj, _outCP, dNl.AsSpan(i0 * _ndP), _ndP, m, true);
            return s;
        }, Return);
    }

    /// <summary>
    /// Center i's geometry: ∂E/∂(edge embedding input), ∂E/∂cos θ, the switches and the normalised environment rows, chained
    /// to ∂E/∂d of each of its list entries.
    /// </summary>
    private void Geometry(Frame f, int i, T[] dE, T[] dA, double[] gH, double[] gSw, double[] gAsw, double[] gx, double[] gy, double[] gz)
    {
        int e0 = f.EdgeStart[i], ne = f.EdgeStart[i + 1] - e0, na = f.AngleCount[i];
        var types = f.Types;
        var gu = new double[3 * Math.Max(na, 1)];
        if (na > 0)
        {
            var a0 = dA.AsSpan((int)(f.AngleOffset[i] * _adP));
            for (var j = 0; j < na; j++)
                for (var k = 0; k < na; k++)
                {
                    var gc = double.CreateTruncating(Dot(a0.Slice((j * na + k) * _adP), _angleW, _ad)) * CosScale;
                    for (var c = 0; c < 3; c++)
                    {
                        gu[3 * j + c] += gc * f.U[3 * (e0 + k) + c];
                        gu[3 * k + c] += gc * f.U[3 * (e0 + j) + c];
                    }
                }
        }
        for (var q = 0; q < ne; q++)
        {
            var g = e0 + q;
            // ∂E/∂(edge embedding input)
            var x = _r.EdgeInitUseDist ? f.Dist[g] : f.S[g];
            double gin = 0;
            var de = dE.AsSpan(g * _edP, _ed);
            for (var c = 0; c < _ed; c++)
            {
                var w = double.CreateTruncating(_edgeW[c]);
                var d = double.CreateTruncating(de[c]);
                if (!_r.EdgeInitUseDist)
                {
                    var z = w * x + double.CreateTruncating(_edgeB[c]);
                    d *= _r.Activation.Derivative(z, _r.Activation.Value(z));
                }
                gin += d * w;
            }
            var e = f.EdgeEntry[g];
            double[] v = [f.Nl.Dx[e], f.Nl.Dy[e], f.Nl.Dz[e]];
            var len = f.Dist[g];
            var (w0, dw) = Switch(len, _r.ERcutSmooth, _r.ERcut);
            // the slot's statistics
            var st = (types[i] * _r.ESel + Math.Min(f.EdgeSlot[g], _r.ESel - 1)) * 4;
            var rp = len + _spec.EnvProtection;
            double[] grad = [0, 0, 0];
            var gs = _r.EdgeInitUseDist ? 0 : gin;
            var d0 = (dw / rp - w0 / (rp * rp)) / len;
            var aa = (dw / (rp * rp) - 2 * w0 / (rp * rp * rp)) / len;
            for (var l = 0; l < 3; l++)
            {
                var t = gs * d0 * v[l] / _r.Dstd[st];
                for (var c = 0; c < 3; c++)
                    t += gH[3 * g + c] * ((c == l ? w0 / (rp * rp) : 0) + v[c] * aa * v[l]) / _r.Dstd[st + 1 + c];
                t += gSw[g] * dw * v[l] / len;
                if (_r.EdgeInitUseDist) t += gin * v[l] / len;
                grad[l] = t;
            }
            if (q < na)
            {
                var (_, adw) = Switch(len, _r.ARcutSmooth, _r.ARcut);
                var den = len + 1e-6;
                for (var l = 0; l < 3; l++)
                {
                    var t = gAsw[g] * adw * v[l] / len;
                    for (var c = 0; c < 3; c++)
                        t += gu[3 * q + c] * ((c == l ? 1 / den : 0) - v[c] * v[l] / (len * den * den));
                    grad[l] += t;
                }
            }
            gx[e] += grad[0];
            gy[e] += grad[1];
            gz[e] += grad[2];
        }
    }
}
