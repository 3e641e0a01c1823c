namespace DeepMD.Sharp.Input.Commands;

/// <summary><c>run N [pre yes|no] [post yes|no]</c>: advances the simulation N steps with the current fixes and outputs (post no: only the loop-time line after it).</summary>
[DeckCommand("run")]
public sealed class RunCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(1, "N");
        var steps = args.Long(0, "number of steps");
        var post = true;
        for (var k = 1; k < args.Count; k += 2)
        {
            // pre yes|no only saves LAMMPS set-up work between runs; dpsharp always sets up (same results).
            if (args[k] is not ("pre" or "post")) throw args.Error($"run option '{args[k]}' is not supported yet (pre and post are)");
            if (k + 1 >= args.Count) throw new Core.Errors.UserInputException("Illegal run command");
            var yes = args[k + 1] switch { "yes" => true, "no" => false, _ => throw new Core.Errors.UserInputException("Illegal run command") };
            if (args[k] == "post") post = yes;
        }
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
        if (post) TimerReport.Print(o, sim, steps, dangerous, risky, cpu);
        else
        {
            // LAMMPS' post no: the loop time line only.
            o.WriteLine($"Loop time of {IO.CFormat.G(sim.RunClock.Elapsed.TotalSeconds)} on {TimerReport.Procs(sim)} procs for {steps} steps with {sim.AtomCount} atoms");
            o.WriteLine();
        }
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
