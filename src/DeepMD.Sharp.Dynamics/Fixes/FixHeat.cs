namespace DeepMD.Sharp.Dynamics.Fixes;

using DeepMD.Sharp.Core.Errors;

/// <summary>
/// <c>fix ID group heat N eflux [region R]</c>: LAMMPS' fix heat. Every N steps, at the end of the step, adds
/// eflux·N·dt of kinetic energy (energy/time units; negative removes it) to the group's atoms (those inside the region
/// now, with one) by scaling their velocities relative to their centre-of-mass velocity, so momentum is kept:
/// v ← s·v − (s − 1)·v_cm with s² = (KE + ΔE − ½ M v_cm²)/(KE − ½ M v_cm²). eflux is a constant or an equal-style
/// variable evaluated each time. The scalar (f_ID) is the last scale factor s.
/// </summary>
public sealed class FixHeat : Fix, IFixGlobalValues
{
    private readonly int _every;
    private readonly Func<double> _flux;
    private readonly Func<double, double, double, bool>? _region;
    private double _scale = 1.0;

    public FixHeat(string id, int every, Func<double> flux, Func<double, double, double, bool>? region) : base(id)
    {
        if (every <= 0) throw new UserInputException("Illegal fix heat command");
        (_every, _flux, _region) = (every, flux, region);
    }

    public override string Style => "heat";

    public override bool SupportsGroups => true;

    private bool Selected(Simulation sim, int i)
    {
        var a = sim.Atoms;
        return (Group.IsAll || Group.Contains(a.Id[i])) && (_region is null || _region(a.X[i], a.Y[i], a.Z[i]));
    }

    public override void EndOfStep(Simulation sim)
    {
        if (sim.Step % _every != 0) return;
        RequireSerial(sim);
        var a = sim.Atoms;
        var m = sim.Masses;
        double mass = 0, ke = 0, px = 0, py = 0, pz = 0;
        for (var i = 0; i < a.Count; i++)
        {
            if (!Selected(sim, i)) continue;
            var mi = m[a.Type[i]];
            mass += mi;
            ke += (a.Vx[i] * a.Vx[i] + a.Vy[i] * a.Vy[i] + a.Vz[i] * a.Vz[i]) * mi;
            px += a.Vx[i] * mi;
            py += a.Vy[i] * mi;
            pz += a.Vz[i] * mi;
        }
        if (mass == 0.0) throw new SimulationException($"step {sim.Step}: Fix heat group has no atoms", sim.Step, 0);
        // LAMMPS' group->ke (½ m v² · mvv2e) times ftm2v, and group->vcm
        ke *= 0.5 * sim.Units.Mvv2e * sim.Units.Ftm2v;
        double vx = px / mass, vy = py / mass, vz = pz / mass;
        var vcmsq = vx * vx + vy * vy + vz * vz;
        var heat = _flux() * _every * sim.Timestep * sim.Units.Ftm2v;
        var escale = (ke + heat - 0.5 * vcmsq * mass) / (ke - 0.5 * vcmsq * mass);
        if (escale < 0.0) throw new SimulationException($"step {sim.Step}: Fix heat kinetic energy went negative", sim.Step, 0);
        _scale = Math.Sqrt(escale);
        double sx = (_scale - 1.0) * vx, sy = (_scale - 1.0) * vy, sz = (_scale - 1.0) * vz;
        for (var i = 0; i < a.Count; i++)
        {
            if (!Selected(sim, i)) continue;
            a.Vx[i] = _scale * a.Vx[i] - sx;
            a.Vy[i] = _scale * a.Vy[i] - sy;
            a.Vz[i] = _scale * a.Vz[i] - sz;
        }
    }

    private static void RequireSerial(Simulation sim)
    {
        if (sim.Decomposed is { Active: true }) throw new UserInputException("fix heat is not supported on several ranks yet; run the deck in one process");
    }

    public bool HasScalar => true;

    public double Scalar(Simulation sim) => _scale;

    public bool ExtensiveScalar => false;

    public int VectorLength => 0;

    public double Vector(Simulation sim, int i) => throw new InvalidOperationException();

    public bool ExtensiveVector(int i) => false;

    public override double[] SaveState() => [_scale];

    public override void RestoreState(double[] state)
    {
        if (state.Length == 1) _scale = state[0];
    }
}
