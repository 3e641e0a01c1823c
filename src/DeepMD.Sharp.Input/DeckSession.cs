namespace DeepMD.Sharp.Input;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Input.Parsing;

/// <summary>
/// Runs a whole deck the way <c>lmp -in DECK</c> does: opens the log (log.lammps unless told otherwise), executes
/// every command, closes dumps and the log. What <c>dpsharp run</c> calls; usable from C# too.
/// </summary>
public sealed class DeckSession : IDisposable
{
    /// <remarks><paramref name="communicator"/>: the ranks of an MPI run (runs are then decomposed over them), or null for one process.</remarks>
    public DeckSession(TextWriter screen, string? workingDirectory = null, string? logFile = "log.lammps", Domains.Communication.ICommunicator? communicator = null)
    {
        Context = new DeckContext(screen, workingDirectory ?? Directory.GetCurrentDirectory()) { Communicator = communicator };
        Runner = new DeckRunner(Context);
        if (logFile is not null)
            {
            var w = Core.Files.OutputLock.OpenWriter(Context.OutputPath(logFile), false, "log file");
            w.AutoFlush = true;
            w.NewLine = "\n";
            Context.Log = w;
        }
    }

    public DeckContext Context { get; }

    public DeckRunner Runner { get; }

    /// <summary>The simulation the deck built (null if it never created a box).</summary>
    public Simulation? Simulation => Context.HasSimulation ? Context.Simulation : null;

    /// <summary>Defines an index variable before the deck runs (like <c>lmp -var NAME VALUE</c>).</summary>
    public void SetVariable(string name, params string[] values) =>
        Context.Variables[name] = new DeckVariable { Name = name, Style = "index", Values = [.. values] };

    /// <summary>Runs the deck file.</summary>
    public void RunFile(string path)
    {
        Context.Out.WriteLine($"dpsharp {typeof(DeckSession).Assembly.GetName().Version} (LAMMPS-compatible deck runner)");
        try
        {
            Runner.RunFile(path);
        }
        catch (Exception ex)
        {
            LogError(ex);
            throw;
        }
        Context.Out.WriteLine("Total wall time: " + TimeSpan.FromSeconds(Math.Round(Environment.TickCount64 / 1000.0 - _start)).ToString(@"h\:mm\:ss"));
    }

    /// <summary>
    /// Ends the log with the error, as LAMMPS does (<c>ERROR: ...</c> after the echoed command), flushed before the
    /// error reaches the caller. The message is the one the CLI prints after "dpsharp: error:".
    /// </summary>
    private void LogError(Exception ex)
    {
        if (Context.Log is not { } log) return;
        try
        {
            log.WriteLine(ex is UserInputException ? $"ERROR: {ex.Message}" : $"ERROR: internal error ({ex.GetType().Name}): {ex.Message}");
            log.Flush();
        }
        catch (Exception)
        {
            // The log itself failed (a full disk, say): the original error still reaches the caller.
        }
    }

    private readonly double _start = Environment.TickCount64 / 1000.0;

    public void Dispose()
    {
        foreach (var d in Context.Dumps.Values) d.Dispose();
        if (Context.HasSimulation)
            foreach (var f in Context.Simulation.Fixes) (f as IDisposable)?.Dispose();
        Context.Dumps.Clear();
        Context.Log?.Dispose();
        Context.Log = null;
        foreach (var l in Context.OutputLocks.Values) l.Dispose();
        Context.OutputLocks.Clear();
    }
}
