namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Input.Geometry;

/// <summary>
/// <c>region ID block xlo xhi ylo yhi zlo zhi [units lattice|box] [side in|out]</c> and
/// <c>region ID prism xlo xhi ylo yhi zlo zhi xy xz yz [...]</c>, <c>region ID sphere x y z radius</c>,
/// <c>region ID cylinder x|y|z c1 c2 radius lo hi</c>, <c>region ID plane px py pz nx ny nz</c>,
/// <c>region ID union|intersect N reg1 ... regN</c> and <c>region ID delete</c>; INF and EDGE allowed for bounds.
/// Options as LAMMPS: <c>units</c>, <c>side</c>, <c>move v_x|NULL v_y|NULL v_z|NULL</c>,
/// <c>rotate v_theta Px Py Pz Rx Ry Rz</c> (not for union/intersect). In lattice units bounds scale by the lattice
/// spacings, and (as LAMMPS' region prism) xy and xz by the x spacing, yz by the y spacing; a plane's point and normal
/// (before normalising) by the spacings of their dimensions, a rotation point likewise; move displacements are in box units.
/// </summary>
[DeckCommand("region")]
public sealed class RegionCommand : IDeckCommand
{
    private static readonly string[] RegionStyles = ["block", "prism", "sphere", "cylinder", "plane", "union", "intersect"];

    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(2, "ID block|prism|sphere|cylinder|plane|union|intersect|delete ...");
        if (args[1] == "delete")
        {
            if (args.Count != 2) throw new Core.Errors.UserInputException("Illegal region command");
            if (!context.Regions.Remove(args[0])) throw new Core.Errors.UserInputException("Delete region ID does not exist");
            return;
        }
        if (!RegionStyles.Contains(args[1]))
            throw args.Error($"region style '{args[1]}' is not supported; use {string.Join(", ", RegionStyles)}");
        var prism = args[1] == "prism";
        var composite = args[1] is "union" or "intersect";
        var parts = new List<Region>();
        if (composite)
        {
            if (args.Count < 5) throw new Core.Errors.UserInputException("Illegal region command");
            var n = args.Int(2, "number of sub-regions");
            if (n < 2 || args.Count < 3 + n) throw new Core.Errors.UserInputException("Illegal region command");
            for (var i = 0; i < n; i++)
                parts.Add(context.Regions.TryGetValue(args[3 + i], out var sub) ? sub
                    : throw new Core.Errors.UserInputException($"Region {args[1]} region ID does not exist"));
        }
        var first = args[1] switch { "prism" => 11, "sphere" => 6, "union" or "intersect" => 3 + parts.Count, _ => 8 };
        if (args[1] == "sphere") args.RequireAtLeast(6, "ID sphere x y z radius [units lattice|box] [side in|out]");
        if (args[1] == "cylinder") args.RequireAtLeast(8, "ID cylinder x|y|z c1 c2 radius lo hi [units lattice|box] [side in|out]");
        if (args[1] == "plane") args.RequireAtLeast(8, "ID plane px py pz nx ny nz [units lattice|box] [side in|out]");
        if (prism) args.RequireAtLeast(11, "ID prism xlo xhi ylo yhi zlo zhi xy xz yz [units lattice|box] [side in|out]");
        else if (args[1] == "block") args.RequireAtLeast(8, "ID block xlo xhi ylo yhi zlo zhi [units lattice|box] [side in|out]");
        var latticeUnits = true;
        var inside = true;
        string?[] move = [null, null, null];
        string? theta = null;
        double[] rotPoint = [0, 0, 0], rotAxis = [0, 0, 0];
        for (var k = first; k < args.Count;)
        {
            switch (args[k])
            {
                case "units":
                    if (k + 1 >= args.Count) throw new Core.Errors.UserInputException("Illegal region command");
                    latticeUnits = args[k + 1] == "lattice" ? true : args[k + 1] == "box" ? false : throw args.UnknownKeyword(args[k + 1], ["lattice", "box"]);
                    k += 2;
                    break;
                case "side":
                    if (k + 1 >= args.Count) throw new Core.Errors.UserInputException("Illegal region command");
                    inside = args[k + 1] == "in" ? true : args[k + 1] == "out" ? false : throw args.UnknownKeyword(args[k + 1], ["in", "out"]);
                    k += 2;
                    break;
                case "move":
                    if (k + 4 > args.Count) throw new Core.Errors.UserInputException("Illegal region command");
                    for (var d = 0; d < 3; d++)
                    {
                        var w = args[k + 1 + d];
                        if (w == "NULL") continue;
                        if (!w.StartsWith("v_", StringComparison.Ordinal)) throw new Core.Errors.UserInputException("Illegal region command");
                        move[d] = w;
                    }
                    k += 4;
                    break;
                case "rotate":
                    if (k + 8 > args.Count) throw new Core.Errors.UserInputException("Illegal region command");
                    if (!args[k + 1].StartsWith("v_", StringComparison.Ordinal)) throw new Core.Errors.UserInputException("Illegal region command");
                    theta = args[k + 1];
                    for (var d = 0; d < 3; d++)
                    {
                        rotPoint[d] = args.Double(k + 2 + d, "rotation point");
                        rotAxis[d] = args.Double(k + 5 + d, "rotation axis");
                    }
                    k += 8;
                    break;
                case "open":
                    throw args.Error("the region option 'open' is not supported yet (it only matters to fix wall/region)");
                default:
                    throw new Core.Errors.UserInputException($"Illegal region command: unknown keyword '{args[k]}' (valid: units, side, move, rotate, open)");
            }
        }
        var dynamic = theta is not null || move.Any(m => m is not null);
        if (dynamic && composite) throw new Core.Errors.UserInputException("Region union or intersect cannot be dynamic");
        if (composite)
        {
            context.Regions[args[0]] = args[1] == "union" ? new UnionRegion(args[0], parts, inside) : new IntersectRegion(args[0], parts, inside);
            return;
        }
        double sx = 1, sy = 1, sz = 1;
        if (latticeUnits)
        {
            var lat = context.Lattice ?? Geometry.Lattice.None(1.0) /* LAMMPS' default lattice none 1.0 */;
            (sx, sy, sz) = (lat.XLattice, lat.YLattice, lat.ZLattice);
        }
        RegionMotion? motion = null;
        if (dynamic)
        {
            Func<double>? Var(string? w)
            {
                if (w is null) return null;
                var name = w[2..];
                if (!context.Variables.TryGetValue(name, out var v)) throw new Core.Errors.UserInputException("Variable name for region does not exist");
                if (v.Style is not ("equal" or "internal")) throw new Core.Errors.UserInputException("Variable for region is invalid style");
                return () => context.Runner.Evaluate(w);
            }
            var len = Math.Sqrt(rotAxis[0] * rotAxis[0] + rotAxis[1] * rotAxis[1] + rotAxis[2] * rotAxis[2]);
            if (theta is not null && len == 0.0) throw new Core.Errors.UserInputException("Region cannot have 0 length rotation vector");
            motion = new RegionMotion(Var(move[0]), Var(move[1]), Var(move[2]), Var(theta),
                (sx * rotPoint[0], sy * rotPoint[1], sz * rotPoint[2]), theta is null ? (0, 0, 0) : (rotAxis[0] / len, rotAxis[1] / len, rotAxis[2] / len));
        }
        context.Regions[args[0]] = Shape(context, args, prism, sx, sy, sz, inside) with { Motion = motion };
    }

    private static Region Shape(DeckContext context, DeckArguments args, bool prism, double sx, double sy, double sz, bool inside)
    {
        double Bound(int i, double scale, int dim, bool hi)
        {
            var w = args[i];
            if (w is "INF" or "EDGE")
            {
                var box = context.Simulation.Box ?? throw args.Error($"{w} needs a box; create the box before this region");
                if (w == "INF") return prism ? (hi ? PrismRegion.Big : -PrismRegion.Big) : hi ? double.MaxValue : -double.MaxValue;
                return hi ? BoundingHi(box, dim) : BoundingLo(box, dim);
            }
            return scale * args.Double(i, "region bound");
        }
        if (args[1] == "plane")
        {
            double nx = sx * args.Double(5, "normal x"), ny = sy * args.Double(6, "normal y"), nz = sz * args.Double(7, "normal z");
            var rsq = nx * nx + ny * ny + nz * nz;
            if (rsq == 0.0) throw new Core.Errors.UserInputException("Illegal region plane command");
            var norm = Math.Sqrt(rsq);
            return new PlaneRegion(args[0], sx * args.Double(2, "x"), sy * args.Double(3, "y"), sz * args.Double(4, "z"), nx / norm, ny / norm, nz / norm, inside);
        }
        if (args[1] == "sphere")
        {
            var radius = sx * args.Double(5, "sphere radius");
            if (radius < 0) throw new Core.Errors.UserInputException("Illegal region sphere command");
            return new SphereRegion(args[0], sx * args.Double(2, "x"), sy * args.Double(3, "y"), sz * args.Double(4, "z"), radius, inside);
        }
        if (args[1] == "cylinder")
        {
            // As LAMMPS: the centre coordinates scale by their dimensions' spacings, the radius by the first of them.
            var axis = args[2] switch { "x" => 0, "y" => 1, "z" => 2, _ => throw new Core.Errors.UserInputException("Illegal region cylinder command") };
            var scales = new[] { sx, sy, sz };
            var (s1, s2) = axis switch { 0 => (sy, sz), 1 => (sx, sz), _ => (sx, sy) };
            var radius = s1 * args.Double(5, "cylinder radius");
            if (radius < 0) throw new Core.Errors.UserInputException("Illegal region cylinder command");
            var lo = Bound(6, scales[axis], axis, false);
            var hi = Bound(7, scales[axis], axis, true);
            return new CylinderRegion(args[0], axis, s1 * args.Double(3, "c1"), s2 * args.Double(4, "c2"), radius, lo, hi, inside);
        }
        if (prism)
        {
            double xlo = Bound(2, sx, 0, false), xhi = Bound(3, sx, 0, true), ylo = Bound(4, sy, 1, false), yhi = Bound(5, sy, 1, true);
            double zlo = Bound(6, sz, 2, false), zhi = Bound(7, sz, 2, true);
            double xy = sx * args.Double(8, "xy tilt"), xz = sx * args.Double(9, "xz tilt"), yz = sy * args.Double(10, "yz tilt");
            if (xlo >= xhi || ylo >= yhi || zlo >= zhi)
                throw args.Error("Illegal region prism command: each lo bound must be below its hi bound (LAMMPS refuses zero or negative thickness)");
            bool infX = xlo == -PrismRegion.Big && xhi == PrismRegion.Big, infY = ylo == -PrismRegion.Big && yhi == PrismRegion.Big,
                infZ = zlo == -PrismRegion.Big && zhi == PrismRegion.Big;
            if ((xy != 0 && (infX || infY)) || (xz != 0 && (infX || infZ)) || (yz != 0 && (infY || infZ)))
                throw args.Error("Illegal region prism command: a nonzero tilt cannot be used with a dimension that is INF on both ends");
            return new PrismRegion(args[0], xlo, xhi, ylo, yhi, zlo, zhi, xy, xz, yz, inside);
        }
        var r = new BlockRegion(args[0], Bound(2, sx, 0, false), Bound(3, sx, 0, true), Bound(4, sy, 1, false), Bound(5, sy, 1, true),
            Bound(6, sz, 2, false), Bound(7, sz, 2, true), inside);
        if (r.XLo > r.XHi || r.YLo > r.YHi || r.ZLo > r.ZHi) throw args.Error("block bounds must have lo <= hi");
        return r;
    }

    // LAMMPS' boxlo_bound/boxhi_bound: the bounding box of a triclinic box (the box itself when orthogonal).
    internal static double BoundingLo(Core.Geometry.SimulationBox b, int dim) => dim switch
    {
        0 => b.Lo[0] + Math.Min(Math.Min(0.0, b.Xy), Math.Min(b.Xz, b.Xy + b.Xz)),
        1 => b.Lo[1] + Math.Min(0.0, b.Yz),
        _ => b.Lo[2],
    };

    internal static double BoundingHi(Core.Geometry.SimulationBox b, int dim) => dim switch
    {
        0 => b.Hi[0] + Math.Max(Math.Max(0.0, b.Xy), Math.Max(b.Xz, b.Xy + b.Xz)),
        1 => b.Hi[1] + Math.Max(0.0, b.Yz),
        _ => b.Hi[2],
    };
}
