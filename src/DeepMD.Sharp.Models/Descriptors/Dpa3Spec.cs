namespace DeepMD.Sharp.Models.Descriptors;

using DeepMD.Sharp.Models.Loading;
using DeepMD.Sharp.Models.Networks;
using DeepMD.Sharp.Models.Serialization;

/// <summary>
/// DeePMD-kit's DPA-3 descriptor (<c>dpa3</c>, docs/dpa.md "DPA-3"): a repflow block that keeps node (n), edge (e) and
/// angle (a) features and updates them layer by layer by message passing over the edge cutoff e_rcut (edges) and the
/// angle cutoff a_rcut (pairs of edges of one center). The descriptor of an atom is its node feature after the last layer
/// (with its type embedding appended under <c>concat_output_tebd</c>). The base class holds the edge block's cutoff, sel
/// and statistics: the neighbor list the model asks for is the edge list, and the angle list is its nearest entries
/// within a_rcut.
/// </summary>
public sealed class Dpa3Spec : DescriptorSpec
{
    internal Dpa3Spec(int nt, Dpa3Repflow repflow, TypeEmbedding typeEmbedding, bool concatOutputTebd, bool useLocMapping,
        IReadOnlyList<(int A, int B)> exclude, double envProtection, string precision)
        : base(nt, repflow.ERcut, repflow.ERcutSmooth, [repflow.ESel], envProtection, [repflow.NDim, repflow.EDim, repflow.ADim], false,
            exclude, repflow.Davg, repflow.Dstd, 4, [], precision)
    {
        Repflow = repflow;
        TypeEmbedding = typeEmbedding;
        ConcatOutputTebd = concatOutputTebd;
        UseLocMapping = useLocMapping;
    }

    public Dpa3Repflow Repflow { get; }

    /// <summary>The type embedding (tebd_dim = n_dim): the initial node features are act(T_t).</summary>
    public TypeEmbedding TypeEmbedding { get; }

    public bool ConcatOutputTebd { get; }

    /// <summary>
    /// <c>use_loc_mapping</c>: DeePMD-kit indexes node features by local atom instead of by extended atom. The two give the
    /// same numbers; it is kept for <c>info</c> only (our lists over a periodic box always name local atoms).
    /// </summary>
    public bool UseLocMapping { get; }

    public const string DescriptorType = "dpa3";

    public override int ParameterCount
    {
        get
        {
            static int N(NeuralNetwork? n) => n?.ParameterCount ?? 0;
            var r = Repflow;
            var count = N(TypeEmbedding.Net) + N(r.EdgeEmbedding) + N(r.AngleEmbedding);
            foreach (var l in r.Layers)
                count += N(l.NodeSelfMlp) + N(l.NodeSymLinear) + N(l.NodeEdgeLinear) + N(l.EdgeSelfLinear) + N(l.EdgeAngleLinear1)
                    + N(l.EdgeAngleLinear2) + N(l.AngleSelfLinear) + N(l.ACompressNLinear) + N(l.ACompressELinear)
                    + l.NodeResidual.Sum(v => v.Length) + l.EdgeResidual.Sum(v => v.Length) + l.AngleResidual.Sum(v => v.Length);
            return count;
        }
    }

    public override string TypeName => DescriptorType;

    public override int OutputSize => Repflow.NDim + (ConcatOutputTebd ? TypeEmbedding.Dim : 0);

    public override NeighborRequirements Neighbors => new(Rcut, Sel, MixedTypes: true, DynamicSel: Repflow.UseDynamicSel);

    public override Evaluation.IReferenceDescriptor Reference =>
        throw new NotSupportedException("DPA-3 is evaluated over the whole frame (FrameReference)");

    public override Evaluation.IFrameReferenceDescriptor FrameReference => _frame ??= new Evaluation.Dpa3Reference(this);

    private Evaluation.Dpa3Reference? _frame;

    protected override string EmbeddingLine(string neuron) =>
        $"repflow          n_dim {Repflow.NDim}, e_dim {Repflow.EDim}, a_dim {Repflow.ADim}, {Repflow.Layers.Length} layers, axis_neuron {Repflow.AxisNeuron}";

    protected override IEnumerable<string> DescribeSpecific()
    {
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        var r = Repflow;
        yield return string.Create(ci, $"angle            a_rcut {r.ARcut} Å (a_rcut_smth {r.ARcutSmooth}), a_sel {r.ASel}{(r.UpdateAngle ? "" : ", no angle update")}");
        var on = new List<string> { r.UpdateStyle };
        if (r.SequentialUpdate) on.Add("sequential_update");
        if (r.SmoothEdgeUpdate) on.Add("smooth_edge_update");
        if (r.EdgeInitUseDist) on.Add("edge_init_use_dist");
        if (r.UseExpSwitch) on.Add("exp switch");
        if (r.UseDynamicSel) on.Add(string.Create(ci, $"dynamic sel (reduce factor {r.SelReduceFactor})"));
        if (r.ACompressRate != 0) on.Add($"a_compress_rate {r.ACompressRate} (e_rate {r.ACompressERate}{(r.ACompressUseSplit ? ", split" : "")})");
        if (r.NMultiEdgeMessage > 1) on.Add($"{r.NMultiEdgeMessage} edge messages");
        yield return $"repflow update   {string.Join(", ", on)}; activation {r.Activation.Name}";
        yield return $"descriptor size  {OutputSize}{(ConcatOutputTebd ? " (node + type embedding)" : "")}";
    }

    /// <summary>How it is read: type <c>dpa3</c>.</summary>
    public static readonly DescriptorReader ReadAs = new(DescriptorType, [], Read);

    private static Dpa3Spec Read(ModelNode d, int nt)
    {
        ModelReader.CheckClass(d, "Descriptor", 1, 2);
        var ntypes = d.Optional("ntypes").AsInt(nt);
        if (ntypes != nt) throw d["ntypes"].Error($"descriptor has ntypes {ntypes}, the model has {nt} types");
        if (d.Optional("add_chg_spin_ebd").AsBool(false))
            throw d["add_chg_spin_ebd"].Error("add_chg_spin_ebd (charge/spin embedding of the frame) is not supported for DPA-3; use a model without it");
        if (!d.Optional("spin").IsNull) throw d["spin"].Error("spin models are not supported");
        var precision = d.Optional("precision").AsString("float64");
        if (precision is not ("float64" or "float32"))
            throw d["precision"].Error($"precision '{precision}' is not supported; DPA-3 models are read in float64 or float32");
        var protection = d.Optional("env_protection").AsDouble(0.0);
        var exclude = ModelReader.ReadPairs(d.Optional("exclude_types"), nt);
        if (d.Optional("use_econf_tebd").AsBool(false))
            throw d["use_econf_tebd"].Error("use_econf_tebd (electronic-configuration type embedding) is not supported: "
                + "its inputs come from DeePMD-kit's element table, which the model file does not store");
        var tebd = ModelReader.ReadTypeEmbedding(d["type_embedding"], nt);
        if (!tebd.HasPadding) throw d["type_embedding"].Error("DPA-3's type embedding must have the padding row");
        var act = Activation.Parse(d.Optional("activation_function").AsString("silu"), d.File);

        var a = d["repflow_args"];
        var v = d["repflow_variable"];
        int Int(string key, int? fallback = null) => fallback is null ? a[key].AsInt() : a.Optional(key).AsInt(fallback);
        bool Bool(string key, bool fallback) => a.Optional(key).AsBool(fallback);
        var nDim = Int("n_dim");
        var eDim = Int("e_dim");
        var aDim = Int("a_dim");
        if (nDim != tebd.Dim) throw a["n_dim"].Error($"n_dim is {nDim} but the type embedding gives {tebd.Dim}");
        var eRcut = a["e_rcut"].AsDouble();
        var eRcs = a["e_rcut_smth"].AsDouble();
        var aRcut = a["a_rcut"].AsDouble();
        var aRcs = a["a_rcut_smth"].AsDouble();
        CheckCut(a, "e_rcut", eRcut, eRcs);
        CheckCut(a, "a_rcut", aRcut, aRcs);
        var eSel = SelOf(a["e_sel"]);
        var aSel = SelOf(a["a_sel"]);
        if (aRcut > eRcut || aSel > eSel)
            throw a.Error($"a_rcut and a_sel ({aRcut} Å, {aSel}) must not exceed e_rcut and e_sel ({eRcut} Å, {eSel}), as DeePMD-kit requires");
        var axis = Int("axis_neuron", 4);
        if (axis < 1 || axis > Math.Min(nDim, eDim)) throw a["axis_neuron"].Error($"axis_neuron must be in 1..{Math.Min(nDim, eDim)}, found {axis}");
        var style = a.Optional("update_style").AsString("res_residual");
        if (style is not ("res_avg" or "res_incr" or "res_residual"))
            throw a["update_style"].Error($"update_style '{style}' is unknown; DeePMD-kit writes res_avg, res_incr or res_residual");
        var updateAngle = Bool("update_angle", true);
        var compress = Int("a_compress_rate", 0);
        var compressE = Int("a_compress_e_rate", 1);
        var split = Bool("a_compress_use_split", false);
        if (compress < 0 || compressE < 1) throw a.Error($"a_compress_rate must be ≥ 0 and a_compress_e_rate ≥ 1, found {compress} and {compressE}");
        if (compress != 0 && aDim * compressE % (2 * compress) != 0)
            throw a["a_compress_rate"].Error($"a_dim·a_compress_e_rate ({aDim}·{compressE}) must be divisible by 2·a_compress_rate ({2 * compress})");
        var multi = Int("n_multi_edge_message", 1);
        if (multi < 1) throw a["n_multi_edge_message"].Error($"n_multi_edge_message must be ≥ 1, found {multi}");
        var smoothEdge = Bool("smooth_edge_update", false);
        var dynamic = Bool("use_dynamic_sel", false);
        if (dynamic && !smoothEdge) throw a["use_dynamic_sel"].Error("use_dynamic_sel needs smooth_edge_update (DeePMD-kit refuses it otherwise)");
        var reduce = a.Optional("sel_reduce_factor").AsDouble(10.0);
        if (!(reduce > 0)) throw a["sel_reduce_factor"].Error($"sel_reduce_factor must be > 0, found {reduce}");
        var sequential = Bool("sequential_update", false);
        if (sequential && (style != "res_residual" || !updateAngle))
            throw a["sequential_update"].Error("sequential_update needs update_style res_residual and update_angle (DeePMD-kit refuses it otherwise)");

        var nAngleC = compress == 0 ? nDim : aDim / compress;
        var eAngleC = compress == 0 ? eDim : aDim / (2 * compress) * compressE;
        if (split && compress != 0 && (nAngleC > nDim || eAngleC > eDim))
            throw a["a_compress_use_split"].Error($"the split widths ({nAngleC}, {eAngleC}) exceed n_dim or e_dim ({nDim}, {eDim})");
        var angleDim = aDim + nAngleC + 2 * eAngleC;

        var edgeEmbd = Linear(v["edge_embd"], 1, eDim);
        var angleEmbd = Linear(v["angle_embd"], 1, aDim);
        var stats = v["@variables"];
        var davg = stats["davg"].AsArray(nt, eSel, 4).Data;
        var dstd = stats["dstd"].AsArray(nt, eSel, 4).Data;
        for (var q = 0; q < dstd.Length; q++)
            if (dstd[q] == 0 || !double.IsFinite(dstd[q]))
                throw stats["dstd"].Error($"entry {q} is {dstd[q]}; the normalisation std must be finite and non-zero");

        var layerNodes = v["repflow_layers"].AsList();
        var nlayers = Int("nlayers", layerNodes.Count);
        if (layerNodes.Count != nlayers) throw v["repflow_layers"].Error($"has {layerNodes.Count} layers, repflow_args says nlayers = {nlayers}");
        var layers = new Dpa3Layer[nlayers];
        for (var k = 0; k < nlayers; k++)
        {
            var n = layerNodes[k];
            ModelReader.CheckClass(n, "RepFlowLayer", 1, 2);
            foreach (var (key, expected) in new (string, int)[] { ("n_dim", nDim), ("e_dim", eDim), ("a_dim", aDim), ("axis_neuron", axis), ("n_multi_edge_message", multi), ("a_compress_rate", compress) })
                if (n.Optional(key).AsInt(expected) != expected)
                    throw n[key].Error($"the layer's {key} is {n[key].AsInt()} but repflow_args says {expected}");
            if (n.Optional("update_angle").AsBool(updateAngle) != updateAngle || n.Optional("update_style").AsString(style) != style
                || n.Optional("sequential_update").AsBool(sequential) != sequential || n.Optional("smooth_edge_update").AsBool(smoothEdge) != smoothEdge
                || n.Optional("use_dynamic_sel").AsBool(dynamic) != dynamic)
                throw n.Error("the layer's update_angle, update_style, sequential_update, smooth_edge_update or use_dynamic_sel differ from repflow_args");
            var l = new Dpa3Layer
            {
                NodeSelfMlp = Linear(n["node_self_mlp"], nDim, nDim),
                NodeSymLinear = Linear(n["node_sym_linear"], nDim * axis + eDim * axis, nDim),
                NodeEdgeLinear = Linear(n["node_edge_linear"], 2 * nDim + eDim, multi * nDim),
                EdgeSelfLinear = Linear(n["edge_self_linear"], 2 * nDim + eDim, eDim),
            };
            if (updateAngle)
            {
                l.EdgeAngleLinear1 = Linear(n["edge_angle_linear1"], angleDim, eDim);
                l.EdgeAngleLinear2 = Linear(n["edge_angle_linear2"], eDim, eDim);
                l.AngleSelfLinear = Linear(n["angle_self_linear"], angleDim, aDim);
                if (compress != 0 && !split)
                {
                    l.ACompressNLinear = Linear(n["a_compress_n_linear"], nDim, nAngleC);
                    l.ACompressELinear = Linear(n["a_compress_e_linear"], eDim, eAngleC);
                }
            }
            if (style == "res_residual")
            {
                var vars = n.Optional("@variables");
                double[][] Res(string key, int dim, int count)
                {
                    var node = vars.IsNull ? n.Optional(key) : vars.Optional(key);
                    var list = node.IsNull ? [] : node.AsList();
                    if (list.Count != count) throw (node.IsNull ? n : node).Error($"expected {count} residual vectors for {key}, found {list.Count}");
                    return list.Select(x => x.AsArray(dim).Data).ToArray();
                }
                l.NodeResidual = Res("n_residual", nDim, 2 + multi);
                l.EdgeResidual = Res("e_residual", eDim, updateAngle ? 2 : 1);
                l.AngleResidual = Res("a_residual", aDim, updateAngle ? 1 : 0);
            }
            layers[k] = l;
        }

        var repflow = new Dpa3Repflow
        {
            NDim = nDim, EDim = eDim, ADim = aDim, ERcut = eRcut, ERcutSmooth = eRcs, ESel = eSel, ARcut = aRcut, ARcutSmooth = aRcs, ASel = aSel,
            AxisNeuron = axis, UpdateAngle = updateAngle, UpdateStyle = style, ACompressRate = compress, ACompressERate = compressE,
            ACompressUseSplit = split, NodeAngleDim = nAngleC, EdgeAngleDim = eAngleC, NMultiEdgeMessage = multi,
            SmoothEdgeUpdate = smoothEdge, EdgeInitUseDist = Bool("edge_init_use_dist", false), UseExpSwitch = Bool("use_exp_switch", false),
            UseDynamicSel = dynamic, SelReduceFactor = reduce, SequentialUpdate = sequential, Activation = act,
            EdgeEmbedding = edgeEmbd, AngleEmbedding = angleEmbd, Davg = davg, Dstd = dstd, Layers = layers,
        };
        return new Dpa3Spec(nt, repflow, tebd, d.Optional("concat_output_tebd").AsBool(false), d.Optional("use_loc_mapping").AsBool(true),
            exclude, protection, precision);
    }

    /// <summary>A NativeLayer without activation (DeePMD-kit applies the activation itself), checked to map nin → nout.</summary>
    private static NeuralNetwork Linear(ModelNode node, int nin, int nout)
    {
        var layer = ModelReader.ReadLayer(node);
        if (layer.InputSize != nin || layer.OutputSize != nout)
            throw node.Error($"expected a {nin} → {nout} layer, found {layer.InputSize} → {layer.OutputSize}");
        if (layer.Activation.Kind != ActivationKind.Linear || layer.Resnet || layer.Timestep is not null)
            throw node.Error("expected a plain linear layer (no activation, resnet or timestep), as DeePMD-kit's repflow writes");
        return new NeuralNetwork([layer]);
    }

    private static void CheckCut(ModelNode n, string key, double rcut, double rcs)
    {
        if (!(rcut > 0) || !(rcs >= 0) || rcs >= rcut) throw n[key].Error($"need 0 ≤ {key}_smth < {key}, found {key}_smth = {rcs}, {key} = {rcut}");
    }

    private static int SelOf(ModelNode n)
    {
        var v = n.Value is List<object?> ? n.AsIntArray().Sum() : n.AsInt();
        if (v < 1) throw n.Error($"sel must be positive, found {v}");
        return v;
    }
}

/// <summary>DPA-3's repflow block: its hyper-parameters, the edge and angle embeddings, the statistics and the layers.</summary>
public sealed class Dpa3Repflow
{
    public int NDim, EDim, ADim, ESel, ASel, AxisNeuron, ACompressRate, ACompressERate, NMultiEdgeMessage;

    /// <summary>Widths of the node and edge features inside the angle message (n_dim and e_dim without compression).</summary>
    public int NodeAngleDim, EdgeAngleDim;
    public double ERcut, ERcutSmooth, ARcut, ARcutSmooth, SelReduceFactor;
    public bool UpdateAngle, ACompressUseSplit, SmoothEdgeUpdate, EdgeInitUseDist, UseExpSwitch, UseDynamicSel, SequentialUpdate;
    public string UpdateStyle = "res_residual";
    public Activation Activation = Activation.Linear;
    public NeuralNetwork EdgeEmbedding = null!, AngleEmbedding = null!;

    /// <summary>Statistics of the edge environment matrix, [types][e_sel][4].</summary>
    public double[] Davg = [], Dstd = [];
    public Dpa3Layer[] Layers = [];
}

/// <summary>One repflow layer's weights (null where its switch is off) and residual vectors (res_residual).</summary>
public sealed class Dpa3Layer
{
    public NeuralNetwork NodeSelfMlp = null!, NodeSymLinear = null!, NodeEdgeLinear = null!, EdgeSelfLinear = null!;
    public NeuralNetwork? EdgeAngleLinear1, EdgeAngleLinear2, AngleSelfLinear, ACompressNLinear, ACompressELinear;
    public double[][] NodeResidual = [], EdgeResidual = [], AngleResidual = [];
}
