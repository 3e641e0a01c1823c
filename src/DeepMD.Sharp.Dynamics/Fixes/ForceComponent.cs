namespace DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// One force component of fix setforce/addforce: a constant, an equal-style variable (one value, evaluated at every
/// application) or an atom-style variable (a value per atom in storage order, evaluated at every application), as
/// LAMMPS' CONSTANT, EQUAL and ATOM styles.
/// </summary>
public sealed class ForceComponent
{
    private double _value;
    private double[]? _values;

    private ForceComponent() { }

    public static ForceComponent Constant(double value) => new() { _value = value };

    public static ForceComponent Equal(Func<double> evaluate) => new() { EqualVariable = evaluate };

    public static ForceComponent Atom(Func<double[]> evaluate) => new() { AtomVariable = evaluate };

    public Func<double>? EqualVariable { get; private init; }

    public Func<double[]>? AtomVariable { get; private init; }

    /// <summary>Whether the value comes from a variable.</summary>
    public bool IsVariable => EqualVariable is not null || AtomVariable is not null;

    /// <summary>The constant (0 for a variable).</summary>
    public double ConstantValue => IsVariable ? 0.0 : _value;

    /// <summary>Evaluates the variable for this application (once per force evaluation).</summary>
    public void Prepare()
    {
        if (EqualVariable is { } e) _value = e();
        else if (AtomVariable is { } a) _values = a();
    }

    /// <summary>The value for the atom at storage index <paramref name="i"/> (after <see cref="Prepare"/>).</summary>
    public double At(int i) => _values is { } v && AtomVariable is not null ? v[i] : _value;
}
