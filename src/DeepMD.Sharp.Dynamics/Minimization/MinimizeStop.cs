namespace DeepMD.Sharp.Dynamics.Minimization;

/// <summary>Why a minimization stopped (LAMMPS' stop conditions, in its order).</summary>
public enum MinimizeStop
{
    /// <summary>Internal: the line search succeeded, keep iterating.</summary>
    None = -1,
    MaxIterations = 0,
    MaxEvaluations,
    EnergyTolerance,
    ForceTolerance,
    NotDownhill,
    ZeroAlpha,
    ZeroForce,
    ZeroQuadratic,
    MaxVdotfNegative = 11,
}

/// <summary>LAMMPS' wording of the stop conditions ("Stopping criterion = ...").</summary>
public static class MinimizeStopText
{
    public static string Describe(this MinimizeStop stop) => stop switch
    {
        MinimizeStop.MaxIterations => "max iterations",
        MinimizeStop.MaxEvaluations => "max force evaluations",
        MinimizeStop.EnergyTolerance => "energy tolerance",
        MinimizeStop.ForceTolerance => "force tolerance",
        MinimizeStop.NotDownhill => "search direction is not downhill",
        MinimizeStop.ZeroAlpha => "linesearch alpha is zero",
        MinimizeStop.ZeroForce => "forces are zero",
        MinimizeStop.ZeroQuadratic => "quadratic factors are zero",
        MinimizeStop.MaxVdotfNegative => "max iterations with v.f negative",
        _ => stop.ToString(),
    };
}
