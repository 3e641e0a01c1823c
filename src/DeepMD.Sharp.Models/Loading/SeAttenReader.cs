namespace DeepMD.Sharp.Models.Loading;

using DeepMD.Sharp.Models.Descriptors;
using DeepMD.Sharp.Models.Networks;
using DeepMD.Sharp.Models.Serialization;

/// <summary>
/// Reads DeePMD-kit's <c>dpa1</c>/<c>se_atten</c> and <c>se_atten_v2</c> Descriptor dicts (the layout of dpa1.py's
/// <c>serialize</c>: hyper-parameters at the top, <c>type_embedding</c> (TypeEmbedNet), <c>embeddings</c> and
/// <c>embeddings_strip</c> (NetworkCollection, ndim 0), <c>attention_layers</c> (NeighborGatedAttention),
/// <c>@variables/davg, dstd</c>), every shape checked. <see cref="ReadBlock"/> reads the block alone, for DPA-2's repinit.
/// </summary>
public static class SeAttenReader
{
    /// <summary>Reads the descriptor <paramref name="d"/> of a model with <paramref name="nt"/> types.</summary>
    public static DescriptorSpec Read(ModelNode d, int nt, string typeName)
    {
        ModelReader.CheckClass(d, "Descriptor", 1, 4);
        if (!d.Optional("spin").IsNull) throw d["spin"].Error("spin models are not supported");
        var lmax = d.Optional("lmax").AsInt(1);
        if (lmax != 1) throw d["lmax"].Error($"lmax {lmax} (higher-order moment basis) is not supported; only lmax 1 (DPA-1 as published)");
        var ntypes = d.Optional("ntypes").AsInt(nt);
        if (ntypes != nt) throw d["ntypes"].Error($"descriptor has ntypes {ntypes}, the model has {nt} types");
        var v2 = typeName == "se_atten_v2";
        var tebd = ModelReader.ReadTypeEmbedding(d["type_embedding"], nt);
        if (!tebd.HasPadding) throw d["type_embedding"]["padding"].Error("se_atten needs a type embedding with padding");
        var smooth = v2 || d.Optional("smooth_type_embedding").AsBool(true);
        var block = ReadBlock(d, d, nt, tebd, smooth, forceStrip: v2,
            ModelReader.ReadPairs(d.Optional("exclude_types"), nt), d.Optional("env_protection").AsDouble(0.0), d.Optional("compress"));
        var tebdDim = d.Optional("tebd_dim").AsInt(tebd.Dim);
        if (tebdDim != tebd.Dim) throw d["tebd_dim"].Error($"tebd_dim is {tebdDim} but the type embedding gives {tebd.Dim}");
        return new SeAttenSpec(typeName, block, d.Optional("concat_output_tebd").AsBool(true));
    }

    /// <summary>
    /// A <see cref="SeAttenBlock"/>: hyper-parameters from <paramref name="args"/> (rcut, rcut_smth, sel or nsel, neuron,
    /// axis_neuron, tebd_input_mode, type_one_side, attn*, normalize, temperature, scaling_factor, ln_eps), weights and
    /// statistics from <paramref name="vars"/> (<c>@variables/davg, dstd</c>, <c>embeddings</c>, <c>embeddings_strip</c>,
    /// <c>attention_layers</c>). For DPA-1 both are the descriptor dict; DPA-2 stores its repinit block as
    /// <c>repinit_args</c> + <c>repinit_variable</c>.
    /// </summary>
    public static SeAttenBlock ReadBlock(ModelNode args, ModelNode vars, int nt, TypeEmbedding typeEmbedding, bool smooth, bool forceStrip,
        IReadOnlyList<(int A, int B)> excludeTypes, double envProtection, ModelNode? compress = null)
    {
        var rcut = args["rcut"].AsDouble();
        var rcutSmth = args["rcut_smth"].AsDouble();
        if (!(rcut > 0) || !(rcutSmth >= 0) || rcutSmth >= rcut) throw args.Error($"need 0 ≤ rcut_smth < rcut, found rcut_smth = {rcutSmth}, rcut = {rcut}");
        var envMat = vars.Optional("env_mat");
        if (envMat.Optional("use_exp_switch").AsBool(false)) throw envMat["use_exp_switch"].Error("the exponential switch is not supported for se_atten");
        var selNode = args.Has("sel") ? args["sel"] : args["nsel"];
        var nsel = selNode.Value is long or double ? selNode.AsInt() : selNode.AsIntArray().Sum();
        if (nsel < 1) throw selNode.Error("sel must be at least 1");
        var neuron = args["neuron"].AsIntArray();
        if (neuron.Length == 0) throw args["neuron"].Error("neuron must not be empty");
        var ng = neuron[^1];
        var axis = args["axis_neuron"].AsInt();
        if (axis < 1 || axis > ng) throw args["axis_neuron"].Error($"axis_neuron must be in 1..{ng}, found {axis}");
        var modeName = forceStrip ? "strip" : args.Optional("tebd_input_mode").AsString("concat");
        var stripped = args.Optional("stripped_type_embedding");
        if (!forceStrip && !stripped.IsNull) modeName = stripped.AsBool() ? "strip" : "concat";
        var mode = modeName switch
        {
            "concat" => TebdInputMode.Concat,
            "strip" => TebdInputMode.Strip,
            _ => throw args["tebd_input_mode"].Error($"tebd_input_mode '{modeName}' is not supported; supported: concat, strip"),
        };
        var typeOneSide = args.Optional("type_one_side").AsBool(false);
        if (args.Optional("attn_mask").AsBool(false)) throw args["attn_mask"].Error("attn_mask true is not supported (DeePMD-kit does not implement it either)");
        var setDavgZero = args.Optional("set_davg_zero").AsBool(false);
        var precision = args.Optional("precision").AsString("float64");

        var variables = vars["@variables"];
        var davg = variables["davg"].AsArray(nt, nsel, 4).Data;
        var dstd = variables["dstd"].AsArray(nt, nsel, 4).Data;
        for (var q = 0; q < dstd.Length; q++)
            if (dstd[q] == 0 || !double.IsFinite(dstd[q]))
                throw variables["dstd"].Error($"entry {q} is {dstd[q]}; the normalisation std must be finite and non-zero");

        var tebd = typeEmbedding.Dim;
        var side = typeOneSide ? tebd : 2 * tebd;
        var embedding = SingleNet(vars["embeddings"], nt, mode == TebdInputMode.Concat ? 1 + side : 1, ng);
        NeuralNetwork? strip = null;
        if (mode == TebdInputMode.Strip) strip = SingleNet(vars["embeddings_strip"], nt, side, ng);

        var attnLayer = args.Optional("attn_layer").AsInt(0);
        var hidden = args.Optional("attn").AsInt(128);
        var dotr = args.Optional("attn_dotr").AsBool(true);
        var layers = new List<AttentionLayer>();
        if (attnLayer > 0)
        {
            var att = vars["attention_layers"];
            ModelReader.CheckClass(att, "NeighborGatedAttention", 1, 1);
            var list = att["attention_layers"].AsList();
            if (list.Count != attnLayer) throw att["attention_layers"].Error($"has {list.Count} layers, but attn_layer is {attnLayer}");
            foreach (var layerNode in list) layers.Add(ReadAttentionLayer(layerNode, args, ng, hidden));
        }
        // A compressed model (dp compress; dpa1.py's serialize writes Descriptor @version 3 with a `compress` block): the type
        // net's outputs per type pair (`type_embd_data`, always) and, without attention layers (`geo_compress`), one table
        // of the radial net in tabulate_fusion's layout.
        double[]? stripTable = null;
        Compression.EmbeddingTable? radialTable = null;
        if (compress is { IsNull: false })
        {
            if (mode != TebdInputMode.Strip)
                throw compress.Error("a compressed se_atten model must use tebd_input_mode strip (DeePMD-kit compresses no other)");
            var cv = compress["@variables"];
            var ntp = typeEmbedding.RowCount;
            stripTable = cv["type_embd_data"].AsArray(typeOneSide ? ntp : ntp * ntp, ng).Data;
            if (compress.Optional("geo_compress").AsBool(false))
            {
                if (attnLayer > 0)
                    throw compress["geo_compress"].Error($"geo_compress with {attnLayer} attention layers; DeePMD-kit tabulates the radial net only when attn_layer is 0");
                radialTable = ModelReader.ReadTables(compress, 1, ng)![0]
                    ?? throw compress.Error("geo_compress is set but compress_data holds no table");
            }
        }
        try
        {
            return new SeAttenBlock(nt, rcut, rcutSmth, nsel, envProtection, neuron, axis, typeEmbedding, mode, typeOneSide, smooth,
                excludeTypes, davg, dstd, embedding, strip, layers, dotr, setDavgZero, precision, stripTable, radialTable);
        }
        catch (ArgumentException ex)
        {
            throw args.Error(ex.Message);
        }
    }

    private static NeuralNetwork SingleNet(ModelNode collection, int nt, int inputs, int outputs)
    {
        var (ndim, nets) = ModelReader.ReadCollection(collection, nt, "EmbeddingNetwork");
        if (ndim != 0) throw collection["ndim"].Error($"se_atten embeddings have ndim 0 (one net for all types), found {ndim}");
        var net = nets[0] ?? throw collection.Error("the embedding net has no layers");
        if (net.InputSize != inputs) throw collection.Error($"the embedding net takes {net.InputSize} inputs, expected {inputs}");
        if (net.OutputSize != outputs) throw collection.Error($"the embedding net gives {net.OutputSize} outputs, expected neuron[-1] = {outputs}");
        return net;
    }

    private static AttentionLayer ReadAttentionLayer(ModelNode node, ModelNode args, int ng, int hidden)
    {
        var a = node["attention_layer"];
        var heads = a.Optional("num_heads").AsInt(1);
        if (heads != 1) throw a["num_heads"].Error($"{heads} attention heads: only one head is supported (as DeePMD-kit's se_atten builds it)");
        var layerHidden = a.Optional("hidden_dim").AsInt(hidden);
        if (layerHidden != hidden) throw a["hidden_dim"].Error($"hidden_dim {layerHidden} differs from attn {hidden}");
        var inProj = ModelReader.ReadLayer(a["in_proj"]);
        var outProj = ModelReader.ReadLayer(a["out_proj"]);
        foreach (var (l, name) in new[] { (inProj, "in_proj"), (outProj, "out_proj") })
            if (l.Activation.Kind != ActivationKind.Linear || l.Timestep is not null || l.ResidualKind != 0)
                throw a[name].Error("attention projections must be linear layers without timestep or residual");
        if (inProj.InputSize != ng || inProj.OutputSize != 3 * hidden) throw a["in_proj"].Error($"in_proj must map {ng} → {3 * hidden}, found {inProj.InputSize} → {inProj.OutputSize}");
        if (outProj.InputSize != hidden || outProj.OutputSize != ng) throw a["out_proj"].Error($"out_proj must map {hidden} → {ng}, found {outProj.InputSize} → {outProj.OutputSize}");
        var norm = ModelReader.ReadLayerNorm(node["attn_layer_norm"], ng);
        var scaling = a.Optional("scaling_factor").AsDouble(args.Optional("scaling_factor").AsDouble(1.0));
        var temperatureNode = a.Has("temperature") ? a["temperature"] : args.Optional("temperature");
        var normalize = a.Optional("normalize").AsBool(args.Optional("normalize").AsBool(true));
        var scale = temperatureNode.IsNull ? Math.Pow(hidden * scaling, -0.5) : temperatureNode.AsDouble();
        return new AttentionLayer(inProj, outProj, norm, hidden, scale, normalize);
    }
}
