namespace DeepMD.Sharp.Dynamics.Minimization;

/// <summary>
/// What a minimization did: the figures of LAMMPS' "Minimization stats" block. Energies are per atom when thermo
/// output is normalised (as LAMMPS reports them).
/// </summary>
public sealed record MinimizeResult
{
    /// <summary>Why the minimization stopped.</summary>
    public required MinimizeStop Stop { get; init; }

    /// <summary>Energy after setup, before the first iteration.</summary>
    public required double EnergyInitial { get; init; }

    /// <summary>Energy before the last iteration.</summary>
    public required double EnergyNextToLast { get; init; }

    /// <summary>Energy at the final positions.</summary>
    public required double EnergyFinal { get; init; }

    /// <summary>Euclidean norm of the 3N forces before the first iteration.</summary>
    public required double ForceTwoNormInitial { get; init; }

    /// <summary>Euclidean norm of the 3N forces at the end.</summary>
    public required double ForceTwoNormFinal { get; init; }

    /// <summary>Largest force component before the first iteration.</summary>
    public required double ForceMaxComponentInitial { get; init; }

    /// <summary>Largest force component at the end.</summary>
    public required double ForceMaxComponentFinal { get; init; }

    /// <summary>Step length of the last line search (0 for FIRE).</summary>
    public required double FinalAlpha { get; init; }

    /// <summary>Iterations done (steps advanced).</summary>
    public required int Iterations { get; init; }

    /// <summary>Energy and force evaluations counted as LAMMPS counts them.</summary>
    public required int Evaluations { get; init; }

    /// <summary>Wall-clock seconds of the iterations.</summary>
    public required double Seconds { get; init; }

    /// <summary>Neighbor list builds during the minimization (after its setup build).</summary>
    public required int NeighborBuilds { get; init; }

    /// <summary>Dangerous builds during the minimization.</summary>
    public required int DangerousBuilds { get; init; }
}
