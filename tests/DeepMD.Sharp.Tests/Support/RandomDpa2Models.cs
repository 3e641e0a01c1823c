namespace DeepMD.Sharp.Tests.Support;

using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Loading;
using DeepMD.Sharp.Models.Serialization;

/// <summary>The switches of a random DPA-2 test model (DeePMD-kit's names in comments).</summary>
public sealed record Dpa2Options
{
    public string Name { get; init; } = "default";
    public bool ThreeBody { get; init; } = true;            // use_three_body
    public bool Strip { get; init; }                        // tebd_input_mode strip
    public bool TypeOneSide { get; init; }                  // type_one_side
    public bool Smooth { get; init; } = true;               // smooth (descriptor and layers)
    public bool Conv { get; init; } = true;                 // update_g1_has_conv
    public bool Drrd { get; init; } = true;                 // update_g1_has_drrd
    public bool Grrg { get; init; } = true;                 // update_g1_has_grrg
    public bool G1Attn { get; init; }                       // update_g1_has_attn
    public bool G2G1G1 { get; init; }                       // update_g2_has_g1g1
    public bool G2Attn { get; init; }                       // update_g2_has_attn
    public bool H2 { get; init; }                           // update_h2
    public bool Gate { get; init; } = true;                 // attn2_has_gate
    public string UpdateStyle { get; init; } = "res_residual";
    public bool SqrtNnei { get; init; } = true;             // use_sqrt_nnei
    public bool G1OutConv { get; init; } = true;            // g1_out_conv
    public bool G1OutMlp { get; init; } = true;             // g1_out_mlp
    public bool AddTebd { get; init; }                      // add_tebd_to_repinit_out
    public bool ConcatTebd { get; init; } = true;           // concat_output_tebd
    public bool DirectDist { get; init; }                   // direct_dist
    public int Layers { get; init; } = 2;
    public int Types { get; init; } = 2;
    public int RepformerSel { get; init; } = 40;
    public int[][] ExcludeTypes { get; init; } = [];
    public bool SetDavgZero { get; init; }                  // set_davg_zero (DeePMD-kit's default for DPA-2)
    public int G1Dim { get; init; } = 6;                    // g1_dim
    public int G2Dim { get; init; } = 5;                    // g2_dim
    public int AttnHidden { get; init; } = 3;               // attn1_hidden, attn2_hidden

    public override string ToString() => Name;
}

/// <summary>
/// DPA-2 models with random weights and random statistics (non-zero davg, so DeePMD-kit's padding conventions matter),
/// written as DeePMD-kit's model dict and read by the normal reader. Cutoffs: repinit 4.5 Å (sel 64), three-body 3.0 Å
/// (sel 24), repformer 3.5 Å.
/// </summary>
public static class RandomDpa2Models
{
    public const double RepinitRcut = 4.5, ThreeBodyRcut = 3.0, RepformerRcut = 3.5;

    public static DeepPotModel Create(int seed, Dpa2Options o) =>
        ModelReader.FromTree(CreateTree(seed, o), $"random-dpa2-{o.Name}-{seed}");

    /// <summary>The model as DeePMD-kit's model dict (what <c>dp convert-backend</c> writes), loadable by DeePMD-kit itself.</summary>
    public static Dictionary<string, object?> CreateTree(int seed, Dpa2Options o)
    {
        var rng = new Random(seed);
        var nt = o.Types;
        const int tebd = 4, axis = 3, repAxis = 3;
        int g1 = o.G1Dim, g2 = o.G2Dim;
        int[] neuron = [6, 8];
        int[] tbNeuron = [4, 6];
        const int nsel = 64, tbSel = 24;
        var fsel = o.RepformerSel;

        Dictionary<string, object?> Layer(int nin, int nout, bool bias, string act = "none", bool resnet = false, double scale = 0.6)
        {
            var vars = new Dictionary<string, object?>
            {
                ["w"] = Arr(rng, [nin, nout], scale / Math.Sqrt(nin)),
                ["b"] = bias ? Arr(rng, [nout], 0.3) : null,
                ["idt"] = null,
            };
            return new Dictionary<string, object?>
            {
                ["@class"] = "Layer", ["@version"] = 1L, ["activation_function"] = act, ["bias"] = bias, ["resnet"] = resnet,
                ["precision"] = "float64", ["use_timestep"] = false, ["@variables"] = vars,
            };
        }
        Dictionary<string, object?> Net(int nin, int[] widths, string act = "tanh")
        {
            var layers = new List<object?>();
            var n = nin;
            foreach (var m in widths)
            {
                layers.Add(Layer(n, m, true, act, resnet: true));
                n = m;
            }
            return new Dictionary<string, object?>
            {
                ["@class"] = "EmbeddingNetwork", ["@version"] = 2L, ["activation_function"] = act, ["in_dim"] = (long)nin,
                ["neuron"] = widths.Select(w => (object?)(long)w).ToList(), ["precision"] = "float64", ["resnet_dt"] = false, ["layers"] = layers,
            };
        }
        Dictionary<string, object?> Collection(Dictionary<string, object?> net) => new()
        {
            ["@class"] = "NetworkCollection", ["@version"] = 1L, ["ndim"] = 0L, ["ntypes"] = (long)nt, ["network_type"] = "embedding_network",
            ["networks"] = new List<object?> { net },
        };
        // Per-type statistics as DeePMD-kit computes them: the same for every slot, a mean only for the radial
        // component, one std for the three vector components (anything else would not be rotation invariant).
        Dictionary<string, object?> Stats(int sel)
        {
            var davg = new double[nt * sel * 4];
            var dstd = new double[nt * sel * 4];
            for (var ty = 0; ty < nt; ty++)
            {
                var a = o.SetDavgZero ? 0 : 0.15 * (2 * rng.NextDouble() - 1);
                var s0 = 0.6 + 0.2 * (2 * rng.NextDouble() - 1);
                var s1 = 0.6 + 0.2 * (2 * rng.NextDouble() - 1);
                for (var k = 0; k < sel; k++)
                {
                    var q = (ty * sel + k) * 4;
                    davg[q] = a;
                    (dstd[q], dstd[q + 1], dstd[q + 2], dstd[q + 3]) = (s0, s1, s1, s1);
                }
            }
            return new()
            {
                ["davg"] = new NdArray("float64", [nt, sel, 4], davg),
                ["dstd"] = new NdArray("float64", [nt, sel, 4], dstd),
            };
        }

        var sides = o.TypeOneSide ? 1 : 2;
        var repinitVar = new Dictionary<string, object?>
        {
            ["embeddings"] = Collection(o.Strip ? Net(1, neuron) : Net(1 + sides * tebd, neuron)),
            ["env_mat"] = new Dictionary<string, object?> { ["rcut"] = RepinitRcut, ["rcut_smth"] = 0.5 },
            ["@variables"] = Stats(nsel),
        };
        if (o.Strip) repinitVar["embeddings_strip"] = Collection(Net(sides * tebd, neuron));
        Dictionary<string, object?>? tbVar = null;
        if (o.ThreeBody)
        {
            tbVar = new()
            {
                ["embeddings"] = Collection(o.Strip ? Net(1, tbNeuron) : Net(1 + 2 * tebd, tbNeuron)),
                ["env_mat"] = new Dictionary<string, object?> { ["rcut"] = ThreeBodyRcut, ["rcut_smth"] = 2.0 },
                ["@variables"] = Stats(tbSel),
            };
            if (o.Strip) tbVar["embeddings_strip"] = Collection(Net(2 * tebd, tbNeuron));
        }

        var layers = new List<object?>();
        for (var k = 0; k < o.Layers; k++)
        {
            var chnnl2 = k < o.Layers - 1;
            bool g2g1g1 = chnnl2 && o.G2G1G1, g2attn = chnnl2 && o.G2Attn, h2 = chnnl2 && o.H2;
            int nh1 = 2, nd1 = o.AttnHidden, nh2 = 2, nd2 = o.AttnHidden;
            var inDim = (o.G1OutMlp ? 0 : g1) + (o.Grrg ? g2 * repAxis : 0) + (o.Drrd ? g1 * repAxis : 0) + (o.Conv && !o.G1OutConv ? g2 : 0);
            var l = new Dictionary<string, object?>
            {
                ["@class"] = "RepformerLayer", ["@version"] = 2L, ["rcut"] = RepformerRcut, ["rcut_smth"] = 2.5,
                ["sel"] = new List<object?> { (long)fsel }, ["ntypes"] = (long)nt, ["g1_dim"] = (long)g1, ["g2_dim"] = (long)g2,
                ["axis_neuron"] = (long)repAxis, ["update_chnnl_2"] = chnnl2, ["update_g1_has_conv"] = o.Conv,
                ["update_g1_has_drrd"] = o.Drrd, ["update_g1_has_grrg"] = o.Grrg, ["update_g1_has_attn"] = o.G1Attn,
                ["update_g2_has_g1g1"] = g2g1g1, ["update_g2_has_attn"] = g2attn, ["update_h2"] = h2,
                ["attn1_hidden"] = (long)nd1, ["attn1_nhead"] = (long)nh1, ["attn2_hidden"] = (long)nd2, ["attn2_nhead"] = (long)nh2,
                ["attn2_has_gate"] = o.Gate, ["activation_function"] = "tanh", ["update_style"] = o.UpdateStyle, ["smooth"] = o.Smooth,
                ["precision"] = "float64", ["trainable_ln"] = true, ["use_sqrt_nnei"] = o.SqrtNnei, ["g1_out_conv"] = o.G1OutConv,
                ["g1_out_mlp"] = o.G1OutMlp, ["ln_eps"] = 1e-5,
                ["linear1"] = Layer(inDim, g1, true),
            };
            var g1res = new List<object?> { Arr(rng, [g1], 0.3) };
            var g2res = new List<object?>();
            var h2res = new List<object?>();
            if (chnnl2)
            {
                l["linear2"] = Layer(g2, g2, true);
                g2res.Add(Arr(rng, [g2], 0.3));
            }
            if (o.G1OutMlp)
            {
                l["g1_self_mlp"] = Layer(g1, g1, true);
                g1res.Add(Arr(rng, [g1], 0.3));
            }
            if (o.Conv)
            {
                l["proj_g1g2"] = o.G1OutConv ? Layer(g2, g1, false) : Layer(g1, g2, false);
                if (o.G1OutConv) g1res.Add(Arr(rng, [g1], 0.3));
            }
            if (g2g1g1)
            {
                l["proj_g1g1g2"] = Layer(g1, g2, false);
                g2res.Add(Arr(rng, [g2], 0.3));
            }
            if (g2attn || h2)
                l["attn2g_map"] = new Dictionary<string, object?>
                {
                    ["@class"] = "Atten2Map", ["@version"] = 1L, ["input_dim"] = (long)g2, ["hidden_dim"] = (long)nd2, ["head_num"] = (long)nh2,
                    ["has_gate"] = o.Gate, ["smooth"] = o.Smooth, ["attnw_shift"] = 20.0, ["precision"] = "float64",
                    ["mapqk"] = Layer(g2, nd2 * 2 * nh2, false, scale: 1.5),
                };
            if (g2attn)
            {
                l["attn2_mh_apply"] = new Dictionary<string, object?> { ["@class"] = "Atten2MultiHeadApply", ["@version"] = 1L, ["input_dim"] = (long)g2, ["head_num"] = (long)nh2, ["precision"] = "float64", ["mapv"] = Layer(g2, g2 * nh2, false), ["head_map"] = Layer(g2 * nh2, g2, true) };
                l["attn2_lm"] = new Dictionary<string, object?>
                {
                    ["@class"] = "LayerNorm", ["@version"] = 1L, ["eps"] = 1e-5, ["precision"] = "float64", ["trainable"] = true,
                    ["@variables"] = new Dictionary<string, object?> { ["w"] = Arr(rng, [g2], 0.3, 1.0), ["b"] = Arr(rng, [g2], 0.2) },
                };
                g2res.Add(Arr(rng, [g2], 0.3));
            }
            if (h2)
            {
                l["attn2_ev_apply"] = new Dictionary<string, object?> { ["@class"] = "Atten2EquiVarApply", ["@version"] = 1L, ["input_dim"] = (long)g2, ["head_num"] = (long)nh2, ["precision"] = "float64", ["head_map"] = Layer(nh2, 1, false) };
                h2res.Add(Arr(rng, [1], 0.3));
            }
            if (o.G1Attn)
            {
                l["loc_attn"] = new Dictionary<string, object?>
                {
                    ["@class"] = "LocalAtten", ["@version"] = 1L, ["input_dim"] = (long)g1, ["hidden_dim"] = (long)nd1, ["head_num"] = (long)nh1,
                    ["smooth"] = o.Smooth, ["attnw_shift"] = 20.0, ["precision"] = "float64", ["mapq"] = Layer(g1, nd1 * nh1, false, scale: 1.5), ["mapkv"] = Layer(g1, (nd1 + g1) * nh1, false, scale: 1.5),
                    ["head_map"] = Layer(g1 * nh1, g1, true),
                };
                g1res.Add(Arr(rng, [g1], 0.3));
            }
            if (o.UpdateStyle == "res_residual")
                l["@variables"] = new Dictionary<string, object?> { ["g1_residual"] = g1res, ["g2_residual"] = g2res, ["h2_residual"] = h2res };
            layers.Add(l);
        }
        var repformersVar = new Dictionary<string, object?>
        {
            ["g2_embd"] = Layer(1, g2, true),
            ["repformer_layers"] = layers,
            ["env_mat"] = new Dictionary<string, object?> { ["rcut"] = RepformerRcut, ["rcut_smth"] = 2.5 },
            ["@variables"] = Stats(fsel),
        };
        var repinitOut = neuron[^1] * axis + (o.ThreeBody ? tbNeuron[^1] : 0);
        var typeMap = Enumerable.Range(0, nt).Select(t => (object?)("ABCDEFGH"[t].ToString())).ToList();
        var descriptor = new Dictionary<string, object?>
        {
            ["@class"] = "Descriptor", ["@version"] = 3L, ["type"] = "dpa2", ["ntypes"] = (long)nt,
            ["repinit_args"] = new Dictionary<string, object?>
            {
                ["rcut"] = RepinitRcut, ["rcut_smth"] = 0.5, ["nsel"] = (long)nsel, ["neuron"] = neuron.Select(v => (object?)(long)v).ToList(),
                ["axis_neuron"] = (long)axis, ["tebd_dim"] = (long)tebd, ["tebd_input_mode"] = o.Strip ? "strip" : "concat",
                ["set_davg_zero"] = o.SetDavgZero, ["activation_function"] = "tanh", ["type_one_side"] = o.TypeOneSide, ["resnet_dt"] = false,
                ["use_three_body"] = o.ThreeBody, ["three_body_neuron"] = tbNeuron.Select(v => (object?)(long)v).ToList(),
                ["three_body_sel"] = (long)tbSel, ["three_body_rcut"] = ThreeBodyRcut, ["three_body_rcut_smth"] = 2.0,
            },
            ["repformer_args"] = new Dictionary<string, object?>
            {
                ["rcut"] = RepformerRcut, ["rcut_smth"] = 2.5, ["nsel"] = (long)fsel, ["nlayers"] = (long)o.Layers, ["g1_dim"] = (long)g1,
                ["g2_dim"] = (long)g2, ["axis_neuron"] = (long)repAxis, ["direct_dist"] = o.DirectDist, ["activation_function"] = "tanh",
                ["use_sqrt_nnei"] = o.SqrtNnei, ["g1_out_conv"] = o.G1OutConv, ["g1_out_mlp"] = o.G1OutMlp, ["update_style"] = o.UpdateStyle,
                ["update_g1_has_conv"] = o.Conv, ["update_g1_has_drrd"] = o.Drrd, ["update_g1_has_grrg"] = o.Grrg, ["update_g1_has_attn"] = o.G1Attn,
                ["update_g2_has_g1g1"] = o.G2G1G1, ["update_g2_has_attn"] = o.G2Attn, ["update_h2"] = o.H2, ["attn1_hidden"] = 3L, ["attn1_nhead"] = 2L,
                ["attn2_hidden"] = 3L, ["attn2_nhead"] = 2L, ["attn2_has_gate"] = o.Gate, ["update_residual"] = 0.1, ["update_residual_init"] = "norm",
                ["set_davg_zero"] = o.SetDavgZero, ["trainable_ln"] = true, ["ln_eps"] = 1e-5,
            },
            ["concat_output_tebd"] = o.ConcatTebd, ["precision"] = "float64", ["smooth"] = o.Smooth,
            ["exclude_types"] = o.ExcludeTypes.Select(p => (object?)p.Select(v => (object?)(long)v).ToList()).ToList(),
            ["env_protection"] = 0.0, ["trainable"] = true, ["add_tebd_to_repinit_out"] = o.AddTebd,
            ["use_econf_tebd"] = false, ["use_tebd_bias"] = false, ["type_map"] = typeMap,
            ["type_embedding"] = new Dictionary<string, object?>
            {
                ["@class"] = "TypeEmbedNet", ["@version"] = 2L, ["ntypes"] = (long)nt, ["padding"] = true, ["use_econf_tebd"] = false,
                ["neuron"] = new List<object?> { (long)tebd },
                ["embedding"] = new Dictionary<string, object?>
                {
                    ["@class"] = "EmbeddingNetwork", ["@version"] = 2L, ["activation_function"] = "Linear", ["in_dim"] = (long)nt,
                    ["layers"] = new List<object?> { Layer(nt, tebd, false, "Linear", scale: 1.5) },
                },
            },
            ["g1_shape_tranform"] = Layer(repinitOut, g1, false),
            ["repinit_variable"] = repinitVar,
            ["repformers_variable"] = repformersVar,
        };
        if (tbVar is not null) descriptor["repinit_three_body_variable"] = tbVar;
        if (o.AddTebd) descriptor["tebd_transform"] = Layer(tebd, g1, false);

        var dsize = g1 + (o.ConcatTebd ? tebd : 0);
        var fitLayers = new List<object?> { Layer(dsize, 8, true, "tanh"), Layer(8, 8, true, "tanh", resnet: true), Layer(8, 1, true) };
        var fitting = new Dictionary<string, object?>
        {
            ["@class"] = "Fitting", ["@version"] = 3L, ["type"] = "ener", ["ntypes"] = (long)nt, ["dim_descrpt"] = (long)dsize,
            ["mixed_types"] = true, ["dim_out"] = 1L, ["numb_fparam"] = 0L, ["numb_aparam"] = 0L, ["precision"] = "float64",
            ["neuron"] = new List<object?> { 8L, 8L }, ["resnet_dt"] = false, ["activation_function"] = "tanh", ["rcond"] = null,
            ["tot_ener_zero"] = false, ["trainable"] = null, ["atom_ener"] = new List<object?>(), ["layer_name"] = null,
            ["use_aparam_as_mask"] = false, ["spin"] = null, ["exclude_types"] = new List<object?>(), ["var_name"] = "energy", ["type_map"] = typeMap,
            ["@variables"] = new Dictionary<string, object?>
            {
                ["bias_atom_e"] = Arr(rng, [nt, 1], 1.0), ["fparam_avg"] = null, ["fparam_inv_std"] = null, ["aparam_avg"] = null, ["aparam_inv_std"] = null,
            },
            ["nets"] = new Dictionary<string, object?>
            {
                ["@class"] = "NetworkCollection", ["@version"] = 1L, ["ndim"] = 0L, ["ntypes"] = (long)nt, ["network_type"] = "fitting_network",
                ["networks"] = new List<object?>
                {
                    new Dictionary<string, object?>
                    {
                        ["@class"] = "FittingNetwork", ["@version"] = 1L, ["activation_function"] = "tanh", ["in_dim"] = (long)dsize, ["out_dim"] = 1L,
                        ["neuron"] = new List<object?> { 8L, 8L }, ["resnet_dt"] = false, ["precision"] = "float64", ["bias_out"] = true, ["layers"] = fitLayers,
                    },
                },
            },
        };
        var model = new Dictionary<string, object?>
        {
            ["@class"] = "Model", ["@version"] = 2L, ["type"] = "standard", ["type_map"] = typeMap,
            ["@variables"] = new Dictionary<string, object?>
            {
                ["out_bias"] = Arr(rng, [1, nt, 1], 0.5), ["out_std"] = new NdArray("float64", [1, nt, 1], Enumerable.Repeat(1.0, nt).ToArray()),
            },
            ["descriptor"] = descriptor, ["fitting"] = fitting, ["pair_exclude_types"] = new List<object?>(), ["atom_exclude_types"] = new List<object?>(),
        };
        return new Dictionary<string, object?> { ["backend"] = "dpmodel", ["model"] = model, ["@variables"] = new Dictionary<string, object?>() };
    }

    private static NdArray Arr(Random rng, int[] shape, double scale, double offset = 0)
    {
        var n = shape.Aggregate(1, (a, b) => a * b);
        var data = new double[n];
        for (var k = 0; k < n; k++) data[k] = offset + scale * (2 * rng.NextDouble() - 1);
        return new NdArray("float64", shape, data);
    }
}
