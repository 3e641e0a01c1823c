namespace DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// One Martyna–Tuckerman–Klein chain of Nosé–Hoover thermostats (positions η_k, velocities η̇_k, forces η̈_k, masses
/// Q_k) and LAMMPS' half-step update of it (fix nh's nhc_temp_integrate / nhc_press_integrate): the chain is swept
/// top-down, the coupled degrees of freedom are scaled by exp(−η̇₀·dt/2), the chain is swept bottom-up, repeated
/// <c>loops</c> times with dt/loops. The particle chain and the barostat chain of <see cref="FixNoseHoover"/> are two
/// of these.
/// </summary>
internal sealed class NoseHooverChain
{
    private readonly double[] _eta, _etaDot, _etaDotDot, _mass;

    /// <summary>A chain of <paramref name="length"/> thermostats (0 = no chain), all at rest.</summary>
    public NoseHooverChain(int length)
    {
        Length = length;
        _eta = new double[length];
        _etaDot = new double[length + 1]; // one extra, always 0, ends the chain
        _etaDotDot = new double[length];
        _mass = new double[length];
    }

    public int Length { get; }

    public IReadOnlyList<double> Eta => _eta;

    public IReadOnlyList<double> EtaDot => _etaDot;

    /// <summary>Sets Q₀ and Q_k (k ≥ 1).</summary>
    public void SetMasses(double first, double others)
    {
        if (Length == 0) return;
        _mass[0] = first;
        for (var k = 1; k < Length; k++) _mass[k] = others;
    }

    /// <summary>Forces on the upper thermostats from the current velocities: η̈_k = (Q_{k−1}·η̇²_{k−1} − kT)/Q_k.</summary>
    public void SetUpperForces(double kt)
    {
        for (var k = 1; k < Length; k++)
            _etaDotDot[k] = (_mass[k - 1] * _etaDot[k - 1] * _etaDot[k - 1] - kt) / _mass[k];
    }

    /// <summary>
    /// Half-step update. <paramref name="ke"/> is twice the kinetic energy of the coupled degrees of freedom and
    /// <paramref name="keTarget"/> its target; <paramref name="scale"/> scales those degrees of freedom by the
    /// given factor and returns their new doubled kinetic energy. With <paramref name="guardMass"/> a zero Q₀ gives no
    /// force (the particle chain at zero target temperature).
    /// </summary>
    public void HalfStep(double dt, int loops, double drag, double ke, double keTarget, double kt, bool guardMass, Func<double, double> scale)
    {
        double dthalf = 0.5 * dt, dt4 = 0.25 * dt, dt8 = 0.125 * dt;
        _etaDotDot[0] = Force0(ke, keTarget, guardMass);
        var ncfac = 1.0 / loops;
        for (var loop = 0; loop < loops; loop++)
        {
            double expfac;
            for (var k = Length - 1; k > 0; k--)
            {
                expfac = Math.Exp(-ncfac * dt8 * _etaDot[k + 1]);
                _etaDot[k] *= expfac;
                _etaDot[k] += _etaDotDot[k] * ncfac * dt4;
                _etaDot[k] *= drag;
                _etaDot[k] *= expfac;
            }
            expfac = Math.Exp(-ncfac * dt8 * _etaDot[1]);
            _etaDot[0] *= expfac;
            _etaDot[0] += _etaDotDot[0] * ncfac * dt4;
            _etaDot[0] *= drag;
            _etaDot[0] *= expfac;

            ke = scale(Math.Exp(-ncfac * dthalf * _etaDot[0]));
            _etaDotDot[0] = Force0(ke, keTarget, guardMass);

            for (var k = 0; k < Length; k++) _eta[k] += ncfac * dthalf * _etaDot[k];

            _etaDot[0] *= expfac;
            _etaDot[0] += _etaDotDot[0] * ncfac * dt4;
            _etaDot[0] *= expfac;

            for (var k = 1; k < Length; k++)
            {
                expfac = Math.Exp(-ncfac * dt8 * _etaDot[k + 1]);
                _etaDot[k] *= expfac;
                _etaDotDot[k] = (_mass[k - 1] * _etaDot[k - 1] * _etaDot[k - 1] - kt) / _mass[k];
                _etaDot[k] += _etaDotDot[k] * ncfac * dt4;
                _etaDot[k] *= expfac;
            }
        }
    }

    private double Force0(double ke, double keTarget, bool guardMass) =>
        guardMass && !(_mass[0] > 0.0) ? 0.0 : (ke - keTarget) / _mass[0];

    /// <summary>Σ ½Q_k·η̇_k² + firstKt·η₀ + kt·Σ_{k≥1} η_k (the chain's share of the conserved energy).</summary>
    public double Energy(double firstKt, double kt)
    {
        if (Length == 0) return 0.0;
        var e = firstKt * _eta[0] + 0.5 * _mass[0] * _etaDot[0] * _etaDot[0];
        for (var k = 1; k < Length; k++) e += kt * _eta[k] + 0.5 * _mass[k] * _etaDot[k] * _etaDot[k];
        return e;
    }

    /// <summary>Number of values <see cref="Save"/> writes: η, η̇ (with the closing zero), η̈.</summary>
    public int StateLength => 3 * Length + 1;

    public void Save(List<double> into)
    {
        into.AddRange(_eta);
        into.AddRange(_etaDot);
        into.AddRange(_etaDotDot);
    }

    /// <summary>Reads what <see cref="Save"/> wrote, starting at <paramref name="at"/>; returns the index after it.</summary>
    public int Restore(double[] state, int at)
    {
        state.AsSpan(at, Length).CopyTo(_eta);
        at += Length;
        state.AsSpan(at, Length + 1).CopyTo(_etaDot);
        at += Length + 1;
        state.AsSpan(at, Length).CopyTo(_etaDotDot);
        return at + Length;
    }
}
