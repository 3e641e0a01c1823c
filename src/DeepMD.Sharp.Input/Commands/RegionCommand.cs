namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Input.Geometry;

/// <summary>
/// <c>region ID block xlo xhi ylo yhi zlo zhi [units lattice|box] [side in|out]</c> and
/// <c>region ID prism xlo xhi ylo yhi zlo zhi xy xz yz [...]</c>, <c>region ID sphere x y z radius</c>,
/// <c>region ID cylinder x|y|z c1 c2 radius lo hi</c>; INF and EDGE allowed for bounds. In lattice units
/// bounds scale by the lattice spacings, and (as LAMMPS' region prism) xy and xz by the x spacing, yz by the y spacing.
/// </summary>
[DeckCommand("region")]
public sealed class RegionCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(2, "ID block|prism xlo xhi ylo yhi zlo zhi [xy xz yz] [units lattice|box] [side in|out]");
        if (args[1] is not ("block" or "prism" or "sphere" or "cylinder"))
            throw args.Error($"region style '{args[1]}' is not supported; use block, prism, sphere or cylinder");
        var prism = args[1] == "prism";
        var first = args[1] switch { "prism" => 11, "sphere" => 6, "cylinder" => 8, _ => 8 };
        if (args[1] == "sphere") args.RequireAtLeast(6, "ID sphere x y z radius [units lattice|box] [side in|out]");
        if (args[1] == "cylinder") args.RequireAtLeast(8, "ID cylinder x|y|z c1 c2 radius lo hi [units lattice|box] [side in|out]");
        if (prism) args.RequireAtLeast(11, "ID prism xlo xhi ylo yhi zlo zhi xy xz yz [units lattice|box] [side in|out]");
        else if (args[1] == "block") args.RequireAtLeast(8, "ID block xlo xhi ylo yhi zlo zhi [units lattice|box] [side in|out]");
        var latticeUnits = true;
        var inside = true;
        for (var k = first; k < args.Count; k += 2)
        {
            if (k + 1 >= args.Count) throw args.Error($"keyword '{args[k]}' needs a value");
            switch (args[k])
            {
                case "units": latticeUnits = args[k + 1] == "lattice" ? true : args[k + 1] == "box" ? false : throw args.UnknownKeyword(args[k + 1], ["lattice", "box"]); break;
                case "side": inside = args[k + 1] == "in" ? true : args[k + 1] == "out" ? false : throw args.UnknownKeyword(args[k + 1], ["in", "out"]); break;
                default: throw args.UnknownKeyword(args[k], ["units", "side"]);
            }
        }
        double sx = 1, sy = 1, sz = 1;
        if (latticeUnits)
        {
            var lat = context.Lattice ?? throw args.Error("uses lattice units but no lattice is defined; add a lattice command or 'units box'");
            (sx, sy, sz) = (lat.XLattice, lat.YLattice, lat.ZLattice);
        }
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
        if (args[1] == "sphere")
        {
            var radius = sx * args.Double(5, "sphere radius");
            if (radius < 0) throw new Core.Errors.UserInputException("Illegal region sphere command");
            context.Regions[args[0]] = new SphereRegion(args[0], sx * args.Double(2, "x"), sy * args.Double(3, "y"), sz * args.Double(4, "z"), radius, inside);
            return;
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
            context.Regions[args[0]] = new CylinderRegion(args[0], axis, s1 * args.Double(3, "c1"), s2 * args.Double(4, "c2"), radius, lo, hi, inside);
            return;
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
            context.Regions[args[0]] = new PrismRegion(args[0], xlo, xhi, ylo, yhi, zlo, zhi, xy, xz, yz, inside);
            return;
        }
        var r = new BlockRegion(args[0], Bound(2, sx, 0, false), Bound(3, sx, 0, true), Bound(4, sy, 1, false), Bound(5, sy, 1, true),
            Bound(6, sz, 2, false), Bound(7, sz, 2, true), inside);
        if (r.XLo > r.XHi || r.YLo > r.YHi || r.ZLo > r.ZHi) throw args.Error("block bounds must have lo <= hi");
        context.Regions[args[0]] = r;
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
