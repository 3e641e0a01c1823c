namespace DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// LAMMPS' <c>fix vector N value ...</c>: every N steps (the first on the first multiple of N at or after the step the fix
/// was defined, at the run's setup when it falls there) stores the current values of its inputs (compute or fix
/// scalars and vector elements, equal-style variables); the stored history is a global vector (one input: f_ID,
/// f_ID[i]) or array (several: f_ID[i][j]) that grows by one row per sample and lasts across runs. Formulas read it
/// whole with sum(), min(), max(), ave(), trap() and slope().
/// </summary>
public sealed class FixVector : Fix, IFixGlobalValues
{
    private readonly Func<Simulation, double>[] _values;
    private readonly bool _extensive;
    private readonly List<double[]> _rows = [];
    private long _nextStep;

    /// <param name="id">The fix id.</param>
    /// <param name="nevery">Sampling interval N (positive).</param>
    /// <param name="values">The inputs' current values, in order.</param>
    /// <param name="extensive">Whether the inputs are extensive (they must agree, as LAMMPS checks).</param>
    /// <param name="currentStep">The step the fix is defined at.</param>
    public FixVector(string id, int nevery, IReadOnlyList<Func<Simulation, double>> values, bool extensive, long currentStep) : base(id)
    {
        if (nevery <= 0) throw new Core.Errors.UserInputException("Illegal fix vector command");
        if (values.Count == 0) throw new Core.Errors.UserInputException("Illegal fix vector command");
        Nevery = nevery;
        _values = values.ToArray();
        _extensive = extensive;
        _nextStep = currentStep / nevery * nevery;
        if (_nextStep < currentStep) _nextStep += nevery;
    }

    public override string Style => "vector";

    public int Nevery { get; }

    /// <summary>Number of inputs (columns); one makes a global vector, more a global array.</summary>
    public int Columns => _values.Length;

    /// <summary>Rows stored so far.</summary>
    public int Count => _rows.Count;

    /// <summary>Stored value of row <paramref name="i"/>, column <paramref name="j"/> (0-based).</summary>
    public double Value(int i, int j) => _rows[i][j];

    public override void Setup(Simulation sim) => EndOfStep(sim);

    public override void EndOfStep(Simulation sim)
    {
        if (sim.Step != _nextStep) return;
        var row = new double[_values.Length];
        for (var i = 0; i < row.Length; i++) row[i] = _values[i](sim);
        _rows.Add(row);
        _nextStep += Nevery;
    }

    public bool HasScalar => false;

    public double Scalar(Simulation sim) => throw new InvalidOperationException("fix vector has no scalar");

    public bool ExtensiveScalar => false;

    public int VectorLength => _values.Length == 1 ? _rows.Count : 0;

    public double Vector(Simulation sim, int i) => _rows[i][0];

    public bool ExtensiveVector(int i) => _extensive;

    /// <summary>Whether the stored values are extensive (LAMMPS' extvector/extarray).</summary>
    public bool Extensive => _extensive;
}
