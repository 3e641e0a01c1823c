namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Core.Potentials;
using DeepMD.Sharp.Cpu;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Potentials;

/// <summary>
/// <c>pair_style deepmd MODEL [MODEL2 ...] [out_freq N] [out_file F]</c>; <c>pair_coeff * * El1 El2 ...</c> names
/// the element of each atom type (without it, the model's type map order is used). The model path is relative to
/// the deck. Needs <c>units metal</c>. Only the first model is used for forces; model deviation output is not
/// written yet.
/// </summary>
[PairStyle("deepmd")]
public sealed class DeepmdPairStyle : IPairStyle
{
    private readonly List<string> _models = [];
    private string[]? _elements;

    public void Configure(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(1, "MODEL [MODEL2 ...] [out_freq N] [out_file F]");
        for (var k = 0; k < args.Count; k++)
        {
            switch (args[k])
            {
                case "out_freq" or "out_file" or "fparam" or "aparam" or "ttm" or "relative" or "relative_v":
                    if (args[k] is "out_freq" or "out_file") { k++; break; }
                    throw args.Error($"keyword '{args[k]}' is not supported yet");
                case "atomic" or "virtual":
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
        var evaluator = BackendSelector.Create(model, null, out var reason);
        context.Out.WriteLine($"deepmd: {Path.GetFileName(_models[0])} ({model.Descriptor.TypeName}, rcut {model.Cutoff.ToString(System.Globalization.CultureInfo.InvariantCulture)} Å), backend {reason}");
        return new DeepPotential(evaluator, elements);
    }
}
