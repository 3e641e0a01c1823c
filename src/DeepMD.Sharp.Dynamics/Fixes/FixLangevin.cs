namespace DeepMD.Sharp.Dynamics.Fixes;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Random;

/// <summary>
/// <c>fix ID GROUP langevin Tstart Tstop Tdamp SEED [zero yes] [tally yes] [scale TYPE RATIO]</c>: friction −m v / Tdamp
/// plus a uniform random force of the matching variance on each atom of the group, added after the force evaluation
/// (and at setup), as LAMMPS' fix langevin (without gjf, omega, angmom and a temperature bias). The target ramps from
/// Tstart to Tstop over the run, or follows an equal- or atom-style variable. Needs an integrator such as fix nve.
/// </summary>
/// <remarks>
/// Two sources of random numbers (<see cref="LangevinStream"/>): LAMMPS' (one RANMAR stream drawn atom by atom in LAMMPS'
/// storage order: a one-process run reproduces LAMMPS' serial run), or numbers keyed by seed, atom id, step and component
/// (<see cref="KeyedRandom"/>), which do not depend on which rank owns an atom nor on the order of the atoms. LAMMPS
/// itself gives each MPI rank its own stream (seed + rank), so its results change with the rank count and no
/// decomposition could reproduce them; a decomposed run therefore always uses the keyed numbers, and a one-process run
/// uses them with the option <c>stream keyed</c> (a dpsharp option, not LAMMPS'), which makes it equal the decomposed run
/// on any number of ranks.
/// </remarks>
public sealed class FixLangevin : Fix, IFixGlobalValues
{
    private readonly double _tStart, _tStop, _tPeriod;
    private readonly MarsagliaRandom _random;
    private readonly int _seed;
    private double[] _gamma1 = [], _gamma2 = [];
    private double[] _flx = [], _fly = [], _flz = [];
    private double[] _target = [];
    private bool _tallied;
    private double _energy, _energyOneStep;

    public FixLangevin(string id, double tStart, double tStop, double tDamp, int seed, LangevinStream stream = LangevinStream.Lammps) : base(id)
    {
        if (!(tDamp > 0)) throw new UserInputException($"fix langevin: the damping time must be positive, got {tDamp}");
        if (seed <= 0 || seed > 900000000) throw new UserInputException($"fix langevin: the seed must be in 1..900000000, got {seed}");
        (_tStart, _tStop, _tPeriod) = (tStart, tStop, tDamp);
        _random = new MarsagliaRandom(seed);
        _seed = seed;
        Stream = stream;
    }

    /// <summary>Where the random numbers come from in a one-process run (a decomposed run always uses <see cref="LangevinStream.Keyed"/>).</summary>
    public LangevinStream Stream { get; }

    /// <summary><c>zero yes</c>: the random forces of the group sum to zero each step (their mean is subtracted from each atom's).</summary>
    public bool Zero { get; init; }

    /// <summary><c>tally yes</c>: the energy the thermostat exchanged is accumulated (<c>f_ID</c>, thermo <c>ecouple</c>).</summary>
    public bool Tally { get; init; }

    /// <summary><c>scale TYPE RATIO</c> per type (0-based, null: all 1): damping time of the type = Tdamp × ratio.</summary>
    public double[]? Ratio { get; init; }

    /// <summary>
    /// A target temperature from an equal-style variable (LAMMPS' <c>v_name</c> Tstart; Tstop is then ignored), evaluated
    /// at every force evaluation; null: ramp from Tstart to Tstop over the run.
    /// </summary>
    public Func<double>? TargetVariable { get; init; }

    /// <summary>A target temperature per atom (storage index) from an atom-style variable, evaluated at every force evaluation.</summary>
    public Func<double[]>? TargetPerAtom { get; init; }

    public override string Style => "langevin";

    public override bool SupportsGroups => true;

    /// <summary><c>fix_modify temp ID</c>: a temperature compute whose bias (temp/partial, temp/region) the thermostat leaves alone.</summary>
    public override bool UsesTemperature => true;

    public override bool UsesStorageOrder => Stream == LangevinStream.Lammps;

    public override void Init(Simulation sim)
    {
        var u = sim.Units;
        _gamma1 = new double[sim.TypeCount];
        _gamma2 = new double[sim.TypeCount];
        for (var t = 0; t < sim.TypeCount; t++)
        {
            _gamma1[t] = -sim.Masses[t] / _tPeriod / u.Ftm2v;
            _gamma2[t] = Math.Sqrt(sim.Masses[t]) * Math.Sqrt(24.0 * u.Boltz / _tPeriod / sim.Timestep / u.Mvv2e) / u.Ftm2v;
            if (Ratio is { } r && t < r.Length)
            {
                _gamma1[t] *= 1.0 / r[t];
                _gamma2[t] *= 1.0 / Math.Sqrt(r[t]);
            }
        }
    }

    /// <summary>LAMMPS' FixLangevin::reset_dt: the random-force factors of the new timestep.</summary>
    public override void ResetTimestep(Simulation sim) => Init(sim);

    public override void Setup(Simulation sim) => PostForce(sim);

    /// <summary>The random generator's state, then (tally yes) the accumulated energy and the last step's share.</summary>
    public override double[] SaveState() => Tally ? [.. _random.SaveState(), _energy, _energyOneStep] : _random.SaveState();

    public override void RestoreState(double[] state)
    {
        var expected = Tally ? 105 : 103;
        if (state.Length != expected) throw new UserInputException($"fix langevin: the saved state has {state.Length} values, expected {expected}");
        _random.RestoreState(state.AsSpan(0, 103).ToArray());
        if (Tally) (_energy, _energyOneStep) = (state[103], state[104]);
    }

    /// <summary>The target temperature now (LAMMPS' compute_target; per-atom targets are in <see cref="_target"/>).</summary>
    private double Target(Simulation sim)
    {
        if (TargetPerAtom is { } perAtom)
        {
            _target = perAtom();
            for (var i = 0; i < sim.Atoms.Count; i++)
                if (InGroup(sim, i) && _target[i] < 0.0) throw new UserInputException("Fix langevin variable returned negative temperature");
            return 0.0;
        }
        if (TargetVariable is { } variable)
        {
            var t = variable();
            return t >= 0.0 ? t : throw new UserInputException("Fix langevin variable returned negative temperature");
        }
        double delta = sim.Step - sim.RunStartStep;
        if (delta != 0.0) delta /= sim.RunEndStep - sim.RunStartStep;
        return _tStart + delta * (_tStop - _tStart);
    }

    private bool InGroup(Simulation sim, int i) => Group.IsAll || Group.Contains(sim.Atoms.Id[i]);

    public override void PostForce(Simulation sim)
    {
        var tsqrt = Math.Sqrt(Target(sim));
        var a = sim.Atoms;
        if (Tally && _flx.Length != a.Count)
        {
            (_flx, _fly, _flz) = (new double[a.Count], new double[a.Count], new double[a.Count]);
        }
        if (Tally) _tallied = true;
        double sx = 0, sy = 0, sz = 0;
        var keyed = Stream == LangevinStream.Keyed || sim.Decomposed is { Active: true };
        var step = sim.Step;
        // LAMMPS draws the random numbers atom by atom in its storage order (spatially sorted), not by id; the keyed
        // numbers are the same whichever rank owns an atom, in any order.
        ReadOnlySpan<int> order = default;
        if (!keyed)
        {
            if (sim.StorageOrder.Order.Length != a.Count) sim.StorageOrder.EnsureSize(a.Count);
            order = sim.StorageOrder.Order;
        }
        // LAMMPS' bias: the drag acts on the velocity without the bias and the random force is dropped in each component
        // whose unbiased velocity is zero (drawn all the same).
        var bias = TemperatureCompute is { HasBias: true } t ? t : null;
        for (var k = 0; k < a.Count; k++)
        {
            var i = keyed ? k : order[k];
            if (!InGroup(sim, i)) continue;
            var g1 = _gamma1[a.Type[i]];
            var g2 = _gamma2[a.Type[i]] * (TargetPerAtom is null ? tsqrt : Math.Sqrt(_target[i]));
            double rx, ry, rz;
            if (keyed)
            {
                var id = a.Id[i];
                rx = g2 * (KeyedRandom.Uniform(_seed, id, step, 0) - 0.5);
                ry = g2 * (KeyedRandom.Uniform(_seed, id, step, 1) - 0.5);
                rz = g2 * (KeyedRandom.Uniform(_seed, id, step, 2) - 0.5);
            }
            else
            {
                rx = g2 * (_random.Uniform() - 0.5);
                ry = g2 * (_random.Uniform() - 0.5);
                rz = g2 * (_random.Uniform() - 0.5);
            }
            double vx = a.Vx[i], vy = a.Vy[i], vz = a.Vz[i];
            if (bias is not null)
            {
                bias.RemoveBias(sim, i, ref vx, ref vy, ref vz);
                if (vx == 0.0) rx = 0.0;
                if (vy == 0.0) ry = 0.0;
                if (vz == 0.0) rz = 0.0;
            }
            double dx = g1 * vx, dy = g1 * vy, dz = g1 * vz;
            a.Fx[i] += dx + rx;
            a.Fy[i] += dy + ry;
            a.Fz[i] += dz + rz;
            if (Zero)
            {
                sx += rx;
                sy += ry;
                sz += rz;
            }
            if (Tally)
            {
                _flx[i] = dx + rx;
                _fly[i] = dy + ry;
                _flz[i] = dz + rz;
            }
        }
        if (!Zero) return;
        double count = Group.Count(a);
        if (sim.Decomposed is { Active: true } d)
        {
            Span<double> sums = [sx, sy, sz, count];
            d.Sum(sums);
            (sx, sy, sz, count) = (sums[0], sums[1], sums[2], sums[3]);
        }
        if (count == 0) throw new UserInputException("Cannot zero Langevin force of 0 atoms");
        (sx, sy, sz) = (sx / count, sy / count, sz / count);
        for (var i = 0; i < a.Count; i++)
        {
            if (!InGroup(sim, i)) continue;
            a.Fx[i] -= sx;
            a.Fy[i] -= sy;
            a.Fz[i] -= sz;
            if (Tally)
            {
                _flx[i] -= sx;
                _fly[i] -= sy;
                _flz[i] -= sz;
            }
        }
    }

    /// <summary>Σ f_langevin · v over the group (this rank's atoms).</summary>
    private double Power(Simulation sim)
    {
        var a = sim.Atoms;
        var e = 0.0;
        if (_flx.Length != a.Count) return 0.0;
        for (var i = 0; i < a.Count; i++)
            if (InGroup(sim, i)) e += _flx[i] * a.Vx[i] + _fly[i] * a.Vy[i] + _flz[i] * a.Vz[i];
        return e;
    }

    /// <summary>tally yes: the energy exchanged this step, f_langevin · v after the final integration (LAMMPS' end_of_step).</summary>
    public override void EndOfStep(Simulation sim)
    {
        if (!Tally) return;
        _energyOneStep = Power(sim);
        _energy += _energyOneStep * sim.Timestep;
    }

    /// <summary>
    /// LAMMPS' fix langevin scalar: minus the accumulated exchanged energy, taken back half a step to the last full step
    /// (0 without <c>tally yes</c>); at a run's first step it restarts from half of that step's share, as LAMMPS.
    /// </summary>
    private double ExchangedEnergy(Simulation sim)
    {
        if (!Tally || !_tallied) return 0.0;
        if (sim.Step == sim.RunStartStep)
        {
            _energyOneStep = Power(sim);
            _energy = 0.5 * _energyOneStep * sim.Timestep;
        }
        var mine = _energy - 0.5 * _energyOneStep * sim.Timestep;
        return -(sim.Decomposed is { Active: true } d ? d.Sum(mine) : mine);
    }

    public override double CoupledEnergy(Simulation sim) => ExchangedEnergy(sim);

    public bool HasScalar => true;

    public double Scalar(Simulation sim) => ExchangedEnergy(sim);

    public bool ExtensiveScalar => true;

    public int VectorLength => 0;

    public double Vector(Simulation sim, int i) => throw new InvalidOperationException("fix langevin has no global vector");

    public bool ExtensiveVector(int i) => false;
}

/// <summary>Where fix langevin's random numbers come from.</summary>
public enum LangevinStream
{
    /// <summary>LAMMPS' serial sequence: one RANMAR stream, atom by atom in LAMMPS' storage order.</summary>
    Lammps,

    /// <summary>A number per (seed, atom id, step, component) (<see cref="KeyedRandom"/>): independent of ranks and atom order.</summary>
    Keyed,
}
