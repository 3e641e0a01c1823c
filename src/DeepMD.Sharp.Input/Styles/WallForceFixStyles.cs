namespace DeepMD.Sharp.Input.Styles;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// <c>fix ID GROUP wall/reflect face coord ... [units lattice|box]</c>: faces xlo xhi ylo yhi zlo zhi, each at EDGE (the
/// box face) or a constant (in lattice spacings by default, as LAMMPS); refused, with LAMMPS' texts, on a periodic face,
/// on z in 2-d, twice on one face. Equal-style variable walls are not supported yet.
/// </summary>
[FixStyle("wall/reflect")]
public sealed class WallReflectFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        static UserInputException Illegal() => new("Illegal fix wall/reflect command");
        if (args.Count < 1) throw Illegal();
        var sim = context.Simulation;
        var box = sim.Box!;
        var walls = new List<(int Which, bool Edge, double Coord)>();
        var lattice = true;
        for (var k = 0; k < args.Count;)
        {
            var w = args[k];
            var which = Array.IndexOf(Faces, w);
            if (which >= 0)
            {
                if (k + 2 > args.Count) throw Illegal();
                if (walls.Any(x => x.Which == which)) throw new UserInputException("Wall defined twice in fix wall/reflect command");
                var v = args[k + 1];
                if (v == "EDGE") walls.Add((which, true, which % 2 == 0 ? box.Lo[which / 2] : box.Hi[which / 2]));
                else if (v.StartsWith("v_", StringComparison.Ordinal)) throw args.Error($"a wall position from a variable ('{v}') is not supported yet; give EDGE or a number");
                else walls.Add((which, false, double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var c) && double.IsFinite(c) ? c
                    : throw new UserInputException($"Expected floating point parameter instead of '{v}' in input script or data file")));
                k += 2;
            }
            else if (w == "units")
            {
                if (k + 2 > args.Count) throw new UserInputException("Illegal wall/reflect command");
                lattice = args[k + 1] switch { "box" => false, "lattice" => true, _ => throw Illegal() };
                k += 2;
            }
            else throw Illegal();
        }
        if (walls.Count == 0) throw new UserInputException("Illegal fix wall command");
        foreach (var (which, _, _) in walls)
        {
            if (box.Periodic[which / 2]) throw new UserInputException("Cannot use fix wall/reflect in periodic dimension");
            if (which >= 4 && sim.Dimension == 2) throw new UserInputException("Cannot use fix wall/reflect zlo/zhi for a 2d simulation");
        }
        double[] scale = [1, 1, 1];
        if (lattice && context.Lattice is { } lat) scale = [lat.XLattice, lat.YLattice, lat.ZLattice];
        return new FixWallReflect(id, walls.Select(x => (x.Which / 2, x.Which % 2 == 1, x.Edge ? x.Coord : x.Coord * scale[x.Which / 2])));
    }

    private static readonly string[] Faces = ["xlo", "xhi", "ylo", "yhi", "zlo", "zhi"];
}

/// <summary><c>fix ID GROUP addforce fx fy fz [region R]</c>: constants, equal- or atom-style variables (<c>v_name</c>); <c>every</c>/<c>energy</c> not yet.</summary>
[FixStyle("addforce")]
public sealed class AddForceFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        if (args.Count < 3) throw new UserInputException("Illegal fix addforce command");
        var v = ForceFixArguments.Components(context, args, "addforce", allowNull: false);
        var region = ForceFixArguments.Region(context, args, "addforce");
        return new FixAddForce(id, v[0]!, v[1]!, v[2]!, region);
    }
}

/// <summary><c>fix ID GROUP aveforce fx fy fz [region R]</c> with constant values or NULL (variables not yet).</summary>
[FixStyle("aveforce")]
public sealed class AveForceFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        if (args.Count < 3) throw new UserInputException("Illegal fix aveforce command");
        var v = ForceFixArguments.Values(args, "aveforce", allowNull: true);
        var region = ForceFixArguments.Region(context, args, "aveforce");
        return new FixAveForce(id, v[0], v[1], v[2], region);
    }
}

internal static class ForceFixArguments
{
    /// <summary>
    /// fx fy fz as constants, NULL (when allowed) or <c>v_name</c>: an equal-style variable (evaluated at each
    /// application) or an atom-style one (a value per atom), with LAMMPS' texts for a missing or wrong-style variable.
    /// </summary>
    public static ForceComponent?[] Components(DeckContext context, DeckArguments args, string style, bool allowNull)
    {
        var values = new ForceComponent?[3];
        for (var d = 0; d < 3; d++)
        {
            var w = args[d];
            if (w.StartsWith("v_", StringComparison.Ordinal))
            {
                var name = w[2..];
                if (!context.Variables.TryGetValue(name, out var variable)) throw new UserInputException($"Variable name for fix {style} does not exist: {name}");
                values[d] = variable.Style switch
                {
                    "equal" => ForceComponent.Equal(() => context.Runner.Evaluate(context.Variables.TryGetValue(name, out var now) ? now.Current
                        : throw new UserInputException($"Variable name for fix {style} does not exist: {name}"))),
                    "atom" or "atomfile" => ForceComponent.Atom(() => context.Runner.AtomVariable(name, $"fix {style}")),
                    _ => throw new UserInputException($"Variable for fix {style} is invalid style: {name} is {variable.Style}-style"),
                };
                continue;
            }
            if (w == "NULL" && allowNull) continue;
            values[d] = double.TryParse(w, NumberStyles.Float, CultureInfo.InvariantCulture, out var c) && double.IsFinite(c) ? ForceComponent.Constant(c)
                : throw new UserInputException($"Expected floating point parameter instead of '{w}' in input script or data file");
        }
        return values;
    }

    public static double?[] Values(DeckArguments args, string style, bool allowNull)
    {
        var values = new double?[3];
        for (var d = 0; d < 3; d++)
        {
            var w = args[d];
            if (w.StartsWith("v_", StringComparison.Ordinal)) throw args.Error($"a force from a variable ('{w}') is not supported yet; give a number{(allowNull ? " or NULL" : "")}");
            if (w == "NULL" && allowNull) continue;
            values[d] = double.TryParse(w, NumberStyles.Float, CultureInfo.InvariantCulture, out var c) && double.IsFinite(c) ? c
                : throw new UserInputException($"Expected floating point parameter instead of '{w}' in input script or data file");
        }
        return values;
    }

    public static Func<double, double, double, bool>? Region(DeckContext context, DeckArguments args, string style)
    {
        Func<double, double, double, bool>? region = null;
        for (var k = 3; k < args.Count; k += 2)
        {
            if (k + 2 > args.Count) throw new UserInputException($"Illegal fix {style} command");
            if (args[k] == "region")
            {
                if (!context.Regions.TryGetValue(args[k + 1], out var r)) throw new UserInputException($"Region ID for fix {style} does not exist");
                region = r.Contains;
            }
            else if (args[k] is "every" or "energy" && style == "addforce") throw args.Error($"keyword '{args[k]}' is not supported yet (only region)");
            else throw new UserInputException($"Illegal fix {style} command");
        }
        return region;
    }
}

/// <summary>
/// <c>fix ID GROUP indent K sphere x y z R | cylinder x|y|z c1 c2 R | plane x|y|z pos lo|hi [side in|out] [units lattice|box]</c>:
/// geometry numbers in lattice spacings by default (the radius by the x spacing), equal-style variables <c>v_NAME</c>
/// in box units re-evaluated at every force evaluation, as LAMMPS.
/// </summary>
[FixStyle("indent")]
public sealed class IndentFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        static UserInputException Illegal() => new("Illegal fix indent command");
        if (args.Count < 1) throw Illegal();
        var k = Num(args[0]);
        var shape = (FixIndent.Shape?)null;
        var axis = 0;
        var planeSide = 1;
        var outside = true;
        var lattice = true;
        string? x = null, y = null, z = null, r = null, p = null;
        for (var i = 1; i < args.Count;)
        {
            switch (args[i])
            {
                case "sphere":
                    if (i + 5 > args.Count) throw Illegal();
                    (x, y, z, r) = (args[i + 1], args[i + 2], args[i + 3], args[i + 4]);
                    shape = FixIndent.Shape.Sphere;
                    i += 5;
                    break;
                case "cylinder":
                    if (i + 5 > args.Count) throw Illegal();
                    axis = args[i + 1] switch { "x" => 0, "y" => 1, "z" => 2, _ => throw Illegal() };
                    if (axis == 0) (y, z) = (args[i + 2], args[i + 3]);
                    else if (axis == 1) (x, z) = (args[i + 2], args[i + 3]);
                    else (x, y) = (args[i + 2], args[i + 3]);
                    r = args[i + 4];
                    shape = FixIndent.Shape.Cylinder;
                    i += 5;
                    break;
                case "plane":
                    if (i + 4 > args.Count) throw Illegal();
                    axis = args[i + 1] switch { "x" => 0, "y" => 1, "z" => 2, _ => throw Illegal() };
                    p = args[i + 2];
                    planeSide = args[i + 3] switch { "lo" => -1, "hi" => 1, _ => throw Illegal() };
                    shape = FixIndent.Shape.Plane;
                    i += 4;
                    break;
                case "units":
                    if (i + 2 > args.Count) throw Illegal();
                    lattice = args[i + 1] switch { "box" => false, "lattice" => true, _ => throw Illegal() };
                    i += 2;
                    break;
                case "side":
                    if (i + 2 > args.Count) throw Illegal();
                    outside = args[i + 1] switch { "out" => true, "in" => false, _ => throw Illegal() };
                    i += 2;
                    break;
                default:
                    throw Illegal();
            }
        }
        if (shape is null) throw Illegal();
        double sx = 1, sy = 1, sz = 1;
        if (lattice && context.Lattice is { } lat) (sx, sy, sz) = (lat.XLattice, lat.YLattice, lat.ZLattice);
        Func<double> Value(string? w, double scale)
        {
            if (w is null) return () => 0.0;
            if (w.StartsWith("v_", StringComparison.Ordinal))
            {
                var name = w[2..];
                if (!context.Variables.TryGetValue(name, out var v)) throw new UserInputException("Variable name for fix indent does not exist");
                if (v.Style != "equal") throw new UserInputException("Variable for fix indent is not equal style");
                return () => context.Runner.Evaluate(w);
            }
            var c = Num(w) * scale;
            return () => c;
        }
        var plane = axis switch { 0 => sx, 1 => sy, _ => sz };
        return new FixIndent(id, k, shape.Value, axis, Value(x, sx), Value(y, sy), Value(z, sz), Value(r, sx), Value(p, plane), planeSide, outside);
    }

    private static double Num(string w) =>
        double.TryParse(w, NumberStyles.Float, CultureInfo.InvariantCulture, out var c) && double.IsFinite(c) ? c
        : throw new UserInputException($"Expected floating point parameter instead of '{w}' in input script or data file");
}
