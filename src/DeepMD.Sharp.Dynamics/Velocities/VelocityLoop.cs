namespace DeepMD.Sharp.Dynamics.Velocities;

/// <summary>How <c>velocity create</c> walks the atoms (LAMMPS' <c>loop</c> keyword).</summary>
public enum VelocityLoop
{
    /// <summary>One generator over atom ids 1..N (LAMMPS' default): same result for any processor count.</summary>
    All,

    /// <summary>One generator over local atoms after 100 warm-up draws (serial: same as seed + 0).</summary>
    Local,

    /// <summary>A generator reseeded from each atom's coordinates.</summary>
    Geom,
}
