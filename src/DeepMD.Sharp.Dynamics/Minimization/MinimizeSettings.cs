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
    /// <summary>Semi-implicit Euler: kick, mix, drift (LAMMPS' default).</summary>
    EulerImplicit,

    /// <summary>Velocity Verlet: half kick, mix, drift, evaluate, half kick.</summary>
    Verlet,

    /// <summary>Leapfrog: semi-implicit Euler after an initial backward half kick.</summary>
    Leapfrog,

    /// <summary>Explicit Euler: mix, drift, kick.</summary>
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
    /// <summary>The algorithm (<c>min_style</c>).</summary>
    public MinimizeStyle Style { get; set; } = MinimizeStyle.ConjugateGradient;

    /// <summary>The line search of cg and sd (<c>min_modify line</c>).</summary>
    public LineSearchStyle LineSearch { get; set; } = LineSearchStyle.Quadratic;

    /// <summary>Largest distance any coordinate may move in one line search or FIRE step (distance units).</summary>
    public double Dmax { get; set; } = 0.1;

    /// <summary>The norm compared with the force tolerance (<c>min_modify norm</c>).</summary>
    public ForceNormStyle Norm { get; set; } = ForceNormStyle.Two;

    /// <summary>FIRE: steps after a v·f ≤ 0 event before the timestep may grow and α shrink.</summary>
    public int DelayStep { get; set; } = 20;

    /// <summary>FIRE: timestep growth factor after <see cref="DelayStep"/> good steps.</summary>
    public double DtGrow { get; set; } = 1.1;

    /// <summary>FIRE: timestep factor on v·f ≤ 0.</summary>
    public double DtShrink { get; set; } = 0.5;

    /// <summary>FIRE: initial (and reset) velocity mixing α.</summary>
    public double Alpha0 { get; set; } = 0.25;

    /// <summary>FIRE: α factor after <see cref="DelayStep"/> good steps.</summary>
    public double AlphaShrink { get; set; } = 0.99;

    /// <summary>FIRE: largest timestep as a multiple of the initial one.</summary>
    public double TMax { get; set; } = 10.0;

    /// <summary>FIRE: smallest timestep as a multiple of the initial one.</summary>
    public double TMin { get; set; } = 0.02;

    /// <summary>FIRE: the integrator (<c>min_modify integrator</c>).</summary>
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
