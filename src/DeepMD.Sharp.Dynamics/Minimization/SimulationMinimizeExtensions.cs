namespace DeepMD.Sharp.Dynamics.Minimization;

/// <summary>Energy minimization as an operation on a <see cref="Simulation"/> (what the <c>minimize</c> command calls).</summary>
public static class SimulationMinimizeExtensions
{
    /// <summary>
    /// Minimizes the potential energy with LAMMPS' stopping rules: energy change below <paramref name="etol"/>
    /// (relative), force norm below <paramref name="ftol"/>, <paramref name="maxIterations"/> iterations or
    /// <paramref name="maxEvaluations"/> force evaluations, or a failed line search. Thermo and dumps attached to
    /// the simulation print as during a run (first step, every N, last). <paramref name="normalize"/>: energies
    /// per atom (LAMMPS does this when thermo output is normalised, the default in lj units).
    /// </summary>
    public static MinimizeResult Minimize(this Simulation simulation, double etol, double ftol, int maxIterations, int maxEvaluations,
        MinimizeSettings? settings = null, bool? normalize = null)
    {
        settings ??= new MinimizeSettings();
        var norm = normalize ?? simulation.Units.NormalizeThermoByDefault;
        Minimizer m = settings.Style switch
        {
            MinimizeStyle.SteepestDescent => new SteepestDescentMinimizer(simulation, settings, norm),
            MinimizeStyle.Fire => new FireMinimizer(simulation, settings, norm),
            MinimizeStyle.FireOld => new FireOldMinimizer(simulation, settings, norm),
            _ => new ConjugateGradientMinimizer(simulation, settings, norm),
        };
        if (simulation.Decomposed is not { Communicator.Size: > 1 } ranks) return m.Run(etol, ftol, maxIterations, maxEvaluations);
        // Over several ranks: every rank holds the whole system and runs the same minimizer; the force evaluations are decomposed.
        ranks.CheckMinimizeSupported(simulation);
        simulation.Warn?.Invoke($"Minimization over {ranks.Communicator.Size} ranks: force evaluations decomposed, the same minimizer steps on every rank");
        ranks.WholeSystemForces = true;
        try
        {
            return m.Run(etol, ftol, maxIterations, maxEvaluations);
        }
        finally
        {
            ranks.WholeSystemForces = false;
        }
    }
}
