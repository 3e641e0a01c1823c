namespace DeepMD.Sharp.Tests.Support;

using DeepMD.Sharp.Models.Serialization;

/// <summary>The hyper-parameters of a random se_atten (DPA-1) model (see <see cref="RandomAttentionModels"/>).</summary>
public sealed record AttentionModelOptions
{
    public string Type { get; init; } = "dpa1";
    public string Mode { get; init; } = "concat";
    public bool OneSide { get; init; }
    public int AttnLayers { get; init; } = 2;
    public int Attn { get; init; } = 6;
    public bool Dotr { get; init; } = true;
    public bool Smooth { get; init; } = true;
    public bool Normalize { get; init; } = true;
    public double? Temperature { get; init; }
    public double ScalingFactor { get; init; } = 1.0;
    public bool ConcatOutputTebd { get; init; } = true;
    public bool SetDavgZero { get; init; }
    public (int, int)[] Exclude { get; init; } = [];
    public (int, int)[] PairExclude { get; init; } = [];
    public int[] AtomExclude { get; init; } = [];
    public int Sel { get; init; } = 40;
    public double Rcut { get; init; } = 4.0;
    public double RcutSmooth { get; init; } = 1.0;
    public string[] Types { get; init; } = ["O", "H", "C"];
    public bool UseTebdBias { get; init; }
    public int TebdDim { get; init; } = 4;
    public int[] Neuron { get; init; } = [4, 8];
    public int Axis { get; init; } = 3;
    public double EnvProtection { get; init; }
    public string Activation { get; init; } = "tanh";
    public bool ResnetDt { get; init; } = true;
    public string Precision { get; init; } = "float64";
    public int[] FittingNeuron { get; init; } = [6, 6];
}

/// <summary>
/// Random-weight DPA-1 / se_atten_v2 models written as DeePMD-kit's model dict (the layout of dpa1.py's
/// <c>serialize</c>, Descriptor v2, mixed-type ener fitting), so that tests go through the same reader as real files.
/// Statistics are random too: a radial mean per slot and equal angular stds with zero angular mean, as DeePMD-kit's
/// statistics give (other angular statistics would break rotation invariance in DeePMD-kit as well).
/// </summary>
public static class RandomAttentionModels
{
    public static Dictionary<string, object?> Tree(int seed, AttentionModelOptions o)
    {
        var rng = new Random(seed);
        var nt = o.Types.Length;
        var ng = o.Neuron[^1];
        var typeMap = o.Types.Select(t => (object?)t).ToList();
        var side = o.OneSide ? o.TebdDim : 2 * o.TebdDim;
        var v2 = o.Type == "se_atten_v2";
        var strip = v2 || o.Mode == "strip";
        var smooth = v2 || o.Smooth;
        var nsel = o.Sel;
        var davg = new double[nt * nsel * 4];
        var dstd = new double[nt * nsel * 4];
        for (var t = 0; t < nt; t++)
        {
            var mu = 0.1 + 0.1 * rng.NextDouble();
            for (var k = 0; k < nsel; k++)
            {
                var b = (t * nsel + k) * 4;
                if (!o.SetDavgZero) davg[b] = mu + 0.02 * rng.NextDouble();
                dstd[b] = 0.1 + 0.1 * rng.NextDouble();
                var sa = 0.1 + 0.1 * rng.NextDouble();
                for (var c = 1; c < 4; c++) dstd[b + c] = sa;
            }
        }
        var layers = new List<object?>();
        for (var l = 0; l < o.AttnLayers; l++)
        {
            layers.Add(new Dictionary<string, object?>
            {
                ["nnei"] = (long)nsel, ["embed_dim"] = (long)ng, ["hidden_dim"] = (long)o.Attn, ["dotr"] = o.Dotr, ["do_mask"] = false,
                ["scaling_factor"] = o.ScalingFactor, ["normalize"] = o.Normalize, ["temperature"] = o.Temperature,
                ["trainable_ln"] = true, ["ln_eps"] = 1e-5, ["precision"] = o.Precision,
                ["attention_layer"] = new Dictionary<string, object?>
                {
                    ["nnei"] = (long)nsel, ["embed_dim"] = (long)ng, ["hidden_dim"] = (long)o.Attn, ["num_heads"] = 1L, ["dotr"] = o.Dotr,
                    ["do_mask"] = false, ["scaling_factor"] = o.ScalingFactor, ["normalize"] = o.Normalize, ["temperature"] = o.Temperature,
                    ["bias"] = true, ["smooth"] = smooth, ["precision"] = o.Precision,
                    ["in_proj"] = Layer(rng, ng, 3 * o.Attn, "none", false, false, 1.0, o.Precision),
                    ["out_proj"] = Layer(rng, o.Attn, ng, "none", false, false, 1.0, o.Precision),
                },
                ["attn_layer_norm"] = new Dictionary<string, object?>
                {
                    ["@class"] = "LayerNorm", ["@version"] = 1L, ["eps"] = 1e-5, ["trainable"] = true, ["precision"] = o.Precision,
                    ["@variables"] = new Dictionary<string, object?>
                    {
                        ["w"] = Array(o.Precision, [ng], Fill(rng, ng, 0.3, 1.0)),
                        ["b"] = Array(o.Precision, [ng], Fill(rng, ng, 0.2)),
                    },
                },
            });
        }
        var descriptor = new Dictionary<string, object?>
        {
            ["@class"] = "Descriptor", ["type"] = o.Type, ["@version"] = 2L, ["rcut"] = o.Rcut, ["rcut_smth"] = o.RcutSmooth,
            ["sel"] = new List<object?> { (long)nsel }, ["ntypes"] = (long)nt, ["neuron"] = Longs(o.Neuron), ["axis_neuron"] = (long)o.Axis,
            ["tebd_dim"] = (long)o.TebdDim, ["set_davg_zero"] = o.SetDavgZero, ["attn"] = (long)o.Attn,
            ["attn_layer"] = (long)o.AttnLayers, ["attn_dotr"] = o.Dotr, ["attn_mask"] = false, ["activation_function"] = o.Activation,
            ["resnet_dt"] = o.ResnetDt, ["scaling_factor"] = o.ScalingFactor, ["normalize"] = o.Normalize, ["temperature"] = o.Temperature,
            ["trainable_ln"] = true, ["ln_eps"] = 1e-5, ["type_one_side"] = o.OneSide,
            ["concat_output_tebd"] = o.ConcatOutputTebd, ["use_econf_tebd"] = false, ["use_tebd_bias"] = o.UseTebdBias, ["type_map"] = typeMap.ToList(),
            ["precision"] = o.Precision,
            ["embeddings"] = Collection(0, nt, "embedding_network", [Embedding(rng, strip ? 1 : 1 + side, o.Neuron, o.Activation, o.ResnetDt, true, o.Precision)]),
            ["attention_layers"] = new Dictionary<string, object?>
            {
                ["@class"] = "NeighborGatedAttention", ["@version"] = 1L, ["layer_num"] = (long)o.AttnLayers, ["nnei"] = (long)nsel,
                ["embed_dim"] = (long)ng, ["hidden_dim"] = (long)o.Attn, ["dotr"] = o.Dotr, ["do_mask"] = false, ["scaling_factor"] = o.ScalingFactor,
                ["normalize"] = o.Normalize, ["temperature"] = o.Temperature, ["trainable_ln"] = true, ["ln_eps"] = 1e-5, ["precision"] = o.Precision,
                ["attention_layers"] = layers,
            },
            ["env_mat"] = new Dictionary<string, object?> { ["rcut"] = o.Rcut, ["rcut_smth"] = o.RcutSmooth, ["protection"] = o.EnvProtection },
            ["type_embedding"] = new Dictionary<string, object?>
            {
                ["@class"] = "TypeEmbedNet", ["@version"] = 2L, ["ntypes"] = (long)nt, ["neuron"] = Longs([o.TebdDim]), ["resnet_dt"] = false,
                ["precision"] = o.Precision, ["activation_function"] = "Linear", ["trainable"] = true, ["padding"] = true,
                ["use_econf_tebd"] = false, ["use_tebd_bias"] = o.UseTebdBias, ["type_map"] = typeMap.ToList(),
                ["embedding"] = Embedding(rng, nt, [o.TebdDim], "Linear", false, o.UseTebdBias, o.Precision),
            },
            ["exclude_types"] = o.Exclude.Select(p => (object?)new List<object?> { (long)p.Item1, (long)p.Item2 }).ToList(),
            ["env_protection"] = o.EnvProtection,
            ["@variables"] = new Dictionary<string, object?>
            {
                ["davg"] = Array(o.Precision, [nt, nsel, 4], davg),
                ["dstd"] = Array(o.Precision, [nt, nsel, 4], dstd),
            },
            ["trainable"] = true, ["spin"] = null,
        };
        if (!v2)
        {
            descriptor["tebd_input_mode"] = strip ? "strip" : "concat";
            descriptor["smooth_type_embedding"] = smooth;
        }
        if (strip) descriptor["embeddings_strip"] = Collection(0, nt, "embedding_network", [Embedding(rng, side, o.Neuron, o.Activation, o.ResnetDt, true, o.Precision)]);
        var dim = ng * o.Axis + (o.ConcatOutputTebd ? o.TebdDim : 0);
        var fneuron = o.FittingNeuron;
        var fitting = new Dictionary<string, object?>
        {
            ["@class"] = "Fitting", ["@version"] = 3L, ["type"] = "ener", ["var_name"] = "energy", ["ntypes"] = (long)nt,
            ["dim_descrpt"] = (long)dim, ["dim_out"] = 1L, ["neuron"] = Longs(fneuron), ["resnet_dt"] = true, ["numb_fparam"] = 0L,
            ["numb_aparam"] = 0L, ["dim_case_embd"] = 0L, ["rcond"] = null, ["activation_function"] = o.Activation, ["precision"] = o.Precision,
            ["mixed_types"] = true, ["exclude_types"] = new List<object?>(), ["atom_ener"] = new List<object?>(), ["tot_ener_zero"] = false,
            ["trainable"] = Enumerable.Repeat((object?)true, 3).ToList(), ["layer_name"] = null, ["use_aparam_as_mask"] = false,
            ["spin"] = null, ["type_map"] = typeMap.ToList(),
            ["nets"] = Collection(0, nt, "fitting_network", [FittingNet(rng, dim, fneuron, o.Activation, o.Precision)]),
            ["@variables"] = new Dictionary<string, object?>
            {
                ["bias_atom_e"] = Array("float64", [nt, 1], Fill(rng, nt, 1.0)),
                ["fparam_avg"] = null, ["fparam_inv_std"] = null, ["aparam_avg"] = null, ["aparam_inv_std"] = null, ["case_embd"] = null,
            },
        };
        var model = new Dictionary<string, object?>
        {
            ["@class"] = "Model", ["@version"] = 2L, ["type"] = "standard", ["type_map"] = typeMap.ToList(),
            ["atom_exclude_types"] = o.AtomExclude.Select(t => (object?)(long)t).ToList(),
            ["pair_exclude_types"] = o.PairExclude.Select(p => (object?)new List<object?> { (long)p.Item1, (long)p.Item2 }).ToList(),
            ["rcond"] = null, ["preset_out_bias"] = null, ["descriptor"] = descriptor, ["fitting"] = fitting,
            ["@variables"] = new Dictionary<string, object?>
            {
                ["out_bias"] = Array("float64", [1, nt, 1], Fill(rng, nt, 0.5)),
                ["out_std"] = Array("float64", [1, nt, 1], Enumerable.Repeat(1.0, nt).ToArray()),
            },
        };
        return new Dictionary<string, object?>
        {
            ["backend"] = "dpmodel", ["software"] = "deepmd-kit", ["version"] = "3.1.0", ["model"] = model,
            ["model_def_script"] = new Dictionary<string, object?>(), ["@variables"] = new Dictionary<string, object?>(),
        };
    }

    /// <summary>The model read from the tree by the engine's own reader.</summary>
    public static DeepMD.Sharp.Models.DeepPotModel Create(int seed, AttentionModelOptions o) =>
        DeepMD.Sharp.Models.Loading.ModelReader.FromTree(Tree(seed, o), $"random-{o.Type}-{seed}");

    private static NdArray Array(string dtype, int[] shape, double[] data)
    {
        if (dtype == "float32") data = data.Select(v => (double)(float)v).ToArray();
        return new NdArray(dtype, shape, data);
    }

    private static double[] Fill(Random rng, int n, double scale, double offset = 0) => RandomModels.Fill(rng, n, scale, offset);

    private static List<object?> Longs(IEnumerable<int> v) => v.Select(x => (object?)(long)x).ToList();

    private static Dictionary<string, object?> Collection(int ndim, int nt, string kind, IEnumerable<Dictionary<string, object?>> nets) => new()
    {
        ["@class"] = "NetworkCollection", ["@version"] = 1L, ["ndim"] = (long)ndim, ["ntypes"] = (long)nt,
        ["network_type"] = kind, ["networks"] = nets.Select(n => (object?)n).ToList(),
    };

    private static Dictionary<string, object?> Layer(Random rng, int nin, int nout, string act, bool resnet, bool timestep, double scale, string precision, bool bias = true) => new()
    {
        ["@class"] = "Layer", ["@version"] = 2L, ["bias"] = bias, ["use_timestep"] = timestep, ["activation_function"] = act,
        ["resnet"] = resnet, ["precision"] = precision, ["trainable"] = true,
        ["@variables"] = new Dictionary<string, object?>
        {
            ["w"] = Array(precision, [nin, nout], Fill(rng, nin * nout, scale / Math.Sqrt(nin))),
            ["b"] = bias ? Array(precision, [nout], Fill(rng, nout, 0.3)) : null,
            ["idt"] = timestep ? Array(precision, [nout], Fill(rng, nout, 0.1, 0.2)) : null,
        },
    };

    /// <summary>An EmbeddingNetwork with DeePMD-kit's rules: every layer resnet, idt where the width stays or doubles.</summary>
    private static Dictionary<string, object?> Embedding(Random rng, int nin, int[] neuron, string act, bool resnetDt, bool bias, string precision)
    {
        var layers = new List<object?>();
        var n = nin;
        foreach (var m in neuron)
        {
            layers.Add(Layer(rng, n, m, act, true, resnetDt && (m == n || m == 2 * n), 1.5, precision, bias));
            n = m;
        }
        return new Dictionary<string, object?>
        {
            ["@class"] = "EmbeddingNetwork", ["@version"] = 2L, ["in_dim"] = (long)nin, ["neuron"] = Longs(neuron),
            ["activation_function"] = act, ["resnet_dt"] = resnetDt, ["bias"] = bias, ["precision"] = precision, ["layers"] = layers,
        };
    }

    private static Dictionary<string, object?> FittingNet(Random rng, int nin, int[] neuron, string act, string precision)
    {
        var layers = new List<object?>();
        var n = nin;
        foreach (var m in neuron)
        {
            layers.Add(Layer(rng, n, m, act, true, m == n || m == 2 * n, 2.0, precision));
            n = m;
        }
        layers.Add(Layer(rng, n, 1, "none", false, false, 0.5, precision));
        return new Dictionary<string, object?>
        {
            ["@class"] = "FittingNetwork", ["@version"] = 1L, ["in_dim"] = (long)nin, ["out_dim"] = 1L, ["neuron"] = Longs(neuron),
            ["activation_function"] = act, ["resnet_dt"] = true, ["precision"] = precision, ["bias_out"] = true, ["layers"] = layers,
        };
    }
}
