namespace DeepMD.Sharp.Cli.Commands;

using System.CommandLine;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Models.Backends;

/// <summary><c>dpsharp styles</c>: the deck commands, pair styles, fixes, descriptors and backends of this program.</summary>
public static class StylesCommand
{
    public static Command Create(TextWriter stdout)
    {
        var cmd = new Command("styles", "List deck commands, pair styles, fix styles, descriptors and backends (with whether each backend can run here)");
        cmd.SetAction(_ =>
        {
            StyleListing.Write(stdout, StyleRegistry.Default, BackendRegistry.Default);
            return 0;
        });
        return cmd;
    }
}
