namespace DeepMD.Sharp.Dynamics.Minimization;

/// <summary>
/// The original FIRE (Bitzek et al., PRL 97, 170201 (2006)) as LAMMPS' <c>min_style fire/old</c>: fixed constants
/// (delay 5 steps, dt growth 1.1, shrink 0.5, α0 0.1, α shrink 0.99, dt_max 10·dt), velocity mixing before the
/// step, explicit Euler (drift, then kick), no half step back. Only <c>dmax</c> and the norm are configurable.
/// The timestep of the simulation is not changed.
/// </summary>
public sealed class FireOldMinimizer(Simulation simulation, MinimizeSettings settings, bool normalize)
    : Minimizer(simulation, settings, normalize)
{
    private const int DelayStep = 5;
    private const double DtGrow = 1.1;
    private const double DtShrink = 0.5;
    private const double Alpha0 = 0.1;
    private const double AlphaShrink = 0.99;
    private const double TMax = 10.0;

    private double _dt, _dtMax, _alpha;
    private long _lastNegative;

    protected override void SetupStyle()
    {
        _dt = Simulation.Timestep;
        _dtMax = TMax * _dt;
        _alpha = Alpha0;
        _lastNegative = Simulation.Step;
        var a = Simulation.Atoms;
        Array.Clear(a.Vx, 0, a.Count);
        Array.Clear(a.Vy, 0, a.Count);
        Array.Clear(a.Vz, 0, a.Count);
    }

    protected override MinimizeStop Iterate(int maxIterations, double etol, double ftol, int maxEvaluations)
    {
        var sim = Simulation;
        var a = sim.Atoms;
        var n = a.Count;
        var masses = sim.Masses;
        for (var iter = 0; iter < maxIterations; iter++)
        {
            BeginIteration();
            var step = sim.Step;
            double vdotf = 0;
            for (var i = 0; i < n; i++) vdotf += a.Vx[i] * a.Fx[i] + a.Vy[i] * a.Fy[i] + a.Vz[i] * a.Fz[i];
            if (vdotf > 0)
            {
                double vdotv = 0, fdotf = 0;
                for (var i = 0; i < n; i++) vdotv += a.Vx[i] * a.Vx[i] + a.Vy[i] * a.Vy[i] + a.Vz[i] * a.Vz[i];
                for (var i = 0; i < n; i++) fdotf += a.Fx[i] * a.Fx[i] + a.Fy[i] * a.Fy[i] + a.Fz[i] * a.Fz[i];
                var scale1 = 1.0 - _alpha;
                var scale2 = fdotf == 0.0 ? 0.0 : _alpha * Math.Sqrt(vdotv / fdotf);
                for (var i = 0; i < n; i++)
                {
                    a.Vx[i] = scale1 * a.Vx[i] + scale2 * a.Fx[i];
                    a.Vy[i] = scale1 * a.Vy[i] + scale2 * a.Fy[i];
                    a.Vz[i] = scale1 * a.Vz[i] + scale2 * a.Fz[i];
                }
                if (step - _lastNegative > DelayStep)
                {
                    _dt = Math.Min(_dt * DtGrow, _dtMax);
                    _alpha *= AlphaShrink;
                }
            }
            else
            {
                _lastNegative = step;
                _dt *= DtShrink;
                _alpha = Alpha0;
                Array.Clear(a.Vx, 0, n);
                Array.Clear(a.Vy, 0, n);
                Array.Clear(a.Vz, 0, n);
            }

            var dtv = _dt;
            for (var i = 0; i < n; i++)
            {
                var vmax = Math.Max(Math.Abs(a.Vx[i]), Math.Abs(a.Vy[i]));
                vmax = Math.Max(vmax, Math.Abs(a.Vz[i]));
                if (dtv * vmax > Settings.Dmax) dtv = Settings.Dmax / vmax;
            }
            var dtf = dtv * sim.Units.Ftm2v;
            for (var i = 0; i < n; i++)
            {
                var dtfm = dtf / masses[a.Type[i]];
                a.X[i] += dtv * a.Vx[i];
                a.Y[i] += dtv * a.Vy[i];
                a.Z[i] += dtv * a.Vz[i];
                a.Vx[i] += dtfm * a.Fx[i];
                a.Vy[i] += dtfm * a.Fy[i];
                a.Vz[i] += dtfm * a.Fz[i];
            }
            EPrevious = ECurrent;
            ECurrent = EnergyForce();
            Evaluations++;

            if (etol > 0 && step - _lastNegative > DelayStep && EnergyConverged(etol, ECurrent, EPrevious))
                return MinimizeStop.EnergyTolerance;
            if (ftol > 0 && ToleranceNormSquared(ForceTwoNormSquared()) < ftol * ftol)
                return MinimizeStop.ForceTolerance;
            Output();
        }
        return MinimizeStop.MaxIterations;
    }
}
