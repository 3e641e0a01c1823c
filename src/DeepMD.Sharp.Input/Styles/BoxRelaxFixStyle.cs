namespace DeepMD.Sharp.Input.Styles;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// <c>fix ID GROUP box/relax</c> with LAMMPS' keywords: <c>iso|aniso|tri P</c>, <c>x|y|z|xy|xz|yz P</c>,
/// <c>couple none|xyz|xy|yz|xz</c>, <c>dilate all|partial</c>, <c>vmax V</c>, <c>nreset N</c>,
/// <c>scalexy|scalexz|scaleyz yes|no</c>, <c>fixedpoint x y z</c>; errors with LAMMPS' texts.
/// </summary>
[FixStyle("box/relax")]
public sealed class BoxRelaxFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        static UserInputException Illegal() => new("Illegal fix box/relax command");
        if (args.Count < 2) throw Illegal();
        var sim = context.Simulation;
        var dim = sim.Dimension;
        var o = new FixBoxRelax.Options();
        var t = o.Target;
        var f = o.Controlled;
        for (var k = 0; k < args.Count;)
        {
            var w = args[k];
            switch (w)
            {
                case "iso" or "aniso" or "tri":
                {
                    if (k + 2 > args.Count) throw Illegal();
                    var p = Num(args[k + 1]);
                    o.Couple = w == "iso" ? FixBoxRelax.Coupling.Xyz : FixBoxRelax.Coupling.None;
                    t[0] = t[1] = t[2] = p;
                    f[0] = f[1] = f[2] = true;
                    if (w == "tri")
                    {
                        o.ScaleXy = o.ScaleXz = o.ScaleYz = false;
                        t[3] = t[4] = t[5] = 0.0;
                        f[3] = f[4] = f[5] = true;
                    }
                    if (dim == 2)
                    {
                        t[2] = 0.0;
                        f[2] = false;
                        if (w == "tri")
                        {
                            t[3] = t[4] = 0.0;
                            f[3] = f[4] = false;
                        }
                    }
                    k += 2;
                    break;
                }
                case "x" or "y" or "z" or "yz" or "xz" or "xy":
                {
                    if (k + 2 > args.Count) throw Illegal();
                    var i = Array.IndexOf<string>(["x", "y", "z", "yz", "xz", "xy"], w);
                    t[i] = Num(args[k + 1]);
                    f[i] = true;
                    o.Deviatoric = true;
                    if (w == "yz") o.ScaleYz = false;
                    if (w == "xz") o.ScaleXz = false;
                    if (w == "xy") o.ScaleXy = false;
                    k += 2;
                    if (dim == 2 && w is "z" or "yz" or "xz") throw new UserInputException("Invalid fix box/relax command for a 2d simulation");
                    break;
                }
                case "couple":
                    if (k + 2 > args.Count) throw Illegal();
                    o.Couple = args[k + 1] switch
                    {
                        "xyz" => FixBoxRelax.Coupling.Xyz,
                        "xy" => FixBoxRelax.Coupling.Xy,
                        "yz" => FixBoxRelax.Coupling.Yz,
                        "xz" => FixBoxRelax.Coupling.Xz,
                        "none" => FixBoxRelax.Coupling.None,
                        _ => throw Illegal(),
                    };
                    k += 2;
                    break;
                case "dilate":
                    if (k + 2 > args.Count) throw Illegal();
                    o.DilateAll = args[k + 1] switch { "all" => true, "partial" => false, _ => throw Illegal() };
                    k += 2;
                    break;
                case "vmax":
                    if (k + 2 > args.Count) throw Illegal();
                    o.Vmax = Num(args[k + 1]);
                    k += 2;
                    break;
                case "nreset":
                    if (k + 2 > args.Count) throw Illegal();
                    o.ResetEvery = int.TryParse(args[k + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n
                        : throw new UserInputException($"Expected integer parameter instead of '{args[k + 1]}' in input script or data file");
                    if (o.ResetEvery < 0) throw Illegal();
                    k += 2;
                    break;
                case "scalexy" or "scalexz" or "scaleyz":
                {
                    if (k + 2 > args.Count) throw Illegal();
                    var yes = args[k + 1] switch { "yes" => true, "no" => false, _ => throw Illegal() };
                    if (w == "scalexy") o.ScaleXy = yes;
                    else if (w == "scalexz") o.ScaleXz = yes;
                    else o.ScaleYz = yes;
                    k += 2;
                    break;
                }
                case "fixedpoint":
                    if (k + 4 > args.Count) throw Illegal();
                    o.FixedPoint = [Num(args[k + 1]), Num(args[k + 2]), Num(args[k + 3])];
                    k += 4;
                    break;
                default:
                    throw Illegal();
            }
        }
        return new FixBoxRelax(id, sim, o);
    }

    private static double Num(string w) =>
        double.TryParse(w, NumberStyles.Float, CultureInfo.InvariantCulture, out var c) && double.IsFinite(c) ? c
        : throw new UserInputException($"Expected floating point parameter instead of '{w}' in input script or data file");
}
