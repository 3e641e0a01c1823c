namespace DeepMD.Sharp.Dynamics.Minimization;

/// <summary>The minimizer algorithms (LAMMPS' <c>min_style</c>).</summary>
public enum MinimizeStyle
{
    /// <summary>Polak–Ribière conjugate gradient with a line search (<c>cg</c>, the default).</summary>
    ConjugateGradient,

    /// <summary>Steepest descent with a line search (<c>sd</c>).</summary>
    SteepestDescent,

    /// <summary>FIRE 2.0 damped dynamics as LAMMPS' <c>min_style fire</c> (Guénolé et al. 2020).</summary>
    Fire,

    /// <summary>The original FIRE with fixed constants (<c>min_style fire/old</c>).</summary>
    FireOld,
}

/// <summary>Line searches of the <c>cg</c> and <c>sd</c> styles (<c>min_modify line</c>).</summary>
public enum LineSearchStyle
{
    /// <summary>Backtrack from the largest allowed step until the energy decrease is sufficient.</summary>
    Backtrack,

    /// <summary>Backtracking plus a secant (quadratic) step on the directional force; LAMMPS' default.</summary>
    Quadratic,

    /// <summary>Seeks a zero of the directional force without letting the energy rise (<c>forcezero</c>).</summary>
    ForceZero,
}

/// <summary>Integrators of the FIRE style (<c>min_modify integrator</c>).</summary>
public enum FireIntegrator
{
    EulerImplicit,
    Verlet,
    Leapfrog,
    EulerExplicit,
}

/// <summary>Which force norm the force tolerance tests (<c>min_modify norm</c>).</summary>
public enum ForceNormStyle
{
    /// <summary>Euclidean norm of the whole 3N force vector (default).</summary>
    Two,

    /// <summary>Largest per-atom force magnitude.</summary>
    Max,

    /// <summary>Largest force component.</summary>
    Inf,
}

/// <summary>
/// Minimizer settings: <c>min_style</c> and the <c>min_modify</c> keywords, with LAMMPS' defaults
/// (dmax 0.1, quadratic line search, FIRE: delaystep 20, dtgrow 1.1, dtshrink 0.5, alpha0 0.25, alphashrink 0.99,
/// tmax 10, tmin 0.02, integrator eulerimplicit, halfstepback yes, initialdelay yes, vdfmax 2000).
/// </summary>
public sealed class MinimizeSettings
{
    public MinimizeStyle Style { get; set; } = MinimizeStyle.ConjugateGradient;

    public LineSearchStyle LineSearch { get; set; } = LineSearchStyle.Quadratic;

    /// <summary>Largest distance any coordinate may move in one line search or FIRE step (distance units).</summary>
    public double Dmax { get; set; } = 0.1;

    public ForceNormStyle Norm { get; set; } = ForceNormStyle.Two;

    /// <summary>FIRE: steps after a v·f ≤ 0 event before the timestep may grow and α shrink.</summary>
    public int DelayStep { get; set; } = 20;

    public double DtGrow { get; set; } = 1.1;

    public double DtShrink { get; set; } = 0.5;

    public double Alpha0 { get; set; } = 0.25;

    public double AlphaShrink { get; set; } = 0.99;

    /// <summary>FIRE: largest timestep as a multiple of the initial one.</summary>
    public double TMax { get; set; } = 10.0;

    /// <summary>FIRE: smallest timestep as a multiple of the initial one.</summary>
    public double TMin { get; set; } = 0.02;

    public FireIntegrator Integrator { get; set; } = FireIntegrator.EulerImplicit;

    /// <summary>FIRE: move atoms half a step back when v·f ≤ 0.</summary>
    public bool HalfStepBack { get; set; } = true;

    /// <summary>FIRE: no timestep reduction during the first <see cref="DelayStep"/> steps.</summary>
    public bool InitialDelay { get; set; } = true;

    /// <summary>FIRE: stop after this many consecutive v·f ≤ 0 steps (0: never).</summary>
    public int VdfMax { get; set; } = 2000;

    /// <summary>A copy (the deck keeps one settings object and hands a snapshot to each minimization).</summary>
    public MinimizeSettings Clone() => (MinimizeSettings)MemberwiseClone();
}
