namespace DeepMD.Sharp.Dynamics.Computes;

using DeepMD.Sharp.Dynamics.Groups;
using DeepMD.Sharp.Dynamics.Thermo;

/// <summary>
/// <c>compute ID group temp/partial xflag yflag zflag</c>: LAMMPS' temperature of the chosen velocity components only,
/// from n·N − (n/dim)·(dim + fix constraints) degrees of freedom (n the number of chosen components; constraints only for
/// the group all, as <see cref="ComputeTemp"/>); the vector is the kinetic tensor of those components.
/// </summary>
public sealed class ComputeTempPartial(string id, AtomGroup group, bool x, bool y, bool z) : TemperatureCompute(id, group)
{
    private readonly int _x = x ? 1 : 0, _y = y ? 1 : 0, _z = z ? 1 : 0;

    public override string Style => "temp/partial";

    public override bool HasBias => true;

    /// <summary>LAMMPS: the velocity components left out of the temperature are the bias.</summary>
    public override void RemoveBias(Simulation sim, int i, ref double vx, ref double vy, ref double vz)
    {
        if (_x == 0) vx = 0.0;
        if (_y == 0) vy = 0.0;
        if (_z == 0) vz = 0.0;
    }

    /// <summary>Only the chosen components are scaled (the others are the bias, restored unchanged).</summary>
    public override void ScaleThermalVelocities(Simulation sim, AtomGroup group, double factor)
    {
        var a = sim.Atoms;
        for (var i = 0; i < a.Count; i++)
        {
            if (!group.IsAll && !group.Contains(a.Id[i])) continue;
            if (_x == 1) a.Vx[i] *= factor;
            if (_y == 1) a.Vy[i] *= factor;
            if (_z == 1) a.Vz[i] *= factor;
        }
    }

    public override double DegreesOfFreedom(Simulation sim)
    {
        var nper = _x + _y + _z;
        var fixDof = Group.IsAll ? sim.ExtraDegreesRemoved : 0;
        return (double)nper * Group.Count(sim.Atoms) - 1.0 * nper / sim.Dimension * (fixDof + sim.Dimension);
    }

    protected override double ComputeScalar(Simulation sim)
    {
        RequireSerial(sim);
        var a = sim.Atoms;
        var m = sim.Masses;
        double t = 0;
        for (var i = 0; i < a.Count; i++)
            if (Group.Contains(a.Id[i]))
                t += (_x * a.Vx[i] * a.Vx[i] + _y * a.Vy[i] * a.Vy[i] + _z * a.Vz[i] * a.Vz[i]) * m[a.Type[i]];
        var dof = DegreesOfFreedom(sim);
        return dof > 0 ? t * (sim.Units.Mvv2e / (dof * sim.Units.Boltz)) : 0.0;
    }

    protected override void ComputeVector(Simulation sim, double[] vector)
    {
        RequireSerial(sim);
        var a = sim.Atoms;
        var m = sim.Masses;
        System.Array.Clear(vector);
        for (var i = 0; i < a.Count; i++)
        {
            if (!Group.Contains(a.Id[i])) continue;
            var mi = m[a.Type[i]];
            vector[0] += mi * _x * a.Vx[i] * a.Vx[i];
            vector[1] += mi * _y * a.Vy[i] * a.Vy[i];
            vector[2] += mi * _z * a.Vz[i] * a.Vz[i];
            vector[3] += mi * _x * _y * a.Vx[i] * a.Vy[i];
            vector[4] += mi * _x * _z * a.Vx[i] * a.Vz[i];
            vector[5] += mi * _y * _z * a.Vy[i] * a.Vz[i];
        }
        for (var k = 0; k < 6; k++) vector[k] *= sim.Units.Mvv2e;
    }
}

/// <summary>
/// <c>compute ID group temp/com</c>: LAMMPS' temperature of the group after subtracting its centre-of-mass velocity,
/// from dim·N − dim degrees of freedom (minus fix constraints for the group all).
/// </summary>
public sealed class ComputeTempCom(string id, AtomGroup group) : TemperatureCompute(id, group)
{
    public override string Style => "temp/com";

    public override bool HasBias => true;

    /// <summary>LAMMPS: the group's centre-of-mass velocity is the bias.</summary>
    public override void RemoveBias(Simulation sim, int i, ref double vx, ref double vy, ref double vz)
    {
        var (bx, by, bz) = Vcm(sim);
        vx -= bx;
        vy -= by;
        vz -= bz;
    }

    /// <summary>(v − v_cm)·factor + v_cm, with the centre-of-mass velocity of the compute's group now.</summary>
    public override void ScaleThermalVelocities(Simulation sim, AtomGroup group, double factor)
    {
        var (bx, by, bz) = Vcm(sim);
        var a = sim.Atoms;
        for (var i = 0; i < a.Count; i++)
        {
            if (!group.IsAll && !group.Contains(a.Id[i])) continue;
            a.Vx[i] = (a.Vx[i] - bx) * factor + bx;
            a.Vy[i] = (a.Vy[i] - by) * factor + by;
            a.Vz[i] = (a.Vz[i] - bz) * factor + bz;
        }
    }

    public override double DegreesOfFreedom(Simulation sim) =>
        (double)sim.Dimension * Group.Count(sim.Atoms) - (sim.Dimension + (Group.IsAll ? sim.ExtraDegreesRemoved : 0));

    /// <summary>The group's centre-of-mass velocity (LAMMPS' group->vcm: Σ m v / Σ m).</summary>
    private (double X, double Y, double Z) Vcm(Simulation sim)
    {
        var a = sim.Atoms;
        var m = sim.Masses;
        double px = 0, py = 0, pz = 0, mass = 0;
        for (var i = 0; i < a.Count; i++)
        {
            if (!Group.Contains(a.Id[i])) continue;
            var mi = m[a.Type[i]];
            px += a.Vx[i] * mi;
            py += a.Vy[i] * mi;
            pz += a.Vz[i] * mi;
            mass += mi;
        }
        return mass > 0 ? (px / mass, py / mass, pz / mass) : (0, 0, 0);
    }

    protected override double ComputeScalar(Simulation sim)
    {
        RequireSerial(sim);
        var (bx, by, bz) = Vcm(sim);
        var a = sim.Atoms;
        var m = sim.Masses;
        double t = 0;
        for (var i = 0; i < a.Count; i++)
        {
            if (!Group.Contains(a.Id[i])) continue;
            double vx = a.Vx[i] - bx, vy = a.Vy[i] - by, vz = a.Vz[i] - bz;
            t += (vx * vx + vy * vy + vz * vz) * m[a.Type[i]];
        }
        var dof = DegreesOfFreedom(sim);
        return dof > 0 ? t * (sim.Units.Mvv2e / (dof * sim.Units.Boltz)) : 0.0;
    }

    protected override void ComputeVector(Simulation sim, double[] vector)
    {
        RequireSerial(sim);
        var (bx, by, bz) = Vcm(sim);
        var a = sim.Atoms;
        var m = sim.Masses;
        System.Array.Clear(vector);
        for (var i = 0; i < a.Count; i++)
        {
            if (!Group.Contains(a.Id[i])) continue;
            double vx = a.Vx[i] - bx, vy = a.Vy[i] - by, vz = a.Vz[i] - bz;
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

/// <summary>
/// <c>compute ID group temp/region R</c>: LAMMPS' temperature of the group's atoms inside the region at the moment of
/// evaluation, from dim·n − dim degrees of freedom (n the atoms counted; fix constraints are not subtracted, as in LAMMPS).
/// </summary>
public sealed class ComputeTempRegion(string id, AtomGroup group, Func<double, double, double, bool> region) : TemperatureCompute(id, group)
{
    public override string Style => "temp/region";

    public override bool HasBias => true;

    /// <summary>LAMMPS: the whole velocity of an atom outside the region is the bias.</summary>
    public override void RemoveBias(Simulation sim, int i, ref double vx, ref double vy, ref double vz)
    {
        var a = sim.Atoms;
        if (region(a.X[i], a.Y[i], a.Z[i])) return;
        vx = vy = vz = 0.0;
    }

    /// <summary>Only atoms inside the region now are scaled (outside, the whole velocity is the bias).</summary>
    public override void ScaleThermalVelocities(Simulation sim, AtomGroup group, double factor)
    {
        var a = sim.Atoms;
        for (var i = 0; i < a.Count; i++)
        {
            if (!group.IsAll && !group.Contains(a.Id[i])) continue;
            if (!region(a.X[i], a.Y[i], a.Z[i])) continue;
            a.Vx[i] *= factor;
            a.Vy[i] *= factor;
            a.Vz[i] *= factor;
        }
    }

    public override double DegreesOfFreedom(Simulation sim)
    {
        var a = sim.Atoms;
        var n = 0;
        for (var i = 0; i < a.Count; i++)
            if (Group.Contains(a.Id[i]) && region(a.X[i], a.Y[i], a.Z[i])) n++;
        return (double)sim.Dimension * n - sim.Dimension;
    }

    protected override double ComputeScalar(Simulation sim)
    {
        RequireSerial(sim);
        var a = sim.Atoms;
        var m = sim.Masses;
        var count = 0;
        double t = 0;
        for (var i = 0; i < a.Count; i++)
        {
            if (!Group.Contains(a.Id[i]) || !region(a.X[i], a.Y[i], a.Z[i])) continue;
            count++;
            t += (a.Vx[i] * a.Vx[i] + a.Vy[i] * a.Vy[i] + a.Vz[i] * a.Vz[i]) * m[a.Type[i]];
        }
        var dof = (double)sim.Dimension * count - sim.Dimension;
        if (dof < 0.0 && count > 0) throw new Core.Errors.UserInputException($"Temperature compute degrees of freedom < 0 (compute {Id} temp/region: {count} atom(s) in the region)");
        return dof > 0 ? sim.Units.Mvv2e * t / (dof * sim.Units.Boltz) : 0.0;
    }

    protected override void ComputeVector(Simulation sim, double[] vector)
    {
        RequireSerial(sim);
        var a = sim.Atoms;
        var m = sim.Masses;
        System.Array.Clear(vector);
        for (var i = 0; i < a.Count; i++)
        {
            if (!Group.Contains(a.Id[i]) || !region(a.X[i], a.Y[i], a.Z[i])) continue;
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
