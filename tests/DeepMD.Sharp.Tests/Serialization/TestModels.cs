namespace DeepMD.Sharp.Tests.Serialization;

/// <summary>Paths of the models in potentials/test-models (copied next to the test assembly) and a scratch folder.</summary>
internal static class TestModels
{
    public static string SeA => Get("deeppot_sea.yaml");

    public static string SeR => Get("deeppot-r.yaml");

    public static string WaterFloat32 => Get("water-example-float32.dp");

    public static string Get(string name)
    {
        var path = Path.Combine(TestContext.CurrentContext.TestDirectory, "test-models", name);
        Assert.That(File.Exists(path), Is.True, $"test model {path} is missing");
        return path;
    }

    /// <summary>A new empty folder under the system temp folder; delete it with <see cref="Directory.Delete(string, bool)"/>.</summary>
    public static string NewTempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "deepmd-sharp-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
