namespace DeepMD.Sharp.Input.Commands;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;

/// <summary>
/// <c>comm_style brick|tiled</c>: how LAMMPS partitions space between processes. One process owns the whole box
/// either way, so both are accepted there; a run over several ranks uses bricks (the processor grid), so
/// <c>tiled</c> is refused with ranks.
/// </summary>
[DeckCommand("comm_style")]
public sealed class CommStyleCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        if (args.Count < 1) throw new UserInputException("Illegal comm_style command");
        switch (args[0])
        {
            case "brick":
                context.CommStyleTiled = false;
                break;
            case "tiled":
                if (context.Communicator is { Size: > 1 })
                    throw new UserInputException("comm_style tiled: a decomposed dpsharp run partitions space into a brick grid only; use comm_style brick (or run on one process)");
                context.CommStyleTiled = true;
                break;
            default:
                throw new UserInputException($"Illegal comm_style command: style '{args[0]}' (valid: brick tiled)");
        }
    }
}

/// <summary>
/// <c>run_style verlet</c>: LAMMPS' velocity-Verlet integrator, the one every dpsharp run uses. <c>respa</c> (multiple
/// time steps) is refused: its results differ from Verlet's.
/// </summary>
[DeckCommand("run_style")]
public sealed class RunStyleCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        if (args.Count < 1) throw new UserInputException("Illegal run_style command");
        switch (args[0])
        {
            case "verlet":
                if (args.Count > 1) throw new UserInputException("Illegal run_style command: verlet takes no arguments");
                break;
            case "respa" or "verlet/split" or "respa/omp" or "verlet/kk":
                throw new UserInputException($"run_style {args[0]} is not supported: dpsharp integrates with velocity Verlet only (run_style verlet)");
            default:
                throw new UserInputException($"Illegal integrate style: '{args[0]}' (dpsharp has verlet)");
        }
    }
}

/// <summary>
/// <c>balance thresh style args [weight ...] [out file]</c>: LAMMPS moves subdomain boundaries so processes hold equal
/// work. On one process there is nothing to balance (LAMMPS' result is the same box and atoms), so the command is
/// checked with LAMMPS' rules and its messages, and does nothing. With several ranks it is refused
/// (<see cref="Dynamics.Domains.DecomposedCommands"/> lists such commands).
/// </summary>
[DeckCommand("balance")]
public sealed class BalanceCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        if (!context.HasSimulation) throw new UserInputException("Balance command before simulation box is defined");
        if (args.Count < 2) throw new UserInputException("Illegal balance command");
        if (context.Communicator is { Size: > 1 })
            throw new UserInputException("balance: a decomposed dpsharp run keeps its uniform processor grid; remove the balance command");
        BalanceArguments.CheckThreshold(args[0], "balance");
        var k = 1;
        var style = "";
        while (k < args.Count)
        {
            var w = args[k];
            if (w is "x" or "y" or "z")
            {
                if (style is not ("" or "xyz")) throw new UserInputException("Illegal balance command");
                style = "xyz";
                if (k + 1 >= args.Count) throw new UserInputException("Illegal balance command");
                if (w == "z" && context.Simulation.Dimension == 2) throw new UserInputException("Cannot balance in z dimension for 2d simulation");
                // one process: uniform, or no split values (procgrid = 1 in each direction)
                k += args[k + 1] == "uniform" ? 2 : 1;
            }
            else if (w == "shift")
            {
                if (style != "") throw new UserInputException("Illegal balance command");
                if (k + 4 > args.Count) throw new UserInputException("Illegal balance command");
                style = "shift";
                BalanceArguments.CheckShift(args, k, context.Simulation.Dimension, "Illegal balance command", "Balance shift string is invalid");
                k += 4;
            }
            else if (w == "rcb")
            {
                if (style != "") throw new UserInputException("Illegal balance command");
                style = "rcb";
                k++;
            }
            else break;
        }
        if (style == "rcb" && !context.CommStyleTiled) throw new UserInputException("Balance rcb cannot be used with comm_style brick");
        var weights = BalanceArguments.CheckOptions(context, args, k);
        if (weights.Any) weights.Compute(context.Simulation); // LAMMPS' set_weights (stored with 'weight store')
        context.Out.WriteLine("Balancing ...");
        context.Out.WriteLine("  one process: nothing to balance (imbalance factor 1)");
    }
}

/// <summary>The argument checks <c>balance</c> and <c>fix balance</c> share (LAMMPS' Balance::options).</summary>
public static class BalanceArguments
{
    /// <summary>The imbalance threshold (any number; LAMMPS balances only above it).</summary>
    public static double CheckThreshold(string word, string command) =>
        double.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out var t) && double.IsFinite(t) ? t
        : throw new UserInputException($"Expected floating point parameter instead of '{word}' in input script or data file ({command} threshold)");

    /// <summary><c>shift DIMSTR Niter stopthresh</c> at <paramref name="k"/>.</summary>
    public static void CheckShift(DeckArguments args, int k, int dimension, string illegal, string invalidShift)
    {
        var dims = args[k + 1];
        if (!int.TryParse(args[k + 2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var niter) || niter <= 0) throw new UserInputException(illegal);
        if (!double.TryParse(args[k + 3], NumberStyles.Float, CultureInfo.InvariantCulture, out var stop) || stop < 1.0) throw new UserInputException(illegal);
        if (dims.Length > 3) throw new UserInputException(illegal);
        for (var i = 0; i < dims.Length; i++)
        {
            if (dims[i] is not ('x' or 'y' or 'z') || (dims[i] == 'z' && dimension == 2) || dims.IndexOf(dims[i], i + 1) >= 0)
                throw new UserInputException(invalidShift);
        }
    }

    /// <summary>The optional keywords from <paramref name="k"/> on: <c>weight group|time|neigh|var|store ...</c>, <c>old</c>, <c>out FILE</c>.</summary>
    public static BalanceWeights CheckOptions(DeckContext context, DeckArguments args, int k)
    {
        var weights = new BalanceWeights(context);
        while (k < args.Count)
        {
            switch (args[k])
            {
                case "weight":
                    if (k + 2 >= args.Count) throw new UserInputException("Illegal balance weight command");
                    switch (args[k + 1])
                    {
                        case "group":
                            if (!int.TryParse(args[k + 2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < 1 || k + 3 + 2 * n > args.Count)
                                throw new UserInputException("Illegal balance weight command");
                            var groups = new Dynamics.Groups.AtomGroup[n];
                            var factors = new double[n];
                            for (var g = 0; g < n; g++)
                            {
                                groups[g] = context.Group(args[k + 3 + 2 * g]);
                                if (!double.TryParse(args[k + 4 + 2 * g], NumberStyles.Float, CultureInfo.InvariantCulture, out factors[g]) || factors[g] <= 0.0)
                                    throw new UserInputException("Illegal balance weight command");
                            }
                            weights.AddGroups(groups, factors);
                            k += 3 + 2 * n;
                            break;
                        case "time" or "neigh":
                            if (!double.TryParse(args[k + 2], NumberStyles.Float, CultureInfo.InvariantCulture, out var f) || f < 0)
                                throw new UserInputException("Illegal balance weight command");
                            if (args[k + 1] == "time") weights.AddTime(f);
                            else weights.AddNeigh(f);
                            k += 3;
                            break;
                        case "var":
                            weights.AddVar(args[k + 2].StartsWith("v_", StringComparison.Ordinal) ? args[k + 2][2..] : args[k + 2]);
                            k += 3;
                            break;
                        case "store":
                            weights.AddStore(args[k + 2]);
                            k += 3;
                            break;
                        default:
                            throw new UserInputException($"Unknown (fix) balance weight method: {args[k + 1]}");
                    }
                    break;
                case "old":
                    k++;
                    break;
                case "out":
                    if (k + 1 >= args.Count) throw new UserInputException("Illegal (fix) balance command");
                    k += 2;
                    break;
                default:
                    throw new UserInputException($"Illegal (fix) balance command: unknown keyword '{args[k]}'");
            }
        }
        return weights;
    }
}
