namespace DeepMD.Sharp.Training.Model;

using DeepMD.Sharp.Training.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>One gated self-attention layer of the se_atten block: in/out projections and the layer norm.</summary>
public sealed class TrainableAttentionLayer(TrainableLayer inProjection, TrainableLayer outProjection, Parameter normWeight, Parameter normBias)
{
    /// <summary>in_proj: ng → 3·attn, linear with bias.</summary>
    public TrainableLayer InProjection { get; } = inProjection;

    /// <summary>out_proj: attn → ng, linear with bias.</summary>
    public TrainableLayer OutProjection { get; } = outProjection;

    /// <summary>Layer-norm γ.</summary>
    public Parameter NormWeight { get; } = normWeight;

    /// <summary>Layer-norm β.</summary>
    public Parameter NormBias { get; } = normBias;
}

/// <summary>
/// DPA-1 (DeePMD-kit's <c>se_atten</c>, <c>se_atten_v2</c>) + mixed-type energy fitting in TorchSharp, float64, the
/// math of dpa1.py's dense path as our <c>SeAttenReference</c> evaluates it: the Σsel nearest neighbors in one block,
/// padded slots normalised too and seeing the type embedding of the frame's first atom, concat or strip embedding,
/// gated attention layers with layer norm (smooth or masked), T = Gᵀ R̃ / Σsel, D = T T&lt;ᵀ, the center's type
/// embedding appended, one fitting net for all types plus a per-type bias. Forces and virials by autograd.
/// </summary>
public sealed class Dpa1EnergyModel : IEnergyModel
{
    private const double AttentionShift = 20.0; // DeePMD-kit's attnw_shift

    /// <summary>Creates a model with random weights, davg = 0, dstd = 1 and zero energy bias.</summary>
    public Dpa1EnergyModel(Dpa1Config config)
    {
        Config = config;
        var c = config;
        var g = new Generator((ulong)c.Seed);
        TypeEmbedding = TorchGcGuard.Run(() => TypeEmbeddingNet(c.TypeCount, c.TebdDim, c.UseTebdBias, g));
        var side = c.TypeOneSide ? c.TebdDim : 2 * c.TebdDim;
        Embedding = TrainableNetwork.Embedding(c.Strip ? 1 : 1 + side, c.Neuron, c.Activation, c.ResnetDt, g);
        EmbeddingStrip = c.Strip ? TrainableNetwork.Embedding(side, c.Neuron, c.Activation, c.ResnetDt, g) : null;
        var ng = c.EmbeddingWidth;
        var layers = new List<TrainableAttentionLayer>();
        for (var l = 0; l < c.AttnLayer; l++)
        {
            var inProj = TrainableLayer.Create(ng, 3 * c.Attn, "none", false, false, g);
            var outProj = TrainableLayer.Create(c.Attn, ng, "none", false, false, g);
            layers.Add(TorchGcGuard.Run(() => new TrainableAttentionLayer(inProj, outProj,
                new Parameter(ones(ng, dtype: float64)), new Parameter(zeros(ng, dtype: float64)))));
        }
        AttentionLayers = layers;
        Fitting = TrainableNetwork.Fitting(c.DescriptorWidth, c.FittingNeuron, c.FittingActivation, c.FittingResnetDt, g);
        Davg = new double[c.TypeCount * c.Nsel * 4];
        Dstd = Enumerable.Repeat(1.0, c.TypeCount * c.Nsel * 4).ToArray();
        OutBias = new double[c.TypeCount];
    }

    /// <summary>DeePMD-kit's TypeEmbedNet net: one linear layer from one-hot types to tebd_dim (residual when the widths allow).</summary>
    private static TrainableNetwork TypeEmbeddingNet(int nt, int dim, bool bias, Generator g)
    {
        using var scale = tensor(1.0 / Math.Sqrt(nt + dim), dtype: float64);
        var w = new Parameter(randn(nt, dim, dtype: float64, generator: g).mul(scale));
        var b = bias ? new Parameter(randn(dim, dtype: float64, generator: g)) : null;
        return new TrainableNetwork([new TrainableLayer(w, b, null, "Linear", true)]);
    }

    /// <summary>The hyper-parameters.</summary>
    public Dpa1Config Config { get; }

    /// <summary>The type embedding net (one-hot → tebd_dim).</summary>
    public TrainableNetwork TypeEmbedding { get; set; }

    /// <summary>The embedding net (concat: on [s, T_j(, T_i)]; strip: on s).</summary>
    public TrainableNetwork Embedding { get; set; }

    /// <summary>The type net of strip mode (on [T_j(, T_i)]), or null.</summary>
    public TrainableNetwork? EmbeddingStrip { get; set; }

    /// <summary>The attention layers.</summary>
    public IReadOnlyList<TrainableAttentionLayer> AttentionLayers { get; set; }

    /// <summary>The fitting net (one for all types).</summary>
    public TrainableNetwork Fitting { get; set; }

    /// <inheritdoc />
    public double[] Davg { get; set; }

    /// <inheritdoc />
    public double[] Dstd { get; set; }

    /// <inheritdoc />
    public double[] OutBias { get; set; }

    /// <inheritdoc />
    public double? MinNborDist { get; set; }

    /// <inheritdoc />
    public string[] TypeMap => Config.TypeMap;

    /// <inheritdoc />
    public double Rcut => Config.Rcut;

    /// <inheritdoc />
    public int[] Sel => [Config.Nsel];

    /// <inheritdoc />
    public bool MixedTypes => true;

    /// <inheritdoc />
    public int DataStatNBatch => Config.DataStatNBatch;

    /// <summary>The descriptor's tensors: type embedding, embedding nets, attention layers (layer norm when trainable_ln).</summary>
    public IEnumerable<Parameter> DescriptorParameters(bool all)
    {
        foreach (var p in TypeEmbedding.Parameters()) yield return p;
        foreach (var p in Embedding.Parameters()) yield return p;
        if (EmbeddingStrip is not null)
            foreach (var p in EmbeddingStrip.Parameters()) yield return p;
        foreach (var l in AttentionLayers)
        {
            foreach (var p in l.InProjection.Parameters()) yield return p;
            foreach (var p in l.OutProjection.Parameters()) yield return p;
            if (all || Config.TrainableLn)
            {
                yield return l.NormWeight;
                yield return l.NormBias;
            }
        }
    }

    /// <inheritdoc />
    public IEnumerable<Parameter> Parameters() =>
        (Config.DescriptorTrainable ? DescriptorParameters(false) : []).Concat(Fitting.Parameters());

    /// <inheritdoc />
    public IEnumerable<Parameter> AllParameters() => DescriptorParameters(true).Concat(Fitting.Parameters());

    /// <inheritdoc />
    public void InitDescriptorStatistics(IReadOnlyList<FrameBatch> batches) =>
        (Davg, Dstd) = Statistics.EnvironmentStatistics(batches, Config.TypeCount, Config.Nsel, 4, Config.RcutSmooth, Config.Rcut,
            Config.SetDavgZero, Config.DataStatProtect);

    /// <inheritdoc />
    public string Signature()
    {
        var c = Config;
        return $"{c.DescriptorType} type_map=[{string.Join(",", c.TypeMap)}] sel={c.Nsel} rcut={c.Rcut:R} rcut_smth={c.RcutSmooth:R} " +
               $"neuron=[{string.Join(",", c.Neuron)}] axis={c.AxisNeuron} tebd={c.TebdDim} strip={c.Strip} one_side={c.TypeOneSide} " +
               $"attn={c.Attn}x{c.AttnLayer} tebd_bias={c.UseTebdBias} concat_tebd={c.ConcatOutputTebd} fitting=[{string.Join(",", c.FittingNeuron)}]";
    }

    /// <inheritdoc />
    public Dictionary<string, object?> ToTree() => Dpa1Exporter.ToTree(this);

    /// <summary>The type embedding table with the zero padding row, [ntypes + 1, tebd_dim].</summary>
    public Tensor TypeTable()
    {
        var nt = Config.TypeCount;
        var t = TypeEmbedding.Forward(eye(nt, dtype: float64));
        return cat([t, zeros(1, Config.TebdDim, dtype: float64)], 0);
    }

    /// <inheritdoc />
    public SeAEnergyModel.Output Forward(FrameBatch batch) => TorchGcGuard.Run(() => ForwardUnguarded(batch));

    private SeAEnergyModel.Output ForwardUnguarded(FrameBatch batch)
    {
        var c = Config;
        var nt = c.TypeCount;
        var ntp = nt + 1;
        var n = batch.AtomCount;
        var nA = batch.FrameCount * n;
        var nnei = batch.SlotCount;
        if (nnei != c.Nsel) throw new ArgumentException($"the batch has {nnei} slots, the model {c.Nsel}");
        var ng = c.EmbeddingWidth;
        var coords = tensor(batch.Coords).reshape(nA, 3).requires_grad_(true);
        var nbr = tensor(batch.Neighbor);
        var shift = tensor(batch.Shift).reshape(nA, nnei, 3);
        var maskD = tensor(batch.Mask).reshape(nA, nnei);
        var mask = maskD.gt(0.5);
        var types = tensor(batch.Types);
        var xj = coords.index_select(0, nbr).reshape(nA, nnei, 3);
        var d = xj - coords.unsqueeze(1) + shift;
        var r = d.pow(2).sum(-1, keepdim: true).sqrt();
        var u = ((r - c.RcutSmooth) / (c.Rcut - c.RcutSmooth)).clamp(0.0, 1.0);
        var w = u.pow(3) * (-6 * u.pow(2) + 15 * u - 10) + 1;
        var m1 = maskD.unsqueeze(-1);
        var env = cat([w / r, w * d / r.pow(2)], -1) * m1;
        var davg = tensor(Davg).reshape(nt, nnei, 4).index_select(0, types);
        var dstd = tensor(Dstd).reshape(nt, nnei, 4).index_select(0, types);
        var rr = (env - davg) / dstd;
        var sw = (w * m1).squeeze(-1); // [nA, nnei], 0 for padding

        // The neighbor type the embedding sees: its own, or the frame's first atom's for padded slots.
        var frameOf = tensor(batch.FrameOfAtom());
        var padType = types.index_select(0, frameOf * n);
        var nbrType = types.index_select(0, nbr).reshape(nA, nnei);
        var te = where(mask, nbrType, padType.unsqueeze(1).expand(nA, nnei));
        var table = TypeTable();
        var ss = rr.narrow(2, 0, 1);
        Tensor gmat;
        if (!c.Strip)
        {
            var tj = table.index_select(0, te.reshape(-1)).reshape(nA, nnei, c.TebdDim);
            var input = c.TypeOneSide ? cat([ss, tj], -1)
                : cat([ss, tj, table.index_select(0, types).unsqueeze(1).expand(nA, nnei, c.TebdDim)], -1);
            gmat = Embedding.Forward(input);
        }
        else
        {
            var gs = Embedding.Forward(ss);
            Tensor gt;
            if (c.TypeOneSide)
                gt = EmbeddingStrip!.Forward(table).index_select(0, te.reshape(-1)).reshape(nA, nnei, ng);
            else
            {
                // Row ti·(ntypes+1) + tj holds N_t([T_j, T_i]).
                var left = table.unsqueeze(0).expand(ntp, ntp, c.TebdDim);   // [ti][tj] → T_j
                var right = table.unsqueeze(1).expand(ntp, ntp, c.TebdDim);  // [ti][tj] → T_i
                var pairTable = EmbeddingStrip!.Forward(cat([left, right], -1).reshape(ntp * ntp, 2 * c.TebdDim));
                var idx = types.unsqueeze(1) * ntp + te;
                gt = pairTable.index_select(0, idx.reshape(-1)).reshape(nA, nnei, ng);
            }
            gmat = c.Smooth ? gs * gt * sw.unsqueeze(-1) + gs : gs * gt + gs;
        }

        if (AttentionLayers.Count > 0)
        {
            var swij = sw.unsqueeze(2) * sw.unsqueeze(1);
            var queryMask = maskD.unsqueeze(2);
            Tensor? dotr = null;
            if (c.AttnDotr)
            {
                var v3 = rr.narrow(2, 1, 3);
                var n2 = v3.pow(2).sum(-1, keepdim: true);
                // |v| clamped at 1e-12 as DeePMD-kit does; the double where keeps sqrt's gradient finite at 0.
                var big = n2.gt(1e-24);
                var norm = where(big, where(big, n2, ones_like(n2)).sqrt(), full_like(n2, 1e-12));
                var rhat = v3 / norm;
                dotr = matmul(rhat, rhat.transpose(1, 2));
            }
            foreach (var layer in AttentionLayers)
            {
                var h = c.Attn;
                var qkv = layer.InProjection.Forward(gmat);
                var q = qkv.narrow(2, 0, h);
                var k = qkv.narrow(2, h, h);
                var v = qkv.narrow(2, 2 * h, h);
                if (c.Normalize)
                {
                    q = q / q.pow(2).sum(-1, keepdim: true).sqrt();
                    k = k / k.pow(2).sum(-1, keepdim: true).sqrt();
                    v = v / v.pow(2).sum(-1, keepdim: true).sqrt();
                }
                q = q * c.AttentionScale;
                var logits = matmul(q, k.transpose(1, 2));
                logits = c.Smooth ? (logits + AttentionShift) * swij - AttentionShift
                    : logits.masked_fill(mask.logical_not().unsqueeze(1), -1e300);
                var a = nn.functional.softmax(logits, -1) * queryMask;
                if (c.Smooth) a = a * swij;
                if (dotr is not null) a = a * dotr;
                var y = layer.OutProjection.Forward(matmul(a, v));
                var z = gmat + y;
                var mean = z.mean([-1], keepdim: true);
                var zc = z - mean;
                var variance = zc.pow(2).mean([-1], keepdim: true);
                gmat = zc / (variance + c.LnEps).sqrt() * layer.NormWeight + layer.NormBias;
            }
        }

        var tMat = matmul(gmat.transpose(1, 2), rr) / nnei;                       // [nA, ng, 4]
        var desc = matmul(tMat, tMat.narrow(1, 0, c.AxisNeuron).transpose(1, 2)).reshape(nA, ng * c.AxisNeuron);
        if (c.ConcatOutputTebd) desc = cat([desc, table.index_select(0, types)], -1);
        var bias = tensor(OutBias).index_select(0, types);
        var atomEnergy = Fitting.Forward(desc).squeeze(-1) + bias;
        var energy = zeros(batch.FrameCount, dtype: float64).index_add(0, frameOf, atomEnergy, 1.0);
        return new SeAEnergyModel.Output(energy, atomEnergy, coords, d);
    }
}
