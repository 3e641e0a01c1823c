namespace DeepMD.Sharp.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        WideVectors.DieWithParent();
        return WideVectors.RelaunchIfFaster(args) ?? CommandLine.Run(args);
    }
}
