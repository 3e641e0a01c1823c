namespace DeepMD.Sharp.Tests.Support;

/// <summary>Locates files of the repository from the test output folder.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(() =>
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DeepMD.Sharp.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root (DeepMD.Sharp.sln) above the test folder");
    });

    public static string Root => RootLazy.Value;

    public static string Get(params string[] parts) => Path.Combine([Root, .. parts]);

    public static string TestModel(string name) => Get("potentials", "test-models", name);

    /// <summary>A fresh temporary folder, deleted when the test run ends.</summary>
    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "dpsharp-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(d);
        return d;
    }
}
