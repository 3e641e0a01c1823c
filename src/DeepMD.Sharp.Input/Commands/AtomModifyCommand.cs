namespace DeepMD.Sharp.Input.Commands;

/// <summary>
/// <c>atom_modify sort N BINSIZE</c>: how often (0 = never) and with which bin size (0 = half the neighbor cutoff)
/// LAMMPS would sort its atoms spatially; dpsharp follows that order where it matters (fix langevin's random numbers),
/// see <see cref="Dynamics.Atoms.StorageOrder"/>. <c>map</c> and <c>id</c> are accepted when they ask for the default; <c>first GROUP</c> (a storage order for speed) is accepted.
/// </summary>
[DeckCommand("atom_modify")]
public sealed class AtomModifyCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(2, "sort N BINSIZE | id yes | map array|hash|yes");
        for (var k = 0; k < args.Count; k++)
        {
            switch (args[k])
            {
                case "sort":
                    var every = args.Int(k + 1, "sort interval");
                    var bin = args.Double(k + 2, "sort bin size");
                    if (every < 0) throw args.Error($"the sort interval must be 0 or positive, got {every}");
                    if (bin < 0) throw args.Error($"the sort bin size must be 0 or positive, got {bin}");
                    context.SortEvery = every;
                    context.SortBinSize = bin;
                    if (context.HasSimulation)
                    {
                        context.Simulation.StorageOrder.Every = every;
                        context.Simulation.StorageOrder.BinSize = bin;
                    }
                    k += 2;
                    break;
                case "first":
                    // Puts a group's atoms first in storage for speed; results do not depend on it.
                    if (k + 1 >= args.Count) throw args.Error("first needs a group name");
                    k++;
                    break;
                case "id" when args[k + 1] == "yes":
                case "map" when args[k + 1] is "array" or "hash" or "yes":
                    k++;
                    break;
                default:
                    throw args.UnknownKeyword(args[k], ["sort", "id yes", "map array|hash|yes"]);
            }
        }
    }
}
