namespace DeepMD.Sharp.Dynamics.Computes;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Groups;

/// <summary>
/// A LAMMPS compute (<c>compute ID group style args</c>): a quantity of the current state that outputs (thermo, dumps,
/// fix ave/time, variables) ask for. Like LAMMPS, a compute does nothing on its own: it is evaluated when something
/// asks for it on a step, and the value is kept for the rest of that step (LAMMPS' <c>invoked_*</c>), so thermo and a
/// fix asking on the same step see the same numbers. Cached values are dropped at each run's setup, as LAMMPS does.
/// A compute has any of: a global scalar, a global vector, a global array, per-atom values (one or several columns).
/// </summary>
public abstract class Compute
{
    private double _scalar;
    private double[] _vector = [];
    private double[][] _array = [];
    private double[] _perAtom = [];
    private long _scalarSetup = -1, _vectorSetup = -1, _arraySetup = -1, _perAtomSetup = -1;

    protected Compute(string id, AtomGroup group)
    {
        Id = id;
        Group = group;
    }

    /// <summary>The id from the deck.</summary>
    public string Id { get; }

    /// <summary>The group the compute acts on (replaced by <c>delete_atoms compress</c>, which renumbers the atoms).</summary>
    public AtomGroup Group { get; set; }

    /// <summary>The style name (e.g. <c>rdf</c>).</summary>
    public abstract string Style { get; }

    /// <summary>Whether the compute has a global scalar.</summary>
    public virtual bool HasScalar => false;

    /// <summary>Length of the global vector (0: none).</summary>
    public virtual int VectorLength => 0;

    /// <summary>Rows of the global array (0: none).</summary>
    public virtual int ArrayRows => 0;

    /// <summary>Columns of the global array.</summary>
    public virtual int ArrayColumns => 0;

    /// <summary>Whether the compute has per-atom values.</summary>
    public virtual bool HasPerAtom => false;

    /// <summary>Per-atom columns: 0 for a per-atom vector (one value per atom), N for a per-atom array.</summary>
    public virtual int PerAtomColumns => 0;

    /// <summary>Whether the scalar is extensive (thermo divides it by the atom count when normalising).</summary>
    public virtual bool ExtensiveScalar => false;

    /// <summary>Whether vector element <paramref name="index"/> (0-based) is extensive.</summary>
    public virtual bool ExtensiveVectorElement(int index) => false;

    /// <summary>Whether the potential must fill per-atom energies (<see cref="Simulation.PerAtomWanted"/>).</summary>
    public virtual bool NeedsPerAtomEnergy => false;

    /// <summary>Whether the potential must fill per-atom virials.</summary>
    public virtual bool NeedsPerAtomVirial => false;

    /// <summary>The step of the last scalar evaluation (-1: not since the last setup).</summary>
    public long InvokedScalar { get; private set; } = -1;

    /// <summary>The step of the last vector evaluation (-1: not since the last setup).</summary>
    public long InvokedVector { get; private set; } = -1;

    /// <summary>The step of the last array evaluation (-1: not since the last setup).</summary>
    public long InvokedArray { get; private set; } = -1;

    /// <summary>The step of the last per-atom evaluation (-1: not since the last setup).</summary>
    public long InvokedPerAtom { get; private set; } = -1;

    /// <summary>
    /// At each run's (or minimization's) setup, before the first force evaluation: constants that depend on the
    /// state (group counts, cutoffs). Derived classes call the base, which forgets the cached values.
    /// </summary>
    public virtual void Init(Simulation sim)
    {
        InvokedScalar = InvokedVector = InvokedArray = InvokedPerAtom = -1;
    }

    /// <summary>The global scalar of the current step (evaluated once per step).</summary>
    public double Scalar(Simulation sim)
    {
        if (!HasScalar) throw new UserInputException($"compute {Id} ({Style}) does not calculate a global scalar");
        if (InvokedScalar != sim.Step || _scalarSetup != sim.SetupCount)
        {
            _scalar = ComputeScalar(sim);
            InvokedScalar = sim.Step;
            _scalarSetup = sim.SetupCount;
        }
        return _scalar;
    }

    /// <summary>The global vector of the current step (evaluated once per step; do not modify).</summary>
    public double[] Vector(Simulation sim)
    {
        if (VectorLength == 0) throw new UserInputException($"compute {Id} ({Style}) does not calculate a global vector");
        if (InvokedVector != sim.Step || _vectorSetup != sim.SetupCount)
        {
            if (_vector.Length != VectorLength) _vector = new double[VectorLength];
            ComputeVector(sim, _vector);
            InvokedVector = sim.Step;
            _vectorSetup = sim.SetupCount;
        }
        return _vector;
    }

    /// <summary>The global array of the current step, by row (evaluated once per step; do not modify).</summary>
    public double[][] Array(Simulation sim)
    {
        if (ArrayRows == 0) throw new UserInputException($"compute {Id} ({Style}) does not calculate a global array");
        if (InvokedArray != sim.Step || _arraySetup != sim.SetupCount)
        {
            if (_array.Length != ArrayRows || _array[0].Length != ArrayColumns)
                _array = Enumerable.Range(0, ArrayRows).Select(_ => new double[ArrayColumns]).ToArray();
            ComputeArray(sim, _array);
            InvokedArray = sim.Step;
            _arraySetup = sim.SetupCount;
        }
        return _array;
    }

    /// <summary>
    /// Per-atom values of the current step, atom-major (<c>values[i * max(1, PerAtomColumns) + column]</c>, atoms in
    /// <see cref="Simulation.Atoms"/> order); atoms outside the group hold 0.
    /// </summary>
    public double[] PerAtom(Simulation sim)
    {
        if (!HasPerAtom) throw new UserInputException($"compute {Id} ({Style}) does not calculate per-atom values");
        if (InvokedPerAtom != sim.Step || _perAtomSetup != sim.SetupCount)
        {
            var n = sim.Atoms.Count * Math.Max(1, PerAtomColumns);
            if (_perAtom.Length != n) _perAtom = new double[n];
            else System.Array.Clear(_perAtom);
            ComputePerAtom(sim, _perAtom);
            InvokedPerAtom = sim.Step;
            _perAtomSetup = sim.SetupCount;
        }
        return _perAtom;
    }

    protected virtual double ComputeScalar(Simulation sim) => throw new InvalidOperationException();

    protected virtual void ComputeVector(Simulation sim, double[] vector) => throw new InvalidOperationException();

    protected virtual void ComputeArray(Simulation sim, double[][] array) => throw new InvalidOperationException();

    /// <summary>Fills <paramref name="values"/> (zeroed) for the atoms of the group.</summary>
    protected virtual void ComputePerAtom(Simulation sim, double[] values) => throw new InvalidOperationException();

    /// <summary>Group membership by atom index (a fresh mask; <c>all</c>: every atom).</summary>
    protected bool[] GroupMask(Simulation sim)
    {
        var a = sim.Atoms;
        var mask = new bool[a.Count];
        for (var i = 0; i < a.Count; i++) mask[i] = Group.Contains(a.Id[i]);
        return mask;
    }

    /// <summary>The unwrapped position of atom <paramref name="i"/> (position plus image counts times the cell vectors).</summary>
    protected static (double X, double Y, double Z) Unwrapped(Simulation sim, int i)
    {
        var a = sim.Atoms;
        var b = sim.Box!;
        double ia = a.ImageA[i], ib = a.ImageB[i], ic = a.ImageC[i];
        if (!b.IsTriclinic) return (a.X[i] + ia * b.Lx, a.Y[i] + ib * b.Ly, a.Z[i] + ic * b.Lz);
        var h = b.Cell.Matrix;
        return (a.X[i] + ia * h[0] + ib * h[3] + ic * h[6], a.Y[i] + ia * h[1] + ib * h[4] + ic * h[7], a.Z[i] + ia * h[2] + ib * h[5] + ic * h[8]);
    }

    /// <summary>Refuses to run decomposed (per-atom state kept on one process).</summary>
    protected void RequireSerial(Simulation sim)
    {
        if (sim.Decomposed is { Active: true })
            throw new UserInputException($"compute {Id} ({Style}) is not supported in a run over several ranks yet");
    }
}
