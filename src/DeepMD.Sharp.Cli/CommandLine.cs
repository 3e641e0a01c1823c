namespace DeepMD.Sharp.Cli;

/// <summary>Builds and runs the dpsharp command tree.</summary>
public static class CommandLine
{
    /// <summary>Runs dpsharp with <paramref name="args"/> and returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("dpsharp: no commands yet");
        return 1;
    }
}
