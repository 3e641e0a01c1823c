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
        if (sim.Step % Every != 0) return;
        string path;
        if (File2 is null) path = File1.Replace("*", sim.Step.ToString(System.Globalization.CultureInfo.InvariantCulture));
        else
        {
            path = _toggle == 0 ? File1 : File2;
            _toggle ^= 1;
        }
        sim.SaveCheckpoint(path);
        LastWritten = path;
    }

    public void RunFinished(Simulation sim) { }
}
