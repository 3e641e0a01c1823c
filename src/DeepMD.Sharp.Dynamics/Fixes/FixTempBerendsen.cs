namespace DeepMD.Sharp.Dynamics.Fixes;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Thermo;

/// <summary>
/// <c>fix ID group temp/berendsen Tstart Tstop Tdamp</c>: at the end of every step, velocities are scaled by
/// λ = sqrt(1 + dt/Tdamp·(T_target/T − 1)), as LAMMPS' fix temp/berendsen (needs an integrator such as fix nve). On a
/// group, T is the group's temperature (d·N_group − d degrees of freedom) and only its atoms are scaled.
/// </summary>
public sealed class FixTempBerendsen : Fix
{
    private readonly double _tStart, _tStop, _tPeriod;

    public FixTempBerendsen(string id, double tStart, double tStop, double tDamp) : base(id)
    {
        if (!(tDamp > 0)) throw new UserInputException($"fix temp/berendsen: the damping time must be positive, got {tDamp}");
        (_tStart, _tStop, _tPeriod) = (tStart, tStop, tDamp);
    }

    public override string Style => "temp/berendsen";

    public override bool SupportsGroups => true;

    public override bool UsesTemperature => true;

    /// <summary>Energy removed from the system so far (energy units; LAMMPS' fix scalar).</summary>
    public double EnergyRemoved { get; private set; }

    public override double CoupledEnergy(Simulation sim) => EnergyRemoved;

    public override void EndOfStep(Simulation sim)
    {
        var t = MeasureTemperature(sim, out var dof);
        if (dof < 1) return; // nothing to scale (as LAMMPS)
        if (t == 0.0) throw new SimulationException($"step {sim.Step}: fix temp/berendsen cannot rescale a zero temperature", sim.Step, 0);
        double delta = sim.Step - sim.RunStartStep;
        if (delta != 0.0) delta /= sim.RunEndStep - sim.RunStartStep;
        var target = _tStart + delta * (_tStop - _tStart);
        var lamda = Math.Sqrt(1.0 + sim.Timestep / _tPeriod * (target / t - 1.0));
        EnergyRemoved += t * (1.0 - lamda * lamda) * 0.5 * sim.Units.Boltz * dof;
        // With fix_modify temp of a biased compute (temp/partial, temp/region, temp/deform) only the thermal part is scaled.
        if (TemperatureCompute is { } c) c.ScaleThermalVelocities(sim, Group, lamda);
        else
        {
            var a = sim.Atoms;
            var all = Group.IsAll;
            for (var i = 0; i < a.Count; i++)
            {
                if (!all && !Group.Contains(a.Id[i])) continue;
                a.Vx[i] *= lamda;
                a.Vy[i] *= lamda;
                a.Vz[i] *= lamda;
            }
        }
    }
}
