namespace DeepMD.Sharp.IO;

using DeepMD.Sharp.Core.Errors;

/// <summary>
/// Reads a text file line by line, keeping the 1-based number of the last line returned so that parse errors
/// can name it. Opening turns a missing or unreadable file into a <see cref="UserInputException"/>.
/// </summary>
internal sealed class LineReader : IDisposable
{
    private readonly TextReader _reader;

    private LineReader(TextReader reader, string path)
    {
        _reader = reader;
        Path = path;
    }

    /// <summary>The file name used in error messages.</summary>
    public string Path { get; }

    /// <summary>The 1-based number of the line most recently returned by <see cref="ReadLine"/> (0 before the first).</summary>
    public int LineNumber { get; private set; }

    /// <summary>Opens <paramref name="path"/> for reading.</summary>
    public static LineReader Open(string path)
    {
        if (Directory.Exists(path))
            throw new UserInputException("is a directory, not a structure file; give the path of the file itself", path);
        if (!File.Exists(path))
            throw new UserInputException("file not found; check the path and the working directory", path);
        try
        {
            return new LineReader(new StreamReader(path, detectEncodingFromByteOrderMarks: true), path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException($"cannot open the file ({e.Message}); check that it is readable", path, null, e);
        }
    }

    /// <summary>Returns the next line, or null at the end of the file.</summary>
    public string? ReadLine()
    {
        var line = ReadRaw();
        if (line is not null) LineNumber++;
        return line;
    }

    /// <summary>A user error located at <paramref name="line"/> of this file.</summary>
    public UserInputException Error(string message, int line, Exception? inner = null) => new(message, Path, line, inner);

    /// <summary>A user error located at the line most recently read.</summary>
    public UserInputException Error(string message) => new(message, Path, LineNumber);

    public void Dispose() => _reader.Dispose();

    private string? ReadRaw()
    {
        try
        {
            return _reader.ReadLine();
        }
        catch (IOException e)
        {
            throw new UserInputException($"cannot read the file after line {LineNumber} ({e.Message})", Path, LineNumber + 1, e);
        }
    }
}
