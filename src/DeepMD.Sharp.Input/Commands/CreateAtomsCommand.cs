namespace DeepMD.Sharp.Input.Commands;

/// <summary>
/// <c>create_atoms TYPE box|region ID|single x y z|random N SEED REGION|NULL [mol TEMPLATE SEED]</c>: lattice points inside the box (or region)
/// become atoms (with <c>mol</c> and TYPE 0: molecules of the template, centred at each point and rotated at random with
/// LAMMPS' generator, new molecule ids, bonded terms with their atoms' ids), in
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
        var molAt = Enumerable.Range(2, Math.Max(0, args.Count - 2)).FirstOrDefault(k => args[k] == "mol", -1);
        _molecule = null;
        if (molAt >= 0)
        {
            args.RequireAtLeast(molAt + 3, "... mol TEMPLATE-ID SEED");
            if (type != 0) throw args.Error("Invalid atom type in create_atoms mol command: use type 0 with mol (the template gives the types)");
            if (!context.MoleculeTemplates.TryGetValue(args[molAt + 1], out var template)) throw args.Error($"Molecule template ID {args[molAt + 1]} for create_atoms does not exist");
            if (!sim.Atoms.HasMolecule && (template.Topology.Bonds.Count > 0 || template.Topology.Angles.Count > 0))
                throw args.Error($"Molecule template {template.Id} has bonds but atom style {sim.Atoms.Style} holds none");
            CheckTypes(args, template, sim);
            var seed = args.Int(molAt + 2, "seed");
            if (seed <= 0) throw args.Error("Illegal create_atoms command: the mol seed must be positive");
            _molecule = template;
            _random = new Dynamics.Random.MarsagliaRandom(seed);
            _moleculeOffset = sim.Atoms.Count == 0 ? 0 : sim.Atoms.Molecule[..sim.Atoms.Count].Max();
            _inserted = 0;
            _dimension = sim.Dimension;
        }
        else if (type < 1 || type > sim.TypeCount) throw args.Error($"atom type {type} is outside 1..{sim.TypeCount}");
        var box = sim.Box!;
        var nextId = sim.Atoms.MaxId() + 1;
        var before = sim.Atoms.Count;
        if (args[1] == "single")
        {
            args.RequireAtLeast(5, "TYPE single x y z");
            double x = args.Double(2, "x"), y = args.Double(3, "y"), z = args.Double(4, "z");
            var boxUnits = Enumerable.Range(5, Math.Max(0, args.Count - 6)).Any(k => args[k] == "units" && args[k + 1] == "box");
            if (!boxUnits)
            {
                var lat = context.Lattice ?? Geometry.Lattice.None(1.0) /* LAMMPS' default lattice none 1.0 */;
                (x, y, z) = (x * lat.XLattice, y * lat.YLattice, z * lat.ZLattice);
            }
            Place(sim, ref nextId, type, x, y, z);
            Finish(context, sim, before);
            return;
        }
        if (args[1] == "random")
        {
            AddRandom(context, args, type, ref nextId);
            Finish(context, sim, before);
            return;
        }
        Geometry.Region? region = null;
        if (args[1] == "region")
        {
            args.RequireAtLeast(3, "TYPE region ID");
            if (!context.Regions.TryGetValue(args[2], out region)) throw args.Error($"region '{args[2]}' does not exist");
        }
        else if (args[1] != "box") throw args.UnknownKeyword(args[1], ["box", "region", "single", "random"]);
        var lattice = context.Lattice ?? throw args.Error("needs a lattice; add a lattice command first");
        if (lattice.Basis.Length == 0) throw args.Error("cannot create atoms with lattice none");
        if (box.IsTriclinic)
        {
            AddTriclinic(context, lattice, region, type, ref nextId);
            Finish(context, sim, before);
            return;
        }

        var lo = (double[])box.Lo.Clone();
        var hi = (double[])box.Hi.Clone();
        double[] prd = [box.Lx, box.Ly, box.Lz];
        for (var d = 0; d < 3; d++)
        {
            if (!box.Periodic[d]) continue;
            lo[d] -= prd[d] * Epsilon;
            hi[d] -= 2.0 * prd[d] * Epsilon;
        }
        var (ilo, ihi, jlo, jhi, klo, khi) = LoopBounds(lattice, box.Lo[0], box.Lo[1], box.Lo[2], box.Hi[0], box.Hi[1], box.Hi[2]);
        for (var k = klo; k <= khi; k++)
            for (var j = jlo; j <= jhi; j++)
                for (var i = ilo; i <= ihi; i++)
                    foreach (var b in lattice.Basis)
                    {
                        var (x, y, z) = lattice.ToBox(i + b[0], j + b[1], k + b[2]);
                        if (region is not null && !region.Contains(x, y, z)) continue;
                        if (x < lo[0] || x >= hi[0] || y < lo[1] || y >= hi[1] || z < lo[2] || z >= hi[2]) continue;
                        Place(sim, ref nextId, type, x, y, z);
                    }
        Finish(context, sim, before);
    }

    /// <summary>
    /// LAMMPS' add_lattice for a triclinic box: loop over the lattice points of the box's bounding box (in lattice
    /// units), keep those in the region and whose fractional coordinates (LAMMPS' x2lamda) are in [0, 1) along
    /// periodic directions, widened by 1e-6 below and narrowed by 2e-6 above as LAMMPS does.
    /// </summary>
    private void AddTriclinic(DeckContext context, Geometry.Lattice lattice, Geometry.Region? region, int type, ref int nextId)
    {
        var sim = context.Simulation;
        var box = sim.Box!;
        double[] lo = [0, 0, 0], hi = [1, 1, 1];
        for (var d = 0; d < 3; d++)
        {
            if (!box.Periodic[d]) continue;
            lo[d] -= Epsilon;
            hi[d] -= 2.0 * Epsilon;
        }
        // Domain::set_global_box's h_inv, term for term.
        double h0 = box.Lx, h1 = box.Ly, h2 = box.Lz, h3 = box.Yz, h4 = box.Xz, h5 = box.Xy;
        double i0 = 1.0 / h0, i1 = 1.0 / h1, i2 = 1.0 / h2;
        var i3 = -h3 / (h1 * h2);
        var i4 = (h3 * h5 - h1 * h4) / (h0 * h1 * h2);
        var i5 = -h5 / (h0 * h1);
        double bxlo = RegionCommand.BoundingLo(box, 0), bylo = RegionCommand.BoundingLo(box, 1), bzlo = box.Lo[2];
        double bxhi = RegionCommand.BoundingHi(box, 0), byhi = RegionCommand.BoundingHi(box, 1), bzhi = box.Hi[2];
        var (ilo, ihi, jlo, jhi, klo, khi) = LoopBounds(lattice, bxlo, bylo, bzlo, bxhi, byhi, bzhi);
        for (var k = klo; k <= khi; k++)
            for (var j = jlo; j <= jhi; j++)
                for (var i = ilo; i <= ihi; i++)
                    foreach (var bas in lattice.Basis)
                    {
                        var (x, y, z) = lattice.ToBox(i + bas[0], j + bas[1], k + bas[2]);
                        if (region is not null && !region.Contains(x, y, z)) continue;
                        double dx = x - box.Lo[0], dy = y - box.Lo[1], dz = z - box.Lo[2];
                        var la = i0 * dx + i5 * dy + i4 * dz;
                        var lb = i1 * dy + i3 * dz;
                        var lc = i2 * dz;
                        if (la < lo[0] || la >= hi[0] || lb < lo[1] || lb >= hi[1] || lc < lo[2] || lc >= hi[2]) continue;
                        Place(sim, ref nextId, type, x, y, z);
                    }
    }

    /// <summary>
    /// LAMMPS' add_random: <c>create_atoms TYPE random N SEED REGION|NULL</c>. One Park–Miller generator from SEED, warmed
    /// up by 30 draws; for each of the N atoms (or molecules) three uniform draws give a point in the box (its bounding
    /// box when triclinic) narrowed to the region's bounding box when it has one (z at the box's middle in 2-d), drawn
    /// again until the point is in the region and, when triclinic, inside the box in fractional coordinates; a point
    /// on the upper face of an orthogonal box is dropped as LAMMPS' sub-domain test drops it.
    /// </summary>
    private void AddRandom(DeckContext context, DeckArguments args, int type, ref int nextId)
    {
        static Core.Errors.UserInputException Illegal() => new("Illegal create_atoms command");
        if (args.Count < 5) throw Illegal();
        var sim = context.Simulation;
        var box = sim.Box!;
        var count = args.Int(2, "N");
        var seed = args.Int(3, "seed");
        Geometry.Region? region = null;
        if (args[4] != "NULL" && !context.Regions.TryGetValue(args[4], out region)) throw new Core.Errors.UserInputException("Create_atoms region ID does not exist");
        for (var k = 5; k < args.Count;)
        {
            switch (args[k])
            {
                case "mol": k += 3; break;
                case "units" or "remap":
                    if (k + 1 >= args.Count || args[k + 1] is not ("box" or "lattice" or "yes" or "no")) throw Illegal();
                    k += 2;
                    break;
                case "basis": k += 3; break;
                case "var" or "set" or "rotate" or "ratio" or "subset":
                    throw args.Error($"the keyword '{args[k]}' is not supported with create_atoms random yet");
                default: throw Illegal();
            }
        }
        if (count < 0 || seed <= 0) throw Illegal();
        var random = new Dynamics.Random.ParkMillerRandom(seed);
        for (var i = 0; i < 30; i++) random.Uniform();
        var triclinic = box.IsTriclinic || sim.TriclinicStyle;
        double xlo, xhi, ylo, yhi, zlo, zhi;
        if (!triclinic) (xlo, xhi, ylo, yhi, zlo, zhi) = (box.Lo[0], box.Hi[0], box.Lo[1], box.Hi[1], box.Lo[2], box.Hi[2]);
        else
            (xlo, xhi, ylo, yhi, zlo, zhi) = (RegionCommand.BoundingLo(box, 0), RegionCommand.BoundingHi(box, 0),
                RegionCommand.BoundingLo(box, 1), RegionCommand.BoundingHi(box, 1), box.Lo[2], box.Hi[2]);
        var zmid = zlo + 0.5 * (zhi - zlo);
        if (region?.Extent is { } e)
        {
            (xlo, xhi) = (Math.Max(xlo, e.XLo), Math.Min(xhi, e.XHi));
            (ylo, yhi) = (Math.Max(ylo, e.YLo), Math.Min(yhi, e.YHi));
            (zlo, zhi) = (Math.Max(zlo, e.ZLo), Math.Min(zhi, e.ZHi));
        }
        if (xlo > xhi || ylo > yhi || zlo > zhi) throw new Core.Errors.UserInputException("No overlap of box and region for create_atoms");
        // Domain::set_global_box's h_inv, term for term (x2lamda).
        double h0 = box.Lx, h1 = box.Ly, h2 = box.Lz, h3 = box.Yz, h4 = box.Xz, h5 = box.Xy;
        double i0 = 1.0 / h0, i1 = 1.0 / h1, i2 = 1.0 / h2;
        var i3 = -h3 / (h1 * h2);
        var i4 = (h3 * h5 - h1 * h4) / (h0 * h1 * h2);
        var i5 = -h5 / (h0 * h1);
        for (var n = 0; n < count; n++)
        {
            double x, y, z;
            while (true)
            {
                x = xlo + random.Uniform() * (xhi - xlo);
                y = ylo + random.Uniform() * (yhi - ylo);
                z = zlo + random.Uniform() * (zhi - zlo);
                if (sim.Dimension == 2) z = zmid;
                var valid = region is null || region.Contains(x, y, z);
                if (triclinic)
                {
                    double dx = x - box.Lo[0], dy = y - box.Lo[1], dz = z - box.Lo[2];
                    var la = i0 * dx + i5 * dy + i4 * dz;
                    var lb = i1 * dy + i3 * dz;
                    var lc = i2 * dz;
                    if (la < 0.0 || la >= 1.0 || lb < 0.0 || lb >= 1.0 || lc < 0.0 || lc >= 1.0) valid = false;
                }
                if (valid) break;
            }
            if (!triclinic && (x < box.Lo[0] || x >= box.Hi[0] || y < box.Lo[1] || y >= box.Hi[1] || z < box.Lo[2] || z >= box.Hi[2])) continue;
            Place(sim, ref nextId, type, x, y, z);
        }
    }

    /// <summary>
    /// LAMMPS' loop bounds: the 8 corners of the (bounding) box in lattice coordinates (box2lattice, so origin and
    /// orientation count), their extent widened by one cell each way, and one more below a negative minimum.
    /// </summary>
    private static (int, int, int, int, int, int) LoopBounds(Geometry.Lattice lattice, double xlo, double ylo, double zlo, double xhi, double yhi, double zhi)
    {
        double xmin = 1e30, ymin = 1e30, zmin = 1e30, xmax = -1e30, ymax = -1e30, zmax = -1e30;
        foreach (var cz in new[] { zlo, zhi })
            foreach (var cy in new[] { ylo, yhi })
                foreach (var cx in new[] { xlo, xhi })
                {
                    var (a, b, c) = lattice.ToLattice(cx, cy, cz);
                    (xmin, xmax) = (Math.Min(xmin, a), Math.Max(xmax, a));
                    (ymin, ymax) = (Math.Min(ymin, b), Math.Max(ymax, b));
                    (zmin, zmax) = (Math.Min(zmin, c), Math.Max(zmax, c));
                }
        int ilo = (int)xmin - 1, ihi = (int)xmax + 1, jlo = (int)ymin - 1, jhi = (int)ymax + 1, klo = (int)zmin - 1, khi = (int)zmax + 1;
        if (xmin < 0) ilo--;
        if (ymin < 0) jlo--;
        if (zmin < 0) klo--;
        return (ilo, ihi, jlo, jhi, klo, khi);
    }

    private MoleculeTemplate? _molecule;
    private Dynamics.Random.MarsagliaRandom? _random;
    private int _moleculeOffset, _inserted, _dimension = 3;

    private static void CheckTypes(DeckArguments args, MoleculeTemplate t, Dynamics.Simulation sim)
    {
        if (t.Types.Max() > sim.TypeCount) throw args.Error($"Invalid atom type in molecule file: template {t.Id} uses type {t.Types.Max()} but the box has {sim.TypeCount}");
        var topo = sim.Atoms.Topology;
        (List<Core.Atoms.BondedTerm> Terms, int Types, string Kind)[] kinds =
            [(t.Topology.Bonds, topo.BondTypes, "bond"), (t.Topology.Angles, topo.AngleTypes, "angle"), (t.Topology.Dihedrals, topo.DihedralTypes, "dihedral"), (t.Topology.Impropers, topo.ImproperTypes, "improper")];
        foreach (var (terms, types, kind) in kinds)
            if (terms.Count > 0 && terms.Max(b => b.Type) > types)
                throw args.Error($"Invalid {kind} type in molecule file: template {t.Id} uses {kind} type {terms.Max(b => b.Type)} but the box declares {types} (create_box ... {kind}/types N)");
    }

    /// <summary>One atom of TYPE, or with a molecule template one molecule centred at the point, rotated at random as LAMMPS' create_atoms mol.</summary>
    private void Place(Dynamics.Simulation sim, ref int nextId, int type, double x, double y, double z)
    {
        var a = sim.Atoms;
        if (_molecule is not { } t)
        {
            a.Add(nextId++, type - 1, x, y, z);
            return;
        }
        // LAMMPS: a random unit axis (z in 2-d) and angle, through a quaternion to a rotation matrix.
        var rng = _random!;
        double r0 = rng.Uniform() - 0.5, r1 = rng.Uniform() - 0.5, r2 = rng.Uniform() - 0.5;
        if (_dimension == 2) (r0, r1, r2) = (0, 0, 1);
        var norm = 1.0 / Math.Sqrt(r0 * r0 + r1 * r1 + r2 * r2);
        (r0, r1, r2) = (r0 * norm, r1 * norm, r2 * norm);
        var theta = rng.Uniform() * 2 * Math.PI;
        var half = 0.5 * theta;
        var sin = Math.Sin(half);
        double qw = Math.Cos(half), qi = r0 * sin, qj = r1 * sin, qk = r2 * sin;
        double w2 = qw * qw, i2 = qi * qi, j2 = qj * qj, k2 = qk * qk;
        double ij = 2 * qi * qj, ik = 2 * qi * qk, jk = 2 * qj * qk, iw = 2 * qi * qw, jw = 2 * qj * qw, kw = 2 * qk * qw;
        double[,] m =
        {
            { w2 + i2 - j2 - k2, ij - kw, jw + ik },
            { ij + kw, w2 - i2 + j2 - k2, jk - iw },
            { ik - jw, jk + iw, w2 - i2 - j2 + k2 },
        };
        var molecule = _moleculeOffset + ++_inserted;
        var first = nextId;
        for (var k = 0; k < t.AtomCount; k++)
        {
            var d = t.Dx[k];
            var i = a.Add(nextId++, t.Types[k] - 1,
                m[0, 0] * d[0] + m[0, 1] * d[1] + m[0, 2] * d[2] + x,
                m[1, 0] * d[0] + m[1, 1] * d[1] + m[1, 2] * d[2] + y,
                m[2, 0] * d[0] + m[2, 1] * d[1] + m[2, 2] * d[2] + z);
            a.Molecule[i] = molecule;
            if (t.Charges is { } q) a.Q[i] = q[k];
        }
        var offset = first - 1;
        var topo = a.Topology;
        foreach (var b in t.Topology.Bonds) topo.Bonds.Add(b.Shifted(offset));
        foreach (var b in t.Topology.Angles) topo.Angles.Add(b.Shifted(offset));
        foreach (var b in t.Topology.Dihedrals) topo.Dihedrals.Add(b.Shifted(offset));
        foreach (var b in t.Topology.Impropers) topo.Impropers.Add(b.Shifted(offset));
    }

    private void Finish(DeckContext context, Dynamics.Simulation sim, int before)
    {
        if (_molecule is not null)
        {
            // LAMMPS resets the box (shrink-wrapped faces close in on the atoms) after creating molecules only; atoms
            // created one by one leave a shrink-wrapped box as it is until the run, so a later create_atoms can still
            // fill the rest of it (friction/in.friction)
            sim.ShrinkWrapBox();
            Dynamics.Editing.AtomDisplacer.RemapAll(sim);
            context.Out.WriteLine($"Created {sim.Atoms.Count - before} atoms");
            _molecule = null;
            return;
        }
        context.Out.WriteLine($"Created {sim.Atoms.Count - before} atoms");
    }
}
