namespace DeepMD.Sharp.Input.Styles;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// <c>fix ID group heat N eflux [region R]</c> (<see cref="FixHeat"/>): eflux a number or <c>v_NAME</c> of an equal-style
/// variable (atom-style heat input refused by name).
/// </summary>
[FixStyle("heat")]
public sealed class HeatFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        if (args.Count < 2) throw new UserInputException("Illegal fix heat command");
        if (!int.TryParse(args[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var every) || every <= 0)
            throw new UserInputException("Illegal fix heat command");
        Func<double> flux;
        if (args[1].StartsWith("v_", StringComparison.Ordinal))
        {
            var name = args[1][2..];
            var formula = args[1];
            flux = () =>
            {
                if (!context.Variables.TryGetValue(name, out var v)) throw new UserInputException($"Variable {name} for fix heat does not exist");
                if (v.IsPerAtom) throw new UserInputException("fix heat with an atom-style variable is not supported yet (equal-style and constant heat input are)");
                if (v.Style is not ("equal" or "internal")) throw new UserInputException($"Variable {name} for fix heat is invalid style");
                return context.Runner.Evaluate(formula);
            };
        }
        else
        {
            var value = args.Double(1, "eflux");
            flux = () => value;
        }
        Func<double, double, double, bool>? region = null;
        for (var k = 2; k < args.Count; k += 2)
        {
            if (args[k] != "region" || k + 1 >= args.Count) throw new UserInputException("Illegal fix heat command");
            if (!context.Regions.TryGetValue(args[k + 1], out var r)) throw new UserInputException("Region ID for fix heat does not exist");
            region = r.Contains;
        }
        return new FixHeat(id, every, flux, region);
    }
}
