namespace DeepMD.Sharp.Dynamics.Fixes;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Random;

/// <summary>How fix wall/reflect/stochastic draws an atom's new velocity at a wall.</summary>
public enum StochasticReflection
{
    /// <summary>Every component from the wall's Maxwell-Boltzmann distribution (normal one Rayleigh, tangential Gaussian).</summary>
    Diffusive,

    /// <summary>Diffusive with probability equal to the accommodation coefficient, else specular.</summary>
    Maxwell,

    /// <summary>Cercignani–Lampis: each component relaxes towards the wall's with its own accommodation coefficient.</summary>
    Ccl,
}

/// <summary>One wall of fix wall/reflect/stochastic.</summary>
/// <param name="Dim">0 x, 1 y, 2 z.</param>
/// <param name="Hi">Upper face (else lower).</param>
/// <param name="Coord">Wall coordinate (distance units).</param>
/// <param name="Temperature">Wall temperature.</param>
/// <param name="Velocity">Wall velocity (its normal component is 0).</param>
/// <param name="Accommodation">Accommodation coefficients per direction (Maxwell: the same in all three; diffusive: unused).</param>
public readonly record struct StochasticWall(int Dim, bool Hi, double Coord, double Temperature, double[] Velocity, double[] Accommodation);

/// <summary>
/// LAMMPS' <c>fix wall/reflect/stochastic diffusive|maxwell|ccl seed face coord T vx vy vz [accommodation...]</c>: after
/// the initial integration of every step, an atom of the group beyond a wall is moved back along its velocity to the
/// wall, given a velocity drawn from the wall's distribution (kT/m, wall velocity, accommodation), and moved on for the
/// rest of the time it spent beyond the wall with the new velocity. The numbers come from one Marsaglia (RANMAR) stream
/// seeded as LAMMPS' serial run (seed + rank 0), drawn wall by wall and atom by atom in LAMMPS' storage order, in
/// LAMMPS' order per atom (x, y, z; Maxwell first draws the diffusive-or-specular test), so a one-process run follows
/// LAMMPS'. Domain-decomposed runs are refused (LAMMPS gives each rank its own stream).
/// </summary>
public sealed class FixWallReflectStochastic : Fix
{
    private readonly StochasticWall[] _walls;
    private readonly StochasticReflection _style;
    private readonly MarsagliaRandom _random;
    private bool[] _member = [];

    public FixWallReflectStochastic(string id, StochasticReflection style, int seed, IEnumerable<StochasticWall> walls) : base(id)
    {
        if (seed <= 0) throw new UserInputException("Random seed must be a positive number");
        _style = style;
        _random = new MarsagliaRandom(seed);
        _walls = [.. walls];
        foreach (var w in _walls)
            foreach (var a in w.Accommodation)
                if (style != StochasticReflection.Diffusive && (a < 0 || a > 1))
                    throw new UserInputException($"fix wall/reflect/stochastic: accommodation coefficient {a} must be within 0..1");
    }

    public override string Style => "wall/reflect/stochastic";

    public override bool SupportsGroups => true;

    public override bool UsesStorageOrder => true;

    public override void Init(Simulation sim)
    {
        if (sim.Decomposed is { Active: true })
            throw new UserInputException("fix wall/reflect/stochastic is not supported in a domain-decomposed run (LAMMPS gives each rank its own random stream); run it on one process");
        var a = sim.Atoms;
        if (_member.Length != a.Count) _member = new bool[a.Count];
        for (var i = 0; i < a.Count; i++) _member[i] = Group.Contains(a.Id[i]);
    }

    public override double[] SaveState() => _random.SaveState();

    public override void RestoreState(double[] state) => _random.RestoreState(state);

    public override void PostIntegrate(Simulation sim)
    {
        var a = sim.Atoms;
        var u = sim.Units;
        if (sim.StorageOrder.Order.Length != a.Count) sim.StorageOrder.EnsureSize(a.Count);
        var order = sim.StorageOrder.Order;
        var x = new[] { a.X, a.Y, a.Z };
        var v = new[] { a.Vx, a.Vy, a.Vz };
        foreach (var w in _walls)
        {
            var dim = w.Dim;
            var coord = w.Coord;
            foreach (var i in order)
            {
                if (!_member[i]) continue;
                var sign = 0;
                if (!w.Hi && x[dim][i] < coord) sign = 1;
                else if (w.Hi && x[dim][i] > coord) sign = -1;
                if (sign == 0) continue;
                var theta = u.Boltz * w.Temperature / (sim.Masses[a.Type[i]] * u.Mvv2e);
                var factor = Math.Sqrt(theta);
                // Time since the atom crossed the wall.
                var timecol = (x[dim][i] - coord) / v[dim][i];
                var difftest = _style == StochasticReflection.Maxwell ? _random.Uniform() : 0.0;
                for (var d = 0; d < 3; d++)
                {
                    x[d][i] -= v[d][i] * timecol;
                    switch (_style)
                    {
                        case StochasticReflection.Diffusive:
                            v[d][i] = d != dim ? w.Velocity[d] + factor * _random.Gaussian() : sign * Rayleigh(factor);
                            break;
                        case StochasticReflection.Maxwell:
                            if (difftest < w.Accommodation[d])
                                v[d][i] = d != dim ? w.Velocity[d] + factor * _random.Gaussian() : sign * Rayleigh(factor);
                            else if (d == dim) v[d][i] = -v[d][i];
                            break;
                        default:
                        {
                            var acc = w.Accommodation[d];
                            if (d != dim)
                            {
                                var mu = (1 - acc) * (v[d][i] - w.Velocity[d]);
                                var sigma = Math.Sqrt((2 - acc) * acc * theta);
                                v[d][i] = w.Velocity[d] + (mu + sigma * _random.Gaussian());
                            }
                            else v[d][i] = BesselExp(theta, acc, v[d][i]);
                            break;
                        }
                    }
                    if (d != dim) x[d][i] += v[d][i] * timecol;
                    else x[d][i] = coord + v[d][i] * timecol;
                }
            }
        }
    }

    /// <summary>A Rayleigh-distributed number of scale <paramref name="sigma"/> (LAMMPS' RanMars::rayleigh).</summary>
    private double Rayleigh(double sigma)
    {
        if (sigma <= 0.0) throw new UserInputException("Invalid Rayleigh parameter: the wall temperature must be positive");
        var v1 = _random.Uniform();
        return v1 == 0.0 ? 1.0e300 : sigma * Math.Sqrt(-2.0 * Math.Log(v1));
    }

    /// <summary>
    /// The Cercignani–Lampis normal velocity after a collision, from kT/m <paramref name="theta"/>, accommodation
    /// <paramref name="alpha"/> and the incoming normal velocity <paramref name="cp"/> (LAMMPS' RanMars::besselexp).
    /// </summary>
    private double BesselExp(double theta, double alpha, double cp)
    {
        if (theta < 0.0 || alpha < 0.0 || alpha > 1.0) throw new UserInputException("Invalid Bessel exponential distribution parameters");
        var v1 = _random.Uniform();
        var v2 = _random.Uniform();
        var lg = Math.Log(v1);
        var cross = 2.0 * Math.Sqrt(-2.0 * theta * (1.0 - alpha) * alpha * lg) * Math.Cos(2.0 * Math.PI * v2) * cp;
        return cp < 0.0
            ? Math.Sqrt((1.0 - alpha) * cp * cp - 2.0 * alpha * theta * lg + cross)
            : -Math.Sqrt((1.0 - alpha) * cp * cp - 2.0 * alpha * theta * lg - cross);
    }
}
