namespace DeepMD.Sharp.Tests.IO;

using DeepMD.Sharp.Core.Errors;

/// <summary>A scratch directory for structure files written by a test fixture, removed on dispose.</summary>
internal sealed class TempFiles : IDisposable
{
    public TempFiles()
    {
        Directory = Path.Combine(Path.GetTempPath(), "deepmd-sharp-io-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    /// <summary>Writes <paramref name="content"/> to a new file named <paramref name="name"/> and returns its path.</summary>
    public string Write(string name, string content)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, content.Replace("\r\n", "\n"));
        return path;
    }

    /// <summary>Asserts that <paramref name="action"/> throws a user error located at <paramref name="path"/>:<paramref name="line"/>.</summary>
    public static UserInputException AssertErrorAt(TestDelegate action, string path, int line)
    {
        var ex = Assert.Throws<UserInputException>(action)!;
        Assert.Multiple(() =>
        {
            Assert.That(ex.Message, Does.Contain(Path.GetFileName(path)));
            Assert.That(ex.Message, Does.Contain($"{path}:{line}:"));
            Assert.That(ex.File, Is.EqualTo(path));
            Assert.That(ex.Line, Is.EqualTo(line));
        });
        return ex;
    }

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Directory)) System.IO.Directory.Delete(Directory, recursive: true);
    }
}
