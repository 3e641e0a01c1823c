namespace DeepMD.Sharp.Training;

using TorchSharp;

/// <summary>Start-up checks for the TorchSharp native runtime.</summary>
public static class TorchRuntime
{
    /// <summary>
    /// Loads libtorch (throws with a hint when the native library cannot be loaded) and makes float64 the default dtype.
    /// </summary>
    public static void Initialize()
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
    }
}
