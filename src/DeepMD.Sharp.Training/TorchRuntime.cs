namespace DeepMD.Sharp.Training;

using TorchSharp;

/// <summary>Start-up checks for the TorchSharp native runtime.</summary>
public static class TorchRuntime
{
    /// <summary>
    /// Loads libtorch (throws with a hint when the native library cannot be loaded) and makes float64 the default dtype.
    /// <paramref name="threads"/> (else the DPSHARP_TORCH_THREADS environment variable) sets libtorch's intra-op threads;
    /// without either, libtorch's default is kept.
    /// </summary>
    public static void Initialize(int? threads = null)
    {
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new InvalidOperationException(
                "TorchSharp could not load libtorch. On Debian 12 the build patches libLibTorchSharp.so in the output folder " +
                "(build/TorchSharpGlibcxxPatch.targets); rebuild, and see docs/training.md. Cause: " + ex.Message, ex);
        }
        torch.set_default_dtype(torch.float64);
        if (threads is null && int.TryParse(Environment.GetEnvironmentVariable("DPSHARP_TORCH_THREADS"), out var fromEnv) && fromEnv > 0)
            threads = fromEnv;
        if (threads is > 0) torch.set_num_threads(threads.Value);
    }
}
