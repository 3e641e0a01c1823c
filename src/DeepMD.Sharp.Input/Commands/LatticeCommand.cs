namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Input.Geometry;

/// <summary><c>lattice STYLE SCALE</c> (sc, bcc, fcc, hcp, diamond, none); in lj units SCALE is the reduced density.</summary>
[DeckCommand("lattice")]
public sealed class LatticeCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(2, "STYLE SCALE");
        var scale = args.Double(1, "lattice scale");
        if (args.Count > 2) throw args.Error($"lattice options ({args[2]} ...) are not supported yet; only 'lattice STYLE SCALE'");
        if (args[0] == "none")
        {
            context.Lattice = Lattice.None(scale);
            return;
        }
        var lat = Lattice.Create(args[0], scale, context.Units.Name == "lj");
        context.Lattice = lat;
        context.Out.WriteLine($"Lattice spacing in x,y,z = {IO.CFormat.G(lat.XLattice, 8)} {IO.CFormat.G(lat.YLattice, 8)} {IO.CFormat.G(lat.ZLattice, 8)}");
    }
}
