namespace DeepMD.Sharp.Dynamics.Minimization;

using DeepMD.Sharp.Core.Errors;

/// <summary>
/// FIRE 2.0 (Guénolé et al., Comput. Mater. Sci. 175, 109584 (2020)) as LAMMPS' <c>min_style fire</c>: damped
/// dynamics that mixes the velocity towards the force direction while v·f &gt; 0, grows the timestep after
/// <c>delaystep</c> good steps, and on v·f ≤ 0 shrinks it, steps half a step back and stops the atoms. No
/// coordinate moves more than dmax per step. The timestep is restored afterwards; velocities are left as they are.
/// </summary>
public sealed class FireMinimizer(Simulation simulation, MinimizeSettings settings, bool normalize)
    : Minimizer(simulation, settings, normalize)
{
    private double _dt, _dtMax, _dtMin, _alpha;
    private long _lastNegative, _start;
    private int _vdotfNegative;
    private bool _velocitiesZero;

    protected override void SetupStyle()
    {
        var s = Settings;
        if (s.TMax < s.TMin) throw new UserInputException("min_modify: tmax has to be larger than tmin");
        if (s.DtGrow < 1.0) throw new UserInputException("min_modify: dtgrow has to be larger than 1.0");
        if (s.DtShrink > 1.0) throw new UserInputException("min_modify: dtshrink has to be smaller than 1.0");
        _dt = Simulation.Timestep;
        _dtMax = s.TMax * _dt;
        _dtMin = s.TMin * _dt;
        _alpha = s.Alpha0;
        _lastNegative = _start = Simulation.Step;
        _vdotfNegative = 0;
        var a = Simulation.Atoms;
        Array.Clear(a.Vx, 0, a.Count);
        Array.Clear(a.Vy, 0, a.Count);
        Array.Clear(a.Vz, 0, a.Count);
        _velocitiesZero = true;
    }

    protected override MinimizeStop Iterate(int maxIterations, double etol, double ftol, int maxEvaluations)
    {
        var sim = Simulation;
        var s = Settings;
        var a = sim.Atoms;
        var n = a.Count;
        var ftm2v = sim.Units.Ftm2v;
        var masses = sim.Masses;
        if (s.Integrator == FireIntegrator.Leapfrog)
        {
            EnergyForce();
            Evaluations++;
            var dtf = -0.5 * _dt * ftm2v;
            for (var i = 0; i < n; i++)
            {
                var dtfm = dtf / masses[a.Type[i]];
                a.Vx[i] = dtfm * a.Fx[i];
                a.Vy[i] = dtfm * a.Fy[i];
                a.Vz[i] = dtfm * a.Fz[i];
            }
        }

        for (var iter = 0; iter < maxIterations; iter++)
        {
            BeginIteration();
            var step = sim.Step;
            double vdotf = 0;
            for (var i = 0; i < n; i++) vdotf += a.Vx[i] * a.Fx[i] + a.Vy[i] * a.Fy[i] + a.Vz[i] * a.Fz[i];

            double scale1 = 0, scale2 = 0;
            if (vdotf > 0)
            {
                double vdotv = 0, fdotf = 0;
                _vdotfNegative = 0;
                for (var i = 0; i < n; i++) vdotv += a.Vx[i] * a.Vx[i] + a.Vy[i] * a.Vy[i] + a.Vz[i] * a.Vz[i];
                for (var i = 0; i < n; i++) fdotf += a.Fx[i] * a.Fx[i] + a.Fy[i] * a.Fy[i] + a.Fz[i] * a.Fz[i];
                scale1 = 1.0 - _alpha;
                scale2 = fdotf <= 1e-20 ? 0.0 : _alpha * Math.Sqrt(vdotv / fdotf);
                if (step - _lastNegative > s.DelayStep)
                {
                    _dt = Math.Min(_dt * s.DtGrow, _dtMax);
                    sim.Timestep = _dt;
                    _alpha *= s.AlphaShrink;
                }
            }
            else
            {
                _lastNegative = step;
                var delay = !(step - _start < s.DelayStep && s.InitialDelay);
                if (delay)
                {
                    _alpha = s.Alpha0;
                    if (_dt * s.DtShrink >= _dtMin)
                    {
                        _dt *= s.DtShrink;
                        sim.Timestep = _dt;
                    }
                }
                _vdotfNegative++;
                if (s.VdfMax > 0 && _vdotfNegative > s.VdfMax) return MinimizeStop.MaxVdotfNegative;
                if (s.HalfStepBack)
                {
                    for (var i = 0; i < n; i++)
                    {
                        a.X[i] -= 0.5 * _dt * a.Vx[i];
                        a.Y[i] -= 0.5 * _dt * a.Vy[i];
                        a.Z[i] -= 0.5 * _dt * a.Vz[i];
                    }
                }
                Array.Clear(a.Vx, 0, n);
                Array.Clear(a.Vy, 0, n);
                Array.Clear(a.Vz, 0, n);
                _velocitiesZero = true;
            }

            // After a velocity reset, a trial velocity from the force alone limits the first step.
            if (_velocitiesZero)
            {
                var dtf0 = _dt * ftm2v;
                EnergyForce();
                Evaluations++;
                for (var i = 0; i < n; i++)
                {
                    var dtfm = dtf0 / masses[a.Type[i]];
                    a.Vx[i] = dtfm * a.Fx[i];
                    a.Vy[i] = dtfm * a.Fy[i];
                    a.Vz[i] = dtfm * a.Fz[i];
                }
            }

            var dtv = _dt;
            for (var i = 0; i < n; i++)
            {
                var vmax = Math.Max(Math.Abs(a.Vx[i]), Math.Abs(a.Vy[i]));
                vmax = Math.Max(vmax, Math.Abs(a.Vz[i]));
                if (dtv * vmax > s.Dmax) dtv = s.Dmax / vmax;
            }
            if (_velocitiesZero)
            {
                Array.Clear(a.Vx, 0, n);
                Array.Clear(a.Vy, 0, n);
                Array.Clear(a.Vz, 0, n);
            }

            var mix = vdotf > 0;
            switch (s.Integrator)
            {
                case FireIntegrator.EulerImplicit:
                case FireIntegrator.Leapfrog:
                {
                    var dtf = dtv * ftm2v;
                    for (var i = 0; i < n; i++)
                    {
                        var dtfm = dtf / masses[a.Type[i]];
                        a.Vx[i] += dtfm * a.Fx[i];
                        a.Vy[i] += dtfm * a.Fy[i];
                        a.Vz[i] += dtfm * a.Fz[i];
                        if (mix) Mix(a, i, scale1, scale2);
                        a.X[i] += dtv * a.Vx[i];
                        a.Y[i] += dtv * a.Vy[i];
                        a.Z[i] += dtv * a.Vz[i];
                    }
                    EPrevious = ECurrent;
                    ECurrent = EnergyForce();
                    Evaluations++;
                    break;
                }
                case FireIntegrator.Verlet:
                {
                    var dtf = 0.5 * dtv * ftm2v;
                    for (var i = 0; i < n; i++)
                    {
                        var dtfm = dtf / masses[a.Type[i]];
                        a.Vx[i] += dtfm * a.Fx[i];
                        a.Vy[i] += dtfm * a.Fy[i];
                        a.Vz[i] += dtfm * a.Fz[i];
                        if (mix) Mix(a, i, scale1, scale2);
                        a.X[i] += dtv * a.Vx[i];
                        a.Y[i] += dtv * a.Vy[i];
                        a.Z[i] += dtv * a.Vz[i];
                    }
                    EPrevious = ECurrent;
                    ECurrent = EnergyForce();
                    Evaluations++;
                    for (var i = 0; i < n; i++)
                    {
                        var dtfm = dtf / masses[a.Type[i]];
                        a.Vx[i] += dtfm * a.Fx[i];
                        a.Vy[i] += dtfm * a.Fy[i];
                        a.Vz[i] += dtfm * a.Fz[i];
                    }
                    break;
                }
                default:
                {
                    var dtf = dtv * ftm2v;
                    for (var i = 0; i < n; i++)
                    {
                        var dtfm = dtf / masses[a.Type[i]];
                        if (mix) Mix(a, i, scale1, scale2);
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
                    break;
                }
            }
            _velocitiesZero = false;

            if (etol > 0 && step - _lastNegative > s.DelayStep && EnergyConverged(etol, ECurrent, EPrevious))
                return MinimizeStop.EnergyTolerance;
            if (ftol > 0 && ToleranceNormSquared(ForceTwoNormSquared()) < ftol * ftol)
                return MinimizeStop.ForceTolerance;
            Output();
        }
        return MinimizeStop.MaxIterations;
    }

    private static void Mix(Core.Atoms.AtomState a, int i, double scale1, double scale2)
    {
        a.Vx[i] = scale1 * a.Vx[i] + scale2 * a.Fx[i];
        a.Vy[i] = scale1 * a.Vy[i] + scale2 * a.Fy[i];
        a.Vz[i] = scale1 * a.Vz[i] + scale2 * a.Fz[i];
    }
}
