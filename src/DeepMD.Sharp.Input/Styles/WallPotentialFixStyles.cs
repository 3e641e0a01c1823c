namespace DeepMD.Sharp.Input.Styles;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// <c>fix ID GROUP wall/lj93|wall/lj126|wall/lj1043|wall/harmonic face coord epsilon sigma cutoff ... [units lattice|box]
/// [fld no] [pbc yes|no]</c>, LAMMPS' arguments and checks: faces xlo … zhi, coord EDGE, a number (lattice spacings by
/// default) or an equal-style variable <c>v_NAME</c> (scaled the same way), ε and σ numbers or equal-style variables
/// (evaluated at every force evaluation), cutoff a number; <c>pbc yes</c> allows a wall on a periodic face. <c>fld yes</c>
/// (forces before the pair evaluation, for the FLD package) is not supported.
/// </summary>
public static class WallPotentialArguments
{
    private static readonly string[] Faces = ["xlo", "xhi", "ylo", "yhi", "zlo", "zhi"];

    public static Fix Create(DeckContext context, string id, DeckArguments args, FixWall.Form form)
    {
        static UserInputException Illegal() => new("Illegal fix wall command");
        var sim = context.Simulation;
        var box = sim.Box ?? throw new UserInputException("Fix command before simulation box is defined");
        var faces = new List<(int Which, string Coord, string Eps, string Sigma, double Cutoff)>();
        var lattice = true;
        var pbc = false;
        for (var k = 0; k < args.Count;)
        {
            var w = args[k];
            var which = Array.IndexOf(Faces, w);
            if (which >= 0)
            {
                if (k + 5 > args.Count) throw Illegal();
                if (faces.Any(x => x.Which == which)) throw new UserInputException("Wall defined twice in fix wall command");
                faces.Add((which, args[k + 1], args[k + 2], args[k + 3], Num(args[k + 4])));
                k += 5;
            }
            else if (w is "units" or "fld" or "pbc")
            {
                if (k + 2 > args.Count) throw Illegal();
                var v = args[k + 1];
                if (w == "units") lattice = v switch { "box" => false, "lattice" => true, _ => throw Illegal() };
                else if (w == "pbc") pbc = v switch { "yes" => true, "no" => false, _ => throw Illegal() };
                else if (v == "yes") throw args.Error("fld yes (wall forces before the pair evaluation, for the FLD package) is not supported");
                else if (v != "no") throw Illegal();
                k += 2;
            }
            else throw Illegal();
        }
        if (faces.Count == 0) throw Illegal();
        if (faces.Any(f => f.Cutoff <= 0.0)) throw new UserInputException("Fix wall cutoff <= 0.0");
        if (faces.Any(f => f.Which >= 4) && sim.Dimension == 2) throw new UserInputException("Cannot use fix wall zlo/zhi for a 2d simulation");
        if (!pbc && faces.Any(f => box.Periodic[f.Which / 2])) throw new UserInputException("Cannot use fix wall in periodic dimension");
        double[] scale = [1, 1, 1];
        if (lattice && context.Lattice is { } lat) scale = [lat.XLattice, lat.YLattice, lat.ZLattice];
        var walls = new List<FixWall.Wall>();
        foreach (var (which, coord, eps, sigma, cutoff) in faces)
        {
            var dim = which / 2;
            Func<double> position;
            if (coord == "EDGE")
            {
                var edge = which % 2 == 0 ? box.Lo[dim] : box.Hi[dim];
                position = () => edge;
            }
            else if (coord.StartsWith("v_", StringComparison.Ordinal))
            {
                var variable = Variable(context, coord);
                var s = scale[dim];
                position = () => variable() * s;
            }
            else
            {
                var c = Num(coord) * scale[dim];
                position = () => c;
            }
            var variableParameters = eps.StartsWith("v_", StringComparison.Ordinal) || sigma.StartsWith("v_", StringComparison.Ordinal);
            walls.Add(new FixWall.Wall(dim, which % 2 == 1, position, Parameter(context, eps), Parameter(context, sigma), cutoff, variableParameters));
        }
        return new FixWall(id, form, walls);
    }

    private static Func<double> Parameter(DeckContext context, string w)
    {
        if (w.StartsWith("v_", StringComparison.Ordinal)) return Variable(context, w);
        var c = Num(w);
        return () => c;
    }

    /// <summary>An equal-style variable, looked up when the run uses it (LAMMPS checks at init, so the deck may define it after the fix).</summary>
    private static Func<double> Variable(DeckContext context, string w)
    {
        var name = w[2..];
        return () =>
        {
            if (!context.Variables.TryGetValue(name, out var v)) throw new UserInputException($"Variable name for fix wall does not exist: {name}");
            if (v.Style is not ("equal" or "internal")) throw new UserInputException($"Variable for fix wall is invalid style: {name} is {v.Style}, not equal");
            return context.Runner.Evaluate(w);
        };
    }

    private static double Num(string w) =>
        double.TryParse(w, NumberStyles.Float, CultureInfo.InvariantCulture, out var c) && double.IsFinite(c) ? c
        : throw new UserInputException($"Expected floating point parameter instead of '{w}' in input script or data file");
}

/// <summary><c>fix ID GROUP wall/lj93 face coord ε σ cutoff ...</c>: E = ε [2/15 (σ/r)⁹ − (σ/r)³], shifted (<see cref="WallPotentialArguments"/>).</summary>
[FixStyle("wall/lj93")]
public sealed class WallLj93FixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args) => WallPotentialArguments.Create(context, id, args, FixWall.Form.Lj93);
}

/// <summary><c>fix ID GROUP wall/lj126 face coord ε σ cutoff ...</c>: E = 4ε [(σ/r)¹² − (σ/r)⁶], shifted.</summary>
[FixStyle("wall/lj126")]
public sealed class WallLj126FixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args) => WallPotentialArguments.Create(context, id, args, FixWall.Form.Lj126);
}

/// <summary><c>fix ID GROUP wall/lj1043 face coord ε σ cutoff ...</c>: E = 2πε [2/5 (σ/r)¹⁰ − (σ/r)⁴ − √2 σ³ / (3 (r + 0.61/√2 σ)³)], shifted.</summary>
[FixStyle("wall/lj1043")]
public sealed class WallLj1043FixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args) => WallPotentialArguments.Create(context, id, args, FixWall.Form.Lj1043);
}

/// <summary><c>fix ID GROUP wall/harmonic face coord ε σ cutoff ...</c>: E = ε (rc − r)² for r &lt; rc (σ is read and unused).</summary>
[FixStyle("wall/harmonic")]
public sealed class WallHarmonicFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args) => WallPotentialArguments.Create(context, id, args, FixWall.Form.Harmonic);
}

/// <summary><c>fix ID GROUP viscous gamma [scale type ratio ...]</c>, LAMMPS' arguments.</summary>
[FixStyle("viscous")]
public sealed class ViscousFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        static UserInputException Illegal() => new("Illegal fix viscous command");
        if (args.Count < 1) throw Illegal();
        var gamma0 = Num(args[0]);
        var types = context.Simulation.TypeCount;
        var gamma = Enumerable.Repeat(gamma0, types).ToArray();
        for (var k = 1; k < args.Count;)
        {
            if (args[k] != "scale" || k + 3 > args.Count) throw Illegal();
            var t = int.TryParse(args[k + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
                : throw new UserInputException($"Expected integer parameter instead of '{args[k + 1]}' in input script or data file");
            if (t <= 0 || t > types) throw new UserInputException("Illegal fix viscous command");
            gamma[t - 1] = gamma0 * Num(args[k + 2]);
            k += 3;
        }
        return new FixViscous(id, gamma);
    }

    private static double Num(string w) =>
        double.TryParse(w, NumberStyles.Float, CultureInfo.InvariantCulture, out var c) && double.IsFinite(c) ? c
        : throw new UserInputException($"Expected floating point parameter instead of '{w}' in input script or data file");
}

/// <summary><c>fix ID GROUP spring tether K x y z R0 | couple GROUP2 K x y z R0</c> (NULL leaves a component free), LAMMPS' arguments.</summary>
[FixStyle("spring")]
public sealed class SpringFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        static UserInputException Illegal() => new("Illegal fix spring command");
        if (args.Count < 6) throw Illegal();
        Dynamics.Groups.AtomGroup? group2 = null;
        int k;
        if (args[0] == "tether")
        {
            if (args.Count != 6) throw Illegal();
            k = 1;
        }
        else if (args[0] == "couple")
        {
            if (args.Count != 7) throw Illegal();
            if (!context.Groups.TryGetValue(args[1], out group2)) throw new UserInputException("Fix spring couple group ID does not exist");
            k = 2;
        }
        else throw Illegal();
        double? Coord(string w) => w == "NULL" ? null : Num(w);
        var fix = new FixSpring(id, Num(args[k]), Coord(args[k + 1]), Coord(args[k + 2]), Coord(args[k + 3]), Num(args[k + 4]), group2);
        return fix;
    }

    private static double Num(string w) =>
        double.TryParse(w, NumberStyles.Float, CultureInfo.InvariantCulture, out var c) && double.IsFinite(c) ? c
        : throw new UserInputException($"Expected floating point parameter instead of '{w}' in input script or data file");
}
