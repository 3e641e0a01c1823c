namespace DeepMD.Sharp.Dynamics;

using System.Diagnostics;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Potentials;
using DeepMD.Sharp.Dynamics.Atoms;
using DeepMD.Sharp.Dynamics.Fixes;
using DeepMD.Sharp.Dynamics.Neighbors;
using DeepMD.Sharp.Dynamics.Potentials;
using DeepMD.Sharp.Dynamics.Units;

/// <summary>
/// A molecular dynamics simulation: box, atom types and masses, the potential, fixes and the mutable
/// <see cref="AtomState"/>, advanced by the one MD loop in <see cref="Run"/>. A deck builds one of these command by
/// command; a C# script can build it directly. All quantities are in <see cref="Units"/>.
/// </summary>
public sealed class Simulation
{
    private readonly ForceResult _forces = new();
    private bool _boxChanges;
    private ParallelOptions _parallel = new();

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

    /// <summary>Outputs attached to runs (thermo, dumps, progress).</summary>
    public List<IRunObserver> Observers { get; } = [];

    /// <summary>Timestep (time units).</summary>
    public double Timestep { get; set; }

    /// <summary>Current step number.</summary>
    public long Step { get; set; }

    /// <summary>Step at which the current (or last) run began.</summary>
    public long RunStartStep { get; internal set; }

    /// <summary>Step at which the current (or last) run ends.</summary>
    public long RunEndStep { get; internal set; }

    /// <summary>Neighbor list builds done before the current run's first step (after its setup build).</summary>
    public int BuildsAtRunStart { get; internal set; }

    /// <summary>Neighbor list settings (<c>neighbor</c>, <c>neigh_modify</c>).</summary>
    public NeighborSettings Neighbor { get; }

    /// <summary>The Verlet list and its statistics.</summary>
    public VerletList Verlet { get; }

    /// <summary>Degrees of freedom removed by constraints (beyond the 3 of the centre of mass).</summary>
    public double ExtraDegreesRemoved { get; set; }

    /// <summary>Potential energy of the last evaluation (energy units).</summary>
    public double PotentialEnergy => _forces.Energy;

    /// <summary>Virial of the last evaluation, W[a][b] = Σ F_a x_b (energy units, row-major 3x3).</summary>
    public double[] Virial => _forces.Virial;

    /// <summary>Per-atom energies of the last evaluation when <see cref="PerAtomWanted"/> is set.</summary>
    public double[] AtomEnergy => _forces.AtomEnergy;

    /// <summary>Whether outputs need per-atom energy/virial at the next evaluation.</summary>
    public bool PerAtomWanted { get; set; }

    /// <summary>
    /// Threads for the engine's own pair styles (lj/cut, eam); null = <c>DPSHARP_THREADS</c> or all cores. Results do not
    /// depend on it.
    /// </summary>
    public int? Threads { get; set; }

    /// <summary>Wall-clock time of the current run so far.</summary>
    public Stopwatch RunClock { get; } = new();

    /// <summary>Atoms in the state (convenience).</summary>
    public int AtomCount => Atoms.Count;

    /// <summary>Declares the box and the number of atom types (LAMMPS <c>create_box</c>, or a data file).</summary>
    public void CreateBox(SimulationBox box, int typeCount)
    {
        if (typeCount < 1) throw new UserInputException($"a box needs at least one atom type, got {typeCount}");
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
    /// fixes' initial integrate → neighbor decision (rebuild: wrap into the box, build; otherwise refresh
    /// displacements) → forces → fixes' post-force → fixes' final integrate → fixes' end of step → outputs.
    /// </summary>
    public void Run(long steps)
    {
        if (steps < 0) throw new UserInputException($"run needs a non-negative number of steps, got {steps}");
        RunStartStep = Step;
        RunEndStep = Step + steps;
        Setup();
        BuildsAtRunStart = Verlet.BuildCount;
        RunClock.Restart();
        try
        {
            foreach (var o in Observers) o.RunStarted(this);
            for (long s = 0; s < steps; s++)
            {
                Step++;
                foreach (var f in Fixes) f.InitialIntegrate(this);
                if (Verlet.Decide(Atoms.X.AsSpan(0, Atoms.Count), Atoms.Y.AsSpan(0, Atoms.Count), Atoms.Z.AsSpan(0, Atoms.Count), _boxChanges ? Box : null))
                    RebuildNeighbors();
                else
                    Verlet.Refresh(Atoms.X, Atoms.Y, Atoms.Z, Box!.Cell);
                ComputeForces();
                foreach (var f in Fixes) f.PostForce(this);
                foreach (var f in Fixes) f.FinalIntegrate(this);
                foreach (var f in Fixes) f.EndOfStep(this);
                foreach (var o in Observers) o.StepCompleted(this);
            }
        }
        finally
        {
            RunClock.Stop();
            foreach (var o in Observers) o.RunFinished(this);
        }
    }

    /// <summary>
    /// Everything a run does before its first step (LAMMPS' setup): checks, fix constants, wrap, neighbor build,
    /// forces, fix setup. Also used by minimizers and by one-off evaluations (<c>run 0</c>).
    /// </summary>
    public void Setup()
    {
        Validate();
        Atoms.Trim();
        foreach (var f in Fixes) f.Init(this);
        _boxChanges = Fixes.Any(f => f.ChangesBox);
        _parallel = ThreadSettings.Options(Threads);
        Verlet.Parallel = _parallel;
        RebuildNeighbors();
        ComputeForces();
        foreach (var f in Fixes) f.Setup(this);
    }

    private void Validate()
    {
        if (Box is null) throw new UserInputException("run before the box exists; use create_box or read_data first");
        if (Atoms.Count == 0) throw new UserInputException("run with no atoms; use create_atoms or read_data first");
        for (var t = 0; t < TypeCount; t++)
            if (double.IsNaN(Masses[t])) throw new UserInputException($"the mass of atom type {t + 1} is not set; add 'mass {t + 1} VALUE'");
        if (Potential is null) throw new UserInputException("run without a pair style; add pair_style and pair_coeff");
    }

    /// <summary>Wraps atoms into the periodic box (updating image counts), checks for lost atoms, rebuilds the list.</summary>
    public void RebuildNeighbors()
    {
        var a = Atoms;
        var box = Box!;
        for (var i = 0; i < a.Count; i++)
        {
            box.Remap(ref a.X[i], ref a.Y[i], ref a.Z[i], ref a.ImageA[i], ref a.ImageB[i], ref a.ImageC[i]);
            if (!double.IsFinite(a.X[i]) || !double.IsFinite(a.Y[i]) || !double.IsFinite(a.Z[i]))
                throw new SimulationException($"step {Step}: atom {a.Id[i]} has a non-finite position ({a.X[i]}, {a.Y[i]}, {a.Z[i]}); the run became unstable (timestep too large or bad potential?)", Step, a.Id[i]);
            if (!box.InsideNonPeriodic(a.X[i], a.Y[i], a.Z[i]))
                throw new SimulationException($"step {Step}: atom {a.Id[i]} is lost: it left the box through a non-periodic boundary at ({a.X[i]}, {a.Y[i]}, {a.Z[i]})", Step, a.Id[i]);
        }
        if (Potential is IHalfListPotential)
            Verlet.BuildHalf(a.X.AsSpan(0, a.Count), a.Y.AsSpan(0, a.Count), a.Z.AsSpan(0, a.Count), a.Type.AsSpan(0, a.Count), box, Potential.Cutoff);
        else
        {
            Verlet.Build(a.X.AsSpan(0, a.Count), a.Y.AsSpan(0, a.Count), a.Z.AsSpan(0, a.Count), box.Cell, Potential!.Cutoff);
            Verlet.HoldBox(box);
        }
    }

    /// <summary>Evaluates the potential for the current positions into the state's force arrays.</summary>
    public void ComputeForces()
    {
        var a = Atoms;
        if (Potential is IHalfListPotential pair && Verlet.Half is { } half)
            pair.Compute(new HalfListRequest(half, PerAtomWanted, _parallel), _forces);
        else
        {
            var request = new ForceRequest(a.X, a.Y, a.Z, a.Type, Box!.Cell, Verlet.List!) { PerAtom = PerAtomWanted, Step = Step };
            Potential!.Compute(request, _forces);
        }
        a.Fx = _forces.Fx;
        a.Fy = _forces.Fy;
        a.Fz = _forces.Fz;
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
}
