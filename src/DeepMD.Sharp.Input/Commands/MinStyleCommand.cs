namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Dynamics.Minimization;

/// <summary>
/// <c>min_style cg|sd|fire|fire/old</c>: the algorithm of the next <c>minimize</c>. As in LAMMPS, choosing a style
/// resets every <c>min_modify</c> setting to its default.
/// </summary>
[DeckCommand("min_style")]
public sealed class MinStyleCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireExactly(1, "cg|sd|fire|fire/old");
        var style = args[0] switch
        {
            "cg" => MinimizeStyle.ConjugateGradient,
            "sd" => MinimizeStyle.SteepestDescent,
            "fire" => MinimizeStyle.Fire,
            "fire/old" => MinimizeStyle.FireOld,
            "quickmin" or "hftn" or "spin" or "spin/cg" or "spin/lbfgs" =>
                throw args.Error($"min_style '{args[0]}' is not supported; use cg, sd, fire or fire/old"),
            _ => throw args.UnknownKeyword(args[0], ["cg", "sd", "fire", "fire/old"]),
        };
        context.Minimize = new MinimizeSettings { Style = style };
    }

    /// <summary>The LAMMPS name of a style (for "Setting up cg style minimization").</summary>
    public static string Name(MinimizeStyle style) => style switch
    {
        MinimizeStyle.SteepestDescent => "sd",
        MinimizeStyle.Fire => "fire",
        MinimizeStyle.FireOld => "fire/old",
        _ => "cg",
    };
}
