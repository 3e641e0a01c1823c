namespace DeepMD.Sharp.Dynamics.Minimization;

/// <summary>
/// A fix that adds global degrees of freedom to the line-search minimizers (LAMMPS' min_dof, min_energy, min_store,
/// min_step, max_alpha, min_reset_ref; fix box/relax is the one): the minimizer treats them like atom coordinates,
/// with the fix's energy added to the objective and its generalised forces added to every dot product and norm.
/// </summary>
public interface IMinimizerExtraDof
{
    /// <summary>Number of extra degrees of freedom (fixed for one minimization).</summary>
    int ExtraDof { get; }

    /// <summary>Energy of the extra degrees of freedom now; writes their forces (−dE/ds, energy units) into <paramref name="force"/>.</summary>
    double MinEnergy(Simulation sim, Span<double> force);

    /// <summary>Remembers the current values as the start of a line search.</summary>
    void MinStore(Simulation sim);

    /// <summary>Sets the values to the stored start plus α·h (α = 0: back to the start), moving the atoms with them.</summary>
    void MinStep(Simulation sim, double alpha, ReadOnlySpan<double> h);

    /// <summary>Largest α the fix allows along <paramref name="h"/>.</summary>
    double MaxAlpha(ReadOnlySpan<double> h);

    /// <summary>After an accepted line search: whether the fix reset its reference state (the energy must be evaluated again).</summary>
    bool MinResetReference(Simulation sim);
}
