namespace DeepMD.Sharp.Training.Optimization;

/// <summary>
/// DeePMD-kit's <c>exp</c> learning rate (notes §5.3): lr(t) = start · rate^⌊t/decay_steps⌋, clipped below at stop_lr,
/// with rate = (stop/start)^(decay_steps/numb_steps) unless given.
/// </summary>
public sealed class ExponentialLearningRate
{
    /// <summary>Creates the schedule for <paramref name="numbSteps"/> steps.</summary>
    public ExponentialLearningRate(double startLr, double stopLr, int decaySteps, int numbSteps, double? decayRate = null, bool smooth = false)
    {
        StartLr = startLr;
        StopLr = stopLr;
        Smooth = smooth;
        var total = Math.Max(numbSteps, 1);
        if (decayRate is null && decaySteps >= total)
            decaySteps = total / 10 > 100 ? 100 : total / 100 + 1;
        DecaySteps = Math.Max(decaySteps, 1);
        DecayRate = decayRate ?? Math.Pow(Math.Max(stopLr, 1e-10) / startLr, (double)DecaySteps / total);
    }

    /// <summary>Learning rate at step 0.</summary>
    public double StartLr { get; }

    /// <summary>Lower bound.</summary>
    public double StopLr { get; }

    /// <summary>Steps per decay.</summary>
    public int DecaySteps { get; }

    /// <summary>Factor per decay.</summary>
    public double DecayRate { get; }

    /// <summary>Continuous instead of staircase decay.</summary>
    public bool Smooth { get; }

    /// <summary>The learning rate at step <paramref name="step"/>.</summary>
    public double At(long step)
    {
        var p = Smooth ? (double)step / DecaySteps : Math.Floor((double)step / DecaySteps);
        return Math.Max(StartLr * Math.Pow(DecayRate, p), StopLr);
    }
}
