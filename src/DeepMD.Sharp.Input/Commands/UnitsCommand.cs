namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Dynamics.Units;

/// <summary><c>units lj|real|metal|si|cgs|electron|micro|nano</c>: must come before the box exists.</summary>
[DeckCommand("units")]
public sealed class UnitsCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireExactly(1, "lj|real|metal|si|cgs|electron|micro|nano");
        if (context.HasSimulation) throw args.Error("must be used before the box is created");
        if (!UnitSystem.Names.Contains(args[0])) throw args.UnknownKeyword(args[0], UnitSystem.Names);
        context.Units = UnitSystem.FromName(args[0]);
    }
}
