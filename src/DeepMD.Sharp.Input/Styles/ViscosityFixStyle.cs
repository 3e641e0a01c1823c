namespace DeepMD.Sharp.Input.Styles;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Fixes;

/// <summary><c>fix ID group viscosity N vdim pdim Nbin [swap Nswap] [vtarget V|INF]</c> (<see cref="FixViscosity"/>), LAMMPS' checks and texts.</summary>
[FixStyle("viscosity")]
public sealed class ViscosityFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        static UserInputException Illegal() => new("Illegal fix viscosity command");
        if (args.Count < 4) throw Illegal();
        if (!int.TryParse(args[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var every) || every <= 0) throw Illegal();
        int Dim(string w) => w switch { "x" => 0, "y" => 1, "z" => 2, _ => throw Illegal() };
        var (vdim, pdim) = (Dim(args[1]), Dim(args[2]));
        if (!int.TryParse(args[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var nbin) || nbin % 2 != 0 || nbin <= 2) throw Illegal();
        var nswap = 1;
        var vtarget = 1.0e10;
        for (var k = 4; k < args.Count; k += 2)
        {
            if (k + 1 >= args.Count) throw Illegal();
            switch (args[k])
            {
                case "swap":
                    if (!int.TryParse(args[k + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out nswap)) throw Illegal();
                    if (nswap <= 0) throw new UserInputException("Fix viscosity swap value must be positive");
                    break;
                case "vtarget":
                    vtarget = args[k + 1] == "INF" ? 1.0e10 : args.Double(k + 1, "vtarget");
                    if (vtarget <= 0.0) throw new UserInputException("Fix viscosity vtarget value must be positive");
                    break;
                default:
                    throw Illegal();
            }
        }
        if (context.Communicator is { Size: > 1 })
            throw new UserInputException("fix viscosity is not supported on several ranks yet; run this deck in one process (without mpirun)");
        return new FixViscosity(id, every, vdim, pdim, nbin, nswap, vtarget);
    }
}
