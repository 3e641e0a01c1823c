namespace DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// A fix that offers LAMMPS' global values to decks (<c>f_ID</c> and <c>f_ID[i]</c> in thermo columns and formulas),
/// computed at every step (LAMMPS' <c>global_freq 1</c>); extensive values are divided by the atom count when thermo
/// normalises, as LAMMPS does.
/// </summary>
public interface IFixGlobalValues
{
    /// <summary>Whether the fix has a global scalar (<c>f_ID</c>).</summary>
    bool HasScalar { get; }

    /// <summary>The global scalar of the last evaluation.</summary>
    double Scalar(Simulation sim);

    /// <summary>Whether the scalar is extensive (LAMMPS' <c>extscalar</c>).</summary>
    bool ExtensiveScalar { get; }

    /// <summary>Length of the global vector (<c>f_ID[1..n]</c>), 0 when none.</summary>
    int VectorLength { get; }

    /// <summary>Element <paramref name="i"/> (0-based) of the global vector.</summary>
    double Vector(Simulation sim, int i);

    /// <summary>Whether vector element <paramref name="i"/> is extensive (LAMMPS' <c>extvector</c>/<c>extlist</c>).</summary>
    bool ExtensiveVector(int i);
}
