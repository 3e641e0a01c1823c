namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Core.Potentials;
using DeepMD.Sharp.Dynamics.Potentials;

/// <summary><c>pair_style eam/alloy</c>; <c>pair_coeff * * FILE El1 El2 ...</c> with a DYNAMO setfl file (sets the masses).</summary>
[PairStyle("eam/alloy")]
public sealed class EamAlloyPairStyle : IPairStyle
{
    private EamFile.Setfl? _file;
    private int[] _elementOfType = [];

    public void Configure(DeckContext context, DeckArguments args)
    {
        if (args.Count != 0) throw args.Error("eam/alloy takes no arguments");
    }

    public void Coeff(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(3, "* * FILE El1 El2 ...");
        if (args[0] != "*" || args[1] != "*") throw args.Error("eam/alloy needs 'pair_coeff * * FILE El1 El2 ...'");
        var sim = context.Simulation;
        if (args.Count - 3 != sim.TypeCount) throw args.Error($"names {args.Count - 3} elements but there are {sim.TypeCount} atom types");
        _file = EamFile.ReadSetfl(PotentialFiles.Resolve(context, args[2]));
        _elementOfType = new int[sim.TypeCount];
        for (var t = 0; t < sim.TypeCount; t++)
        {
            var el = args[3 + t];
            var e = Array.IndexOf(_file.Elements, el);
            if (e < 0) throw args.Error($"element '{el}' is not in {args[2]} (it has {string.Join(" ", _file.Elements)}); NULL (pair hybrid) is not supported");
            _elementOfType[t] = e;
            sim.SetMass(t, _file.Masses[e]);
        }
        context.Elements = args.Words.Skip(3).ToArray();
    }

    public IPotential Build(DeckContext context)
    {
        if (_file is null) throw new Core.Errors.UserInputException("pair_style eam/alloy needs 'pair_coeff * * FILE El1 El2 ...'");
        return new EamPotential("eam/alloy", EamPotential.FromSetfl(_file), _elementOfType);
    }
}
