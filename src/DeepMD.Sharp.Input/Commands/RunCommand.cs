namespace DeepMD.Sharp.Input.Commands;

/// <summary><c>run N</c>: advances the simulation N steps with the current fixes and outputs.</summary>
[DeckCommand("run")]
public sealed class RunCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(1, "N");
        var steps = args.Long(0, "number of steps");
        if (args.Count > 1) throw args.Error($"run options ({args[1]} ...) are not supported yet");
        var sim = context.Simulation;
        RunSetup.Prepare(context);
        var o = context.Out;
        o.WriteLine("Setting up Verlet run ...");
        o.WriteLine($"  Unit style    : {sim.Units.Name}");
        o.WriteLine($"  Current step  : {sim.Step}");
        o.WriteLine($"  Time step     : {IO.CFormat.G(sim.Timestep)}");
        int dangerous = sim.Verlet.DangerousBuilds, risky = sim.Verlet.RiskyUncheckedBuilds;
        var cpu = TimerReport.CpuNow();
        var guard = (sim.Potential as Models.Potentials.DeepPotential)?.Guard;
        long checkedBefore = guard?.Checked ?? 0, eventsBefore = guard?.Events ?? 0, warningsBefore = guard?.Warnings ?? 0;
        sim.Run(steps);
        o.WriteLine();
        TimerReport.Print(o, sim, steps, dangerous, risky, cpu);
        if (guard is { Active: true })
        {
            var checkedSteps = guard.Checked - checkedBefore;
            var onDevice = sim.DeviceLoopNote?.StartsWith("device loop", StringComparison.Ordinal) == true;
            if (onDevice || (checkedSteps == 0 && steps > 0))
                o.WriteLine("Extrapolation guard: not checked in this run (the GPU device loop evaluates the model without it)");
            else
                o.WriteLine($"Extrapolation guard: {guard.Events - eventsBefore} steps outside the training coverage of {checkedSteps} evaluated, {guard.Warnings - warningsBefore} warnings printed");
            o.WriteLine();
        }
        o.Flush();
    }
}
