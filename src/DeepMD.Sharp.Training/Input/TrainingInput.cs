namespace DeepMD.Sharp.Training.Input;

using System.Text.Json;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Training.Model;
using DeepMD.Sharp.Training.Optimization;

/// <summary>
/// A DeePMD-kit input.json (se_e2_a + ener subset), read with the same keys and defaults (notes §5.1).
/// Keys we do not know are errors naming the valid keys; keys DeePMD-kit has but we do not support say so.
/// </summary>
public sealed class TrainingInput
{
    /// <summary>Model hyper-parameters; Sel is empty when input.json says "auto".</summary>
    public required SeAModelConfig Model { get; init; }

    /// <summary>
    /// The DPA-1 hyper-parameters when the descriptor is <c>se_atten</c>/<c>dpa1</c>/<c>se_atten_v2</c> (then
    /// <see cref="Model"/> carries only the type map, rcut, sel [Σsel] and the statistics settings), else null.
    /// Nsel is 0 when input.json says "auto".
    /// </summary>
    public Dpa1Config? Dpa1 { get; init; }

    /// <summary>Loss prefactors.</summary>
    public required EnergyLoss Loss { get; init; }

    /// <summary>learning_rate.start_lr.</summary>
    public required double StartLr { get; init; }

    /// <summary>learning_rate.stop_lr.</summary>
    public required double StopLr { get; init; }

    /// <summary>learning_rate.decay_steps.</summary>
    public required int DecaySteps { get; init; }

    /// <summary>learning_rate.decay_rate, if given.</summary>
    public double? DecayRate { get; init; }

    /// <summary>learning_rate.smooth.</summary>
    public bool SmoothLr { get; init; }

    /// <summary>training.training_data.</summary>
    public required DataSection TrainingData { get; init; }

    /// <summary>training.validation_data, or null.</summary>
    public DataSection? ValidationData { get; init; }

    /// <summary>training.numb_steps.</summary>
    public required int NumbSteps { get; init; }

    /// <summary>training.seed.</summary>
    public int Seed { get; init; }

    /// <summary>training.disp_file.</summary>
    public string DispFile { get; init; } = "lcurve.out";

    /// <summary>training.disp_freq.</summary>
    public int DispFreq { get; init; } = 1000;

    /// <summary>training.save_freq.</summary>
    public int SaveFreq { get; init; } = 1000;

    /// <summary>training.save_ckpt: prefix of the checkpoint files (<c>PREFIX-STEP.ckpt</c>).</summary>
    public string SaveCkpt { get; init; } = "model.ckpt";

    /// <summary>training.max_ckpt_keep: how many checkpoint files are kept (the newest).</summary>
    public int MaxCkptKeep { get; init; } = 5;

    /// <summary>Reads and validates <paramref name="path"/>.</summary>
    public static TrainingInput Load(string path)
    {
        if (!File.Exists(path)) throw new UserInputException("input file not found", path);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new UserInputException($"not valid JSON: {ex.Message}", path, (int?)(ex.LineNumber + 1));
        }
        using (doc)
            return Parse(new JsonSection(doc.RootElement, path, ""), doc.RootElement);
    }

    private static TrainingInput Parse(JsonSection root, JsonElement rootElement)
    {
        root.AllowOnly("model", "learning_rate", "loss", "training");
        var m = root.Section("model")!;
        if (m.Raw("use_srtab") is not null)
            throw m.Error("use_srtab", "DP+ZBL training (use_srtab) is not supported by dpsharp train yet; train the DP model without it, then "
                + "'dpsharp combine MODEL --pair-table TABLE --zbl-switch SW_RMIN SW_RMAX -o OUT.dp' writes DeePMD-kit's zbl model (docs/zbl-and-linear-models.md)");
        m.AllowOnly("type_map", "descriptor", "fitting_net", "data_stat_nbatch", "data_stat_protect", "data_bias_nsample");
        var d = m.Section("descriptor")!;
        Dpa1Config? dpa1 = null;
        if (d.String("type") is "se_atten" or "dpa1" or "se_atten_v2")
        {
            dpa1 = ParseDpa1(m, d, rootElement);
            d = null;
        }
        else d.AllowOnly("type", "sel", "rcut", "rcut_smth", "neuron", "axis_neuron", "resnet_dt", "type_one_side", "precision", "seed",
            "activation_function", "set_davg_zero", "trainable", "exclude_types", "env_protection");
        SeAModelConfig model;
        if (dpa1 is not null)
            model = new SeAModelConfig
            {
                TypeMap = dpa1.TypeMap, Sel = dpa1.Nsel == 0 ? [] : [dpa1.Nsel], Rcut = dpa1.Rcut, RcutSmooth = dpa1.RcutSmooth,
                DataStatNBatch = dpa1.DataStatNBatch, DataStatProtect = dpa1.DataStatProtect, Seed = dpa1.Seed,
            };
        else model = ParseSeA(m, d!, rootElement);
        return ParseRest(root, model, dpa1);
    }

    private static SeAModelConfig ParseSeA(JsonSection m, JsonSection d, JsonElement rootElement)
    {
        var dtype = d.String("type");
        if (dtype is not ("se_e2_a" or "se_a" or "se_e2_r" or "se_r"))
            throw d.Error("type", $"descriptor '{dtype}' is not supported by dpsharp train; supported: se_e2_a (se_a), se_e2_r (se_r), se_atten (dpa1), se_atten_v2");
        var radial = dtype is "se_e2_r" or "se_r";
        if (radial && d.Raw("axis_neuron") is not null) throw d.Error("axis_neuron", "is not a key of se_e2_r (it has no angular axis); remove it");
        CheckPrecision(d);
        if (d.Raw("exclude_types") is { } ex && ex.GetArrayLength() > 0) throw d.Error("exclude_types", "is not supported in training yet; remove it");
        if (d.Double("env_protection", 0) != 0) throw d.Error("env_protection", "only 0 is supported in training");
        var sel = d.Raw("sel") is { ValueKind: JsonValueKind.String } s
            ? (s.GetString()!.StartsWith("auto", StringComparison.Ordinal) ? [] : throw d.Error("sel", "must be a list of integers or \"auto\""))
            : d.Ints("sel");
        var f = m.Section("fitting_net")!;
        f.AllowOnly("type", "neuron", "resnet_dt", "precision", "seed", "activation_function", "trainable", "numb_fparam", "numb_aparam", "rcond");
        if (f.String("type", "ener") != "ener") throw f.Error("type", "only 'ener' fitting is supported");
        if (f.Int("numb_fparam", 0) != 0 || f.Int("numb_aparam", 0) != 0) throw f.Error("numb_fparam", "frame/atomic parameters are not supported in training yet");
        CheckPrecision(f);
        var typeMap = m.Strings("type_map");
        var model = new SeAModelConfig
        {
            TypeMap = typeMap,
            Sel = sel,
            Rcut = d.Double("rcut", 6.0),
            RcutSmooth = d.Double("rcut_smth", 0.5),
            Neuron = d.Ints("neuron", [10, 20, 40]),
            AxisNeuron = radial ? 4 : d.Int("axis_neuron", 4),
            DescriptorType = radial ? "se_e2_r" : "se_e2_a",
            TypeOneSide = d.Bool("type_one_side", false),
            DescriptorResnetDt = d.Bool("resnet_dt", false),
            DescriptorActivation = d.String("activation_function", "tanh"),
            SetDavgZero = d.Bool("set_davg_zero", false),
            FittingNeuron = f.Ints("neuron", [120, 120, 120]),
            FittingResnetDt = f.Bool("resnet_dt", true),
            FittingActivation = f.String("activation_function", "tanh"),
            DataStatNBatch = m.Int("data_stat_nbatch", 10),
            DataStatProtect = m.Double("data_stat_protect", 1e-2),
            Seed = d.Raw("seed") is not null ? d.Int("seed") : 1,
            DefinitionJson = rootElement.GetProperty("model").GetRawText(),
        };
        if (sel.Length != 0 && sel.Length != typeMap.Length) throw d.Error("sel", $"has {sel.Length} entries but type_map has {typeMap.Length}");
        if (model.Rcut <= model.RcutSmooth) throw d.Error("rcut", "must be larger than rcut_smth");
        if (!radial && (model.AxisNeuron < 1 || model.AxisNeuron > model.Neuron[^1])) throw d.Error("axis_neuron", $"must be in 1..{model.Neuron[^1]}");
        return model;
    }

    private static readonly string[] Dpa1Keys =
    [
        "type", "sel", "rcut", "rcut_smth", "neuron", "axis_neuron", "tebd_dim", "tebd_input_mode", "resnet_dt", "type_one_side",
        "precision", "seed", "activation_function", "set_davg_zero", "trainable", "exclude_types", "env_protection", "attn",
        "attn_layer", "attn_dotr", "attn_mask", "scaling_factor", "normalize", "temperature", "smooth_type_embedding",
        "trainable_ln", "ln_eps", "concat_output_tebd", "use_econf_tebd", "use_tebd_bias", "stripped_type_embedding",
    ];

    /// <summary>The se_atten / se_atten_v2 descriptor with DeePMD-kit's argcheck defaults, and the fitting net.</summary>
    private static Dpa1Config ParseDpa1(JsonSection m, JsonSection d, JsonElement rootElement)
    {
        var v2 = d.String("type") == "se_atten_v2";
        // se_atten_v2 fixes the mode and the smoothing; DeePMD-kit's argcheck does not accept these keys for it.
        d.AllowOnly(v2 ? Dpa1Keys.Where(k => k is not ("tebd_input_mode" or "smooth_type_embedding" or "stripped_type_embedding")).ToArray() : Dpa1Keys);
        CheckPrecision(d);
        if (d.Raw("exclude_types") is { } ex && ex.GetArrayLength() > 0) throw d.Error("exclude_types", "is not supported in training yet; remove it");
        if (d.Double("env_protection", 0) != 0) throw d.Error("env_protection", "only 0 is supported in training");
        if (d.Bool("attn_mask", false)) throw d.Error("attn_mask", "true is not supported (DeePMD-kit does not implement it either)");
        if (d.Bool("use_econf_tebd", false)) throw d.Error("use_econf_tebd", "is not supported in training (the element table inputs are not stored in model files)");
        int nsel;
        if (d.Raw("sel") is not { } selNode) nsel = 0;
        else if (selNode.ValueKind == JsonValueKind.String)
            nsel = selNode.GetString()!.StartsWith("auto", StringComparison.Ordinal) ? 0 : throw d.Error("sel", "must be an integer, a list of integers or \"auto\"");
        else if (selNode.ValueKind == JsonValueKind.Number) nsel = d.Int("sel");
        else nsel = d.Ints("sel").Sum();
        var mode = v2 ? "strip" : d.String("tebd_input_mode", "concat");
        if (!v2 && d.Raw("stripped_type_embedding") is { } st && st.ValueKind is JsonValueKind.True or JsonValueKind.False)
            mode = st.GetBoolean() ? "strip" : "concat";
        if (mode is not ("concat" or "strip")) throw d.Error("tebd_input_mode", $"'{mode}' is not valid; use concat or strip");
        var f = m.Section("fitting_net")!;
        f.AllowOnly("type", "neuron", "resnet_dt", "precision", "seed", "activation_function", "trainable", "numb_fparam", "numb_aparam", "rcond");
        if (f.String("type", "ener") != "ener") throw f.Error("type", "only 'ener' fitting is supported");
        if (f.Int("numb_fparam", 0) != 0 || f.Int("numb_aparam", 0) != 0) throw f.Error("numb_fparam", "frame/atomic parameters are not supported in training yet");
        CheckPrecision(f);
        var c = new Dpa1Config
        {
            TypeMap = m.Strings("type_map"),
            DescriptorType = v2 ? "se_atten_v2" : "se_atten",
            Nsel = nsel,
            Rcut = d.Double("rcut", 6.0),
            RcutSmooth = d.Double("rcut_smth", 0.5),
            Neuron = d.Ints("neuron", [10, 20, 40]),
            AxisNeuron = d.Int("axis_neuron", 4),
            TebdDim = d.Int("tebd_dim", 8),
            Strip = mode == "strip",
            TypeOneSide = d.Bool("type_one_side", false),
            ResnetDt = d.Bool("resnet_dt", false),
            Activation = d.String("activation_function", "tanh"),
            Attn = d.Int("attn", 128),
            AttnLayer = d.Int("attn_layer", 2),
            AttnDotr = d.Bool("attn_dotr", true),
            ScalingFactor = d.Double("scaling_factor", 1.0),
            Normalize = d.Bool("normalize", true),
            Temperature = d.Has("temperature") ? d.Double("temperature") : null,
            Smooth = v2 || d.Bool("smooth_type_embedding", false),
            LnEps = d.Has("ln_eps") ? d.Double("ln_eps") : 1e-5,
            TrainableLn = d.Bool("trainable_ln", true),
            ConcatOutputTebd = d.Bool("concat_output_tebd", true),
            UseTebdBias = d.Bool("use_tebd_bias", false),
            SetDavgZero = d.Bool("set_davg_zero", !v2),
            DescriptorTrainable = d.Bool("trainable", true),
            FittingNeuron = f.Ints("neuron", [120, 120, 120]),
            FittingResnetDt = f.Bool("resnet_dt", true),
            FittingActivation = f.String("activation_function", "tanh"),
            DataStatNBatch = m.Int("data_stat_nbatch", 10),
            DataStatProtect = m.Double("data_stat_protect", 1e-2),
            Seed = d.Raw("seed") is not null ? d.Int("seed") : 1,
            DefinitionJson = rootElement.GetProperty("model").GetRawText(),
        };
        if (c.Rcut <= c.RcutSmooth) throw d.Error("rcut", "must be larger than rcut_smth");
        if (c.Neuron.Length == 0 || c.Neuron.Any(x => x < 1)) throw d.Error("neuron", "must be a non-empty list of positive widths");
        if (c.AxisNeuron < 1 || c.AxisNeuron > c.Neuron[^1]) throw d.Error("axis_neuron", $"must be in 1..{c.Neuron[^1]}");
        if (c.TebdDim < 1) throw d.Error("tebd_dim", "must be at least 1");
        if (c.Attn < 1) throw d.Error("attn", "must be at least 1");
        if (c.AttnLayer < 0) throw d.Error("attn_layer", "must be 0 or more");
        if (nsel < 0) throw d.Error("sel", "must be positive");
        string[] acts = ["tanh", "relu", "relu6", "softplus", "sigmoid", "silu", "gelu", "gelu_tf", "linear", "none"];
        if (!acts.Contains(c.Activation.ToLowerInvariant())) throw d.Error("activation_function", $"'{c.Activation}' is not supported; use one of {string.Join(", ", acts)}");
        if (!acts.Contains(c.FittingActivation.ToLowerInvariant())) throw f.Error("activation_function", $"'{c.FittingActivation}' is not supported; use one of {string.Join(", ", acts)}");
        return c;
    }

    private static TrainingInput ParseRest(JsonSection root, SeAModelConfig model, Dpa1Config? dpa1)
    {
        var lr = root.Section("learning_rate")!;
        lr.AllowOnly("type", "start_lr", "stop_lr", "decay_steps", "decay_rate", "scale_by_worker", "smooth");
        if (lr.String("type", "exp") != "exp") throw lr.Error("type", "only 'exp' is supported");
        var loss = root.Section("loss")!;
        loss.AllowOnly("type", "start_pref_e", "limit_pref_e", "start_pref_f", "limit_pref_f", "start_pref_v", "limit_pref_v");
        if (loss.String("type", "ener") != "ener") throw loss.Error("type", "only 'ener' is supported");
        var t = root.Section("training")!;
        t.AllowOnly("training_data", "validation_data", "numb_steps", "seed", "disp_file", "disp_freq", "save_freq", "save_ckpt",
            "disp_training", "time_training", "profiling", "tensorboard", "max_ckpt_keep");
        var td = t.Section("training_data")!;
        td.AllowOnly("systems", "batch_size", "auto_prob", "set_prefix");
        if (td.String("auto_prob", "prob_sys_size") != "prob_sys_size") throw td.Error("auto_prob", "only 'prob_sys_size' is supported");
        var vd = t.Section("validation_data", optional: true);
        vd?.AllowOnly("systems", "batch_size", "numb_btch", "auto_prob", "set_prefix");
        return new TrainingInput
        {
            Model = model,
            Dpa1 = dpa1,
            Loss = new EnergyLoss
            {
                StartPrefE = loss.Double("start_pref_e", 0.02), LimitPrefE = loss.Double("limit_pref_e", 1),
                StartPrefF = loss.Double("start_pref_f", 1000), LimitPrefF = loss.Double("limit_pref_f", 1),
                StartPrefV = loss.Double("start_pref_v", 0), LimitPrefV = loss.Double("limit_pref_v", 0),
            },
            StartLr = lr.Double("start_lr", 1e-3),
            StopLr = lr.Double("stop_lr", 1e-8),
            DecaySteps = lr.Int("decay_steps", 5000),
            DecayRate = lr.Has("decay_rate") ? lr.Double("decay_rate") : null,
            SmoothLr = lr.Bool("smooth", false),
            TrainingData = Data(td),
            ValidationData = vd is null ? null : Data(vd),
            NumbSteps = t.Int("numb_steps"),
            Seed = t.Int("seed", 1),
            DispFile = t.String("disp_file", "lcurve.out"),
            DispFreq = Math.Max(1, t.Int("disp_freq", 1000)),
            SaveFreq = t.Int("save_freq", 1000),
            SaveCkpt = t.String("save_ckpt", "model.ckpt"),
            MaxCkptKeep = Math.Max(1, t.Int("max_ckpt_keep", 5)),
        };
    }

    private static void CheckPrecision(JsonSection s)
    {
        var p = s.String("precision", "float64");
        if (p is not ("float64" or "default")) throw s.Error("precision", $"'{p}' is not supported in training; use float64");
    }

    private static DataSection Data(JsonSection s)
    {
        var systems = s.Strings("systems");
        string[] batch;
        if (s.Raw("batch_size") is not { } b) batch = ["auto"];
        else if (b.ValueKind == JsonValueKind.String) batch = [b.GetString()!];
        else if (b.ValueKind == JsonValueKind.Number) batch = [b.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture)];
        else if (b.ValueKind == JsonValueKind.Array)
        {
            batch = b.EnumerateArray().Select(x => x.ToString()).ToArray();
            if (batch.Length != systems.Length) throw s.Error("batch_size", $"has {batch.Length} entries for {systems.Length} systems");
        }
        else throw s.Error("batch_size", "must be an integer, a list of integers, or a string like \"auto\"");
        return new DataSection(systems, batch, s.Int("numb_btch", 1));
    }
}
