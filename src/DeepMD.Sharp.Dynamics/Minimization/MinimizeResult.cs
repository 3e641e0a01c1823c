namespace DeepMD.Sharp.Dynamics.Minimization;

/// <summary>
/// What a minimization did: the figures of LAMMPS' "Minimization stats" block. Energies are per atom when thermo
/// output is normalised (as LAMMPS reports them).
/// </summary>
public sealed record MinimizeResult
{
    public required MinimizeStop Stop { get; init; }

    public required double EnergyInitial { get; init; }

    /// <summary>Energy before the last iteration.</summary>
    public required double EnergyNextToLast { get; init; }

    public required double EnergyFinal { get; init; }

    public required double ForceTwoNormInitial { get; init; }

    public required double ForceTwoNormFinal { get; init; }

    public required double ForceMaxComponentInitial { get; init; }

    public required double ForceMaxComponentFinal { get; init; }

    /// <summary>Step length of the last line search (0 for FIRE).</summary>
    public required double FinalAlpha { get; init; }

    public required int Iterations { get; init; }

    public required int Evaluations { get; init; }

    /// <summary>Wall-clock seconds of the iterations.</summary>
    public required double Seconds { get; init; }

    /// <summary>Neighbor list builds during the minimization (after its setup build).</summary>
    public required int NeighborBuilds { get; init; }

    /// <summary>Dangerous builds during the minimization.</summary>
    public required int DangerousBuilds { get; init; }
}
