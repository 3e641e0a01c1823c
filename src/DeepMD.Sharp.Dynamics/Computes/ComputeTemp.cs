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

    /// <summary>Degrees of freedom of the group (LAMMPS' dof: 3N minus the 3 of the centre of mass, minus fix constraints).</summary>
    public override double DegreesOfFreedom(Simulation sim)
    {
        if (Group.IsAll) return Thermodynamics.DegreesOfFreedom(sim);
        return 3.0 * Group.Count(sim.Atoms) - 3.0;
    }

    protected override double ComputeScalar(Simulation sim)
    {
        if (Group.IsAll) return Thermodynamics.Temperature(sim);
        RequireSerial(sim);
        var a = sim.Atoms;
        var m = sim.Masses;
        double t = 0;
        for (var i = 0; i < a.Count; i++)
            if (Group.Contains(a.Id[i]))
                t += (a.Vx[i] * a.Vx[i] + a.Vy[i] * a.Vy[i] + a.Vz[i] * a.Vz[i]) * m[a.Type[i]];
        var dof = DegreesOfFreedom(sim);
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
