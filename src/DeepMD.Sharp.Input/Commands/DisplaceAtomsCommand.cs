namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Dynamics.Editing;

/// <summary>
/// <c>displace_atoms GROUP move dx dy dz [units lattice|box]</c> and
/// <c>displace_atoms GROUP random dx dy dz SEED [units lattice|box]</c> (lattice units by default, as in LAMMPS).
/// </summary>
[DeckCommand("displace_atoms")]
public sealed class DisplaceAtomsCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(5, "GROUP move|random dx dy dz [SEED] [units lattice|box]");
        var sim = context.Simulation;
        var group = context.Group(args[0]);
        var style = args[1];
        var nextKeyword = style switch
        {
            "move" => 5,
            "random" => 6,
            _ => throw args.UnknownKeyword(style, ["move", "random"]),
        };
        if (style == "random") args.RequireAtLeast(6, "GROUP random dx dy dz SEED");
        var lattice = true;
        for (var k = nextKeyword; k < args.Count; k += 2)
        {
            if (args[k] != "units") throw args.UnknownKeyword(args[k], ["units"]);
            if (k + 1 >= args.Count) throw args.Error("units needs lattice or box");
            lattice = args[k + 1] switch { "lattice" => true, "box" => false, _ => throw args.UnknownKeyword(args[k + 1], ["lattice", "box"]) };
        }
        double sx = 1, sy = 1, sz = 1;
        if (lattice && context.Lattice is { } lat) (sx, sy, sz) = (lat.XLattice, lat.YLattice, lat.ZLattice);
        double dx = sx * args.Double(2, "dx"), dy = sy * args.Double(3, "dy"), dz = sz * args.Double(4, "dz");
        context.Out.WriteLine("Displacing atoms ...");
        if (style == "move") AtomDisplacer.Move(sim, group, dx, dy, dz);
        else AtomDisplacer.Random(sim, group, dx, dy, dz, args.Int(5, "seed"));
    }
}
