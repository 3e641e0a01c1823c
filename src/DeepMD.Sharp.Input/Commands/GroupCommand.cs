namespace DeepMD.Sharp.Input.Commands;

using System.Globalization;
using DeepMD.Sharp.Dynamics.Groups;

/// <summary>
/// <c>group ID type|id LIST</c> (values and ranges <c>a:b</c> or <c>a:b:stride</c>, or one comparison <c>&lt; &lt;= &gt; &gt;= == != &lt;&gt; a [b]</c>),
/// <c>group ID region REGION</c>, <c>group ID variable NAME</c> (atoms whose atom-style variable is non-zero),
/// <c>group ID union|subtract|intersect G1 G2 ...</c>, <c>group ID empty</c>,
/// <c>group ID clear</c>, <c>group ID delete</c>. As in LAMMPS, naming an existing group adds atoms to it (for
/// <c>all</c>, which holds every atom, nothing changes).
/// </summary>
[DeckCommand("group")]
public sealed class GroupCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(2, "ID type|id|region|union|subtract|intersect|empty|clear|delete ...");
        var name = args[0];
        if (name == "all" && args[1] is "delete" or "clear") throw args.Error("the group 'all' cannot be deleted or cleared");
        if (args[1] == "delete")
        {
            if (!context.Groups.Remove(name)) throw args.Error($"group '{name}' does not exist");
            return;
        }
        if (args[1] == "clear")
        {
            context.Groups[name] = AtomGroup.Of(name, []);
            return;
        }
        var sim = context.Simulation;
        var a = sim.Atoms;
        var chosen = new HashSet<int>();
        switch (args[1])
        {
            case "empty":
                break;
            case "type":
            case "id":
            {
                args.RequireAtLeast(3, $"ID {args[1]} LIST");
                var byType = args[1] == "type";
                var test = Selector(args);
                for (var i = 0; i < a.Count; i++)
                    if (test(byType ? a.Type[i] + 1 : a.Id[i])) chosen.Add(a.Id[i]);
                break;
            }
            case "region":
            {
                args.RequireExactly(3, "ID region REGION");
                if (!context.Regions.TryGetValue(args[2], out var region)) throw args.Error($"region '{args[2]}' does not exist");
                for (var i = 0; i < a.Count; i++)
                    if (region.Contains(a.X[i], a.Y[i], a.Z[i])) chosen.Add(a.Id[i]);
                break;
            }
            case "variable":
            {
                // LAMMPS: atoms whose atom-style variable value is non-zero
                args.RequireExactly(3, "ID variable NAME");
                if (!context.Variables.TryGetValue(args[2], out var variable)) throw new Core.Errors.UserInputException($"Variable name for group does not exist: {args[2]}");
                if (!variable.IsPerAtom) throw new Core.Errors.UserInputException($"Variable for group is invalid style: {args[2]} is {variable.Style}-style (atom-style needed)");
                var values = context.Runner.EvaluateAtomVariable(variable);
                for (var i = 0; i < a.Count; i++)
                    if (values[i] != 0.0) chosen.Add(a.Id[i]);
                break;
            }
            case "union":
            case "subtract":
            case "intersect":
            {
                args.RequireAtLeast(3, $"ID {args[1]} G1 G2 ...");
                var groups = args.Words.Skip(2).Select(context.Group).ToList();
                for (var i = 0; i < a.Count; i++)
                {
                    var id = a.Id[i];
                    var keep = args[1] switch
                    {
                        "union" => groups.Any(g => g.Contains(id)),
                        "intersect" => groups.All(g => g.Contains(id)),
                        _ => groups[0].Contains(id) && !groups.Skip(1).Any(g => g.Contains(id)),
                    };
                    if (keep) chosen.Add(id);
                }
                break;
            }
            default:
                throw args.UnknownKeyword(args[1], ["type", "id", "region", "variable", "union", "subtract", "intersect", "empty", "clear", "delete"]);
        }
        if (name == "all") return; // LAMMPS accepts it: every atom is in 'all' already
        if (context.Groups.TryGetValue(name, out var existing) && existing.Ids is { } old) chosen.UnionWith(old);
        var group = AtomGroup.Of(name, chosen);
        context.Groups[name] = group;
        context.Out.WriteLine($"{group.Count(a)} atoms in group {name}");
    }

    /// <summary>Membership test for <c>type</c>/<c>id</c> arguments: a list of values and ranges, or one comparison.</summary>
    private static Func<int, bool> Selector(DeckArguments args)
    {
        int Value(int k) => args.Int(k, "value");
        var op = args[2];
        switch (op)
        {
            case "<": { var v = Value(3); return x => x < v; }
            case "<=": { var v = Value(3); return x => x <= v; }
            case ">": { var v = Value(3); return x => x > v; }
            case ">=": { var v = Value(3); return x => x >= v; }
            case "==": { var v = Value(3); return x => x == v; }
            case "!=": { var v = Value(3); return x => x != v; }
            case "<>": { int lo = Value(3), hi = Value(4); return x => x >= lo && x <= hi; }
        }
        var ranges = new List<(int Lo, int Hi, int Stride)>();
        foreach (var w in args.Words.Skip(2))
        {
            int P(string t) => int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
                : throw args.Error($"'{w}' is not a number or range (e.g. 3, 2:5, 1:99:2)");
            var parts = w.Split(':');
            ranges.Add(parts.Length switch
            {
                1 => (P(parts[0]), P(parts[0]), 1),
                2 => (P(parts[0]), P(parts[1]), 1),
                3 when P(parts[2]) > 0 => (P(parts[0]), P(parts[1]), P(parts[2])),
                _ => throw args.Error($"'{w}' is not a number or range (e.g. 3, 2:5, 1:99:2)"),
            });
        }
        return x => ranges.Any(r => x >= r.Lo && x <= r.Hi && (x - r.Lo) % r.Stride == 0);
    }
}
