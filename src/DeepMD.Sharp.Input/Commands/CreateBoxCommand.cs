namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Input.Geometry;

/// <summary>
/// <c>create_box N REGION-ID [bond/types N] [angle/types N] [dihedral/types N] [improper/types N] [extra/.../per/atom N]</c>:
/// a box spanning a region, with N atom types (and bonded type counts for molecular styles): orthogonal for a block region,
/// triclinic (bounds and tilts xy xz yz of the prism) for a prism region, as LAMMPS.
/// </summary>
[DeckCommand("create_box")]
public sealed class CreateBoxCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(2, "N REGION-ID");
        var n = args.Int(0, "number of atom types");
        if (!context.Regions.TryGetValue(args[1], out var region)) throw args.Error($"region '{args[1]}' does not exist");
        var p = context.Periodic;
        var topoTypes = new int[4];
        for (var k = 2; k < args.Count; k += 2)
        {
            // LAMMPS' keywords for molecular styles: bonded type counts (kept) and extra/... per atom (nothing to reserve here).
            var slot = args[k] switch { "bond/types" => 0, "angle/types" => 1, "dihedral/types" => 2, "improper/types" => 3, _ => -1 };
            if (slot < 0 && args[k] is not ("extra/bond/per/atom" or "extra/angle/per/atom" or "extra/dihedral/per/atom" or "extra/improper/per/atom" or "extra/special/per/atom"))
                throw args.UnknownKeyword(args[k], ["bond/types", "angle/types", "dihedral/types", "improper/types", "extra/bond/per/atom", "extra/angle/per/atom", "extra/dihedral/per/atom", "extra/improper/per/atom", "extra/special/per/atom"]);
            var v = args.Int(k + 1, args[k]);
            if (slot >= 0)
            {
                if (!context.MolecularStyle) throw args.Error($"No {args[k].Split('/')[0]}s allowed with this atom style");
                topoTypes[slot] = v;
            }
        }
        void SetTypes(Simulation s)
        {
            s.Atoms.Topology.BondTypes = topoTypes[0];
            s.Atoms.Topology.AngleTypes = topoTypes[1];
            s.Atoms.Topology.DihedralTypes = topoTypes[2];
            s.Atoms.Topology.ImproperTypes = topoTypes[3];
        }
        if (region is PrismRegion q)
        {
            if (q.XLo <= -PrismRegion.Big || q.XHi >= PrismRegion.Big || q.YLo <= -PrismRegion.Big || q.YHi >= PrismRegion.Big
                || q.ZLo <= -PrismRegion.Big || q.ZHi >= PrismRegion.Big)
                throw args.Error("the region must be bounded");
            context.Out.WriteLine($"Created triclinic box = ({Fmt(q.XLo)} {Fmt(q.YLo)} {Fmt(q.ZLo)}) to ({Fmt(q.XHi)} {Fmt(q.YHi)} {Fmt(q.ZHi)}) with tilt ({Fmt(q.Xy)} {Fmt(q.Xz)} {Fmt(q.Yz)})");
            // LAMMPS' Domain::set_initial_box: a tilt over half the box length it is measured against is refused
            // in a periodic direction ("box tilt large" only turns that into a warning in LAMMPS before 2024).
            double lx = q.XHi - q.XLo, ly = q.YHi - q.YLo;
            if (p[0] && Math.Abs(q.Xy / lx) > 0.5) throw Skew(args, "xy", q.Xy, "x", lx);
            if (p[0] && Math.Abs(q.Xz / lx) > 0.5) throw Skew(args, "xz", q.Xz, "x", lx);
            if (p[1] && Math.Abs(q.Yz / ly) > 0.5) throw Skew(args, "yz", q.Yz, "y", ly);
            var tri = context.CreateSimulation();
            tri.CreateBox(new SimulationBox(q.XLo, q.XHi, q.YLo, q.YHi, q.ZLo, q.ZHi, q.Xy, q.Xz, q.Yz, p[0], p[1], p[2]), n);
            tri.Box!.SetBoundary(context.Boundary);
            tri.TriclinicStyle = true; // a prism box is triclinic in LAMMPS even with zero tilts
            SetTypes(tri);
            return;
        }
        var r = region as BlockRegion
            ?? throw args.Error($"a box from region '{region.Id}' of this style is not supported yet; define the box with a block or prism region");
        if (r.XHi >= double.MaxValue || r.XLo <= -double.MaxValue || r.YHi >= double.MaxValue || r.ZHi >= double.MaxValue)
            throw args.Error("the region must be bounded");
        var sim = context.CreateSimulation();
        sim.CreateBox(new SimulationBox(r.XLo, r.XHi, r.YLo, r.YHi, r.ZLo, r.ZHi, 0, 0, 0, p[0], p[1], p[2]), n);
        // LAMMPS' set_initial_box: shrink-wrapped faces move out by 1e-4 of the box length, 'm' faces remember their bound
        sim.Box!.SetBoundary(context.Boundary);
        SetTypes(sim);
        context.Out.WriteLine($"Created orthogonal box = ({Fmt(r.XLo)} {Fmt(r.YLo)} {Fmt(r.ZLo)}) to ({Fmt(r.XHi)} {Fmt(r.YHi)} {Fmt(r.ZHi)})");
    }

    private static Exception Skew(DeckArguments args, string tilt, double value, string axis, double length) =>
        args.Error($"Triclinic box skew is too large: |{tilt}| = {Fmt(Math.Abs(value))} is more than half the {axis} length {Fmt(length)} " +
            $"(LAMMPS refuses this too); use a smaller {tilt} tilt or an equivalent box with the tilt reduced by multiples of the {axis} length");

    private static string Fmt(double v) => IO.CFormat.G(v, 8);
}
