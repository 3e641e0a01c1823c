namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Core.Potentials;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Potentials;

/// <summary>
/// <c>pair_style deepmd MODEL [MODEL2 ...] [out_freq N] [out_file F] [atomic] [relative ν] [relative_v ν]</c>;
/// <c>pair_coeff * * El1 El2 ...</c> names the element of each atom type (without it, the model's type map order is
/// used). Model paths are relative to the deck. Needs <c>units metal</c>. The first model gives energies and forces;
/// with two or more models, every <c>out_freq</c> steps (default 100; 0 = never) all are evaluated and the deviation
/// is written to <c>out_file</c> (default model_devi.out) in the DeePMD-kit plugin's layout (<see cref="ModelDeviationLog"/>).
/// </summary>
[PairStyle("deepmd")]
public sealed class DeepmdPairStyle : IPairStyle
{
    private readonly List<string> _models = [];
    private string[]? _elements;
    private int _outFreq = 100;
    private string _outFile = "model_devi.out";
    private bool _atomic;
    private double? _relative, _relativeV;

    public void Configure(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(1, "MODEL [MODEL2 ...] [out_freq N] [out_file F] [atomic] [relative V] [relative_v V]");
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
        foreach (var m in _models)
            if (!File.Exists(m)) throw args.Error($"model file '{m}' does not exist");
    }

    public void Coeff(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(2, "* * [El1 El2 ...]");
        if (args[0] != "*" || args[1] != "*") throw args.Error("deepmd needs 'pair_coeff * * El1 El2 ...'");
        var n = context.Simulation.TypeCount;
        if (args.Count == 2) return;
        if (args.Count - 2 != n) throw args.Error($"names {args.Count - 2} elements but there are {n} atom types; give one element per type");
        _elements = args.Words.Skip(2).ToArray();
        context.Elements = _elements;
        foreach (var d in context.Dumps.Values) d.Elements ??= _elements;
    }

    public IPotential Build(DeckContext context)
    {
        if (context.Units.Name != "metal")
            throw new Core.Errors.UserInputException($"pair_style deepmd needs 'units metal' (the deck uses units {context.Units.Name})");
        var model = ModelLoader.Load(_models[0]);
        var n = context.Simulation.TypeCount;
        var elements = _elements ?? model.TypeMap.Names.Take(n).ToArray();
        if (elements.Length < n)
            throw new Core.Errors.UserInputException($"the model's type map [{string.Join(" ", model.TypeMap.Names)}] has fewer species than the {n} atom types; name them with pair_coeff * * El1 El2 ...");
        context.Elements ??= elements;
        // The fastest backend supporting the model (or DPSHARP_BACKEND's); the log says which and why.
        var evaluator = context.Backends.Create(model, null, out var reason);
        context.Out.WriteLine($"deepmd: {Path.GetFileName(_models[0])} ({model.Descriptor.TypeName}, rcut {model.Cutoff.ToString(System.Globalization.CultureInfo.InvariantCulture)} Å), backend {reason}");
        if (_models.Count == 1 || _outFreq == 0) return new DeepPotential(evaluator, elements);
        var others = new List<Models.Evaluation.IModelEvaluator>();
        foreach (var path in _models.Skip(1))
        {
            var m = ModelLoader.Load(path);
            if (!m.TypeMap.Names.SequenceEqual(model.TypeMap.Names))
                throw new Core.Errors.UserInputException($"pair_style deepmd: models disagree on type_map: {Path.GetFileName(_models[0])} has [{string.Join(" ", model.TypeMap.Names)}], {Path.GetFileName(path)} has [{string.Join(" ", m.TypeMap.Names)}]");
            others.Add(context.Backends.Create(m, null, out var why));
            context.Out.WriteLine($"deepmd: {Path.GetFileName(path)} ({m.Descriptor.TypeName}) for model deviation, backend {why}");
        }
        var log = new ModelDeviationLog(others, _outFreq, context.OutputPath(_outFile), _atomic, _relative, _relativeV);
        context.Out.WriteLine($"deepmd: model deviation of {_models.Count} models every {_outFreq} steps to {_outFile}");
        return new DeepPotential(evaluator, elements) { Deviation = log };
    }
}
