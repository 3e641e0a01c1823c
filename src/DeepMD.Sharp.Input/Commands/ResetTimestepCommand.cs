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
        context.Simulation.Step = n;
    }
}
