namespace DeepMD.Sharp.Core.Errors;

/// <summary>
/// An error the user can cause and fix (a bad model file, structure, deck or option). It carries where the
/// problem is (file, line, atom, frame) and what to do. The CLI prints <see cref="Exception.Message"/>
/// without a stack trace and exits non-zero.
/// </summary>
public class UserInputException : Exception
{
    /// <summary>Creates the error. <paramref name="message"/> should say what is wrong and what to do.</summary>
    public UserInputException(string message, string? file = null, int? line = null, Exception? inner = null)
        : base(Compose(message, file, line), inner)
    {
        File = file;
        Line = line;
    }

    /// <summary>The file the problem is in, if any.</summary>
    public string? File { get; }

    /// <summary>The 1-based line of <see cref="File"/>, if known.</summary>
    public int? Line { get; }

    private static string Compose(string message, string? file, int? line)
    {
        if (file is null) return message;
        return line is null ? $"{file}: {message}" : $"{file}:{line}: {message}";
    }
}
