namespace DeepMD.Sharp.Training.Model;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Files;
using DeepMD.Sharp.Models.Serialization;
using TorchSharp;

/// <summary>
/// Writes a <see cref="SeAEnergyModel"/> as DeePMD-kit's backend-neutral model dict (Model v2, Descriptor se_e2_a v2,
/// Fitting ener v2, NetworkCollection, EmbeddingNetwork v2, FittingNetwork v1, Layer v2; notes §3), the layout of
/// <c>deeppot_sea.yaml</c>, so that DeePMD-kit and our <c>ModelLoader</c> can read it.
/// </summary>
public static class ModelExporter
{
    /// <summary>Builds the whole file dict (backend, model, model_def_script, metadata).</summary>
    public static Dictionary<string, object?> ToTree(SeAEnergyModel model)
    {
        var c = model.Config;
        var nt = c.TypeCount;
        var typeMap = c.TypeMap.Select(n => (object?)n).ToList();
        var dim = c.DescriptorWidth;
        var cols = c.EnvColumns;
        var descriptor = new Dictionary<string, object?>
        {
            ["@class"] = "Descriptor", ["@version"] = 2L, ["type"] = c.Radial ? "se_r" : "se_e2_a",
            ["rcut"] = c.Rcut, ["rcut_smth"] = c.RcutSmooth, ["sel"] = Longs(c.Sel), ["neuron"] = Longs(c.Neuron),
            ["resnet_dt"] = c.DescriptorResnetDt, ["trainable"] = true,
            ["type_one_side"] = c.TypeOneSide, ["exclude_types"] = new List<object?>(), ["env_protection"] = 0.0,
            ["set_davg_zero"] = c.SetDavgZero, ["activation_function"] = c.DescriptorActivation, ["precision"] = "float64",
            ["spin"] = null, ["type_map"] = typeMap.ToList(),
            ["env_mat"] = new Dictionary<string, object?> { ["rcut"] = c.Rcut, ["rcut_smth"] = c.RcutSmooth },
            ["embeddings"] = Collection(c.TypeOneSide ? 1 : 2, nt, "embedding_network",
                model.Embeddings.Select(n => Embedding(n, c.Neuron, c.DescriptorActivation, c.DescriptorResnetDt))),
            ["@variables"] = new Dictionary<string, object?>
            {
                ["davg"] = new NdArray("float64", [nt, c.SlotCount, cols], model.Davg.ToArray()),
                ["dstd"] = new NdArray("float64", [nt, c.SlotCount, cols], model.Dstd.ToArray()),
            },
        };
        if (!c.Radial) descriptor["axis_neuron"] = (long)c.AxisNeuron;
        var fitting = new Dictionary<string, object?>
        {
            ["@class"] = "Fitting", ["@version"] = 2L, ["type"] = "ener", ["var_name"] = "energy",
            ["ntypes"] = (long)nt, ["dim_descrpt"] = (long)dim, ["dim_out"] = 1L, ["neuron"] = Longs(c.FittingNeuron),
            ["resnet_dt"] = c.FittingResnetDt, ["numb_fparam"] = 0L, ["numb_aparam"] = 0L, ["rcond"] = null,
            ["activation_function"] = c.FittingActivation, ["precision"] = "float64", ["mixed_types"] = false,
            ["exclude_types"] = new List<object?>(), ["atom_ener"] = null, ["tot_ener_zero"] = false,
            ["trainable"] = Enumerable.Repeat((object?)true, c.FittingNeuron.Length + 1).ToList(), ["layer_name"] = null,
            ["use_aparam_as_mask"] = false, ["spin"] = null, ["type_map"] = typeMap.ToList(),
            ["nets"] = Collection(1, nt, "fitting_network",
                model.Fittings.Select(n => FittingNet(n, dim, c.FittingNeuron, c.FittingActivation, c.FittingResnetDt))),
            ["@variables"] = new Dictionary<string, object?>
            {
                ["bias_atom_e"] = new NdArray("float64", [nt, 1], new double[nt]),
                ["fparam_avg"] = null, ["fparam_inv_std"] = null, ["aparam_avg"] = null, ["aparam_inv_std"] = null,
            },
        };
        var modelDict = new Dictionary<string, object?>
        {
            ["@class"] = "Model", ["@version"] = 2L, ["type"] = "standard", ["type_map"] = typeMap.ToList(),
            ["atom_exclude_types"] = new List<object?>(), ["pair_exclude_types"] = new List<object?>(),
            ["rcond"] = null, ["preset_out_bias"] = null, ["descriptor"] = descriptor, ["fitting"] = fitting,
            ["@variables"] = new Dictionary<string, object?>
            {
                ["out_bias"] = new NdArray("float64", [1, nt, 1], model.OutBias.ToArray()),
                ["out_std"] = new NdArray("float64", [1, nt, 1], Enumerable.Repeat(1.0, nt).ToArray()),
            },
        };
        var script = new Dictionary<string, object?>
        {
            ["type_map"] = typeMap.ToList(),
            ["descriptor"] = new Dictionary<string, object?>
            {
                ["type"] = c.DescriptorType, ["sel"] = Longs(c.Sel), ["rcut_smth"] = c.RcutSmooth, ["rcut"] = c.Rcut,
                ["neuron"] = Longs(c.Neuron), ["resnet_dt"] = c.DescriptorResnetDt,
                ["type_one_side"] = c.TypeOneSide, ["precision"] = "float64", ["seed"] = c.Seed,
            },
            ["fitting_net"] = new Dictionary<string, object?>
            {
                ["type"] = "ener", ["neuron"] = Longs(c.FittingNeuron), ["resnet_dt"] = c.FittingResnetDt,
                ["precision"] = "float64", ["seed"] = c.Seed,
            },
        };
        if (!c.Radial) ((Dictionary<string, object?>)script["descriptor"]!)["axis_neuron"] = (long)c.AxisNeuron;
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

    /// <summary>
    /// Writes the model to <paramref name="path"/> (.dp or .yaml) via a temporary file and a rename; with
    /// <paramref name="coverageData"/> (the training systems) it also stores their coverage for the extrapolation guard.
    /// </summary>
    public static void Save(IEnergyModel model, string path, IReadOnlyList<IO.Datasets.DeepmdSystem>? coverageData = null)
    {
        var full = Path.GetFullPath(path);
        var tmp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileNameWithoutExtension(full)}.tmp{Environment.ProcessId}{Path.GetExtension(full)}");
        var tree = model.ToTree();
        if (coverageData is not null) CoverageOf(tree, path, coverageData).WriteTo(tree);
        ModelFile.Save(tmp, tree);
        DurableFile.MoveIntoPlace(tmp, full);
    }

    /// <summary>
    /// The coverage of <paramref name="systems"/> (their types already the model's) for the model in <paramref name="tree"/>,
    /// its descriptors computed by a host backend (the CPU one when registered).
    /// </summary>
    public static Models.Coverage.TrainingCoverage CoverageOf(Dictionary<string, object?> tree, string file, IReadOnlyList<IO.Datasets.DeepmdSystem> systems)
    {
        var m = Models.Loading.ModelReader.FromTree(tree, file);
        var registry = Models.Backends.BackendRegistry.Default;
        Models.Evaluation.IModelEvaluator evaluator;
        try
        {
            evaluator = registry.Create(m, registry.Find("cpu") is not null ? "cpu" : "reference", out _);
        }
        catch (UserInputException)
        {
            evaluator = registry.Create(m, "reference", out _); // descriptors the CPU backend does not implement (DPA-1)
        }
        var builder = new Models.Coverage.CoverageBuilder(evaluator);
        foreach (var s in systems)
            for (var f = 0; f < s.FrameCount; f++)
            {
                var (x, y, z, box) = s.Frame(f);
                builder.Add(x, y, z, s.Types, box, s.Virials is not null);
            }
        return builder.Build();
    }

    internal static List<object?> Longs(IEnumerable<int> v) => v.Select(x => (object?)(long)x).ToList();

    internal static Dictionary<string, object?> Collection(int ndim, int nt, string kind, IEnumerable<Dictionary<string, object?>> nets) => new()
    {
        ["@class"] = "NetworkCollection", ["@version"] = 1L, ["ndim"] = (long)ndim, ["ntypes"] = (long)nt,
        ["network_type"] = kind, ["networks"] = nets.Select(n => (object?)n).ToList(),
    };

    private static Dictionary<string, object?> Embedding(TrainableNetwork net, int[] neuron, string act, bool resnetDt) => new()
    {
        ["@class"] = "EmbeddingNetwork", ["@version"] = 2L, ["in_dim"] = 1L, ["neuron"] = Longs(neuron),
        ["activation_function"] = act, ["resnet_dt"] = resnetDt, ["bias"] = true, ["precision"] = "float64",
        ["layers"] = net.Layers.Select(l => (object?)Layer(l)).ToList(),
    };

    private static Dictionary<string, object?> FittingNet(TrainableNetwork net, int inDim, int[] neuron, string act, bool resnetDt) => new()
    {
        ["@class"] = "FittingNetwork", ["@version"] = 1L, ["in_dim"] = (long)inDim, ["out_dim"] = 1L, ["neuron"] = Longs(neuron),
        ["activation_function"] = act, ["resnet_dt"] = resnetDt, ["bias_out"] = true, ["precision"] = "float64",
        ["layers"] = net.Layers.Select(l => (object?)Layer(l)).ToList(),
    };

    internal static Dictionary<string, object?> Layer(TrainableLayer l) => new()
    {
        ["@class"] = "Layer", ["@version"] = 2L, ["bias"] = l.B is not null, ["use_timestep"] = l.Idt is not null,
        ["activation_function"] = l.Activation, ["resnet"] = l.Resnet, ["precision"] = "float64", ["trainable"] = true,
        ["@variables"] = new Dictionary<string, object?>
        {
            ["w"] = new NdArray("float64", [l.InputSize, l.OutputSize], Values(l.W)),
            ["b"] = l.B is null ? null : new NdArray("float64", [l.OutputSize], Values(l.B)),
            ["idt"] = l.Idt is null ? null : new NdArray("float64", [l.OutputSize], Values(l.Idt)),
        },
    };

    internal static double[] Values(torch.Tensor t)
    {
        using var d = t.detach().contiguous();
        return d.data<double>().ToArray();
    }
}
