namespace DeepMD.Sharp.Input.Commands;

/// <summary>
/// <c>run N [upto] [pre yes|no] [post yes|no]</c>: advances the simulation N steps (upto: to step N) with the current
/// fixes and outputs; <c>pre no</c> skips the setup of a run that follows another (<see cref="Dynamics.Simulation.Run"/>),
/// <c>post no</c> prints only the loop time after it, as LAMMPS.
/// </summary>
[DeckCommand("run")]
public sealed class RunCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(1, "N");
        var steps = args.Long(0, "number of steps");
        bool pre = true, post = true, upto = false;
        for (var k = 1; k < args.Count;)
        {
            switch (args[k])
            {
                case "upto":
                    upto = true;
                    k++;
                    break;
                case "pre" or "post":
                    if (k + 2 > args.Count) throw new Core.Errors.UserInputException("Illegal run command");
                    var yes = args[k + 1] == "yes" ? true : args[k + 1] == "no" ? false : throw new Core.Errors.UserInputException("Illegal run command");
                    if (args[k] == "pre") pre = yes;
                    else post = yes;
                    k += 2;
                    break;
                case "start" or "stop" or "every":
                    if (k + (args[k] == "every" ? 3 : 2) > args.Count) throw new Core.Errors.UserInputException("Illegal run command");
                    throw args.Error($"run option '{args[k]}' is not supported yet (supported: upto, pre, post)");
                default:
                    throw new Core.Errors.UserInputException($"Illegal run command: unknown keyword '{args[k]}'");
            }
        }
        var sim = context.Simulation;
        if (upto)
        {
            steps -= sim.Step;
            if (steps < 0) throw new Core.Errors.UserInputException("Invalid run command upto value");
        }
        else if (steps < 0) throw new Core.Errors.UserInputException("Invalid run command N value");
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
        sim.Run(steps, setup: pre);
        o.WriteLine();
        if (post) TimerReport.Print(o, sim, steps, dangerous, risky, cpu);
        else
        {
            // LAMMPS' run ... post no: the loop time only.
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
