namespace DeepMD.Sharp.Dynamics.Fixes;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Random;

/// <summary>
/// <c>fix ID all langevin Tstart Tstop Tdamp SEED</c>: friction −m v / Tdamp plus a uniform random force of the
/// matching variance, added after the force evaluation (and at setup), as LAMMPS' fix langevin without options.
/// Needs an integrator such as fix nve.
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
public sealed class FixLangevin : Fix
{
    private readonly double _tStart, _tStop, _tPeriod;
    private readonly MarsagliaRandom _random;
    private readonly int _seed;
    private double[] _gamma1 = [], _gamma2 = [];

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

    public override string Style => "langevin";

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
        }
    }

    public override void Setup(Simulation sim) => PostForce(sim);

    /// <summary>The random generator's state (the friction constants are recomputed by <see cref="Init"/>).</summary>
    public override double[] SaveState() => _random.SaveState();

    public override void RestoreState(double[] state)
    {
        if (state.Length != 103) throw new UserInputException($"fix langevin: the saved random generator has {state.Length} values, expected 103");
        _random.RestoreState(state);
    }

    public override void PostForce(Simulation sim)
    {
        double delta = sim.Step - sim.RunStartStep;
        if (delta != 0.0) delta /= sim.RunEndStep - sim.RunStartStep;
        var tsqrt = Math.Sqrt(_tStart + delta * (_tStop - _tStart));
        var a = sim.Atoms;
        if (Stream == LangevinStream.Keyed || sim.Decomposed is { Active: true })
        {
            // Keyed by atom id and step: the same numbers whichever rank owns the atom.
            var step = sim.Step;
            for (var i = 0; i < a.Count; i++)
            {
                var g1 = _gamma1[a.Type[i]];
                var g2 = _gamma2[a.Type[i]] * tsqrt;
                var id = a.Id[i];
                a.Fx[i] += g1 * a.Vx[i] + g2 * (KeyedRandom.Uniform(_seed, id, step, 0) - 0.5);
                a.Fy[i] += g1 * a.Vy[i] + g2 * (KeyedRandom.Uniform(_seed, id, step, 1) - 0.5);
                a.Fz[i] += g1 * a.Vz[i] + g2 * (KeyedRandom.Uniform(_seed, id, step, 2) - 0.5);
            }
            return;
        }
        // LAMMPS draws the random numbers atom by atom in its storage order (spatially sorted), not by id.
        var order = sim.StorageOrder.Order;
        if (order.Length != a.Count) sim.StorageOrder.EnsureSize(a.Count);
        order = sim.StorageOrder.Order;
        foreach (var i in order)
        {
            var g1 = _gamma1[a.Type[i]];
            var g2 = _gamma2[a.Type[i]] * tsqrt;
            var rx = g2 * (_random.Uniform() - 0.5);
            var ry = g2 * (_random.Uniform() - 0.5);
            var rz = g2 * (_random.Uniform() - 0.5);
            a.Fx[i] += g1 * a.Vx[i] + rx;
            a.Fy[i] += g1 * a.Vy[i] + ry;
            a.Fz[i] += g1 * a.Vz[i] + rz;
        }
    }
}

/// <summary>Where fix langevin's random numbers come from.</summary>
public enum LangevinStream
{
    /// <summary>LAMMPS' serial sequence: one RANMAR stream, atom by atom in LAMMPS' storage order.</summary>
    Lammps,

    /// <summary>A number per (seed, atom id, step, component) (<see cref="KeyedRandom"/>): independent of ranks and atom order.</summary>
    Keyed,
}
