namespace DeepMD.Sharp.Models.Descriptors;

using DeepMD.Sharp.Models.Loading;
using DeepMD.Sharp.Models.Networks;
using DeepMD.Sharp.Models.Serialization;

/// <summary>
/// DeePMD-kit's DPA-2 descriptor (<c>dpa2</c>, docs/dpa.md "DPA-2"): a repinit block (se_atten without attention layers,
/// plus an optional three-body se_t_tebd block) over the largest cutoff, a linear map to g1, then repformer layers
/// (message passing over the repformer cutoff) updating the atom channel g1, the pair channel g2 and the equivariant
/// pair channel h2. The base class holds the repinit block's cutoff, sel, statistics and embedding net: the neighbor
/// list the model asks for is the repinit one, and the smaller lists are its nearest entries within their cutoffs.
/// </summary>
public sealed class Dpa2Spec : DescriptorSpec
{
    internal Dpa2Spec(int nt, Dpa2Repinit repinit, Dpa2ThreeBody? threeBody, Dpa2Repformer repformer, TypeEmbedding typeEmbedding,
        NeuralNetwork? g1ShapeTransform, NeuralNetwork? tebdTransform, bool concatOutputTebd, bool smooth,
        IReadOnlyList<(int A, int B)> exclude, double envProtection, string precision)
        : base(nt, repinit.Rcut, repinit.RcutSmooth, [repinit.Nsel], envProtection, repinit.Neuron, repinit.TypeOneSide, exclude,
            repinit.Davg, repinit.Dstd, 4, [repinit.Net], precision)
    {
        Repinit = repinit;
        ThreeBody = threeBody;
        Repformer = repformer;
        TypeEmbedding = typeEmbedding;
        G1ShapeTransform = g1ShapeTransform;
        TebdTransform = tebdTransform;
        ConcatOutputTebd = concatOutputTebd;
        Smooth = smooth;
    }

    public Dpa2Repinit Repinit { get; }

    /// <summary>The three-body block (<c>use_three_body</c>), or null.</summary>
    public Dpa2ThreeBody? ThreeBody { get; }

    public Dpa2Repformer Repformer { get; }

    public TypeEmbedding TypeEmbedding { get; }

    /// <summary>
    /// The strip-mode type table: the net on [T_nei, T_center] for every (center, neighbor) pair of table rows, row
    /// center·(ntypes+1) + neighbor; or on T_nei alone (type_one_side). Shared by the reference and CPU backends.
    /// </summary>
    public double[] StripTable(NeuralNetwork net, bool oneSide, bool centerFirst = false)
    {
        var tebd = TypeEmbedding;
        var ntp = tebd.RowCount;
        var t = tebd.Dim;
        var ng = net.OutputSize;
        if (oneSide)
        {
            var one = new double[ntp * ng];
            for (var a = 0; a < ntp; a++) net.Evaluate(tebd.Table.AsSpan(a * t, t), one.AsSpan(a * ng, ng));
            return one;
        }
        var table = new double[ntp * ntp * ng];
        var input = new double[2 * t];
        for (var a = 0; a < ntp; a++)
            for (var c = 0; c < ntp; c++)
            {
                // Row a·ntp + c: a is the first index (center, or first neighbor), c the second.
                var first = centerFirst ? a : c;
                var second = centerFirst ? c : a;
                tebd.Table.AsSpan(first * t, t).CopyTo(input.AsSpan(0, t));
                tebd.Table.AsSpan(second * t, t).CopyTo(input.AsSpan(t, t));
                net.Evaluate(input, table.AsSpan((a * ntp + c) * ng, ng));
            }
        return table;
    }

    /// <summary>repinit output → g1 (a linear layer without bias), or null when the sizes already agree (identity).</summary>
    public NeuralNetwork? G1ShapeTransform { get; }

    /// <summary><c>add_tebd_to_repinit_out</c>: tebd → g1 added to g1, or null.</summary>
    public NeuralNetwork? TebdTransform { get; }

    public bool ConcatOutputTebd { get; }

    /// <summary>The descriptor's <c>smooth</c> (the repinit blocks' smooth type embedding).</summary>
    public bool Smooth { get; }

    public const string DescriptorType = "dpa2";

    /// <summary>Every weight of the descriptor: type embedding, repinit (and three-body) nets, transforms, repformer layers.</summary>
    public override int ParameterCount
    {
        get
        {
            static int N(NeuralNetwork? n) => n?.ParameterCount ?? 0;
            var count = N(TypeEmbedding.Net) + N(Repinit.Net) + N(Repinit.StripNet) + N(ThreeBody?.Net) + N(ThreeBody?.StripNet)
                + N(G1ShapeTransform) + N(TebdTransform) + N(Repformer.G2Embedding);
            foreach (var l in Repformer.Layers)
                count += N(l.Linear1) + N(l.Linear2) + N(l.G1SelfMlp) + N(l.ProjG1G2) + N(l.ProjG1G1G2) + N(l.Attn2MapQk) + N(l.Attn2MapV)
                    + N(l.Attn2HeadMap) + N(l.Attn2EvHeadMap) + N(l.LocMapQ) + N(l.LocMapKv) + N(l.LocHeadMap) + (l.Attn2Norm?.ParameterCount ?? 0)
                    + l.G1Residual.Sum(v => v.Length) + l.G2Residual.Sum(v => v.Length) + l.H2Residual.Sum(v => v.Length);
            return count;
        }
    }

    public override string TypeName => DescriptorType;

    public override int OutputSize => Repformer.G1Dim + (ConcatOutputTebd ? TypeEmbedding.Dim : 0);

    public override NeighborRequirements Neighbors => new(Rcut, Sel, MixedTypes: true, DynamicSel: false);

    public override Evaluation.IReferenceDescriptor Reference =>
        throw new NotSupportedException("DPA-2 is evaluated over the whole frame (FrameReference)");

    public override Evaluation.IFrameReferenceDescriptor FrameReference => _frame ??= new Evaluation.Dpa2Reference(this);

    private Evaluation.Dpa2Reference? _frame;

    protected override string EmbeddingLine(string neuron) =>
        $"repinit          neuron {neuron}, axis_neuron {Repinit.AxisNeuron}, tebd_dim {TypeEmbedding.Dim}, tebd_input_mode {(Repinit.Strip ? "strip" : "concat")}";

    protected override IEnumerable<string> DescribeSpecific()
    {
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        if (ThreeBody is { } tb)
            yield return string.Create(ci, $"three-body       rcut {tb.Rcut} Å (rcut_smth {tb.RcutSmooth}), sel {tb.Nsel}, neuron [{string.Join(", ", tb.Neuron)}]");
        var r = Repformer;
        yield return string.Create(ci, $"repformer        {r.Layers.Length} layers, rcut {r.Rcut} Å (rcut_smth {r.RcutSmooth}), sel {r.Nsel}, g1 {r.G1Dim}, g2 {r.G2Dim}, axis_neuron {r.AxisNeuron}");
        var l = r.Layers[0];
        var on = new List<string>();
        if (l.G1Conv) on.Add("g1 conv");
        if (l.G1Drrd) on.Add("g1 drrd");
        if (l.G1Grrg) on.Add("g1 grrg");
        if (l.G1Attn) on.Add("g1 attn");
        if (l.G2G1G1) on.Add("g2 g1g1");
        if (l.G2Attn) on.Add("g2 attn");
        if (l.UpdateH2) on.Add("h2");
        yield return $"repformer update {string.Join(", ", on)}; {l.UpdateStyle}{(l.UseSqrtNnei ? ", sqrt(nnei)" : "")}{(l.G1OutConv ? ", g1_out_conv" : "")}{(l.G1OutMlp ? ", g1_out_mlp" : "")}";
        yield return $"descriptor size  {OutputSize}{(ConcatOutputTebd ? " (g1 + type embedding)" : "")}";
    }

    /// <summary>How it is read: type <c>dpa2</c>.</summary>
    public static readonly DescriptorReader ReadAs = new(DescriptorType, [], Read);

    private static Dpa2Spec Read(ModelNode d, int nt)
    {
        ModelReader.CheckClass(d, "Descriptor", 1, 3);
        var version = d.Optional("@version").AsInt(3);
        if (!d.Optional("spin").IsNull) throw d["spin"].Error("spin models are not supported");
        var ntypes = d.Optional("ntypes").AsInt(nt);
        if (ntypes != nt) throw d["ntypes"].Error($"descriptor has ntypes {ntypes}, the model has {nt} types");
        var precision = d.Optional("precision").AsString("float64");
        var smooth = d.Optional("smooth").AsBool(true);
        var protection = d.Optional("env_protection").AsDouble(0.0);
        var exclude = ModelReader.ReadPairs(d.Optional("exclude_types"), nt);
        var tebd = ModelReader.ReadTypeEmbedding(d["type_embedding"], nt);
        if (!tebd.HasPadding) throw d["type_embedding"].Error("DPA-2's type embedding must have the padding row");

        var ia = d["repinit_args"];
        var tebdDim = ia.Optional("tebd_dim").AsInt(tebd.Dim);
        if (tebdDim != tebd.Dim) throw ia["tebd_dim"].Error($"tebd_dim is {tebdDim} but the type embedding gives {tebd.Dim}");
        var mode = ia.Optional("tebd_input_mode").AsString("concat");
        if (mode is not ("concat" or "strip")) throw ia["tebd_input_mode"].Error($"tebd_input_mode '{mode}' is unknown; DeePMD-kit writes concat or strip");
        var strip = mode == "strip";
        var typeOneSide = ia.Optional("type_one_side").AsBool(false);
        var iv = d["repinit_variable"];
        if (!iv.Optional("compress").IsNull) throw iv["compress"].Error("compressed DPA-2 models are not supported; use the uncompressed model");
        var rcut = ia["rcut"].AsDouble();
        var rcs = ia["rcut_smth"].AsDouble();
        CheckCut(ia, rcut, rcs);
        var nsel = SelOf(ia["nsel"]);
        var neuron = ia["neuron"].AsIntArray();
        var axis = ia["axis_neuron"].AsInt();
        if (axis < 1 || axis > neuron[^1]) throw ia["axis_neuron"].Error($"axis_neuron must be in 1..{neuron[^1]}, found {axis}");
        var (net, stripNet) = ReadBlockNets(iv, nt, strip, typeOneSide ? 1 : 2, tebd.Dim, neuron[^1], concatInputs: 1 + (typeOneSide ? 1 : 2) * tebd.Dim);
        var (davg, dstd) = ReadStats(iv, nt, nsel);
        var repinit = new Dpa2Repinit(rcut, rcs, nsel, neuron, axis, strip, typeOneSide, net, stripNet, davg, dstd);

        Dpa2ThreeBody? threeBody = null;
        if (ia.Optional("use_three_body").AsBool(false))
        {
            var tv = d["repinit_three_body_variable"];
            var trc = ia["three_body_rcut"].AsDouble();
            var trs = ia["three_body_rcut_smth"].AsDouble();
            CheckCut(ia, trc, trs);
            var tsel = SelOf(ia["three_body_sel"]);
            var tneuron = ia["three_body_neuron"].AsIntArray();
            var (tnet, tstrip) = ReadBlockNets(tv, nt, strip, 2, tebd.Dim, tneuron[^1], concatInputs: 1 + 2 * tebd.Dim);
            var (tavg, tstd) = ReadStats(tv, nt, tsel);
            threeBody = new Dpa2ThreeBody(trc, trs, tsel, tneuron, tnet, tstrip, tavg, tstd);
            if (trc > rcut || tsel > nsel) throw ia.Error($"the three-body cutoff and sel ({trc} Å, {tsel}) must not exceed repinit's ({rcut} Å, {nsel})");
        }

        var fa = d["repformer_args"];
        var fv = d["repformers_variable"];
        var frc = fa["rcut"].AsDouble();
        var frs = fa["rcut_smth"].AsDouble();
        CheckCut(fa, frc, frs);
        var fsel = SelOf(fa["nsel"]);
        if (frc > rcut || fsel > nsel) throw fa.Error($"the repformer cutoff and sel ({frc} Å, {fsel}) must not exceed repinit's ({rcut} Å, {nsel})");
        var g1 = fa["g1_dim"].AsInt();
        var g2 = fa["g2_dim"].AsInt();
        var fAxis = fa["axis_neuron"].AsInt();
        var directDist = fa.Optional("direct_dist").AsBool(false);
        var act = Activation.Parse(fa.Optional("activation_function").AsString("tanh"), d.File);
        var g2Embd = new NeuralNetwork([ModelReader.ReadLayer(fv["g2_embd"])]);
        if (g2Embd.InputSize != 1 || g2Embd.OutputSize != g2) throw fv["g2_embd"].Error($"g2_embd must map 1 → g2_dim = {g2}, found {g2Embd.InputSize} → {g2Embd.OutputSize}");
        var (favg, fstd) = ReadStats(fv, nt, fsel);
        var layerNodes = fv["repformer_layers"].AsList();
        var nlayers = fa.Optional("nlayers").AsInt(layerNodes.Count);
        if (layerNodes.Count != nlayers) throw fv["repformer_layers"].Error($"has {layerNodes.Count} layers, repformer_args says nlayers = {nlayers}");
        var layers = layerNodes.Select(n => ReadLayer(n, g1, g2, fAxis, version)).ToArray();
        var repformer = new Dpa2Repformer(frc, frs, fsel, g1, g2, fAxis, directDist, act, g2Embd, favg, fstd, layers,
            version < 3 ? false : fa.Optional("use_sqrt_nnei").AsBool(true));

        var repinitOut = neuron[^1] * axis + (threeBody?.Neuron[^1] ?? 0);
        NeuralNetwork? shape = null;
        if (repinitOut != g1)
        {
            shape = new NeuralNetwork([ModelReader.ReadLayer(d["g1_shape_tranform"])]);
            if (shape.InputSize != repinitOut || shape.OutputSize != g1)
                throw d["g1_shape_tranform"].Error($"must map the repinit output ({repinitOut}) to g1_dim ({g1}), found {shape.InputSize} → {shape.OutputSize}");
        }
        NeuralNetwork? tebdTransform = null;
        if (d.Optional("add_tebd_to_repinit_out").AsBool(false))
        {
            tebdTransform = new NeuralNetwork([ModelReader.ReadLayer(d["tebd_transform"])]);
            if (tebdTransform.InputSize != tebd.Dim || tebdTransform.OutputSize != g1)
                throw d["tebd_transform"].Error($"must map tebd_dim ({tebd.Dim}) to g1_dim ({g1})");
        }
        return new Dpa2Spec(nt, repinit, threeBody, repformer, tebd, shape, tebdTransform,
            d.Optional("concat_output_tebd").AsBool(true), smooth, exclude, protection, precision);
    }

    private static void CheckCut(ModelNode n, double rcut, double rcs)
    {
        if (!(rcut > 0) || !(rcs >= 0) || rcs >= rcut) throw n.Error($"need 0 ≤ rcut_smth < rcut, found rcut_smth = {rcs}, rcut = {rcut}");
    }

    private static int SelOf(ModelNode n)
    {
        var v = n.Value is List<object?> ? n.AsIntArray().Sum() : n.AsInt();
        if (v < 1) throw n.Error($"sel must be positive, found {v}");
        return v;
    }

    private static (double[] Davg, double[] Dstd) ReadStats(ModelNode block, int nt, int nsel)
    {
        var vars = block["@variables"];
        var davg = vars["davg"].AsArray(nt, nsel, 4).Data;
        var dstd = vars["dstd"].AsArray(nt, nsel, 4).Data;
        for (var q = 0; q < dstd.Length; q++)
            if (dstd[q] == 0 || !double.IsFinite(dstd[q]))
                throw vars["dstd"].Error($"entry {q} is {dstd[q]}; the normalisation std must be finite and non-zero");
        return (davg, dstd);
    }

    /// <summary>The embedding net of a repinit-like block (one net, ndim 0) and, in strip mode, the type net.</summary>
    private static (NeuralNetwork Net, NeuralNetwork? Strip) ReadBlockNets(ModelNode block, int nt, bool strip, int sides, int tebdDim, int ng, int concatInputs)
    {
        NeuralNetwork One(ModelNode c, int inputs)
        {
            var (ndim, nets) = ModelReader.ReadCollection(c, nt, "EmbeddingNetwork");
            if (ndim != 0 || nets[0] is null) throw c.Error($"expected one embedding net (ndim 0), found ndim {ndim}");
            var net = nets[0]!;
            if (net.InputSize != inputs) throw c.Error($"the embedding net takes {net.InputSize} inputs, expected {inputs}");
            if (net.OutputSize != ng) throw c.Error($"the embedding net gives {net.OutputSize} outputs, expected neuron[-1] = {ng}");
            return net;
        }
        if (!strip) return (One(block["embeddings"], concatInputs), null);
        return (One(block["embeddings"], 1), One(block["embeddings_strip"], sides * tebdDim));
    }

    private static Dpa2Layer ReadLayer(ModelNode n, int g1, int g2, int axis, int descriptorVersion)
    {
        ModelReader.CheckClass(n, "RepformerLayer", 1, 2);
        NeuralNetwork? Lin(string key, int nin, int nout)
        {
            var node = n.Optional(key);
            if (node.IsNull) return null;
            var net = new NeuralNetwork([ModelReader.ReadLayer(node)]);
            if (net.InputSize != nin || net.OutputSize != nout) throw node.Error($"expected a {nin} → {nout} layer, found {net.InputSize} → {net.OutputSize}");
            return net;
        }
        NeuralNetwork Need(string key, int nin, int nout) => Lin(key, nin, nout) ?? throw n.Error($"'{key}' is missing");
        var chnnl2 = n.Optional("update_chnnl_2").AsBool(true);
        var l = new Dpa2Layer
        {
            G1Conv = n["update_g1_has_conv"].AsBool(),
            G1Drrd = n["update_g1_has_drrd"].AsBool(),
            G1Grrg = n["update_g1_has_grrg"].AsBool(),
            G1Attn = n["update_g1_has_attn"].AsBool(),
            UpdateChannel2 = chnnl2,
            G2G1G1 = chnnl2 && n["update_g2_has_g1g1"].AsBool(),
            G2Attn = chnnl2 && n["update_g2_has_attn"].AsBool(),
            UpdateH2 = chnnl2 && n["update_h2"].AsBool(),
            Attn1Hidden = n.Optional("attn1_hidden").AsInt(64),
            Attn1Heads = n.Optional("attn1_nhead").AsInt(4),
            Attn2Hidden = n.Optional("attn2_hidden").AsInt(16),
            Attn2Heads = n.Optional("attn2_nhead").AsInt(4),
            Attn2Gate = n.Optional("attn2_has_gate").AsBool(false),
            Activation = Activation.Parse(n.Optional("activation_function").AsString("tanh"), n.File),
            UpdateStyle = n.Optional("update_style").AsString("res_avg"),
            Smooth = n.Optional("smooth").AsBool(true),
            UseSqrtNnei = descriptorVersion >= 3 && n.Optional("use_sqrt_nnei").AsBool(true),
            G1OutConv = descriptorVersion >= 3 && n.Optional("g1_out_conv").AsBool(true),
            G1OutMlp = descriptorVersion >= 3 && n.Optional("g1_out_mlp").AsBool(true),
        };
        if (n.Optional("g1_dim").AsInt(g1) != g1 || n.Optional("g2_dim").AsInt(g2) != g2 || n.Optional("axis_neuron").AsInt(axis) != axis)
            throw n.Error("the layer's g1_dim, g2_dim or axis_neuron differ from repformer_args");
        if (l.UpdateStyle is not ("res_avg" or "res_incr" or "res_residual"))
            throw n["update_style"].Error($"update_style '{l.UpdateStyle}' is unknown; DeePMD-kit writes res_avg, res_incr or res_residual");
        var inDim = (l.G1OutMlp ? 0 : g1) + (l.G1Grrg ? g2 * axis : 0) + (l.G1Drrd ? g1 * axis : 0) + (l.G1Conv && !l.G1OutConv ? g2 : 0);
        l.Linear1 = Need("linear1", inDim, g1);
        if (chnnl2) l.Linear2 = Need("linear2", g2, g2);
        if (l.G1OutMlp) l.G1SelfMlp = Need("g1_self_mlp", g1, g1);
        if (l.G1Conv) l.ProjG1G2 = l.G1OutConv ? Need("proj_g1g2", g2, g1) : Need("proj_g1g2", g1, g2);
        if (l.G2G1G1) l.ProjG1G1G2 = Need("proj_g1g1g2", g1, g2);
        if (l.G2Attn || l.UpdateH2)
        {
            var map = n["attn2g_map"];
            l.Attn2MapQk = new NeuralNetwork([ModelReader.ReadLayer(map["mapqk"])]);
            l.Attn2Shift = map.Optional("attnw_shift").AsDouble(20.0);
            if (l.Attn2MapQk.InputSize != g2 || l.Attn2MapQk.OutputSize != l.Attn2Hidden * 2 * l.Attn2Heads)
                throw map["mapqk"].Error($"expected a {g2} → {l.Attn2Hidden * 2 * l.Attn2Heads} layer");
        }
        if (l.G2Attn)
        {
            var mh = n["attn2_mh_apply"];
            l.Attn2MapV = new NeuralNetwork([ModelReader.ReadLayer(mh["mapv"])]);
            l.Attn2HeadMap = new NeuralNetwork([ModelReader.ReadLayer(mh["head_map"])]);
            if (l.Attn2MapV.InputSize != g2 || l.Attn2MapV.OutputSize != g2 * l.Attn2Heads || l.Attn2HeadMap.InputSize != g2 * l.Attn2Heads || l.Attn2HeadMap.OutputSize != g2)
                throw mh.Error("attn2_mh_apply's layers do not match g2_dim and attn2_nhead");
            l.Attn2Norm = ModelReader.ReadLayerNorm(n["attn2_lm"], g2);
        }
        if (l.UpdateH2)
        {
            var ev = n["attn2_ev_apply"];
            l.Attn2EvHeadMap = new NeuralNetwork([ModelReader.ReadLayer(ev["head_map"])]);
            if (l.Attn2EvHeadMap.InputSize != l.Attn2Heads || l.Attn2EvHeadMap.OutputSize != 1) throw ev.Error("attn2_ev_apply's head_map must map attn2_nhead → 1");
        }
        if (l.G1Attn)
        {
            var la = n["loc_attn"];
            l.LocMapQ = new NeuralNetwork([ModelReader.ReadLayer(la["mapq"])]);
            l.Attn1Shift = la.Optional("attnw_shift").AsDouble(20.0);
            l.LocMapKv = new NeuralNetwork([ModelReader.ReadLayer(la["mapkv"])]);
            l.LocHeadMap = new NeuralNetwork([ModelReader.ReadLayer(la["head_map"])]);
            if (l.LocMapQ.OutputSize != l.Attn1Hidden * l.Attn1Heads || l.LocMapKv.OutputSize != (l.Attn1Hidden + g1) * l.Attn1Heads || l.LocHeadMap.InputSize != g1 * l.Attn1Heads)
                throw la.Error("loc_attn's layers do not match g1_dim, attn1_hidden and attn1_nhead");
        }
        if (l.UpdateStyle == "res_residual")
        {
            var vars = n.Optional("@variables");
            double[][] Res(string key, int dim, int count)
            {
                var node = vars.IsNull ? n.Optional(key) : vars.Optional(key);
                var list = node.IsNull ? [] : node.AsList();
                if (list.Count != count) throw (node.IsNull ? n : node).Error($"expected {count} residual vectors for {key}, found {list.Count}");
                return list.Select(v => v.AsArray(dim).Data).ToArray();
            }
            var ng1 = 1 + (l.G1OutMlp ? 1 : 0) + (l.G1Conv && l.G1OutConv ? 1 : 0) + (l.G1Attn ? 1 : 0);
            var ng2 = chnnl2 ? 1 + (l.G2G1G1 ? 1 : 0) + (l.G2Attn ? 1 : 0) : 0;
            l.G1Residual = Res("g1_residual", g1, ng1);
            l.G2Residual = Res("g2_residual", g2, ng2);
            l.H2Residual = Res("h2_residual", 1, l.UpdateH2 ? 1 : 0);
        }
        return l;
    }
}

/// <summary>DPA-2's repinit block: se_atten with no attention layer.</summary>
public sealed record Dpa2Repinit(double Rcut, double RcutSmooth, int Nsel, int[] Neuron, int AxisNeuron, bool Strip, bool TypeOneSide,
    NeuralNetwork Net, NeuralNetwork? StripNet, double[] Davg, double[] Dstd);

/// <summary>DPA-2's three-body repinit block (se_t_tebd).</summary>
public sealed record Dpa2ThreeBody(double Rcut, double RcutSmooth, int Nsel, int[] Neuron, NeuralNetwork Net, NeuralNetwork? StripNet,
    double[] Davg, double[] Dstd);

/// <summary>DPA-2's repformer block.</summary>
public sealed record Dpa2Repformer(double Rcut, double RcutSmooth, int Nsel, int G1Dim, int G2Dim, int AxisNeuron, bool DirectDist,
    Activation Activation, NeuralNetwork G2Embedding, double[] Davg, double[] Dstd, Dpa2Layer[] Layers, bool UseSqrtNnei);

/// <summary>One repformer layer: its switches and weights (null where the switch is off).</summary>
public sealed class Dpa2Layer
{
    public bool G1Conv, G1Drrd, G1Grrg, G1Attn, UpdateChannel2, G2G1G1, G2Attn, UpdateH2, Attn2Gate, Smooth, UseSqrtNnei, G1OutConv, G1OutMlp;
    public int Attn1Hidden, Attn1Heads, Attn2Hidden, Attn2Heads;

    /// <summary>The logit shift of the smooth attention (attnw_shift, 20 in DeePMD-kit) of loc_attn and attn2g_map.</summary>
    public double Attn1Shift = 20, Attn2Shift = 20;
    public Activation Activation = Activation.Linear;
    public string UpdateStyle = "res_avg";
    public NeuralNetwork Linear1 = null!;
    public NeuralNetwork? Linear2, G1SelfMlp, ProjG1G2, ProjG1G1G2, Attn2MapQk, Attn2MapV, Attn2HeadMap, Attn2EvHeadMap, LocMapQ, LocMapKv, LocHeadMap;
    public LayerNorm? Attn2Norm;
    public double[][] G1Residual = [], G2Residual = [], H2Residual = [];

    /// <summary>Protection of 1/nnei in the non-smooth normalisations (DeePMD-kit's epsilon).</summary>
    public const double Epsilon = 1e-4;
}
