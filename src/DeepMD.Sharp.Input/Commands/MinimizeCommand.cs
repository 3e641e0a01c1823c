namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Dynamics.Minimization;
using DeepMD.Sharp.IO;

/// <summary>
/// <c>minimize etol ftol maxiter maxeval</c>: minimizes the energy with the <c>min_style</c> and <c>min_modify</c>
/// settings, printing thermo lines like LAMMPS (first step, every thermo N, last) and its "Minimization stats".
/// </summary>
[DeckCommand("minimize")]
public sealed class MinimizeCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireExactly(4, "etol ftol maxiter maxeval");
        var etol = args.Double(0, "etol");
        var ftol = args.Double(1, "ftol");
        var maxIter = args.Int(2, "maxiter");
        var maxEval = args.Int(3, "maxeval");
        if (etol < 0 || ftol < 0) throw args.Error("etol and ftol must be >= 0");
        if (maxIter < 0 || maxEval < 0) throw args.Error("maxiter and maxeval must be >= 0");
        var sim = context.Simulation;
        if (sim.Potential is null)
        {
            var style = context.PairStyle ?? throw args.Error("minimize without a pair style; add pair_style and pair_coeff");
            sim.Potential = style.Build(context);
        }
        if (context.Communicator is { Size: > 1 } ranks && sim.Potential is Models.Potentials.DeepPotential { Deviation: not null })
            throw args.Error($"pair_style deepmd with several models (model deviation) is not supported by minimize with {ranks.Size} ranks yet");
        if (!sim.Observers.Contains(context.Thermo)) sim.Observers.Add(context.Thermo);
        var o = context.Out;
        if (sim.Neighbor.Every != 1 || sim.Neighbor.Delay != 0 || !sim.Neighbor.Check)
            o.WriteLine("WARNING: Using 'neigh_modify every 1 delay 0 check yes' setting during minimization");
        var settings = context.Minimize.Clone();
        o.WriteLine($"Setting up {MinStyleCommand.Name(settings.Style)} style minimization ...");
        o.WriteLine($"  Unit style    : {sim.Units.Name}");
        o.WriteLine($"  Current step  : {sim.Step}");
        if (settings.Style == MinimizeStyle.Fire && context.Log is { } log)
        {
            string[] integrators = ["eulerimplicit", "verlet", "leapfrog", "eulerexplicit"];
            log.WriteLine("  Parameters for fire: ");
            log.WriteLine("    dmax delaystep dtgrow dtshrink alpha0 alphashrink tmax tmin    integrator halfstepback ");
            log.WriteLine($"    {CFormat.G(settings.Dmax, 6, 4)} {CFormat.D(settings.DelayStep, 9)} {CFormat.G(settings.DtGrow, 6, 6)} {CFormat.G(settings.DtShrink, 6, 8)} "
                + $"{CFormat.G(settings.Alpha0, 6, 6)} {CFormat.G(settings.AlphaShrink, 6, 11)} {CFormat.G(settings.TMax, 6, 4)} {CFormat.G(settings.TMin, 6, 4)} "
                + $"{integrators[(int)settings.Integrator],13} {(settings.HalfStepBack ? "yes" : "no"),12} ");
        }
        var normalize = context.Thermo.Normalize ?? sim.Units.NormalizeThermoByDefault;
        var cpu = TimerReport.CpuNow();
        var result = sim.Minimize(etol, ftol, maxIter, maxEval, settings, normalize);
        MinimizeReport.Print(o, sim, result, cpu);
        o.Flush();
    }
}
