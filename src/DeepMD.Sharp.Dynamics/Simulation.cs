namespace DeepMD.Sharp.Dynamics;

using System.Diagnostics;
using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Potentials;
using DeepMD.Sharp.Dynamics.Atoms;
using DeepMD.Sharp.Dynamics.Checkpoints;
using DeepMD.Sharp.Dynamics.Device;
using DeepMD.Sharp.Dynamics.Fixes;
using DeepMD.Sharp.Dynamics.Neighbors;
using DeepMD.Sharp.Dynamics.Potentials;
using DeepMD.Sharp.Dynamics.Output;
using DeepMD.Sharp.Dynamics.Units;

/// <summary>
/// A molecular dynamics simulation: box, atom types and masses, the potential, fixes and the mutable
/// <see cref="AtomState"/>, advanced by the one MD loop in <see cref="Run"/>. A deck builds one of these command by
/// command; a C# script can build it directly. All quantities are in <see cref="Units"/>.
/// </summary>
public sealed partial class Simulation
{
    private readonly ForceResult _forces = new();
    private readonly ForceRequest _request = new();
    private bool _boxChanges;
    private FixDeform? _velocityRemap;
    private ParallelOptions _parallel = new();
    private readonly RunContinuation _lastRun = new();
    private Func<int, int, bool>? _neighborExclusion;
    private int _specialVersionAtBuild;
    private Bonded.BondedForces? _bondedAtBuild;

    /// <summary>
    /// Pairs left out of the neighbor list (<c>neigh_modify exclude</c>), given the storage indices of both atoms; null:
    /// none. Setting it makes the next run build its list afresh. Serial half-list pair styles only.
    /// </summary>
    public Func<int, int, bool>? NeighborExclusion
    {
        get => _neighborExclusion;
        set
        {
            _neighborExclusion = value;
            _lastRun.Forget();
        }
    }

    public Simulation(UnitSystem units)
    {
        Units = units;
        Timestep = units.DefaultTimestep;
        Neighbor = new NeighborSettings { Skin = units.DefaultSkin };
        Verlet = new VerletList(Neighbor);
    }

    public UnitSystem Units { get; }

    /// <summary>The box (null until created).</summary>
    public SimulationBox? Box { get; set; }

    /// <summary>
    /// 3, or 2 for a LAMMPS <c>dimension 2</c> system: atoms move in the xy plane (z periodic, thin, every atom at the
    /// same z), temperature counts 2N − 2 degrees of freedom, pressure is per area, and neighbor lists have no images
    /// along z. Set before the box is created.
    /// </summary>
    public int Dimension
    {
        get => _dimension;
        set => _dimension = value is 2 or 3 ? value : throw new UserInputException($"dimension must be 2 or 3, got {value}");
    }

    private int _dimension = 3;

    /// <summary>Number of atom types.</summary>
    public int TypeCount { get; private set; }

    /// <summary>Mass of each type (0-based), NaN until set.</summary>
    public double[] Masses { get; private set; } = [];

    /// <summary>Per-atom arrays.</summary>
    public AtomState Atoms { get; } = new();

    /// <summary>The pair style (null until set).</summary>
    public IPotential? Potential { get; set; }

    /// <summary>Fixes in the order they were defined (LAMMPS applies them in that order).</summary>
    public List<Fix> Fixes { get; } = [];

    /// <summary>Computes defined by the deck (<c>compute</c>), in definition order; evaluated when an output asks.</summary>
    public List<Computes.Compute> Computes { get; } = [];

    /// <summary>Looks up a compute by id, or null.</summary>
    public Computes.Compute? FindCompute(string id) => Computes.FirstOrDefault(c => c.Id == id);

    /// <summary>Counts run and minimization setups (computes' cached values belong to one setup, as LAMMPS clears them at init).</summary>
    public long SetupCount { get; private set; }

    /// <summary>Whether a run or minimization is in progress (from its setup to its end), LAMMPS' <c>whichflag != 0</c>.</summary>
    public bool Running { get; set; }

    /// <summary>Outputs attached to runs (thermo, dumps, progress).</summary>
    public List<IRunObserver> Observers { get; } = [];

    /// <summary>
    /// Where runs may go to a device-resident loop (<see cref="IDeviceLoop"/>); null (the default) keeps every run on
    /// the host. Decks set the one their backend registry offers (the GPU backend registers one).
    /// </summary>
    public IDeviceLoopFactory? DeviceLoopFactory { get; set; }

    /// <summary>The device loop of the last run, or why it ran on the host (null when no device was an option).</summary>
    public string? DeviceLoopNote { get; private set; }

    /// <summary>Timestep (time units).</summary>
    public double Timestep { get; set; }

    /// <summary>Current step number.</summary>
    public long Step { get; set; }

    private double _elapsedTime;
    private long _elapsedTimeStep;

    /// <summary>
    /// Simulated time since the start (LAMMPS' update->atime + (ntimestep − atimestep)·dt, thermo <c>time</c>): the time
    /// accumulated up to <see cref="ElapsedTimeStep"/> plus the steps since then at the current timestep, so a timestep
    /// changed during a run (fix dt/reset) or between runs counts each step at the timestep it was taken with.
    /// </summary>
    public double ElapsedTime => _elapsedTime + (Step - _elapsedTimeStep) * Timestep;

    /// <summary>The step up to which <see cref="ElapsedTime"/> has been accumulated (LAMMPS' atimestep).</summary>
    public long ElapsedTimeStep => _elapsedTimeStep;

    /// <summary>
    /// Adds the steps since <see cref="ElapsedTimeStep"/> at the current timestep to the accumulated time (LAMMPS'
    /// Update::update_time): at the end of a run and before the timestep changes during a run.
    /// </summary>
    public void UpdateElapsedTime()
    {
        _elapsedTime += (Step - _elapsedTimeStep) * Timestep;
        _elapsedTimeStep = Step;
    }

    /// <summary>
    /// Counts time from the current step on without adding the steps since the last accumulation (LAMMPS sets atimestep
    /// to ntimestep at each run's start and at reset_timestep, so steps taken by a minimizer or skipped by
    /// reset_timestep add no time).
    /// </summary>
    public void RestartElapsedTimeCount() => _elapsedTimeStep = Step;

    /// <summary>Step at which the current (or last) run began.</summary>
    public long RunStartStep { get; internal set; }

    /// <summary>Step at which the current (or last) run ends.</summary>
    public long RunEndStep { get; internal set; }

    /// <summary>Neighbor list builds done before the current run's first step (after its setup build).</summary>
    public int BuildsAtRunStart { get; internal set; }

    /// <summary>Dangerous neighbor list builds counted before the current run's first step (thermo <c>ndanger</c> counts from here).</summary>
    public int DangerousAtRunStart { get; internal set; }

    /// <summary>The order LAMMPS would store the atoms in (its periodic spatial sort), for order-dependent fixes.</summary>
    public StorageOrder StorageOrder { get; } = new();

    /// <summary>Custom per-atom vectors declared by <c>fix property/atom</c> (LAMMPS' i_NAME and d_NAME).</summary>
    public CustomAtomProperties CustomProperties { get; } = new();

    /// <summary>Neighbor list settings (<c>neighbor</c>, <c>neigh_modify</c>).</summary>
    public NeighborSettings Neighbor { get; }

    /// <summary>The Verlet list and its statistics.</summary>
    public VerletList Verlet { get; }

    /// <summary>
    /// Whether the box is triclinic in LAMMPS' sense (domain->triclinic): created from a prism region, read with an
    /// <c>xy xz yz</c> line or made so by <c>change_box triclinic</c>, even while its tilts are zero. Forces and thermo do
    /// not depend on it; LAMMPS' neighbor-rebuild rule for a changing box and its spatial sort of atoms do.
    /// </summary>
    public bool TriclinicStyle
    {
        get => Verlet.TriclinicStyle;
        set => Verlet.TriclinicStyle = value;
    }

    /// <summary>Degrees of freedom removed by constraints (beyond the 3 of the centre of mass).</summary>
    public double ExtraDegreesRemoved { get; set; }

    /// <summary>Potential energy of the last evaluation (energy units).</summary>
    public double PotentialEnergy => _forces.Energy;

    /// <summary>The Coulomb part of the potential energy of the last evaluation (thermo ecoul).</summary>
    public double CoulombEnergy => _forces.CoulombEnergy;

    /// <summary>Bond and angle styles and special-bond weights of a molecular system (atom styles bond, angle, molecular, full).</summary>
    public Bonded.BondedForces Bonded { get; set; } = new();

    /// <summary>Bond energy of the last evaluation (thermo ebond; part of <see cref="PotentialEnergy"/>).</summary>
    public double BondEnergy => Bonded.BondEnergy;

    /// <summary>Angle energy of the last evaluation (thermo eangle; part of <see cref="PotentialEnergy"/>).</summary>
    public double AngleEnergy => Bonded.AngleEnergy;

    /// <summary>Dihedral energy of the last evaluation (thermo edihed; part of <see cref="PotentialEnergy"/>).</summary>
    public double DihedralEnergy => Bonded.DihedralEnergy;

    /// <summary>Bonded energy of the last evaluation (thermo emol; part of <see cref="PotentialEnergy"/>).</summary>
    public double MolecularEnergy => Bonded.MolecularEnergy;

    /// <summary>Virial of the last evaluation, W[a][b] = Σ F_a x_b (energy units, row-major 3x3).</summary>
    public double[] Virial => _forces.Virial;

    /// <summary>Per-atom energies of the last evaluation when <see cref="PerAtomWanted"/> is set.</summary>
    public double[] AtomEnergy => _forces.AtomEnergy;

    /// <summary>Per-atom virials (row-major 3x3 per atom) of the last evaluation when <see cref="PerAtomWanted"/> is set and the potential fills them.</summary>
    public double[] AtomVirial => _forces.AtomVirial;

    /// <summary>Whether outputs need per-atom energy/virial at the next evaluation.</summary>
    public bool PerAtomWanted { get; set; }

    /// <summary>Whether the last force evaluation filled per-atom energies (and virials, where the potential has them).</summary>
    public bool PerAtomTallied { get; private set; }

    /// <summary>Set at setup when a compute reads per-atom energies or virials (pe/atom, stress/atom).</summary>
    private bool _perAtomForComputes;

    /// <summary>
    /// Threads for the engine's own pair styles (lj/cut, eam); null = <c>DPSHARP_THREADS</c> or all cores. Results do not
    /// depend on it.
    /// </summary>
    public int? Threads { get; set; }

    /// <summary>Wall-clock time of the current run so far.</summary>
    public Stopwatch RunClock { get; } = new();

    /// <summary>
    /// A checkpoint loaded into this simulation whose fix states, neighbor list and forces are applied at the next
    /// <see cref="Setup"/> (when the potential and fixes are defined again); null otherwise.
    /// </summary>
    public Checkpoint? PendingCheckpoint { get; internal set; }

    /// <summary>Where warnings go (the deck's screen and log); ignored when null.</summary>
    public Action<string>? Warn { get; set; }

    /// <summary>
    /// When set, a run that stops on an invalid state (non-finite energy, force or position; a lost atom) first writes
    /// the last good frame (the state at the end of the previous step) there and names the file in the error.
    /// </summary>
    public LastGoodFrame? LastGoodFrame { get; set; }

    /// <summary>Writes a checkpoint of the current state (see <see cref="Checkpoint"/>) to <paramref name="path"/>.</summary>
    /// <remarks>Between the runs of a decomposed deck, with the list state and forces of its last run (<see cref="Domains.DecomposedRun.CaptureBetweenRuns"/>).</remarks>
    public void SaveCheckpoint(string path) =>
        CheckpointFile.Write(Decomposed is { Active: false } d ? d.CaptureBetweenRuns(this) : Checkpoint.Capture(this), path);

    /// <summary>
    /// A simulation continuing from a checkpoint file: units, box, masses, atoms, step, timestep and neighbor settings
    /// are restored now. Set the <see cref="Potential"/> and add the fixes again (same ids and styles) before
    /// <see cref="Run"/>; the first run then resumes bit for bit where the saved run stood.
    /// </summary>
    public static Simulation LoadCheckpoint(string path) => CheckpointFile.Read(path).ToSimulation();

    /// <summary>Atoms in the system (during a decomposed run: over all ranks, while <see cref="Atoms"/> holds this rank's).</summary>
    public int AtomCount => Decomposed is { Active: true } d ? d.GlobalAtomCount : Atoms.Count;

    /// <summary>
    /// Set when the process is one rank of several (started by an MPI launcher): runs are then spread over the ranks
    /// by <see cref="Domains.DecomposedRun"/>; null (the default) runs on this process alone.
    /// </summary>
    public Domains.DecomposedRun? Decomposed { get; set; }

    /// <summary>Declares the box and the number of atom types (LAMMPS <c>create_box</c>, or a data file).</summary>
    public void CreateBox(SimulationBox box, int typeCount)
    {
        if (typeCount < 1) throw new UserInputException($"a box needs at least one atom type, got {typeCount}");
        if (Dimension == 2 && !box.Periodic[2]) throw new UserInputException("Cannot run 2d simulation with nonperiodic Z dimension");
        if (Dimension == 2 && (box.Xz != 0 || box.Yz != 0)) throw new UserInputException("Cannot skew triclinic box in z for 2d simulation");
        Box = box;
        TypeCount = typeCount;
        Masses = Enumerable.Repeat(double.NaN, typeCount).ToArray();
    }

    /// <summary>Sets the mass of a type (0-based).</summary>
    public void SetMass(int type, double mass)
    {
        if (type < 0 || type >= TypeCount) throw new UserInputException($"atom type {type + 1} is outside 1..{TypeCount}");
        if (!(mass > 0) || !double.IsFinite(mass)) throw new UserInputException($"mass of type {type + 1} must be positive, got {mass}");
        Masses[type] = mass;
    }

    /// <summary>Looks up a fix by id, or null.</summary>
    public Fix? FindFix(string id) => Fixes.FirstOrDefault(f => f.Id == id);

    /// <summary>
    /// Advances <paramref name="steps"/> steps. The phases of one step, in order:
    /// fixes' initial integrate → fixes' post-integrate → neighbor decision (rebuild: wrap into the box, build; otherwise refresh
    /// displacements) → forces → fixes' post-force → fixes' final integrate → fixes' end of step → outputs.
    /// </summary>
    /// <param name="steps">Number of steps.</param>
    /// <param name="setup">
    /// False: LAMMPS' <c>run N pre no</c> after an earlier run: no setup (no wrap, no rebuild, no sort, no force
    /// evaluation, no fix setup; computes and fixes are initialised again), so the run starts from the forces and
    /// energies the last step left and prints them at its first thermo line, even if atoms were moved in between.
    /// The first run of a simulation is always set up.
    /// </param>
    public void Run(long steps, bool setup = true)
    {
        if (steps < 0) throw new UserInputException($"run needs a non-negative number of steps, got {steps}");
        if (Decomposed is { } decomposed)
        {
            Validate();
            RestartElapsedTimeCount();
            try
            {
                decomposed.Run(this, steps);
            }
            finally
            {
                UpdateElapsedTime();
            }
            return;
        }
        RunStartStep = Step;
        RunEndStep = Step + steps;
        RestartElapsedTimeCount();
        Running = true;
        try
        {
            RunSteps(steps, setup);
        }
        finally
        {
            Running = false;
            UpdateElapsedTime();
        }
    }

    private int _atomsAtLastSetup = -1;

    private void RunSteps(long steps, bool setup = true)
    {
        if (setup || SetupCount == 0 || PendingCheckpoint is not null || Atoms.Count != _atomsAtLastSetup) SetupRun(continueLastRun: true);
        else
        {
            foreach (var compute in Computes) compute.Init(this);
            foreach (var f in Fixes) f.Init(this);
        }
        _atomsAtLastSetup = Atoms.Count;
        BuildsAtRunStart = Verlet.BuildCount;
        DangerousAtRunStart = Verlet.DangerousBuilds;
        RunClock.Restart();
        LastGoodFrame?.Prepare(Atoms.Count);
        IDeviceLoop? device = null;
        DeviceLoopNote = null;
        DeviceNeighborBuilds = 0;
        if (DeviceLoopFactory is not null && steps > 0 && _perAtomForComputes)
            DeviceLoopNote = "host loop: a compute reads per-atom energies or virials, which the device loop does not keep";
        else if (DeviceLoopFactory is not null && steps > 0 && !Atoms.Topology.IsEmpty)
            DeviceLoopNote = "host loop: the device loop has no bonded terms";
        else if (DeviceLoopFactory is { } factory && steps > 0)
        {
            device = factory.TryCreate(this, out var why);
            DeviceLoopNote = device is not null ? $"device loop: {device.Description}" : why.Length > 0 ? $"host loop: {why}" : null;
            if (DeviceLoopNote is { } note) Warn?.Invoke(note);
        }
        try
        {
            foreach (var o in Observers) o.RunStarted(this);
            if (device is not null)
            {
                RunOnDevice(device, steps);
                return;
            }
            for (long s = 0; s < steps; s++)
            {
                LastGoodFrame?.Remember(this);
                Step++;
                foreach (var f in Fixes) f.InitialIntegrate(this);
                foreach (var f in Fixes) f.PostIntegrate(this);
                if (Verlet.Decide(Atoms.X.AsSpan(0, Atoms.Count), Atoms.Y.AsSpan(0, Atoms.Count), Atoms.Z.AsSpan(0, Atoms.Count), _boxChanges ? Box : null))
                {
                    foreach (var f in Fixes) f.PreExchange(this);
                    RebuildNeighbors();
                    if (Step >= StorageOrder.NextSort) StorageOrder.Sort(this, Step);
                }
                else
                    Verlet.Refresh(Atoms.X, Atoms.Y, Atoms.Z, Box!.Cell);
                foreach (var f in Fixes) f.PreForce(this);
                ComputeForces();
                foreach (var f in Fixes) f.PostForce(this);
                foreach (var f in Fixes) f.FinalIntegrate(this);
                foreach (var f in Fixes) f.EndOfStep(this);
                foreach (var o in Observers) o.StepCompleted(this);
            }
            foreach (var f in Fixes) f.PostRun(this);
            _lastRun.Remember(this);
        }
        catch (SimulationException e) when (LastGoodFrame is { HasFrame: true } frame)
        {
            var path = frame.Write(this);
            throw new SimulationException($"{e.Message}; the last good frame (step {frame.Step}) is in {path}", e.Step, e.AtomId);
        }
        finally
        {
            RunClock.Stop();
            device?.Dispose();
            foreach (var o in Observers) o.RunFinished(this);
        }
    }

    /// <summary>
    /// The run on a device loop: it advances to the next step at which an observer reads the state, the state comes
    /// back, the observers see that step; at the end the host neighbor list is rebuilt for the final positions, so a
    /// later host run, write_restart or minimize starts from a consistent state.
    /// </summary>
    private void RunOnDevice(IDeviceLoop device, long steps)
    {
        var end = Step + steps;
        // Segments end where an observer reads the state, at the end, and at least every 2% of the run so the
        // progress bar moves (those extra stops copy nothing back).
        var longest = Math.Max(1, steps / 50);
        while (Step < end)
        {
            var next = Math.Min(end, Step + longest);
            var needs = next == end;
            for (var s = Step + 1; s <= next && !needs; s++)
                if (Observers.Any(o => o is not IStepSchedule schedule || schedule.NeedsState(this, s)))
                {
                    next = s;
                    needs = true;
                }
            device.Advance(next - Step);
            Step = next;
            if (needs) device.CopyTo(this);
            foreach (var o in Observers) o.StepCompleted(this);
        }
        DeviceNeighborBuilds = device.NeighborBuilds;
        RebuildNeighbors();
    }

    /// <summary>Neighbor list builds the device loop did in the last run (0 for host runs; the host list is rebuilt once at its end).</summary>
    public int DeviceNeighborBuilds { get; private set; }

    /// <summary>
    /// Takes a state computed elsewhere (a device loop): potential energy and virial of the current positions; the
    /// forces are already in <see cref="Atoms"/>. Throws when the energy is not finite, as a host step would.
    /// </summary>
    public void AcceptExternalForces(double energy, ReadOnlySpan<double> virial)
    {
        _forces.Energy = energy;
        virial.CopyTo(_forces.Virial);
        PerAtomTallied = false;
        if (!double.IsFinite(energy)) ThrowNonFinite("energy");
    }

    /// <summary>
    /// Everything a run does before its first step (LAMMPS' setup): checks, fix constants, wrap, neighbor build,
    /// forces, fix setup. Also used by minimizers and by one-off evaluations (<c>run 0</c>).
    /// </summary>
    public void Setup() => SetupRun(continueLastRun: false);

    /// <param name="continueLastRun">
    /// A run's setup: when the atoms, box, pair style and list are as the last host run left them
    /// (<see cref="RunContinuation"/>), the list is kept (not wrapped, not rebuilt), so the run sums the forces as that
    /// run would have gone on to and as a run continued from a checkpoint written then does, bit for bit. The rest
    /// (storage sort, forces, fix setup) is as LAMMPS does at every run. Not with a fix that follows LAMMPS' storage
    /// order (<see cref="Fix.UsesStorageOrder"/>): that order is sorted at rebuilds, whose steps must stay LAMMPS'.
    /// </param>
    private void SetupRun(bool continueLastRun)
    {
        Validate();
        Atoms.Trim();
        var continues = continueLastRun && PendingCheckpoint is null && Box is not { ShrinkWraps: true } && !Fixes.Any(f => f.UsesStorageOrder || f.UsesWrappedPositions) && _lastRun.Continues(this)
            && ReferenceEquals(_bondedAtBuild, Bonded) && _specialVersionAtBuild == Bonded.Version; // the list leaves out zero-weight special pairs
        _lastRun.Forget();
        SetupCount++;
        _perAtomForComputes = Computes.Any(k => k.NeedsPerAtomEnergy || k.NeedsPerAtomVirial);
        foreach (var compute in Computes) compute.Init(this);
        foreach (var f in Fixes) f.Init(this);
        _boxChanges = Fixes.Any(f => f.ChangesBox);
        _velocityRemap = Fixes.OfType<FixDeform>().FirstOrDefault(f => f.Remap == FixDeform.RemapMode.V);
        _parallel = ThreadSettings.Options(Threads);
        Verlet.Parallel = _parallel;
        var restored = RestoreFixStates();
        if (PendingCheckpoint is { } c && ResumesExactly(c))
        {
            // Continue the saved run: same list (same rebuild decisions, same summation order), and the forces the
            // saved integrator would use next (they include what fixes added, e.g. Langevin's random forces).
            PendingCheckpoint = null;
            RestoreNeighbors(c.Neighbors!);
            if (c.StorageOrder is { } order) StorageOrder.Restore(order, c.NextSort);
            foreach (var f in Fixes) f.SetupPreForce(this);
            ComputeForces();
            var scale = Math.Max(1.0, Math.Abs(c.PotentialEnergy));
            if (Math.Abs(PotentialEnergy - c.PotentialEnergy) > 1e-8 * scale)
                Warn?.Invoke($"WARNING: the potential energy at step {Step} is {PotentialEnergy:R} but was {c.PotentialEnergy:R} when the checkpoint was written: the pair style or its coefficients differ, so the run does not continue the saved one exactly");
            c.Fx.AsSpan().CopyTo(Atoms.Fx);
            c.Fy.AsSpan().CopyTo(Atoms.Fy);
            c.Fz.AsSpan().CopyTo(Atoms.Fz);
            foreach (var f in Fixes)
                if (restored.Contains(f)) f.Resume(this);
                else f.Setup(this);
            return;
        }
        PendingCheckpoint = null;
        // Continuing the last run: its list as it stands (no wrap, no rebuild), so the same summation order as that run
        // would have gone on with, and as a checkpoint of this moment resumes with; the sort bins as if wrapped.
        if (!continues) RebuildNeighbors();
        StorageOrder.Sort(this, Step, wrap: continues);
        foreach (var f in Fixes) f.SetupPreForce(this);
        ComputeForces();
        foreach (var f in Fixes) f.Setup(this);
    }

    /// <summary>Gives each fix defined again after a checkpoint was loaded its saved state (matched by id and style).</summary>
    internal HashSet<Fix> RestoreFixStates()
    {
        var restored = new HashSet<Fix>();
        if (PendingCheckpoint is not { } c) return restored;
        foreach (var saved in c.Fixes)
        {
            var fix = FindFix(saved.Id);
            if (fix is null || fix.Style != saved.Style)
            {
                Warn?.Invoke($"WARNING: fix {saved.Id} ({saved.Style}) from the restart file is not defined again (same id and style); its state is dropped");
                continue;
            }
            fix.RestoreState(saved.State);
            restored.Add(fix);
        }
        return restored;
    }

    /// <summary>Whether nothing that the saved list and forces depend on changed since the checkpoint was loaded.</summary>
    private bool ResumesExactly(Checkpoint c)
    {
        if (c.Neighbors is null || c.Fx is null || c.AtomCount != Atoms.Count) return false;
        var a = Atoms;
        var n = a.Count;
        var b = Box!;
        return c.Bounds.AsSpan().SequenceEqual([b.Lo[0], b.Hi[0], b.Lo[1], b.Hi[1], b.Lo[2], b.Hi[2]])
            && c.Tilts.AsSpan().SequenceEqual([b.Xy, b.Xz, b.Yz])
            && c.Ids.AsSpan().SequenceEqual(a.Id.AsSpan(0, n)) && c.Types.AsSpan().SequenceEqual(a.Type.AsSpan(0, n))
            && c.X.AsSpan().SequenceEqual(a.X.AsSpan(0, n)) && c.Y.AsSpan().SequenceEqual(a.Y.AsSpan(0, n))
            && c.Z.AsSpan().SequenceEqual(a.Z.AsSpan(0, n)) && c.Vx.AsSpan().SequenceEqual(a.Vx.AsSpan(0, n))
            && c.Vy.AsSpan().SequenceEqual(a.Vy.AsSpan(0, n)) && c.Vz.AsSpan().SequenceEqual(a.Vz.AsSpan(0, n));
    }

    private void Validate()
    {
        if (Box is null) throw new UserInputException("run before the box exists; use create_box or read_data first");
        if (Atoms.Count == 0) throw new UserInputException("run with no atoms; use create_atoms or read_data first");
        for (var t = 0; t < TypeCount; t++)
            if (double.IsNaN(Masses[t])) throw new UserInputException($"the mass of atom type {t + 1} is not set; add 'mass {t + 1} VALUE'");
        if (Potential is null) throw new UserInputException("run without a pair style; add pair_style and pair_coeff");
        if (!Atoms.Topology.IsEmpty)
        {
            if (Decomposed is not null)
                throw new UserInputException("bonds, angles, dihedrals and impropers are not carried over several processes yet; run this molecular system on one process (without mpirun)");
            Bonded.Validate(Atoms, Warn);
        }
        if (Dimension == 2)
        {
            if (!Box.Periodic[2]) throw new UserInputException("Cannot run 2d simulation with nonperiodic Z dimension");
            if (Potential.NeighborKind != NeighborKind.HalfWithGhosts)
                throw new UserInputException("this pair style needs a full neighbor list, which 2-d simulations do not have yet; use a classical pair style (lj/cut, eam, ...) in 2-d");
        }
    }

    /// <summary>
    /// LAMMPS' domain->pbc() outside a rebuild: maps atoms that left through a periodic face back into the box (image
    /// counts and, with fix deform remap v, velocities updated), as a fix's pre_exchange sees them (fix balance weights).
    /// </summary>
    public void WrapAtoms()
    {
        var a = Atoms;
        var box = Box!;
        var deform = _velocityRemap;
        for (var i = 0; i < a.Count; i++)
        {
            int ia = a.ImageA[i], ib = a.ImageB[i], ic = a.ImageC[i];
            box.Remap(ref a.X[i], ref a.Y[i], ref a.Z[i], ref a.ImageA[i], ref a.ImageB[i], ref a.ImageC[i]);
            if (deform is not null && deform.IsMember(i)) VelocityRemap(deform.HRate, i, a.ImageA[i] - ia, a.ImageB[i] - ib, a.ImageC[i] - ic);
        }
    }

    /// <summary>Wraps atoms into the periodic box (updating image counts), checks for lost atoms, rebuilds the list.</summary>
    public void RebuildNeighbors()
    {
        var a = Atoms;
        var box = Box!;
        WrapAtoms();
        for (var i = 0; i < a.Count; i++)
        {
            if (box.BoxLengthsOutside(a.X[i], a.Y[i], a.Z[i]) is var far && far > Core.Geometry.Box.MaxBoxLengthsOutside && double.IsFinite(far))
                throw new SimulationException($"step {Step}: atom {a.Id[i]} at ({a.X[i]}, {a.Y[i]}, {a.Z[i]}) is {far:G3} box lengths outside the periodic box (more than {Core.Geometry.Box.MaxBoxLengthsOutside:G0}); the run became unstable (timestep too large or bad potential?)", Step, a.Id[i]);
            if (!double.IsFinite(a.X[i]) || !double.IsFinite(a.Y[i]) || !double.IsFinite(a.Z[i]))
                throw new SimulationException($"step {Step}: atom {a.Id[i]} has a non-finite position ({a.X[i]}, {a.Y[i]}, {a.Z[i]}); the run became unstable (timestep too large or bad potential?)", Step, a.Id[i]);
        }
        // LAMMPS' reset_box after pbc: shrink-wrapped faces follow the atoms, so only fixed faces lose atoms
        ShrinkWrapBox();
        if (!box.Periodic[0] || !box.Periodic[1] || !box.Periodic[2])
            for (var i = 0; i < a.Count; i++)
                if (!box.InsideNonPeriodic(a.X[i], a.Y[i], a.Z[i]))
                    throw new SimulationException($"step {Step}: atom {a.Id[i]} is lost: it left the box through a non-periodic boundary at ({a.X[i]}, {a.Y[i]}, {a.Z[i]})", Step, a.Id[i]);
        BuildNeighborList(a.X.AsSpan(0, a.Count), a.Y.AsSpan(0, a.Count), a.Z.AsSpan(0, a.Count));
    }

    /// <summary>
    /// LAMMPS' Domain::reset_box: moves the box's shrink-wrapped faces (boundary s, m) to the atoms' extent plus the
    /// margin. Done at every neighbor list build and by the commands that move or add atoms; nothing for other boxes.
    /// </summary>
    public void ShrinkWrapBox()
    {
        if (Box is not { ShrinkWraps: true } box || Atoms.Count == 0) return;
        if (Decomposed is { Active: true })
            throw new UserInputException("shrink-wrapped boundaries (s, m) are not carried over several processes yet; run this deck on one process (without mpirun)");
        var n = Atoms.Count;
        box.ShrinkWrap(Atoms.X.AsSpan(0, n), Atoms.Y.AsSpan(0, n), Atoms.Z.AsSpan(0, n));
    }

    /// <summary>
    /// Whether the box may change during a run (LAMMPS' domain->box_change): shrink-wrapped faces, or a fix that
    /// changes the box or the subdomains (npt, nph, deform, balance). Thermo styles one and multi then print the volume.
    /// </summary>
    public bool BoxMayChange => Box is { ShrinkWraps: true } || Fixes.Any(f => f.ChangesBox || f.ChangesSubdomains);

    /// <summary>
    /// LAMMPS' Domain::pbc with fix deform remap v: an atom that crossed a periodic face takes the box's velocity
    /// difference across it (h_rate per period crossed; x: xprd; y: xy, yprd; z: xz, yz, zprd).
    /// </summary>
    private void VelocityRemap(double[] hRate, int i, int da, int db, int dc)
    {
        if (da == 0 && db == 0 && dc == 0) return;
        var a = Atoms;
        a.Vx[i] -= da * hRate[0] + db * hRate[5] + dc * hRate[4];
        a.Vy[i] -= db * hRate[1] + dc * hRate[3];
        a.Vz[i] -= dc * hRate[2];
    }

    /// <summary>Builds the list the potential uses (half list over ghosts, or full list) for wrapped positions.</summary>
    private void BuildNeighborList(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z)
    {
        var box = Box!;
        if (NeighborExclusion is not null && Potential!.NeighborKind != NeighborKind.HalfWithGhosts)
            throw new Core.Errors.UserInputException("neigh_modify exclude works with the pair styles that use a half neighbor list (lj/cut, eam, morse, ...) only so far, not with deepmd or hybrid/overlay");
        Bonded.ZeroWeightPairsExcluded = false;
        (_bondedAtBuild, _specialVersionAtBuild) = (Bonded, Bonded.Version);
        if (Potential!.NeighborKind == NeighborKind.HalfWithGhosts)
        {
            Verlet.BuildHalf(x, y, z, Atoms.Type.AsSpan(0, Atoms.Count), box, Potential.Cutoff, planar: Dimension == 2);
            var special = Potential is Potentials.IPairFunction && !Atoms.Topology.IsEmpty ? Bonded.ZeroWeightPairs(Atoms) : null;
            Bonded.ZeroWeightPairsExcluded = special is not null;
            if (Either(special, NeighborExclusion) is { } excluded) Verlet.Half!.Exclude(excluded);
        }
        else if (Potential.NeighborKind == NeighborKind.Both)
        {
            Verlet.BuildBoth(x, y, z, Atoms.Type.AsSpan(0, Atoms.Count), box, Potential.Cutoff);
        }
        else if (Streams(x.Length))
        {
            Verlet.BuildNone(x, y, z, box);
        }
        else
        {
            Verlet.Build(x, y, z, box.Cell, Potential!.Cutoff);
            Verlet.HoldBox(box);
        }
    }

    /// <summary>
    /// Systems of at least this many atoms are evaluated without a stored neighbor list when the potential can
    /// (<see cref="IPotential.CanStream"/>): its list of the whole system would hold ~14 KB per water atom (cutoff 6 Å +
    /// skin 2 Å), ten times the atoms' own data. <c>DPSHARP_STREAM=1</c> streams any size the potential accepts,
    /// <c>DPSHARP_STREAM=0</c> never.
    /// </summary>
    public const int StreamFromAtoms = 50_000;

    /// <summary>
    /// Whether the potential evaluates the system without a stored neighbor list when it can: true always, false never,
    /// null (the default) as <c>DPSHARP_STREAM</c> says, else from <see cref="StreamFromAtoms"/> atoms on. Read at each
    /// list build.
    /// </summary>
    public bool? Stream { get; set; }

    /// <summary>Whether the potential evaluates <paramref name="atoms"/> atoms without a stored list (see <see cref="Stream"/>).</summary>
    private bool Streams(int atoms)
    {
        var setting = Stream switch
        {
            true => "1",
            false => "0",
            null => Environment.GetEnvironmentVariable("DPSHARP_STREAM"),
        };
        if (setting is "0" or "off") return false;
        if (!Potential!.CanStream(Box!.Cell, atoms)) return false;
        var streams = setting is "1" or "on" || atoms >= StreamFromAtoms;
        if (streams && !ReferenceEquals(_saidStreaming, Potential))
        {
            _saidStreaming = Potential;
            Warn?.Invoke($"{Potential.Name}: {atoms} atoms evaluated block by block, without a stored neighbor list (DPSHARP_STREAM=0 stores one)");
        }
        return streams;
    }

    private IPotential? _saidStreaming;

    /// <summary>
    /// Recreates the neighbor list exactly as it stood in a saved run: built from the saved positions of its last build
    /// (the searches are deterministic: same pairs, same order), refreshed to the current positions unless that build
    /// was the saved step itself, in the box of that build, with the saved age and counters.
    /// </summary>
    private void RestoreNeighbors(CheckpointNeighbors saved)
    {
        // Build in the box of the saved build (a barostat has changed it since): same ghosts, bins and images.
        var box = Box!;
        double[] now = [box.Lo[0], box.Lo[1], box.Lo[2], box.Hi[0], box.Hi[1], box.Hi[2], box.Xy, box.Xz, box.Yz];
        var then = saved.BoxHold.Length == 9 ? saved.BoxHold : now;
        box.Reshape(then[0], then[3], then[1], then[4], then[2], then[5], then[6], then[7], then[8]);
        BuildNeighborList(saved.XHold, saved.YHold, saved.ZHold);
        box.Reshape(now[0], now[3], now[1], now[4], now[2], now[5], now[6], now[7], now[8]);
        if (saved.Ago != 0) Verlet.Refresh(Atoms.X, Atoms.Y, Atoms.Z, Box!.Cell);
        Verlet.RestoreCounters(saved);
    }

    /// <summary>
    /// Evaluates the potential for the current positions into the state's force arrays: one request (kept between steps)
    /// with the list the potential asked for, the full periodic list (owners, no ghosts) or the half list over ghosts.
    /// </summary>
    public void ComputeForces()
    {
        if (Decomposed is { WholeSystemForces: true } ranks)
        {
            ranks.ComputeWholeSystemForces(this); // a minimization over several ranks
            return;
        }
        var a = Atoms;
        var request = _request;
        request.X = a.X;
        request.Y = a.Y;
        request.Z = a.Z;
        request.Types = a.Type;
        request.AtomCount = a.Count;
        request.LocalCount = a.Count;
        request.Box = Box!.Cell;
        request.Neighbors = Verlet.List;
        request.HalfNeighbors = Potential!.NeighborKind is NeighborKind.HalfWithGhosts or NeighborKind.Both ? Verlet.Half : null;
        request.PerAtom = PerAtomWanted || _perAtomForComputes;
        PerAtomTallied = false;
        request.Step = Step;
        request.Ids = a.Id;
        request.Charges = a.HasCharge ? a.Q : null;
        request.Parallel = _parallel;
        try
        {
            Potential.Compute(request, _forces);
        }
        catch (PotentialGuardException e)
        {
            // A potential that stops the run (pair_style deepmd ... guard stop): like an invalid state, so the run
            // writes the last good frame.
            throw new SimulationException(e.Message, Step, e.AtomId);
        }
        if (!a.Topology.IsEmpty) Bonded.Compute(a, Box!, Potential, _forces, Step, Warn);
        a.Fx = _forces.Fx;
        a.Fy = _forces.Fy;
        a.Fz = _forces.Fz;
        PerAtomTallied = request.PerAtom;
        if (!double.IsFinite(_forces.Energy)) ThrowNonFinite("energy");
    }

    private void ThrowNonFinite(string what)
    {
        var a = Atoms;
        for (var i = 0; i < a.Count; i++)
        {
            if (!double.IsFinite(a.Fx[i]) || !double.IsFinite(a.Fy[i]) || !double.IsFinite(a.Fz[i]))
                throw new SimulationException($"step {Step}: the potential gave a non-finite {what}; first bad force on atom {a.Id[i]} ({a.Fx[i]}, {a.Fy[i]}, {a.Fz[i]}) at ({a.X[i]}, {a.Y[i]}, {a.Z[i]}); atoms may overlap (timestep too large?)", Step, a.Id[i]);
        }
        throw new SimulationException($"step {Step}: the potential gave a non-finite {what} ({_forces.Energy}); forces are finite", Step, 0);
    }

    /// <summary>A pair left out by either rule (a separate method, so a build without rules allocates no closure).</summary>
    private static Func<int, int, bool>? Either(Func<int, int, bool>? a, Func<int, int, bool>? b) =>
        a is null ? b : b is null ? a : Both(a, b);

    private static Func<int, int, bool> Both(Func<int, int, bool> a, Func<int, int, bool> b) => (i, j) => a(i, j) || b(i, j);
}
