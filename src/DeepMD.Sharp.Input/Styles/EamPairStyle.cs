namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Core.Potentials;
using DeepMD.Sharp.Dynamics.Potentials;
using DeepMD.Sharp.Input.Commands;

/// <summary><c>pair_style eam</c>; <c>pair_coeff I I FILE</c> with a DYNAMO funcfl file (also sets the mass of type I).</summary>
[PairStyle("eam")]
public sealed class EamPairStyle : IPairStyle
{
    private readonly List<EamFile.Funcfl> _files = [];
    private int[] _fileOfType = [];

    public void Configure(DeckContext context, DeckArguments args)
    {
        if (args.Count != 0) throw args.Error("eam takes no arguments");
    }

    public void Coeff(DeckContext context, DeckArguments args)
    {
        args.RequireExactly(3, "I J FILE");
        var sim = context.Simulation;
        if (_fileOfType.Length != sim.TypeCount) _fileOfType = Enumerable.Repeat(-1, sim.TypeCount).ToArray();
        var (ilo, ihi) = TypeRange.Parse(args, args[0], sim.TypeCount);
        var (jlo, jhi) = TypeRange.Parse(args, args[1], sim.TypeCount);
        var path = PotentialFiles.Resolve(context, args[2]);
        var index = _files.FindIndex(f => f.Path == path);
        if (index < 0)
        {
            _files.Add(EamFile.ReadFuncfl(path));
            index = _files.Count - 1;
        }
        var count = 0;
        for (var i = ilo; i <= ihi; i++)
            if (i >= jlo && i <= jhi)
            {
                _fileOfType[i - 1] = index;
                sim.SetMass(i - 1, _files[index].Mass);
                count++;
            }
        if (count == 0) throw args.Error("eam coefficients are per type: use 'pair_coeff I I FILE'");
    }

    public IPotential Build(DeckContext context)
    {
        var n = context.Simulation.TypeCount;
        if (_fileOfType.Length != n || _fileOfType.Any(f => f < 0))
            throw new Core.Errors.UserInputException("pair_style eam: every atom type needs 'pair_coeff I I FILE'");
        // Only files that some type uses take part, in the order they were read (as LAMMPS' active files).
        var used = _fileOfType.Distinct().Order().ToList();
        var files = used.Select(i => _files[i]).ToList();
        var element = _fileOfType.Select(f => used.IndexOf(f)).ToArray();
        return new EamPotential("eam", EamPotential.FromFuncfl(files), element);
    }
}
