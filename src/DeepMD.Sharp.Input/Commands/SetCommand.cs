namespace DeepMD.Sharp.Input.Commands;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Random;

/// <summary>
/// <c>set atom|type|group|region ID keyword values ...</c>, as LAMMPS' set command: the atoms chosen by atom id (or
/// range <c>a*b</c>), type (or range), group or region (their current positions) get, keyword by keyword, a new
/// <c>type</c>, a <c>type/fraction TYPE FRACTION SEED</c> (an atom switches when its position-seeded Park–Miller draw is
/// below the fraction: LAMMPS' atoms for the same seed), positions <c>x y z</c>, velocities <c>vx vy vz</c>,
/// <c>charge</c> (atom_style charge), or <c>image nx ny nz</c> (NULL keeps one). Values of type, x y z, vx vy vz and
/// charge may be atom-style variables <c>v_NAME</c> (evaluated for all atoms first; equal-style ones LAMMPS refuses too). Prints LAMMPS' "N settings made for KEYWORD" lines; refusals use LAMMPS' texts.
/// </summary>
[DeckCommand("set")]
public sealed class SetCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        if (!context.HasSimulation) throw new UserInputException("Set command before simulation box is defined");
        var sim = context.Simulation;
        if (sim.AtomCount == 0) throw new UserInputException("Set command with no atoms existing");
        if (args.Count < 4) throw new UserInputException("Illegal set command");
        var a = sim.Atoms;
        var n = a.Count;
        var select = new bool[n];
        switch (args[0])
        {
            case "atom":
            case "type":
            {
                var byType = args[0] == "type";
                var (lo, hi) = Bounds(args[1], byType ? sim.TypeCount : Math.Max(1, a.MaxId()), byType ? "type" : "atom ID");
                for (var i = 0; i < n; i++)
                {
                    var v = byType ? a.Type[i] + 1 : a.Id[i];
                    select[i] = v >= lo && v <= hi;
                }
                break;
            }
            case "group":
            {
                if (!context.Groups.TryGetValue(args[1], out var g)) throw new UserInputException("Could not find set group ID");
                for (var i = 0; i < n; i++) select[i] = g.Contains(a.Id[i]);
                break;
            }
            case "region":
            {
                if (!context.Regions.TryGetValue(args[1], out var r)) throw new UserInputException("Set region ID does not exist");
                for (var i = 0; i < n; i++) select[i] = r.Contains(a.X[i], a.Y[i], a.Z[i]);
                break;
            }
            case "mol":
                throw new UserInputException("Cannot use set mol with no molecule IDs defined");
            default:
                throw new UserInputException("Illegal set command");
        }

        context.Out.WriteLine("Setting atom values ...");
        var k = 2;
        while (k < args.Count)
        {
            var keyword = args[k];
            var count = 0;
            switch (keyword)
            {
                case "type":
                {
                    if (k + 1 >= args.Count) throw new UserInputException("Illegal set command");
                    var perAtom = AtomVariable(context, args[k + 1]);
                    var t = perAtom is null ? IntValue(args, k + 1) : 0;
                    for (var i = 0; i < n; i++)
                    {
                        if (!select[i]) continue;
                        if (perAtom is not null) t = (int)perAtom[i];
                        if (t <= 0 || t > sim.TypeCount) throw new UserInputException("Invalid value in set command");
                        a.Type[i] = t - 1;
                        count++;
                    }
                    k += 2;
                    break;
                }
                case "type/fraction":
                {
                    if (k + 3 >= args.Count) throw new UserInputException("Illegal set command");
                    var t = IntValue(args, k + 1);
                    var fraction = Plain(args, k + 2);
                    var seed = IntValue(args, k + 3);
                    if (t <= 0 || t > sim.TypeCount) throw new UserInputException("Invalid value in set command");
                    if (fraction < 0.0 || fraction > 1.0) throw new UserInputException("Invalid value in set command");
                    if (seed <= 0) throw new UserInputException("Invalid random number seed in set command");
                    var random = new ParkMillerRandom(seed);
                    for (var i = 0; i < n; i++)
                    {
                        if (!select[i]) continue;
                        random.Reset(seed, a.X[i], a.Y[i], a.Z[i]);
                        if (random.Uniform() >= fraction) continue;
                        a.Type[i] = t - 1;
                        count++;
                    }
                    k += 4;
                    break;
                }
                case "x" or "y" or "z" or "vx" or "vy" or "vz" or "charge":
                {
                    if (keyword == "charge" && !a.HasCharge) throw new UserInputException("Cannot set this attribute for this atom style");
                    if (k + 1 >= args.Count) throw new UserInputException("Illegal set command");
                    var perAtom = AtomVariable(context, args[k + 1]);
                    var value = perAtom is null ? Plain(args, k + 1) : 0.0;
                    var target = keyword switch
                    {
                        "x" => a.X, "y" => a.Y, "z" => a.Z, "vx" => a.Vx, "vy" => a.Vy, "vz" => a.Vz, _ => a.Q,
                    };
                    for (var i = 0; i < n; i++)
                        if (select[i]) { target[i] = perAtom is null ? value : perAtom[i]; count++; }
                    k += 2;
                    break;
                }
                case "image":
                {
                    if (k + 3 >= args.Count) throw new UserInputException("Illegal set command");
                    int? Flag(int j) => args[j] == "NULL" ? null : IntValue(args, j);
                    var (fx, fy, fz) = (Flag(k + 1), Flag(k + 2), Flag(k + 3));
                    var p = sim.Box!.Periodic;
                    if ((fx is { } ix && ix != 0 && !p[0]) || (fy is { } iy && iy != 0 && !p[1]) || (fz is { } iz && iz != 0 && !p[2]))
                        throw new UserInputException("Cannot set non-zero image flag for non-periodic dimension");
                    for (var i = 0; i < n; i++)
                    {
                        if (!select[i]) continue;
                        if (fx is { } x) a.ImageA[i] = x;
                        if (fy is { } y) a.ImageB[i] = y;
                        if (fz is { } z) a.ImageC[i] = z;
                        count++;
                    }
                    k += 4;
                    break;
                }
                case ['i' or 'd', '_', ..] when keyword.Length > 2:
                {
                    // custom vectors of fix property/atom (LAMMPS: an integer one takes an integer, or an atom variable cast)
                    var p = sim.CustomProperties.Find(keyword[2..]) ?? throw new UserInputException($"Custom property {keyword[2..]} does not exist");
                    if (p.IsInteger != (keyword[0] == 'i')) throw new UserInputException($"Custom property {keyword[2..]} does not exist");
                    if (k + 1 >= args.Count) throw new UserInputException("Illegal set command");
                    var perAtom = AtomVariable(context, args[k + 1]);
                    var value = perAtom is not null ? 0.0 : p.IsInteger ? IntValue(args, k + 1) : Plain(args, k + 1);
                    for (var i = 0; i < n; i++)
                        if (select[i]) { p.Set(a.Id[i], perAtom is null ? value : perAtom[i]); count++; }
                    k += 2;
                    break;
                }
                default:
                    throw new UserInputException(IsLammpsKeyword(keyword)
                        ? $"set: keyword '{keyword}' is not supported yet (supported: type type/fraction x y z vx vy vz charge image i_NAME d_NAME)"
                        : "Illegal set command");
            }
            context.Out.WriteLine($"  {count} settings made for {keyword}");
        }
    }

    private static readonly HashSet<string> LammpsKeywords =
    [
        "mol", "mass", "shape", "length", "tri", "theta", "theta/random", "angmom", "omega", "diameter", "density",
        "density/disc", "volume", "quat", "quat/random", "spin", "spin/random", "bond", "angle", "dihedral", "improper",
        "sph/e", "sph/cv", "sph/rho", "edpd/temp", "edpd/cv", "cc", "smd/mass/density", "smd/contact/radius", "dpd/theta",
        "epsilon", "type/ratio", "type/subset", "dipole", "dipole/random", "temperature", "i_", "d_",
    ];

    private static bool IsLammpsKeyword(string k) => LammpsKeywords.Contains(k) || k.StartsWith("i_", StringComparison.Ordinal) || k.StartsWith("d_", StringComparison.Ordinal);

    /// <summary>LAMMPS' utils::bounds: <c>N</c>, <c>*</c>, <c>N*</c>, <c>*N</c>, <c>M*N</c> within 1..max.</summary>
    private static (long Lo, long Hi) Bounds(string text, long max, string what)
    {
        static long P(string s, long dflt) => s.Length == 0 ? dflt
            : long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
            : throw new UserInputException($"Invalid range string: {s}");
        long lo, hi;
        var star = text.IndexOf('*');
        if (star < 0) lo = hi = P(text, 0);
        else
        {
            lo = P(text[..star], 1);
            hi = P(text[(star + 1)..], max);
        }
        if (lo < 1 || hi > max || lo > hi) throw new UserInputException($"Numeric index {text} is out of bounds (1-{max}) for {what}");
        return (lo, hi);
    }

    private static int IntValue(DeckArguments args, int i)
    {
        if (i >= args.Count) throw new UserInputException("Illegal set command");
        return int.TryParse(args[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v
            : throw new UserInputException($"Expected integer parameter instead of '{args[i]}' in input script or data file");
    }

    /// <summary>
    /// A value <c>v_NAME</c>: LAMMPS' set takes atom-style variables only (an equal-style one is refused), evaluated for
    /// every atom before any is set; null for a plain number.
    /// </summary>
    private static double[]? AtomVariable(DeckContext context, string w)
    {
        if (!w.StartsWith("v_", StringComparison.Ordinal)) return null;
        if (!context.Variables.TryGetValue(w[2..], out var v)) throw new UserInputException("Variable name for set command does not exist");
        if (!v.IsPerAtom) throw new UserInputException("Variable for set command is invalid style");
        return context.Runner.EvaluateAtomVariable(v);
    }

    private static double Plain(DeckArguments args, int i)
    {
        if (i >= args.Count) throw new UserInputException("Illegal set command");
        var w = args[i];
        return double.TryParse(w, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d
            : throw new UserInputException($"Expected floating point parameter instead of '{w}' in input script or data file");
    }
}
