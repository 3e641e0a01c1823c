namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Potentials;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Coverage;
using DeepMD.Sharp.Models.Potentials;

/// <summary>
/// <c>pair_style deepmd MODEL [MODEL2 ...] [out_freq N] [out_file F] [atomic] [relative ν] [relative_v ν]</c>;
/// <c>pair_coeff * * El1 El2 ...</c> names the element of each atom type (without it, the model's type map order is
/// used). Model paths are relative to the deck. Needs <c>units metal</c>. The first model gives energies and forces;
/// with two or more models, every <c>out_freq</c> steps (default 100; 0 = never) all are evaluated and the deviation
/// is written to <c>out_file</c> (default model_devi.out) in the DeePMD-kit plugin's layout (<see cref="ModelDeviationLog"/>).
/// As in LAMMPS' plugin, every model is loaded and validated at the <c>pair_style</c> line, and <c>pair_coeff</c> checks
/// the element names against every model's type map, so such errors name those deck lines; the run builds the
/// potential (and picks the backend) from the models loaded here.
/// <para>
/// The extrapolation guard (docs/guard.md): <c>guard warn|stop|off</c> (default warn), <c>guard_margin Å</c> (a pair
/// closer than its types' training minimum minus this is flagged; default 0.05), <c>guard_desc_margin F</c> (a descriptor
/// component outside its training range widened by F times the range on each side is flagged; default 0.25),
/// <c>guard_every N</c> (at most one warning per N steps, default 100) and <c>guard_devi F</c> (an ensemble's max force
/// deviation above F eV/Å is flagged, on the out_freq steps).
/// </para>
/// </summary>
[PairStyle("deepmd")]
public sealed class DeepmdPairStyle : IPairStyle
{
    private readonly List<string> _models = [];
    private readonly List<DeepPotModel> _loaded = [];
    private string[]? _elements;
    private int _outFreq = 100;
    private string _outFile = "model_devi.out";
    private bool _atomic;
    private double? _relative, _relativeV;
    private GuardSettings _guard = new();

    /// <summary>The extrapolation guard's settings of the pair_style line.</summary>
    public GuardSettings GuardSettings => _guard;

    /// <summary>The models of the pair_style line, in order, loaded there (the first gives energies and forces).</summary>
    public IReadOnlyList<DeepPotModel> Models => _loaded;

    /// <summary>Whether the other models are evaluated (model deviation), which needs one type map for all.</summary>
    private bool LogsDeviation => _loaded.Count > 1 && _outFreq != 0;

    public void Configure(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(1, Usage);
        for (var k = 0; k < args.Count; k++)
        {
            switch (args[k])
            {
                case "out_freq":
                    _outFreq = args.Int(++k, "out_freq");
                    if (_outFreq < 0) throw args.Error($"out_freq must be 0 or positive, got {_outFreq}");
                    break;
                case "out_file":
                    _outFile = args[++k];
                    break;
                case "relative":
                    _relative = args.Double(++k, "relative (the ν added to |F| in eV/Å)");
                    break;
                case "relative_v":
                    _relativeV = args.Double(++k, "relative_v (the ν added to |W/N| in eV)");
                    break;
                case "atomic":
                    _atomic = true;
                    break;
                case "guard":
                    if (k + 1 >= args.Count) throw args.Error("guard needs warn, stop or off");
                    _guard = _guard with
                    {
                        Mode = args[++k] switch
                        {
                            "warn" => GuardMode.Warn,
                            "stop" => GuardMode.Stop,
                            "off" => GuardMode.Off,
                            var other => throw args.Error($"guard must be warn, stop or off, got '{other}'"),
                        },
                    };
                    break;
                case "guard_margin":
                    _guard = _guard with { DistanceMargin = args.Double(++k, "guard_margin (Å below the training minimum distance)") };
                    if (_guard.DistanceMargin < 0) throw args.Error("guard_margin must be 0 or positive (Å)");
                    break;
                case "guard_volume_margin":
                    _guard = _guard with { VolumeMargin = args.Double(++k, "guard_volume_margin (fraction of the training volume per atom)") };
                    if (_guard.VolumeMargin < 0) throw args.Error("guard_volume_margin must be 0 or positive (a fraction of the training volume per atom)");
                    break;
                case "guard_volume_window":
                    _guard = _guard with { VolumeWindow = args.Int(++k, "guard_volume_window (evaluations per block of the volume average)") };
                    if (_guard.VolumeWindow < 1) throw args.Error("guard_volume_window must be at least 1 (evaluations per block of the volume average)");
                    break;
                case "guard_desc_margin":
                    _guard = _guard with { DescriptorMargin = args.Double(++k, "guard_desc_margin (fraction of the training range)") };
                    if (_guard.DescriptorMargin < 0) throw args.Error("guard_desc_margin must be 0 or positive (a fraction of each component's training range)");
                    break;
                case "guard_every":
                    _guard = _guard with { Every = args.Int(++k, "guard_every") };
                    if (_guard.Every < 1) throw args.Error($"guard_every must be positive, got {_guard.Every}");
                    break;
                case "guard_devi":
                    _guard = _guard with { ForceDeviation = args.Double(++k, "guard_devi (max force deviation, eV/Å)") };
                    if (_guard.ForceDeviation <= 0) throw args.Error("guard_devi must be positive (eV/Å)");
                    break;
                case "fparam" or "aparam" or "ttm" or "fparam_from_compute" or "fparam_from_fix" or "aparam_from_compute" or "charge_spin":
                    throw args.Error($"keyword '{args[k]}' is not supported yet");
                case "virtual":
                    break;
                default:
                    _models.Add(context.InputPath(args[k]));
                    break;
            }
        }
        if (_models.Count == 0) throw args.Error("needs a model file");
        if (_guard.ForceDeviation is not null && (_models.Count < 2 || _outFreq == 0))
            throw args.Error("guard_devi needs two or more models and out_freq > 0 (the deviation is computed on the out_freq steps)");
        foreach (var m in _models)
            if (!File.Exists(m)) throw args.Error($"model file '{m}' does not exist");
        foreach (var m in _models) _loaded.Add(Load(args, m));
    }

    private const string Usage =
        "MODEL [MODEL2 ...] [out_freq N] [out_file F] [atomic] [relative V] [relative_v V] [guard warn|stop|off] [guard_margin Å] [guard_desc_margin F] [guard_volume_margin F] [guard_volume_window N] [guard_every N] [guard_devi F]";

    /// <summary>Loads one model, turning its problems into an error of this pair_style line that names the file.</summary>
    private static DeepPotModel Load(DeckArguments args, string path)
    {
        try
        {
            return ModelLoader.Load(path);
        }
        catch (UserInputException ex)
        {
            // The loader's message starts with the model file (and line) when it knows them.
            var what = ex.File is null ? $"{path}: {ex.Message}" : ex.Message;
            throw new UserInputException($"{args.Command}: cannot load the model {what}", inner: ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException($"{args.Command}: cannot read the model {path}: {ex.Message}", inner: ex);
        }
    }

    public void Coeff(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(2, "* * [El1 El2 ...]");
        if (args[0] != "*" || args[1] != "*") throw args.Error("deepmd needs 'pair_coeff * * El1 El2 ...'");
        var n = context.Simulation.TypeCount;
        if (args.Count == 2)
        {
            // Without names atom type t is the first model's t-th species (unless an earlier pair_coeff named them).
            if (_elements is not null) return;
            var names = _loaded[0].TypeMap.Names;
            if (names.Count < n) throw args.Error(FewerSpecies(n));
            CheckElements(args, names.Take(n).ToArray());
            return;
        }
        if (args.Count - 2 != n)
            throw args.Error($"Incorrect args for pair coefficients: names {args.Count - 2} elements but there are {n} atom types; give one element per type");
        var elements = args.Words.Skip(2).ToArray();
        CheckElements(args, elements);
        _elements = elements;
        context.Elements = _elements;
        foreach (var d in context.Dumps.Values) d.Elements ??= _elements;
    }

    /// <summary>Every element must be in every model's type map; models whose deviation is logged must share one type map.</summary>
    private void CheckElements(DeckArguments args, string[] elements)
    {
        for (var k = 0; k < _loaded.Count; k++)
        {
            var map = _loaded[k].TypeMap;
            for (var t = 0; t < elements.Length; t++)
                if (map.IndexOf(elements[t]) < 0)
                    throw args.Error($"element '{elements[t]}' (atom type {t + 1}) is not in the type map [{string.Join(", ", map.Names)}] of {Path.GetFileName(_models[k])}");
        }
        if (TypeMapDisagreement() is { } why) throw args.Error(why);
    }

    /// <summary>Why the ensemble cannot log deviations (a model with another type map), or null.</summary>
    private string? TypeMapDisagreement()
    {
        if (!LogsDeviation) return null;
        var first = _loaded[0].TypeMap.Names;
        for (var k = 1; k < _loaded.Count; k++)
            if (!_loaded[k].TypeMap.Names.SequenceEqual(first))
                return $"models disagree on type_map (model deviation needs one type map): {Path.GetFileName(_models[0])} has [{string.Join(" ", first)}], {Path.GetFileName(_models[k])} has [{string.Join(" ", _loaded[k].TypeMap.Names)}]";
        return null;
    }

    private string FewerSpecies(int n) =>
        $"the model's type map [{string.Join(" ", _loaded[0].TypeMap.Names)}] has fewer species than the {n} atom types; name them with pair_coeff * * El1 El2 ...";

    public IPotential Build(DeckContext context)
    {
        if (context.Units.Name != "metal")
            throw new UserInputException($"pair_style deepmd needs 'units metal' (the deck uses units {context.Units.Name})");
        // The models were loaded (and validated) at the pair_style line; they are not read again here.
        var model = _loaded[0];
        var n = context.Simulation.TypeCount;
        var elements = _elements ?? model.TypeMap.Names.Take(n).ToArray();
        if (elements.Length < n) throw new UserInputException(FewerSpecies(n));
        context.Elements ??= elements;
        // The fastest backend supporting the model (or DPSHARP_BACKEND's); the log says which and why.
        var evaluator = context.Backends.Create(model, null, out var reason);
        context.Out.WriteLine(DeepPotential.BackendLine(Path.GetFileName(_models[0]), model, reason));
        var guard = MakeGuard(context, model);
        if (!LogsDeviation) return new DeepPotential(evaluator, elements) { Guard = guard, Warn = context.Out.WriteLine };
        if (TypeMapDisagreement() is { } why) throw new UserInputException($"pair_style deepmd: {why}");
        var others = new List<Models.Evaluation.IModelEvaluator>();
        for (var k = 1; k < _loaded.Count; k++)
        {
            var m = _loaded[k];
            others.Add(context.Backends.Create(m, null, out var backend));
            context.Out.WriteLine($"deepmd: {Path.GetFileName(_models[k])} ({m.Descriptor.TypeName}) for model deviation, backend {backend}");
        }
        var log = new ModelDeviationLog(others, _outFreq, context.OutputPath(_outFile), _atomic, _relative, _relativeV, writes: context.IsRootRank);
        context.Out.WriteLine($"deepmd: model deviation of {_models.Count} models every {_outFreq} steps to {_outFile}");
        return new DeepPotential(evaluator, elements) { Deviation = log, Guard = guard, Warn = context.Out.WriteLine };
    }

    /// <summary>The extrapolation guard of the first model, saying once what it can check.</summary>
    private ExtrapolationGuard MakeGuard(DeckContext context, DeepPotModel model)
    {
        var g = new ExtrapolationGuard(model, _guard);
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        if (!g.Active)
        {
            context.Out.WriteLine("deepmd: extrapolation guard off");
            return g;
        }
        var checks = new List<string>();
        if (model.Coverage is { } c)
        {
            checks.Add(string.Create(ci, $"pair distances (training minima per type pair, margin {_guard.DistanceMargin:G4} Å)"));
            if (c.HasDescriptorRanges) checks.Add(string.Create(ci, $"descriptor ranges (margin {_guard.DescriptorMargin:G4} of each range)"));
        }
        else if (model.MinNeighborDistance is { } d) checks.Add(string.Create(ci, $"pair distances against min_nbor_dist {d:0.###} Å (margin {_guard.DistanceMargin:G4} Å)"));
        if (_guard.ForceDeviation is { } fd) checks.Add(string.Create(ci, $"max force deviation > {fd:G4} eV/Å every {_outFreq} steps"));
        var mode = _guard.Mode == GuardMode.Stop ? "stop" : $"warn, at most every {_guard.Every} steps";
        context.Out.WriteLine($"deepmd: extrapolation guard ({mode}): {(checks.Count > 0 ? string.Join(", ", checks) : "nothing to check")}");
        foreach (var note in g.Limitations) context.Out.WriteLine($"WARNING: extrapolation guard: {note}");
        return g;
    }
}
