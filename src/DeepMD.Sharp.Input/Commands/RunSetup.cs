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
        if (context.Restart is { } r && !sim.Observers.Contains(r)) sim.Observers.Add(r);
        if (context.Progress is { } p && !sim.Observers.Contains(p)) sim.Observers.Add(p);
        var lastGood = context.OutputPath((context.DeckName ?? "dpsharp") + ".last-good.xyz");
        if (sim.LastGoodFrame?.Path != lastGood) sim.LastGoodFrame = new Dynamics.Output.LastGoodFrame(lastGood);
        sim.LastGoodFrame.Elements = context.Elements;
        if (!sim.Fixes.Any(f => f.Integrates))
            context.Out.WriteLine("WARNING: No fixes with time integration, atoms won't move");
    }
}
