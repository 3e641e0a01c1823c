namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Dynamics.Text;

/// <summary>
/// <c>fix ID GROUP STYLE args</c>: a registered fix style; a fix with an existing id replaces it in place. Groups other
/// than <c>all</c> are accepted by the styles that support them (<see cref="DeepMD.Sharp.Dynamics.Fixes.Fix.SupportsGroups"/>).
/// </summary>
[DeckCommand("fix")]
public sealed class FixCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(3, "ID GROUP STYLE [args]");
        var group = context.Group(args[1]);
        var style = context.Styles.CreateFixStyle(args[2]);
        if (style is null)
        {
            var close = EditDistance.Closest(args[2], context.Styles.FixStyleNames);
            throw args.Error($"unknown fix style '{args[2]}'{(close is null ? "" : $"; did you mean '{close}'?")} (available: {string.Join(" ", context.Styles.FixStyleNames)})");
        }
        var sim = context.Simulation;
        var fix = style.Create(context, args[0], new DeckArguments($"fix {args[2]}", args.Words.Skip(3).ToList()));
        if (!group.IsAll && !fix.SupportsGroups)
            throw args.Error($"fix {args[2]} works on the group 'all' only; got group '{args[1]}'");
        fix.Group = group;
        var existing = sim.Fixes.FindIndex(f => f.Id == args[0]);
        if (existing >= 0)
        {
            (sim.Fixes[existing] as IDisposable)?.Dispose();
            sim.Fixes[existing] = fix;
        }
        else sim.Fixes.Add(fix);
    }
}
