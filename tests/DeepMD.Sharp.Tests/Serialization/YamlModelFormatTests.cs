namespace DeepMD.Sharp.Tests.Serialization;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Models.Serialization;

[TestFixture]
public class YamlModelFormatTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = TestModels.NewTempDir();

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private string WriteText(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Test]
    public void LoadSeA_HasTheDocumentedStructure()
    {
        var tree = YamlModelFormat.Load(TestModels.SeA);
        var root = new ModelNode(tree, TestModels.SeA);

        Assert.That(tree.Keys.First(), Is.EqualTo("@variables"));
        Assert.That(root["@variables"].AsDict(), Is.Empty);
        Assert.That(root["backend"].AsString(), Is.EqualTo("PyTorch"));
        Assert.That(root["time"].AsString(), Does.StartWith("20"), "a quoted timestamp stays a string");

        var model = root["model"];
        Assert.That(model["type_map"].AsStringArray(), Is.EqualTo(new[] { "O", "H" }));
        Assert.That(model.Has("rcond") && model["rcond"].IsNull, Is.True);
        Assert.That(model["@version"].Value, Is.TypeOf<long>().And.EqualTo(2L));
        var outBias = model["@variables"]["out_bias"].AsArray();
        Assert.That(outBias.DType, Is.EqualTo("float64"));
        Assert.That(outBias.Shape, Is.EqualTo(new[] { 1, 2, 1 }));

        var descriptor = model["descriptor"];
        Assert.That(descriptor["sel"].Value, Is.EqualTo(new[] { 46L, 92L }).And.All.TypeOf<long>());
        Assert.That(descriptor["rcut"].AsDouble(), Is.EqualTo(6.0));
        Assert.That(descriptor["rcut_smth"].Value, Is.TypeOf<double>().And.EqualTo(0.5));
        Assert.That(descriptor["type_one_side"].AsBool(), Is.True);
        Assert.That(descriptor["resnet_dt"].AsBool(), Is.False);
        var davg = descriptor["@variables"]["davg"].AsArray();
        var dstd = descriptor["@variables"]["dstd"].AsArray();
        Assert.That(davg.Shape, Is.EqualTo(new[] { 2, 138, 4 }));
        Assert.That(dstd.Shape, Is.EqualTo(new[] { 2, 138, 4 }));
        Assert.That(davg.Data[0], Is.EqualTo(0.05033023990415701), "first davg value as written in the file");
        Assert.That(davg.Data[1], Is.EqualTo(0.0));

        var embeddings = descriptor["embeddings"];
        Assert.That(embeddings["ndim"].Value, Is.TypeOf<long>().And.EqualTo(1L));
        var nets = embeddings["networks"].AsList();
        Assert.That(nets, Has.Count.EqualTo(2));
        var layers = nets[0]["layers"].AsList();
        Assert.That(layers.Select(l => l["@variables"]["w"].AsArray().Shape), Is.EqualTo(new[] { new[] { 1, 3 }, new[] { 3, 6 }, new[] { 6, 12 } }));
        Assert.That(layers[0]["@variables"].Optional("idt").IsNull, Is.True);

        var fitting = model["fitting"];
        var fitLayers = fitting["nets"]["networks"][1]["layers"].AsList();
        Assert.That(fitLayers, Has.Count.EqualTo(4));
        Assert.That(fitLayers[0]["@variables"]["w"].AsArray().Shape, Is.EqualTo(new[] { 24, 10 }));
        Assert.That(fitLayers[1]["@variables"]["idt"].AsArray().Shape, Is.EqualTo(new[] { 10 }));
        Assert.That(fitLayers[3]["activation_function"].AsString(), Is.EqualTo("none"));
        Assert.That(fitting["@variables"]["bias_atom_e"].AsArray().Shape, Is.EqualTo(new[] { 2, 1 }));
        Assert.That(fitting["@variables"].Optional("fparam_avg").IsNull, Is.True);
    }

    [Test]
    public void LoadSeR_ExpandsAliasesIntoIndependentCopies()
    {
        var tree = YamlModelFormat.Load(TestModels.SeR);
        var model = new ModelNode(tree, TestModels.SeR)["model"];
        var descriptor = model["descriptor"];
        Assert.That(descriptor["type"].AsString(), Is.EqualTo("se_r"));
        Assert.That(descriptor["embeddings"]["ndim"].Value, Is.TypeOf<long>().And.EqualTo(2L));
        Assert.That(descriptor["embeddings"]["networks"].AsList(), Has.Count.EqualTo(4));

        // type_map is written once with an anchor (&id001) and referenced by aliases (*id001).
        var modelTypeMap = model["type_map"].Value;
        var fittingTypeMap = model["fitting"]["type_map"].Value;
        Assert.That(fittingTypeMap, Is.InstanceOf<List<object?>>());
        Assert.That(fittingTypeMap, Is.EqualTo(modelTypeMap));
        Assert.That(fittingTypeMap, Is.Not.SameAs(modelTypeMap));
        Assert.That(model["fitting"]["@variables"]["bias_atom_e"].AsArray().Shape, Is.EqualTo(new[] { 2, 1 }));
    }

    [Test]
    public void Scalars_AreTypedLikePyYamlSafeLoad()
    {
        var path = WriteText("scalars.yaml", """
            int: 42
            neg: -7
            underscored: 1_000
            hex: 0x1F
            octal: 017
            sexagesimal: 1:30
            float: 0.5
            exp: 1.0e-05
            expUpper: 2.5E+10
            noDotExp: 1e-05
            nan: .nan
            inf: .inf
            ninf: -.inf
            bools: [true, False, yes, off]
            nulls: [null, ~, Null]
            emptyValue:
            quotedNumber: '123'
            quotedFloat: "1.5"
            quotedBool: "true"
            quotedNull: 'null'
            word: tanh
            stamp: 2024-11-12
            explicitStr: !!str 12
            explicitFloat: !!float 3
            """);
        var t = YamlModelFormat.Load(path);
        Assert.Multiple(() =>
        {
            Assert.That(t["int"], Is.EqualTo(42L));
            Assert.That(t["neg"], Is.EqualTo(-7L));
            Assert.That(t["underscored"], Is.EqualTo(1000L));
            Assert.That(t["hex"], Is.EqualTo(31L));
            Assert.That(t["octal"], Is.EqualTo(15L));
            Assert.That(t["sexagesimal"], Is.EqualTo(90L));
            Assert.That(t["float"], Is.EqualTo(0.5));
            Assert.That(t["exp"], Is.EqualTo(1.0e-05));
            Assert.That(t["expUpper"], Is.EqualTo(2.5e10));
            Assert.That(t["noDotExp"], Is.EqualTo("1e-05"), "PyYAML (YAML 1.1) needs a dot for floats");
            Assert.That(t["nan"], Is.NaN);
            Assert.That(t["inf"], Is.EqualTo(double.PositiveInfinity));
            Assert.That(t["ninf"], Is.EqualTo(double.NegativeInfinity));
            Assert.That(t["bools"], Is.EqualTo(new List<object?> { true, false, true, false }));
            Assert.That(t["nulls"], Is.EqualTo(new List<object?> { null, null, null }));
            Assert.That(t.ContainsKey("emptyValue") && t["emptyValue"] is null, Is.True);
            Assert.That(t["quotedNumber"], Is.EqualTo("123"));
            Assert.That(t["quotedFloat"], Is.EqualTo("1.5"));
            Assert.That(t["quotedBool"], Is.EqualTo("true"));
            Assert.That(t["quotedNull"], Is.EqualTo("null"));
            Assert.That(t["word"], Is.EqualTo("tanh"));
            Assert.That(t["stamp"], Is.EqualTo("2024-11-12"));
            Assert.That(t["explicitStr"], Is.EqualTo("12"));
            Assert.That(t["explicitFloat"], Is.EqualTo(3.0));
            Assert.That(t["int"], Is.TypeOf<long>());
            Assert.That(t["float"], Is.TypeOf<double>());
        });
    }

    [Test]
    public void ArrayNodes_FollowNumpyAsarray()
    {
        var path = WriteText("arrays.yaml", """
            "@variables":
              scalar: {"@class": np.ndarray, "@is_variable": true, "@version": 1, dtype: float64, value: 2.5}
              empty: {"@class": np.ndarray, "@is_variable": true, "@version": 1, dtype: float64, value: []}
              emptyRows: {"@class": np.ndarray, "@is_variable": true, "@version": 1, dtype: float32, value: [[], [], []]}
              single: {"@class": np.ndarray, "@is_variable": true, "@version": 1, dtype: float32, value: [0.1, 1.0e+40]}
              ints: {"@class": np.ndarray, "@is_variable": true, "@version": 1, dtype: int64, value: [[1, -2], [3, 4]]}
              flags: {"@class": np.ndarray, "@is_variable": true, "@version": 1, dtype: bool, value: [true, false]}
            notVariable: {"@class": np.ndarray, dtype: float64, value: [1.0]}
            """);
        var vars = (Dictionary<string, object?>)YamlModelFormat.Load(path)["@variables"]!;
        var scalar = (NdArray)vars["scalar"]!;
        Assert.That(scalar.Shape, Is.Empty);
        Assert.That(scalar.Data, Is.EqualTo(new[] { 2.5 }));
        Assert.That(((NdArray)vars["empty"]!).Shape, Is.EqualTo(new[] { 0 }));
        var emptyRows = (NdArray)vars["emptyRows"]!;
        Assert.That(emptyRows.Shape, Is.EqualTo(new[] { 3, 0 }));
        Assert.That(emptyRows.DType, Is.EqualTo("float32"));
        var single = (NdArray)vars["single"]!;
        Assert.That(single.Data[0], Is.EqualTo((double)0.1f), "float32 values are rounded to single precision");
        Assert.That(single.Data[1], Is.EqualTo(double.PositiveInfinity), "like numpy, out-of-range float32 overflows");
        var ints = (NdArray)vars["ints"]!;
        Assert.That(ints.DType, Is.EqualTo("int64"));
        Assert.That(ints.Shape, Is.EqualTo(new[] { 2, 2 }));
        Assert.That(ints.Data, Is.EqualTo(new double[] { 1, -2, 3, 4 }));
        Assert.That(((NdArray)vars["flags"]!).Data, Is.EqualTo(new double[] { 1, 0 }));
        Assert.That(YamlModelFormat.Load(path)["notVariable"], Is.TypeOf<Dictionary<string, object?>>(),
            "without @is_variable the node is left as a dict, as DeePMD-kit does");
    }

    [Test]
    public void SaveThenLoad_SeA_GivesTheSameTree()
    {
        var tree = YamlModelFormat.Load(TestModels.SeA);
        var path = Path.Combine(_dir, "copy.yaml");
        YamlModelFormat.Save(path, tree);
        TreeAssert.AreEqual(tree, YamlModelFormat.Load(path));
        Assert.That(Directory.GetFiles(_dir), Has.Length.EqualTo(1), "no temporary file is left behind");
    }

    [Test]
    public void SaveThenLoad_KeepsSpecialFloatsStringsAndDtypes()
    {
        var vars = ModelTree.NewDict();
        vars["f64"] = new NdArray("float64", [2, 3], [double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 5e-324, double.MaxValue]);
        vars["f32"] = new NdArray("float32", [2], [(float)0.1, float.Epsilon]);
        vars["i32"] = new NdArray("int32", [3], [-1, 0, int.MaxValue]);
        vars["b"] = new NdArray("bool", [2, 1], [1, 0]);
        vars["zero_d"] = new NdArray("float64", [], [1e-05]);
        vars["empty"] = new NdArray("float64", [2, 0], []);
        vars["none"] = null;
        var tree = ModelTree.NewDict();
        tree["@variables"] = vars;
        tree["numbers"] = new List<object?> { 1e16, 1e15, 1e-05, 0.0001, 123.0, -2.5e-300, 0.1 + 0.2, long.MinValue, 0L };
        tree["strings"] = new List<object?>
        {
            "", "1", "1.5", "1e5", "true", "yes", "Off", "null", "~", "y", "0x1F", "2024-11-12", " lead", "trail ", "a: b", "#c", "@x",
            "- item", "[x]", "{y}", "multi\nline", "quote\"back\\slash", "tab\there", "üñíçødé", "\u2028", "tanh", "float64",
        };
        tree["nested"] = new List<object?> { new List<object?>(), ModelTree.NewDict(), new List<object?> { new List<object?> { 1L } }, null };
        var path = Path.Combine(_dir, "special.yml");
        YamlModelFormat.Save(path, tree);
        var back = YamlModelFormat.Load(path);
        TreeAssert.AreEqual(tree, back);

        var text = File.ReadAllText(path);
        Assert.That(text, Does.Contain("- 1.0e+16\n"));
        Assert.That(text, Does.Contain("- 1000000000000000.0\n"));
        Assert.That(text, Does.Contain("- 1.0e-05\n"));
        Assert.That(text, Does.Contain("- 0.30000000000000004\n"));
        Assert.That(text, Does.Contain("- .nan\n"));
        Assert.That(text, Does.Contain("- -.inf\n"));
        Assert.That(text, Does.Contain("dtype: float32\n"));
    }

    [Test]
    public void Load_SyntaxError_NamesFileAndLine()
    {
        var path = WriteText("broken.yaml", "model:\n  descriptor: [1, 2\n  fitting: {a: 1}\n");
        var e = Assert.Throws<UserInputException>(() => YamlModelFormat.Load(path))!;
        Assert.That(e.Message, Does.StartWith(path));
        Assert.That(e.File, Is.EqualTo(path));
        Assert.That(e.Line, Is.Not.Null);
    }

    [Test]
    public void Load_TruncatedModel_Throws()
    {
        var text = File.ReadAllText(TestModels.SeA);
        var path = WriteText("cut.yaml", text[..(text.Length / 2)] + "\n  - [unclosed\n");
        var e = Assert.Throws<UserInputException>(() => YamlModelFormat.Load(path))!;
        Assert.That(e.Message, Does.Contain(path));
    }

    /// <summary>Issue 16 item 12: a model cut short inside an array was reported as "nested lists are ragged".</summary>
    [TestCase(3, false)]
    [TestCase(2, false)]
    [TestCase(3, true)]
    public void Load_FileCutInsideAnArray_SaysTruncated(int fraction, bool atLineEnd)
    {
        var text = File.ReadAllText(TestModels.SeA);
        var cut = text[..(text.Length / fraction)];
        if (atLineEnd) cut = cut[..(cut.LastIndexOf('\n') + 1)];
        var path = WriteText("cut.yaml", cut);
        var e = Assert.Throws<UserInputException>(() => YamlModelFormat.Load(path))!;
        Assert.That(e.Message, Does.StartWith(path));
        Assert.That(e.Message, Does.Contain("truncated").And.Contain("ends early"));
        Assert.That(e.Message, Does.Not.StartWith(path + ":" + "x").And.Not.Contain("not a valid array"));
    }

    [TestCase("- a\n- b\n", "not a mapping")]
    [TestCase("", "empty")]
    [TestCase("x: !!python/tuple [1, 2]\n", "unsupported YAML tag")]
    [TestCase("x: {\"@class\": np.ndarray, \"@is_variable\": true, dtype: float64, value: [[1.0], [2.0, 3.0]]}\n", "ragged")]
    [TestCase("x: {\"@class\": np.ndarray, \"@is_variable\": true, dtype: complex128, value: [1.0]}\n", "complex128")]
    [TestCase("x: {\"@class\": np.ndarray, \"@is_variable\": true, dtype: float64, value: [a]}\n", "non-number")]
    [TestCase("x: {\"@class\": np.ndarray, \"@is_variable\": true, value: [1.0]}\n", "dtype")]
    [TestCase("a: 1\n---\nb: 2\n", "more than one document")]
    [TestCase("a: *nothing\n", "nothing")]
    public void Load_BadContent_ThrowsUserInputException(string text, string expected)
    {
        var path = WriteText("bad.yaml", text);
        var e = Assert.Throws<UserInputException>(() => YamlModelFormat.Load(path))!;
        Assert.That(e.Message, Does.Contain(path));
        Assert.That(e.Message, Does.Contain(expected));
    }

    [Test]
    public void Load_MissingFile_Throws()
    {
        var path = Path.Combine(_dir, "absent.yaml");
        var e = Assert.Throws<UserInputException>(() => YamlModelFormat.Load(path))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain("not found"));
    }
}
