namespace DeepMD.Sharp.Input.Commands;

/// <summary>
/// <c>create_atoms TYPE box|region ID|single x y z</c>: lattice points inside the box (or region) become atoms, in
/// LAMMPS' order (z, y, x, basis) and with LAMMPS' boundary rule (points on the upper periodic face excluded).
/// </summary>
[DeckCommand("create_atoms")]
public sealed class CreateAtomsCommand : IDeckCommand
{
    private const double Epsilon = 1.0e-6;

    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(2, "TYPE box | TYPE region ID | TYPE single x y z");
        var sim = context.Simulation;
        var type = args.Int(0, "atom type");
        if (type < 1 || type > sim.TypeCount) throw args.Error($"atom type {type} is outside 1..{sim.TypeCount}");
        var box = sim.Box!;
        var nextId = sim.Atoms.MaxId() + 1;
        var before = sim.Atoms.Count;
        if (args[1] == "single")
        {
            args.RequireAtLeast(5, "TYPE single x y z");
            double x = args.Double(2, "x"), y = args.Double(3, "y"), z = args.Double(4, "z");
            var boxUnits = args.Count >= 7 && args[5] == "units" && args[6] == "box";
            if (!boxUnits)
            {
                var lat = context.Lattice ?? throw args.Error("uses lattice units but no lattice is defined; add 'units box'");
                (x, y, z) = (x * lat.XLattice, y * lat.YLattice, z * lat.ZLattice);
            }
            sim.Atoms.Add(nextId, type - 1, x, y, z);
            context.Out.WriteLine("Created 1 atoms");
            return;
        }
        Geometry.BlockRegion? region = null;
        if (args[1] == "region")
        {
            args.RequireAtLeast(3, "TYPE region ID");
            if (!context.Regions.TryGetValue(args[2], out region)) throw args.Error($"region '{args[2]}' does not exist");
        }
        else if (args[1] != "box") throw args.UnknownKeyword(args[1], ["box", "region", "single"]);
        var lattice = context.Lattice ?? throw args.Error("needs a lattice; add a lattice command first");
        if (lattice.Basis.Length == 0) throw args.Error("cannot create atoms with lattice none");
        if (box.IsTriclinic) throw args.Error("create_atoms on triclinic boxes is not supported yet");

        var lo = (double[])box.Lo.Clone();
        var hi = (double[])box.Hi.Clone();
        double[] prd = [box.Lx, box.Ly, box.Lz];
        for (var d = 0; d < 3; d++)
        {
            if (!box.Periodic[d]) continue;
            lo[d] -= prd[d] * Epsilon;
            hi[d] -= 2.0 * prd[d] * Epsilon;
        }
        var (lx0, ly0, lz0) = lattice.ToLattice(box.Lo[0], box.Lo[1], box.Lo[2]);
        var (lx1, ly1, lz1) = lattice.ToLattice(box.Hi[0], box.Hi[1], box.Hi[2]);
        int ilo = (int)lx0 - 1, ihi = (int)lx1 + 1, jlo = (int)ly0 - 1, jhi = (int)ly1 + 1, klo = (int)lz0 - 1, khi = (int)lz1 + 1;
        if (lx0 < 0) ilo--;
        if (ly0 < 0) jlo--;
        if (lz0 < 0) klo--;
        for (var k = klo; k <= khi; k++)
            for (var j = jlo; j <= jhi; j++)
                for (var i = ilo; i <= ihi; i++)
                    foreach (var b in lattice.Basis)
                    {
                        var (x, y, z) = lattice.ToBox(i + b[0], j + b[1], k + b[2]);
                        if (region is not null && !region.Contains(x, y, z)) continue;
                        if (x < lo[0] || x >= hi[0] || y < lo[1] || y >= hi[1] || z < lo[2] || z >= hi[2]) continue;
                        sim.Atoms.Add(nextId++, type - 1, x, y, z);
                    }
        context.Out.WriteLine($"Created {sim.Atoms.Count - before} atoms");
    }
}
