namespace DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// Scales the degrees of freedom a chain is coupled to (the particle velocities, or the barostat velocities) during
/// <see cref="NoseHooverChain.HalfStep"/>.
/// </summary>
public interface INoseHooverScaling
{
    /// <summary>Scales the coupled degrees of freedom by <paramref name="factor"/>; returns their new doubled kinetic energy.</summary>
    double Scale(double factor);
}

/// <summary>
/// The fixed settings of a particle thermostat chain during a run (fix nvt/npt <c>temp Tstart Tstop Tdamp</c>,
/// <c>tloop</c>, <c>drag</c>) with the run's timestep and Boltzmann constant: what <see cref="NoseHooverChain"/>'s
/// thermostat functions need besides the chain state.
/// </summary>
/// <param name="TStart">Target temperature at the start of the run.</param>
/// <param name="TStop">Target temperature at the end of the run.</param>
/// <param name="TFreq">1/Tdamp.</param>
/// <param name="Loops">tloop: sub-steps of each half-step.</param>
/// <param name="DragFactor">1 − dt·TFreq·drag/tloop.</param>
/// <param name="Dt">The timestep.</param>
/// <param name="Boltz">Boltzmann's constant in the run's units.</param>
public readonly record struct NoseHooverThermostatSettings(double TStart, double TStop, double TFreq, int Loops, double DragFactor, double Dt, double Boltz)
{
    /// <summary>From the fix's keywords, as LAMMPS' fix nh derives t_freq and the drag factor.</summary>
    public static NoseHooverThermostatSettings Create(double tStart, double tStop, double tDamp, int loops, double drag, double dt, double boltz)
    {
        var tFreq = 1.0 / tDamp;
        return new(tStart, tStop, tFreq, loops, 1.0 - dt * tFreq * drag / loops, dt, boltz);
    }
}

/// <summary>
/// The Nosé–Hoover chain equations of LAMMPS' fix nh, as pure functions of a <see cref="NoseHooverChainState"/>: the
/// one implementation behind the host fixes nvt/npt/nph (<see cref="FixNoseHoover"/>: its particle and barostat chains)
/// and the device MD loop (through <see cref="NoseHooverThermostat"/>, which supplies the temperature measured on the
/// device and applies the returned velocity factor there).
/// <para>
/// The half-step (nhc_temp_integrate / nhc_press_integrate): the chain is swept top-down, the coupled degrees of
/// freedom are scaled by exp(−η̇₀·dt/2), the chain is swept bottom-up, repeated <c>loops</c> times with dt/loops.
/// </para>
/// </summary>
public static class NoseHooverChain
{
    /// <summary>
    /// How far a run has progressed at <paramref name="step"/>, 0 at its start and 1 at its end (LAMMPS' delta, which
    /// ramps the target temperature and pressure); 0 for a run of no steps.
    /// </summary>
    public static double RampFraction(long step, long runStart, long runEnd)
    {
        if (runEnd == runStart) return 0.0;
        double delta = step - runStart;
        if (delta != 0.0) delta /= runEnd - runStart;
        return delta;
    }

    /// <summary>Sets Q₀ and Q_k (k ≥ 1).</summary>
    public static void SetMasses(NoseHooverChainState c, double first, double others)
    {
        if (c.Length == 0) return;
        var mass = c.Mass;
        mass[0] = first;
        for (var k = 1; k < c.Length; k++) mass[k] = others;
    }

    /// <summary>Forces on the upper thermostats from the current velocities: η̈_k = (Q_{k−1}·η̇²_{k−1} − kT)/Q_k.</summary>
    public static void SetUpperForces(NoseHooverChainState c, double kt)
    {
        double[] mass = c.Mass, etaDot = c.EtaDot, etaDotDot = c.EtaDotDot;
        for (var k = 1; k < c.Length; k++)
            etaDotDot[k] = (mass[k - 1] * etaDot[k - 1] * etaDot[k - 1] - kt) / mass[k];
    }

    /// <summary>
    /// Half-step update. <paramref name="ke"/> is twice the kinetic energy of the coupled degrees of freedom and
    /// <paramref name="keTarget"/> its target; <paramref name="scaling"/> scales those degrees of freedom by each
    /// sub-step's factor and returns their new doubled kinetic energy. With <paramref name="guardMass"/> a zero Q₀ gives
    /// no force (the particle chain at zero target temperature).
    /// </summary>
    public static void HalfStep<TScaling>(NoseHooverChainState c, double dt, int loops, double drag, double ke, double keTarget, double kt,
        bool guardMass, ref TScaling scaling) where TScaling : struct, INoseHooverScaling
    {
        double[] eta = c.Eta, etaDot = c.EtaDot, etaDotDot = c.EtaDotDot, mass = c.Mass;
        var length = c.Length;
        double dthalf = 0.5 * dt, dt4 = 0.25 * dt, dt8 = 0.125 * dt;
        etaDotDot[0] = Force0(mass, ke, keTarget, guardMass);
        var ncfac = 1.0 / loops;
        for (var loop = 0; loop < loops; loop++)
        {
            double expfac;
            for (var k = length - 1; k > 0; k--)
            {
                expfac = Math.Exp(-ncfac * dt8 * etaDot[k + 1]);
                etaDot[k] *= expfac;
                etaDot[k] += etaDotDot[k] * ncfac * dt4;
                etaDot[k] *= drag;
                etaDot[k] *= expfac;
            }
            expfac = Math.Exp(-ncfac * dt8 * etaDot[1]);
            etaDot[0] *= expfac;
            etaDot[0] += etaDotDot[0] * ncfac * dt4;
            etaDot[0] *= drag;
            etaDot[0] *= expfac;

            ke = scaling.Scale(Math.Exp(-ncfac * dthalf * etaDot[0]));
            etaDotDot[0] = Force0(mass, ke, keTarget, guardMass);

            for (var k = 0; k < length; k++) eta[k] += ncfac * dthalf * etaDot[k];

            etaDot[0] *= expfac;
            etaDot[0] += etaDotDot[0] * ncfac * dt4;
            etaDot[0] *= expfac;

            for (var k = 1; k < length; k++)
            {
                expfac = Math.Exp(-ncfac * dt8 * etaDot[k + 1]);
                etaDot[k] *= expfac;
                etaDotDot[k] = (mass[k - 1] * etaDot[k - 1] * etaDot[k - 1] - kt) / mass[k];
                etaDot[k] += etaDotDot[k] * ncfac * dt4;
                etaDot[k] *= expfac;
            }
        }
    }

    private static double Force0(double[] mass, double ke, double keTarget, bool guardMass) =>
        guardMass && !(mass[0] > 0.0) ? 0.0 : (ke - keTarget) / mass[0];

    /// <summary>Σ ½Q_k·η̇_k² + firstKt·η₀ + kt·Σ_{k≥1} η_k (the chain's share of the conserved energy).</summary>
    public static double Energy(NoseHooverChainState c, double firstKt, double kt)
    {
        if (c.Length == 0) return 0.0;
        double[] eta = c.Eta, etaDot = c.EtaDot, mass = c.Mass;
        var e = firstKt * eta[0] + 0.5 * mass[0] * etaDot[0] * etaDot[0];
        for (var k = 1; k < c.Length; k++) e += kt * eta[k] + 0.5 * mass[k] * etaDot[k] * etaDot[k];
        return e;
    }

    // ---- The particle thermostat (fix nvt, the temp keyword of fix npt) ----

    /// <summary>The target temperature at ramp fraction <paramref name="fraction"/> (<see cref="RampFraction"/>).</summary>
    public static double TargetTemperature(in NoseHooverThermostatSettings s, double fraction) => s.TStart + fraction * (s.TStop - s.TStart);

    /// <summary>The target of twice the kinetic energy, dof·kB·T_target.</summary>
    public static double TargetKinetic(in NoseHooverThermostatSettings s, double tdof, double tTarget) => tdof * s.Boltz * tTarget;

    /// <summary>The particle chain's masses: Q₀ = dof·kB·T_target/ω², Q_k = kB·T_target/ω² (ω = 1/Tdamp).</summary>
    public static void SetThermostatMasses(NoseHooverChainState c, in NoseHooverThermostatSettings s, double tdof, double tTarget) =>
        SetMasses(c, tdof * s.Boltz * tTarget / (s.TFreq * s.TFreq), s.Boltz * tTarget / (s.TFreq * s.TFreq));

    /// <summary>At a run's setup: the particle chain's masses and the forces on its upper thermostats.</summary>
    public static void SetupThermostat(NoseHooverChainState c, in NoseHooverThermostatSettings s, double tdof, double tTarget)
    {
        SetThermostatMasses(c, s, tdof, tTarget);
        SetUpperForces(c, s.Boltz * tTarget);
    }

    /// <summary>
    /// Half-step of the particle chain (LAMMPS' nhc_temp_integrate) from the temperature <paramref name="tCurrent"/>,
    /// which follows the velocity scaling (T·f² per sub-step). Returns the product of the sub-steps' velocity
    /// factors; <paramref name="scaleEachLoop"/> (if given) is called with each sub-step's factor when it is taken.
    /// </summary>
    public static double ThermostatHalfStep(NoseHooverChainState c, in NoseHooverThermostatSettings s, double tdof, double tTarget,
        double keTarget, ref double tCurrent, Action<double>? scaleEachLoop = null)
    {
        SetThermostatMasses(c, s, tdof, tTarget);
        var scaling = new TemperatureScaling(tCurrent, tdof, s.Boltz, scaleEachLoop);
        HalfStep(c, s.Dt, s.Loops, s.DragFactor, tdof * s.Boltz * tCurrent, keTarget, s.Boltz * tTarget, true, ref scaling);
        tCurrent = scaling.TCurrent;
        return scaling.Total;
    }

    /// <summary>The particle chain's share of the conserved energy.</summary>
    public static double ThermostatEnergy(NoseHooverChainState c, in NoseHooverThermostatSettings s, double keTarget, double tTarget) =>
        Energy(c, keTarget, s.Boltz * tTarget);

    /// <summary>The temperature follows the velocity factor squared; the factors multiply up.</summary>
    private struct TemperatureScaling(double tCurrent, double tdof, double boltz, Action<double>? each) : INoseHooverScaling
    {
        public double TCurrent = tCurrent;
        public double Total = 1.0;

        public double Scale(double factor)
        {
            each?.Invoke(factor);
            Total *= factor;
            TCurrent *= factor * factor;
            return tdof * boltz * TCurrent;
        }
    }
}
