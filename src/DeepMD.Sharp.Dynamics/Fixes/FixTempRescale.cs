namespace DeepMD.Sharp.Dynamics.Fixes;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Thermo;

/// <summary>
/// <c>fix ID group temp/rescale N Tstart Tstop window fraction</c>: every N steps, when the temperature is more than
/// <c>window</c> from the target, velocities are scaled to move it <c>fraction</c> of the way there (LAMMPS' fix
/// temp/rescale). Needs an integrator such as fix nve. On a group, the temperature is the group's (d·N_group − d degrees
/// of freedom) and only its atoms are scaled.
/// </summary>
public sealed class FixTempRescale : Fix
{
    private readonly int _every;
    private readonly double _tStart, _tStop, _window, _fraction;

    public FixTempRescale(string id, int every, double tStart, double tStop, double window, double fraction) : base(id)
    {
        if (every < 1) throw new UserInputException($"fix temp/rescale: N must be at least 1, got {every}");
        if (!(window >= 0)) throw new UserInputException($"fix temp/rescale: the window must be non-negative, got {window}");
        (_every, _tStart, _tStop, _window, _fraction) = (every, tStart, tStop, window, fraction);
    }

    public override string Style => "temp/rescale";

    public override bool SupportsGroups => true;

    public override bool UsesTemperature => true;

    /// <summary>Energy removed so far (energy units; LAMMPS' fix scalar).</summary>
    public double EnergyRemoved { get; private set; }

    public override double CoupledEnergy(Simulation sim) => EnergyRemoved;

    public override void EndOfStep(Simulation sim)
    {
        if (sim.Step % _every != 0) return;
        var t = MeasureTemperature(sim, out var dof);
        if (dof < 1) return;
        if (t == 0.0) throw new SimulationException($"step {sim.Step}: fix temp/rescale cannot rescale a zero temperature", sim.Step, 0);
        double delta = sim.Step - sim.RunStartStep;
        if (delta != 0.0) delta /= sim.RunEndStep - sim.RunStartStep;
        var target = _tStart + delta * (_tStop - _tStart);
        if (Math.Abs(t - target) <= _window) return;
        target = t - _fraction * (t - target);
        var factor = Math.Sqrt(target / t);
        EnergyRemoved += (t - target) * 0.5 * sim.Units.Boltz * dof;
        // With fix_modify temp of a biased compute (temp/partial, temp/region, temp/deform) only the thermal part is scaled.
        if (TemperatureCompute is { } c) c.ScaleThermalVelocities(sim, Group, factor);
        else
        {
            var a = sim.Atoms;
            var all = Group.IsAll;
            for (var i = 0; i < a.Count; i++)
            {
                if (!all && !Group.Contains(a.Id[i])) continue;
                a.Vx[i] *= factor;
                a.Vy[i] *= factor;
                a.Vz[i] *= factor;
            }
        }
    }

    public override double[] SaveState() => [EnergyRemoved];

    public override void RestoreState(double[] state)
    {
        if (state.Length != 1) throw new UserInputException($"fix temp/rescale: the saved state has {state.Length} values, expected 1");
        EnergyRemoved = state[0];
    }
}
