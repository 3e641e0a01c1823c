namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Dynamics;

/// <summary><c>create_box N REGION-ID</c>: an orthogonal box spanning a block region, with N atom types.</summary>
[DeckCommand("create_box")]
public sealed class CreateBoxCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(2, "N REGION-ID");
        var n = args.Int(0, "number of atom types");
        if (!context.Regions.TryGetValue(args[1], out var r)) throw args.Error($"region '{args[1]}' does not exist");
        if (r.XHi >= double.MaxValue || r.XLo <= -double.MaxValue || r.YHi >= double.MaxValue || r.ZHi >= double.MaxValue)
            throw args.Error("the region must be bounded");
        var sim = context.CreateSimulation();
        var p = context.Periodic;
        sim.CreateBox(new SimulationBox(r.XLo, r.XHi, r.YLo, r.YHi, r.ZLo, r.ZHi, 0, 0, 0, p[0], p[1], p[2]), n);
        context.Out.WriteLine($"Created orthogonal box = ({Fmt(r.XLo)} {Fmt(r.YLo)} {Fmt(r.ZLo)}) to ({Fmt(r.XHi)} {Fmt(r.YHi)} {Fmt(r.ZHi)})");
    }

    private static string Fmt(double v) => IO.CFormat.G(v, 8);
}
