namespace DeepMD.Sharp.Input.Commands;

/// <summary><c>unfix ID</c>.</summary>
[DeckCommand("unfix")]
public sealed class UnfixCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireExactly(1, "ID");
        var sim = context.Simulation;
        var removed = sim.Fixes.Where(f => f.Id == args[0]).ToList();
        if (removed.Count == 0) throw args.Error($"no fix with id '{args[0]}'");
        sim.Fixes.RemoveAll(removed.Contains);
        foreach (var f in removed) (f as IDisposable)?.Dispose();
    }
}
