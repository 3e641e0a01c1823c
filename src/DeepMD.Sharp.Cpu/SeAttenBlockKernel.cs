namespace DeepMD.Sharp.Cpu;

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Cpu.Kernels;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Descriptors;
using DeepMD.Sharp.Models.Evaluation;

/// <summary>
/// The neighbor slots of one center for a mixed-type block: the nsel nearest neighbors within rcut (distance, then atom
/// index, then entry), model-level pair exclusions turned into padding where they are (as
/// <see cref="ReferenceEvaluator.AssignMixedSlots"/> does, without its allocations). The caller has checked sel overflow
/// and overlaps for the whole list.
/// </summary>
internal sealed class MixedSlots(int nsel)
{
    public readonly int Nsel = nsel;
    public readonly int[] Entry = new int[nsel];   // −1: padding
    public readonly int[] Type = new int[nsel];    // the neighbor's type (valid entries)
    public readonly double[] R = new double[nsel];
    public readonly double[] Dx = new double[nsel], Dy = new double[nsel], Dz = new double[nsel];
    private Candidate[] _candidates = new Candidate[Math.Max(16, nsel)];

    private record struct Candidate(double R, int Owner, int Entry);

    public void Gather(DeepPotModel model, int i, int[] types, NeighborList nl, double rcut)
    {
        var count = 0;
        int start = nl.Offsets[i], end = nl.Offsets[i + 1];
        if (_candidates.Length < end - start) _candidates = new Candidate[end - start];
        for (var e = start; e < end; e++)
        {
            var r = Math.Sqrt(nl.Dx[e] * nl.Dx[e] + nl.Dy[e] * nl.Dy[e] + nl.Dz[e] * nl.Dz[e]);
            if (r > rcut) continue;
            _candidates[count++] = new Candidate(r, nl.Owner[e], e);
        }
        var span = _candidates.AsSpan(0, count);
        span.Sort(static (a, b) =>
        {
            var c = a.R.CompareTo(b.R);
            if (c != 0) return c;
            c = a.Owner.CompareTo(b.Owner);
            return c != 0 ? c : a.Entry.CompareTo(b.Entry);
        });
        var ti = types[i];
        for (var k = 0; k < Nsel; k++)
        {
            Entry[k] = -1;
            if (k >= count) continue;
            var c = span[k];
            var tj = types[c.Owner];
            if (model.IsPairExcluded(ti, tj)) continue;
            Entry[k] = c.Entry;
            Type[k] = tj;
            R[k] = c.R;
            Dx[k] = nl.Dx[c.Entry];
            Dy[k] = nl.Dy[c.Entry];
            Dz[k] = nl.Dz[c.Entry];
        }
    }
}

/// <summary>
/// The CPU (SIMD) code of one <see cref="SeAttenBlock"/> (DPA-1's descriptor without its appended type embedding, and
/// DPA-2's repinit block) for one center at a time, forward and exact reverse pass, in precision <typeparamref name="T"/>
/// (geometry and the pair-gradient chain rule in double). The math is <see cref="SeAttenBlockReference"/>'s; every
/// matrix is feature-major over the center's slots (row = feature, column = slot, padded to whole vectors), so the
/// embedding net, Q/K/V, Q Kᵀ, A V, the output projection and all their reverse products are
/// <see cref="StridedGemm{T}"/> / <see cref="PackedNetwork{T}"/> calls, and the softmax, layer norm and L2 normalisation
/// run a vector of slots at a time. The attention matrices are stored key-major (row j = key, column i = query), which
/// makes the softmax over keys a column operation.
/// </summary>
internal sealed class SeAttenBlockKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double AttentionShift = 20.0; // DeePMD-kit's attnw_shift

    private readonly SeAttenBlock _b;
    private readonly PackedNetwork<T> _embedding;
    private readonly T[]? _strip;      // [rows][ng], rows as SeAttenBlock.StripTable
    private readonly bool[] _skipPadding; // per center type
    private readonly T[]? _radial;     // a compressed model's radial-net table, [interval][6 coefficients][_radialWidth]
    private readonly int _radialWidth;
    private readonly LayerWeights[] _layers;
    private readonly int _nsel, _ng, _m2, _td, _ntp, _embIn;
    private readonly double[] _davg, _invStd;

    private sealed class LayerWeights
    {
        public required int H;
        public required T[] Win;    // [ng][3h]
        public required T[] Bin;    // [3h]
        public required T[] Wout;   // [h][ng]
        public required T[] Bout;   // [ng]
        public required T[] Gamma;  // [ng]
        public required T[] Beta;   // [ng]
        public required T Eps;
        public required T Scale;
        public required bool Normalize;
    }

    public SeAttenBlockKernel(SeAttenBlock block)
    {
        _b = block;
        _nsel = block.Nsel;
        _ng = block.EmbeddingWidth;
        _m2 = block.AxisNeuron;
        _td = block.TypeEmbedding.Dim;
        _ntp = block.TypeEmbedding.RowCount;
        _embedding = new PackedNetwork<T>(block.Embedding);
        _embIn = block.Embedding.InputSize;
        _strip = block.StripTable?.Select(T.CreateTruncating).ToArray();
        if (block.RadialTable is { } table)
        {
            // Coefficient-major per interval ([interval][6][channels padded to whole vectors]), so a slot's channels are
            // evaluated a vector at a time.
            var vcount = Vector<T>.Count;
            _radialWidth = (_ng + vcount - 1) / vcount * vcount;
            _radial = new T[table.SplineCount * 6 * _radialWidth];
            for (var i = 0; i < table.SplineCount; i++)
                for (var a = 0; a < _ng; a++)
                    for (var c = 0; c < 6; c++)
                        _radial[(i * 6 + c) * _radialWidth + a] = T.CreateTruncating(table.Data[(i * _ng + a) * 6 + c]);
        }
        _davg = block.Davg;
        _invStd = block.Dstd.Select(s => 1 / s).ToArray();
        // Padding slots can be left out when they change nothing: with zero davg their R̃ rows are zero (no part in the
        // contraction), as keys their attention weight is 0 (× sw_j = 0 when smooth; −∞ when masked; the smooth softmax's
        // denominator gets their exp(−20 − max) terms added exactly), and as queries they only change their own rows.
        // DeePMD-kit's DPA-1 input default (set_davg_zero true) gives such models; a model with davg ≠ 0 runs every slot.
        _skipPadding = Enumerable.Range(0, block.TypeCount)
            .Select(t => block.Davg.AsSpan(t * _nsel * 4, _nsel * 4).IndexOfAnyExcept(0.0) < 0).ToArray();
        _layers = block.AttentionLayers.Select(l => new LayerWeights
        {
            H = l.HiddenDim,
            Win = l.InProjection.Weights.Select(T.CreateTruncating).ToArray(),
            Bin = l.InProjection.Bias?.Select(T.CreateTruncating).ToArray() ?? new T[3 * l.HiddenDim],
            Wout = l.OutProjection.Weights.Select(T.CreateTruncating).ToArray(),
            Bout = l.OutProjection.Bias?.Select(T.CreateTruncating).ToArray() ?? new T[_ng],
            Gamma = l.Norm.Gamma.Select(T.CreateTruncating).ToArray(),
            Beta = l.Norm.Beta?.Select(T.CreateTruncating).ToArray() ?? new T[_ng],
            Eps = T.CreateTruncating(l.Norm.Eps),
            Scale = T.CreateTruncating(l.Scale),
            Normalize = l.Normalize,
        }).ToArray();
        var vc = Vector<T>.Count;
        Columns = (_nsel + vc - 1) / vc * vc;
        Ld = FeatureMajorGemm<T>.Pad(_nsel);
        var off = 0;
        int Take(int n) { var o = off; off += (n + vc - 1) / vc * vc; return o; }
        _oRr = Take(4 * Ld);
        _oRhat = Take(3 * Ld);
        _oSw = Take(Ld);
        _oMask = Take(Ld);
        _oG0ds = Take(_ng * Ld);
        _oG0dsw = block.Mode == TebdInputMode.Strip && block.Smooth ? Take(_ng * Ld) : -1;
        _oLayer = new int[_layers.Length];
        for (var l = 0; l < _layers.Length; l++)
        {
            _oLayer[l] = off;
            Take(LayerStateSize(_layers[l].H));
        }
        _oG = Take(_ng * Ld);
        _oT = Take(_ng * 4);
        StateSize = off;
    }

    /// <summary>Slots rounded up to whole vectors: the columns every product runs over.</summary>
    public int Columns { get; }

    /// <summary>Row stride of the per-center matrices (≥ <see cref="Columns"/>, see <see cref="FeatureMajorGemm{T}.Pad"/>).</summary>
    public int Ld { get; }

    /// <summary>Values of T one center's forward pass keeps for its backward pass.</summary>
    public int StateSize { get; }

    public int OutputSize => _ng * _m2;

    private readonly int _oRr, _oRhat, _oSw, _oMask, _oG0ds, _oG0dsw, _oG, _oT;
    private readonly int[] _oLayer;

    // Per layer: QKV [3h][ld], norms [3][ld], logits, softmax and final weights [nsel][ld] each, x̂ [ng][ld], 1/σ [ld].
    private int LayerStateSize(int h) => (3 * h + 3 + 3 * _nsel + _ng + 1) * Ld;

    private int OQkv(int l) => _oLayer[l];
    private int ONorm(int l) => _oLayer[l] + 3 * _layers[l].H * Ld;
    private int OLogit(int l) => ONorm(l) + 3 * Ld;
    private int OSoft(int l) => OLogit(l) + _nsel * Ld;
    private int OAttn(int l) => OSoft(l) + _nsel * Ld;
    private int OXhat(int l) => OAttn(l) + _nsel * Ld;
    private int OInv(int l) => OXhat(l) + _ng * Ld;

    /// <summary>One center's kept values: the T buffer and the per-slot geometry in double.</summary>
    public sealed class CenterState
    {
        public CenterState(SeAttenBlockKernel<T> k)
        {
            Buffer = new AlignedArray<T>(k.StateSize);
            Slots = new MixedSlots(k._nsel);
            Mask = new bool[k._nsel];
            Dsw = new double[k._nsel];
            RNorm = new double[k._nsel];
        }

        public readonly AlignedArray<T> Buffer;
        public readonly MixedSlots Slots;
        public readonly bool[] Mask;     // real, non-excluded neighbor
        public readonly double[] Dsw;    // dsw/dr
        public readonly double[] RNorm;  // |R̃[1:4]|
        public int CenterType;
        public int N;                    // columns (slots) the products run over: all, or the real ones rounded up to vectors
        public int NK;                   // keys (slots) the attention runs over: min(N, nsel)
    }

    /// <summary>Per-thread working matrices (no allocation in steady state).</summary>
    public sealed class Scratch
    {
        public Scratch(SeAttenBlockKernel<T> k)
        {
            var ld = k.Ld;
            var h = k._layers.Length == 0 ? 1 : k._layers.Max(l => l.H);
            X = new AlignedArray<T>(k._ng * ld);
            Y = new AlignedArray<T>(Math.Max(k._ng, h) * ld);
            Emb = new AlignedArray<T>(Math.Max(k._embIn, 1) * ld);
            Gs = new AlignedArray<T>(k._ng * ld);
            Gsd = new AlignedArray<T>(k._ng * ld);
            Net = new AlignedArray<T>(4 * k._embedding.MaxWidth * ld);
            DO = new AlignedArray<T>(h * ld);
            DA = new AlignedArray<T>(k._nsel * ld);
            At = new AlignedArray<T>(k._nsel * ld);
            DQkv = new AlignedArray<T>(3 * h * ld);
            DRr = new AlignedArray<T>(4 * ld);
            DRhat = new AlignedArray<T>(3 * ld);
            DSw = new AlignedArray<T>(ld);
            Row = new AlignedArray<T>(4 * ld);
            Out = new T[k.OutputSize];
            DT = new T[k._ng * 4];
        }

        public readonly AlignedArray<T> X, Y, Emb, Gs, Gsd, Net, DO, DA, At, DQkv, DRr, DRhat, DSw, Row;
        public readonly T[] Out, DT;
    }

    /// <summary>
    /// Forward pass of center <paramref name="i"/> (type <paramref name="ti"/>): gathers its slots into
    /// <paramref name="cs"/>, keeps what the backward pass needs there, and writes the block output [ng][axis] into
    /// <paramref name="output"/>. Padded and excluded slots see the type embedding of <paramref name="padType"/> (atom 0 of
    /// the frame, or −1 for none), as DeePMD-kit's dense path does.
    /// </summary>
    public void Forward(DeepPotModel model, int i, int ti, int[] types, NeighborList nl, int padType, CenterState cs, Scratch sc, Span<T> output)
    {
        cs.Slots.Gather(model, i, types, nl, _b.Rcut);
        cs.CenterType = ti;
        var st = cs.Buffer.AsSpan();
        // The filler columns (slots ≥ nsel) of R̃, r̂, sw and the mask must be zero; every other kept matrix is written
        // whole (all columns the products run over) before it is read, so only that head of the state is cleared.
        st[.._oG0ds].Clear();
        var n = Columns;
        if (_skipPadding[ti])
        {
            var last = Array.FindLastIndex(cs.Slots.Entry, e => e >= 0);
            var vc = Vector<T>.Count;
            n = Math.Min(Columns, Math.Max(vc, (last + vc) / vc * vc));
        }
        cs.N = n;
        cs.NK = Math.Min(n, _nsel);
        Environment(cs, ti, padType, st, sc);
        var x = sc.X.AsSpan();
        for (var l = 0; l < _layers.Length; l++) AttentionForward(l, st, x, sc, cs.N, cs.NK);
        x.CopyTo(st.Slice(_oG, _ng * Ld));
        // T = G R̃ᵀ / nsel ([ng][4]) and D = T T<ᵀ.
        var t = st.Slice(_oT, _ng * 4);
        var invN = T.One / T.CreateTruncating(_nsel);
        for (var a = 0; a < _ng; a++)
        {
            var ga = x.Slice(a * Ld, n);
            for (var c = 0; c < 4; c++) t[a * 4 + c] = Dot(ga, st.Slice(_oRr + c * Ld, n)) * invN;
        }
        for (var a = 0; a < _ng; a++)
            for (var b2 = 0; b2 < _m2; b2++)
                output[a * _m2 + b2] = t[a * 4] * t[b2 * 4] + t[a * 4 + 1] * t[b2 * 4 + 1] + t[a * 4 + 2] * t[b2 * 4 + 2] + t[a * 4 + 3] * t[b2 * 4 + 3];
    }

    /// <summary>R̃, switch, r̂ of every slot, then the type-aware embedding G0 (into sc.X) with ∂G0/∂s (and ∂G0/∂sw).</summary>
    private void Environment(CenterState cs, int ti, int padType, Span<T> st, Scratch sc)
    {
        var slots = cs.Slots;
        var rr = st.Slice(_oRr, 4 * Ld);
        var rhat = st.Slice(_oRhat, 3 * Ld);
        var sw = st.Slice(_oSw, Ld);
        var mask = st.Slice(_oMask, Ld);
        var concat = _b.Mode == TebdInputMode.Concat;
        var emb = sc.Emb.AsSpan();
        if (concat) emb.Clear();
        var tebd = _b.TypeEmbedding;
        for (var k = 0; k < _nsel; k++)
        {
            var entry = slots.Entry[k];
            var valid = entry >= 0;
            var tj = valid ? slots.Type[k] : -1;
            var excluded = valid && _b.IsExcluded(ti, tj);
            var m = valid && !excluded;
            cs.Mask[k] = m;
            double r0 = 0, r1 = 0, r2 = 0, r3 = 0;
            if (valid) (r0, r1, r2, r3) = EnvironmentRow.Raw(slots.Dx[k], slots.Dy[k], slots.Dz[k], slots.R[k], _b.RcutSmooth, _b.Rcut, _b.EnvProtection);
            var bs = (ti * _nsel + k) * 4;
            double n0 = 0, n1 = 0, n2 = 0, n3 = 0;
            if (!excluded)
            {
                n0 = (r0 - _davg[bs]) / _b.Dstd[bs];
                n1 = (r1 - _davg[bs + 1]) / _b.Dstd[bs + 1];
                n2 = (r2 - _davg[bs + 2]) / _b.Dstd[bs + 2];
                n3 = (r3 - _davg[bs + 3]) / _b.Dstd[bs + 3];
            }
            rr[k] = T.CreateTruncating(n0);
            rr[Ld + k] = T.CreateTruncating(n1);
            rr[2 * Ld + k] = T.CreateTruncating(n2);
            rr[3 * Ld + k] = T.CreateTruncating(n3);
            double w = 0, dw = 0;
            if (m) (w, dw) = ReferenceEvaluator.Switch(slots.R[k], _b.RcutSmooth, _b.Rcut);
            sw[k] = T.CreateTruncating(w);
            cs.Dsw[k] = dw;
            mask[k] = m ? T.One : T.Zero;
            var norm = Math.Sqrt(n1 * n1 + n2 * n2 + n3 * n3);
            cs.RNorm[k] = norm;
            var den = Math.Max(norm, 1e-12);
            rhat[k] = T.CreateTruncating(n1 / den);
            rhat[Ld + k] = T.CreateTruncating(n2 / den);
            rhat[2 * Ld + k] = T.CreateTruncating(n3 / den);
            if (concat)
            {
                var e = m ? tj : padType;
                emb[k] = rr[k];
                var row = tebd.Row(e);
                for (var q = 0; q < _td; q++) emb[(1 + q) * Ld + k] = T.CreateTruncating(row[q]);
                if (!_b.TypeOneSide)
                {
                    var rowi = tebd.Row(ti);
                    for (var q = 0; q < _td; q++) emb[(1 + _td + q) * Ld + k] = T.CreateTruncating(rowi[q]);
                }
            }
        }
        var x = sc.X.AsSpan();
        var g0ds = st.Slice(_oG0ds, _ng * Ld);
        if (concat)
        {
            _embedding.ForwardTangent(emb, x, g0ds, Ld, sc.Net, cs.N);
            return;
        }
        // Strip: G = N_s(s) ⊙ (N_t(T_j, T_i)·f + 1), f = sw when smooth.
        var gs = sc.Gs.AsSpan();
        var gsd = sc.Gsd.AsSpan();
        if (_b.RadialTable is { } table) RadialFromTable(table, rr[..Ld], gs, gsd, cs.N);
        else _embedding.ForwardTangent(rr[..Ld], gs, gsd, Ld, sc.Net, cs.N);
        var strip = _strip!;
        var smooth = _b.Smooth;
        var g0dsw = smooth ? st.Slice(_oG0dsw, _ng * Ld) : default;
        for (var k = 0; k < cs.N; k++)
        {
            var e = k < _nsel && cs.Mask[k] ? slots.Type[k] : padType;
            var teIndex = e < 0 ? _ntp - 1 : e;
            var row = (_b.TypeOneSide ? teIndex : ti * _ntp + teIndex) * _ng;
            var f = smooth ? sw[k] : T.One;
            for (var a = 0; a < _ng; a++)
            {
                var q = a * Ld + k;
                var gt = strip[row + a];
                x[q] = gs[q] * gt * f + gs[q];
                g0ds[q] = gsd[q] * (gt * f + T.One);
                if (smooth) g0dsw[q] = gs[q] * gt;
            }
        }
    }

    /// <summary>
    /// A compressed model's radial net (geo_compress): per slot column, the quintic of the table interval holding s and its
    /// derivative (DeePMD-kit's tabulate_fusion, with its linear extension outside the table), in precision T, a vector of
    /// channels at a time.
    /// </summary>
    private void RadialFromTable(Models.Compression.EmbeddingTable table, ReadOnlySpan<T> s, Span<T> gs, Span<T> gsd, int columns)
    {
        int ng = _ng, ld = Ld, w = _radialWidth, vc = Vector<T>.Count;
        Span<T> value = stackalloc T[w];
        Span<T> slope = stackalloc T[w];
        var coef = MemoryMarshal.Cast<T, Vector<T>>(_radial.AsSpan());
        var vv = MemoryMarshal.Cast<T, Vector<T>>(value);
        var vs = MemoryMarshal.Cast<T, Vector<T>>(slope);
        var nv = w / vc;
        Vector<T> two = new(T.CreateTruncating(2)), three = new(T.CreateTruncating(3)), four = new(T.CreateTruncating(4)), five = new(T.CreateTruncating(5));
        for (var k = 0; k < columns; k++)
        {
            var (idx, t, extra) = table.Locate(double.CreateTruncating(s[k]));
            Vector<T> tv = new(T.CreateTruncating(t)), ev = new(T.CreateTruncating(extra));
            var o = idx * 6 * nv;
            for (var v = 0; v < nv; v++)
            {
                Vector<T> f = coef[o + v], e = coef[o + nv + v], d = coef[o + 2 * nv + v], c = coef[o + 3 * nv + v], b = coef[o + 4 * nv + v], q = coef[o + 5 * nv + v];
                var sl = e + (two * d + (three * c + (four * b + five * q * tv) * tv) * tv) * tv;
                vv[v] = f + (e + (d + (c + (b + q * tv) * tv) * tv) * tv) * tv + sl * ev;
                vs[v] = sl;
            }
            for (var a = 0; a < ng; a++)
            {
                gs[a * ld + k] = value[a];
                gsd[a * ld + k] = slope[a];
            }
        }
    }

    private void AttentionForward(int l, Span<T> st, Span<T> x, Scratch sc, int n, int nsel)
    {
        var layer = _layers[l];
        int h = layer.H, ld = Ld, ng = _ng;
        var qkv = st.Slice(OQkv(l), 3 * h * ld);
        StridedGemm<T>.Multiply(layer.Win, 3 * h, 1, x, ld, qkv, ld, 3 * h, n, ng, false);
        for (var p = 0; p < 3 * h; p++) AddScalar(qkv.Slice(p * ld, n), layer.Bin[p]);
        var norms = st.Slice(ONorm(l), 3 * ld);
        for (var part = 0; part < 3; part++)
        {
            var block = qkv.Slice(part * h * ld, h * ld);
            var extra = part == 0 ? layer.Scale : T.One;
            if (layer.Normalize) NormalizeColumns(block, h, norms.Slice(part * ld, ld), extra, n);
            else if (part == 0) for (var c = 0; c < h; c++) Scale(block.Slice(c * ld, n), extra);
        }
        var q = qkv[..(h * ld)];
        var k = qkv.Slice(h * ld, h * ld);
        var v = qkv.Slice(2 * h * ld, h * ld);
        var logit = st.Slice(OLogit(l), nsel * ld);
        var soft = st.Slice(OSoft(l), nsel * ld);
        var attn = st.Slice(OAttn(l), nsel * ld);
        // Lᵀ[j][i] = k_j·q_i.
        StridedGemm<T>.Multiply(k, ld, 1, q, ld, logit, ld, nsel, n, h, false);
        Softmax(st, logit, soft, n, nsel);
        Weights(st, soft, attn, n, nsel);
        // O[c][i] = Σ_j V[c][j] A[j][i]; Y = W_outᵀ O + b; Z = X + Y; X ← LN(Z).
        var o = sc.DO.AsSpan(0, h * ld);
        StridedGemm<T>.Multiply(v, 1, ld, attn, ld, o, ld, h, n, nsel, false);
        var y = sc.Y.AsSpan(0, ng * ld);
        StridedGemm<T>.Multiply(layer.Wout, ng, 1, o, ld, y, ld, ng, n, h, false);
        for (var a = 0; a < ng; a++)
        {
            var ya = y.Slice(a * ld, n);
            AddScalar(ya, layer.Bout[a]);
            Add(ya, x.Slice(a * ld, n));
        }
        LayerNormForward(layer, y, x, st.Slice(OXhat(l), ng * ld), st.Slice(OInv(l), ld), n);
    }

    /// <summary>Column softmax over keys j of the (smooth-shifted or masked) logits.</summary>
    private void Softmax(Span<T> st, Span<T> logit, Span<T> soft, int n, int nsel)
    {
        int ld = Ld, vc = Vector<T>.Count;
        var skipped = _nsel - nsel; // padding keys left out: smooth logit exactly −shift each
        var sw = st.Slice(_oSw, ld);
        var maskRow = st.Slice(_oMask, ld);
        var shift = T.CreateTruncating(AttentionShift);
        var smooth = _b.Smooth;
        for (var v0 = 0; v0 < n; v0 += vc)
        {
            var swi = Vector.LoadUnsafe(ref MemoryMarshal.GetReference(sw), (nuint)v0);
            var max = new Vector<T>(T.NegativeInfinity);
            for (var j = 0; j < nsel; j++)
            {
                var lg = Load(logit, j * ld + v0);
                Vector<T> p;
                if (smooth) p = (lg + new Vector<T>(shift)) * swi * new Vector<T>(sw[j]) - new Vector<T>(shift);
                else p = maskRow[j] != T.Zero ? lg : new Vector<T>(T.NegativeInfinity);
                Store(soft, j * ld + v0, p);
                max = Vector.Max(max, p);
            }
            if (smooth && skipped > 0) max = Vector.Max(max, new Vector<T>(-shift));
            // A lane whose every key is masked (no neighbor, without smoothing) gets all-zero weights.
            var none = Vector.Equals(max, new Vector<T>(T.NegativeInfinity));
            max = Vector.ConditionalSelect(none, Vector<T>.Zero, max);
            var sum = Vector<T>.Zero;
            for (var j = 0; j < nsel; j++)
            {
                Vector<T> e;
                if (!smooth && maskRow[j] == T.Zero) e = Vector<T>.Zero;
                else e = VectorMath.Exp(Load(soft, j * ld + v0) - max);
                Store(soft, j * ld + v0, e);
                sum += e;
            }
            if (smooth && skipped > 0) sum += new Vector<T>(T.CreateTruncating(skipped)) * VectorMath.Exp(new Vector<T>(-shift) - max);
            var inv = Vector<T>.One / Vector.ConditionalSelect(Vector.Equals(sum, Vector<T>.Zero), Vector<T>.One, sum);
            for (var j = 0; j < nsel; j++) Store(soft, j * ld + v0, Load(soft, j * ld + v0) * inv);
        }
    }

    /// <summary>A[j][i] = soft·mask_i (· sw_i sw_j when smooth) (· r̂_i·r̂_j with attn_dotr).</summary>
    private void Weights(Span<T> st, Span<T> soft, Span<T> attn, int n, int nsel)
    {
        int ld = Ld, vc = Vector<T>.Count;
        var sw = st.Slice(_oSw, ld);
        var mask = st.Slice(_oMask, ld);
        var rh = st.Slice(_oRhat, 3 * ld);
        for (var j = 0; j < nsel; j++)
        {
            var swj = new Vector<T>(sw[j]);
            var (rx, ry, rz) = (new Vector<T>(rh[j]), new Vector<T>(rh[ld + j]), new Vector<T>(rh[2 * ld + j]));
            for (var v0 = 0; v0 < n; v0 += vc)
            {
                var a = Load(soft, j * ld + v0) * Load(mask, v0);
                if (_b.Smooth) a = a * Load(sw, v0) * swj;
                if (_b.Dotr) a *= Load(rh, v0) * rx + Load(rh, ld + v0) * ry + Load(rh, 2 * ld + v0) * rz;
                Store(attn, j * ld + v0, a);
            }
        }
    }

    private void LayerNormForward(LayerWeights layer, Span<T> z, Span<T> output, Span<T> xhat, Span<T> invRow, int n)
    {
        int ld = Ld, ng = _ng, vc = Vector<T>.Count;
        var invNg = new Vector<T>(T.One / T.CreateTruncating(ng));
        for (var v0 = 0; v0 < n; v0 += vc)
        {
            var mean = Vector<T>.Zero;
            for (var a = 0; a < ng; a++) mean += Load(z, a * ld + v0);
            mean *= invNg;
            var variance = Vector<T>.Zero;
            for (var a = 0; a < ng; a++)
            {
                var d = Load(z, a * ld + v0) - mean;
                variance += d * d;
            }
            variance *= invNg;
            var inv = Vector<T>.One / Vector.SquareRoot(variance + new Vector<T>(layer.Eps));
            Store(invRow, v0, inv);
            for (var a = 0; a < ng; a++)
            {
                var xh = (Load(z, a * ld + v0) - mean) * inv;
                Store(xhat, a * ld + v0, xh);
                Store(output, a * ld + v0, FeatureMajorGemm<T>.Fma(xh, new Vector<T>(layer.Gamma[a]), new Vector<T>(layer.Beta[a])));
            }
        }
    }

    /// <summary>Each column of the [rows][ld] block divided by its L2 norm (kept in <paramref name="norms"/>), times <paramref name="extra"/>.</summary>
    private void NormalizeColumns(Span<T> block, int rows, Span<T> norms, T extra, int n)
    {
        int ld = Ld, vc = Vector<T>.Count;
        var tiny = new Vector<T>(T.CreateTruncating(1e-30)); // filler columns only (a real q, k or v row is never zero)
        for (var v0 = 0; v0 < n; v0 += vc)
        {
            var s = Vector<T>.Zero;
            for (var c = 0; c < rows; c++)
            {
                var x = Load(block, c * ld + v0);
                s += x * x;
            }
            var norm = Vector.SquareRoot(s);
            Store(norms, v0, norm);
            var f = new Vector<T>(extra) / Vector.Max(norm, tiny);
            for (var c = 0; c < rows; c++) Store(block, c * ld + v0, Load(block, c * ld + v0) * f);
        }
    }

    /// <summary>
    /// Given ∂e/∂output ([ng][axis]), adds ∂e/∂d of the center's real slots into (gx, gy, gz) at their entries (the
    /// caller has cleared the center's row).
    /// </summary>
    public void Backward(CenterState cs, ReadOnlySpan<T> dOut, Scratch sc, NeighborList nl, double[] gx, double[] gy, double[] gz)
    {
        int ld = Ld, n = cs.N, nsel = _nsel, ng = _ng, m2 = _m2, vc = Vector<T>.Count;
        var st = cs.Buffer.AsSpan();
        var t = st.Slice(_oT, ng * 4);
        var dT = sc.DT.AsSpan();
        var invN = T.One / T.CreateTruncating(nsel);
        for (var a = 0; a < ng; a++)
            for (var c = 0; c < 4; c++)
            {
                var s = T.Zero;
                for (var b2 = 0; b2 < m2; b2++) s += dOut[a * m2 + b2] * t[b2 * 4 + c];
                if (a < m2)
                    for (var a2 = 0; a2 < ng; a2++) s += dOut[a2 * m2 + a] * t[a2 * 4 + c];
                dT[a * 4 + c] = s * invN;
            }
        // dG[a][k] = Σ_c dT[a][c] R̃[c][k]; dR̃[c][k] = Σ_a dT[a][c] G[a][k].
        var rr = st.Slice(_oRr, 4 * ld);
        var g = st.Slice(_oG, ng * ld);
        var dx = sc.X.AsSpan(0, ng * ld);
        var drr = sc.DRr.AsSpan(0, 4 * ld);
        for (var v0 = 0; v0 < n; v0 += vc)
        {
            var (r0, r1, r2, r3) = (Load(rr, v0), Load(rr, ld + v0), Load(rr, 2 * ld + v0), Load(rr, 3 * ld + v0));
            Vector<T> d0 = default, d1 = default, d2 = default, d3 = default;
            for (var a = 0; a < ng; a++)
            {
                var ga = Load(g, a * ld + v0);
                Store(dx, a * ld + v0, r0 * new Vector<T>(dT[a * 4]) + r1 * new Vector<T>(dT[a * 4 + 1]) + r2 * new Vector<T>(dT[a * 4 + 2]) + r3 * new Vector<T>(dT[a * 4 + 3]));
                d0 = FeatureMajorGemm<T>.Fma(ga, new Vector<T>(dT[a * 4]), d0);
                d1 = FeatureMajorGemm<T>.Fma(ga, new Vector<T>(dT[a * 4 + 1]), d1);
                d2 = FeatureMajorGemm<T>.Fma(ga, new Vector<T>(dT[a * 4 + 2]), d2);
                d3 = FeatureMajorGemm<T>.Fma(ga, new Vector<T>(dT[a * 4 + 3]), d3);
            }
            Store(drr, v0, d0);
            Store(drr, ld + v0, d1);
            Store(drr, 2 * ld + v0, d2);
            Store(drr, 3 * ld + v0, d3);
        }
        var dsw = sc.DSw.AsSpan(0, ld);
        var drhat = sc.DRhat.AsSpan(0, 3 * ld);
        dsw.Clear();
        drhat.Clear();
        for (var l = _layers.Length - 1; l >= 0; l--) AttentionBackward(l, st, dx, sc, cs.N, cs.NK);

        // Through the embedding: ∂e/∂s (and ∂e/∂sw in strip + smooth mode).
        var g0ds = st.Slice(_oG0ds, ng * ld);
        var hasDsw = _oG0dsw >= 0;
        var g0dsw = hasDsw ? st.Slice(_oG0dsw, ng * ld) : default;
        for (var v0 = 0; v0 < n; v0 += vc)
        {
            var ds = Vector<T>.Zero;
            var dw = Vector<T>.Zero;
            for (var a = 0; a < ng; a++)
            {
                var d = Load(dx, a * ld + v0);
                ds = FeatureMajorGemm<T>.Fma(d, Load(g0ds, a * ld + v0), ds);
                if (hasDsw) dw = FeatureMajorGemm<T>.Fma(d, Load(g0dsw, a * ld + v0), dw);
            }
            Store(drr, v0, Load(drr, v0) + ds);
            if (hasDsw) Store(dsw, v0, Load(dsw, v0) + dw);
        }

        var slots = cs.Slots;
        var rhat = st.Slice(_oRhat, 3 * ld);
        var dotr = _b.Dotr && _layers.Length > 0;
        var ti = cs.CenterType;
        for (var k = 0; k < nsel; k++)
        {
            if (!cs.Mask[k]) continue;
            double d0 = double.CreateTruncating(drr[k]), d1 = double.CreateTruncating(drr[ld + k]);
            double d2 = double.CreateTruncating(drr[2 * ld + k]), d3 = double.CreateTruncating(drr[3 * ld + k]);
            if (dotr)
            {
                var nr = cs.RNorm[k];
                double h0 = double.CreateTruncating(rhat[k]), h1 = double.CreateTruncating(rhat[ld + k]), h2 = double.CreateTruncating(rhat[2 * ld + k]);
                double e0 = double.CreateTruncating(drhat[k]), e1 = double.CreateTruncating(drhat[ld + k]), e2 = double.CreateTruncating(drhat[2 * ld + k]);
                // r̂ = v/max(|v|, 1e−12): at |v| < 1e−12 (a neighbor at rcut, where the switch is 0) the max is the constant.
                if (nr < 1e-12)
                {
                    d1 += e0 / 1e-12;
                    d2 += e1 / 1e-12;
                    d3 += e2 / 1e-12;
                }
                else
                {
                    var proj = e0 * h0 + e1 * h1 + e2 * h2;
                    d1 += (e0 - h0 * proj) / nr;
                    d2 += (e1 - h1 * proj) / nr;
                    d3 += (e2 - h2 * proj) / nr;
                }
            }
            var bs = (ti * nsel + k) * 4;
            var (dxk, dyk, dzk, r) = (slots.Dx[k], slots.Dy[k], slots.Dz[k], slots.R[k]);
            var (px, py, pz) = EnvironmentRow.PairGradient(d0 * _invStd[bs], d1 * _invStd[bs + 1], d2 * _invStd[bs + 2], d3 * _invStd[bs + 3],
                dxk, dyk, dzk, r, _b.RcutSmooth, _b.Rcut, _b.EnvProtection);
            var swTerm = double.CreateTruncating(dsw[k]) * cs.Dsw[k] / r;
            var e = slots.Entry[k];
            gx[e] += px + swTerm * dxk;
            gy[e] += py + swTerm * dyk;
            gz[e] += pz + swTerm * dzk;
        }
    }

    /// <summary>Back through attention layer <paramref name="l"/>: <paramref name="dx"/> holds ∂e/∂output on entry, ∂e/∂input on return.</summary>
    private void AttentionBackward(int l, Span<T> st, Span<T> dx, Scratch sc, int n, int nsel)
    {
        var layer = _layers[l];
        int h = layer.H, ld = Ld, ng = _ng, vc = Vector<T>.Count;
        LayerNormBackward(layer, dx, st.Slice(OXhat(l), ng * ld), st.Slice(OInv(l), ld), n);
        var qkv = st.Slice(OQkv(l), 3 * h * ld);
        var q = qkv[..(h * ld)];
        var k = qkv.Slice(h * ld, h * ld);
        var v = qkv.Slice(2 * h * ld, h * ld);
        var soft = st.Slice(OSoft(l), nsel * ld);
        var logit = st.Slice(OLogit(l), nsel * ld);
        var attn = st.Slice(OAttn(l), nsel * ld);
        var sw = st.Slice(_oSw, ld);
        var mask = st.Slice(_oMask, ld);
        var rh = st.Slice(_oRhat, 3 * ld);
        var dsw = sc.DSw.AsSpan(0, ld);
        var drhat = sc.DRhat.AsSpan(0, 3 * ld);
        // dO = W_out dZ; dA[j][i] = v_j·dO_i; dV[c][j] = Σ_i dO[c][i] A[j][i].
        var dO = sc.DO.AsSpan(0, h * ld);
        StridedGemm<T>.Multiply(layer.Wout, 1, ng, dx, ld, dO, ld, h, n, ng, false);
        var dA = sc.DA.AsSpan(0, nsel * ld);
        StridedGemm<T>.Multiply(v, ld, 1, dO, ld, dA, ld, nsel, n, h, false);
        var at = sc.At.AsSpan(0, nsel * ld);
        StridedGemm<T>.Transpose(attn, ld, at, ld, nsel, nsel);
        var dqkv = sc.DQkv.AsSpan(0, 3 * h * ld);
        var dq = dqkv[..(h * ld)];
        var dk = dqkv.Slice(h * ld, h * ld);
        var dv = dqkv.Slice(2 * h * ld, h * ld);
        StridedGemm<T>.Multiply(dO, 1, ld, at, ld, dv, ld, h, n, nsel, false);

        // Through attn_dotr, the smooth gating and the query mask to ∂e/∂softmax (in dA).
        var smooth = _b.Smooth;
        var dotr = _b.Dotr;
        for (var j = 0; j < nsel; j++)
        {
            var swjS = sw[j];
            var swj = new Vector<T>(swjS);
            var (rx, ry, rz) = (new Vector<T>(rh[j]), new Vector<T>(rh[ld + j]), new Vector<T>(rh[2 * ld + j]));
            Vector<T> hx = default, hy = default, hz = default, hs = default;
            for (var v0 = 0; v0 < n; v0 += vc)
            {
                var db = Load(dA, j * ld + v0);
                var mi = Load(mask, v0);
                var m = Load(soft, j * ld + v0) * mi;
                var swi = Load(sw, v0);
                if (dotr)
                {
                    var (ix, iy, iz) = (Load(rh, v0), Load(rh, ld + v0), Load(rh, 2 * ld + v0));
                    var gated = smooth ? m * swi * swj : m;
                    var dc = db * gated;
                    Store(drhat, v0, FeatureMajorGemm<T>.Fma(dc, rx, Load(drhat, v0)));
                    Store(drhat, ld + v0, FeatureMajorGemm<T>.Fma(dc, ry, Load(drhat, ld + v0)));
                    Store(drhat, 2 * ld + v0, FeatureMajorGemm<T>.Fma(dc, rz, Load(drhat, 2 * ld + v0)));
                    hx = FeatureMajorGemm<T>.Fma(dc, ix, hx);
                    hy = FeatureMajorGemm<T>.Fma(dc, iy, hy);
                    hz = FeatureMajorGemm<T>.Fma(dc, iz, hz);
                    db *= ix * rx + iy * ry + iz * rz;
                }
                var dm = db;
                if (smooth)
                {
                    dm = db * swi * swj;
                    var bm = db * m;
                    Store(dsw, v0, FeatureMajorGemm<T>.Fma(bm, swj, Load(dsw, v0)));
                    hs = FeatureMajorGemm<T>.Fma(bm, swi, hs);
                }
                Store(dA, j * ld + v0, dm * mi);
            }
            if (dotr)
            {
                drhat[j] += Vector.Sum(hx);
                drhat[ld + j] += Vector.Sum(hy);
                drhat[2 * ld + j] += Vector.Sum(hz);
            }
            if (smooth) dsw[j] += Vector.Sum(hs);
        }
        // Softmax (per query column), then the smooth shift, to ∂e/∂logit (in dA, key-major).
        var shift = new Vector<T>(T.CreateTruncating(AttentionShift));
        for (var v0 = 0; v0 < n; v0 += vc)
        {
            var dot = Vector<T>.Zero;
            for (var j = 0; j < nsel; j++) dot = FeatureMajorGemm<T>.Fma(Load(soft, j * ld + v0), Load(dA, j * ld + v0), dot);
            for (var j = 0; j < nsel; j++)
            {
                var dlp = Load(soft, j * ld + v0) * (Load(dA, j * ld + v0) - dot);
                Store(dA, j * ld + v0, dlp);
            }
        }
        if (smooth)
            for (var j = 0; j < nsel; j++)
            {
                var swj = new Vector<T>(sw[j]);
                var hs = Vector<T>.Zero;
                for (var v0 = 0; v0 < n; v0 += vc)
                {
                    var dlp = Load(dA, j * ld + v0);
                    var swi = Load(sw, v0);
                    var sh = (Load(logit, j * ld + v0) + shift) * dlp;
                    Store(dsw, v0, FeatureMajorGemm<T>.Fma(sh, swj, Load(dsw, v0)));
                    hs = FeatureMajorGemm<T>.Fma(sh, swi, hs);
                    Store(dA, j * ld + v0, dlp * swi * swj);
                }
                dsw[j] += Vector.Sum(hs);
            }
        // dQ[c][i] = Σ_j K[c][j] dLᵀ[j][i]; dK[c][j] = Σ_i Q[c][i] dL[i][j].
        StridedGemm<T>.Multiply(k, 1, ld, dA, ld, dq, ld, h, n, nsel, false);
        StridedGemm<T>.Transpose(dA, ld, at, ld, nsel, nsel);
        StridedGemm<T>.Multiply(q, 1, ld, at, ld, dk, ld, h, n, nsel, false);
        for (var c = 0; c < h; c++) Scale(dq.Slice(c * ld, n), layer.Scale);
        if (layer.Normalize)
        {
            var norms = st.Slice(ONorm(l), 3 * ld);
            NormalizeBackward(q, dq, h, norms[..ld], T.One / layer.Scale, n);
            NormalizeBackward(k, dk, h, norms.Slice(ld, ld), T.One, n);
            NormalizeBackward(v, dv, h, norms.Slice(2 * ld, ld), T.One, n);
        }
        // ∂e/∂input = dZ (the residual, already in dx) + W_in dQKV.
        StridedGemm<T>.Multiply(layer.Win, 1, 3 * h, dqkv, ld, dx, ld, ng, n, 3 * h, true);
    }

    /// <summary>dx ← ∂e/∂z from dx = ∂e/∂LN(z), in place.</summary>
    private void LayerNormBackward(LayerWeights layer, Span<T> dx, Span<T> xhat, Span<T> invRow, int n)
    {
        int ld = Ld, ng = _ng, vc = Vector<T>.Count;
        var invNg = new Vector<T>(T.One / T.CreateTruncating(ng));
        for (var v0 = 0; v0 < n; v0 += vc)
        {
            var mg = Vector<T>.Zero;
            var mgx = Vector<T>.Zero;
            for (var a = 0; a < ng; a++)
            {
                var gv = Load(dx, a * ld + v0) * new Vector<T>(layer.Gamma[a]);
                mg += gv;
                mgx = FeatureMajorGemm<T>.Fma(gv, Load(xhat, a * ld + v0), mgx);
            }
            mg *= invNg;
            mgx *= invNg;
            var inv = Load(invRow, v0);
            for (var a = 0; a < ng; a++)
            {
                var gv = Load(dx, a * ld + v0) * new Vector<T>(layer.Gamma[a]);
                Store(dx, a * ld + v0, inv * (gv - mg - Load(xhat, a * ld + v0) * mgx));
            }
        }
    }

    /// <summary>u = x/|x| (stored as u·1/<paramref name="unscale"/>): d ← (d − u (u·d))/|x|, per column.</summary>
    private void NormalizeBackward(Span<T> stored, Span<T> d, int rows, Span<T> norms, T unscale, int n)
    {
        int ld = Ld, vc = Vector<T>.Count;
        var us = new Vector<T>(unscale);
        var tiny = new Vector<T>(T.CreateTruncating(1e-30));
        for (var v0 = 0; v0 < n; v0 += vc)
        {
            var proj = Vector<T>.Zero;
            for (var c = 0; c < rows; c++) proj = FeatureMajorGemm<T>.Fma(Load(stored, c * ld + v0) * us, Load(d, c * ld + v0), proj);
            var inv = Vector<T>.One / Vector.Max(Load(norms, v0), tiny);
            for (var c = 0; c < rows; c++)
                Store(d, c * ld + v0, (Load(d, c * ld + v0) - Load(stored, c * ld + v0) * us * proj) * inv);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Load(Span<T> s, int i) => Vector.LoadUnsafe(ref MemoryMarshal.GetReference(s), (nuint)i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Span<T> s, int i, Vector<T> v) => v.StoreUnsafe(ref MemoryMarshal.GetReference(s), (nuint)i);

    private static void AddScalar(Span<T> row, T value)
    {
        var vc = Vector<T>.Count;
        var b = new Vector<T>(value);
        for (var v0 = 0; v0 < row.Length; v0 += vc) Store(row, v0, Load(row, v0) + b);
    }

    private static void Add(Span<T> row, Span<T> other)
    {
        var vc = Vector<T>.Count;
        for (var v0 = 0; v0 < row.Length; v0 += vc) Store(row, v0, Load(row, v0) + Load(other, v0));
    }

    private static void Scale(Span<T> row, T value)
    {
        var vc = Vector<T>.Count;
        var b = new Vector<T>(value);
        for (var v0 = 0; v0 < row.Length; v0 += vc) Store(row, v0, Load(row, v0) * b);
    }

    private static T Dot(Span<T> a, Span<T> b)
    {
        var vc = Vector<T>.Count;
        var s = Vector<T>.Zero;
        for (var v0 = 0; v0 < a.Length; v0 += vc) s = FeatureMajorGemm<T>.Fma(Load(a, v0), Load(b, v0), s);
        return Vector.Sum(s);
    }
}
