namespace DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// Fix nvt's particle thermostat for a loop that keeps the velocities elsewhere (the device MD loop): a
/// <see cref="NoseHooverChainState"/> and the run's targets, advanced by the <see cref="NoseHooverChain"/> functions in
/// the order <see cref="FixNoseHoover"/> calls them. The caller supplies the temperature (from Σm·v²) and applies the
/// returned velocity factor.
/// </summary>
public sealed class NoseHooverThermostat
{
    private readonly NoseHooverThermostatSettings _s;
    private readonly NoseHooverChainState _chain;
    private double _tTarget, _keTarget, _tCurrent, _tdof;

    /// <summary>The chain of fix nvt <c>temp Tstart Tstop Tdamp tchain N tloop N drag D</c> at timestep <paramref name="dt"/>.</summary>
    public NoseHooverThermostat(double tStart, double tStop, double tDamp, int chain, int loops, double drag, double dt, double boltz)
    {
        if (!(tStart > 0) || !(tStop > 0) || !(tDamp > 0) || chain < 1 || loops < 1)
            throw new ArgumentException("Nosé–Hoover: temperatures and damping must be positive, tchain and tloop at least 1");
        _s = NoseHooverThermostatSettings.Create(tStart, tStop, tDamp, loops, drag, dt, boltz);
        _chain = new NoseHooverChainState(chain);
    }

    /// <summary>The chain (η, η̇, η̈, Q).</summary>
    public NoseHooverChainState Chain => _chain;

    /// <summary>Thermostat positions.</summary>
    public IReadOnlyList<double> Eta => _chain.Eta;

    /// <summary>The chain's share of the conserved energy (fix nvt's scalar).</summary>
    public double Energy => NoseHooverChain.ThermostatEnergy(_chain, _s, _keTarget, _tTarget);

    /// <summary>
    /// The state in the host fix's checkpoint layout (fix nvt's SaveState): η, η̇ (with the closing zero), η̈, then
    /// the current temperature and degrees of freedom.
    /// </summary>
    public double[] Save()
    {
        var s = new List<double>(_chain.StateLength + 2);
        _chain.Save(s);
        s.Add(_tCurrent);
        s.Add(_tdof);
        return [.. s];
    }

    /// <summary>Continues from a state written by <see cref="Save"/> or the host fix nvt (same layout).</summary>
    public void Load(double[] state)
    {
        var expected = _chain.StateLength + 2;
        if (state.Length != expected)
            throw new ArgumentException($"a Nosé–Hoover chain of {_chain.Length} has {expected} state values, got {state.Length}");
        _chain.Restore(state, 0);
        _tCurrent = state[^2];
        _tdof = state[^1];
    }

    /// <summary>At the start of a run (ramp fraction 0): chain masses and forces from the current temperature.</summary>
    public void Setup(double tCurrent, double tdof)
    {
        _tCurrent = tCurrent;
        _tdof = tdof;
        Targets(0.0);
        NoseHooverChain.SetupThermostat(_chain, _s, _tdof, _tTarget);
    }

    /// <summary>
    /// The first half-step of a step at ramp fraction <paramref name="fraction"/>; returns the velocity factor (the
    /// product over tloop sub-steps; <paramref name="scaleEachLoop"/>, if given, gets each sub-step's factor instead, as
    /// the host fix scales its velocities).
    /// </summary>
    public double Initial(double fraction, Action<double>? scaleEachLoop = null)
    {
        Targets(fraction);
        return NoseHooverChain.ThermostatHalfStep(_chain, _s, _tdof, _tTarget, _keTarget, ref _tCurrent, scaleEachLoop);
    }

    /// <summary>The second half-step, given the temperature after the final kick; returns the velocity factor (as <see cref="Initial"/>).</summary>
    public double Final(double tCurrent, double tdof, Action<double>? scaleEachLoop = null)
    {
        _tCurrent = tCurrent;
        _tdof = tdof;
        return NoseHooverChain.ThermostatHalfStep(_chain, _s, _tdof, _tTarget, _keTarget, ref _tCurrent, scaleEachLoop);
    }

    private void Targets(double fraction)
    {
        _tTarget = NoseHooverChain.TargetTemperature(_s, fraction);
        _keTarget = NoseHooverChain.TargetKinetic(_s, _tdof, _tTarget);
    }
}
