namespace DeepMD.Sharp.Input.Commands;

/// <summary><c>reset_timestep N</c>.</summary>
[DeckCommand("reset_timestep")]
public sealed class ResetTimestepCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireExactly(1, "N");
        var n = args.Long(0, "step");
        if (n < 0) throw args.Error("the step must not be negative");
        var sim = context.Simulation;
        if (sim.Fixes.FirstOrDefault(f => f.TimeDependent) is { } fix)
            throw args.Error($"Cannot reset timestep with a time-dependent fix defined (fix {fix.Id} {fix.Style})");
        sim.Step = n;
        sim.RestartElapsedTimeCount();
    }
}
