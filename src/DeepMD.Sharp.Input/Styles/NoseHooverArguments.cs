namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// Reads the keywords shared by <c>fix nvt</c>, <c>fix npt</c> and <c>fix nph</c> (LAMMPS' fix nh): temp, iso, aniso,
/// tri, x, y, z, xy, xz, yz, couple, tchain, pchain, mtk, tloop, ploop, nreset, drag, dilate, scalexy, scalexz,
/// scaleyz, fixedpoint. Which of them a style accepts is checked by the fix itself.
/// </summary>
public static class NoseHooverArguments
{
    private static readonly string[] Keywords =
        ["temp", "iso", "aniso", "tri", "x", "y", "z", "xy", "xz", "yz", "couple", "tchain", "pchain", "mtk", "tloop",
         "ploop", "nreset", "drag", "dilate", "scalexy", "scalexz", "scaleyz", "fixedpoint", "flip"];

    public static NoseHooverOptions Parse(DeckContext context, DeckArguments args)
    {
        var o = new NoseHooverOptions();
        if (context.HasSimulation && context.Simulation.Box is { } box) o.DefaultTiltScaling(box);
        for (var k = 0; k < args.Count;)
        {
            var word = args[k];
            int Need(int n)
            {
                if (k + n >= args.Count) throw args.Error($"keyword '{word}' needs {n} value(s)");
                return n + 1;
            }
            switch (word)
            {
                case "temp":
                    k += Need(3) - 3;
                    o.Thermostat = true;
                    o.TStart = args.Double(k, "Tstart");
                    o.TStop = args.Double(k + 1, "Tstop");
                    o.TDamp = args.Double(k + 2, "Tdamp");
                    k += 3;
                    break;
                case "iso" or "aniso" or "tri":
                    k += Need(3) - 3;
                    o.Couple = word == "iso" ? PressureCoupling.Xyz : PressureCoupling.None;
                    for (var i = 0; i < 3; i++) SetPressure(o, i, args, k);
                    if (word == "tri")
                    {
                        o.ScaleXy = o.ScaleXz = o.ScaleYz = false;
                        for (var i = 3; i < 6; i++)
                        {
                            o.PFlag[i] = true;
                            o.PStart[i] = o.PStop[i] = 0.0;
                            o.PDamp[i] = args.Double(k + 2, "Pdamp");
                        }
                    }
                    k += 3;
                    break;
                case "x" or "y" or "z" or "yz" or "xz" or "xy":
                    k += Need(3) - 3;
                    var comp = word switch { "x" => 0, "y" => 1, "z" => 2, "yz" => 3, "xz" => 4, _ => 5 };
                    SetPressure(o, comp, args, k);
                    o.Deviatoric = true;
                    if (comp == 3) o.ScaleYz = false;
                    if (comp == 4) o.ScaleXz = false;
                    if (comp == 5) o.ScaleXy = false;
                    k += 3;
                    break;
                case "couple":
                    k += Need(1);
                    o.Couple = args[k - 1] switch
                    {
                        "none" => PressureCoupling.None,
                        "xyz" => PressureCoupling.Xyz,
                        "xy" => PressureCoupling.Xy,
                        "yz" => PressureCoupling.Yz,
                        "xz" => PressureCoupling.Xz,
                        var v => throw args.Error($"couple must be none, xyz, xy, yz or xz, got '{v}'"),
                    };
                    break;
                case "tchain": k += Need(1); o.TChain = args.Int(k - 1, "tchain"); break;
                case "pchain": k += Need(1); o.PChain = args.Int(k - 1, "pchain"); break;
                case "tloop": k += Need(1); o.TLoop = args.Int(k - 1, "tloop"); break;
                case "ploop": k += Need(1); o.PLoop = args.Int(k - 1, "ploop"); break;
                case "nreset": k += Need(1); o.NReset = args.Int(k - 1, "nreset"); break;
                case "drag": k += Need(1); o.Drag = args.Double(k - 1, "drag"); break;
                case "mtk": k += Need(1); o.Mtk = args.YesNo(k - 1, "mtk"); break;
                case "scalexy": k += Need(1); o.ScaleXy = args.YesNo(k - 1, "scalexy"); break;
                case "scalexz": k += Need(1); o.ScaleXz = args.YesNo(k - 1, "scalexz"); break;
                case "scaleyz": k += Need(1); o.ScaleYz = args.YesNo(k - 1, "scaleyz"); break;
                case "dilate":
                    k += Need(1);
                    if (args[k - 1] != "all") throw args.Error($"dilate {args[k - 1]}: only 'dilate all' is supported (groups other than all are not)");
                    break;
                case "flip":
                    k += Need(1);
                    if (args.YesNo(k - 1, "flip")) throw args.Error("flip yes (box flips) is not supported; use flip no");
                    break;
                case "fixedpoint":
                    k += Need(3);
                    o.FixedPoint = [args.Double(k - 3, "fixedpoint x"), args.Double(k - 2, "fixedpoint y"), args.Double(k - 1, "fixedpoint z")];
                    break;
                default:
                    throw args.UnknownKeyword(word, Keywords);
            }
        }
        return o;
    }

    private static void SetPressure(NoseHooverOptions o, int comp, DeckArguments args, int k)
    {
        o.PFlag[comp] = true;
        o.PStart[comp] = args.Double(k, "Pstart");
        o.PStop[comp] = args.Double(k + 1, "Pstop");
        o.PDamp[comp] = args.Double(k + 2, "Pdamp");
    }
}
