namespace DeepMD.Sharp.Input.Commands;

/// <summary><c>unfix ID</c>.</summary>
[DeckCommand("unfix")]
public sealed class UnfixCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireExactly(1, "ID");
        var sim = context.Simulation;
        if (sim.Fixes.RemoveAll(f => f.Id == args[0]) == 0) throw args.Error($"no fix with id '{args[0]}'");
    }
}
