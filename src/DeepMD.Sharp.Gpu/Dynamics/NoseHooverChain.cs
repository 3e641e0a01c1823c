namespace DeepMD.Sharp.Gpu.Dynamics;

/// <summary>
/// The Nosé–Hoover chain of LAMMPS' fix nvt (the same equations as the host <c>FixNvt</c>): a handful of scalars
/// updated on the host; the device only supplies Σm·v² and applies the returned velocity scaling.
/// </summary>
internal sealed class NoseHooverChain
{
    private readonly NoseHooverSettings _s;
    private readonly double _boltz;
    private readonly double[] _eta, _etaDot, _etaDotDot, _etaMass;
    private readonly double _dthalf, _dt4, _dt8, _tFreq, _dragFactor;
    private double _tTarget, _keTarget, _tCurrent, _tdof;

    public NoseHooverChain(NoseHooverSettings s, double dt, double boltz)
    {
        if (!(s.TStart > 0) || !(s.TStop > 0) || !(s.TDamp > 0) || s.Chain < 1 || s.Loops < 1)
            throw new ArgumentException("Nosé–Hoover: temperatures and damping must be positive, tchain and tloop at least 1");
        _s = s;
        _boltz = boltz;
        _eta = new double[s.Chain];
        _etaDot = new double[s.Chain + 1];
        _etaDotDot = new double[s.Chain];
        _etaMass = new double[s.Chain];
        _dthalf = 0.5 * dt;
        _dt4 = 0.25 * dt;
        _dt8 = 0.125 * dt;
        _tFreq = 1.0 / s.TDamp;
        _dragFactor = 1.0 - dt * _tFreq * s.Drag / s.Loops;
    }

    /// <summary>Thermostat positions.</summary>
    public IReadOnlyList<double> Eta => _eta;

    /// <summary>
    /// The state in the host fix's checkpoint layout (fix nvt's SaveState): η, η̇ (with the closing zero), η̈, then
    /// the current temperature and degrees of freedom.
    /// </summary>
    public double[] Save() => [.. _eta, .. _etaDot, .. _etaDotDot, _tCurrent, _tdof];

    /// <summary>Continues from a state written by <see cref="Save"/> or the host fix nvt (same layout).</summary>
    public void Load(double[] state)
    {
        var n = _s.Chain;
        if (state.Length != 3 * n + 3)
            throw new ArgumentException($"a Nosé–Hoover chain of {n} has {3 * n + 3} state values, got {state.Length}");
        state.AsSpan(0, n).CopyTo(_eta);
        state.AsSpan(n, n + 1).CopyTo(_etaDot);
        state.AsSpan(2 * n + 1, n).CopyTo(_etaDotDot);
        _tCurrent = state[3 * n + 1];
        _tdof = state[3 * n + 2];
    }

    /// <summary>At the start of a run (delta = 0): chain masses and forces from the current temperature.</summary>
    public void Setup(double tCurrent, double tdof)
    {
        _tCurrent = tCurrent;
        _tdof = tdof;
        Targets(0);
        _etaMass[0] = _tdof * _boltz * _tTarget / (_tFreq * _tFreq);
        for (var k = 1; k < _s.Chain; k++) _etaMass[k] = _boltz * _tTarget / (_tFreq * _tFreq);
        for (var k = 1; k < _s.Chain; k++)
            _etaDotDot[k] = (_etaMass[k - 1] * _etaDot[k - 1] * _etaDot[k - 1] - _boltz * _tTarget) / _etaMass[k];
    }

    /// <summary>The first half-step of a step (after the ramp to <paramref name="delta"/>); returns the velocity factor.</summary>
    public double Initial(double delta)
    {
        Targets(delta);
        return Integrate();
    }

    /// <summary>The second half-step, given the temperature after the final kick; returns the velocity factor.</summary>
    public double Final(double tCurrent, double tdof)
    {
        _tCurrent = tCurrent;
        _tdof = tdof;
        return Integrate();
    }

    private void Targets(double delta)
    {
        _tTarget = _s.TStart + delta * (_s.TStop - _s.TStart);
        _keTarget = _tdof * _boltz * _tTarget;
    }

    private double Integrate()
    {
        var chain = _s.Chain;
        var ke = _tdof * _boltz * _tCurrent;
        _etaMass[0] = _tdof * _boltz * _tTarget / (_tFreq * _tFreq);
        for (var k = 1; k < chain; k++) _etaMass[k] = _boltz * _tTarget / (_tFreq * _tFreq);
        _etaDotDot[0] = _etaMass[0] > 0.0 ? (ke - _keTarget) / _etaMass[0] : 0.0;
        var ncfac = 1.0 / _s.Loops;
        var total = 1.0;
        for (var loop = 0; loop < _s.Loops; loop++)
        {
            double expfac;
            for (var k = chain - 1; k > 0; k--)
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
            total *= factor;
            _tCurrent *= factor * factor;
            ke = _tdof * _boltz * _tCurrent;
            _etaDotDot[0] = _etaMass[0] > 0.0 ? (ke - _keTarget) / _etaMass[0] : 0.0;

            for (var k = 0; k < chain; k++) _eta[k] += ncfac * _dthalf * _etaDot[k];

            _etaDot[0] *= expfac;
            _etaDot[0] += _etaDotDot[0] * ncfac * _dt4;
            _etaDot[0] *= expfac;

            for (var k = 1; k < chain; k++)
            {
                expfac = Math.Exp(-ncfac * _dt8 * _etaDot[k + 1]);
                _etaDot[k] *= expfac;
                _etaDotDot[k] = (_etaMass[k - 1] * _etaDot[k - 1] * _etaDot[k - 1] - _boltz * _tTarget) / _etaMass[k];
                _etaDot[k] += _etaDotDot[k] * ncfac * _dt4;
                _etaDot[k] *= expfac;
            }
        }
        return total;
    }
}
