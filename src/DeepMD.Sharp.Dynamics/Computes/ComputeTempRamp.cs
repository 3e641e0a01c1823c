namespace DeepMD.Sharp.Dynamics.Computes;

using DeepMD.Sharp.Dynamics.Groups;

/// <summary>
/// <c>compute ID group temp/ramp vdim vlo vhi dim clo chi [units box|lattice]</c>: LAMMPS' temperature after subtracting
/// a velocity profile that ramps linearly in component <c>vdim</c> from vlo at coordinate clo to vhi at chi along
/// <c>dim</c> (constant beyond the ends), from dim·N − dim degrees of freedom (minus fix constraints for the group all).
/// The ramp is the bias that thermostats with <c>fix_modify temp</c> keep (e.g. a wall-driven Couette flow).
/// </summary>
public sealed class ComputeTempRamp : TemperatureCompute
{
    private readonly int _vDim, _coordDim;
    private readonly double _vLo, _vHi, _coordLo, _coordHi;

    /// <summary>
    /// A ramp of velocity component <paramref name="vDim"/> (0, 1, 2: vx, vy, vz) from <paramref name="vLo"/> to
    /// <paramref name="vHi"/> as coordinate <paramref name="coordDim"/> (0, 1, 2: x, y, z) goes from
    /// <paramref name="coordLo"/> to <paramref name="coordHi"/>, in box units (the caller applies <c>units lattice</c>).
    /// </summary>
    public ComputeTempRamp(string id, AtomGroup group, int vDim, double vLo, double vHi, int coordDim, double coordLo, double coordHi)
        : base(id, group)
    {
        (_vDim, _vLo, _vHi, _coordDim, _coordLo, _coordHi) = (vDim, vLo, vHi, coordDim, coordLo, coordHi);
    }

    public override string Style => "temp/ramp";

    public override bool HasBias => true;

    public override double DegreesOfFreedom(Simulation sim) =>
        (double)sim.Dimension * Group.Count(sim.Atoms) - (sim.Dimension + (Group.IsAll ? sim.ExtraDegreesRemoved : 0));

    /// <summary>The ramp velocity at atom <paramref name="i"/>'s coordinate (LAMMPS' fraction clamped to [0, 1]).</summary>
    private double Ramp(Simulation sim, int i)
    {
        var a = sim.Atoms;
        var c = _coordDim switch { 0 => a.X[i], 1 => a.Y[i], _ => a.Z[i] };
        var fraction = (c - _coordLo) / (_coordHi - _coordLo);
        fraction = Math.Max(fraction, 0.0);
        fraction = Math.Min(fraction, 1.0);
        return _vLo + fraction * (_vHi - _vLo);
    }

    public override void RemoveBias(Simulation sim, int i, ref double vx, ref double vy, ref double vz)
    {
        var b = Ramp(sim, i);
        if (_vDim == 0) vx -= b;
        else if (_vDim == 1) vy -= b;
        else vz -= b;
    }

    /// <summary>LAMMPS' remove_bias, scale, restore_bias: the ramp component is (v − ramp)·factor + ramp.</summary>
    public override void ScaleThermalVelocities(Simulation sim, AtomGroup group, double factor)
    {
        var a = sim.Atoms;
        for (var i = 0; i < a.Count; i++)
        {
            if (!group.IsAll && !group.Contains(a.Id[i])) continue;
            var b = Ramp(sim, i);
            double vx = a.Vx[i], vy = a.Vy[i], vz = a.Vz[i];
            if (_vDim == 0) vx -= b; else if (_vDim == 1) vy -= b; else vz -= b;
            vx *= factor;
            vy *= factor;
            vz *= factor;
            if (_vDim == 0) vx += b; else if (_vDim == 1) vy += b; else vz += b;
            (a.Vx[i], a.Vy[i], a.Vz[i]) = (vx, vy, vz);
        }
    }

    protected override double ComputeScalar(Simulation sim)
    {
        RequireSerial(sim);
        var a = sim.Atoms;
        var m = sim.Masses;
        double t = 0;
        for (var i = 0; i < a.Count; i++)
        {
            if (!Group.Contains(a.Id[i])) continue;
            double vx = a.Vx[i], vy = a.Vy[i], vz = a.Vz[i];
            RemoveBias(sim, i, ref vx, ref vy, ref vz);
            t += (vx * vx + vy * vy + vz * vz) * m[a.Type[i]];
        }
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
            double vx = a.Vx[i], vy = a.Vy[i], vz = a.Vz[i];
            RemoveBias(sim, i, ref vx, ref vy, ref vz);
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
