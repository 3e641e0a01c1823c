namespace DeepMD.Sharp.Input.Commands;

/// <summary>
/// <c>write_restart FILE</c>: a checkpoint of the current state (a <c>*</c> in the name becomes the step). Continue it
/// with <c>read_restart</c>, then pair_style/pair_coeff and the same fixes; the continuation is bit-identical.
/// </summary>
[DeckCommand("write_restart")]
public sealed class WriteRestartCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireExactly(1, "FILE");
        var sim = context.Simulation;
        var path = context.OutputPath(args[0].Replace("*", sim.Step.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        // Under mpirun every rank holds the whole system between runs; rank 0 alone writes.
        if (context.IsRootRank)
        {
            context.LockOutput(path, "restart file");
            sim.SaveCheckpoint(path);
        }
        context.Out.WriteLine($"Writing restart file {args[0]} at step {sim.Step} ...");
        if (sim.CustomProperties.Names.Count > 0)
            context.Out.WriteLine($"WARNING: the custom per-atom vectors of fix property/atom ({string.Join(", ", sim.CustomProperties.Names)}) are not saved in dpsharp's restart files; after read_restart, define the fix again and set their values");
    }
}
