namespace DeepMD.Sharp.Core.Files;

using System.Runtime.InteropServices;

/// <summary>
/// The durable half of write-to-a-temporary-file-then-rename: the temporary file's data is flushed to the disk
/// (<c>fsync</c>) before it is renamed over the final name, and the folder holding it is flushed after the rename
/// (on Linux, through libc's <c>open</c>/<c>fsync</c>/<c>close</c>; .NET has no API for it), so a power loss cannot
/// leave an empty or partial file under the final name, nor lose the rename itself.
/// </summary>
public static class DurableFile
{
    private static readonly AsyncLocal<Action<string>?> ObserverSlot = new();

    /// <summary>
    /// For tests: receives <c>"flush &lt;path&gt;"</c>, <c>"move &lt;from&gt; &lt;to&gt;"</c> and
    /// <c>"fsync-dir &lt;folder&gt;"</c> in the order the steps happen, on the current async flow only.
    /// </summary>
    public static Action<string>? Observer
    {
        get => ObserverSlot.Value;
        set => ObserverSlot.Value = value;
    }

    /// <summary>Flushes <paramref name="stream"/>'s buffers and the file's data to the disk.</summary>
    public static void Flush(FileStream stream)
    {
        stream.Flush(flushToDisk: true);
        Observer?.Invoke("flush " + Path.GetFullPath(stream.Name));
    }

    /// <summary>Flushes the file at <paramref name="path"/> (already written and closed) to the disk.</summary>
    public static void Flush(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        Flush(f);
    }

    /// <summary>
    /// Renames the flushed temporary file <paramref name="temp"/> over <paramref name="path"/> and flushes the
    /// folder so the rename survives a power loss.
    /// </summary>
    public static void MoveIntoPlace(string temp, string path)
    {
        File.Move(temp, path, overwrite: true);
        var full = Path.GetFullPath(path);
        Observer?.Invoke("move " + Path.GetFullPath(temp) + " " + full);
        FlushFolder(Path.GetDirectoryName(full) ?? ".");
    }

    /// <summary>Flushes <paramref name="temp"/> (already written and closed) and renames it over <paramref name="final"/>.</summary>
    public static void FlushAndMove(string temp, string final)
    {
        Flush(temp);
        MoveIntoPlace(temp, final);
    }

    /// <summary>Flushes a folder's entries (renames, creations) to the disk; Linux only; elsewhere a no-op.</summary>
    public static void FlushFolder(string folder)
    {
        var full = Path.GetFullPath(folder);
        if (OperatingSystem.IsLinux())
        {
            var fd = open(full, O_RDONLY | O_DIRECTORY);
            if (fd < 0) throw new IOException($"cannot open the folder '{full}' to flush it (errno {Marshal.GetLastPInvokeError()})");
            try
            {
                // EINVAL: the file system cannot sync a folder (some network and FUSE mounts); nothing more to do there.
                if (fsync(fd) != 0 && Marshal.GetLastPInvokeError() is var errno && errno != EINVAL)
                    throw new IOException($"cannot flush the folder '{full}' to the disk (errno {errno})");
            }
            finally
            {
                close(fd);
            }
        }
        Observer?.Invoke("fsync-dir " + full);
    }

    private const int O_RDONLY = 0;
    private const int O_DIRECTORY = 0x10000; // Linux (x86-64, arm64)
    private const int EINVAL = 22;

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
