namespace DeepMD.Sharp.Input.Styles;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Dynamics.Fixes;
using DeepMD.Sharp.Dynamics.Random;
using DeepMD.Sharp.Input.Commands;
using DeepMD.Sharp.Input.Geometry;

/// <summary>
/// <c>fix ID group deposit N TYPE M SEED region R [keywords]</c>, as LAMMPS' fix deposit (<see cref="FixDeposit"/>):
/// keywords <c>region</c>, <c>mol</c>, <c>molfrac</c>, <c>id max|next</c>, <c>global lo hi</c>, <c>local lo hi delta</c>,
/// <c>near R</c>, <c>attempt Q</c>, <c>rate V</c>, <c>vx|vy|vz lo hi</c>, <c>orient rx ry rz</c>, <c>units lattice|box</c>,
/// <c>gaussian x y z sigma</c>, <c>target x y z</c>; LAMMPS' checks and texts. Not: <c>rigid</c>, <c>shake</c>, triclinic boxes.
/// </summary>
[FixStyle("deposit")]
public sealed class DepositFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        static UserInputException Illegal() => new("Illegal fix deposit command");
        if (args.Count < 4) throw Illegal();
        var sim = context.Simulation;
        var s = new FixDeposit.Settings
        {
            Count = args.Int(0, "N"),
            Type = args.Int(1, "type"),
            Every = args.Int(2, "M"),
            Seed = args.Int(3, "seed"),
        };
        if (s.Seed <= 0) throw Illegal();
        double Num(int k) => k < args.Count && double.TryParse(args[k], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw Illegal();
        var scale = true;
        Region? region = null;
        for (var k = 4; k < args.Count;)
        {
            switch (args[k])
            {
                case "region":
                    if (k + 2 > args.Count) throw Illegal();
                    if (!context.Regions.TryGetValue(args[k + 1], out region)) throw new UserInputException("Region ID for fix deposit does not exist");
                    k += 2;
                    break;
                case "mol":
                    if (k + 2 > args.Count) throw Illegal();
                    if (!context.MoleculeTemplates.TryGetValue(args[k + 1], out var template)) throw new UserInputException("Molecule template ID for fix deposit does not exist");
                    s.Molecules = [template];
                    s.MolFraction = [1.0];
                    k += 2;
                    break;
                case "molfrac":
                    if (s.Molecules.Length == 0) throw Illegal();
                    if (k + s.Molecules.Length + 1 > args.Count) throw Illegal();
                    s.MolFraction[0] = Num(k + 1);
                    for (var i = 1; i < s.Molecules.Length; i++) s.MolFraction[i] = s.MolFraction[i - 1] + Num(k + 1 + i);
                    if (s.MolFraction[^1] < 1.0 - 1.0e6 || s.MolFraction[^1] > 1.0 + 1.0e6) throw Illegal();
                    s.MolFraction[^1] = 1.0;
                    k += s.Molecules.Length + 1;
                    break;
                case "rigid" or "shake":
                    throw args.Error($"the keyword '{args[k]}' is not supported (dpsharp has no fix rigid/small or shake)");
                case "id":
                    if (k + 2 > args.Count) throw Illegal();
                    s.IdNext = args[k + 1] switch { "max" => false, "next" => true, _ => throw Illegal() };
                    k += 2;
                    break;
                case "global":
                    if (k + 3 > args.Count) throw Illegal();
                    (s.Global, s.Local, s.Lo, s.Hi) = (true, false, Num(k + 1), Num(k + 2));
                    k += 3;
                    break;
                case "local":
                    if (k + 4 > args.Count) throw Illegal();
                    (s.Local, s.Global, s.Lo, s.Hi) = (true, false, Num(k + 1), Num(k + 2));
                    s.DeltaSq = Num(k + 3) * Num(k + 3);
                    k += 4;
                    break;
                case "near":
                    if (k + 2 > args.Count) throw Illegal();
                    s.NearSq = Num(k + 1) * Num(k + 1);
                    k += 2;
                    break;
                case "attempt":
                    if (k + 2 > args.Count) throw Illegal();
                    s.MaxAttempt = args.Int(k + 1, "attempt");
                    k += 2;
                    break;
                case "rate":
                    if (k + 2 > args.Count) throw Illegal();
                    s.RateSet = true;
                    s.Rate = Num(k + 1);
                    k += 2;
                    break;
                case "vx" or "vy" or "vz":
                    if (k + 3 > args.Count) throw Illegal();
                    var d = args[k][1] - 'x';
                    (s.VLo[d], s.VHi[d]) = (Num(k + 1), Num(k + 2));
                    k += 3;
                    break;
                case "orient":
                    if (k + 4 > args.Count) throw Illegal();
                    s.Orient = [Num(k + 1), Num(k + 2), Num(k + 3)];
                    if (sim.Dimension == 2 && (s.Orient[0] != 0.0 || s.Orient[1] != 0.0)) throw new UserInputException("Illegal fix deposit orient settings");
                    if (s.Orient.All(v => v == 0.0)) throw new UserInputException("Illegal fix deposit orient settings");
                    k += 4;
                    break;
                case "units":
                    if (k + 2 > args.Count) throw Illegal();
                    scale = args[k + 1] switch { "box" => false, "lattice" => true, _ => throw Illegal() };
                    k += 2;
                    break;
                case "gaussian":
                    if (k + 5 > args.Count) throw Illegal();
                    s.Gaussian = true;
                    s.Mid = [Num(k + 1), Num(k + 2), Num(k + 3)];
                    s.Sigma = Num(k + 4);
                    k += 5;
                    break;
                case "target":
                    if (k + 4 > args.Count) throw Illegal();
                    s.Target = [Num(k + 1), Num(k + 2), Num(k + 3)];
                    k += 4;
                    break;
                default:
                    throw Illegal();
            }
        }
        var molecular = s.Molecules.Length > 0;
        if (!molecular && (s.Type <= 0 || s.Type > sim.TypeCount)) throw new UserInputException("Invalid atom type in fix deposit command");
        if (region is null) throw new UserInputException("Must specify a region in fix deposit");
        if (region.Extent is not { } e) throw new UserInputException("Fix deposit region does not support a bounding box");
        if (region.Motion is not null) throw new UserInputException("Fix deposit region cannot be dynamic");
        var box = sim.Box!;
        if (box.IsTriclinic || sim.TriclinicStyle) throw args.Error("triclinic boxes are not supported yet");
        if (e.XLo < box.Lo[0] || e.XHi > box.Hi[0] || e.YLo < box.Lo[1] || e.YHi > box.Hi[1] || e.ZLo < box.Lo[2] || e.ZHi > box.Hi[2])
            throw new UserInputException("Deposition region extends outside simulation box");
        foreach (var m in s.Molecules)
        {
            if (s.Type + m.Types.Max() <= 0 || s.Type + m.Types.Max() > sim.TypeCount) throw new UserInputException("Invalid atom type in fix deposit mol command");
            if (!sim.Atoms.HasMolecule && m.Topology.Bonds.Count + m.Topology.Angles.Count + m.Topology.Dihedrals.Count + m.Topology.Impropers.Count > 0)
                throw args.Error($"molecule template {m.Id} has bonded terms but atom style {sim.Atoms.Style} holds none");
        }
        double xs = 1, ys = 1, zs = 1;
        if (scale && context.Lattice is { } lat) (xs, ys, zs) = (lat.XLattice, lat.YLattice, lat.ZLattice);
        var vertical = sim.Dimension == 2 ? ys : zs;
        s.Lo *= vertical;
        s.Hi *= vertical;
        s.Rate *= vertical;
        s.DeltaSq *= xs * xs;
        s.NearSq *= xs * xs;
        (s.VLo[0], s.VHi[0], s.VLo[1], s.VHi[1], s.VLo[2], s.VHi[2]) = (s.VLo[0] * xs, s.VHi[0] * xs, s.VLo[1] * ys, s.VHi[1] * ys, s.VLo[2] * zs, s.VHi[2] * zs);
        s.Mid = [s.Mid[0] * xs, s.Mid[1] * ys, s.Mid[2] * zs];
        s.Sigma *= xs;
        if (s.Target is { } t) s.Target = [t[0] * xs, t[1] * ys, t[2] * zs];
        s.Extent = e;
        s.Match = region.Contains;
        return new FixDeposit(id, s, sim.Step);
    }
}

/// <summary>
/// LAMMPS' fix deposit: every M steps from the step after its definition (until N are in), one atom or molecule is
/// inserted at the rebuild that step forces, before the atoms are wrapped (pre_exchange): a point drawn in the region's
/// bounding box until it is in the region (uniform, or Gaussian about a centre), raised by the rate, or put lo..hi above
/// the highest atom (global) or the highest atom within delta laterally (local); a molecule drawn by molfrac and
/// rotated about a random axis (or the orient axis) and angle; rejected when any atom is nearer than <c>near</c> to
/// an existing atom (minimum image), up to <c>attempt</c> tries; then a velocity drawn uniform in [lo, hi) per
/// component (or aimed at the target with that speed). Every draw comes from one Park–Miller generator (SEED, warmed up
/// by 30 draws) in LAMMPS' order, so one-process runs insert what LAMMPS inserts. New atoms join the fix's group, get
/// ids after the largest (id max) or the last inserted (id next), new molecule ids, and come last in the storage order.
/// </summary>
public sealed class FixDeposit : Fix
{
    /// <summary>The parsed settings, in box units.</summary>
    public sealed class Settings
    {
        public int Count, Type, Every, Seed, MaxAttempt = 10;
        public MoleculeTemplate[] Molecules = [];
        public double[] MolFraction = [];
        public bool IdNext, Global, Local, RateSet, Gaussian;
        public double Lo, Hi, DeltaSq, NearSq, Rate, Sigma = 1.0;
        public double[] VLo = [0, 0, 0], VHi = [0, 0, 0], Mid = [0, 0, 0];
        public double[]? Orient, Target;
        public RegionExtent Extent;
        public Func<double, double, double, bool> Match = (_, _, _) => false;
    }

    private readonly Settings _s;
    private ParkMillerRandom _random;
    private long _first;
    private long _next;
    private int _inserted, _maxTag, _maxMolecule;
    private readonly double[][] _coords;
    private readonly int[][] _images;

    public FixDeposit(string id, Settings settings, long step) : base(id)
    {
        _s = settings;
        _random = new ParkMillerRandom(settings.Seed);
        for (var i = 0; i < 30; i++) _random.Uniform();
        _next = step + 1;
        _first = _next - settings.Every;
        var most = settings.Molecules.Length == 0 ? 1 : settings.Molecules.Max(m => m.AtomCount);
        _coords = Enumerable.Range(0, most).Select(_ => new double[3]).ToArray();
        _images = Enumerable.Range(0, most).Select(_ => new int[3]).ToArray();
        _idsKnown = false;
    }

    private bool _idsKnown;

    public override string Style => "deposit";

    public override bool SupportsGroups => true;

    public override bool TimeDependent => true;

    public override void Init(Simulation sim)
    {
        if (sim.Decomposed is not null) throw new UserInputException($"fix {Id} deposit is not supported in a run over several processes yet; run this deck on one process");
        if (_s.IdNext && !_idsKnown) FindMaxIds(sim);
        _idsKnown = true;
    }

    /// <summary>LAMMPS' setup_pre_exchange: the next insertion step on the M-step grid from the first.</summary>
    public override void Setup(Simulation sim)
    {
        _next = _inserted < _s.Count ? _first + (sim.Step - _first) / _s.Every * _s.Every + _s.Every : 0;
    }

    /// <summary>LAMMPS' force_reneighbor: a step that inserts rebuilds the list.</summary>
    public override void PostIntegrate(Simulation sim)
    {
        if (_next == sim.Step) sim.Verlet.RequestRebuild();
    }

    private void FindMaxIds(Simulation sim)
    {
        var a = sim.Atoms;
        _maxTag = 0;
        for (var i = 0; i < a.Count; i++) _maxTag = Math.Max(_maxTag, a.Id[i]);
        if (_s.Molecules.Length > 0 && a.HasMolecule)
        {
            _maxMolecule = 0;
            for (var i = 0; i < a.Count; i++) _maxMolecule = Math.Max(_maxMolecule, a.Molecule[i]);
        }
    }

    public override void PreExchange(Simulation sim)
    {
        if (_next != sim.Step) return;
        var s = _s;
        var a = sim.Atoms;
        var box = sim.Box!;
        var dimension = sim.Dimension;
        var offset = s.RateSet ? (sim.Step - _first) * sim.Timestep * s.Rate : 0.0;
        if (!s.IdNext) FindMaxIds(sim);
        var e = s.Extent;
        var success = false;
        var natom = 0;
        MoleculeTemplate? molecule = null;
        for (var attempt = 0; attempt < s.MaxAttempt;)
        {
            attempt++;
            double cx, cy, cz;
            do
            {
                if (!s.Gaussian)
                {
                    cx = e.XLo + _random.Uniform() * (e.XHi - e.XLo);
                    cy = e.YLo + _random.Uniform() * (e.YHi - e.YLo);
                    cz = e.ZLo + _random.Uniform() * (e.ZHi - e.ZLo);
                }
                else
                {
                    cx = s.Mid[0] + _random.Gaussian() * s.Sigma;
                    cy = s.Mid[1] + _random.Gaussian() * s.Sigma;
                    cz = s.Mid[2] + _random.Gaussian() * s.Sigma;
                }
            }
            while (!s.Match(cx, cy, cz));
            if (dimension == 2) cy += offset;
            else cz += offset;
            if (s.Global || s.Local)
            {
                var dim = dimension == 2 ? 1 : 2;
                var top = box.Lo[dim];
                for (var i = 0; i < a.Count; i++)
                {
                    if (s.Local)
                    {
                        double dx = cx - a.X[i], dy = cy - a.Y[i], dz = 0.0;
                        MinimumImage(box, ref dx, ref dy, ref dz);
                        var rsq = dimension == 2 ? dx * dx : dx * dx + dy * dy;
                        if (rsq > s.DeltaSq) continue;
                    }
                    var h = dim == 1 ? a.Y[i] : a.Z[i];
                    if (h > top) top = h;
                }
                var raised = top + s.Lo + _random.Uniform() * (s.Hi - s.Lo);
                if (dimension == 2) cy = raised;
                else cz = raised;
            }
            if (s.Molecules.Length == 0)
            {
                natom = 1;
                (_coords[0][0], _coords[0][1], _coords[0][2]) = (cx, cy, cz);
                Array.Clear(_images[0]);
            }
            else
            {
                var pick = _random.Uniform();
                var imol = 0;
                while (pick > s.MolFraction[imol]) imol++;
                molecule = s.Molecules[imol];
                natom = molecule.AtomCount;
                double r0, r1, r2;
                if (dimension == 3)
                {
                    if (s.Orient is { } o) (r0, r1, r2) = (o[0], o[1], o[2]);
                    else
                    {
                        r0 = _random.Uniform() - 0.5;
                        r1 = _random.Uniform() - 0.5;
                        r2 = _random.Uniform() - 0.5;
                    }
                }
                else (r0, r1, r2) = (0.0, 0.0, 1.0);
                var theta = _random.Uniform() * 2 * Math.PI;
                var norm = 1.0 / Math.Sqrt(r0 * r0 + r1 * r1 + r2 * r2);
                (r0, r1, r2) = (r0 * norm, r1 * norm, r2 * norm);
                var m = Rotation(r0, r1, r2, theta);
                for (var k = 0; k < natom; k++)
                {
                    var d = molecule.Dx[k];
                    var c = _coords[k];
                    c[0] = m[0, 0] * d[0] + m[0, 1] * d[1] + m[0, 2] * d[2] + cx;
                    c[1] = m[1, 0] * d[0] + m[1, 1] * d[1] + m[1, 2] * d[2] + cy;
                    c[2] = m[2, 0] * d[0] + m[2, 1] * d[1] + m[2, 2] * d[2] + cz;
                    var img = _images[k];
                    Array.Clear(img);
                    box.Remap(ref c[0], ref c[1], ref c[2], ref img[0], ref img[1], ref img[2]);
                }
            }
            var near = false;
            for (var k = 0; k < natom; k++)
                for (var i = 0; i < a.Count; i++)
                {
                    double dx = _coords[k][0] - a.X[i], dy = _coords[k][1] - a.Y[i], dz = _coords[k][2] - a.Z[i];
                    MinimumImage(box, ref dx, ref dy, ref dz);
                    if (dx * dx + dy * dy + dz * dz < s.NearSq) near = true;
                }
            if (near) continue;
            double vx = s.VLo[0] + _random.Uniform() * (s.VHi[0] - s.VLo[0]);
            double vy = s.VLo[1] + _random.Uniform() * (s.VHi[1] - s.VLo[1]);
            double vz = s.VLo[2] + _random.Uniform() * (s.VHi[2] - s.VLo[2]);
            if (s.Target is { } t)
            {
                var speed = Math.Sqrt(vx * vx + vy * vy + vz * vz);
                double dx = t[0] - cx, dy = t[1] - cy, dz = t[2] - cz;
                var rsq = dx * dx + dy * dy + dz * dz;
                if (rsq > 0.0)
                {
                    var rinv = Math.Sqrt(1.0 / rsq);
                    (vx, vy, vz) = (dx * rinv * speed, dy * rinv * speed, dz * rinv * speed);
                }
            }
            Insert(sim, natom, molecule, vx, vy, vz);
            success = true;
            break;
        }
        if (!success) sim.Warn?.Invoke("WARNING: Particle deposition was unsuccessful");
        if (success)
        {
            _maxTag += natom;
            if (molecule is not null && a.HasMolecule) _maxMolecule++;
            _inserted++;
        }
        _next = _inserted < s.Count ? _next + s.Every : 0;
    }

    /// <summary>Adds the atoms of one insertion that lie in the box (or above its top, as LAMMPS' highest processor keeps them).</summary>
    private void Insert(Simulation sim, int natom, MoleculeTemplate? molecule, double vx, double vy, double vz)
    {
        var a = sim.Atoms;
        var box = sim.Box!;
        var top = sim.Dimension == 2 ? 1 : 2;
        for (var k = 0; k < natom; k++)
        {
            var c = _coords[k];
            var inside = c[0] >= box.Lo[0] && c[0] < box.Hi[0] && c[1] >= box.Lo[1] && c[1] < box.Hi[1] && c[2] >= box.Lo[2] && c[2] < box.Hi[2];
            if (!inside && c[top] >= box.Hi[top])
                inside = c[0] >= box.Lo[0] && c[0] < box.Hi[0] && (top == 1 || (c[1] >= box.Lo[1] && c[1] < box.Hi[1]));
            if (!inside) continue;
            var id = _maxTag + k + 1;
            var i = a.Add(id, (molecule is null ? _s.Type : _s.Type + molecule.Types[k]) - 1, c[0], c[1], c[2]);
            (a.ImageA[i], a.ImageB[i], a.ImageC[i]) = (_images[k][0], _images[k][1], _images[k][2]);
            (a.Vx[i], a.Vy[i], a.Vz[i]) = (vx, vy, vz);
            Group.Include(id);
            if (molecule is null) continue;
            if (a.HasMolecule) a.Molecule[i] = _maxMolecule + 1;
            if (molecule.Charges is { } q) a.Q[i] = q[k];
        }
        a.Trim(); // the engine's per-step loops take whole arrays: capacity equal to the count
        if (molecule is null) return;
        var topo = a.Topology;
        foreach (var b in molecule.Topology.Bonds) topo.Bonds.Add(b.Shifted(_maxTag));
        foreach (var b in molecule.Topology.Angles) topo.Angles.Add(b.Shifted(_maxTag));
        foreach (var b in molecule.Topology.Dihedrals) topo.Dihedrals.Add(b.Shifted(_maxTag));
        foreach (var b in molecule.Topology.Impropers) topo.Impropers.Add(b.Shifted(_maxTag));
    }

    /// <summary>LAMMPS' MathExtra axisangle_to_quat then quat_to_mat.</summary>
    private static double[,] Rotation(double r0, double r1, double r2, double theta)
    {
        var half = 0.5 * theta;
        var sin = Math.Sin(half);
        double qw = Math.Cos(half), qi = r0 * sin, qj = r1 * sin, qk = r2 * sin;
        double w2 = qw * qw, i2 = qi * qi, j2 = qj * qj, k2 = qk * qk;
        double ij = 2 * qi * qj, ik = 2 * qi * qk, jk = 2 * qj * qk, iw = 2 * qi * qw, jw = 2 * qj * qw, kw = 2 * qk * qw;
        return new[,]
        {
            { w2 + i2 - j2 - k2, ij - kw, jw + ik },
            { ij + kw, w2 - i2 + j2 - k2, jk - iw },
            { ik - jw, jk + iw, w2 - i2 - j2 + k2 },
        };
    }

    /// <summary>LAMMPS' Domain::minimum_image for an orthogonal box: one period off along a periodic axis past half the box.</summary>
    private static void MinimumImage(Core.Geometry.SimulationBox box, ref double dx, ref double dy, ref double dz)
    {
        static void One(ref double d, double prd, bool periodic)
        {
            if (!periodic || Math.Abs(d) <= 0.5 * prd) return;
            d += d < 0.0 ? prd : -prd;
        }
        One(ref dx, box.Lx, box.Periodic[0]);
        One(ref dy, box.Ly, box.Periodic[1]);
        One(ref dz, box.Lz, box.Periodic[2]);
    }

    /// <summary>The generator's state (a Park–Miller state is its next seed), insertions done, first and next insertion steps, largest ids.</summary>
    public override double[] SaveState() => [_random.State, _inserted, _first, _next, _maxTag, _maxMolecule];

    public override void RestoreState(double[] state)
    {
        if (state.Length != 6) throw new UserInputException($"fix {Id} deposit: the saved state has {state.Length} values, expected 6");
        _random = new ParkMillerRandom((int)state[0]);
        _inserted = (int)state[1];
        _first = (long)state[2];
        _next = (long)state[3];
        _maxTag = (int)state[4];
        _maxMolecule = (int)state[5];
        _idsKnown = true;
    }
}
