namespace DeepMD.Sharp.Input.Commands;

/// <summary>What every run does before starting: bind the pair style's potential, attach thermo and dumps.</summary>
internal static class RunSetup
{
    public static void Prepare(DeckContext context)
    {
        var sim = context.Simulation;
        if (sim.Potential is null)
        {
            var style = context.PairStyle ?? throw new Core.Errors.UserInputException("run without a pair style; add pair_style and pair_coeff");
            sim.Potential = style.Build(context);
        }
        if (!sim.Observers.Contains(context.Thermo)) sim.Observers.Add(context.Thermo);
        if (!sim.Fixes.Any(f => f.Integrates))
            context.Out.WriteLine("WARNING: No fixes with time integration, atoms won't move");
    }
}
