namespace DeepMD.Sharp.Dynamics.Checkpoints;

/// <summary>
/// <c>restart N FILE</c> / <c>restart N FILE1 FILE2</c>: writes a checkpoint at the end of every step that is a
/// multiple of <see cref="Every"/> (not at a run's first step). One file: a <c>*</c> in its name becomes the step
/// number, otherwise the file is overwritten each time; two files: written in turn, so one complete file always
/// exists even if the run dies while writing the other.
/// </summary>
public sealed class RestartWriter : IRunObserver
{
    private int _toggle;

    public RestartWriter(int every, string file1, string? file2 = null)
    {
        if (every < 1) throw new Core.Errors.UserInputException($"restart: the interval must be a positive number of steps, got {every}");
        Every = every;
        File1 = file1;
        File2 = file2;
    }

    public int Every { get; }

    public string File1 { get; }

    public string? File2 { get; }

    /// <summary>Path of the last file written (null before the first).</summary>
    public string? LastWritten { get; private set; }

    public void RunStarted(Simulation sim) { }

    public void StepCompleted(Simulation sim)
    {
        if (!WillWrite(sim.Step)) return;
        var path = NextPath(sim.Step);
        // Between decomposed runs (a minimization) every rank holds the whole system; rank 0 alone writes.
        if (sim.Decomposed is not { Communicator.Rank: not 0 }) sim.SaveCheckpoint(path);
        LastWritten = path;
    }

    /// <summary>Whether a checkpoint is due at the end of <paramref name="step"/>.</summary>
    public bool WillWrite(long step) => step % Every == 0;

    /// <summary>
    /// The file for the checkpoint of <paramref name="step"/> (the step in place of <c>*</c>, or the next of the two
    /// files in turn); advances the turn, so call it once per checkpoint.
    /// </summary>
    public string NextPath(long step)
    {
        if (File2 is null) return File1.Replace("*", step.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var path = _toggle == 0 ? File1 : File2;
        _toggle ^= 1;
        return path;
    }

    /// <summary>Records a checkpoint written by someone else (rank 0 of a decomposed run) as the last one.</summary>
    public void Written(string path) => LastWritten = path;

    public void RunFinished(Simulation sim) { }
}
