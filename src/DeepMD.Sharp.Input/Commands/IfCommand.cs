namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Input.Parsing;

/// <summary>
/// <c>if BOOLEAN then "CMD" ... [elif BOOLEAN "CMD" ...] ... [else "CMD" ...]</c>, as LAMMPS: the first true branch's
/// commands run in order, each substituted when it runs (the conditions when they are tested). A boolean is a formula (numbers, variables, thermo keywords,
/// comparisons, <c>&amp;&amp;</c>, <c>||</c>, <c>!</c>), or two words compared as strings with <c>==</c> or <c>!=</c>.
/// </summary>
[DeckCommand("if")]
public sealed class IfCommand : IDeckCommand
{
    private static readonly string[] Keywords = ["then", "elif", "else"];

    public void Execute(DeckContext context, DeckArguments args)
    {
        if (args.Count < 3 || args[1] != "then") throw new UserInputException("Illegal if command");
        var at = context.Runner.CurrentLine ?? new DeckLine("if", 0, "");
        // Branches: (condition or null for else, commands).
        var k = 2;
        var branches = new List<(string? Condition, List<string> Commands)> { (args[0], Collect(args, ref k)) };
        while (k < args.Count)
        {
            if (args[k] == "elif")
            {
                if (k + 1 >= args.Count) throw new UserInputException("Illegal if command");
                var cond = args[k + 1];
                k += 2;
                branches.Add((cond, Collect(args, ref k)));
            }
            else if (args[k] == "else")
            {
                k++;
                branches.Add((null, Collect(args, ref k)));
                if (k < args.Count) throw new UserInputException("Illegal if command");
            }
            else throw new UserInputException("Illegal if command");
        }
        foreach (var (cond, commands) in branches)
        {
            if (cond is not null && !IsTrue(context, cond)) continue;
            foreach (var c in commands) context.Runner.Execute(new DeckLine(at.File, at.Line, c));
            return;
        }
    }

    private static List<string> Collect(DeckArguments args, ref int k)
    {
        var list = new List<string>();
        while (k < args.Count && !Keywords.Contains(args[k])) list.Add(args[k++]);
        if (list.Count == 0) throw new UserInputException("Illegal if command");
        return list;
    }

    private static bool IsTrue(DeckContext context, string condition)
    {
        // Quotes kept the condition from the line's substitution; LAMMPS substitutes it here.
        condition = context.Runner.Substitute(condition);
        var w = condition.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        try
        {
            return context.Runner.Evaluate(condition) != 0;
        }
        catch (UserInputException) when (w.Length == 3 && w[1] is "==" or "!=")
        {
            return (w[0] == w[2]) == (w[1] == "==");
        }
    }
}
