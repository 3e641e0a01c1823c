namespace DeepMD.Sharp.Cpu;

using System.Diagnostics;
using System.Runtime.InteropServices;

/// <summary>
/// Optional per-stage timing of the CPU kernels (DPSHARP_PROFILE=1), summed over threads; printed by <c>dpsharp bench</c>.
/// On Linux the clock is each thread's own CPU time (CLOCK_THREAD_CPUTIME_ID), so time the thread spends descheduled
/// on a busy machine is not charged to a stage; elsewhere it is wall time. Costs two clock reads per stage and batch
/// when on, nothing measurable when off.
/// </summary>
public static partial class Profile
{
    /// <summary>Stage names in order (the bench prints the stages that took time; index 9 is free for a temporary mark).</summary>
    public static readonly string[] Stages =
        ["gather", "env+embed fwd+T", "padding", "descriptor", "fitting fwd+bwd", "dT", "embed bwd+forces", "env", "embed fwd+T", "(spare)", "embed bwd", "forces"];

    private static readonly long[] Ticks = new long[Stages.Length];

    /// <summary>Whether profiling is on (DPSHARP_PROFILE=1).</summary>
    public static readonly bool Enabled = Environment.GetEnvironmentVariable("DPSHARP_PROFILE") == "1";

    /// <summary>Whether stage times are thread CPU time (true) or wall time (false).</summary>
    public static readonly bool ThreadCpuTime = Enabled && OperatingSystem.IsLinux() && TryThreadClock(out _);

    private static readonly double TicksPerSecond = ThreadCpuTime ? 1e9 : Stopwatch.Frequency;

    internal static long Start() => Enabled ? Now() : 0;

    /// <summary>Adds the time since <paramref name="tick"/> to stage <paramref name="stage"/> (when <paramref name="record"/>) and restarts.</summary>
    internal static void Mark(ref long tick, int stage, bool record)
    {
        if (!Enabled) return;
        var now = Now();
        if (record) Interlocked.Add(ref Ticks[stage], now - tick);
        tick = now;
    }

    /// <summary>Seconds spent per stage since the last reset, summed over threads.</summary>
    public static double[] Seconds() => Ticks.Select(t => t / TicksPerSecond).ToArray();

    public static void Reset() => Array.Clear(Ticks);

    /// <summary>
    /// Development switch for A/B timing of a kernel variant inside one process (<c>DPSHARP_AB=1 dpsharp bench</c> flips
    /// it between timed evaluations and reports both medians), so a comparison is not at the mercy of a shared machine's
    /// speed drifting between runs. Kernels read it where a variant is under study; otherwise nothing reads it.
    /// </summary>
    public static volatile bool Experiment = Environment.GetEnvironmentVariable("DPSHARP_EXPERIMENT") == "1";

    private static long Now() => ThreadCpuTime && TryThreadClock(out var ns) ? ns : Stopwatch.GetTimestamp();

    private static bool TryThreadClock(out long nanoseconds)
    {
        nanoseconds = 0;
        try
        {
            if (ClockGetTime(ClockThreadCpuTime, out var ts) != 0) return false;
            nanoseconds = ts.Seconds * 1_000_000_000 + ts.Nanoseconds;
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    private const int ClockThreadCpuTime = 3; // CLOCK_THREAD_CPUTIME_ID on Linux

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec ts);
}
