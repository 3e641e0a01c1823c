namespace DeepMD.Sharp.Tests.Serialization;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Models.Serialization;

[TestFixture]
public class ModelFileTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = TestModels.NewTempDir();

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [TestCase("m.dp")]
    [TestCase("m.hlo")]
    [TestCase("m.yaml")]
    [TestCase("m.YML")]
    public void SaveAndLoad_DispatchOnExtension(string name)
    {
        var tree = ModelFile.Load(TestModels.SeR);
        var path = Path.Combine(_dir, name);
        ModelFile.Save(path, tree);
        var isHdf5 = File.ReadAllBytes(path).AsSpan(1, 3).SequenceEqual("HDF"u8);
        Assert.That(isHdf5, Is.EqualTo(name.EndsWith(".dp", StringComparison.Ordinal) || name.EndsWith(".hlo", StringComparison.Ordinal)));
        TreeAssert.AreEqual(tree, ModelFile.Load(path));
    }

    [TestCase("model.pth")]
    [TestCase("model.pb")]
    [TestCase("model")]
    public void UnknownExtension_ListsSupportedOnes(string name)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, "x");
        var load = Assert.Throws<UserInputException>(() => ModelFile.Load(path))!;
        Assert.That(load.Message, Does.StartWith(path).And.Contain(".dp").And.Contain(".yaml"));
        var save = Assert.Throws<UserInputException>(() => ModelFile.Save(path, ModelTree.NewDict()))!;
        Assert.That(save.Message, Does.Contain(".hlo").And.Contain(".yml"));
    }

    [TestCase("absent.dp")]
    [TestCase("absent.yaml")]
    public void Load_MissingFile_SaysNotFound(string name)
    {
        var path = Path.Combine(_dir, name);
        var e = Assert.Throws<UserInputException>(() => ModelFile.Load(path))!;
        Assert.That(e.Message, Is.EqualTo($"{path}: model file not found; check the path"));
    }

    [Test]
    public void Save_IntoMissingFolder_Throws()
    {
        var path = Path.Combine(_dir, "no", "such", "model.dp");
        var e = Assert.Throws<UserInputException>(() => ModelFile.Save(path, ModelTree.NewDict()))!;
        Assert.That(e.Message, Does.StartWith(path).And.Contain("does not exist"));
    }

    [Test]
    public void Load_YamlContentInDpFile_SaysNotHdf5()
    {
        var path = Path.Combine(_dir, "wrong.dp");
        File.Copy(TestModels.SeR, path);
        var e = Assert.Throws<UserInputException>(() => ModelFile.Load(path))!;
        Assert.That(e.Message, Does.Contain("not an HDF5 file"));
    }
}
