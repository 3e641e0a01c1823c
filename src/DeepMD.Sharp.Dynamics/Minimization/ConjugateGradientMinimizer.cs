namespace DeepMD.Sharp.Dynamics.Minimization;

/// <summary>
/// Polak–Ribière conjugate gradient (LAMMPS' <c>min_style cg</c>): β = max(0, (f·f − f·g)/g·g), restarted along
/// the force every 3N iterations or when the new direction is not downhill.
/// </summary>
public sealed class ConjugateGradientMinimizer(Simulation simulation, MinimizeSettings settings, bool normalize)
    : LineSearchMinimizer(simulation, settings, normalize)
{
    protected override MinimizeStop Iterate(int maxIterations, double etol, double ftol, int maxEvaluations)
    {
        var a = Simulation.Atoms;
        var n = a.Count;
        for (var i = 0; i < n; i++)
        {
            Hx[i] = Gx[i] = a.Fx[i];
            Hy[i] = Gy[i] = a.Fy[i];
            Hz[i] = Gz[i] = a.Fz[i];
        }
        var ne = FExtra.Length;
        for (var k = 0; k < ne; k++) HExtra[k] = GExtra[k] = FExtra[k];
        var gg = ForceTwoNormSquared();
        var restartEvery = (int)Math.Min(int.MaxValue, 3L * n + ne);
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

            double ff = 0, fg = 0;
            for (var i = 0; i < n; i++)
            {
                ff += a.Fx[i] * a.Fx[i];
                fg += a.Fx[i] * Gx[i];
                ff += a.Fy[i] * a.Fy[i];
                fg += a.Fy[i] * Gy[i];
                ff += a.Fz[i] * a.Fz[i];
                fg += a.Fz[i] * Gz[i];
            }
            for (var k = 0; k < ne; k++)
            {
                ff += FExtra[k] * FExtra[k];
                fg += FExtra[k] * GExtra[k];
            }
            if (ftol > 0 && ToleranceNormSquared(ff) < ftol * ftol) return MinimizeStop.ForceTolerance;

            var beta = Math.Max(0.0, (ff - fg) / gg);
            if ((Iterations + 1) % restartEvery == 0) beta = 0;
            gg = ff;
            double gh = 0;
            for (var i = 0; i < n; i++)
            {
                Gx[i] = a.Fx[i];
                Gy[i] = a.Fy[i];
                Gz[i] = a.Fz[i];
                Hx[i] = Gx[i] + beta * Hx[i];
                Hy[i] = Gy[i] + beta * Hy[i];
                Hz[i] = Gz[i] + beta * Hz[i];
                gh += Gx[i] * Hx[i];
                gh += Gy[i] * Hy[i];
                gh += Gz[i] * Hz[i];
            }
            for (var k = 0; k < ne; k++)
            {
                GExtra[k] = FExtra[k];
                HExtra[k] = GExtra[k] + beta * HExtra[k];
            }
            for (var k = 0; k < ne; k++) gh += GExtra[k] * HExtra[k];
            if (gh <= 0)
            {
                Array.Copy(Gx, Hx, n);
                Array.Copy(Gy, Hy, n);
                Array.Copy(Gz, Hz, n);
                Array.Copy(GExtra, HExtra, ne);
            }
            Output();
        }
        return MinimizeStop.MaxIterations;
    }
}
