namespace DeepMD.Sharp.Dynamics.Velocities;

/// <summary>Options of <c>velocity create</c>, with LAMMPS' defaults (uniform, mom yes, rot no, loop all).</summary>
public sealed record VelocityOptions
{
    /// <summary>Gaussian instead of uniform deviates (<c>dist gaussian</c>).</summary>
    public bool Gaussian { get; init; }

    /// <summary>Zero the total linear momentum (<c>mom yes</c>).</summary>
    public bool ZeroMomentum { get; init; } = true;

    /// <summary>Zero the total angular momentum (<c>rot yes</c>).</summary>
    public bool ZeroRotation { get; init; }

    public VelocityLoop Loop { get; init; } = VelocityLoop.All;

    /// <summary>
    /// Measures the temperature the velocities are scaled to (<c>temp ID</c>: a temperature compute, its group and
    /// degrees of freedom); null: the temperature of the velocity command's group.
    /// </summary>
    public Func<Simulation, double>? Temperature { get; init; }
}
