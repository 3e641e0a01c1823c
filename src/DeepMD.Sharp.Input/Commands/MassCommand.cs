namespace DeepMD.Sharp.Input.Commands;

/// <summary><c>mass I VALUE</c> (I may be <c>*</c>, <c>n*</c>, <c>*m</c>, <c>n*m</c>).</summary>
[DeckCommand("mass")]
public sealed class MassCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireExactly(2, "TYPE VALUE");
        var sim = context.Simulation;
        var (lo, hi) = TypeRange.Parse(args, args[0], sim.TypeCount);
        var m = args.Double(1, "mass");
        for (var t = lo; t <= hi; t++) sim.SetMass(t - 1, m);
    }
}
