namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Input.Geometry;

/// <summary>
/// <c>region ID block xlo xhi ylo yhi zlo zhi [units lattice|box] [side in|out]</c> and
/// <c>region ID prism xlo xhi ylo yhi zlo zhi xy xz yz [...]</c>; INF and EDGE allowed for bounds. In lattice units
/// bounds scale by the lattice spacings, and (as LAMMPS' region prism) xy and xz by the x spacing, yz by the y spacing.
/// </summary>
[DeckCommand("region")]
public sealed class RegionCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(2, "ID block|prism xlo xhi ylo yhi zlo zhi [xy xz yz] [units lattice|box] [side in|out]");
        if (args[1] is not ("block" or "prism")) throw args.Error($"region style '{args[1]}' is not supported; use block or prism");
        var prism = args[1] == "prism";
        var first = prism ? 11 : 8;
        if (prism) args.RequireAtLeast(11, "ID prism xlo xhi ylo yhi zlo zhi xy xz yz [units lattice|box] [side in|out]");
        else args.RequireAtLeast(8, "ID block xlo xhi ylo yhi zlo zhi [units lattice|box] [side in|out]");
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
