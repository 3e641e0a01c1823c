namespace DeepMD.Sharp.Models.Serialization;

using DeepMD.Sharp.Core.Files;
using DeepMD.Sharp.Core.Errors;

/// <summary>Shared checks and the write-to-temporary-then-rename step of the model file formats.</summary>
internal static class ModelFileErrors
{
    public static void RequireExists(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
            throw new UserInputException("is a folder, not a model file; give the path of a .dp or .yaml model file", path);
        if (!File.Exists(path))
            throw new UserInputException("model file not found; check the path", path);
    }

    /// <summary>
    /// Runs <paramref name="write"/> on a new temporary file next to <paramref name="path"/> and renames it over
    /// <paramref name="path"/> when it succeeds, so that a failed write never leaves a half-written model behind.
    /// </summary>
    public static void WriteAtomically(string path, Action<FileStream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(dir))
            throw new UserInputException($"cannot write the model file: the folder '{dir}' does not exist", path);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
            {
                write(stream);
                DurableFile.Flush(stream);
            }
            DurableFile.MoveIntoPlace(temp, full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException($"cannot write the model file: {e.Message}", path, inner: e);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
