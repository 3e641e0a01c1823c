namespace DeepMD.Sharp.Input.Commands;

/// <summary><c>uncompute ID</c>: deletes a compute.</summary>
[DeckCommand("uncompute")]
public sealed class UncomputeCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireExactly(1, "ID");
        var sim = context.Simulation;
        if (sim.Computes.RemoveAll(c => c.Id == args[0]) == 0)
            throw args.Error($"Could not find uncompute ID '{args[0]}' (defined: {string.Join(" ", sim.Computes.Select(c => c.Id))})");
    }
}
