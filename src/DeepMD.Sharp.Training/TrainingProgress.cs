namespace DeepMD.Sharp.Training;

using System.Diagnostics;
using System.Globalization;

/// <summary>
/// Training progress with an ETA: on a terminal one line redrawn in place (a bar, at most twice a second), otherwise a
/// plain line every 5 % of the run.
/// </summary>
public sealed class TrainingProgress(TextWriter output, int firstStep, int totalSteps, bool interactive)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastDrawMs = -1000;
    private int _nextPlain;

    /// <summary>Reports that step index <paramref name="step"/> has completed.</summary>
    public void Completed(int step)
    {
        var done = step + 1;
        var count = done - firstStep;
        if (_nextPlain == 0) _nextPlain = done;
        if (count <= 0) return;
        var perStep = _clock.Elapsed.TotalSeconds / count;
        var eta = TimeSpan.FromSeconds(perStep * (totalSteps - done));
        var inv = CultureInfo.InvariantCulture;
        if (interactive)
        {
            var now = _clock.ElapsedMilliseconds;
            if (now - _lastDrawMs < 500 && done < totalSteps) return;
            _lastDrawMs = now;
            const int width = 30;
            var filled = (int)((long)width * done / totalSteps);
            output.Write(string.Create(inv, $"\r[{new string('#', filled)}{new string('.', width - filled)}] {done}/{totalSteps} {perStep:0.000} s/step ETA {Format(eta)}   "));
            if (done == totalSteps) output.WriteLine();
            output.Flush();
            return;
        }
        if (done < _nextPlain && done < totalSteps) return;
        _nextPlain = done + Math.Max(1, totalSteps / 20);
        output.WriteLine(string.Create(inv, $"step {done}/{totalSteps} ({100.0 * done / totalSteps:0.0} %), {perStep:0.000} s/step, ETA {Format(eta)}"));
        output.Flush();
    }

    private static string Format(TimeSpan t) => t.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}h{t.Minutes:00}m")
        : string.Create(CultureInfo.InvariantCulture, $"{t.Minutes}m{t.Seconds:00}s");
}
