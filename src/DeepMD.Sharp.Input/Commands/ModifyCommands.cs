namespace DeepMD.Sharp.Input.Commands;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Computes;

/// <summary>
/// <c>fix_modify ID keyword value ...</c> as LAMMPS: <c>energy yes|no</c> (the fix's energy joins thermo's pe, compute
/// pe and the minimizer's energy; only fixes with an energy: addforce, indent), <c>virial yes|no</c> (fixes with a
/// virial only; <c>no</c> is always accepted), <c>respa N</c> (accepted and ignored: there is no rRESPA here),
/// <c>dynamic/dof yes|no</c>, and for thermostats and barostats <c>temp ID</c> / <c>press ID</c> (the compute they
/// measure with). Refusals use LAMMPS' texts, followed by what was wrong.
/// </summary>
[DeckCommand("fix_modify")]
public sealed class FixModifyCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        if (args.Count < 2) throw Illegal("fix_modify needs: fix_modify ID keyword value ...");
        var sim = context.Simulation;
        var fix = sim.FindFix(args[0]) ?? throw new UserInputException($"Could not find fix_modify ID {args[0]} (fixes: {string.Join(" ", sim.Fixes.Select(f => f.Id))})");
        for (var k = 1; k < args.Count; k += 2)
        {
            var key = args[k];
            if (k + 1 >= args.Count) throw Illegal($"keyword '{key}' needs a value");
            var value = args[k + 1];
            switch (key)
            {
                case "energy":
                {
                    var on = YesNo(value, key);
                    if (on && !fix.HasGlobalEnergy) throw Illegal($"fix {fix.Id} ({fix.Style}) has no energy to add");
                    fix.ThermoEnergy = on;
                    break;
                }
                case "virial":
                {
                    var on = YesNo(value, key);
                    if (on && !fix.HasGlobalVirial) throw Illegal($"fix {fix.Id} ({fix.Style}) contributes no virial here");
                    fix.ThermoVirial = on;
                    break;
                }
                case "dynamic/dof":
                    YesNo(value, key);
                    break;
                case "respa":
                    if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var level) || level < 0)
                        throw Illegal($"respa needs a level >= 0, got '{value}'");
                    break; // no rRESPA integrator here: the level does not matter
                case "temp":
                {
                    if (!fix.UsesTemperature) throw Illegal($"fix {fix.Id} ({fix.Style}) has no keyword 'temp'");
                    var c = sim.FindCompute(value) ?? (value == "thermo_temp" ? Computes.ComputeReferences.FindCompute(context, value, "fix_modify") : null)
                        ?? throw new UserInputException("Could not find fix_modify temperature ID " + value);
                    // fix langevin honours the bias of temp/partial and temp/region, temp/rescale and temp/berendsen scale around the bias of
                    // any temperature compute; npt, nph, csvr and nvt/sllod take plain temp only.
                    // fix nvt (no barostat) likewise around the bias, as LAMMPS' nh_v_temp
                    var anyTemperature = fix is Dynamics.Fixes.FixLangevin or Dynamics.Fixes.FixTempRescale or Dynamics.Fixes.FixTempBerendsen
                        || (fix is Dynamics.Fixes.FixNvt && fix is not Dynamics.Fixes.FixNvtSllod);
                    fix.TemperatureCompute = (anyTemperature ? c as TemperatureCompute : c as ComputeTemp)
                        ?? throw new UserInputException($"Fix_modify temperature ID does not compute temperature: compute {c.Id} is {c.Style}");
                    if (fix is Dynamics.Fixes.FixLangevin && c is not (ComputeTemp or ComputeTempPartial or ComputeTempRegion))
                        throw Illegal($"fix langevin with the bias of compute {c.Id} ({c.Style}) is not supported yet (temp, temp/partial, temp/region)");
                    if (fix is Dynamics.Fixes.FixNoseHoover)
                    {
                        if (!c.Group.IsAll) context.Out.WriteLine("WARNING: Temperature for fix modify is not for group all");
                    }
                    else if (c.Group != fix.Group) context.Out.WriteLine("WARNING: Group for fix_modify temp != fix group");
                    break;
                }
                case "press":
                {
                    if (!fix.UsesPressure) throw Illegal($"fix {fix.Id} ({fix.Style}) has no keyword 'press'");
                    var c = sim.FindCompute(value) ?? (value is "thermo_press" ? Computes.ComputeReferences.FindCompute(context, value, "fix_modify") : null)
                        ?? throw new UserInputException("Could not find fix_modify pressure ID " + value);
                    fix.PressureCompute = c as ComputePressure ?? throw new UserInputException($"Fix_modify pressure ID does not compute pressure: compute {c.Id} is {c.Style}");
                    break;
                }
                default:
                    throw Illegal($"unknown keyword '{key}' for fix {fix.Id} ({fix.Style}); supported: energy virial respa dynamic/dof{(fix.UsesTemperature ? " temp" : "")}{(fix.UsesPressure ? " press" : "")}");
            }
        }
    }

    private static UserInputException Illegal(string why) => new($"Illegal fix_modify command: {why}");

    private static bool YesNo(string w, string key) => w switch
    {
        "yes" => true,
        "no" => false,
        _ => throw Illegal($"{key} must be yes or no, got '{w}'"),
    };
}

/// <summary>
/// <c>compute_modify ID extra/dof N | dynamic/dof yes|no</c> (and the older names <c>extra</c>, <c>dynamic</c>), as
/// LAMMPS: a temperature compute subtracts N degrees of freedom instead of the dimension. Every compute accepts the
/// keywords (LAMMPS keeps them on every compute); only temperature computes use them. <c>thermo_temp</c> may be
/// modified before anything else used it.
/// </summary>
[DeckCommand("compute_modify")]
public sealed class ComputeModifyCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        if (args.Count < 2) throw Illegal("compute_modify needs: compute_modify ID keyword value ...");
        var sim = context.Simulation;
        var compute = sim.FindCompute(args[0])
            ?? (Computes.ComputeReferences.BuiltInIds.Contains(args[0]) ? Computes.ComputeReferences.FindCompute(context, args[0], "compute_modify") : null)
            ?? throw new UserInputException($"Could not find compute_modify ID {args[0]} (computes: {string.Join(" ", sim.Computes.Select(c => c.Id).Concat(Computes.ComputeReferences.BuiltInIds).Distinct())})");
        for (var k = 1; k < args.Count; k += 2)
        {
            var key = args[k];
            if (k + 1 >= args.Count) throw Illegal($"keyword '{key}' needs a value");
            var value = args[k + 1];
            switch (key)
            {
                case "extra/dof" or "extra":
                    if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var extra) || !double.IsFinite(extra))
                        throw new UserInputException($"Expected floating point parameter instead of '{value}' in input script or data file");
                    if (compute is ComputeTemp t) t.ExtraDof = extra;
                    break;
                case "dynamic/dof" or "dynamic":
                    var on = value switch { "yes" => true, "no" => false, _ => throw Illegal($"{key} must be yes or no, got '{value}'") };
                    if (compute is ComputeTemp td) td.DynamicDof = on;
                    break;
                default:
                    throw Illegal($"unknown keyword '{key}' (valid: extra/dof dynamic/dof)");
            }
        }
    }

    private static UserInputException Illegal(string why) => new($"Illegal compute_modify command: {why}");
}
