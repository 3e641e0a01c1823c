namespace DeepMD.Sharp.Dynamics.Minimization;

/// <summary>Steepest descent (LAMMPS' <c>min_style sd</c>): each line search runs along the current force.</summary>
public sealed class SteepestDescentMinimizer(Simulation simulation, MinimizeSettings settings, bool normalize)
    : LineSearchMinimizer(simulation, settings, normalize)
{
    protected override MinimizeStop Iterate(int maxIterations, double etol, double ftol, int maxEvaluations)
    {
        var a = Simulation.Atoms;
        var n = a.Count;
        CopyForceToDirection(a, n);
        for (var iter = 0; iter < maxIterations; iter++)
        {
            BeginIteration();
            EPrevious = ECurrent;
            var e = ECurrent;
            var stop = LineMinimize(ref e, out var alpha);
            ECurrent = e;
            AlphaFinal = alpha;
            if (stop != MinimizeStop.None) return stop;
            if (Evaluations >= maxEvaluations) return MinimizeStop.MaxEvaluations;
            if (EnergyConverged(etol, ECurrent, EPrevious)) return MinimizeStop.EnergyTolerance;
            if (ftol > 0 && ToleranceNormSquared(ForceTwoNormSquared()) < ftol * ftol) return MinimizeStop.ForceTolerance;
            CopyForceToDirection(a, n);
            Output();
        }
        return MinimizeStop.MaxIterations;
    }

    private void CopyForceToDirection(Core.Atoms.AtomState a, int n)
    {
        Array.Copy(a.Fx, Hx, n);
        Array.Copy(a.Fy, Hy, n);
        Array.Copy(a.Fz, Hz, n);
        Array.Copy(FExtra, HExtra, FExtra.Length);
    }
}
