namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Fixes;

/// <summary><c>fix ID GROUP enforce2d</c> (no arguments; a 2-d system only).</summary>
[FixStyle("enforce2d")]
public sealed class Enforce2DFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        if (args.Count != 0) throw new UserInputException("Illegal fix enforce2d command");
        return new FixEnforce2D(id);
    }
}
