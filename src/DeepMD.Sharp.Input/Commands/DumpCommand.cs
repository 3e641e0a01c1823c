namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Dynamics.Output;
using DeepMD.Sharp.IO;

/// <summary><c>dump ID all atom|custom|xyz|extxyz N FILE [columns]</c>.</summary>
[DeckCommand("dump")]
public sealed class DumpCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(5, "ID all STYLE N FILE [columns]");
        if (args[1] != "all") throw args.Error($"only the group 'all' is supported, got '{args[1]}'");
        if (args[2] == "h5md")
        {
            H5md(context, args);
            return;
        }
        var style = args[2] switch
        {
            "atom" => DumpStyle.Atom,
            "custom" => DumpStyle.Custom,
            "xyz" => DumpStyle.Xyz,
            "extxyz" => DumpStyle.ExtXyz,
            _ => throw args.UnknownKeyword(args[2], ["atom", "custom", "xyz", "extxyz", "h5md"]),
        };
        if (context.Dumps.ContainsKey(args[0])) throw args.Error($"dump id '{args[0]}' already exists; undump it first");
        var every = args.Int(3, "dump interval");
        if (args[4].Contains('*')) throw args.Error("one file per frame ('*' in the name) is not supported yet");
        var sim = context.Simulation;
        var dump = new DumpWriter(args[0], style, every, context.OutputPath(args[4]), style == DumpStyle.Custom ? args.Words.Skip(5).ToList() : null,
            discard: !context.IsRootRank)
        {
            Elements = context.Elements,
            Variable = name => context.Runner.AtomVariable(name, "dump custom"),
        };
        context.Dumps[args[0]] = dump;
        sim.Observers.Add(dump);
    }

    /// <summary><c>dump ID all h5md N FILE</c> (positions, image flags, box, species; Output/H5mdDumpWriter).</summary>
    private static void H5md(DeckContext context, DeckArguments args)
    {
        args.RequireExactly(5, "ID all h5md N FILE");
        if (context.Dumps.ContainsKey(args[0]) || context.H5mdDumps.ContainsKey(args[0])) throw args.Error($"dump id '{args[0]}' already exists; undump it first");
        if (context.Communicator is { Size: > 1 }) throw args.Error("dump h5md is not supported with several MPI ranks yet; use dump custom");
        var dump = new Output.H5mdDumpWriter(args[0], args.Int(3, "dump interval"), context.OutputPath(args[4]));
        context.H5mdDumps[args[0]] = dump;
        context.Simulation.Observers.Add(dump);
    }
}
