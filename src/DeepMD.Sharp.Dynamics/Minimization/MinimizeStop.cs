namespace DeepMD.Sharp.Dynamics.Minimization;

/// <summary>Why a minimization stopped (LAMMPS' stop conditions, in its order).</summary>
public enum MinimizeStop
{
    /// <summary>Internal: the line search succeeded, keep iterating.</summary>
    None = -1,

    /// <summary>maxiter iterations done.</summary>
    MaxIterations = 0,

    /// <summary>maxeval force evaluations done.</summary>
    MaxEvaluations,

    /// <summary>Relative energy change of an iteration below etol.</summary>
    EnergyTolerance,

    /// <summary>Force norm below ftol.</summary>
    ForceTolerance,

    /// <summary>The search direction has no downhill component (f·h ≤ 0).</summary>
    NotDownhill,

    /// <summary>The line search backtracked to a zero step.</summary>
    ZeroAlpha,

    /// <summary>All search-direction components are zero.</summary>
    ZeroForce,

    /// <summary>The quadratic line search met a vanishing directional force or change of it.</summary>
    ZeroQuadratic,

    /// <summary>FIRE: more than vdfmax consecutive steps with v·f ≤ 0.</summary>
    MaxVdotfNegative = 11,
}

/// <summary>LAMMPS' wording of the stop conditions ("Stopping criterion = ...").</summary>
public static class MinimizeStopText
{
    /// <summary>The text LAMMPS prints for this stop condition.</summary>
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
