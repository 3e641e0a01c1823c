namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Dynamics.Checkpoints;

/// <summary>
/// <c>restart N FILE</c> / <c>restart N FILE1 FILE2</c> / <c>restart 0</c>: checkpoints every N steps during runs
/// (see <see cref="RestartWriter"/>); 0 turns them off.
/// </summary>
[DeckCommand("restart")]
public sealed class RestartCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(1, "N FILE [FILE2] | 0");
        var every = args.Int(0, "restart interval");
        if (context.Restart is { } old && context.HasSimulation) context.Simulation.Observers.Remove(old);
        context.Restart = null;
        if (every == 0)
        {
            if (args.Count > 1) throw args.Error("'restart 0' takes no file names");
            return;
        }
        if (every < 0) throw args.Error($"the interval must be a positive number of steps (or 0 to stop), got {every}");
        if (args.Count < 2) throw args.Error("needs a file name: restart N FILE [FILE2]");
        if (args.Count > 3) throw args.Error($"restart options ({args[3]} ...) are not supported; use restart N FILE or restart N FILE1 FILE2");
        if (context.IsRootRank) // under mpirun rank 0 alone writes the files
        {
            context.LockOutput(context.OutputPath(args[1]), "restart file");
            if (args.Count == 3) context.LockOutput(context.OutputPath(args[2]), "restart file");
        }
        context.Restart = new RestartWriter(every, context.OutputPath(args[1]), args.Count == 3 ? context.OutputPath(args[2]) : null);
    }
}
