namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Dynamics.Minimization;

/// <summary>
/// <c>min_modify keyword value ...</c>: dmax, line (backtrack|quadratic|forcezero), norm (two|max|inf), and the FIRE keys
/// delaystep, dtgrow, dtshrink, alpha0, alphashrink, tmax, tmin, integrator
/// (eulerimplicit|verlet|leapfrog|eulerexplicit), halfstepback, initialdelay, vdfmax.
/// </summary>
[DeckCommand("min_modify")]
public sealed class MinModifyCommand : IDeckCommand
{
    private static readonly string[] Keys =
        ["dmax", "line", "norm", "delaystep", "dtgrow", "dtshrink", "alpha0", "alphashrink", "tmax", "tmin", "integrator", "halfstepback", "initialdelay", "vdfmax"];

    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(2, "keyword value ...");
        var s = context.Minimize;
        for (var k = 0; k < args.Count; k += 2)
        {
            if (k + 1 >= args.Count) throw args.Error($"keyword '{args[k]}' needs a value");
            var v = args[k + 1];
            switch (args[k])
            {
                case "dmax":
                    s.Dmax = args.Double(k + 1, "dmax");
                    if (!(s.Dmax > 0)) throw args.Error("dmax must be positive");
                    break;
                case "line":
                    s.LineSearch = v switch
                    {
                        "backtrack" => LineSearchStyle.Backtrack,
                        "quadratic" => LineSearchStyle.Quadratic,
                        "forcezero" => LineSearchStyle.ForceZero,
                        "spin_cubic" or "spin_none" => throw args.Error($"line search '{v}' is not supported; use backtrack, quadratic or forcezero"),
                        _ => throw args.UnknownKeyword(v, ["backtrack", "quadratic", "forcezero"]),
                    };
                    break;
                case "norm":
                    s.Norm = v switch
                    {
                        "two" => ForceNormStyle.Two,
                        "max" => ForceNormStyle.Max,
                        "inf" => ForceNormStyle.Inf,
                        _ => throw args.UnknownKeyword(v, ["two", "max", "inf"]),
                    };
                    break;
                case "delaystep": s.DelayStep = args.Int(k + 1, "delaystep"); break;
                case "dtgrow": s.DtGrow = args.Double(k + 1, "dtgrow"); break;
                case "dtshrink": s.DtShrink = args.Double(k + 1, "dtshrink"); break;
                case "alpha0": s.Alpha0 = args.Double(k + 1, "alpha0"); break;
                case "alphashrink": s.AlphaShrink = args.Double(k + 1, "alphashrink"); break;
                case "tmax": s.TMax = args.Double(k + 1, "tmax"); break;
                case "tmin": s.TMin = args.Double(k + 1, "tmin"); break;
                case "vdfmax": s.VdfMax = args.Int(k + 1, "vdfmax"); break;
                case "halfstepback": s.HalfStepBack = args.YesNo(k + 1, "halfstepback"); break;
                case "initialdelay": s.InitialDelay = args.YesNo(k + 1, "initialdelay"); break;
                case "integrator":
                    s.Integrator = v switch
                    {
                        "eulerimplicit" => FireIntegrator.EulerImplicit,
                        "verlet" => FireIntegrator.Verlet,
                        "leapfrog" => FireIntegrator.Leapfrog,
                        "eulerexplicit" => FireIntegrator.EulerExplicit,
                        _ => throw args.UnknownKeyword(v, ["eulerimplicit", "verlet", "leapfrog", "eulerexplicit"]),
                    };
                    break;
                default: throw args.UnknownKeyword(args[k], Keys);
            }
        }
    }
}
