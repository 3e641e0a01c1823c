namespace DeepMD.Sharp.Input.Commands;

/// <summary><c>undump ID</c>.</summary>
[DeckCommand("undump")]
public sealed class UndumpCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireExactly(1, "ID");
        if (context.H5mdDumps.Remove(args[0], out var h))
        {
            context.Simulation.Observers.Remove(h);
            h.Write();
            return;
        }
        if (!context.Dumps.Remove(args[0], out var d)) throw args.Error($"no dump with id '{args[0]}'");
        context.Simulation.Observers.Remove(d);
        d.Dispose();
    }
}
