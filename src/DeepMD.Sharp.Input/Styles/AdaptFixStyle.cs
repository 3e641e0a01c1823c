namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Fixes;
using DeepMD.Sharp.Input.Commands;

/// <summary>
/// <c>fix ID group adapt N attribute args … keyword value …</c> with <c>pair STYLE PARAM I J v_name</c> attributes
/// (<c>soft a</c>, <c>lj/cut epsilon|sigma</c>) and the keywords <c>reset yes|no</c>, <c>scale yes|no</c>; LAMMPS' other
/// attributes (kspace, atom, bond) are refused by name.
/// </summary>
[FixStyle("adapt")]
public sealed class AdaptFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        static UserInputException Illegal() => new("Illegal fix adapt command");
        if (args.Count < 1) throw Illegal();
        var every = args.Int(0, "N");
        if (every < 0) throw Illegal();
        var targets = new List<FixAdapt.PairTarget>();
        bool reset = false, scale = false; // LAMMPS 20220106 defaults: reset no, scale no
        var k = 1;
        while (k < args.Count)
        {
            switch (args[k])
            {
                case "pair":
                {
                    if (k + 6 > args.Count) throw Illegal();
                    var style = args[k + 1];
                    var param = args[k + 2];
                    var n = context.Simulation.TypeCount;
                    var (ilo, ihi) = TypeRange.Parse(args, args[k + 3], n);
                    var (jlo, jhi) = TypeRange.Parse(args, args[k + 4], n);
                    var value = args[k + 5];
                    if (!value.StartsWith("v_", StringComparison.Ordinal)) throw Illegal();
                    var name = value[2..];
                    if (!context.Variables.TryGetValue(name, out var v)) throw new UserInputException($"Variable name {name} for fix adapt does not exist");
                    if (v.Style != "equal") throw new UserInputException($"Variable {name} for fix adapt is invalid style");
                    targets.Add(new FixAdapt.PairTarget(style, param, ilo - 1, ihi - 1, jlo - 1, jhi - 1, () => context.Runner.Evaluate(value)));
                    k += 6;
                    break;
                }
                case "kspace" or "atom" or "bond" or "angle":
                    throw args.Error($"fix adapt: the '{args[k]}' attribute is not supported; only 'pair STYLE PARAM I J v_name'");
                case "reset":
                    if (k + 1 >= args.Count) throw Illegal();
                    reset = YesNo(args[k + 1]);
                    k += 2;
                    break;
                case "scale":
                    if (k + 1 >= args.Count) throw Illegal();
                    scale = YesNo(args[k + 1]);
                    k += 2;
                    break;
                case "mass":
                    throw args.Error("fix adapt: the 'mass' keyword is not supported (it acts on the atom diameter attribute only)");
                default:
                    throw Illegal();
            }
        }
        if (targets.Count == 0) throw Illegal();
        return new FixAdapt(id, every, targets, reset, scale);

        static bool YesNo(string w) => w switch { "yes" => true, "no" => false, _ => throw new UserInputException("Illegal fix adapt command") };
    }
}
