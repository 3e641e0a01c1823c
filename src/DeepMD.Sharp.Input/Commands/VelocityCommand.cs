namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Dynamics.Velocities;

/// <summary>
/// <c>velocity GROUP create T SEED [dist uniform|gaussian] [mom yes|no] [rot yes|no] [loop all|local|geom] [temp ID]</c>,
/// <c>velocity GROUP set vx vy vz [sum yes|no] [units box]</c>, <c>velocity GROUP scale T [temp ID]</c>,
/// <c>velocity GROUP ramp vx|vy|vz vlo vhi x|y|z clo chi [sum yes|no] [units box|lattice]</c>,
/// <c>velocity GROUP zero linear|angular</c>; GROUP is <c>all</c> or a group from the <c>group</c> command.
/// </summary>
[DeckCommand("velocity")]
public sealed class VelocityCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(2, "all create|set|scale|zero ...");
        var group = context.Group(args[0]);
        var sim = context.Simulation;
        switch (args[1])
        {
            case "create":
            {
                args.RequireAtLeast(4, "all create T SEED [keyword value ...]");
                var t = NonNegativeTemperature(args, 2);
                var seed = args.Int(3, "seed");
                var opt = new VelocityOptions();
                for (var k = 4; k < args.Count; k += 2)
                {
                    if (k + 1 >= args.Count) throw args.Error($"keyword '{args[k]}' needs a value");
                    var v = args[k + 1];
                    opt = args[k] switch
                    {
                        "dist" => opt with { Gaussian = v == "gaussian" ? true : v == "uniform" ? false : throw args.UnknownKeyword(v, ["uniform", "gaussian"]) },
                        "mom" => opt with { ZeroMomentum = args.YesNo(k + 1, "mom") },
                        "rot" => opt with { ZeroRotation = args.YesNo(k + 1, "rot") },
                        "loop" => opt with { Loop = v switch { "all" => VelocityLoop.All, "local" => VelocityLoop.Local, "geom" => VelocityLoop.Geom, _ => throw args.UnknownKeyword(v, ["all", "local", "geom"]) } },
                        "temp" => opt with { Temperature = TemperatureCompute(context, group, v) },
                        "bias" or "sum" or "rigid" or "units" => throw args.Error($"keyword '{args[k]}' is not supported yet"),
                        _ => throw args.UnknownKeyword(args[k], ["dist", "mom", "rot", "loop", "temp"]),
                    };
                }
                VelocityGenerator.Create(sim, t, seed, opt, group);
                break;
            }
            case "set":
            {
                args.RequireAtLeast(5, "all set vx vy vz [sum yes|no] [units box|lattice]");
                double? P(int i) => args[i] == "NULL" ? null : args.Double(i, "velocity component");
                var sum = false;
                var lattice = true;
                for (var k = 5; k + 1 < args.Count; k += 2)
                {
                    if (args[k] == "sum") sum = args.YesNo(k + 1, "sum");
                    else if (args[k] == "units") lattice = args[k + 1] == "lattice";
                    else throw args.UnknownKeyword(args[k], ["sum", "units"]);
                }
                if (args[2].StartsWith("v_", StringComparison.Ordinal) || args[3].StartsWith("v_", StringComparison.Ordinal) || args[4].StartsWith("v_", StringComparison.Ordinal))
                {
                    SetFromVariables(context, args, group, sum);
                    break;
                }
                double sx = 1, sy = 1, sz = 1;
                if (lattice)
                {
                    var lat = context.Lattice ?? Geometry.Lattice.None(1.0) /* LAMMPS' default lattice none 1.0 */;
                    (sx, sy, sz) = (lat.XLattice, lat.YLattice, lat.ZLattice);
                }
                VelocityGenerator.Set(sim, P(2) * sx, P(3) * sy, P(4) * sz, sum, group);
                break;
            }
            case "scale":
            {
                args.RequireAtLeast(3, "all scale T [temp ID]");
                Func<DeepMD.Sharp.Dynamics.Simulation, double>? measure = null;
                for (var k = 3; k < args.Count; k += 2)
                {
                    if (k + 1 >= args.Count) throw args.Error($"keyword '{args[k]}' needs a value");
                    if (args[k] == "temp") measure = TemperatureCompute(context, group, args[k + 1]);
                    else if (args[k] is "bias" or "loop" or "dist" or "sum" or "mom" or "rot" or "rigid" or "units") { /* LAMMPS ignores these for scale */ if (args[k] == "bias") throw args.Error("keyword 'bias' is not supported yet"); }
                    else throw args.UnknownKeyword(args[k], ["temp", "bias"]);
                }
                VelocityGenerator.Scale(sim, NonNegativeTemperature(args, 2), group, measure);
                break;
            }
            case "ramp":
                Ramp(context, args, group);
                break;
            case "zero":
                args.RequireAtLeast(3, "all zero linear|angular");
                if (args[2] == "linear") VelocityGenerator.ZeroMomentum(sim, group);
                else if (args[2] == "angular") VelocityGenerator.ZeroRotation(sim, group);
                else throw args.UnknownKeyword(args[2], ["linear", "angular"]);
                break;
            default:
                throw args.UnknownKeyword(args[1], ["create", "set", "scale", "ramp", "zero"]);
        }
    }

    /// <summary>
    /// <c>velocity GROUP ramp vx|vy|vz vlo vhi x|y|z clo chi [sum yes|no] [units box|lattice]</c> as LAMMPS' velocity ramp:
    /// each atom of the group gets the velocity component vlo + f (vhi − vlo), f = (coordinate − clo)/(chi − clo) clamped
    /// to [0, 1], set or (sum yes) added. In lattice units (the default) velocities and coordinates scale by the lattice
    /// spacing of their own dimension. LAMMPS' other velocity keywords (dist, mom, rot, temp, bias, loop, rigid) do not act here.
    /// </summary>
    private static void Ramp(DeckContext context, DeckArguments args, DeepMD.Sharp.Dynamics.Groups.AtomGroup group)
    {
        args.RequireAtLeast(8, "GROUP ramp vx|vy|vz vlo vhi x|y|z clo chi [sum yes|no] [units box|lattice]");
        var sum = false;
        var lattice = true;
        for (var k = 8; k < args.Count; k += 2)
        {
            if (k + 1 >= args.Count) throw new Core.Errors.UserInputException("Illegal velocity command");
            switch (args[k])
            {
                case "sum": sum = args.YesNo(k + 1, "sum"); break;
                case "units": lattice = args[k + 1] == "lattice" ? true : args[k + 1] == "box" ? false : throw new Core.Errors.UserInputException("Illegal velocity command"); break;
                case "dist" or "mom" or "rot" or "temp" or "bias" or "loop" or "rigid": break;
                default: throw args.UnknownKeyword(args[k], ["sum", "units", "dist", "mom", "rot", "temp", "bias", "loop", "rigid"]);
            }
        }
        var sim = context.Simulation;
        double[] scale = [1.0, 1.0, 1.0];
        if (lattice)
        {
            var lat = context.Lattice ?? Geometry.Lattice.None(1.0) /* LAMMPS' default lattice none 1.0 */;
            scale = [lat.XLattice, lat.YLattice, lat.ZLattice];
        }
        var vDim = args[2] switch { "vx" => 0, "vy" => 1, "vz" => 2, _ => throw new Core.Errors.UserInputException("Illegal velocity command") };
        if (vDim == 2 && sim.Dimension == 2) throw new Core.Errors.UserInputException("Velocity ramp in z for a 2d problem");
        var vLo = scale[vDim] * args.Double(3, "vlo");
        var vHi = scale[vDim] * args.Double(4, "vhi");
        var cDim = args[5] switch { "x" => 0, "y" => 1, "z" => 2, _ => throw new Core.Errors.UserInputException("Illegal velocity command") };
        var cLo = scale[cDim] * args.Double(6, "coordinate lo");
        var cHi = scale[cDim] * args.Double(7, "coordinate hi");
        var a = sim.Atoms;
        var pos = cDim switch { 0 => a.X, 1 => a.Y, _ => a.Z };
        var vel = vDim switch { 0 => a.Vx, 1 => a.Vy, _ => a.Vz };
        for (var i = 0; i < a.Count; i++)
        {
            if (!group.Contains(a.Id[i])) continue;
            var fraction = (pos[i] - cLo) / (cHi - cLo);
            fraction = Math.Min(Math.Max(fraction, 0.0), 1.0);
            var ramp = vLo + fraction * (vHi - vLo);
            vel[i] = sum ? vel[i] + ramp : ramp;
        }
    }

    /// <summary>
    /// <c>velocity GROUP set</c> with variables (LAMMPS: equal-style → one value, atom-style → a value per atom; every
    /// variable is evaluated before any velocity changes; variable values are not scaled by the lattice).
    /// </summary>
    private static void SetFromVariables(DeckContext context, DeckArguments args, DeepMD.Sharp.Dynamics.Groups.AtomGroup group, bool sum)
    {
        var sim = context.Simulation;
        var a = sim.Atoms;
        var scale = context.Lattice is { } lat ? new[] { lat.XLattice, lat.YLattice, lat.ZLattice } : [1.0, 1.0, 1.0];
        var lattice = true;
        for (var k = 5; k + 1 < args.Count; k += 2)
            if (args[k] == "units") lattice = args[k + 1] == "lattice";
        var columns = new double[]?[3];
        var constant = new double?[3];
        for (var d = 0; d < 3; d++)
        {
            var w = args[2 + d];
            if (w == "NULL") continue;
            if (!w.StartsWith("v_", StringComparison.Ordinal))
            {
                constant[d] = args.Double(2 + d, "velocity component") * (lattice ? scale[d] : 1.0);
                continue;
            }
            if (!context.Variables.TryGetValue(w[2..], out var v)) throw new Core.Errors.UserInputException($"Variable name for velocity set does not exist: {w[2..]}");
            if (sim.Dimension == 2 && d == 2) throw new Core.Errors.UserInputException("Cannot set variable z velocity for 2d simulation");
            if (v.IsPerAtom) columns[d] = context.Runner.EvaluateAtomVariable(v);
            else if (v.Style == "equal") constant[d] = context.Runner.Evaluate(v.Current);
            else throw new Core.Errors.UserInputException($"Variable for velocity set is invalid style: {w[2..]} is {v.Style}-style");
        }
        var vel = new[] { a.Vx, a.Vy, a.Vz };
        for (var i = 0; i < a.Count; i++)
        {
            if (!group.Contains(a.Id[i])) continue;
            for (var d = 0; d < 3; d++)
            {
                double? value = columns[d] is { } c ? c[i] : constant[d];
                if (value is not { } x) continue;
                vel[d][i] = sum ? vel[d][i] + x : x;
            }
        }
    }

    /// <summary>
    /// <c>temp ID</c>: the temperature compute that measures the current temperature (LAMMPS' texts when it is missing or
    /// not a temperature; a warning when its group is not the velocity command's).
    /// </summary>
    private static Func<DeepMD.Sharp.Dynamics.Simulation, double> TemperatureCompute(DeckContext context, DeepMD.Sharp.Dynamics.Groups.AtomGroup group, string id)
    {
        var c = context.Simulation.FindCompute(id)
            ?? (id == "thermo_temp" ? Computes.ComputeReferences.FindCompute(context, id, "velocity") : null)
            ?? throw new Core.Errors.UserInputException($"Could not find velocity temperature ID {id}");
        // Without 'bias yes' (not supported) LAMMPS only reads the compute's scalar, biased or not (temp/partial, temp/deform).
        var t = c as DeepMD.Sharp.Dynamics.Computes.TemperatureCompute
            ?? throw new Core.Errors.UserInputException($"Velocity temperature ID does not compute temperature: compute {c.Id} is {c.Style}");
        if (t.Group != group) context.Out.WriteLine("WARNING: Mismatch between velocity and compute groups");
        return t.Evaluate;
    }

    /// <summary>A temperature argument; a negative one has no meaning (its square root gave NaN velocities).</summary>
    private static double NonNegativeTemperature(DeckArguments args, int i)
    {
        var t = args.Double(i, "temperature");
        return t >= 0 ? t : throw args.Error($"temperature must be >= 0, got '{args[i]}'; give the target temperature in the deck's units (0 sets all atoms at rest)");
    }
}
