namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Input.Geometry;

/// <summary>
/// <c>lattice STYLE SCALE [origin x y z] [orient x|y|z i j k] [spacing dx dy dz] [a1|a2|a3 x y z] [basis x y z]</c>:
/// sc, bcc, fcc, hcp, diamond in 3-d, sq, sq2, hex in 2-d, custom in either, none; in lj units SCALE is the reduced
/// density (see <see cref="Lattice"/>).
/// </summary>
[DeckCommand("lattice")]
public sealed class LatticeCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(2, "STYLE SCALE [keyword values ...]");
        var lat = Lattice.Parse(args.Words, context.Dimension, context.Units.Name == "lj");
        context.Lattice = lat;
        if (lat.Style == "none") return;
        context.Out.WriteLine($"Lattice spacing in x,y,z = {IO.CFormat.G(lat.XLattice, 8)} {IO.CFormat.G(lat.YLattice, 8)} {IO.CFormat.G(lat.ZLattice, 8)}");
    }
}
