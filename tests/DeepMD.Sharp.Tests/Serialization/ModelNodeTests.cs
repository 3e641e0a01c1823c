namespace DeepMD.Sharp.Tests.Serialization;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Models.Serialization;

[TestFixture]
public class ModelNodeTests
{
    private static ModelNode Root()
    {
        var descriptor = ModelTree.NewDict();
        descriptor["sel"] = new List<object?> { 46L, 92L };
        descriptor["rcut"] = 6L;
        descriptor["rcut_smth"] = 0.5;
        descriptor["type"] = "se_e2_a";
        descriptor["type_map"] = new List<object?> { "O", "H" };
        descriptor["resnet_dt"] = false;
        descriptor["spin"] = null;
        descriptor["networks"] = new List<object?> { ModelTree.NewDict(), null };
        descriptor["@variables"] = new Dictionary<string, object?> { ["davg"] = new NdArray("float64", [1], [0.5]), ["idt"] = null };
        var model = ModelTree.NewDict();
        model["descriptor"] = descriptor;
        var root = ModelTree.NewDict();
        root["model"] = model;
        return new ModelNode(root, "water.dp");
    }

    [Test]
    public void TypedGetters_ReturnValues()
    {
        var d = Root()["model"]["descriptor"];
        Assert.That(d.Path, Is.EqualTo("model/descriptor"));
        Assert.That(d.File, Is.EqualTo("water.dp"));
        Assert.That(d["sel"].AsIntArray(), Is.EqualTo(new[] { 46, 92 }));
        Assert.That(d["sel"].AsDoubleArray(), Is.EqualTo(new double[] { 46, 92 }));
        Assert.That(d["type_map"].AsStringArray(), Is.EqualTo(new[] { "O", "H" }));
        Assert.That(d["rcut"].AsDouble(), Is.EqualTo(6.0), "an integer is accepted where a number is expected");
        Assert.That(d["rcut"].AsInt(), Is.EqualTo(6));
        Assert.That(d["rcut_smth"].AsDouble(), Is.EqualTo(0.5));
        Assert.That(d["type"].AsString(), Is.EqualTo("se_e2_a"));
        Assert.That(d["resnet_dt"].AsBool(), Is.False);
        Assert.That(d.Has("spin"), Is.True, "the key is present, with a null value");
        Assert.That(d["spin"].IsNull, Is.True);
        Assert.That(d.Has("env_protection"), Is.False);
        Assert.That(d.Optional("env_protection").IsNull, Is.True);
        Assert.That(d.Optional("env_protection").Path, Is.EqualTo("model/descriptor/env_protection"));
        Assert.That(d["networks"].AsList(), Has.Count.EqualTo(2));
        Assert.That(d["networks"][1].IsNull, Is.True);
        Assert.That(d["networks"][0].AsDict(), Is.Empty);
        Assert.That(d["networks"][0].Path, Is.EqualTo("model/descriptor/networks[0]"));
        Assert.That(d["networks"].AsList()[1].Path, Is.EqualTo("model/descriptor/networks[1]"));
        Assert.That(d["@variables"]["davg"].AsArray(1).Data[0], Is.EqualTo(0.5));
        Assert.That(d["@variables"]["idt"].IsNull, Is.True);
    }

    [Test]
    public void Fallbacks_ApplyOnlyToNullNodes()
    {
        var d = Root()["model"]["descriptor"];
        Assert.That(d.Optional("env_protection").AsDouble(0.25), Is.EqualTo(0.25));
        Assert.That(d.Optional("spin").AsString("none"), Is.EqualTo("none"));
        Assert.That(d.Optional("numb_fparam").AsInt(3), Is.EqualTo(3));
        Assert.That(d.Optional("mixed_types").AsBool(true), Is.True);
        Assert.That(d.Optional("exclude_types").AsIntArray([]), Is.Empty);
        Assert.That(d.Optional("rcut_smth").AsDouble(1.0), Is.EqualTo(0.5));
        Assert.That(d.Optional("sel").AsIntArray([]), Is.EqualTo(new[] { 46, 92 }));
        Assert.That(d["type"].Optional("x").IsNull, Is.True, "Optional on a non-mapping gives a null node");
        Assert.That(Assert.Throws<UserInputException>(() => d.Optional("type").AsInt(1))!.Message,
            Is.EqualTo("water.dp: 'model/descriptor/type': expected an integer, found the string 'se_e2_a'"));
    }

    [Test]
    public void MissingKey_NamesFileAndFullPath()
    {
        var d = Root()["model"]["descriptor"];
        var e = Assert.Throws<UserInputException>(() => d["neuron"].AsIntArray())!;
        Assert.That(e.Message, Does.StartWith("water.dp: 'model/descriptor/neuron': key is missing"));
        Assert.That(e.File, Is.EqualTo("water.dp"));
        Assert.That(Assert.Throws<UserInputException>(() => _ = Root()["descriptor"])!.Message,
            Does.StartWith("water.dp: 'descriptor': key is missing"));
    }

    [Test]
    public void WrongType_SaysWhatWasExpectedAndFound()
    {
        var d = Root()["model"]["descriptor"];
        Assert.That(Assert.Throws<UserInputException>(() => d["rcut_smth"].AsInt())!.Message,
            Is.EqualTo("water.dp: 'model/descriptor/rcut_smth': expected an integer, found the number 0.5"));
        Assert.That(Assert.Throws<UserInputException>(() => _ = d["type"]["x"])!.Message,
            Is.EqualTo("water.dp: 'model/descriptor/type': expected a mapping, found the string 'se_e2_a'"));
        Assert.That(Assert.Throws<UserInputException>(() => d["sel"].AsStringArray())!.Message,
            Is.EqualTo("water.dp: 'model/descriptor/sel[0]': expected a string, found the integer 46"));
        Assert.That(Assert.Throws<UserInputException>(() => d["spin"].AsString())!.Message,
            Is.EqualTo("water.dp: 'model/descriptor/spin': expected a string, found nothing (null)"));
        Assert.That(Assert.Throws<UserInputException>(() => d["resnet_dt"].AsList())!.Message,
            Is.EqualTo("water.dp: 'model/descriptor/resnet_dt': expected a list, found false"));
        Assert.That(Assert.Throws<UserInputException>(() => d["type_map"].AsArray())!.Message,
            Is.EqualTo("water.dp: 'model/descriptor/type_map': expected an array variable, found a list of 2"));
        Assert.That(Assert.Throws<UserInputException>(() => _ = d["networks"][2])!.Message,
            Is.EqualTo("water.dp: 'model/descriptor/networks': has 2 entries, so there is no entry [2]"));
        Assert.That(Assert.Throws<UserInputException>(() => d["@variables"]["davg"].AsArray(2))!.Message,
            Is.EqualTo("water.dp: 'model/descriptor/@variables/davg': array has shape [1], expected [2]"));
        Assert.That(Root().Error("bad").Message, Is.EqualTo("water.dp: top level: bad"));
    }
}
