namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Dynamics.Potentials;
using DeepMD.Sharp.Input.Styles;

/// <summary>
/// <c>pair_modify [pair STYLE [K]] mix geometric|arithmetic|sixthpower | shift yes|no | tail yes|no | compute yes</c>:
/// the current pair style's settings (for a hybrid style: every sub-style's, or the one named by <c>pair</c>). As in
/// LAMMPS, a style without an energy offset or tail correction ignores shift or tail.
/// </summary>
[DeckCommand("pair_modify")]
public sealed class PairModifyCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(2, "keyword value ...");
        var style = context.PairStyle ?? throw args.Error("pair_modify before pair_style; add pair_style first");
        var k = 0;
        List<PairModifySettings> targets;
        if (args[0] == "pair")
        {
            if (style is not HybridPairStyleBase hybrid) throw args.Error("'pair' keyword needs a hybrid pair style");
            var name = args[1];
            k = 2;
            int? index = null;
            if (k < args.Count && int.TryParse(args[k], out var number))
            {
                index = number;
                k++;
            }
            targets = hybrid.SettingsFor(args, name, index) is { } s ? [s] : [];
        }
        else if (style is HybridPairStyleBase hybrid) targets = [.. hybrid.AllSettings()];
        else targets = style is IModifiablePairStyle m ? [m.Modify] : [];
        if (k >= args.Count) throw args.Error("needs a keyword: mix, shift or tail");
        for (; k < args.Count; k++)
        {
            var key = args[k];
            if (k + 1 >= args.Count) throw args.Error($"keyword {key} needs a value");
            var value = args[++k];
            switch (key)
            {
                case "mix":
                    var rule = value switch
                    {
                        "geometric" => PairMixRule.Geometric,
                        "arithmetic" => PairMixRule.Arithmetic,
                        "sixthpower" => PairMixRule.SixthPower,
                        _ => throw args.Error($"mix needs geometric, arithmetic or sixthpower, got '{value}'"),
                    };
                    foreach (var t in targets) t.Mix = rule;
                    break;
                case "shift":
                    var shift = args.YesNo(k, "shift");
                    foreach (var t in targets) t.Shift = shift;
                    break;
                case "tail":
                    var tail = args.YesNo(k, "tail");
                    foreach (var t in targets) t.Tail = tail;
                    break;
                case "compute":
                    if (!args.YesNo(k, "compute")) throw args.Error("compute no is not supported");
                    break;
                default:
                    throw args.UnknownKeyword(key, ["pair", "mix", "shift", "tail", "compute"]);
            }
        }
        if (context.HasSimulation) context.Simulation.Potential = null;
    }
}
