namespace DeepMD.Sharp.Dynamics.Domains;

using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Core.Potentials;
using DeepMD.Sharp.Domains.Communication;
using DeepMD.Sharp.Domains.Decomposition;
using DeepMD.Sharp.Dynamics.Output;
using DeepMD.Sharp.Dynamics.Potentials;
using DeepMD.Sharp.Dynamics.Thermo;

/// <summary>
/// A run of <see cref="Simulation"/> spread over the ranks of a communicator by spatial domain decomposition
/// (<see cref="DomainDecomposition"/>): during the run each rank's <see cref="Simulation.Atoms"/> holds only the atoms it
/// owns, and the fixes integrate those; the force evaluation works on owned + ghost atoms (a full list over the owned
/// centers), ghost forces go back to their owners by reverse communication, energy and virial are summed over ranks in
/// rank order, positions go forward to the ghosts every step, and atoms migrate at reneighboring. Thermodynamic
/// sums (<see cref="Thermodynamics"/>) are reduced through <see cref="Sum(double)"/>. Between runs every rank holds the whole
/// system in its original order, so the deck commands between runs (read_data, create_atoms, velocity with
/// <c>loop all</c> or <c>geom</c>) work as in a one-process run; only the run itself is decomposed.
/// </summary>
/// <remarks>
/// A first slice: pair styles lj/cut, eam, eam/alloy and deepmd (one model), fixes nve, setforce, temp/rescale,
/// temp/berendsen, temp/csvr and momentum (any group: a group's temperature and momentum sums are summed over ranks), nvt,
/// npt, nph (the box followed every step: <see cref="DecomposedBox"/>) and langevin (random numbers keyed by atom id and
/// step) (group all), orthogonal and triclinic boxes, periodic
/// and non-periodic boundaries,
/// thermo keywords computed from reduced sums, dumps gathered to rank 0 in atom-id order. Anything else stops with
/// "... is not supported with N ranks yet" (<see cref="CheckSupported"/>).
/// </remarks>
public sealed partial class DecomposedRun
{
    /// <summary>Doubles per atom gathered back after a run: x y z vx vy vz fx fy fz, image a b c, type.</summary>
    private const int GatherWidth = 13;

    private static readonly HashSet<string> SupportedThermo =
    [
        "step", "elapsed", "elaplong", "dt", "time", "cpu", "tpcpu", "spcpu", "atoms", "temp", "press", "pe", "ke", "etotal",
        "enthalpy", "ecouple", "econserve", "evdwl", "ecoul", "epair", "ebond", "eangle", "edihed", "eimp", "emol", "elong",
        "etail", "vol", "density", "lx", "ly", "lz", "xlo", "xhi", "ylo", "yhi", "zlo", "zhi", "xy", "xz", "yz",
        "pxx", "pyy", "pzz", "pxy", "pxz", "pyz", "fnorm", "fmax",
    ];

    private static readonly HashSet<string> SupportedDumpColumns =
        ["id", "type", "element", "mass", "x", "y", "z", "xs", "ys", "zs", "xu", "yu", "zu", "ix", "iy", "iz", "vx", "vy", "vz", "fx", "fy", "fz"];

    private readonly ForceRequest _request = new();
    private readonly ForceResult _forces = new();
    private readonly double[] _totals = new double[10];
    private readonly double[] _one = new double[1];
    private DomainDecomposition? _dd;
    private NeighborList? _list;
    private double[] _xHold = [], _yHold = [], _zHold = [];
    private readonly DecomposedBox _box = new();
    private double[] _origin = new double[3];
    private int _ago;
    private Simulation? _shadow;
    private ParallelOptions _parallel = new();
    private Action<double[]>? _forwardFp;

    /// <param name="communicator">The ranks of the run (a serial communicator runs the same code on one rank).</param>
    /// <param name="processors">LAMMPS' <c>processors Px Py Pz</c> values (<c>*</c> = free), or null for the default grid.</param>
    public DecomposedRun(ICommunicator communicator, string[]? processors = null)
    {
        Communicator = communicator;
        Processors = processors;
    }

    public ICommunicator Communicator { get; }

    /// <summary>The <c>processors</c> values (three strings), or null.</summary>
    public string[]? Processors { get; set; }

    /// <summary>Whether a run is under way (the state holds this rank's owned atoms only).</summary>
    public bool Active { get; private set; }

    /// <summary>Atoms over all ranks during the run.</summary>
    public int GlobalAtomCount { get; private set; }

    /// <summary>The grid of the last run (null before one).</summary>
    public ProcessorGrid? Grid => _dd?.Grid;

    /// <summary>Neighbor list builds (with migration) of the last run, setup build included.</summary>
    public int Builds { get; private set; }

    /// <summary>Sums a value over the ranks in rank order (collective; the same result on every rank).</summary>
    public double Sum(double value)
    {
        _one[0] = value;
        Communicator.AllReduce(_one, ReduceOp.Sum);
        return _one[0];
    }

    /// <summary>Sums each element over the ranks in rank order (collective).</summary>
    public void Sum(Span<double> values) => Communicator.AllReduce(values, ReduceOp.Sum);

    /// <summary>The smallest value over the ranks (collective).</summary>
    public double Min(double value)
    {
        _one[0] = value;
        Communicator.AllReduce(_one, ReduceOp.Min);
        return _one[0];
    }

    /// <summary>The largest value over the ranks (collective).</summary>
    public double Max(double value)
    {
        _one[0] = value;
        Communicator.AllReduce(_one, ReduceOp.Max);
        return _one[0];
    }

    /// <summary>
    /// Stops with a <see cref="UserInputException"/> naming the first deck feature this run uses that is not supported
    /// decomposed yet. Deterministic, so every rank stops at the same point.
    /// </summary>
    public void CheckSupported(Simulation sim)
    {
        var ranks = Communicator.Size;
        string Not(string what) => $"{what} is not supported with {ranks} rank{(ranks == 1 ? "" : "s")} yet (decomposed runs support pair_style lj/cut, eam, eam/alloy and deepmd, fix nve, setforce, temp/rescale, temp/berendsen, temp/csvr and momentum on any group, nvt, npt, nph and langevin on group all, orthogonal and triclinic boxes, periodic and non-periodic boundaries, thermo and dump custom of positions, velocities and forces)";
        if (sim.Dimension == 2) throw new UserInputException(Not("a 2-d system (dimension 2)"));
        if (sim.Potential is { } p && p.Name is not ("lj/cut" or "deepmd" or "eam" or "eam/alloy")) throw new UserInputException(Not($"pair_style {p.Name}"));
        if (sim.Potential is IDeviationEnsemble { LogsDeviation: true, DecomposedLimitation: { } why }) throw new UserInputException(Not($"pair_style deepmd with several models and {why}"));
        foreach (var f in sim.Fixes)
        {
            if (f.Style is not ("nve" or "nvt" or "npt" or "nph" or "langevin" or "temp/csvr" or "temp/rescale" or "temp/berendsen" or "momentum" or "setforce"))
                throw new UserInputException(Not($"fix {f.Style} (fix {f.Id})"));
            if (!f.Group.IsAll && f.Style is not ("nve" or "setforce" or "temp/rescale" or "temp/berendsen" or "temp/csvr" or "momentum")) throw new UserInputException(Not($"a fix on group {f.Group.Name} (fix {f.Id})"));
        }
        if (sim.ExtraDegreesRemoved != 0) throw new UserInputException(Not("removed degrees of freedom"));
        foreach (var o in sim.Observers)
        {
            switch (o)
            {
                case ThermoOutput t:
                    foreach (var k in t.Keywords)
                        if (!SupportedThermo.Contains(k)) throw new UserInputException(Not($"thermo keyword {k}"));
                    break;
                case DumpWriter d:
                    foreach (var c in d.Columns)
                        if (!SupportedDumpColumns.Contains(c)) throw new UserInputException(Not($"dump column {c} (dump {d.Id})"));
                    break;
                case ProgressReporter or Checkpoints.RestartWriter:
                    break;
                default:
                    throw new UserInputException(Not($"the output {o.GetType().Name}"));
            }
        }
    }

    /// <summary>Advances <paramref name="steps"/> steps decomposed (collective: every rank calls it with the same deck).</summary>
    public void Run(Simulation sim, long steps)
    {
        CheckSupported(sim);
        var original = sim.Atoms;
        var n = original.Count;
        GlobalAtomCount = n;
        var ids = new int[n];
        original.Id.AsSpan(0, n).CopyTo(ids);
        sim.RunStartStep = sim.Step;
        sim.RunEndStep = sim.Step + steps;
        Builds = 0;
        _parallel = ThreadSettings.Options(sim.Threads);
        Active = true;
        _afterRun = null;
        var ensemble = sim.Potential is IDeviationEnsemble { LogsDeviation: true } e ? e : null;
        if (ensemble is not null) ensemble.DeferDeviation = true;
        try
        {
            foreach (var f in sim.Fixes) f.Init(sim);
            var (resume, resumed) = TakeCheckpoint(sim);
            Distribute(sim);
            foreach (var f in sim.Fixes) f.Init(sim); // per-atom fix data (group membership) of the owned atoms
            ComputeForces(sim);
            if (resume is not null) ApplySavedForces(sim, resume);
            foreach (var f in sim.Fixes)
                if (resumed.Contains(f)) f.Resume(sim);
                else f.Setup(sim);
            sim.RunClock.Restart(); // as a one-process run: the loop, not the setup
            var report = CommunicationReport.Start(_dd, Communicator); // DPSHARP_COMM_REPORT=1
            var buildsBefore = Builds;
            foreach (var o in sim.Observers) Observe(o, sim, started: true);
            for (long s = 0; s < steps; s++)
            {
                sim.Step++;
                foreach (var f in sim.Fixes) f.InitialIntegrate(sim);
                if (Decide(sim))
                {
                    Reneighbor(sim);
                    foreach (var f in sim.Fixes) f.Init(sim); // per-atom fix data follows the owned atoms
                }
                else
                    ForwardPositions(sim);
                ComputeForces(sim);
                foreach (var f in sim.Fixes) f.PostForce(sim);
                foreach (var f in sim.Fixes) f.FinalIntegrate(sim);
                foreach (var f in sim.Fixes) f.EndOfStep(sim);
                foreach (var o in sim.Observers) Observe(o, sim, started: false);
            }
            sim.RunClock.Stop();
            report?.Finish(_dd!, Communicator, steps, Builds - buildsBefore, sim.Warn);
            foreach (var o in sim.Observers) o.RunFinished(sim);
            GatherAll(sim, ids);
            KeepListState(sim, ids);
        }
        finally
        {
            sim.RunClock.Stop();
            Active = false;
            if (ensemble is not null) ensemble.DeferDeviation = false;
        }
    }

    /// <summary>Thermo and progress see every step on every rank (their sums are collective); dumps get the gathered state on rank 0.</summary>
    private void Observe(IRunObserver o, Simulation sim, bool started)
    {
        if (o is Checkpoints.RestartWriter r)
        {
            if (!started) WriteRestart(r, sim);
            return;
        }
        if (o is DumpWriter d)
        {
            if (!d.WillWrite(sim.Step)) return;
            var shadow = Gathered(sim);
            if (shadow is not null) d.Write(shadow);
            else d.Skip(sim.Step);
            return;
        }
        if (started) o.RunStarted(sim);
        else o.StepCompleted(sim);
    }

    /// <summary>The whole system on rank 0 in atom-id order (for dumps); null on the other ranks. Collective.</summary>
    private Simulation? Gathered(Simulation sim)
    {
        var (gids, all) = _dd!.GatherByIdAtRoot(Pack(sim), GatherWidth);
        if (Communicator.Rank != 0) return null;
        var shadow = _shadow ??= new Simulation(sim.Units);
        if (shadow.Box != sim.Box || shadow.TypeCount != sim.TypeCount) shadow.CreateBox(sim.Box!, sim.TypeCount);
        for (var t = 0; t < sim.TypeCount; t++) shadow.SetMass(t, sim.Masses[t]);
        var s = shadow.Atoms;
        s.Clear();
        for (var k = 0; k < gids.Length; k++) Unpack(s, (int)gids[k], all.AsSpan(GatherWidth * k, GatherWidth));
        shadow.Step = sim.Step;
        shadow.AcceptExternalForces(sim.PotentialEnergy, sim.Virial);
        return shadow;
    }

    private double[] Pack(Simulation sim)
    {
        var a = sim.Atoms;
        var values = new double[GatherWidth * a.Count];
        for (var i = 0; i < a.Count; i++)
        {
            var v = values.AsSpan(GatherWidth * i, GatherWidth);
            (v[0], v[1], v[2]) = (a.X[i], a.Y[i], a.Z[i]);
            (v[3], v[4], v[5]) = (a.Vx[i], a.Vy[i], a.Vz[i]);
            (v[6], v[7], v[8]) = (a.Fx[i], a.Fy[i], a.Fz[i]);
            (v[9], v[10], v[11]) = (a.ImageA[i], a.ImageB[i], a.ImageC[i]);
            v[12] = a.Type[i];
        }
        return values;
    }

    private static int Unpack(AtomState s, int id, ReadOnlySpan<double> v)
    {
        var i = s.Add(id, (int)v[12], v[0], v[1], v[2]);
        (s.Vx[i], s.Vy[i], s.Vz[i]) = (v[3], v[4], v[5]);
        (s.ImageA[i], s.ImageB[i], s.ImageC[i]) = ((int)v[9], (int)v[10], (int)v[11]);
        EnsureForces(s);
        (s.Fx[i], s.Fy[i], s.Fz[i]) = (v[6], v[7], v[8]);
        return i;
    }

    private static void EnsureForces(AtomState s)
    {
        if (s.Fx.Length >= s.Count) return;
        var size = Math.Max(s.Count, s.X.Length);
        double[] Grow(double[] f)
        {
            var g = new double[size];
            f.AsSpan(0, Math.Min(f.Length, size)).CopyTo(g);
            return g;
        }
        s.Fx = Grow(s.Fx);
        s.Fy = Grow(s.Fy);
        s.Fz = Grow(s.Fz);
    }

    /// <summary>After the run: every rank gets the whole system back, in the order it had before the run.</summary>
    private void GatherAll(Simulation sim, int[] originalOrder)
    {
        var (_, all) = _dd!.GatherByIdAtRoot(Pack(sim), GatherWidth);
        if (Communicator.Rank != 0) all = new double[GatherWidth * originalOrder.Length];
        Communicator.Broadcast<double>(all, 0);
        var idSorted = (int[])originalOrder.Clone();
        Array.Sort(idSorted);
        var byId = new Dictionary<int, int>(originalOrder.Length);
        for (var k = 0; k < idSorted.Length; k++) byId[idSorted[k]] = k;
        var a = sim.Atoms;
        a.Clear();
        foreach (var id in originalOrder) Unpack(a, id, all.AsSpan(GatherWidth * byId[id], GatherWidth));
        a.Trim();
        EnsureForces(a);
    }

    /// <summary>Splits the system (every rank holds all of it) into subdomains; builds the ghost shell and the list.</summary>
    private void Distribute(Simulation sim)
    {
        var box = sim.Box!;
        var cell = box.Cell;
        var cutoff = sim.Potential!.Cutoff + sim.Neighbor.Skin;
        var grid = Processors is { } p
            ? ProcessorGrid.Parse(p[0], p[1], p[2], Communicator.Size, cell)
            : ProcessorGrid.Choose(Communicator.Size, cell);
        _box.Start(sim);
        _origin = _box.Origin;
        _dd = new DomainDecomposition(Communicator, grid, cell, cutoff, extraWidth: 3);
        var a = sim.Atoms;
        var n = a.Count;
        var id = new long[n];
        var image = new int[3 * n];
        var extra = new double[3 * n];
        var x = new double[n];
        var y = new double[n];
        var z = new double[n];
        for (var i = 0; i < n; i++)
        {
            id[i] = a.Id[i];
            (x[i], y[i], z[i]) = (a.X[i] - _origin[0], a.Y[i] - _origin[1], a.Z[i] - _origin[2]);
            (image[3 * i], image[3 * i + 1], image[3 * i + 2]) = (a.ImageA[i], a.ImageB[i], a.ImageC[i]);
            (extra[3 * i], extra[3 * i + 1], extra[3 * i + 2]) = (a.Vx[i], a.Vy[i], a.Vz[i]);
        }
        _dd.Distribute(id, a.Type.AsSpan(0, n), x, y, z, image, extra);
        _dd.Borders();
        Span<long> fewest = [_dd.Atoms.NLocal], most = [_dd.Atoms.NLocal, _dd.Atoms.NGhost];
        Communicator.AllReduce(fewest, ReduceOp.Min);
        Communicator.AllReduce(most, ReduceOp.Max);
        sim.Warn?.Invoke($"Decomposed over {grid} ranks: {fewest[0]} to {most[0]} owned atoms per rank, at most {most[1]} ghost atoms");
        LoadOwned(sim);
        BuildList(sim);
    }

    /// <summary>LAMMPS' neighbor decision with the owned atoms' largest displacement reduced over the ranks.</summary>
    private bool Decide(Simulation sim)
    {
        var settings = sim.Neighbor;
        _ago++;
        if (_ago < settings.Delay || _ago % settings.Every != 0) return false;
        if (!settings.Check) return true;
        var a = sim.Atoms;
        double most = 0;
        for (var i = 0; i < a.Count; i++)
        {
            double dx = a.X[i] - _xHold[i], dy = a.Y[i] - _yHold[i], dz = a.Z[i] - _zHold[i];
            most = Math.Max(most, dx * dx + dy * dy + dz * dz);
        }
        return Max(most) > _box.AllowedSquared(sim);
    }

    /// <summary>Migration (wrap, send leavers to their new owners), a new ghost shell, owned atoms back into the state, the list.</summary>
    private void Reneighbor(Simulation sim)
    {
        _box.Follow(sim, _dd!);
        StoreOwned(sim);
        _dd!.Exchange();
        _dd.Borders();
        LoadOwned(sim);
        DecomposedBox.CheckLost(sim, v => Min(v));
        BuildList(sim);
    }

    /// <summary>The owned atoms' positions, velocities and images from the state into the decomposition's arrays.</summary>
    private void StoreOwned(Simulation sim)
    {
        var a = sim.Atoms;
        var d = _dd!.Atoms;
        for (var i = 0; i < a.Count; i++)
        {
            (d.X[i], d.Y[i], d.Z[i]) = (a.X[i] - _origin[0], a.Y[i] - _origin[1], a.Z[i] - _origin[2]);
            (d.Extra[3 * i], d.Extra[3 * i + 1], d.Extra[3 * i + 2]) = (a.Vx[i], a.Vy[i], a.Vz[i]);
            (d.Image[3 * i], d.Image[3 * i + 1], d.Image[3 * i + 2]) = (a.ImageA[i], a.ImageB[i], a.ImageC[i]);
        }
    }

    /// <summary>The state becomes this rank's owned atoms (ids, types, wrapped positions, images, velocities).</summary>
    private void LoadOwned(Simulation sim)
    {
        var a = sim.Atoms;
        var d = _dd!.Atoms;
        a.Clear();
        for (var i = 0; i < d.NLocal; i++)
        {
            var k = a.Add((int)d.Id[i], d.Type[i], d.X[i] + _origin[0], d.Y[i] + _origin[1], d.Z[i] + _origin[2]);
            (a.Vx[k], a.Vy[k], a.Vz[k]) = (d.Extra[3 * i], d.Extra[3 * i + 1], d.Extra[3 * i + 2]);
            (a.ImageA[k], a.ImageB[k], a.ImageC[k]) = (d.Image[3 * i], d.Image[3 * i + 1], d.Image[3 * i + 2]);
        }
        EnsureForces(a);
        if (_xHold.Length < a.Count)
        {
            _xHold = new double[a.X.Length];
            _yHold = new double[a.X.Length];
            _zHold = new double[a.X.Length];
        }
        a.X.AsSpan(0, a.Count).CopyTo(_xHold);
        a.Y.AsSpan(0, a.Count).CopyTo(_yHold);
        a.Z.AsSpan(0, a.Count).CopyTo(_zHold);
    }

    /// <summary>A full list over the owned centers whose entries name owned or ghost atoms (cutoff + skin, no box: images are ghosts).</summary>
    private void BuildList(Simulation sim)
    {
        var d = _dd!.Atoms;
        var nall = d.NAll;
        var cutoff = sim.Potential!.Cutoff + sim.Neighbor.Skin;
        var full = CellListNeighborSearch.Build(d.X.AsSpan(0, nall), d.Y.AsSpan(0, nall), d.Z.AsSpan(0, nall), null, cutoff);
        var offsets = full.Offsets.AsSpan(0, d.NLocal + 1).ToArray();
        _list = new NeighborList(offsets, full.Owner, full.Dx, full.Dy, full.Dz, cutoff);
        _box.Hold(sim);
        _ago = 0;
        Builds++;
    }

    /// <summary>Owned positions from the state to the decomposition, then to the ghosts; the list's displacements follow.</summary>
    private void ForwardPositions(Simulation sim)
    {
        _box.Follow(sim, _dd!);
        var a = sim.Atoms;
        var d = _dd!.Atoms;
        for (var i = 0; i < a.Count; i++) (d.X[i], d.Y[i], d.Z[i]) = (a.X[i] - _origin[0], a.Y[i] - _origin[1], a.Z[i] - _origin[2]);
        _dd.ForwardPositions();
        _list!.UpdateDisplacements(d.X, d.Y, d.Z, null);
    }

    /// <summary>Forces on owned + ghost atoms, ghost forces reverse-communicated, energy and virial summed in rank order.</summary>
    private void ComputeForces(Simulation sim)
    {
        var d = _dd!.Atoms;
        var r = _request;
        r.X = d.X;
        r.Y = d.Y;
        r.Z = d.Z;
        r.Types = d.Type;
        r.AtomCount = d.NAll;
        r.LocalCount = d.NLocal;
        r.Box = null;
        r.Neighbors = _list;
        r.HalfNeighbors = null;
        r.PerAtom = false;
        r.Step = sim.Step;
        r.Ids = null;
        r.Parallel = _parallel;
        if (sim.Potential is EamPotential eam) eam.ComputeWithGhosts(r, _forces, _forwardFp ??= v => _dd!.ForwardValues(v.AsSpan(0, _dd.Atoms.NAll)));
        else sim.Potential!.Compute(r, _forces);
        _dd.ReverseForces(_forces.Fx, _forces.Fy, _forces.Fz);
        var a = sim.Atoms;
        EnsureForces(a);
        _forces.Fx.AsSpan(0, a.Count).CopyTo(a.Fx);
        _forces.Fy.AsSpan(0, a.Count).CopyTo(a.Fy);
        _forces.Fz.AsSpan(0, a.Count).CopyTo(a.Fz);
        _totals[0] = _forces.Energy;
        _forces.Virial.CopyTo(_totals.AsSpan(1));
        Sum(_totals);
        sim.AcceptExternalForces(_totals[0], _totals.AsSpan(1));
        if (sim.Potential is IDeviationEnsemble { LogsDeviation: true, DeferDeviation: true } ensemble && ensemble.DeviationDue(sim.Step))
            RecordDeviation(sim, ensemble);
    }

    /// <summary>
    /// The model deviation line of this step (collective): every model on the same owned + ghost atoms, each model's ghost
    /// forces folded onto their owners, each owned atom's deviation; its max, min and sum reduced over the ranks (in rank
    /// order), each model's virial and energy summed over the ranks; with <c>atomic</c> the per-atom deviations gathered
    /// to rank 0 by atom id. Rank 0 writes the line.
    /// </summary>
    private void RecordDeviation(Simulation sim, IDeviationEnsemble ensemble)
    {
        var d = _dd!.Atoms;
        int nlocal = d.NLocal, nall = d.NAll;
        var models = ensemble.EvaluateEnsemble(_list!);
        var owned = new double[models.Count][];
        var sums = new double[10 * models.Count];
        double[] fx = new double[nall], fy = new double[nall], fz = new double[nall];
        for (var m = 0; m < models.Count; m++)
        {
            var (forces, virial, energy) = models[m];
            for (var i = 0; i < nall; i++) (fx[i], fy[i], fz[i]) = (forces[3 * i], forces[3 * i + 1], forces[3 * i + 2]);
            _dd.ReverseForces(fx, fy, fz);
            var f = owned[m] = new double[3 * nlocal];
            for (var i = 0; i < nlocal; i++) (f[3 * i], f[3 * i + 1], f[3 * i + 2]) = (fx[i], fy[i], fz[i]);
            sums[10 * m] = energy;
            virial.AsSpan(0, 9).CopyTo(sums.AsSpan(10 * m + 1, 9));
        }
        var perAtom = new double[nlocal];
        ensemble.PerAtomDeviation(owned, nlocal, perAtom);
        double most = double.NegativeInfinity, least = double.PositiveInfinity, total = 0;
        foreach (var v in perAtom)
        {
            most = Math.Max(most, v);
            least = Math.Min(least, v);
            total += v;
        }
        most = Max(most);
        least = Min(least);
        total = Sum(total);
        Sum(sums);
        var atoms = GlobalAtomCount;
        if (atoms == 0) (most, least) = (0, 0);
        double[]? byId = null;
        if (ensemble.DeviationAtomic)
        {
            var (ids, values) = _dd.GatherByIdAtRoot(perAtom, 1);
            if (Communicator.Rank == 0)
            {
                byId = new double[atoms];
                for (var k = 0; k < ids.Length; k++)
                {
                    if (ids[k] < 1 || ids[k] > atoms) throw new UserInputException($"model deviation 'atomic' needs atom ids 1..{atoms}; atom id {ids[k]} is outside");
                    byId[ids[k] - 1] = values[k];
                }
            }
        }
        var virials = new double[models.Count][];
        var energies = new double[models.Count];
        for (var m = 0; m < models.Count; m++)
        {
            energies[m] = sums[10 * m];
            virials[m] = sums.AsSpan(10 * m + 1, 9).ToArray();
        }
        ensemble.WriteDeviation(sim.Step, atoms, most, least, atoms > 0 ? total / atoms : 0, virials, energies, byId);
    }
}
