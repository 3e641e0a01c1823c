namespace DeepMD.Sharp.Input.Commands;

/// <summary><c>timestep DT</c> (time units of the unit style).</summary>
[DeckCommand("timestep")]
public sealed class TimestepCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireExactly(1, "DT");
        var dt = args.Double(0, "timestep");
        if (!(dt > 0)) throw args.Error("the timestep must be positive");
        context.SetTimestep(dt);
    }
}
