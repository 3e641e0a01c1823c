namespace DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// <c>fix ID group dt/reset N Tmin Tmax Xmax [units lattice|box] [emax Emax]</c>, as LAMMPS' fix dt/reset: every N steps
/// (and at each run's setup), after the step, the timestep becomes the largest one with which no atom of the group
/// would move more than Xmax in one step (from its velocity and force: x(dt) = v·dt + ½·f/m·dt²), nor, with
/// <c>emax</c>, gain more than Emax of kinetic energy (dt ≤ Emax / |f·v|), clamped to [Tmin, Tmax] (null: unbounded).
/// When the timestep changes, the elapsed time is brought up to date first (<see cref="Simulation.UpdateElapsedTime"/>)
/// and every fix recomputes its timestep constants (<see cref="Fix.ResetTimestep"/>). <c>f_ID</c> is the last step on
/// which the timestep changed (the step the fix was defined at before that).
/// </summary>
public sealed class FixDtReset : Fix, IFixGlobalValues
{
    private const double Big = 1.0e20;
    private readonly double? _tmin, _tmax;
    private readonly double _xmax, _emax;
    private long _lastStep;

    /// <param name="id">The fix id.</param>
    /// <param name="nevery">Steps between resets (positive).</param>
    /// <param name="tmin">Smallest timestep, or null (LAMMPS' NULL).</param>
    /// <param name="tmax">Largest timestep, or null.</param>
    /// <param name="xmax">Largest displacement per step, in box units (the style scales lattice units).</param>
    /// <param name="emax">Largest kinetic energy change per step, or a non-positive number for none.</param>
    /// <param name="currentStep">The step the fix is defined at (its scalar until the timestep first changes).</param>
    public FixDtReset(string id, int nevery, double? tmin, double? tmax, double xmax, double emax, long currentStep) : base(id)
    {
        Nevery = nevery;
        _tmin = tmin;
        _tmax = tmax;
        _xmax = xmax;
        _emax = emax;
        _lastStep = currentStep;
    }

    public override string Style => "dt/reset";

    public override bool SupportsGroups => true;

    public override bool TimeDependent => true;

    /// <summary>Steps between resets.</summary>
    public int Nevery { get; }

    public override void Init(Simulation sim)
    {
        if (sim.Decomposed is not null)
            throw new Core.Errors.UserInputException($"fix {Id} dt/reset is not supported in a run over several processes yet; run this deck on one process");
    }

    public override void Setup(Simulation sim) => Reset(sim);

    public override void EndOfStep(Simulation sim)
    {
        if (sim.Step % Nevery == 0) Reset(sim);
    }

    private void Reset(Simulation sim)
    {
        var a = sim.Atoms;
        var ftm2v = sim.Units.Ftm2v;
        var mvv2e = sim.Units.Mvv2e;
        var dtmin = Big;
        for (var i = 0; i < a.Count; i++)
        {
            if (!Group.Contains(a.Id[i])) continue;
            var massinv = 1.0 / sim.Masses[a.Type[i]];
            double vx = a.Vx[i], vy = a.Vy[i], vz = a.Vz[i], fx = a.Fx[i], fy = a.Fy[i], fz = a.Fz[i];
            var vsq = vx * vx + vy * vy + vz * vz;
            var fsq = fx * fx + fy * fy + fz * fz;
            double dtv = Big, dtf = Big;
            if (vsq > 0.0) dtv = _xmax / Math.Sqrt(vsq);
            if (fsq > 0.0) dtf = Math.Sqrt(2.0 * _xmax / (ftm2v * Math.Sqrt(fsq) * massinv));
            var dt = Math.Min(dtv, dtf);
            if (_emax > 0.0 && fsq * vsq > 0.0)
            {
                var dte = _emax / Math.Sqrt(fsq * vsq) / Math.Sqrt(ftm2v * mvv2e);
                dt = Math.Min(dt, dte);
            }
            var dtsq = dt * dt;
            var delx = dt * vx + 0.5 * dtsq * massinv * fx * ftm2v;
            var dely = dt * vy + 0.5 * dtsq * massinv * fy * ftm2v;
            var delz = dt * vz + 0.5 * dtsq * massinv * fz * ftm2v;
            var delr = Math.Sqrt(delx * delx + dely * dely + delz * delz);
            if (delr > _xmax) dt *= _xmax / delr;
            dtmin = Math.Min(dtmin, dt);
        }
        var next = dtmin;
        if (_tmin is { } lo) next = Math.Max(next, lo);
        if (_tmax is { } hi) next = Math.Min(next, hi);
        if (next == sim.Timestep) return;
        _lastStep = sim.Step;
        sim.UpdateElapsedTime();
        sim.Timestep = next;
        foreach (var f in sim.Fixes) f.ResetTimestep(sim);
    }

    public bool HasScalar => true;

    public double Scalar(Simulation sim) => _lastStep;

    public bool ExtensiveScalar => false;

    public int VectorLength => 0;

    public double Vector(Simulation sim, int i) => throw new IndexOutOfRangeException();

    public bool ExtensiveVector(int i) => false;

    public override double[] SaveState() => [_lastStep];

    public override void RestoreState(double[] state)
    {
        if (state.Length == 1) _lastStep = (long)state[0];
    }
}
