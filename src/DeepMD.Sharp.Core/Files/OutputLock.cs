namespace DeepMD.Sharp.Core.Files;

using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using DeepMD.Sharp.Core.Errors;

/// <summary>
/// An advisory lock on an output file a run owns (log, dump, restart file, lcurve.out, training checkpoints), so that
/// two runs in one folder cannot interleave their output: the lock file <c>&lt;file&gt;.lock</c> is held open with
/// <see cref="FileShare.None"/> for as long as the run writes the file (.NET takes <c>flock(LOCK_EX)</c> on Unix,
/// a share-mode lock on Windows) and holds the owner's process id. The OS drops the lock when the process dies, so a
/// run killed with <c>kill -9</c> leaves at most a stale lock file, which the next run takes over.
/// </summary>
public sealed class OutputLock : IDisposable
{
    private FileStream? _stream;

    private OutputLock(string lockPath, FileStream stream)
    {
        LockPath = lockPath;
        _stream = stream;
    }

    /// <summary>The lock file, <c>&lt;file&gt;.lock</c>.</summary>
    public string LockPath { get; }

    /// <summary>
    /// Locks <paramref name="path"/> for this run, or throws a <see cref="UserInputException"/> naming the process
    /// that holds it. <paramref name="what"/> says what the file is ("log file", "dump file", ...).
    /// </summary>
    public static OutputLock Acquire(string path, string what)
    {
        var full = Path.GetFullPath(path);
        var lockPath = full + ".lock";
        FileStream stream;
        try
        {
            stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (File.Exists(lockPath) && e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            var owner = ReadOwner(lockPath);
            var who = owner is null ? "another run"
                : owner == Environment.ProcessId ? $"another run in this process (PID {owner})"
                : $"another run (PID {owner})";
            throw new UserInputException(
                $"{who} is writing the {what} '{path}' (lock file '{lockPath}'); wait for it to finish, stop it, or write to another folder or file name",
                path, inner: e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException($"cannot create the lock file '{lockPath}' for the {what}: {e.Message}", path, inner: e);
        }
        stream.SetLength(0);
        var pid = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        stream.Write(pid);
        stream.Flush();
        return new OutputLock(lockPath, stream);
    }

    /// <summary>Releases the lock and removes the lock file.</summary>
    public void Dispose()
    {
        if (_stream is null) return;
        try { File.Delete(LockPath); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        _stream.Dispose();
        _stream = null;
    }

    /// <summary>Opens <paramref name="path"/> for writing under a lock that the writer releases when disposed.</summary>
    public static StreamWriter OpenWriter(string path, bool append, string what, Encoding? encoding = null)
    {
        var held = Acquire(path, what);
        try
        {
            return new LockedWriter(held, path, append, encoding ?? new UTF8Encoding(false));
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    private sealed class LockedWriter(OutputLock held, string path, bool append, Encoding encoding) : StreamWriter(path, append, encoding)
    {
        protected override void Dispose(bool disposing)
        {
            try { base.Dispose(disposing); }
            finally { if (disposing) held.Dispose(); }
        }
    }

    /// <summary>The PID in a lock file that another descriptor holds locked (ordinary .NET reads are refused by the lock).</summary>
    private static int? ReadOwner(string lockPath)
    {
        string text;
        if (OperatingSystem.IsWindows())
        {
            return null;
        }
        var fd = open(lockPath, 0);
        if (fd < 0) return null;
        try
        {
            var buffer = new byte[32];
            var n = read(fd, buffer, buffer.Length);
            if (n <= 0) return null;
            text = Encoding.ASCII.GetString(buffer, 0, (int)n);
        }
        finally
        {
            close(fd);
        }
        return int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern nint read(int fd, byte[] buffer, nint count);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
