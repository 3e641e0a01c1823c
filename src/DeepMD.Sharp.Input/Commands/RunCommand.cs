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
        sim.Run(steps);
        o.WriteLine();
        TimerReport.Print(o, sim, steps, dangerous, risky, cpu);
        o.Flush();
    }
}
