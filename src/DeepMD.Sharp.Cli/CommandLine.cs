namespace DeepMD.Sharp.Cli;

using System.CommandLine;
using DeepMD.Sharp.Cli.Commands;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Models.Backends;

/// <summary>Builds and runs the dpsharp command tree.</summary>
public static class CommandLine
{
    /// <summary>The top-level help's first line: every job dpsharp does, by command.</summary>
    private const string Description = "dpsharp: DeePMD-family machine-learned potentials in C#: run LAMMPS-style MD decks (run), "
#if DPSHARP_TRAINING
        + "train and freeze models (train, freeze), "
#endif
        + "evaluate, test, convert and inspect models (eval, test, model-devi, convert, info).";

    /// <summary>Runs dpsharp with <paramref name="args"/> and returns the process exit code.</summary>
    public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs dpsharp writing to the given streams (used by tests).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ShippedBackends.Register(BackendRegistry.Default);
        var root = new RootCommand(Description)
        {
            EvalCommand.Create(stdout, stderr),
            InfoCommand.Create(stdout),
            ConvertCommand.Create(stdout),
            PairTableCommand.Create(stdout),
            CombineCommand.Create(stdout, stderr),
            BenchCommand.Create(stdout),
            CompressCommand.Create(stdout),
            CoverageCommand.Create(stdout),
            NeighborStatCommand.Create(stdout),
            RunCommand.Create(stdout, stderr),
#if DPSHARP_TRAINING
            TrainCommand.Create(stdout),
            FreezeCommand.Create(stdout),
#endif
            TestCommand.Create(stdout, stderr),
            ModelDeviCommand.Create(stdout),
            StylesCommand.Create(stdout),
            BuildBoxCommand.Create(stdout),
            LabelCommand.Create(stdout, stderr),
        };
#if !DPSHARP_TRAINING
        foreach (var command in NoTrainingCommands.Create()) root.Subcommands.Add(command);
#endif
        var parse = root.Parse(args);
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        try
        {
            return parse.Invoke(config);
        }
        catch (Exception ex) when (ex is UserInputException || Environment.GetEnvironmentVariable("DPSHARP_DEBUG") is null)
        {
            return Report(ex, stderr);
        }
    }

    /// <summary>Writes the message for an exception that reached the top and returns the exit code (1: the user's to fix, 2: a bug).</summary>
    public static int Report(Exception ex, TextWriter stderr)
    {
        if (ex is UserInputException)
        {
            stderr.WriteLine($"dpsharp: error: {ex.Message}");
            return 1;
        }
        // A full disk or quota and too little memory are the machine's limits, not bugs: one line, exit 1.
        if (Find<IOException>(ex, NoSpace) is { } full)
        {
            stderr.WriteLine($"dpsharp: error: cannot write {FileOf(full)}: no space left on device (or disk quota exceeded); free some space or write the outputs elsewhere");
            return 1;
        }
        if (Find<OutOfMemoryException>(ex, _ => true) is { } oom)
        {
            var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1e9;
            stderr.WriteLine($"dpsharp: error: out of memory ({oom.Message.TrimEnd('.')}; {available.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} GB available to dpsharp): the system or model is too large for this machine; use fewer atoms or a machine with more memory");
            return 1;
        }
        stderr.WriteLine($"dpsharp: internal error ({ex.GetType().Name}): {ex.Message}");
        stderr.WriteLine("This is a bug in dpsharp; please report it with the command line. Set DPSHARP_DEBUG=1 for a stack trace.");
        return 2;
    }

    /// <summary><paramref name="ex"/> or an exception inside it (inner, aggregate) of type T that matches.</summary>
    private static T? Find<T>(Exception ex, Func<T, bool> match) where T : Exception
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is T t && match(t)) return t;
            if (e is AggregateException agg)
                foreach (var inner in agg.InnerExceptions)
                    if (Find(inner, match) is { } found) return found;
        }
        return null;
    }

    /// <summary>ENOSPC or EDQUOT (Unix: the errno is the HResult), ERROR_DISK_FULL or ERROR_HANDLE_DISK_FULL (Windows).</summary>
    private static bool NoSpace(IOException io) => io.HResult is 28 or 122 || (io.HResult & 0xFFFF) is 112 or 39 && (io.HResult >> 16 & 0x7FF) == 7;

    /// <summary>The file an I/O error names ("... : '/path'" on Unix), quoted, or "a file" when it names none.</summary>
    private static string FileOf(IOException io) =>
        System.Text.RegularExpressions.Regex.Match(io.Message, "'([^']+)'") is { Success: true } m ? $"'{m.Groups[1].Value}'" : "an output file";
}
