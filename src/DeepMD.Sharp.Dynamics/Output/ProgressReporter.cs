namespace DeepMD.Sharp.Dynamics.Output;

using System.Diagnostics;
using System.Globalization;

/// <summary>
/// Progress of a run: steps done, steps per second, simulated time per day (ns/day in metal and real units, τ/day in
/// lj) and the estimated time left. On a terminal it draws a bar on a <see cref="StatusLine"/> (at most 5 times a
/// second); otherwise it writes a plain line at each tenth of the run, but only once 5 s have passed since the last
/// one, so short runs stay quiet. It reads the clock once per step and allocates only when it prints.
/// </summary>
public sealed class ProgressReporter : IRunObserver, Device.IStepSchedule
{
    private readonly StatusLine? _bar;
    private readonly TextWriter? _lines;
    private readonly Stopwatch _clock = new();
    private long _lastDrawTicks;
    private long _lastLineTicks;
    private int _lastTenth;

    /// <summary>A live bar on a terminal.</summary>
    public ProgressReporter(StatusLine bar) => _bar = bar;

    /// <summary>Plain progress lines (for logs and pipes).</summary>
    public ProgressReporter(TextWriter lines) => _lines = lines;

    /// <summary>Least time between two redraws of the bar (default 0.2 s).</summary>
    public TimeSpan MinDrawInterval { get; init; } = TimeSpan.FromSeconds(0.2);

    /// <summary>Least time between two plain lines (default 5 s, so that short runs print none).</summary>
    public TimeSpan MinLineInterval { get; init; } = TimeSpan.FromSeconds(5);

    public void RunStarted(Simulation sim)
    {
        _clock.Restart();
        _lastDrawTicks = 0;
        _lastLineTicks = 0;
        _lastTenth = 0;
    }

    /// <summary>The progress bar reads only the step counter: on a device loop it moves at the other observers' steps.</summary>
    public bool NeedsState(Simulation sim, long step) => false;

    public void StepCompleted(Simulation sim)
    {
        var total = sim.RunEndStep - sim.RunStartStep;
        if (total <= 0) return;
        var done = sim.Step - sim.RunStartStep;
        var now = _clock.ElapsedTicks;
        if (_bar is not null)
        {
            if (now - _lastDrawTicks < MinDrawInterval.TotalSeconds * Stopwatch.Frequency && done != total) return;
            _lastDrawTicks = now;
            _bar.Show(Describe(sim, done, total, bar: true));
            return;
        }
        var tenth = (int)(10 * done / total);
        if (tenth == _lastTenth || done == total) return;
        _lastTenth = tenth;
        if (now - _lastLineTicks < MinLineInterval.TotalSeconds * Stopwatch.Frequency) return;
        _lastLineTicks = now;
        _lines!.WriteLine("dpsharp: progress: " + Describe(sim, done, total, bar: false));
        _lines.Flush();
    }

    public void RunFinished(Simulation sim) => _bar?.Clear();

    /// <summary>The progress text: optional bar, percentage, step, rate, simulated time per day, ETA.</summary>
    public string Describe(Simulation sim, long done, long total, bool bar)
    {
        var ci = CultureInfo.InvariantCulture;
        var seconds = _clock.Elapsed.TotalSeconds;
        var rate = seconds > 0 ? done / seconds : 0;
        var fraction = (double)done / total;
        var text = bar ? "[" + new string('#', (int)(fraction * 30)).PadRight(30, '-') + "] " : "";
        text += $"{(100 * fraction).ToString("F0", ci),3}% step {sim.Step.ToString(ci)}/{sim.RunEndStep.ToString(ci)}";
        if (rate > 0)
        {
            text += $"  {rate.ToString(rate < 100 ? "F2" : "F0", ci)} steps/s  {PerDay(sim, rate)}";
            var eta = TimeSpan.FromSeconds(Math.Round((total - done) / rate));
            text += "  ETA " + eta.ToString(eta.TotalHours >= 24 ? @"d\.hh\:mm\:ss" : @"h\:mm\:ss", ci);
        }
        return text;
    }

    private static string PerDay(Simulation sim, double stepsPerSecond)
    {
        static string F(double v) => v.ToString(v >= 100 ? "F0" : "G4", CultureInfo.InvariantCulture);
        return sim.Units.Name switch
        {
            "metal" => F(86400 * stepsPerSecond * sim.Timestep * 1e-3) + " ns/day",
            "real" => F(86400 * stepsPerSecond * sim.Timestep * 1e-6) + " ns/day",
            _ => F(86400 * stepsPerSecond * sim.Timestep) + " tau/day",
        };
    }
}
