namespace DeepMD.Sharp.Dynamics.Computes;

using DeepMD.Sharp.Dynamics.Groups;

/// <summary>
/// A compute that measures a temperature (LAMMPS' <c>tempflag</c>): a scalar temperature, the kinetic energy tensor
/// (xx, yy, zz, xy, xz, yz; extensive) as its vector, and its degrees of freedom; what a pressure compute or a
/// thermostat reads (temp, temp/deform, ...).
/// </summary>
public abstract class TemperatureCompute(string id, AtomGroup group) : Compute(id, group)
{
    public override bool HasScalar => true;

    public override int VectorLength => 6;

    public override bool ExtensiveVectorElement(int index) => true;

    /// <summary>
    /// Whether the compute removes a velocity bias (LAMMPS' tempbias) that <see cref="RemoveBias"/> can take away atom by
    /// atom (temp/partial, temp/region); thermostats that honour it (fix langevin) act on the velocity without it.
    /// </summary>
    public virtual bool HasBias => false;

    /// <summary>LAMMPS' remove_bias for the atom at storage index <paramref name="i"/>, applied to a copy of its velocity.</summary>
    public virtual void RemoveBias(Simulation sim, int i, ref double vx, ref double vy, ref double vz) { }

    /// <summary>
    /// Scales the thermal part of the velocities of <paramref name="group"/>'s atoms by <paramref name="factor"/>: LAMMPS'
    /// remove_bias, v *= factor, restore_bias for each atom (what fix temp/rescale and temp/berendsen do with a biased
    /// temperature); without a bias the whole velocity.
    /// </summary>
    public virtual void ScaleThermalVelocities(Simulation sim, AtomGroup group, double factor)
    {
        var a = sim.Atoms;
        var all = group.IsAll;
        for (var i = 0; i < a.Count; i++)
        {
            if (!all && !group.Contains(a.Id[i])) continue;
            a.Vx[i] *= factor;
            a.Vy[i] *= factor;
            a.Vz[i] *= factor;
        }
    }

    /// <summary>The degrees of freedom the temperature is divided by (LAMMPS' dof).</summary>
    public abstract double DegreesOfFreedom(Simulation sim);

    private double _measured;
    private long _measuredStep = -1, _measuredSetup = -1;

    /// <summary>
    /// The temperature now (what a thermostat measures with <c>fix_modify temp</c>, LAMMPS' compute_scalar() from a fix).
    /// A pressure compute using this temperature reads it on the same step (<see cref="LatestScalar"/>); outputs still
    /// evaluate afresh, as LAMMPS' thermo does.
    /// </summary>
    public double Evaluate(Simulation sim)
    {
        _measured = ComputeScalar(sim);
        (_measuredStep, _measuredSetup) = (sim.Step, sim.SetupCount);
        return _measured;
    }

    /// <summary>
    /// The temperature a pressure compute uses: the one a fix measured on this step (LAMMPS' invoked_scalar), else this
    /// step's <see cref="Compute.Scalar"/>.
    /// </summary>
    public double LatestScalar(Simulation sim) =>
        _measuredStep == sim.Step && _measuredSetup == sim.SetupCount ? _measured : Scalar(sim);
}
