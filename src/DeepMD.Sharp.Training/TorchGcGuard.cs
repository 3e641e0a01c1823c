namespace DeepMD.Sharp.Training;

using System.Runtime;

/// <summary>
/// Runs TorchSharp work with the garbage collector held off. TorchSharp 0.107 passes implicit <c>Scalar</c>s to
/// libtorch by raw handle (e.g. the alpha of <c>a + b</c>) without keeping the managed object alive, so a GC during the
/// native call can finalise the Scalar while libtorch reads it (seen as a sporadic c10 "toDouble" check failure under
/// memory pressure). Inside a no-GC region nothing is collected or finalised; the region is sized far above one step.
/// </summary>
public static class TorchGcGuard
{
    private const long Budget = 64L * 1024 * 1024;

    /// <summary>Runs <paramref name="work"/> inside a no-GC region (or plainly, when one is already active).</summary>
    public static T Run<T>(Func<T> work)
    {
        var started = false;
        if (GCSettings.LatencyMode != GCLatencyMode.NoGCRegion)
        {
            try
            {
                started = GC.TryStartNoGCRegion(Budget);
            }
            catch (InvalidOperationException)
            {
                started = false;
            }
        }
        try
        {
            return work();
        }
        finally
        {
            if (started && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
            {
                try
                {
                    GC.EndNoGCRegion();
                }
                catch (InvalidOperationException)
                {
                    // The budget was exceeded and a GC already ended the region; nothing to undo.
                }
            }
        }
    }
}
