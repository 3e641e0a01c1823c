namespace DeepMD.Sharp.Input.Commands;

/// <summary><c>atom_style atomic</c> (the only style the engine needs for DeePMD and the classical pair styles).</summary>
[DeckCommand("atom_style")]
public sealed class AtomStyleCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(1, "atomic");
        if (args[0] is not ("atomic" or "charge")) throw args.Error($"atom style '{args[0]}' is not supported; use atomic");
    }
}
