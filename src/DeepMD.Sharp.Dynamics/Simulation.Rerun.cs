namespace DeepMD.Sharp.Dynamics;

using DeepMD.Sharp.Dynamics.Thermo;

public sealed partial class Simulation
{
    /// <summary>
    /// Makes the next run set up afresh (wrap, list build) instead of continuing the last run's list: for commands that
    /// replace positions or the box between runs (read_dump).
    /// </summary>
    public void ForgetLastRun() => _lastRun.Forget();

    /// <summary>
    /// LAMMPS' <c>rerun</c>: a pseudo-run over stored frames, without time integration. <paramref name="loadFrame"/>
    /// puts the next frame into the simulation (step, box, atoms) and says whether there was one; it is called with
    /// true for the first frame, which must exist. For each frame: a full setup (fix and compute init, wrap into the box,
    /// neighbor build, forces, fix setup), the fixes' end of step, then the outputs: thermo and dumps write the first
    /// frame and every later one whose step is theirs (a multiple of their interval, or <paramref name="lastStep"/>),
    /// and thermo is printed for the last frame in any case. Returns the number of frames.
    /// </summary>
    /// <param name="loadFrame">Loads the next frame (argument: whether it is the first); false when there is none.</param>
    /// <param name="firstStep">The run's first step as LAMMPS counts it (the <c>first</c> or <c>start</c> keyword).</param>
    /// <param name="lastStep">The run's last step (the <c>last</c> or <c>stop</c> keyword; <see cref="long.MaxValue"/> − 1 when not given).</param>
    public long Rerun(long firstStep, long lastStep, Func<bool, bool> loadFrame)
    {
        if (Decomposed is not null) throw new Core.Errors.UserInputException("rerun is not supported over several processes yet; run this deck on one process (without mpirun)");
        RunStartStep = firstStep;
        RunEndStep = lastStep;
        Running = true;
        long frames = 0;
        RunClock.Restart();
        try
        {
            if (!loadFrame(true)) return 0;
            while (true)
            {
                frames++;
                SetupRun(continueLastRun: false);
                foreach (var f in Fixes) f.EndOfStep(this);
                if (frames == 1)
                    foreach (var o in Observers) o.RunStarted(this);
                else
                    foreach (var o in Observers) o.StepCompleted(this);
                if (!loadFrame(false)) break;
            }
            // LAMMPS forces a thermo line for the last frame.
            foreach (var o in Observers)
                if (o is ThermoOutput thermo) thermo.PrintUnlessPrinted(this);
        }
        finally
        {
            RunClock.Stop();
            Running = false;
            if (frames > 0)
                foreach (var o in Observers) o.RunFinished(this);
        }
        return frames;
    }
}
