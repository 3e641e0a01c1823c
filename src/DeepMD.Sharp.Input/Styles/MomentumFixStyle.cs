namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Dynamics.Fixes;

/// <summary><c>fix ID group momentum N [linear 1 1 1] [angular]</c> (only all three linear components together).</summary>
[FixStyle("momentum")]
public sealed class MomentumFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        args.RequireAtLeast(1, "N [linear 1 1 1] [angular]");
        var every = args.Int(0, "N");
        bool linear = false, angular = false;
        for (var k = 1; k < args.Count; k++)
        {
            if (args[k] == "linear")
            {
                if (k + 3 >= args.Count + 0 && args.Count < k + 4) throw args.Error("linear needs three flags: linear 1 1 1");
                if (args[k + 1] != "1" || args[k + 2] != "1" || args[k + 3] != "1") throw args.Error("only 'linear 1 1 1' is supported");
                linear = true;
                k += 3;
            }
            else if (args[k] == "angular") angular = true;
            else if (args[k] == "rescale") throw args.Error("'rescale' is not supported yet");
            else throw args.UnknownKeyword(args[k], ["linear", "angular"]);
        }
        if (!linear && !angular) throw args.Error("needs 'linear 1 1 1' and/or 'angular'");
        return new FixMomentum(id, every, linear, angular);
    }
}
