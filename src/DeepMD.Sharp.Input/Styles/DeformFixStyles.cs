namespace DeepMD.Sharp.Input.Styles;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Computes;
using DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// <c>fix ID group deform N x|y|z final lo hi | delta dlo dhi | scale f | vel v | erate r | trate r | volume | wiggle A Tp |
/// variable v_d v_rate ... xy|xz|yz final t | delta dt | vel v | erate r | trate r | wiggle A Tp | variable v_d v_rate ...
/// [remap x|v|none] [flip yes|no] [units lattice|box]</c>, LAMMPS' arguments and checks; lengths in lattice spacings by
/// default (a tilt by the spacing of its first dimension).
/// </summary>
[FixStyle("deform")]
public sealed class DeformFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        static UserInputException Illegal() => new("Illegal fix deform command");
        if (args.Count < 1) throw Illegal();
        var sim = context.Simulation;
        _ = sim.Box ?? throw new UserInputException("Fix command before simulation box is defined");
        var nevery = int.TryParse(args[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n
            : throw new UserInputException($"Expected integer parameter instead of '{args[0]}' in input script or data file");
        if (nevery <= 0) throw Illegal();
        var kinds = new FixDeform.Kind[6];
        var a = new double[6];
        var b = new double[6];
        var values = new Func<double>?[6];
        var rates = new Func<double>?[6];
        var k = 1;
        for (; k < args.Count;)
        {
            var w = args[k];
            int index;
            bool tilt;
            if (w is "x" or "y" or "z") (index, tilt) = (w[0] - 'x', false);
            // LAMMPS needs a box declared triclinic for tilts; boxes here are triclinic whenever a tilt is set, so none is asked for
            else if (w is "xy" or "xz" or "yz") (index, tilt) = (w switch { "xy" => 5, "xz" => 4, _ => 3 }, true);
            else break;
            if (k + 2 > args.Count) throw Illegal();
            var style = args[k + 1];
            int Need(int count)
            {
                if (k + count > args.Count) throw Illegal();
                return count;
            }
            switch (style)
            {
                case "final" when !tilt:
                    k += Need(4);
                    (kinds[index], a[index], b[index]) = (FixDeform.Kind.Final, Num(args[k - 2]), Num(args[k - 1]));
                    break;
                case "delta" when !tilt:
                    k += Need(4);
                    (kinds[index], a[index], b[index]) = (FixDeform.Kind.Delta, Num(args[k - 2]), Num(args[k - 1]));
                    break;
                case "final" or "delta":
                    k += Need(3);
                    (kinds[index], a[index]) = (style == "final" ? FixDeform.Kind.Final : FixDeform.Kind.Delta, Num(args[k - 1]));
                    break;
                case "scale" when !tilt:
                    k += Need(3);
                    (kinds[index], a[index]) = (FixDeform.Kind.Scale, Num(args[k - 1]));
                    break;
                case "vel" or "erate" or "trate":
                    k += Need(3);
                    (kinds[index], a[index]) = (style switch { "vel" => FixDeform.Kind.Vel, "erate" => FixDeform.Kind.Erate, _ => FixDeform.Kind.Trate }, Num(args[k - 1]));
                    break;
                case "volume" when !tilt:
                    k += 2;
                    kinds[index] = FixDeform.Kind.Volume;
                    break;
                case "wiggle":
                    k += Need(4);
                    (kinds[index], a[index], b[index]) = (FixDeform.Kind.Wiggle, Num(args[k - 2]), Num(args[k - 1]));
                    if (b[index] <= 0.0) throw Illegal();
                    break;
                case "variable":
                    k += Need(4);
                    if (!args[k - 2].StartsWith("v_", StringComparison.Ordinal) || !args[k - 1].StartsWith("v_", StringComparison.Ordinal)) throw Illegal();
                    kinds[index] = FixDeform.Kind.Variable;
                    values[index] = Variable(context, args[k - 2]);
                    rates[index] = Variable(context, args[k - 1]);
                    break;
                default:
                    throw Illegal();
            }
        }
        var remap = FixDeform.RemapMode.X;
        var lattice = true;
        var flip = true;
        for (; k < args.Count; k += 2)
        {
            if (k + 2 > args.Count) throw Illegal();
            var v = args[k + 1];
            switch (args[k])
            {
                case "remap": remap = v switch { "x" => FixDeform.RemapMode.X, "v" => FixDeform.RemapMode.V, "none" => FixDeform.RemapMode.None, _ => throw Illegal() }; break;
                case "units": lattice = v switch { "box" => false, "lattice" => true, _ => throw Illegal() }; break;
                case "flip": flip = v switch { "yes" => true, "no" => false, _ => throw Illegal() }; break;
                default: throw Illegal();
            }
        }
        // LAMMPS refuses deformation of shrink-wrapped dimensions (reset_box would change the length or tilt)
        var faces = context.Simulation.Box!.Faces;
        bool Shrunk(int d) => faces[2 * d] is 's' or 'm' || faces[2 * d + 1] is 's' or 'm';
        for (var d = 0; d < 3; d++)
            if (kinds[d] != FixDeform.Kind.None && Shrunk(d)) throw new UserInputException("Cannot use fix deform on a shrink-wrapped boundary");
        if ((kinds[3] != FixDeform.Kind.None && Shrunk(2)) || (kinds[4] != FixDeform.Kind.None && Shrunk(2)) || (kinds[5] != FixDeform.Kind.None && Shrunk(1)))
            throw new UserInputException("Cannot use fix deform tilt on a shrink-wrapped 2nd dim");
        double[] scale = [1, 1, 1];
        if (lattice && kinds.Any(x => x is FixDeform.Kind.Final or FixDeform.Kind.Delta or FixDeform.Kind.Vel or FixDeform.Kind.Wiggle) && context.Lattice is { } lat)
            scale = [lat.XLattice, lat.YLattice, lat.ZLattice];
        double[] map = [scale[0], scale[1], scale[2], scale[1], scale[0], scale[0]];
        var settings = new FixDeform.Setting[6];
        for (var i = 0; i < 6; i++)
        {
            var s = kinds[i] is FixDeform.Kind.Final or FixDeform.Kind.Delta or FixDeform.Kind.Vel ? map[i] : 1.0;
            var sa = kinds[i] == FixDeform.Kind.Wiggle ? map[i] : s;
            settings[i] = new FixDeform.Setting(kinds[i], a[i] * sa, kinds[i] is FixDeform.Kind.Final or FixDeform.Kind.Delta ? b[i] * s : b[i], values[i], rates[i]);
        }
        return new FixDeform(id, nevery, settings, remap, flip);
    }

    private static Func<double> Variable(DeckContext context, string w)
    {
        var name = w[2..];
        return () =>
        {
            if (!context.Variables.TryGetValue(name, out var v)) throw new UserInputException($"Variable name for fix deform does not exist: {name}");
            if (v.Style is not ("equal" or "internal")) throw new UserInputException($"Variable for fix deform is invalid style: {name} is {v.Style}, not equal");
            return context.Runner.Evaluate(w);
        };
    }

    private static double Num(string w) =>
        double.TryParse(w, NumberStyles.Float, CultureInfo.InvariantCulture, out var c) && double.IsFinite(c) ? c
        : throw new UserInputException($"Expected floating point parameter instead of '{w}' in input script or data file");
}

/// <summary>
/// <c>fix ID all nvt/sllod temp Tstart Tstop Tdamp [tchain N] [tloop N] [drag D]</c>: LAMMPS' SLLOD thermostat (one chain
/// element unless tchain says otherwise); it defines compute <c>ID_temp</c> of style temp/deform on its group.
/// </summary>
[FixStyle("nvt/sllod")]
public sealed class NvtSllodFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        var o = NoseHooverArguments.Parse(context, args);
        if (!args.Words.Contains("tchain")) o.TChain = 1;
        var sim = context.Simulation;
        var tempId = id + "_temp";
        var temperature = new ComputeTempDeform(tempId, Dynamics.Groups.AtomGroup.All);
        var existing = sim.Computes.FindIndex(c => c.Id == tempId);
        if (existing >= 0) sim.Computes[existing] = temperature;
        else sim.Computes.Add(temperature);
        return new FixNvtSllod(id, o, temperature);
    }
}
