namespace DeepMD.Sharp.Input.Styles;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// <c>fix ID GROUP wall/reflect/stochastic diffusive|maxwell|ccl seed face coord T vx vy vz [acc | accx accy accz] ...
/// [units lattice|box]</c>: faces xlo..zhi at EDGE or a constant (lattice units by default, as LAMMPS); maxwell takes
/// one accommodation coefficient, ccl one per direction, diffusive none. LAMMPS' errors: periodic face, z in 2-d, a
/// face twice, a wall velocity normal to its wall, a triclinic box.
/// </summary>
[FixStyle("wall/reflect/stochastic")]
public sealed class WallReflectStochasticFixStyle : IFixStyle
{
    private static readonly string[] Faces = ["xlo", "xhi", "ylo", "yhi", "zlo", "zhi"];

    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        static UserInputException Illegal(string why) => new($"Illegal fix wall/reflect/stochastic command: {why}");
        var sim = context.Simulation;
        var box = sim.Box!;
        if (box.IsTriclinic) throw new UserInputException("Fix wall/reflect/stochastic cannot be used with triclinic simulation box");
        if (args.Count < 5) throw Illegal("usage: diffusive|maxwell|ccl seed face coord T vx vy vz [accommodation...]");
        var (style, perWall) = args[0] switch
        {
            "diffusive" => (StochasticReflection.Diffusive, 6),
            "maxwell" => (StochasticReflection.Maxwell, 7),
            "ccl" => (StochasticReflection.Ccl, 9),
            var s => throw Illegal($"unknown reflection '{s}' (diffusive, maxwell, ccl)"),
        };
        var seed = args.Int(1, "seed");
        if (seed <= 0) throw new UserInputException("Random seed must be a positive number");
        var walls = new List<(int Which, bool Edge, double Coord, double T, double[] V, double[] Acc)>();
        var lattice = true;
        for (var k = 2; k < args.Count;)
        {
            var which = Array.IndexOf(Faces, args[k]);
            if (which >= 0)
            {
                if (k + perWall > args.Count) throw Illegal($"{args[k]} needs {perWall - 1} values");
                if (walls.Any(w => w.Which == which)) throw new UserInputException("Fix wall/reflect/stochastic command wall defined twice");
                var dim = which / 2;
                var edge = args[k + 1] == "EDGE";
                var coord = edge ? (which % 2 == 0 ? box.Lo[dim] : box.Hi[dim]) : args.Double(k + 1, "wall position");
                var t = args.Double(k + 2, "wall temperature");
                var vel = new double[3];
                var acc = new double[3];
                for (var d = 0; d < 3; d++)
                {
                    vel[d] = args.Double(k + 3 + d, "wall velocity");
                    if (vel[d] != 0 && d == dim) throw new UserInputException("The wall velocity must be tangential");
                    if (style == StochasticReflection.Ccl) acc[d] = args.Double(k + 6 + d, "accommodation coefficient");
                    else if (style == StochasticReflection.Maxwell) acc[d] = args.Double(k + 6, "accommodation coefficient");
                }
                walls.Add((which, edge, coord, t, vel, acc));
                k += perWall;
            }
            else if (args[k] == "units")
            {
                if (k + 2 > args.Count) throw Illegal("units needs box or lattice");
                lattice = args[k + 1] switch { "box" => false, "lattice" => true, _ => throw Illegal($"units '{args[k + 1]}' (box or lattice)") };
                k += 2;
            }
            else throw Illegal($"unknown keyword '{args[k]}' (xlo xhi ylo yhi zlo zhi units)");
        }
        if (walls.Count == 0) throw new UserInputException("Illegal fix wall command");
        foreach (var w in walls)
        {
            if (box.Periodic[w.Which / 2]) throw new UserInputException("Cannot use fix wall/reflect/stochastic in periodic dimension");
            if (w.Which >= 4 && sim.Dimension == 2) throw new UserInputException("Cannot use fix wall/reflect/stochastic zlo/zhi for a 2d simulation");
        }
        double[] scale = [1, 1, 1];
        if (lattice && context.Lattice is { } lat) scale = [lat.XLattice, lat.YLattice, lat.ZLattice];
        return new FixWallReflectStochastic(id, style, seed, walls.Select(w => new StochasticWall(
            w.Which / 2, w.Which % 2 == 1, w.Edge ? w.Coord : w.Coord * scale[w.Which / 2], w.T, w.V, w.Acc)));
    }
}
