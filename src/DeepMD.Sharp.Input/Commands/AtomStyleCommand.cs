namespace DeepMD.Sharp.Input.Commands;

/// <summary><c>atom_style atomic|charge</c> (charge: per-atom charges read from and written to data files, used by the coulomb pair styles).</summary>
[DeckCommand("atom_style")]
public sealed class AtomStyleCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(1, "atomic");
        if (args[0] is not ("atomic" or "charge")) throw args.Error($"atom style '{args[0]}' is not supported; use atomic or charge");
        if (context.HasSimulation) throw args.Error("Atom_style command after simulation box is defined");
        context.AtomStyle = args[0];
    }
}
