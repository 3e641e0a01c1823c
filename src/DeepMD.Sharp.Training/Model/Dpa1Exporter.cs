namespace DeepMD.Sharp.Training.Model;

using DeepMD.Sharp.Models.Serialization;

/// <summary>
/// Writes a <see cref="Dpa1EnergyModel"/> as DeePMD-kit's model dict: Descriptor <c>dpa1</c>/<c>se_atten_v2</c> v2 (the
/// layout of dpa1.py's <c>serialize</c>: TypeEmbedNet, NetworkCollection ndim 0 embeddings and embeddings_strip,
/// NeighborGatedAttention, davg/dstd [ntypes][Σsel][4]) and a mixed-type ener Fitting (one net), so that our
/// <c>ModelLoader</c> and DeePMD-kit read it.
/// </summary>
public static class Dpa1Exporter
{
    /// <summary>Builds the whole file dict (backend, model, model_def_script, metadata).</summary>
    public static Dictionary<string, object?> ToTree(Dpa1EnergyModel model)
    {
        var c = model.Config;
        var nt = c.TypeCount;
        List<object?> TypeMap() => c.TypeMap.Select(n => (object?)n).ToList();
        var ng = c.EmbeddingWidth;
        var side = c.TypeOneSide ? c.TebdDim : 2 * c.TebdDim;
        var v2 = c.DescriptorType == "se_atten_v2";
        var lnTrainable = c.TrainableLn;
        var layers = model.AttentionLayers.Select(l => (object?)new Dictionary<string, object?>
        {
            ["nnei"] = (long)c.Nsel, ["embed_dim"] = (long)ng, ["hidden_dim"] = (long)c.Attn, ["dotr"] = c.AttnDotr, ["do_mask"] = false,
            ["scaling_factor"] = c.ScalingFactor, ["normalize"] = c.Normalize, ["temperature"] = c.Temperature, ["trainable_ln"] = lnTrainable,
            ["ln_eps"] = c.LnEps, ["precision"] = "float64",
            ["attention_layer"] = new Dictionary<string, object?>
            {
                ["nnei"] = (long)c.Nsel, ["embed_dim"] = (long)ng, ["hidden_dim"] = (long)c.Attn, ["num_heads"] = 1L, ["dotr"] = c.AttnDotr,
                ["do_mask"] = false, ["scaling_factor"] = c.ScalingFactor, ["normalize"] = c.Normalize, ["temperature"] = c.Temperature,
                ["bias"] = true, ["smooth"] = c.Smooth, ["precision"] = "float64",
                ["in_proj"] = ModelExporter.Layer(l.InProjection), ["out_proj"] = ModelExporter.Layer(l.OutProjection),
            },
            ["attn_layer_norm"] = new Dictionary<string, object?>
            {
                ["@class"] = "LayerNorm", ["@version"] = 1L, ["eps"] = c.LnEps, ["trainable"] = lnTrainable, ["precision"] = "float64",
                ["@variables"] = new Dictionary<string, object?>
                {
                    ["w"] = new NdArray("float64", [ng], ModelExporter.Values(l.NormWeight)),
                    ["b"] = new NdArray("float64", [ng], ModelExporter.Values(l.NormBias)),
                },
            },
        }).ToList();
        var descriptor = new Dictionary<string, object?>
        {
            ["@class"] = "Descriptor", ["type"] = v2 ? "se_atten_v2" : "dpa1", ["@version"] = 2L,
            ["rcut"] = c.Rcut, ["rcut_smth"] = c.RcutSmooth, ["sel"] = ModelExporter.Longs([c.Nsel]), ["ntypes"] = (long)nt,
            ["neuron"] = ModelExporter.Longs(c.Neuron), ["axis_neuron"] = (long)c.AxisNeuron, ["tebd_dim"] = (long)c.TebdDim,
            ["tebd_input_mode"] = c.Strip ? "strip" : "concat", ["set_davg_zero"] = c.SetDavgZero, ["attn"] = (long)c.Attn,
            ["attn_layer"] = (long)c.AttnLayer, ["attn_dotr"] = c.AttnDotr, ["attn_mask"] = false, ["activation_function"] = c.Activation,
            ["resnet_dt"] = c.ResnetDt, ["scaling_factor"] = c.ScalingFactor, ["normalize"] = c.Normalize, ["temperature"] = c.Temperature,
            ["trainable_ln"] = lnTrainable, ["ln_eps"] = c.LnEps, ["smooth_type_embedding"] = c.Smooth, ["type_one_side"] = c.TypeOneSide,
            ["concat_output_tebd"] = c.ConcatOutputTebd, ["use_econf_tebd"] = false, ["use_tebd_bias"] = c.UseTebdBias,
            ["type_map"] = TypeMap(), ["precision"] = "float64",
            ["embeddings"] = ModelExporter.Collection(0, nt, "embedding_network",
                [Net(model.Embedding, c.Strip ? 1 : 1 + side, c.Neuron, c.Activation, c.ResnetDt, true)]),
            ["attention_layers"] = new Dictionary<string, object?>
            {
                ["@class"] = "NeighborGatedAttention", ["@version"] = 1L, ["layer_num"] = (long)c.AttnLayer, ["nnei"] = (long)c.Nsel,
                ["embed_dim"] = (long)ng, ["hidden_dim"] = (long)c.Attn, ["dotr"] = c.AttnDotr, ["do_mask"] = false,
                ["scaling_factor"] = c.ScalingFactor, ["normalize"] = c.Normalize, ["temperature"] = c.Temperature,
                ["trainable_ln"] = lnTrainable, ["ln_eps"] = c.LnEps, ["precision"] = "float64", ["attention_layers"] = layers,
            },
            ["env_mat"] = new Dictionary<string, object?> { ["rcut"] = c.Rcut, ["rcut_smth"] = c.RcutSmooth, ["protection"] = 0.0 },
            ["type_embedding"] = new Dictionary<string, object?>
            {
                ["@class"] = "TypeEmbedNet", ["@version"] = 2L, ["ntypes"] = (long)nt, ["neuron"] = ModelExporter.Longs([c.TebdDim]),
                ["resnet_dt"] = false, ["precision"] = "float64", ["activation_function"] = "Linear", ["trainable"] = c.DescriptorTrainable,
                ["padding"] = true, ["use_econf_tebd"] = false, ["use_tebd_bias"] = c.UseTebdBias, ["type_map"] = TypeMap(),
                ["embedding"] = Net(model.TypeEmbedding, nt, [c.TebdDim], "Linear", false, c.UseTebdBias),
            },
            ["exclude_types"] = new List<object?>(), ["env_protection"] = 0.0,
            ["@variables"] = new Dictionary<string, object?>
            {
                ["davg"] = new NdArray("float64", [nt, c.Nsel, 4], model.Davg.ToArray()),
                ["dstd"] = new NdArray("float64", [nt, c.Nsel, 4], model.Dstd.ToArray()),
            },
            ["trainable"] = c.DescriptorTrainable, ["spin"] = null,
        };
        if (v2)
        {
            // DeePMD-kit's se_atten_v2 fixes these and its constructor does not take them.
            descriptor.Remove("tebd_input_mode");
            descriptor.Remove("smooth_type_embedding");
        }
        if (c.Strip)
            descriptor["embeddings_strip"] = ModelExporter.Collection(0, nt, "embedding_network",
                [Net(model.EmbeddingStrip!, side, c.Neuron, c.Activation, c.ResnetDt, true)]);
        var dim = c.DescriptorWidth;
        var fitting = new Dictionary<string, object?>
        {
            ["@class"] = "Fitting", ["@version"] = 3L, ["type"] = "ener", ["var_name"] = "energy",
            ["ntypes"] = (long)nt, ["dim_descrpt"] = (long)dim, ["dim_out"] = 1L, ["neuron"] = ModelExporter.Longs(c.FittingNeuron),
            ["resnet_dt"] = c.FittingResnetDt, ["numb_fparam"] = 0L, ["numb_aparam"] = 0L, ["dim_case_embd"] = 0L, ["rcond"] = null,
            ["activation_function"] = c.FittingActivation, ["precision"] = "float64", ["mixed_types"] = true,
            ["exclude_types"] = new List<object?>(), ["atom_ener"] = new List<object?>(), ["tot_ener_zero"] = false,
            ["trainable"] = Enumerable.Repeat((object?)true, c.FittingNeuron.Length + 1).ToList(), ["layer_name"] = null,
            ["use_aparam_as_mask"] = false, ["spin"] = null, ["type_map"] = TypeMap(),
            ["nets"] = ModelExporter.Collection(0, nt, "fitting_network", [new Dictionary<string, object?>
            {
                ["@class"] = "FittingNetwork", ["@version"] = 1L, ["in_dim"] = (long)dim, ["out_dim"] = 1L,
                ["neuron"] = ModelExporter.Longs(c.FittingNeuron), ["activation_function"] = c.FittingActivation,
                ["resnet_dt"] = c.FittingResnetDt, ["bias_out"] = true, ["precision"] = "float64",
                ["layers"] = model.Fitting.Layers.Select(l => (object?)ModelExporter.Layer(l)).ToList(),
            }]),
            ["@variables"] = new Dictionary<string, object?>
            {
                ["bias_atom_e"] = new NdArray("float64", [nt, 1], new double[nt]),
                ["fparam_avg"] = null, ["fparam_inv_std"] = null, ["aparam_avg"] = null, ["aparam_inv_std"] = null, ["case_embd"] = null,
            },
        };
        var modelDict = new Dictionary<string, object?>
        {
            ["@class"] = "Model", ["@version"] = 2L, ["type"] = "standard", ["type_map"] = TypeMap(),
            ["atom_exclude_types"] = new List<object?>(), ["pair_exclude_types"] = new List<object?>(),
            ["rcond"] = null, ["preset_out_bias"] = null, ["descriptor"] = descriptor, ["fitting"] = fitting,
            ["@variables"] = new Dictionary<string, object?>
            {
                ["out_bias"] = new NdArray("float64", [1, nt, 1], model.OutBias.ToArray()),
                ["out_std"] = new NdArray("float64", [1, nt, 1], Enumerable.Repeat(1.0, nt).ToArray()),
            },
        };
        object? script = c.DefinitionJson is { } json ? Json(System.Text.Json.JsonDocument.Parse(json).RootElement) : new Dictionary<string, object?>();
        return new Dictionary<string, object?>
        {
            ["backend"] = "dpmodel", ["software"] = "deepmd-kit",
            ["version"] = "3.1.0", ["time"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.ffffff+00:00", System.Globalization.CultureInfo.InvariantCulture),
            ["generator"] = "DeepMD.Sharp (dpsharp train)",
            ["model"] = modelDict, ["model_def_script"] = script,
            ["@variables"] = model.MinNborDist is { } dmin
                ? new Dictionary<string, object?> { ["min_nbor_dist"] = new NdArray("float64", [], [dmin]) }
                : new Dictionary<string, object?>(),
        };
    }

    private static Dictionary<string, object?> Net(TrainableNetwork net, int inDim, int[] neuron, string act, bool resnetDt, bool bias) => new()
    {
        ["@class"] = "EmbeddingNetwork", ["@version"] = 2L, ["in_dim"] = (long)inDim, ["neuron"] = ModelExporter.Longs(neuron),
        ["activation_function"] = act, ["resnet_dt"] = resnetDt, ["bias"] = bias, ["precision"] = "float64",
        ["layers"] = net.Layers.Select(l => (object?)ModelExporter.Layer(l)).ToList(),
    };

    /// <summary>A JSON value as the plain dict/list/scalar tree the model file writers take.</summary>
    private static object? Json(System.Text.Json.JsonElement e) => e.ValueKind switch
    {
        System.Text.Json.JsonValueKind.Object => e.EnumerateObject().ToDictionary(p => p.Name, p => Json(p.Value)),
        System.Text.Json.JsonValueKind.Array => e.EnumerateArray().Select(Json).ToList(),
        System.Text.Json.JsonValueKind.String => e.GetString(),
        System.Text.Json.JsonValueKind.Number => e.TryGetInt64(out var l) ? l : e.GetDouble(),
        System.Text.Json.JsonValueKind.True => true,
        System.Text.Json.JsonValueKind.False => false,
        _ => null,
    };
}
