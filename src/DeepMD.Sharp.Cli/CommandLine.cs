namespace DeepMD.Sharp.Cli;

using System.CommandLine;
using DeepMD.Sharp.Cli.Commands;
using DeepMD.Sharp.Core.Errors;

/// <summary>Builds and runs the dpsharp command tree.</summary>
public static class CommandLine
{
    /// <summary>Runs dpsharp with <paramref name="args"/> and returns the process exit code.</summary>
    public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs dpsharp writing to the given streams (used by tests).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ProgramBackends.Register();
        var root = new RootCommand("dpsharp: DeePMD-family machine-learned potentials in C#: evaluate, convert and inspect models.")
        {
            EvalCommand.Create(stdout),
            InfoCommand.Create(stdout),
            ConvertCommand.Create(stdout),
            BenchCommand.Create(stdout),
            CompressCommand.Create(stdout),
            RunCommand.Create(stdout, stderr),
#if DPSHARP_TRAINING
            TrainCommand.Create(stdout),
            FreezeCommand.Create(stdout),
#endif
            TestCommand.Create(stdout),
            ModelDeviCommand.Create(stdout),
            StylesCommand.Create(stdout),
        };
        var parse = root.Parse(args);
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        try
        {
            return parse.Invoke(config);
        }
        catch (UserInputException ex)
        {
            stderr.WriteLine($"dpsharp: error: {ex.Message}");
            return 1;
        }
        catch (Exception ex) when (Environment.GetEnvironmentVariable("DPSHARP_DEBUG") is null)
        {
            stderr.WriteLine($"dpsharp: internal error ({ex.GetType().Name}): {ex.Message}");
            stderr.WriteLine("This is a bug in dpsharp; please report it with the command line. Set DPSHARP_DEBUG=1 for a stack trace.");
            return 2;
        }
    }
}
