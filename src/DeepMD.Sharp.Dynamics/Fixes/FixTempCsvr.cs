namespace DeepMD.Sharp.Dynamics.Fixes;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Random;
using DeepMD.Sharp.Dynamics.Thermo;

/// <summary>
/// <c>fix ID group temp/csvr Tstart Tstop Tdamp SEED</c>: Bussi–Donadio–Parrinello stochastic velocity rescaling at the
/// end of every step, as LAMMPS' fix temp/csvr: the kinetic energy is redrawn from the exact propagator of the
/// canonical Langevin equation for K (relaxation time Tdamp), with LAMMPS' RANMAR draws in LAMMPS' order (one Gaussian,
/// then the sum of dof − 1 squared Gaussians as a gamma deviate). Needs an integrator such as fix nve.
/// </summary>
public sealed class FixTempCsvr : Fix
{
    private readonly double _tStart, _tStop, _tPeriod;
    private readonly MarsagliaRandom _random;

    public FixTempCsvr(string id, double tStart, double tStop, double tDamp, int seed) : base(id)
    {
        if (!(tStart >= 0) || !(tStop >= 0)) throw new UserInputException($"fix temp/csvr: target temperatures must be non-negative, got {tStart} {tStop}");
        if (!(tDamp > 0)) throw new UserInputException($"fix temp/csvr: the damping time must be positive, got {tDamp}");
        if (seed <= 0 || seed > 900000000) throw new UserInputException($"fix temp/csvr: the seed must be in 1..900000000, got {seed}");
        (_tStart, _tStop, _tPeriod) = (tStart, tStop, tDamp);
        _random = new MarsagliaRandom(seed);
    }

    public override string Style => "temp/csvr";

    public override bool SupportsGroups => true;

    public override bool UsesTemperature => true;

    /// <summary>Kinetic energy the bath has taken out so far (energy units; LAMMPS' fix scalar).</summary>
    public double EnergyRemoved { get; private set; }

    public override double CoupledEnergy(Simulation sim) => EnergyRemoved;

    public override void EndOfStep(Simulation sim)
    {
        double delta = sim.Step - sim.RunStartStep;
        if (delta != 0.0) delta /= sim.RunEndStep - sim.RunStartStep;
        var target = _tStart + delta * (_tStop - _tStart);
        var t = MeasureTemperature(sim, out var dof);
        var efactor = 0.5 * dof * sim.Units.Boltz;
        var keOld = t * efactor;
        var keNew = target * efactor;
        if (dof < 1) return;
        if (keOld == 0.0) throw new SimulationException($"step {sim.Step}: fix temp/csvr cannot rescale a zero temperature", sim.Step, 0);
        var lamda = Resample(keOld, keNew, dof, sim.Timestep);
        var a = sim.Atoms;
        var all = Group.IsAll;
        for (var i = 0; i < a.Count; i++)
        {
            if (!all && !Group.Contains(a.Id[i])) continue;
            a.Vx[i] *= lamda;
            a.Vy[i] *= lamda;
            a.Vz[i] *= lamda;
        }
        EnergyRemoved += keOld * (1.0 - lamda * lamda);
    }

    /// <summary>The velocity scale factor taking K_old to a new kinetic energy drawn from the CSVR propagator.</summary>
    private double Resample(double keOld, double keNew, double dof, double dt)
    {
        var c1 = Math.Exp(-dt / _tPeriod);
        var c2 = (1.0 - c1) * keNew / keOld / dof;
        var r1 = _random.Gaussian();
        var r2 = SumOfSquaredGaussians((int)(dof - 1));
        var scale = c1 + c2 * (r1 * r1 + r2) + 2.0 * r1 * Math.Sqrt(c1 * c2);
        return Math.Sqrt(scale);
    }

    /// <summary>Σ of <paramref name="n"/> squared standard normals, drawn as LAMMPS does (2·Gamma(n/2) plus one square if odd).</summary>
    private double SumOfSquaredGaussians(int n)
    {
        if (n == 0) return 0.0;
        if (n == 1)
        {
            var r = _random.Gaussian();
            return r * r;
        }
        if (n % 2 == 0) return 2.0 * GammaDeviate(n / 2);
        var rr = _random.Gaussian();
        return 2.0 * GammaDeviate((n - 1) / 2) + rr * rr;
    }

    /// <summary>A Gamma(<paramref name="ia"/>, 1) deviate: product of uniforms below 6, else rejection from a Lorentzian (Numerical Recipes' gamdev).</summary>
    private double GammaDeviate(int ia)
    {
        if (ia < 1) return 0.0;
        double x;
        if (ia < 6)
        {
            x = 1.0;
            for (var j = 1; j <= ia; j++) x *= _random.Uniform();
            return -Math.Log(x);
        }
        while (true)
        {
            double v1, y, am, s, e;
            do
            {
                do
                {
                    double v2;
                    do
                    {
                        v1 = _random.Uniform();
                        v2 = 2.0 * _random.Uniform() - 1.0;
                    }
                    while (v1 * v1 + v2 * v2 > 1.0);
                    y = v2 / v1;
                    am = ia - 1;
                    s = Math.Sqrt(2.0 * am + 1.0);
                    x = s * y + am;
                }
                while (x <= 0.0);
                if (am * Math.Log(x / am) - s * y < -700 || v1 < 0.00001) goto Restart;
                e = (1.0 + y * y) * Math.Exp(am * Math.Log(x / am) - s * y);
            }
            while (_random.Uniform() > e);
            return x;
        Restart:;
        }
    }

    /// <summary>The random generator's state and the energy tally.</summary>
    public override double[] SaveState() => [.. _random.SaveState(), EnergyRemoved];

    public override void RestoreState(double[] state)
    {
        if (state.Length != 104) throw new UserInputException($"fix temp/csvr: the saved state has {state.Length} values, expected 104");
        _random.RestoreState(state.AsSpan(0, 103));
        EnergyRemoved = state[103];
    }
}
