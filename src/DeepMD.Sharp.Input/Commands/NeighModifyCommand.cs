namespace DeepMD.Sharp.Input.Commands;

/// <summary>
/// <c>neigh_modify every N delay N check yes|no [page ...] [one ...] [exclude type M N | group G1 G2 | none]</c>:
/// exclusions leave pairs out of the neighbor list as LAMMPS does (types and groups as they are when the list is built;
/// half-list pair styles on one process).
/// </summary>
[DeckCommand("neigh_modify")]
public sealed class NeighModifyCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        for (var k = 0; k < args.Count; k += 2)
        {
            if (k + 1 >= args.Count)
                throw args[k] == "exclude" ? new Core.Errors.UserInputException("Illegal neigh_modify command") : args.Error($"keyword '{args[k]}' needs a value");
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
                case "exclude":
                    switch (args[k + 1])
                    {
                        case "type":
                            if (k + 4 > args.Count) throw new Core.Errors.UserInputException("Illegal neigh_modify command");
                            context.NeighborExclusions.Add(("type", args.Int(k + 2, "type"), args.Int(k + 3, "type"), "", ""));
                            k += 2;
                            break;
                        case "group":
                            if (k + 4 > args.Count) throw new Core.Errors.UserInputException("Illegal neigh_modify command");
                            if (!context.Groups.ContainsKey(args[k + 2]) || !context.Groups.ContainsKey(args[k + 3]))
                                throw new Core.Errors.UserInputException("Invalid group ID in neigh_modify command");
                            context.NeighborExclusions.Add(("group", 0, 0, args[k + 2], args[k + 3]));
                            k += 2;
                            break;
                        case "molecule/inter" or "molecule/intra":
                            throw new Core.Errors.UserInputException("Neigh_modify exclude molecule requires atom attribute molecule");
                        case "none":
                            context.NeighborExclusions.Clear();
                            break;
                        default:
                            throw new Core.Errors.UserInputException("Illegal neigh_modify command");
                    }
                    context.ApplyNeighborExclusions();
                    break;
                default: throw args.UnknownKeyword(args[k], ["every", "delay", "check", "page", "one", "binsize", "exclude"]);
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
