namespace DeepMD.Sharp.Cli.Commands;

using System.CommandLine;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Input;

/// <summary><c>dpsharp run DECK [--log FILE|none] [--var NAME VALUE] [--threads N]</c>: runs a LAMMPS-style input deck.</summary>
public static class RunCommand
{
    public static Command Create(TextWriter stdout)
    {
        var deck = new Argument<string>("deck") { Description = "LAMMPS-style input deck (e.g. in.water)" };
        var log = new Option<string>("--log") { Description = "log file, or 'none' (default: log.lammps in the current folder)", DefaultValueFactory = _ => "log.lammps" };
        var vars = new Option<string[]>("--var", "-var")
        {
            Description = "define an index variable before the deck runs: --var NAME VALUE (repeatable)",
            AllowMultipleArgumentsPerToken = true,
        };
        var threads = new Option<int?>("--threads") { Description = "threads for the potential (default: all cores, or DPSHARP_THREADS)" };
        var cmd = new Command("run", "Run a LAMMPS-style input deck (units, read_data, pair_style deepmd, fix nvt, thermo, dump, run, ...)")
        {
            deck, log, vars, threads,
        };
        cmd.SetAction(p =>
        {
            if (p.GetValue(threads) is { } n)
            {
                if (n < 1) throw new UserInputException($"--threads must be at least 1, got {n}");
                // The evaluators read DPSHARP_THREADS (EvaluationOptions.ParallelOptions); the option is its command-line form.
                Environment.SetEnvironmentVariable("DPSHARP_THREADS", n.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            var path = p.GetValue(deck)!;
            if (!File.Exists(path)) throw new UserInputException($"deck file '{path}' does not exist");
            var logFile = p.GetValue(log);
            using var session = new DeckSession(stdout, Directory.GetCurrentDirectory(), logFile == "none" ? null : logFile);
            var v = p.GetValue(vars) ?? [];
            if (v.Length % 2 != 0) throw new UserInputException("--var needs a name and a value");
            for (var k = 0; k < v.Length; k += 2) session.SetVariable(v[k], v[k + 1]);
            session.RunFile(path);
            return 0;
        });
        return cmd;
    }
}
