namespace DeepMD.Sharp.Models.Descriptors;

using DeepMD.Sharp.Models.Networks;

/// <summary>How the type embedding enters the se_atten embedding net (<c>tebd_input_mode</c>).</summary>
public enum TebdInputMode
{
    /// <summary>G = N([s, T_j, T_i]) (or [s, T_j] one-sided): one net on the radial value and the type embeddings.</summary>
    Concat,

    /// <summary>G = N_s(s) ⊙ N_t([T_j, T_i]) (⊙ sw when smooth) + N_s(s): a radial net and a type net (se_atten_v2).</summary>
    Strip,
}

/// <summary>
/// One gated self-attention layer over a center's neighbors (DeePMD-kit's <c>NeighborGatedAttentionLayer</c>, one head):
/// Q, K, V = split(G·W_in + b_in), optionally L2-normalised; A = softmax(scale·Q Kᵀ) with the smooth or masked
/// treatment of padding; optionally ⊙ (r̂ r̂ᵀ); G ← LayerNorm(G + (A V)·W_out + b_out).
/// </summary>
public sealed class AttentionLayer
{
    public AttentionLayer(DenseLayer inProjection, DenseLayer outProjection, LayerNorm norm, int hiddenDim, double scale, bool normalize)
    {
        if (inProjection.OutputSize != 3 * hiddenDim) throw new ArgumentException("in_proj must give 3·hidden_dim outputs");
        if (outProjection.InputSize != hiddenDim || outProjection.OutputSize != inProjection.InputSize || norm.Size != inProjection.InputSize)
            throw new ArgumentException("out_proj and the layer norm must map back to the embedding width");
        InProjection = inProjection;
        OutProjection = outProjection;
        Norm = norm;
        HiddenDim = hiddenDim;
        Scale = scale;
        Normalize = normalize;
    }

    /// <summary>in_proj: embedding width → 3·hidden (linear, with bias).</summary>
    public DenseLayer InProjection { get; }

    /// <summary>out_proj: hidden → embedding width (linear, with bias).</summary>
    public DenseLayer OutProjection { get; }

    /// <summary>attn_layer_norm.</summary>
    public LayerNorm Norm { get; }

    /// <summary>attn (the hidden width of Q, K, V).</summary>
    public int HiddenDim { get; }

    /// <summary>The factor on Q: (hidden · scaling_factor)^(−1/2), or the temperature when one is set.</summary>
    public double Scale { get; }

    /// <summary>Whether Q, K and V are L2-normalised per neighbor.</summary>
    public bool Normalize { get; }

    public int ParameterCount => InProjection.ParameterCount + OutProjection.ParameterCount + Norm.ParameterCount;
}

/// <summary>
/// DeePMD-kit's <c>DescrptBlockSeAtten</c> (notes §2.1): the mixed-type smooth environment matrix of the nsel nearest
/// neighbors, a type-aware embedding (concat or strip), <see cref="AttentionLayers"/> attention layers, and the se_e2_a
/// contraction T Tᵀ&lt;. It is the whole of DPA-1 (<c>se_atten</c>, <c>se_atten_v2</c>) but for the type embedding
/// appended to the output, and DPA-2's repinit block (with <c>attn_layer</c> 0), which is why it stands alone.
/// Immutable; the type-net table of strip mode is computed once from the type embedding.
/// </summary>
public sealed class SeAttenBlock
{
    public SeAttenBlock(int typeCount, double rcut, double rcutSmooth, int nsel, double envProtection, int[] neuron, int axisNeuron,
        TypeEmbedding typeEmbedding, TebdInputMode mode, bool typeOneSide, bool smooth, IReadOnlyList<(int A, int B)> excludeTypes,
        double[] davg, double[] dstd, NeuralNetwork embedding, NeuralNetwork? embeddingStrip, IReadOnlyList<AttentionLayer> attentionLayers,
        bool dotr, bool setDavgZero, string precision, double[]? compressedStripTable = null, Compression.EmbeddingTable? radialTable = null)
    {
        var ng = neuron[^1];
        var tebd = typeEmbedding.Dim;
        if (!typeEmbedding.HasPadding) throw new ArgumentException("se_atten needs a type embedding with a padding row");
        if (davg.Length != typeCount * nsel * 4 || dstd.Length != typeCount * nsel * 4) throw new ArgumentException("davg/dstd must be [types][nsel][4]");
        if (axisNeuron < 1 || axisNeuron > ng) throw new ArgumentException("axis_neuron must be in 1..neuron[-1]");
        var sideInputs = typeOneSide ? tebd : 2 * tebd;
        if (mode == TebdInputMode.Concat && embedding.InputSize != 1 + sideInputs)
            throw new ArgumentException($"the concat embedding net must take {1 + sideInputs} inputs");
        if (mode == TebdInputMode.Strip && (embedding.InputSize != 1 || embeddingStrip is null || embeddingStrip.InputSize != sideInputs || embeddingStrip.OutputSize != ng))
            throw new ArgumentException($"strip mode needs a radial net of one input and a type net of {sideInputs} inputs, both giving {ng}");
        if (embedding.OutputSize != ng) throw new ArgumentException("the embedding net must give neuron[-1] outputs");
        foreach (var l in attentionLayers)
            if (l.InProjection.InputSize != ng) throw new ArgumentException("attention layers must work on the embedding width");
        TypeCount = typeCount;
        Rcut = rcut;
        RcutSmooth = rcutSmooth;
        Nsel = nsel;
        EnvProtection = envProtection;
        Neuron = neuron;
        AxisNeuron = axisNeuron;
        TypeEmbedding = typeEmbedding;
        Mode = mode;
        TypeOneSide = typeOneSide;
        Smooth = smooth;
        ExcludeTypes = excludeTypes;
        Davg = davg;
        Dstd = dstd;
        Embedding = embedding;
        EmbeddingStrip = embeddingStrip;
        AttentionLayers = attentionLayers.ToArray();
        Dotr = dotr;
        SetDavgZero = setDavgZero;
        Precision = precision;
        _excluded = new bool[typeCount * typeCount];
        foreach (var (a, b) in excludeTypes)
        {
            _excluded[a * typeCount + b] = true;
            _excluded[b * typeCount + a] = true;
        }
        if (mode == TebdInputMode.Strip)
        {
            var rows = typeOneSide ? typeEmbedding.RowCount : typeEmbedding.RowCount * typeEmbedding.RowCount;
            if (compressedStripTable is not null && compressedStripTable.Length != rows * ng)
                throw new ArgumentException($"the compressed type-embedding table must have {rows} rows of {ng} (the type net at every {(typeOneSide ? "neighbor type" : "(center, neighbor) type pair")}, padding included)");
            StripTable = compressedStripTable ?? BuildStripTable();
        }
        else if (compressedStripTable is not null || radialTable is not null)
            throw new ArgumentException("DeePMD-kit compresses se_atten only in strip mode (tebd_input_mode strip)");
        if (radialTable is not null)
        {
            if (attentionLayers.Count > 0)
                throw new ArgumentException("a tabulated radial net (geo_compress) with attention layers: DeePMD-kit tabulates the radial net only when attn_layer is 0");
            if (radialTable.Channels != ng) throw new ArgumentException($"the radial table has {radialTable.Channels} channels, the embedding net gives {ng}");
        }
        TypeEmbeddingCompressed = compressedStripTable is not null;
        RadialTable = radialTable;
    }

    /// <summary>
    /// Strip mode of a compressed model (DeePMD-kit's <c>dp compress</c>, Descriptor v3 <c>compress</c> block): the type net's
    /// outputs stored in the file (<c>type_embd_data</c>) are <see cref="StripTable"/>, in place of the net's.
    /// </summary>
    public bool TypeEmbeddingCompressed { get; }

    /// <summary>
    /// The tabulated radial net N_s(s) of a compressed model without attention layers (<c>geo_compress</c>), replacing
    /// <see cref="Embedding"/>; null when the net is evaluated.
    /// </summary>
    public Compression.EmbeddingTable? RadialTable { get; }

    /// <summary>Whether the file's compressed tables replace any of the nets.</summary>
    public bool IsCompressed => TypeEmbeddingCompressed || RadialTable is not null;

    private readonly bool[] _excluded;

    public int TypeCount { get; }

    public double Rcut { get; }

    public double RcutSmooth { get; }

    /// <summary>Σ sel: the slots per center, one block for all types.</summary>
    public int Nsel { get; }

    public double EnvProtection { get; }

    public int[] Neuron { get; }

    /// <summary>ng = neuron[-1].</summary>
    public int EmbeddingWidth => Neuron[^1];

    public int AxisNeuron { get; }

    public TypeEmbedding TypeEmbedding { get; }

    public TebdInputMode Mode { get; }

    public bool TypeOneSide { get; }

    /// <summary>smooth_type_embedding: the switch enters the attention logits and weights (and the strip type net).</summary>
    public bool Smooth { get; }

    public IReadOnlyList<(int A, int B)> ExcludeTypes { get; }

    /// <summary>[types][nsel][4].</summary>
    public double[] Davg { get; }

    /// <summary>[types][nsel][4].</summary>
    public double[] Dstd { get; }

    /// <summary>The embedding net (concat: on [s, T_j(, T_i)]; strip: on s).</summary>
    public NeuralNetwork Embedding { get; }

    /// <summary>The type net of strip mode, or null.</summary>
    public NeuralNetwork? EmbeddingStrip { get; }

    /// <summary>N_t of every (center, neighbor) type pair, [(ntypes+1)²][ng] (row ti·(ntypes+1)+tj), or [(ntypes+1)][ng] one-sided; strip mode only.</summary>
    public double[]? StripTable { get; }

    public IReadOnlyList<AttentionLayer> AttentionLayers { get; }

    /// <summary>attn_dotr: the attention weights are multiplied by r̂_j·r̂_k.</summary>
    public bool Dotr { get; }

    public bool SetDavgZero { get; }

    public string Precision { get; }

    /// <summary>Output width ng·axis_neuron.</summary>
    public int OutputSize => EmbeddingWidth * AxisNeuron;

    public bool IsExcluded(int a, int b) => _excluded[a * TypeCount + b];

    public int ParameterCount => Embedding.ParameterCount + (EmbeddingStrip?.ParameterCount ?? 0) + AttentionLayers.Sum(l => l.ParameterCount);

    private double[] BuildStripTable()
    {
        var ntp = TypeEmbedding.RowCount;
        var tebd = TypeEmbedding.Dim;
        var ng = EmbeddingWidth;
        var rows = TypeOneSide ? ntp : ntp * ntp;
        var table = new double[rows * ng];
        var input = new double[TypeOneSide ? tebd : 2 * tebd];
        for (var ti = 0; ti < (TypeOneSide ? 1 : ntp); ti++)
            for (var tj = 0; tj < ntp; tj++)
            {
                TypeEmbedding.Table.AsSpan(tj * tebd, tebd).CopyTo(input);
                if (!TypeOneSide) TypeEmbedding.Table.AsSpan(ti * tebd, tebd).CopyTo(input.AsSpan(tebd));
                var row = TypeOneSide ? tj : ti * ntp + tj;
                EmbeddingStrip!.Evaluate(input, table.AsSpan(row * ng, ng));
            }
        return table;
    }

    /// <summary>The <c>info</c> lines of the block.</summary>
    public IEnumerable<string> Describe()
    {
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        yield return string.Create(ci, $"rcut             {Rcut} Å   (rcut_smth {RcutSmooth} Å, env_protection {EnvProtection})");
        yield return $"sel              {Nsel}   (mixed types: the {Nsel} nearest, whatever their type)";
        yield return $"embedding net    [{string.Join(", ", Neuron)}]   (tebd_input_mode {Mode.ToString().ToLowerInvariant()}, {(TypeOneSide ? "neighbor type only" : "center and neighbor types")}, tebd_dim {TypeEmbedding.Dim})";
        if (AttentionLayers.Count == 0)
            yield return "attention        none (attn_layer 0)";
        else
        {
            var l0 = AttentionLayers[0];
            yield return string.Create(ci, $"attention        {AttentionLayers.Count} layers, hidden {l0.HiddenDim}, scale {l0.Scale:G6}, normalize {l0.Normalize}, dotr {Dotr}, smooth {Smooth}");
        }
        yield return $"axis_neuron      {AxisNeuron}";
        if (IsCompressed)
            yield return string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"compressed       type net tabulated per type pair{(RadialTable is { } t ? $"; radial net tabulated on [{t.Lower}, {t.TableMax}] (strides {t.Stride0}, {t.Stride1}, {t.SplineCount} intervals)" : "; radial net evaluated (attention layers present)")}");
    }
}
