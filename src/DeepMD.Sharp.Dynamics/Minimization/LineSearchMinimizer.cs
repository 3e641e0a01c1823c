namespace DeepMD.Sharp.Dynamics.Minimization;

/// <summary>
/// Minimizers that search along a direction h (LAMMPS' MinLineSearch): keeps the start positions x0 and h, and
/// implements the <c>backtrack</c>, <c>quadratic</c> and <c>forcezero</c> line searches. They never move a coordinate
/// more than dmax (backtrack and quadratic also cap the step length at 1), and leave positions, forces and energy at
/// the accepted point, or back at the start when they fail.
/// </summary>
public abstract class LineSearchMinimizer : Minimizer
{
    private const double AlphaMax = 1.0;
    private const double AlphaReduce = 0.5;
    private const double BacktrackSlope = 0.4;
    private const double QuadraticTol = 0.1;
    private const double EMach = 1.0e-8;
    private const double EpsQuad = 1.0e-28;

    protected LineSearchMinimizer(Simulation simulation, MinimizeSettings settings, bool normalize)
        : base(simulation, settings, normalize) { }

    /// <summary>Positions at the start of the current line search.</summary>
    protected double[] X0 = [], Y0 = [], Z0 = [];

    /// <summary>Search direction.</summary>
    protected double[] Hx = [], Hy = [], Hz = [];

    /// <summary>Previous gradient (forces) for conjugate directions.</summary>
    protected double[] Gx = [], Gy = [], Gz = [];

    protected override void SetupStyle()
    {
        var n = N;
        X0 = new double[n]; Y0 = new double[n]; Z0 = new double[n];
        Hx = new double[n]; Hy = new double[n]; Hz = new double[n];
        Gx = new double[n]; Gy = new double[n]; Gz = new double[n];
    }

    protected override void AtomsWrapped(int i, int da, int db, int dc)
    {
        // The atom was moved by −(da·a + db·b + dc·c); move its start position the same way.
        var box = Simulation.Box!;
        X0[i] -= da * box.Lx + db * box.Xy + dc * box.Xz;
        Y0[i] -= db * box.Ly + dc * box.Yz;
        Z0[i] -= dc * box.Lz;
    }

    /// <summary>Runs the configured line search from the current positions along h.</summary>
    protected MinimizeStop LineMinimize(ref double ecurrent, out double alpha) => Settings.LineSearch switch
    {
        LineSearchStyle.Backtrack => Backtrack(ref ecurrent, out alpha),
        LineSearchStyle.ForceZero => ForceZero(ref ecurrent, out alpha),
        _ => Quadratic(ref ecurrent, out alpha),
    };

    /// <summary>f·h over all components (per atom when normalising).</summary>
    private double ForceDotDirection()
    {
        var a = Simulation.Atoms;
        double s = 0;
        for (var i = 0; i < a.Count; i++)
        {
            s += a.Fx[i] * Hx[i];
            s += a.Fy[i] * Hy[i];
            s += a.Fz[i] * Hz[i];
        }
        return Normalize ? s / N : s;
    }

    private double MaxDirectionComponent()
    {
        double m = 0;
        for (var i = 0; i < Hx.Length; i++)
            m = Math.Max(m, Math.Max(Math.Abs(Hx[i]), Math.Max(Math.Abs(Hy[i]), Math.Abs(Hz[i]))));
        return m;
    }

    private void StoreStart()
    {
        var a = Simulation.Atoms;
        Array.Copy(a.X, X0, N);
        Array.Copy(a.Y, Y0, N);
        Array.Copy(a.Z, Z0, N);
    }

    /// <summary>Moves to x0 + α·h and evaluates (one counted evaluation).</summary>
    private double AlphaStep(double alpha)
    {
        var a = Simulation.Atoms;
        for (var i = 0; i < a.Count; i++)
        {
            a.X[i] = X0[i];
            a.Y[i] = Y0[i];
            a.Z[i] = Z0[i];
        }
        if (alpha > 0)
        {
            for (var i = 0; i < a.Count; i++)
            {
                a.X[i] += alpha * Hx[i];
                a.Y[i] += alpha * Hy[i];
                a.Z[i] += alpha * Hz[i];
            }
        }
        Evaluations++;
        return EnergyForce();
    }

    /// <summary>Backtracking line search (Nocedal and Wright, procedure 3.1) as LAMMPS' linemin_backtrack.</summary>
    private MinimizeStop Backtrack(ref double ecurrent, out double alpha)
    {
        alpha = 0;
        var eoriginal = ecurrent;
        var fdoth = ForceDotDirection();
        if (fdoth <= 0) return MinimizeStop.NotDownhill;
        var hmax = MaxDirectionComponent();
        if (hmax == 0) return MinimizeStop.ZeroForce;
        alpha = Math.Min(AlphaMax, Settings.Dmax / hmax);
        StoreStart();
        while (true)
        {
            ecurrent = AlphaStep(alpha);
            var deIdeal = -BacktrackSlope * alpha * fdoth;
            var de = ecurrent - eoriginal;
            if (de <= deIdeal) return MinimizeStop.None;
            alpha *= AlphaReduce;
            if (alpha <= 0 || deIdeal >= -EMach)
            {
                ecurrent = AlphaStep(0);
                return de < 0 ? MinimizeStop.EnergyTolerance : MinimizeStop.ZeroAlpha;
            }
        }
    }

    /// <summary>
    /// LAMMPS' linemin_quadratic: backtracks like <see cref="Backtrack"/>, but as soon as the energy along the line
    /// is quadratic to within 10% (judged from the directional forces), takes the secant step to f·h = 0.
    /// </summary>
    private MinimizeStop Quadratic(ref double ecurrent, out double alpha)
    {
        alpha = 0;
        var eoriginal = ecurrent;
        var fdoth = ForceDotDirection();
        if (fdoth <= 0) return MinimizeStop.NotDownhill;
        var hmax = MaxDirectionComponent();
        var alphaMax = Math.Min(AlphaMax, Settings.Dmax / hmax);
        if (hmax == 0) return MinimizeStop.ZeroForce;
        StoreStart();
        alpha = alphaMax;
        var fhPrev = fdoth;
        var engPrev = eoriginal;
        var alphaPrev = 0.0;
        while (true)
        {
            ecurrent = AlphaStep(alpha);
            var fh = ForceDotDirection();
            var delfh = fh - fhPrev;
            if (Math.Abs(fh) < EpsQuad || Math.Abs(delfh) < EpsQuad)
            {
                ecurrent = AlphaStep(0);
                return MinimizeStop.ZeroQuadratic;
            }
            var relerr = Math.Abs(1.0 - (0.5 * (alpha - alphaPrev) * (fh + fhPrev) + ecurrent) / engPrev);
            var alpha0 = alpha - (alpha - alphaPrev) * fh / delfh;
            if (relerr <= QuadraticTol && alpha0 > 0 && alpha0 < alphaMax)
            {
                ecurrent = AlphaStep(alpha0);
                // Accepted at alpha0; like LAMMPS, the reported step length stays the backtracking one.
                if (ecurrent - eoriginal < EMach) return MinimizeStop.None;
            }
            var deIdeal = -BacktrackSlope * alpha * fdoth;
            var de = ecurrent - eoriginal;
            if (de <= deIdeal) return MinimizeStop.None;
            fhPrev = fh;
            engPrev = ecurrent;
            alphaPrev = alpha;
            alpha *= AlphaReduce;
            if (alpha <= 0 || deIdeal >= -EMach)
            {
                ecurrent = AlphaStep(0);
                return MinimizeStop.ZeroAlpha;
            }
        }
    }

    /// <summary>
    /// LAMMPS' linemin_forcezero: steps forward along h, growing the increment by linearising f·h (at most ×4), until
    /// f·h has dropped to a tenth of its start without an energy rise; on a sign change of f·h or an energy rise it
    /// steps back and shrinks the increment (secant estimate, or ×0.1). Fails when the increment falls below 1e-14.
    /// </summary>
    private MinimizeStop ForceZero(ref double ecurrent, out double alpha)
    {
        const double alphaFactor = 0.1, zeroEnergy = 1e-12, gradTol = 0.1, minAlphaFactor = 1e-14, limitBoost = 4.0;
        alpha = 0;
        var eoriginal = ecurrent;
        var fdoth = ForceDotDirection();
        if (fdoth <= 0) return MinimizeStop.NotDownhill;
        var hmax = MaxDirectionComponent();
        var alphaMax = Settings.Dmax / hmax;
        if (hmax == 0) return MinimizeStop.ZeroForce;
        StoreStart();
        var fhCurr = fdoth;
        var fhOriginal = fhCurr;
        var engCurr = eoriginal;
        var alphaInit = 0.1 * Math.Abs(eoriginal) / fdoth;
        var alphaDel = Math.Min(alphaInit, 0.5 * alphaMax);
        while (true)
        {
            var backtrack = false;
            var fhPrev = fhCurr;
            var engPrev = engCurr;
            alpha += alphaDel;
            if (alpha > alphaMax)
            {
                alpha -= alphaDel;
                return MinimizeStop.None;
            }
            engCurr = AlphaStep(alpha);
            ecurrent = engCurr;
            fhCurr = ForceDotDirection();
            var de = engCurr - engPrev;
            if (de >= zeroEnergy) backtrack = true;
            if (!backtrack && Math.Abs(fhCurr / fhOriginal) <= gradTol) return MinimizeStop.None;
            if (fhCurr < 0) backtrack = true;
            if (backtrack)
            {
                alpha -= alphaDel;
                if (fhCurr < 0) alphaDel *= fhPrev / (fhPrev - fhCurr);
                else alphaDel *= alphaFactor;
                engCurr = engPrev;
                ecurrent = engCurr;
                fhCurr = fhPrev;
                if (hmax * alphaDel <= minAlphaFactor)
                {
                    engCurr = AlphaStep(0);
                    ecurrent = engCurr;
                    return MinimizeStop.ZeroAlpha;
                }
            }
            else
            {
                var boost = limitBoost;
                if (fhPrev > fhCurr) boost = fhCurr / (fhPrev - fhCurr);
                alphaDel *= Math.Min(boost, limitBoost);
            }
        }
    }
}
