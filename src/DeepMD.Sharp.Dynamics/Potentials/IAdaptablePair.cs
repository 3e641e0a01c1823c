namespace DeepMD.Sharp.Dynamics.Potentials;

/// <summary>
/// A pair style whose per-pair coefficients <c>fix adapt … pair STYLE PARAM I J v_name</c> may change during a run (LAMMPS'
/// <c>Pair::extract</c> of a 2-d array, then <c>Pair::reinit</c>).
/// </summary>
public interface IAdaptablePair
{
    /// <summary>The pair style's name (<c>soft</c>, <c>lj/cut</c>).</summary>
    string Name { get; }

    int TypeCount { get; }

    /// <summary>
    /// The [types][types] table (row-major, kept symmetric by the caller) behind parameter <paramref name="name"/>, or null
    /// when the style has no such adaptable parameter.
    /// </summary>
    double[]? AdaptableTable(string name);

    /// <summary>The parameters adaptable by <see cref="AdaptableTable"/>, for error messages.</summary>
    IReadOnlyList<string> AdaptableNames { get; }

    /// <summary>Re-derives everything computed from the coefficients (cutoffs, offsets, mixed pairs) before the next use.</summary>
    void Reinit();
}
