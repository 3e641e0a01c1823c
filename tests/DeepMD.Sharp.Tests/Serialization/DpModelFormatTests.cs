namespace DeepMD.Sharp.Tests.Serialization;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Models.Serialization;
using PureHDF;

[TestFixture]
public class DpModelFormatTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = TestModels.NewTempDir();

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private string Temp(string name) => Path.Combine(_dir, name);

    private static string ReadJsonAttribute(string path)
    {
        using var f = H5File.OpenRead(path);
        return f.Attribute("json").Read<string>();
    }

    [Test]
    public void LoadFloat32Water_KeepsDtypesAndShapes()
    {
        var tree = DpModelFormat.Load(TestModels.WaterFloat32);
        var root = new ModelNode(tree, TestModels.WaterFloat32);
        Assert.That(tree.Keys.Take(3), Is.EqualTo(new[] { "software", "version", "time" }));
        Assert.That(root["backend"].AsString(), Is.EqualTo("dpmodel"));

        var model = root["model"];
        Assert.That(model["@variables"]["out_bias"].AsArray().DType, Is.EqualTo("float64"));
        var descriptor = model["descriptor"];
        Assert.That(descriptor["sel"].Value, Is.EqualTo(new[] { 46L, 92L }).And.All.TypeOf<long>());
        Assert.That(descriptor["neuron"].Value, Is.EqualTo(new[] { 25L, 50L, 100L }).And.All.TypeOf<long>());
        var davg = descriptor["@variables"]["davg"].AsArray();
        Assert.That((davg.DType, davg.Shape), Is.EqualTo(("float64", new[] { 2, 138, 4 })));

        var nets = descriptor["embeddings"]["networks"].AsList();
        Assert.That(nets, Has.Count.EqualTo(4));
        var w = nets[3]["layers"][2]["@variables"]["w"].AsArray();
        Assert.That((w.DType, w.Shape), Is.EqualTo(("float32", new[] { 50, 100 })));
        Assert.That(w.Data.All(v => (double)(float)v == v), Is.True, "float32 values widen exactly");
        Assert.That(w.Data.Any(v => v != 0), Is.True);

        var fitting = model["fitting"];
        Assert.That(fitting["dim_descrpt"].Value, Is.TypeOf<long>().And.EqualTo(1600L));
        var fitLayers = fitting["nets"]["networks"][0]["layers"];
        Assert.That(fitLayers[0]["@variables"]["w"].AsArray().Shape, Is.EqualTo(new[] { 1600, 240 }));
        Assert.That(fitLayers[0]["@variables"].Optional("idt").IsNull, Is.True);
        Assert.That(fitLayers[1]["@variables"]["idt"].AsArray().DType, Is.EqualTo("float32"));
        Assert.That(fitting["@variables"]["bias_atom_e"].AsArray().DType, Is.EqualTo("float64"));
    }

    [Test]
    public void YamlToDpToLoad_GivesTheSameTree()
    {
        var tree = YamlModelFormat.Load(TestModels.SeA);
        var path = Temp("sea.dp");
        DpModelFormat.Save(path, tree);
        TreeAssert.AreEqual(tree, DpModelFormat.Load(path));
        Assert.That(Directory.GetFiles(_dir), Has.Length.EqualTo(1), "no temporary file is left behind");
    }

    [Test]
    public void DpToDp_GivesTheSameTreeAndTheSameJson()
    {
        var tree = DpModelFormat.Load(TestModels.WaterFloat32);
        var path = Temp("water.dp");
        DpModelFormat.Save(path, tree);
        TreeAssert.AreEqual(tree, DpModelFormat.Load(path));
        // Same traversal order and Python-style compact JSON: the attribute is byte-for-byte what DeePMD-kit wrote.
        Assert.That(ReadJsonAttribute(path), Is.EqualTo(ReadJsonAttribute(TestModels.WaterFloat32)));
    }

    [Test]
    public void DpToYamlToLoad_GivesTheSameTree()
    {
        var tree = DpModelFormat.Load(TestModels.WaterFloat32);
        var path = Temp("water.yaml");
        YamlModelFormat.Save(path, tree);
        TreeAssert.AreEqual(tree, YamlModelFormat.Load(path));
    }

    [Test]
    public void Save_NumbersVariablesInDepthFirstOrder()
    {
        var inner = ModelTree.NewDict();
        inner["@variables"] = new Dictionary<string, object?> { ["w"] = new NdArray("float64", [1], [1]), ["none"] = null };
        var tree = ModelTree.NewDict();
        tree["a"] = new List<object?> { inner };
        tree["@variables"] = new Dictionary<string, object?>
        {
            ["list"] = new List<object?> { new NdArray("int32", [2], [1, 2]), null, new NdArray("bool", [], [1]) },
            ["min_nbor_dist"] = 0.75,
            ["count"] = 3L,
        };
        tree["path_like"] = "/variable_0000";
        var path = Temp("order.dp");
        DpModelFormat.Save(path, tree);

        Assert.That(ReadJsonAttribute(path), Is.EqualTo(
            "{\"a\":[{\"@variables\":{\"w\":\"/variable_0000\",\"none\":null}}],"
            + "\"@variables\":{\"list\":[\"/variable_0001\",null,\"/variable_0002\"],\"min_nbor_dist\":\"/variable_0003\",\"count\":\"/variable_0004\"},"
            + "\"path_like\":\"/variable_0000\"}"));
        var back = DpModelFormat.Load(path);
        Assert.That(back["path_like"], Is.EqualTo("/variable_0000"), "strings outside @variables are not dataset paths");
        var vars = (Dictionary<string, object?>)back["@variables"]!;
        var list = (List<object?>)vars["list"]!;
        Assert.That(((NdArray)list[0]!).DType, Is.EqualTo("int32"));
        Assert.That(list[1], Is.Null);
        var flag = (NdArray)list[2]!;
        Assert.That((flag.DType, flag.Shape.Length, flag.Data[0]), Is.EqualTo(("bool", 0, 1.0)));
        var minNbor = (NdArray)vars["min_nbor_dist"]!;
        Assert.That((minNbor.DType, minNbor.Shape.Length, minNbor.Data[0]), Is.EqualTo(("float64", 0, 0.75)),
            "a bare number below @variables becomes a 0-d dataset, as with h5py");
        Assert.That(((NdArray)vars["count"]!).DType, Is.EqualTo("int64"));
    }

    [Test]
    public void SaveThenLoad_KeepsAllDtypesShapesAndSpecialValues()
    {
        var vars = ModelTree.NewDict();
        vars["f64"] = new NdArray("float64", [2, 3], [double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 5e-324, double.MaxValue]);
        vars["f32"] = new NdArray("float32", [1, 2, 1], [(float)0.1, -(float)3.5]);
        vars["f32_0d"] = new NdArray("float32", [], [(float)2.5]);
        vars["i64"] = new NdArray("int64", [2], [-(1L << 53), 1L << 53]);
        vars["i32"] = new NdArray("int32", [3], [int.MinValue, 0, int.MaxValue]);
        vars["i16"] = new NdArray("int16", [1], [-5]);
        vars["i8"] = new NdArray("int8", [1], [-5]);
        vars["u8"] = new NdArray("uint8", [2], [0, 255]);
        vars["u64"] = new NdArray("uint64", [1], [12345]);
        vars["b"] = new NdArray("bool", [3], [1, 0, 1]);
        vars["empty"] = new NdArray("float64", [0], []);
        vars["emptyRows"] = new NdArray("float32", [3, 0], []);
        var tree = ModelTree.NewDict();
        tree["@variables"] = vars;
        tree["floats"] = new List<object?> { double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e16, 1e-05, 0.1, -0.0, 2.0 };
        tree["ints"] = new List<object?> { 0L, -1L, long.MaxValue, long.MinValue };
        tree["text"] = "ünïcode \"quoted\" \\ \n\t\u0001 NaN Infinity";
        tree["flags"] = new List<object?> { true, false, null };
        tree["empty"] = new Dictionary<string, object?>();
        var path = Temp("types.hlo");
        DpModelFormat.Save(path, tree);
        TreeAssert.AreEqual(tree, DpModelFormat.Load(path));
        Assert.That(ReadJsonAttribute(path), Does.Contain("\"floats\":[NaN,Infinity,-Infinity,1e+16,1e-05,0.1,-0.0,2.0]"));
    }

    [Test]
    public void Save_ArrayOutsideVariables_Throws()
    {
        var tree = ModelTree.NewDict();
        tree["model"] = new Dictionary<string, object?> { ["w"] = new NdArray("float64", [1], [1]) };
        var path = Temp("bad.dp");
        var e = Assert.Throws<UserInputException>(() => DpModelFormat.Save(path, tree))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain("'model/w'").And.Contain("@variables"));
        Assert.That(File.Exists(path), Is.False);
        Assert.That(Directory.GetFiles(_dir), Is.Empty, "no temporary file is left behind");
    }

    [Test]
    public void Save_ReplacesAnExistingFile()
    {
        var path = Temp("model.dp");
        File.WriteAllText(path, "old content");
        var tree = ModelTree.NewDict();
        tree["x"] = 1L;
        DpModelFormat.Save(path, tree);
        Assert.That(DpModelFormat.Load(path)["x"], Is.EqualTo(1L));
    }

    [Test]
    public void Load_FileWithUserBlock_Works()
    {
        var path = Temp("userblock.dp");
        var file = new H5File { ["variable_0000"] = new H5Dataset(new float[] { 1.5f, 2.5f }, fileDims: [2, 1]) };
        file.Attributes["json"] = "{\"@variables\":{\"w\":\"/variable_0000\"}}";
        file.Write(path, new H5WriteOptions(UserBlockSize: 512));
        var w = (NdArray)((Dictionary<string, object?>)DpModelFormat.Load(path)["@variables"]!)["w"]!;
        Assert.That((w.DType, w.Shape, w.Data), Is.EqualTo(("float32", new[] { 2, 1 }, new[] { 1.5, 2.5 })));
    }

    [Test]
    public void Load_TruncatedFile_SaysTruncated()
    {
        var bytes = File.ReadAllBytes(TestModels.WaterFloat32);
        var path = Temp("half.dp");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<UserInputException>(() => DpModelFormat.Load(path))!;
        Assert.That(e.Message, Does.StartWith(path).And.Contain("truncated"));
    }

    [TestCase(0)]
    [TestCase(40)]
    [TestCase(100)]
    public void Load_TinyOrCutSuperblock_Throws(int length)
    {
        var bytes = File.ReadAllBytes(TestModels.WaterFloat32);
        var path = Temp("tiny.dp");
        File.WriteAllBytes(path, bytes[..length]);
        var e = Assert.Throws<UserInputException>(() => DpModelFormat.Load(path))!;
        Assert.That(e.Message, Does.StartWith(path));
    }

    [Test]
    public void Load_RandomBytes_SaysNotHdf5()
    {
        var path = Temp("random.dp");
        File.WriteAllBytes(path, Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251)).ToArray());
        var e = Assert.Throws<UserInputException>(() => DpModelFormat.Load(path))!;
        Assert.That(e.Message, Does.StartWith(path).And.Contain("not an HDF5 file"));
    }

    [Test]
    public void Load_CorruptedMetadata_ThrowsUserInputException()
    {
        var bytes = File.ReadAllBytes(TestModels.WaterFloat32);
        for (var i = 96; i < 2048; i++) bytes[i] = (byte)(i * 31 % 256);
        var path = Temp("corrupt.dp");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<UserInputException>(() => DpModelFormat.Load(path))!;
        Assert.That(e.Message, Does.StartWith(path));
    }

    [Test]
    public void Load_WithoutJsonAttribute_SaysSo()
    {
        var path = Temp("nojson.dp");
        new H5File { ["variable_0000"] = new double[] { 1, 2 } }.Write(path);
        var e = Assert.Throws<UserInputException>(() => DpModelFormat.Load(path))!;
        Assert.That(e.Message, Does.StartWith(path).And.Contain("no 'json' attribute"));
    }

    [Test]
    public void Load_JsonPointsToMissingDataset_NamesKeyAndDataset()
    {
        var path = Temp("dangling.dp");
        var file = new H5File { ["variable_0000"] = new double[] { 1, 2 } };
        file.Attributes["json"] = "{\"model\":{\"@variables\":{\"w\":\"/variable_0000\",\"b\":\"/variable_0005\"}}}";
        file.Write(path);
        var e = Assert.Throws<UserInputException>(() => DpModelFormat.Load(path))!;
        Assert.That(e.Message, Does.StartWith(path).And.Contain("'/variable_0005'").And.Contain("'model/@variables/b'"));
    }

    [TestCase("{\"model\": [1, 2", "not valid JSON")]
    [TestCase("[1, 2]", "JSON object")]
    [TestCase("", "not valid JSON")]
    public void Load_BadJson_Throws(string json, string expected)
    {
        var path = Temp("badjson.dp");
        var file = new H5File();
        file.Attributes["json"] = json;
        file.Write(path);
        var e = Assert.Throws<UserInputException>(() => DpModelFormat.Load(path))!;
        Assert.That(e.Message, Does.StartWith(path).And.Contain(expected));
    }

    [Test]
    public void Load_JsonAttributeNotText_Throws()
    {
        var path = Temp("numjson.dp");
        var file = new H5File();
        file.Attributes["json"] = 42.0;
        file.Write(path);
        var e = Assert.Throws<UserInputException>(() => DpModelFormat.Load(path))!;
        Assert.That(e.Message, Does.StartWith(path).And.Contain("not text"));
    }
}
