namespace DeepMD.Sharp.Dynamics;

using System.Globalization;

/// <summary>
/// How many threads the MD engine's own loops (classical pair styles) may use: an explicit count, else the
/// <c>DPSHARP_THREADS</c> environment variable (what <c>dpsharp run --threads N</c> sets), else all cores.
/// </summary>
public static class ThreadSettings
{
    /// <summary>The thread count for an optional explicit setting.</summary>
    public static int Count(int? threads)
    {
        if (threads is > 0) return threads.Value;
        if (int.TryParse(Environment.GetEnvironmentVariable("DPSHARP_THREADS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var env) && env > 0)
            return env;
        return Environment.ProcessorCount;
    }

    /// <summary>ParallelOptions limited to <see cref="Count"/> threads.</summary>
    public static ParallelOptions Options(int? threads) => new() { MaxDegreeOfParallelism = Count(threads) };
}
