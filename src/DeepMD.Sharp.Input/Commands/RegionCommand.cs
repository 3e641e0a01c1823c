namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Input.Geometry;

/// <summary><c>region ID block xlo xhi ylo yhi zlo zhi [units lattice|box] [side in|out]</c>; INF and EDGE allowed.</summary>
[DeckCommand("region")]
public sealed class RegionCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(8, "ID block xlo xhi ylo yhi zlo zhi [units lattice|box] [side in|out]");
        if (args[1] != "block") throw args.Error($"region style '{args[1]}' is not supported; use block");
        var latticeUnits = true;
        var inside = true;
        for (var k = 8; k < args.Count; k += 2)
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
                if (w == "INF") return hi ? double.MaxValue : -double.MaxValue;
                var box = context.Simulation.Box!;
                return hi ? box.Hi[dim] : box.Lo[dim];
            }
            return scale * args.Double(i, "region bound");
        }
        var r = new BlockRegion(args[0], Bound(2, sx, 0, false), Bound(3, sx, 0, true), Bound(4, sy, 1, false), Bound(5, sy, 1, true),
            Bound(6, sz, 2, false), Bound(7, sz, 2, true), inside);
        if (r.XLo > r.XHi || r.YLo > r.YHi || r.ZLo > r.ZHi) throw args.Error("block bounds must have lo <= hi");
        context.Regions[args[0]] = r;
    }
}
