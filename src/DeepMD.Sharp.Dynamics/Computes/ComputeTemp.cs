namespace DeepMD.Sharp.Dynamics.Computes;

using DeepMD.Sharp.Dynamics.Groups;
using DeepMD.Sharp.Dynamics.Thermo;

/// <summary>
/// <c>compute ID group temp</c>: the temperature of the group from 3N − 3 degrees of freedom (minus those fixes remove,
/// for the group all), and the kinetic energy tensor Σ m v_a v_b (xx, yy, zz, xy, xz, yz; extensive), as LAMMPS'
/// compute temp. The default thermo temperature is this compute on all (<c>thermo_temp</c>).
/// </summary>
public sealed class ComputeTemp(string id, AtomGroup group) : TemperatureCompute(id, group)
{
    public override string Style => "temp";

    /// <summary>
    /// Degrees of freedom this compute subtracts besides those fixes remove (<c>compute_modify extra/dof</c>); null: the
    /// dimension (LAMMPS' default, the centre-of-mass motion).
    /// </summary>
    public double? ExtraDof { get; set; }

    /// <summary>
    /// <c>compute_modify dynamic/dof yes</c>: count the group's atoms at every evaluation. The count is taken at every
    /// evaluation here either way (the same numbers as LAMMPS while the atom count does not change during a run).
    /// </summary>
    public bool DynamicDof { get; set; }

    /// <summary>
    /// Degrees of freedom of the group (LAMMPS' dof: d·N minus extra/dof (default d, the centre of mass), minus fix
    /// constraints for the group all).
    /// </summary>
    public override double DegreesOfFreedom(Simulation sim)
    {
        var d = sim.Dimension;
        var extra = ExtraDof ?? d;
        if (Group.IsAll) return Thermodynamics.DegreesOfFreedom(sim) + d - extra;
        return (double)d * Group.Count(sim.Atoms) - extra;
    }

    protected override double ComputeScalar(Simulation sim)
    {
        var dof = DegreesOfFreedom(sim);
        double t;
        if (Group.IsAll)
        {
            if (ExtraDof is null) return Thermodynamics.Temperature(sim);
            t = Thermodynamics.MassVelocitySquared(sim);
        }
        else
        {
            RequireSerial(sim);
            var a = sim.Atoms;
            var m = sim.Masses;
            t = 0;
            for (var i = 0; i < a.Count; i++)
                if (Group.Contains(a.Id[i]))
                    t += (a.Vx[i] * a.Vx[i] + a.Vy[i] * a.Vy[i] + a.Vz[i] * a.Vz[i]) * m[a.Type[i]];
        }
        var tfactor = dof > 0 ? sim.Units.Mvv2e / (dof * sim.Units.Boltz) : 0.0;
        return t * tfactor;
    }

    protected override void ComputeVector(Simulation sim, double[] vector)
    {
        if (Group.IsAll)
        {
            Thermodynamics.KineticTensor(sim, vector);
            return;
        }
        RequireSerial(sim);
        var a = sim.Atoms;
        var m = sim.Masses;
        System.Array.Clear(vector);
        for (var i = 0; i < a.Count; i++)
        {
            if (!Group.Contains(a.Id[i])) continue;
            var mi = m[a.Type[i]];
            vector[0] += mi * a.Vx[i] * a.Vx[i];
            vector[1] += mi * a.Vy[i] * a.Vy[i];
            vector[2] += mi * a.Vz[i] * a.Vz[i];
            vector[3] += mi * a.Vx[i] * a.Vy[i];
            vector[4] += mi * a.Vx[i] * a.Vz[i];
            vector[5] += mi * a.Vy[i] * a.Vz[i];
        }
        for (var k = 0; k < 6; k++) vector[k] *= sim.Units.Mvv2e;
    }
}
