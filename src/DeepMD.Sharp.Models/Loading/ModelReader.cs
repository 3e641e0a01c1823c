namespace DeepMD.Sharp.Models.Loading;

using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Models.Compression;
using DeepMD.Sharp.Models.Descriptors;
using DeepMD.Sharp.Models.Fitting;
using DeepMD.Sharp.Models.Networks;
using DeepMD.Sharp.Models.Serialization;

/// <summary>
/// Builds a <see cref="DeepPotModel"/> from DeePMD-kit's backend-independent model dictionary (notes §3.3).
/// Accepts the versions DeePMD-kit accepts (Model 2, Descriptor 1–3, Fitting 1–4, Layer 1–2), defaulting keys
/// that older versions lack, and validates every shape so that a damaged file gives one clear message.
/// </summary>
public static class ModelReader
{
    /// <summary>Descriptor types this engine reads (<see cref="DescriptorReaders"/>).</summary>
    public static IReadOnlyList<string> SupportedDescriptors => DescriptorReaders.Names;

    /// <summary>Reads the model in <paramref name="root"/> (the whole file dict, or the <c>model</c> sub-dict).</summary>
    public static DeepPotModel FromTree(Dictionary<string, object?> root, string file)
    {
        CheckFinite(root, "", file);
        var top = new ModelNode(root, file);
        var model = top.Has("model") ? top["model"] : top;
        var modelType = model.Optional("type").AsString("standard");
        if (Linear.LinearModelReader.Handles(modelType)) return Linear.LinearModelReader.Read(root, top, model, file);
        CheckClass(model, "Model", 1, 2);
        if (modelType != "standard")
            throw model["type"].Error($"model type '{modelType}' is not supported; supported: standard (a descriptor + energy fitting model), zbl, linear_ener (docs/zbl-and-linear-models.md)");
        return ReadStandard(root, top, model, file);
    }

    /// <summary>A <c>standard</c> model node (the whole model, or a sub-model of a linear one).</summary>
    internal static DeepPotModel ReadStandard(Dictionary<string, object?> root, ModelNode top, ModelNode model, string file)
    {
        CheckClass(model, "Model", 1, 2);
        var modelType = model.Optional("type").AsString("standard");
        if (modelType != "standard")
            throw model["type"].Error($"model type '{modelType}' is not supported here; expected a standard (descriptor + energy fitting) model");
        var typeMap = new TypeMap(model["type_map"].AsStringArray());
        var nt = typeMap.Count;
        var descriptor = ReadDescriptor(model["descriptor"], nt);
        var fitting = ReadFitting(model["fitting"], nt, descriptor.OutputSize);

        var outBias = new double[nt];
        var outBiasNode = model.Optional("@variables").Optional("out_bias");
        if (!outBiasNode.IsNull)
        {
            var ob = outBiasNode.AsArray(-1, nt, -1);
            if (ob.Shape[2] != 1) throw outBiasNode.Error("energy models need out_bias of shape [1, ntypes, 1]");
            Array.Copy(ob.Data, outBias, nt);
        }
        var atomExclude = model.Optional("atom_exclude_types").AsIntArray([]);
        var pairExclude = ReadPairs(model.Optional("pair_exclude_types"), nt);
        foreach (var t in atomExclude)
            if (t < 0 || t >= nt) throw model["atom_exclude_types"].Error($"type {t} is outside 0..{nt - 1}");
        var topVars = top.Optional("@variables");
        double? minNbor = topVars.IsNull || topVars.Optional("min_nbor_dist").IsNull ? null : topVars["min_nbor_dist"].AsDouble();
        return new DeepPotModel(typeMap, descriptor, fitting, outBias, atomExclude, pairExclude, file)
        {
            Coverage = Coverage.TrainingCoverage.FromTree(root, file, nt, descriptor.OutputSize),
            MinNeighborDistance = minNbor,
        };
    }

    /// <summary>
    /// Every numeric array of the model must hold finite values: a NaN or infinite weight would turn every energy and
    /// force into NaN. Throws naming the array's path in the model dictionary (as <see cref="ModelNode"/> paths are written).
    /// </summary>
    private static void CheckFinite(object? node, string path, string file)
    {
        switch (node)
        {
            case NdArray a:
                for (var k = 0; k < a.Data.Length; k++)
                {
                    if (double.IsFinite(a.Data[k])) continue;
                    var where = path.Length == 0 ? "top level" : $"'{path}'";
                    throw new UserInputException(
                        $"{where}: the array ({a}) holds a non-finite value ({a.Data[k].ToString(System.Globalization.CultureInfo.InvariantCulture)} "
                        + $"at flat index {k}); the model is corrupted: use an intact copy or retrain it",
                        file);
                }
                break;
            case Dictionary<string, object?> d:
                foreach (var (key, value) in d) CheckFinite(value, path.Length == 0 ? key : $"{path}/{key}", file);
                break;
            case List<object?> list:
                for (var i = 0; i < list.Count; i++) CheckFinite(list[i], $"{path}[{i}]", file);
                break;
        }
    }

    /// <summary>Checks a node's @class and @version (when present) against what this engine reads.</summary>
    public static void CheckClass(ModelNode node, string expected, int minVersion, int maxVersion)
    {
        var cls = node.Optional("@class");
        if (!cls.IsNull && cls.AsString() != expected)
            throw cls.Error($"expected @class '{expected}', found '{cls.AsString()}'");
        var ver = node.Optional("@version");
        if (ver.IsNull) return;
        var v = ver.AsInt();
        if (v < minVersion || v > maxVersion)
            throw ver.Error($"{expected} @version {v} is not supported (this engine reads versions {minVersion}–{maxVersion}); convert the model with a DeePMD-kit release that writes a supported version");
    }

    private static DescriptorSpec ReadDescriptor(ModelNode d, int nt)
    {
        CheckClass(d, "Descriptor", 1, 4); // each reader checks the versions of its own type
        var type = d["type"].AsString();
        var reader = DescriptorReaders.Find(type) ?? throw d["type"].Error(
            $"descriptor type '{type}' is not supported; supported: {string.Join(", ", SupportedDescriptors)}");
        return reader.Read(d, nt);
    }

    /// <summary>The se_* descriptors (<paramref name="kind"/> se_e2_a or se_e2_r) from their Descriptor dict.</summary>
    internal static DescriptorSpec ReadSmoothDescriptor(ModelNode d, int nt, string kind)
    {
        CheckClass(d, "Descriptor", 1, 3);
        if (!d.Optional("spin").IsNull) throw d["spin"].Error("spin models are not supported");
        var sel = d["sel"].AsIntArray();
        if (sel.Length != nt) throw d["sel"].Error($"sel has {sel.Length} entries but the type map has {nt} types");
        if (sel.Any(s => s < 0)) throw d["sel"].Error("sel entries must be non-negative");
        var rcut = d["rcut"].AsDouble();
        var rcutSmth = d["rcut_smth"].AsDouble();
        if (!(rcut > 0) || !(rcutSmth >= 0) || rcutSmth >= rcut) throw d.Error($"need 0 ≤ rcut_smth < rcut, found rcut_smth = {rcutSmth}, rcut = {rcut}");
        var useExpSwitch = d.Optional("env_mat").Optional("use_exp_switch");
        if (useExpSwitch.AsBool(false))
            throw useExpSwitch.Error("the exponential switch is not supported for se_* descriptors");
        var protection = d.Optional("env_protection").AsDouble(0.0);
        var neuron = d["neuron"].AsIntArray();
        var exclude = ReadPairs(d.Optional("exclude_types"), nt);
        var precision = d.Optional("precision").AsString("float64");

        var nnei = sel.Sum();
        var comps = kind == "se_e2_a" ? 4 : 1;
        var vars = d["@variables"];
        var davg = vars["davg"].AsArray(nt, nnei, comps).Data;
        var dstd = vars["dstd"].AsArray(nt, nnei, comps).Data;
        for (var q = 0; q < dstd.Length; q++)
            if (dstd[q] == 0 || !double.IsFinite(dstd[q]))
                throw vars["dstd"].Error($"entry {q} is {dstd[q]}; the normalisation std must be finite and non-zero");

        var (ndim, nets) = ReadCollection(d["embeddings"], nt, "EmbeddingNetwork");
        if (ndim is not (1 or 2)) throw d["embeddings"]["ndim"].Error($"se_* embeddings need ndim 1 or 2, found {ndim}");
        var typeOneSide = ndim == 1;
        for (var k = 0; k < nets.Length; k++)
        {
            var net = nets[k];
            if (net is null) continue;
            if (net.InputSize != 1) throw d["embeddings"].Error($"embedding network {k} takes {net.InputSize} inputs, expected 1");
            if (net.OutputSize != neuron[^1]) throw d["embeddings"].Error($"embedding network {k} gives {net.OutputSize} outputs, expected neuron[-1] = {neuron[^1]}");
        }
        if (kind == "se_e2_a")
        {
            var axis = d["axis_neuron"].AsInt();
            if (axis < 1 || axis > neuron[^1]) throw d["axis_neuron"].Error($"axis_neuron must be in 1..{neuron[^1]}, found {axis}");
            var tables = ReadTables(d.Optional("compress"), nets.Length, neuron[^1]);
            return new SeE2ASpec(nt, rcut, rcutSmth, sel, protection, neuron, axis, typeOneSide, exclude, davg, dstd, nets, precision, tables);
        }
        var rTables = ReadTables(d.Optional("compress"), nets.Length, neuron[^1]);
        return new SeE2RSpec(nt, rcut, rcutSmth, sel, protection, neuron, typeOneSide, exclude, davg, dstd, nets, precision, rTables);
    }

    /// <summary>The compressed-table block of Descriptor v3 (notes §3.5), or null when absent.</summary>
    public static EmbeddingTable?[]? ReadTables(ModelNode compress, int netCount, int channels)
    {
        if (compress.IsNull) return null;
        var vars = compress["@variables"];
        var data = vars["compress_data"].AsList();
        var info = vars["compress_info"].AsList();
        if (data.Count != netCount || info.Count != netCount)
            throw compress.Error($"has {data.Count} tables and {info.Count} table infos, expected one per embedding net ({netCount})");
        var tables = new EmbeddingTable?[netCount];
        for (var k = 0; k < netCount; k++)
        {
            if (data[k].IsNull) continue;
            var values = data[k].AsArray();
            if (values.Length == 0) continue; // an excluded net
            var bounds = info[k].AsArray();
            if (bounds.Length != 6) throw info[k].Error($"has {bounds.Length} numbers, expected 6 (lower, upper, max, stride0, stride1, check frequency)");
            if (values.Length % (6 * channels) != 0) throw data[k].Error($"has {values.Length} values, not a multiple of 6 × {channels} channels");
            tables[k] = new EmbeddingTable(values.Data, bounds.Data, channels);
        }
        return tables;
    }

    private static EnergyFittingSpec ReadFitting(ModelNode f, int nt, int descriptorSize)
    {
        CheckClass(f, "Fitting", 1, 4);
        var type = f.Optional("type").AsString("ener");
        if (type != "ener")
            throw f["type"].Error($"fitting type '{type}' is not supported; supported: ener (energy models)");
        var dimOut = f.Optional("dim_out").AsInt(1);
        if (dimOut != 1) throw f["dim_out"].Error($"energy fitting must have dim_out 1, found {dimOut}");
        if (!f.Optional("spin").IsNull) throw f["spin"].Error("spin models are not supported");
        var atomEner = f.Optional("atom_ener");
        if (!atomEner.IsNull && atomEner.AsList().Any(n => !n.IsNull))
            throw atomEner.Error("atom_ener (vacuum energy removal) is not supported");
        var dimDescrpt = f.Optional("dim_descrpt").AsInt(descriptorSize);
        if (dimDescrpt != descriptorSize)
            throw f["dim_descrpt"].Error($"fitting expects a descriptor of size {dimDescrpt}, but the descriptor gives {descriptorSize}");
        var nf = f.Optional("numb_fparam").AsInt(0);
        var na = f.Optional("numb_aparam").AsInt(0);
        var mixed = f.Optional("mixed_types").AsBool(false);
        var useAparamAsMask = f.Optional("use_aparam_as_mask").AsBool(false);
        var exclude = f.Optional("exclude_types").AsIntArray([]);
        var precision = f.Optional("precision").AsString("float64");
        var vars = f["@variables"];
        var bias = vars["bias_atom_e"].AsArray(nt, 1).Data;
        double[]? Opt(string key, int n)
        {
            var v = vars.Optional(key);
            if (v.IsNull) return null;
            var a = v.AsArray();
            if (a.Length != n) throw v.Error($"has {a.Length} values, expected {n}");
            return a.Data;
        }
        var fAvg = Opt("fparam_avg", nf);
        var fInv = Opt("fparam_inv_std", nf);
        var aAvg = Opt("aparam_avg", na);
        var aInv = Opt("aparam_inv_std", na);
        var dimCase = f.Optional("dim_case_embd").AsInt(0);
        var caseEmbd = dimCase > 0 ? Opt("case_embd", dimCase) : null;
        double[]? defaultF = null;
        if (!f.Optional("default_fparam").IsNull) defaultF = f["default_fparam"].AsDoubleArray();
        else if (!vars.Optional("default_fparam_tensor").IsNull) defaultF = vars["default_fparam_tensor"].AsArray().Data;

        var (ndim, nets) = ReadCollection(f["nets"], nt, "FittingNetwork");
        if (ndim != (mixed ? 0 : 1)) throw f["nets"]["ndim"].Error($"fitting nets have ndim {ndim}, expected {(mixed ? 0 : 1)} for mixed_types = {mixed}");
        var spec = new EnergyFittingSpec(nt, descriptorSize, nets, mixed, bias, nf, na, fAvg, fInv, aAvg, aInv, defaultF, caseEmbd, useAparamAsMask, exclude, precision);
        for (var k = 0; k < nets.Length; k++)
        {
            var net = nets[k];
            if (net is null) continue;
            if (net.InputSize != spec.InputSize) throw f["nets"].Error($"fitting network {k} takes {net.InputSize} inputs, expected {spec.InputSize}");
            if (net.OutputSize != 1) throw f["nets"].Error($"fitting network {k} gives {net.OutputSize} outputs, expected 1");
        }
        return spec;
    }

    /// <summary>
    /// A NetworkCollection of <paramref name="netClass"/> nets for <paramref name="nt"/> types (for descriptor readers
    /// registered from outside, too): its ndim and the nets in collection order, null where absent.
    /// </summary>
    public static (int Ndim, NeuralNetwork?[] Nets) ReadCollection(ModelNode c, int nt, string netClass)
    {
        CheckClass(c, "NetworkCollection", 1, 1);
        var ndim = c["ndim"].AsInt();
        var ntypes = c.Optional("ntypes").AsInt(nt);
        if (ntypes != nt) throw c["ntypes"].Error($"collection has ntypes {ntypes}, the model has {nt} types");
        var list = c["networks"].AsList();
        var expected = (int)Math.Pow(nt, ndim);
        if (list.Count != expected) throw c["networks"].Error($"has {list.Count} networks, expected ntypes^ndim = {expected}");
        var nets = new NeuralNetwork?[expected];
        for (var k = 0; k < expected; k++)
            nets[k] = list[k].IsNull ? null : ReadNetwork(list[k], netClass);
        return (ndim, nets);
    }

    /// <summary>
    /// An EmbeddingNetwork / FittingNetwork / Network node as a <see cref="NeuralNetwork"/>, or null for a cleared
    /// (excluded) net with no layers.
    /// </summary>
    public static NeuralNetwork? ReadNetwork(ModelNode n, string netClass)
    {
        var cls = n.Optional("@class");
        if (!cls.IsNull && cls.AsString() is not ("EmbeddingNetwork" or "FittingNetwork" or "Network"))
            throw cls.Error($"expected a {netClass}, found '{cls.AsString()}'");
        var layerNodes = n["layers"].AsList();
        if (layerNodes.Count == 0) return null; // a cleared (excluded) network
        var defaultAct = n.Optional("activation_function").AsString("tanh");
        var layers = layerNodes.Select(l => ReadLayer(l, defaultAct)).ToList();
        for (var k = 1; k < layers.Count; k++)
            if (layers[k].InputSize != layers[k - 1].OutputSize)
                throw n["layers"].Error($"layer {k} takes {layers[k].InputSize} inputs but layer {k - 1} gives {layers[k - 1].OutputSize}");
        return new NeuralNetwork(layers);
    }

    /// <summary>One <c>Layer</c> node (DeePMD-kit's NativeLayer: w, b, idt, activation, resnet).</summary>
    public static DenseLayer ReadLayer(ModelNode l, string defaultActivation = "none")
    {
        CheckClass(l, "Layer", 1, 2);
        var vars = l["@variables"];
        var w = vars["w"].AsArray(-1, -1);
        int nin = w.Shape[0], nout = w.Shape[1];
        double[]? b = null, idt = null;
        if (!vars.Optional("b").IsNull) b = vars["b"].AsArray().Data;
        if (!vars.Optional("idt").IsNull) idt = vars["idt"].AsArray().Data;
        if (b is not null && b.Length != nout) throw vars["b"].Error($"has {b.Length} values, expected {nout}");
        if (idt is not null && idt.Length != nout) throw vars["idt"].Error($"has {idt.Length} values, expected {nout}");
        var act = Activation.Parse(l.Optional("activation_function").AsString(defaultActivation), l.File);
        var resnet = l.Optional("resnet").AsBool(false);
        return new DenseLayer(nin, nout, w.Data, b, idt, act, resnet);
    }

    /// <summary>A <c>LayerNorm</c> node (γ = w, β = b, eps).</summary>
    public static LayerNorm ReadLayerNorm(ModelNode n, int size)
    {
        CheckClass(n, "LayerNorm", 1, 1);
        var vars = n["@variables"];
        var w = vars["w"].AsArray(size).Data;
        var b = vars.Optional("b").IsNull ? null : vars["b"].AsArray(size).Data;
        var eps = n.Optional("eps").AsDouble(1e-5);
        if (!(eps >= 0)) throw n["eps"].Error($"eps must be ≥ 0, found {eps}");
        return new LayerNorm(w, b, eps);
    }

    /// <summary>
    /// A <c>TypeEmbedNet</c> node (notes §2.1) for <paramref name="nt"/> types: the embedding table, with the zero
    /// padding row when the node says <c>padding</c>. <c>use_econf_tebd</c> (inputs from DeePMD-kit's element table,
    /// which the file does not store) is refused with a clear message.
    /// </summary>
    public static TypeEmbedding ReadTypeEmbedding(ModelNode n, int nt)
    {
        CheckClass(n, "TypeEmbedNet", 1, 2);
        var ntypes = n.Optional("ntypes").AsInt(nt);
        if (ntypes != nt) throw n["ntypes"].Error($"type embedding has ntypes {ntypes}, the model has {nt} types");
        if (n.Optional("use_econf_tebd").AsBool(false))
            throw n["use_econf_tebd"].Error("use_econf_tebd (electronic-configuration type embedding) is not supported: "
                + "its inputs come from DeePMD-kit's element table, which the model file does not store");
        var net = ReadNetwork(n["embedding"], "EmbeddingNetwork") ?? throw n["embedding"].Error("the type embedding net has no layers");
        if (net.InputSize != nt) throw n["embedding"].Error($"the type embedding net takes {net.InputSize} inputs, expected one-hot vectors of {nt}");
        var neuron = n.Optional("neuron").AsIntArray([]);
        if (neuron.Length > 0 && neuron[^1] != net.OutputSize)
            throw n["neuron"].Error($"neuron ends with {neuron[^1]} but the net gives {net.OutputSize} outputs");
        return new TypeEmbedding(nt, net, n.Optional("padding").AsBool(false));
    }

    /// <summary>A list of type pairs (<c>exclude_types</c>), each type checked against 0..<paramref name="nt"/>-1.</summary>
    public static (int, int)[] ReadPairs(ModelNode node, int nt)
    {
        if (node.IsNull) return [];
        var pairs = new List<(int, int)>();
        foreach (var p in node.AsList())
        {
            var ab = p.AsIntArray();
            if (ab.Length != 2 || ab.Any(t => t < 0 || t >= nt)) throw p.Error($"expected a pair of type indices in 0..{nt - 1}");
            pairs.Add((ab[0], ab[1]));
        }
        return pairs.ToArray();
    }
}
