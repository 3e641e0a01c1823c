namespace DeepMD.Sharp.Input.Styles;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// <c>fix ID group dt/reset N Tmin|NULL Tmax|NULL Xmax [units lattice|box] [emax Emax]</c> (<see cref="FixDtReset"/>),
/// LAMMPS' checks and error text; in lattice units (the default) Xmax scales by the lattice's x spacing (1 without a
/// lattice, as LAMMPS' default lattice none 1.0).
/// </summary>
[FixStyle("dt/reset")]
public sealed class DtResetFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        static UserInputException Illegal() => new("Illegal fix dt/reset command");
        if (args.Count < 4) throw Illegal();
        var nevery = args.Int(0, "N");
        if (nevery <= 0) throw Illegal();
        double? tmin = args[1] == "NULL" ? null : args.Double(1, "Tmin");
        double? tmax = args[2] == "NULL" ? null : args.Double(2, "Tmax");
        var xmax = args.Double(3, "Xmax");
        if (tmin < 0.0 || tmax < 0.0) throw Illegal();
        if (tmin is { } lo && tmax is { } hi && lo >= hi) throw Illegal();
        if (xmax <= 0.0) throw Illegal();
        var lattice = true;
        var emax = -1.0;
        for (var k = 4; k < args.Count; k += 2)
        {
            if (k + 1 >= args.Count) throw Illegal();
            switch (args[k])
            {
                case "units":
                    lattice = args[k + 1] switch { "box" => false, "lattice" => true, _ => throw Illegal() };
                    break;
                case "emax":
                    if (!double.TryParse(args[k + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out emax) || emax <= 0.0) throw Illegal();
                    break;
                default:
                    throw Illegal();
            }
        }
        if (lattice) xmax *= context.Lattice?.XLattice ?? 1.0;
        return new FixDtReset(id, nevery, tmin, tmax, xmax, emax, context.Simulation.Step);
    }
}
