namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Input.Computes;

/// <summary>
/// <c>compute ID GROUP STYLE args</c>: defines a compute (<see cref="ComputeStyles"/> lists the styles). As in LAMMPS an
/// id can be used once (uncompute it first) and a compute does nothing until an output, a fix or a formula asks for it.
/// </summary>
[DeckCommand("compute")]
public sealed class ComputeCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(3, "ID GROUP STYLE [args]");
        var sim = context.Simulation;
        var id = args[0];
        if (!System.Text.RegularExpressions.Regex.IsMatch(id, "^[A-Za-z0-9_]+$"))
            throw args.Error($"compute ID '{id}' must be alphanumeric or underscore characters");
        if (sim.FindCompute(id) is not null) throw args.Error($"Reuse of compute ID '{id}'; uncompute it first");
        var group = context.Group(args[1]);
        var compute = ComputeStyles.Create(context, id, group, args[2], new DeckArguments($"compute {args[2]}", args.Words.Skip(3).ToList()));
        sim.Computes.Add(compute);
    }
}
