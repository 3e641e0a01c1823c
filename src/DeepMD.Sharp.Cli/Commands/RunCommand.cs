namespace DeepMD.Sharp.Cli.Commands;

using System.CommandLine;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Domains.Communication;
using DeepMD.Sharp.Dynamics.Output;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Input.Parsing;

/// <summary>
/// <c>dpsharp run DECK [--log FILE|none] [--var NAME VALUE] [--threads N] [--progress auto|bar|lines|none]</c>: runs a
/// LAMMPS-style input deck. Progress (steps/s, ns/day, ETA) is a live bar when a terminal is attached, plain lines on
/// standard error otherwise; thermo output is unchanged either way.
/// </summary>
public static class RunCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var deck = new Argument<string>("deck") { Description = "LAMMPS-style input deck (e.g. in.water)" };
        var log = new Option<string>("--log") { Description = "log file, or 'none' (default: log.lammps in the current folder)", DefaultValueFactory = _ => "log.lammps" };
        var vars = new Option<string[]>("--var", "-var")
        {
            Description = "define an index variable before the deck runs: --var NAME VALUE (repeatable)",
            AllowMultipleArgumentsPerToken = true,
        };
        var threads = new Option<int?>("--threads") { Description = "threads for the potential (default: all cores, or DPSHARP_THREADS)" };
        var progress = new Option<string>("--progress")
        {
            Description = "progress display: auto (a bar on a terminal, else lines on stderr every tenth of a long run), bar, lines, none",
            DefaultValueFactory = _ => "auto",
        };
        progress.AcceptOnlyFromAmong("auto", "bar", "lines", "none");
        var cmd = new Command("run", "Run a LAMMPS-style input deck (units, read_data, pair_style deepmd, fix nvt, thermo, dump, run, ...)")
        {
            deck, log, vars, threads, progress,
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
            // Under an MPI launcher every rank reads the deck and runs are decomposed; rank 0 alone writes screen, log and files.
            using var ranks = Communicators.StartedByMpiLauncher() || Environment.GetEnvironmentVariable("DPSHARP_DECOMPOSE") == "1" ? Communicators.World() : null;
            var root = ranks is null || ranks.Rank == 0;
            var (screen, reporter) = root ? Progress(p.GetValue(progress)!, stdout, stderr) : (TextWriter.Null, null);
            using var session = new DeckSession(screen, Directory.GetCurrentDirectory(), logFile == "none" || !root ? null : logFile, ranks);
            session.Context.Progress = reporter;
            var v = p.GetValue(vars) ?? [];
            if (v.Length % 2 != 0) throw new UserInputException("--var needs a name and a value");
            for (var k = 0; k < v.Length; k += 2) session.SetVariable(v[k], v[k + 1]);
            if (ranks is not { Size: > 1 })
            {
                try
                {
                    session.RunFile(path);
                }
                catch (UserInputException ex)
                {
                    // The first error as usual, then everything else in the deck this build lacks, so the gap shows at once.
                    var code = CommandLine.Report(ex, stderr);
                    ReportGaps(path, session.Context.Styles, stderr);
                    return code;
                }
                return 0;
            }
            try
            {
                session.RunFile(path);
            }
            catch (Exception e)
            {
                // The other ranks may wait for this one in a collective: end them all, with the message.
                screen.Flush();
                ranks.Abort(2, $"ERROR{(root ? "" : $" (rank {ranks.Rank})")}: {e.Message}");
            }
            return 0;
        });
        return cmd;
    }

    /// <summary>Lists every unsupported command and style of the deck (none: nothing printed).</summary>
    public static void ReportGaps(string deck, StyleRegistry styles, TextWriter stderr)
    {
        List<DeckGap> gaps;
        try { gaps = DeckGapScanner.Scan(deck, styles); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return; }
        if (gaps.Count == 0) return;
        stderr.WriteLine($"dpsharp: this deck uses {gaps.Count} command{(gaps.Count == 1 ? "" : "s")} or style{(gaps.Count == 1 ? "" : "s")} that dpsharp does not support yet:");
        foreach (var g in gaps) stderr.WriteLine($"  {g.File}:{g.Line}: {g.What}: {g.Text}");
    }

    /// <summary>
    /// The screen writer and progress observer for a mode: a bar when standard output is a terminal (drawn below the
    /// thermo lines on the same terminal), plain lines on standard error otherwise.
    /// </summary>
    private static (TextWriter Screen, ProgressReporter? Reporter) Progress(string mode, TextWriter stdout, TextWriter stderr)
    {
        if (mode == "none") return (stdout, null);
        var ansi = Environment.GetEnvironmentVariable("TERM") is not ("dumb" or null or "");
        var terminal = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected && ansi;
        if (mode == "lines" || !terminal) return (stdout, new ProgressReporter(stderr));
        var status = new StatusLine(stdout, sharesOutput: true);
        return (status.Output, new ProgressReporter(status));
    }
}
