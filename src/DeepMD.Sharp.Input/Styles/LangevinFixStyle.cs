namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// <c>fix ID GROUP langevin TSTART|v_NAME TSTOP TDAMP SEED [zero yes|no] [tally yes|no] [scale TYPE RATIO]
/// [omega no] [angmom no] [stream lammps|keyed]</c>: LAMMPS' fix langevin (see <see cref="FixLangevin"/>); TSTART may be
/// an equal- or atom-style variable (checked when the run starts, as LAMMPS' init). <c>gjf</c>, <c>omega yes</c> and
/// <c>angmom</c> are refused. <c>stream</c> is dpsharp's: <c>keyed</c> draws the numbers a decomposed run draws.
/// </summary>
[FixStyle("langevin")]
public sealed class LangevinFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        if (args.Count < 4) throw new UserInputException("Illegal fix langevin command");
        var stream = LangevinStream.Lammps;
        bool zero = false, tally = false;
        double[]? ratio = null;
        for (var k = 4; k < args.Count;)
        {
            if (k + 2 > args.Count) throw new UserInputException("Illegal fix langevin command");
            switch (args[k])
            {
                case "stream":
                    stream = args[k + 1] switch
                    {
                        "lammps" => LangevinStream.Lammps,
                        "keyed" => LangevinStream.Keyed,
                        var w => throw args.UnknownKeyword(w, ["lammps", "keyed"]),
                    };
                    k += 2;
                    break;
                case "zero":
                    zero = YesNo(args[k + 1]);
                    k += 2;
                    break;
                case "tally":
                    tally = YesNo(args[k + 1]);
                    k += 2;
                    break;
                case "scale":
                {
                    if (k + 3 > args.Count) throw new UserInputException("Illegal fix langevin command");
                    var types = context.Simulation.TypeCount;
                    var type = args.Int(k + 1, "atom type");
                    var r = args.Double(k + 2, "scale ratio");
                    if (type <= 0 || type > types) throw new UserInputException("Illegal fix langevin command");
                    ratio ??= Enumerable.Repeat(1.0, types).ToArray();
                    ratio[type - 1] = r;
                    k += 3;
                    break;
                }
                case "gjf":
                    if (args[k + 1] is not ("no" or "vfull" or "vhalf")) throw new UserInputException("Illegal fix langevin command");
                    if (args[k + 1] != "no") throw args.Error("fix langevin gjf is not supported yet; use the default integration (gjf no)");
                    k += 2;
                    break;
                case "omega":
                    if (!YesNo(args[k + 1]) ) { k += 2; break; }
                    throw new UserInputException("Fix langevin omega requires atom style sphere");
                case "angmom":
                    if (args[k + 1] == "no") { k += 2; break; }
                    throw new UserInputException("Fix langevin angmom requires atom style ellipsoid");
                default:
                    throw new UserInputException($"Illegal fix langevin command: unknown keyword '{args[k]}' (valid: angmom, gjf, omega, scale, tally, zero, and dpsharp's stream)");
            }
        }
        var tStop = args.Double(1, "Tstop");
        var tDamp = args.Double(2, "Tdamp");
        if (!(tDamp > 0.0)) throw new UserInputException("Fix langevin period must be > 0.0");
        var seed = args.Int(3, "seed");
        if (seed <= 0) throw new UserInputException("Illegal fix langevin command");
        if (!args[0].StartsWith("v_", StringComparison.Ordinal))
            return new FixLangevin(id, args.Double(0, "Tstart"), tStop, tDamp, seed, stream) { Zero = zero, Tally = tally, Ratio = ratio };
        // LAMMPS checks the variable at init: the deck may define it after the fix.
        var name = args[0][2..];
        Parsing.DeckVariable Lookup()
        {
            if (!context.Variables.TryGetValue(name, out var v)) throw new UserInputException("Variable name for fix langevin does not exist");
            if (v.Style is not ("equal" or "internal" or "atom")) throw new UserInputException("Variable for fix langevin is invalid style");
            return v;
        }
        // An atom-style variable must exist now; an equal-style one may be defined later (LAMMPS checks at init).
        if (context.Variables.TryGetValue(name, out var atom) && atom.Style == "atom")
            return new FixLangevin(id, 0.0, tStop, tDamp, seed, stream)
            {
                Zero = zero, Tally = tally, Ratio = ratio,
                TargetPerAtom = () => context.Runner.EvaluateAtomVariable(Lookup()),
            };
        return new FixLangevin(id, 0.0, tStop, tDamp, seed, stream)
        {
            Zero = zero, Tally = tally, Ratio = ratio,
            TargetVariable = () => Lookup().Style != "atom" ? context.Runner.Evaluate(args[0])
                : throw new UserInputException("Variable for fix langevin is invalid style"),
        };
    }

    private static bool YesNo(string w) => w switch
    {
        "yes" => true,
        "no" => false,
        _ => throw new UserInputException("Illegal fix langevin command"),
    };
}
