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

    /// <summary>Search direction and previous forces of the extra global degrees of freedom (fix box/relax).</summary>
    protected double[] HExtra = [], GExtra = [];

    /// <summary>The box at the start of the current line search (LAMMPS' fix_minimize store_box), for following wrapped atoms.</summary>
    private readonly double[] _box0 = new double[6];
    private bool _box0Stored;

    protected override bool SupportsExtraDof => true;

    protected override void SetupStyle()
    {
        var n = N;
        HExtra = new double[FExtra.Length];
        GExtra = new double[FExtra.Length];
        _box0Stored = false;
        X0 = new double[n]; Y0 = new double[n]; Z0 = new double[n];
        Hx = new double[n]; Hy = new double[n]; Hz = new double[n];
        Gx = new double[n]; Gy = new double[n]; Gz = new double[n];
    }

    protected override void AtomsWrapped(int i, int da, int db, int dc)
    {
        // The atom was moved by −(da·a + db·b + dc·c); move its start position by the same lattice vector of the box the
        // start positions belong to (the box at the start of the line search; it differs with fix box/relax).
        var box = Simulation.Box!;
        double lx = box.Lx, ly = box.Ly, lz = box.Lz, xy = box.Xy, xz = box.Xz, yz = box.Yz;
        if (_box0Stored) (lx, ly, lz, xy, xz, yz) = (_box0[0], _box0[1], _box0[2], _box0[3], _box0[4], _box0[5]);
        X0[i] -= da * lx + db * xy + dc * xz;
        Y0[i] -= db * ly + dc * yz;
        Z0[i] -= dc * lz;
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
        for (var k = 0; k < HExtra.Length; k++) s += FExtra[k] * HExtra[k];
        return Normalize ? s / N : s;
    }

    private double MaxDirectionComponent()
    {
        double m = 0;
        for (var i = 0; i < Hx.Length; i++)
            m = Math.Max(m, Math.Max(Math.Abs(Hx[i]), Math.Max(Math.Abs(Hy[i]), Math.Abs(Hz[i]))));
        return m;
    }

    /// <summary>
    /// The extra degrees of freedom's limit on the step (LAMMPS' modify->max_alpha) and the largest of their direction
    /// components, folded into <paramref name="alpha"/> and <paramref name="hmax"/>.
    /// </summary>
    private void LimitByExtra(ref double alpha, ref double hmax)
    {
        if (Extra.Length == 0) return;
        var offset = 0;
        foreach (var x in Extra)
        {
            alpha = Math.Min(alpha, x.MaxAlpha(HExtra.AsSpan(offset, x.ExtraDof)));
            offset += x.ExtraDof;
        }
        foreach (var h in HExtra) hmax = Math.Max(hmax, Math.Abs(h));
    }

    private void StoreStart()
    {
        var a = Simulation.Atoms;
        var box = Simulation.Box!;
        (_box0[0], _box0[1], _box0[2], _box0[3], _box0[4], _box0[5]) = (box.Lx, box.Ly, box.Lz, box.Xy, box.Xz, box.Yz);
        _box0Stored = true;
        Array.Copy(a.X, X0, N);
        Array.Copy(a.Y, Y0, N);
        Array.Copy(a.Z, Z0, N);
        foreach (var x in Extra) x.MinStore(Simulation);
    }

    /// <summary>Moves the extra degrees of freedom to their stored start plus α·h (LAMMPS' modify->min_step).</summary>
    private void StepExtra(double alpha)
    {
        var offset = 0;
        foreach (var x in Extra)
        {
            x.MinStep(Simulation, alpha, HExtra.AsSpan(offset, x.ExtraDof));
            offset += x.ExtraDof;
        }
    }

    /// <summary>After an accepted line search: lets the extra degrees of freedom reset their reference; re-evaluates if one did.</summary>
    private void ResetExtraReference(ref double ecurrent)
    {
        if (Extra.Length == 0) return;
        var reset = false;
        foreach (var x in Extra) reset |= x.MinResetReference(Simulation);
        if (reset) ecurrent = EnergyForce();
    }

    /// <summary>Moves to x0 + α·h and evaluates (one counted evaluation).</summary>
    private double AlphaStep(double alpha)
    {
        var a = Simulation.Atoms;
        if (Extra.Length > 0) StepExtra(0.0);
        for (var i = 0; i < a.Count; i++)
        {
            a.X[i] = X0[i];
            a.Y[i] = Y0[i];
            a.Z[i] = Z0[i];
        }
        if (alpha > 0)
        {
            if (Extra.Length > 0) StepExtra(alpha);
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
        alpha = Math.Min(AlphaMax, Settings.Dmax / hmax);
        LimitByExtra(ref alpha, ref hmax);
        if (hmax == 0) return MinimizeStop.ZeroForce;
        StoreStart();
        while (true)
        {
            ecurrent = AlphaStep(alpha);
            var deIdeal = -BacktrackSlope * alpha * fdoth;
            var de = ecurrent - eoriginal;
            if (de <= deIdeal)
            {
                ResetExtraReference(ref ecurrent);
                return MinimizeStop.None;
            }
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
        LimitByExtra(ref alphaMax, ref hmax);
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
                if (ecurrent - eoriginal < EMach)
                {
                    ResetExtraReference(ref ecurrent);
                    return MinimizeStop.None;
                }
            }
            var deIdeal = -BacktrackSlope * alpha * fdoth;
            var de = ecurrent - eoriginal;
            if (de <= deIdeal)
            {
                ResetExtraReference(ref ecurrent);
                return MinimizeStop.None;
            }
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
        LimitByExtra(ref alphaMax, ref hmax);
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
                ResetExtraReference(ref ecurrent);
                return MinimizeStop.None;
            }
            engCurr = AlphaStep(alpha);
            ecurrent = engCurr;
            fhCurr = ForceDotDirection();
            var de = engCurr - engPrev;
            if (de >= zeroEnergy) backtrack = true;
            if (!backtrack && Math.Abs(fhCurr / fhOriginal) <= gradTol)
            {
                ResetExtraReference(ref ecurrent);
                return MinimizeStop.None;
            }
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
