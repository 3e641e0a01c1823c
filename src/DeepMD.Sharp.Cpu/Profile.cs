namespace DeepMD.Sharp.Cpu;

using System.Diagnostics;

/// <summary>
/// Optional per-stage timing of the CPU kernels (DPSHARP_PROFILE=1), summed over threads; printed by <c>dpsharp bench</c>.
/// Costs two timestamp reads per stage and batch when on, nothing measurable when off.
/// </summary>
public static class Profile
{
    /// <summary>Stage names in order.</summary>
    public static readonly string[] Stages =
        ["gather", "env+embed fwd+T", "padding", "descriptor", "fitting fwd+bwd", "dT", "embed bwd+forces", "env", "embed fwd", "T accumulate", "bwd prep", "embed bwd", "forces"];

    private static readonly long[] Ticks = new long[Stages.Length];

    /// <summary>Whether profiling is on (DPSHARP_PROFILE=1).</summary>
    public static readonly bool Enabled = Environment.GetEnvironmentVariable("DPSHARP_PROFILE") == "1";

    internal static long Start() => Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>Adds the time since <paramref name="tick"/> to stage <paramref name="stage"/> (when <paramref name="record"/>) and restarts.</summary>
    internal static void Mark(ref long tick, int stage, bool record)
    {
        if (!Enabled) return;
        var now = Stopwatch.GetTimestamp();
        if (record) Interlocked.Add(ref Ticks[stage], now - tick);
        tick = now;
    }

    /// <summary>Seconds spent per stage since the last reset, summed over threads.</summary>
    public static double[] Seconds() => Ticks.Select(t => t / (double)Stopwatch.Frequency).ToArray();

    public static void Reset() => Array.Clear(Ticks);
}
