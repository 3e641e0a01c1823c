namespace DeepMD.Sharp.Input.Commands;

/// <summary><c>neigh_modify every N delay N check yes|no [once yes|no] [page ...] [one ...]</c>.</summary>
[DeckCommand("neigh_modify")]
public sealed class NeighModifyCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        for (var k = 0; k < args.Count; k += 2)
        {
            if (k + 1 >= args.Count) throw args.Error($"keyword '{args[k]}' needs a value");
            switch (args[k])
            {
                case "every":
                    context.NeighborEvery = args.Int(k + 1, "every");
                    if (context.NeighborEvery < 1) throw args.Error("every must be at least 1");
                    break;
                case "delay":
                    context.NeighborDelay = args.Int(k + 1, "delay");
                    if (context.NeighborDelay < 0) throw args.Error("delay must not be negative");
                    break;
                case "check": context.NeighborCheck = args.YesNo(k + 1, "check"); break;
                case "page" or "one" or "binsize" or "cluster": break; // sizes of LAMMPS' pages: our lists grow as needed
                default: throw args.UnknownKeyword(args[k], ["every", "delay", "check", "page", "one", "binsize"]);
            }
        }
        if (context.HasSimulation)
        {
            var n = context.Simulation.Neighbor;
            n.Every = context.NeighborEvery;
            n.Delay = context.NeighborDelay;
            n.Check = context.NeighborCheck;
        }
    }
}
