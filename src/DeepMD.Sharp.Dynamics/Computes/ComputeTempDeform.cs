namespace DeepMD.Sharp.Dynamics.Computes;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Dynamics.Fixes;
using DeepMD.Sharp.Dynamics.Groups;
using DeepMD.Sharp.Dynamics.Thermo;

/// <summary>
/// <c>compute ID group temp/deform</c>: LAMMPS' temperature after subtracting the streaming velocity of a deforming box,
/// v_stream = h_rate · λ + h_ratelo (λ the atom's fractional coordinates, h_rate/h_ratelo from <see cref="FixDeform"/>;
/// zero without one), from dim·N − dim degrees of freedom (minus those fixes remove, for the group all); the vector is
/// the kinetic energy tensor of the thermal velocities (xx, yy, zz, xy, xz, yz; extensive). The bias it removes is
/// also what <see cref="FixNvtSllod"/> thermostats around.
/// </summary>
public sealed class ComputeTempDeform(string id, AtomGroup group) : TemperatureCompute(id, group)
{
    private static readonly double[] NoRate = new double[6];

    public override string Style => "temp/deform";

    /// <summary>Degrees of freedom (LAMMPS' dof_compute).</summary>
    public override double DegreesOfFreedom(Simulation sim) =>
        Group.IsAll ? Thermodynamics.DegreesOfFreedom(sim) : (double)sim.Dimension * Group.Count(sim.Atoms) - sim.Dimension;

    /// <summary>The streaming velocity at the position of atom <paramref name="i"/> (LAMMPS' remove_bias).</summary>
    public static (double X, double Y, double Z) Stream(Simulation sim, double[] hinv, FixDeform? deform, int i)
    {
        var rate = deform?.HRate ?? NoRate;
        var lo = deform?.HRateLo ?? NoRate;
        var a = sim.Atoms;
        double x = a.X[i], y = a.Y[i], z = a.Z[i];
        FixDeform.ToLamda(sim.Box!, hinv, ref x, ref y, ref z);
        return (rate[0] * x + rate[5] * y + rate[4] * z + lo[0], rate[1] * y + rate[3] * z + lo[1], rate[2] * z + lo[2]);
    }

    /// <summary>
    /// The temperature now, bypassing the per-step value that outputs read (a thermostat measures before the box
    /// changes at the end of the step; LAMMPS' thermo evaluates its computes again when it prints).
    /// </summary>
    public double Measure(Simulation sim) => ComputeScalar(sim);

    /// <summary>LAMMPS' remove_bias/restore_bias around the scaling: (v − v_stream)·factor + v_stream.</summary>
    public override void ScaleThermalVelocities(Simulation sim, AtomGroup group, double factor)
    {
        var a = sim.Atoms;
        var deform = Deform(sim);
        var hinv = FixDeform.HInverse(sim.Box!);
        for (var i = 0; i < a.Count; i++)
        {
            if (!group.IsAll && !group.Contains(a.Id[i])) continue;
            var (sx, sy, sz) = Stream(sim, hinv, deform, i);
            a.Vx[i] = (a.Vx[i] - sx) * factor + sx;
            a.Vy[i] = (a.Vy[i] - sy) * factor + sy;
            a.Vz[i] = (a.Vz[i] - sz) * factor + sz;
        }
    }

    private static FixDeform? Deform(Simulation sim) => sim.Fixes.OfType<FixDeform>().FirstOrDefault();

    protected override double ComputeScalar(Simulation sim)
    {
        RequireSerial(sim);
        var a = sim.Atoms;
        var m = sim.Masses;
        var deform = Deform(sim);
        var hinv = FixDeform.HInverse(sim.Box!);
        double t = 0;
        for (var i = 0; i < a.Count; i++)
        {
            if (!Group.Contains(a.Id[i])) continue;
            var (sx, sy, sz) = Stream(sim, hinv, deform, i);
            double vx = a.Vx[i] - sx, vy = a.Vy[i] - sy, vz = a.Vz[i] - sz;
            t += (vx * vx + vy * vy + vz * vz) * m[a.Type[i]];
        }
        var dof = DegreesOfFreedom(sim);
        var tfactor = dof > 0 ? sim.Units.Mvv2e / (dof * sim.Units.Boltz) : 0.0;
        return t * tfactor;
    }

    protected override void ComputeVector(Simulation sim, double[] vector)
    {
        RequireSerial(sim);
        var a = sim.Atoms;
        var m = sim.Masses;
        var deform = Deform(sim);
        var hinv = FixDeform.HInverse(sim.Box!);
        System.Array.Clear(vector);
        for (var i = 0; i < a.Count; i++)
        {
            if (!Group.Contains(a.Id[i])) continue;
            var (sx, sy, sz) = Stream(sim, hinv, deform, i);
            double vx = a.Vx[i] - sx, vy = a.Vy[i] - sy, vz = a.Vz[i] - sz;
            var mi = m[a.Type[i]];
            vector[0] += mi * vx * vx;
            vector[1] += mi * vy * vy;
            vector[2] += mi * vz * vz;
            vector[3] += mi * vx * vy;
            vector[4] += mi * vx * vz;
            vector[5] += mi * vy * vz;
        }
        for (var k = 0; k < 6; k++) vector[k] *= sim.Units.Mvv2e;
    }
}
