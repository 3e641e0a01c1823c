namespace DeepMD.Sharp.Dynamics.Thermo;

/// <summary>
/// Global thermodynamic quantities computed the way LAMMPS' compute temp and compute pressure do: temperature with
/// d·N − d degrees of freedom (d = 3, or 2 for a 2-d system; minus those removed by fixes), kinetic energy from that
/// temperature, pressure from the kinetic tensor plus the virial (in 2-d: the xy block over the area, z components 0).
/// </summary>
public static class Thermodynamics
{
    /// <summary>Degrees of freedom for the temperature: d·N − d (LAMMPS' extra_dof = dimension) minus fix constraints.</summary>
    public static double DegreesOfFreedom(Simulation sim) => (double)sim.Dimension * sim.AtomCount - sim.Dimension - sim.ExtraDegreesRemoved;

    /// <summary>The box volume, or in 2-d its area (LAMMPS' thermo <c>vol</c> and compute pressure).</summary>
    public static double Volume(Simulation sim)
    {
        var b = sim.Box!;
        return sim.Dimension == 2 ? b.Lx * b.Ly : b.Volume;
    }

    /// <summary>Σ m v² over all atoms (mass·velocity² units; summed over ranks when decomposed).</summary>
    public static double MassVelocitySquared(Simulation sim)
    {
        var a = sim.Atoms;
        var m = sim.Masses;
        double t = 0;
        for (var i = 0; i < a.Count; i++)
            t += (a.Vx[i] * a.Vx[i] + a.Vy[i] * a.Vy[i] + a.Vz[i] * a.Vz[i]) * m[a.Type[i]];
        if (sim.Decomposed is { Active: true } d) t = d.Sum(t);
        return t;
    }

    /// <summary>Temperature (temperature units) of all atoms.</summary>
    public static double Temperature(Simulation sim)
    {
        var t = MassVelocitySquared(sim);
        var dof = DegreesOfFreedom(sim);
        var tfactor = dof > 0 ? sim.Units.Mvv2e / (dof * sim.Units.Boltz) : 0.0;
        return t * tfactor;
    }

    /// <summary>
    /// Temperature of a group's atoms and its degrees of freedom d·N_group − d (LAMMPS' compute temp on the group, as fix
    /// temp/berendsen and temp/rescale use it). Decomposed: the owned members' Σ m v² and count are summed over ranks in
    /// rank order. For <c>all</c> it is <see cref="Temperature(Simulation)"/> and <see cref="DegreesOfFreedom"/>.
    /// </summary>
    public static double Temperature(Simulation sim, Groups.AtomGroup group, out double dof)
    {
        if (group.IsAll)
        {
            dof = DegreesOfFreedom(sim);
            return Temperature(sim);
        }
        var a = sim.Atoms;
        var m = sim.Masses;
        Span<double> sums = stackalloc double[2]; // Σ m v², members
        for (var i = 0; i < a.Count; i++)
        {
            if (!group.Contains(a.Id[i])) continue;
            sums[0] += (a.Vx[i] * a.Vx[i] + a.Vy[i] * a.Vy[i] + a.Vz[i] * a.Vz[i]) * m[a.Type[i]];
            sums[1] += 1.0;
        }
        if (sim.Decomposed is { Active: true } d) d.Sum(sums);
        dof = sim.Dimension * sums[1] - sim.Dimension;
        return dof > 0 ? sums[0] * sim.Units.Mvv2e / (dof * sim.Units.Boltz) : 0.0;
    }

    /// <summary>Kinetic energy as LAMMPS' thermo reports it: ½·dof·kB·T (energy units).</summary>
    public static double KineticEnergy(Simulation sim) =>
        Temperature(sim) * 0.5 * DegreesOfFreedom(sim) * sim.Units.Boltz;

    /// <summary>Kinetic tensor Σ m v_a v_b (energy units) as xx, yy, zz, xy, xz, yz.</summary>
    public static void KineticTensor(Simulation sim, Span<double> t6)
    {
        var a = sim.Atoms;
        var m = sim.Masses;
        t6.Clear();
        for (var i = 0; i < a.Count; i++)
        {
            var mi = m[a.Type[i]];
            t6[0] += mi * a.Vx[i] * a.Vx[i];
            t6[1] += mi * a.Vy[i] * a.Vy[i];
            t6[2] += mi * a.Vz[i] * a.Vz[i];
            t6[3] += mi * a.Vx[i] * a.Vy[i];
            t6[4] += mi * a.Vx[i] * a.Vz[i];
            t6[5] += mi * a.Vy[i] * a.Vz[i];
        }
        if (sim.Decomposed is { Active: true } d) d.Sum(t6[..6]);
        for (var k = 0; k < 6; k++) t6[k] *= sim.Units.Mvv2e;
    }

    /// <summary>Scalar pressure (pressure units) for a given temperature: (dof·kB·T + tr W) / 3V; in 2-d (dof·kB·T + Wxx + Wyy) / 2A.</summary>
    public static double Pressure(Simulation sim, double temperature) => Pressure(sim, temperature, DegreesOfFreedom(sim));

    /// <summary>Scalar pressure from a temperature and the degrees of freedom it was measured with (LAMMPS' compute pressure with its temperature compute).</summary>
    public static double Pressure(Simulation sim, double temperature, double dof)
    {
        var w = sim.Virial;
        if (sim.Dimension == 2)
            return (dof * sim.Units.Boltz * temperature + w[0] + w[4]) / 2.0 * (1.0 / (sim.Box!.Lx * sim.Box.Ly)) * sim.Units.Nktv2p;
        return (dof * sim.Units.Boltz * temperature + w[0] + w[4] + w[8]) / 3.0 * (1.0 / sim.Box!.Volume) * sim.Units.Nktv2p;
    }

    /// <summary>Pressure tensor (pressure units) as xx, yy, zz, xy, xz, yz.</summary>
    public static void PressureTensor(Simulation sim, Span<double> p6)
    {
        KineticTensor(sim, p6);
        AddVirialTensor(sim, p6);
    }

    /// <summary>The pressure tensor with a given kinetic energy tensor (a temperature compute's vector, energy units).</summary>
    public static void PressureTensor(Simulation sim, Span<double> p6, ReadOnlySpan<double> kinetic6)
    {
        kinetic6[..6].CopyTo(p6);
        AddVirialTensor(sim, p6);
    }

    private static void AddVirialTensor(Simulation sim, Span<double> p6)
    {
        var w = sim.Virial;
        var f = sim.Units.Nktv2p / sim.Box!.Volume;
        if (sim.Dimension == 2)
        {
            f = sim.Units.Nktv2p / (sim.Box.Lx * sim.Box.Ly);
            p6[0] = (p6[0] + w[0]) * f;
            p6[1] = (p6[1] + w[4]) * f;
            p6[3] = (p6[3] + w[1]) * f;
            p6[2] = p6[4] = p6[5] = 0.0;
            return;
        }
        p6[0] = (p6[0] + w[0]) * f;
        p6[1] = (p6[1] + w[4]) * f;
        p6[2] = (p6[2] + w[8]) * f;
        p6[3] = (p6[3] + w[1]) * f;
        p6[4] = (p6[4] + w[2]) * f;
        p6[5] = (p6[5] + w[5]) * f;
    }

    /// <summary>Total mass (mass units).</summary>
    public static double TotalMass(Simulation sim)
    {
        double s = 0;
        for (var i = 0; i < sim.Atoms.Count; i++) s += sim.Masses[sim.Atoms.Type[i]];
        return sim.Decomposed is { Active: true } d ? d.Sum(s) : s;
    }

    /// <summary>Euclidean norm of the 3N force vector (thermo <c>fnorm</c>, never normalised).</summary>
    public static double ForceTwoNorm(Simulation sim)
    {
        var a = sim.Atoms;
        double s = 0;
        for (var i = 0; i < a.Count; i++)
        {
            s += a.Fx[i] * a.Fx[i];
            s += a.Fy[i] * a.Fy[i];
            s += a.Fz[i] * a.Fz[i];
        }
        if (sim.Decomposed is { Active: true } d) s = d.Sum(s);
        return Math.Sqrt(s);
    }

    /// <summary>Largest absolute force component (thermo <c>fmax</c>).</summary>
    public static double ForceMaxComponent(Simulation sim)
    {
        var a = sim.Atoms;
        double m = 0;
        for (var i = 0; i < a.Count; i++)
            m = Math.Max(m, Math.Max(Math.Abs(a.Fx[i]), Math.Max(Math.Abs(a.Fy[i]), Math.Abs(a.Fz[i]))));
        return sim.Decomposed is { Active: true } d ? d.Max(m) : m;
    }
}
