namespace DeepMD.Sharp.Dynamics.Fixes;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Thermo;

/// <summary>
/// <c>fix ID all nvt temp Tstart Tstop Tdamp [tchain N] [tloop N] [drag D]</c>: a Nosé–Hoover chain thermostat
/// integrated exactly as LAMMPS' fix nvt (Martyna–Tuckerman–Klein chain of <c>tchain</c> thermostats, default 3,
/// with <c>tloop</c> sub-steps, half updates at the start and the end of each step, chain masses following the
/// target temperature) around velocity Verlet.
/// </summary>
public sealed class FixNvt : Fix
{
    private readonly double _tStart, _tStop, _tPeriod;
    private readonly int _chain, _loops;
    private readonly double _drag;
    private readonly double[] _eta, _etaDot, _etaDotDot, _etaMass;
    private double _dtv, _dtf, _dthalf, _dt4, _dt8, _tFreq, _dragFactor;
    private double _tTarget, _keTarget, _tCurrent, _tdof;
    private double[] _mass = [];

    public FixNvt(string id, double tStart, double tStop, double tDamp, int chain = 3, int loops = 1, double drag = 0)
        : base(id)
    {
        if (!(tStart > 0) || !(tStop > 0)) throw new UserInputException($"fix nvt: target temperatures must be positive, got {tStart} {tStop}");
        if (!(tDamp > 0)) throw new UserInputException($"fix nvt: the damping time must be positive, got {tDamp}");
        if (chain < 1) throw new UserInputException($"fix nvt: tchain must be at least 1, got {chain}");
        if (loops < 1) throw new UserInputException($"fix nvt: tloop must be at least 1, got {loops}");
        _tStart = tStart;
        _tStop = tStop;
        _tPeriod = tDamp;
        _chain = chain;
        _loops = loops;
        _drag = drag;
        _eta = new double[chain];
        _etaDot = new double[chain + 1];
        _etaDotDot = new double[chain];
        _etaMass = new double[chain];
    }

    public override string Style => "nvt";

    public override bool Integrates => true;

    /// <summary>Thermostat positions η_k (for checkpoints and the conserved quantity).</summary>
    public IReadOnlyList<double> Eta => _eta;

    /// <summary>Thermostat velocities dη_k/dt.</summary>
    public IReadOnlyList<double> EtaDot => _etaDot;

    public override void Init(Simulation sim)
    {
        _dtv = sim.Timestep;
        _dtf = 0.5 * sim.Timestep * sim.Units.Ftm2v;
        _dthalf = 0.5 * sim.Timestep;
        _dt4 = 0.25 * sim.Timestep;
        _dt8 = 0.125 * sim.Timestep;
        _tFreq = 1.0 / _tPeriod;
        _dragFactor = 1.0 - sim.Timestep * _tFreq * _drag / _loops;
        _mass = sim.Masses;
    }

    public override void Setup(Simulation sim)
    {
        _tCurrent = Thermodynamics.Temperature(sim);
        _tdof = Thermodynamics.DegreesOfFreedom(sim);
        ComputeTargets(sim);
        var boltz = sim.Units.Boltz;
        _etaMass[0] = _tdof * boltz * _tTarget / (_tFreq * _tFreq);
        for (var k = 1; k < _chain; k++) _etaMass[k] = boltz * _tTarget / (_tFreq * _tFreq);
        for (var k = 1; k < _chain; k++)
            _etaDotDot[k] = (_etaMass[k - 1] * _etaDot[k - 1] * _etaDot[k - 1] - boltz * _tTarget) / _etaMass[k];
    }

    public override void InitialIntegrate(Simulation sim)
    {
        ComputeTargets(sim);
        IntegrateChain(sim);
        Kick(sim);
        var a = sim.Atoms;
        for (var i = 0; i < a.Count; i++)
        {
            a.X[i] += _dtv * a.Vx[i];
            a.Y[i] += _dtv * a.Vy[i];
            a.Z[i] += _dtv * a.Vz[i];
        }
    }

    public override void FinalIntegrate(Simulation sim)
    {
        Kick(sim);
        _tCurrent = Thermodynamics.Temperature(sim);
        _tdof = Thermodynamics.DegreesOfFreedom(sim);
        IntegrateChain(sim);
    }

    private void Kick(Simulation sim)
    {
        var a = sim.Atoms;
        for (var i = 0; i < a.Count; i++)
        {
            var dtfm = _dtf / _mass[a.Type[i]];
            a.Vx[i] += dtfm * a.Fx[i];
            a.Vy[i] += dtfm * a.Fy[i];
            a.Vz[i] += dtfm * a.Fz[i];
        }
    }

    private void ComputeTargets(Simulation sim)
    {
        double delta = sim.Step - sim.RunStartStep;
        if (delta != 0.0) delta /= sim.RunEndStep - sim.RunStartStep;
        _tTarget = _tStart + delta * (_tStop - _tStart);
        _keTarget = _tdof * sim.Units.Boltz * _tTarget;
    }

    /// <summary>Half-step update of the chain and the matching velocity scaling (LAMMPS' nhc_temp_integrate).</summary>
    private void IntegrateChain(Simulation sim)
    {
        var boltz = sim.Units.Boltz;
        var ke = _tdof * boltz * _tCurrent;
        _etaMass[0] = _tdof * boltz * _tTarget / (_tFreq * _tFreq);
        for (var k = 1; k < _chain; k++) _etaMass[k] = boltz * _tTarget / (_tFreq * _tFreq);
        _etaDotDot[0] = _etaMass[0] > 0.0 ? (ke - _keTarget) / _etaMass[0] : 0.0;

        var ncfac = 1.0 / _loops;
        for (var loop = 0; loop < _loops; loop++)
        {
            double expfac;
            for (var k = _chain - 1; k > 0; k--)
            {
                expfac = Math.Exp(-ncfac * _dt8 * _etaDot[k + 1]);
                _etaDot[k] *= expfac;
                _etaDot[k] += _etaDotDot[k] * ncfac * _dt4;
                _etaDot[k] *= _dragFactor;
                _etaDot[k] *= expfac;
            }
            expfac = Math.Exp(-ncfac * _dt8 * _etaDot[1]);
            _etaDot[0] *= expfac;
            _etaDot[0] += _etaDotDot[0] * ncfac * _dt4;
            _etaDot[0] *= _dragFactor;
            _etaDot[0] *= expfac;

            var factor = Math.Exp(-ncfac * _dthalf * _etaDot[0]);
            var a = sim.Atoms;
            for (var i = 0; i < a.Count; i++)
            {
                a.Vx[i] *= factor;
                a.Vy[i] *= factor;
                a.Vz[i] *= factor;
            }
            _tCurrent *= factor * factor;
            ke = _tdof * boltz * _tCurrent;
            _etaDotDot[0] = _etaMass[0] > 0.0 ? (ke - _keTarget) / _etaMass[0] : 0.0;

            for (var k = 0; k < _chain; k++) _eta[k] += ncfac * _dthalf * _etaDot[k];

            _etaDot[0] *= expfac;
            _etaDot[0] += _etaDotDot[0] * ncfac * _dt4;
            _etaDot[0] *= expfac;

            for (var k = 1; k < _chain; k++)
            {
                expfac = Math.Exp(-ncfac * _dt8 * _etaDot[k + 1]);
                _etaDot[k] *= expfac;
                _etaDotDot[k] = (_etaMass[k - 1] * _etaDot[k - 1] * _etaDot[k - 1] - boltz * _tTarget) / _etaMass[k];
                _etaDot[k] += _etaDotDot[k] * ncfac * _dt4;
                _etaDot[k] *= expfac;
            }
        }
    }

    /// <summary>
    /// Energy of the thermostat chain (LAMMPS' fix nvt scalar): ke_target·η₀ + Σ ½ Q_k η̇_k² + Σ_{k≥1} kB·T·η_k.
    /// Added to the total energy it gives the conserved quantity.
    /// </summary>
    public double ThermostatEnergy(Simulation sim)
    {
        var boltz = sim.Units.Boltz;
        var e = _tdof * boltz * _tTarget * _eta[0] + 0.5 * _etaMass[0] * _etaDot[0] * _etaDot[0];
        for (var k = 1; k < _chain; k++) e += boltz * _tTarget * _eta[k] + 0.5 * _etaMass[k] * _etaDot[k] * _etaDot[k];
        return e;
    }

    /// <summary>
    /// η, η̇, η̈ of the chain, then the last computed temperature and degrees of freedom (the next step's first chain
    /// half-update starts from them, so a continuation needs them to be bit-identical).
    /// </summary>
    public override double[] SaveState() => [.. _eta, .. _etaDot, .. _etaDotDot, _tCurrent, _tdof];

    public override void RestoreState(double[] state)
    {
        if (state.Length != 3 * _chain + 3) throw new UserInputException($"fix nvt: the saved thermostat has {state.Length} values, expected {3 * _chain + 3} (different tchain?)");
        state.AsSpan(0, _chain).CopyTo(_eta);
        state.AsSpan(_chain, _chain + 1).CopyTo(_etaDot);
        state.AsSpan(2 * _chain + 1, _chain).CopyTo(_etaDotDot);
        _tCurrent = state[3 * _chain + 1];
        _tdof = state[3 * _chain + 2];
    }

    /// <summary>A continued run: the chain masses follow from the restored state; nothing else is recomputed.</summary>
    public override void Resume(Simulation sim)
    {
        ComputeTargets(sim);
        var boltz = sim.Units.Boltz;
        _etaMass[0] = _tdof * boltz * _tTarget / (_tFreq * _tFreq);
        for (var k = 1; k < _chain; k++) _etaMass[k] = boltz * _tTarget / (_tFreq * _tFreq);
    }
}
