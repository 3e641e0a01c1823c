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
        var d = Root().Dict("model").Dict("descriptor");
        Assert.That(d.Path, Is.EqualTo("model/descriptor"));
        Assert.That(d.Longs("sel"), Is.EqualTo(new long[] { 46, 92 }));
        Assert.That(d.Doubles("sel"), Is.EqualTo(new double[] { 46, 92 }));
        Assert.That(d.Double("rcut"), Is.EqualTo(6.0), "an integer is accepted where a number is expected");
        Assert.That(d.Long("rcut"), Is.EqualTo(6L));
        Assert.That(d.Double("rcut_smth"), Is.EqualTo(0.5));
        Assert.That(d.String("type"), Is.EqualTo("se_e2_a"));
        Assert.That(d.Bool("resnet_dt"), Is.False);
        Assert.That(d.Has("spin"), Is.False);
        Assert.That(d.DictOrNull("spin"), Is.Null);
        Assert.That(d.DictList("networks")[1], Is.Null);
        Assert.That(d.DictList("networks")[0]!.Path, Is.EqualTo("model/descriptor/networks/0"));
        Assert.That(d.Dict("@variables").Array("davg").Data[0], Is.EqualTo(0.5));
        Assert.That(d.Dict("@variables").ArrayOrNull("idt"), Is.Null);
        Assert.That(d.GetOrDefault("env_protection", 0.25), Is.EqualTo(0.25));
        Assert.That(d.GetOrDefault("spin", "none"), Is.EqualTo("none"));
        Assert.That(d.GetOrDefault("rcut_smth", 1.0), Is.EqualTo(0.5));
    }

    [Test]
    public void MissingKey_NamesFileAndPath()
    {
        var d = Root().Dict("model").Dict("descriptor");
        var e = Assert.Throws<UserInputException>(() => d.Longs("neuron"))!;
        Assert.That(e.Message, Does.StartWith("water.dp: key 'model/descriptor/neuron' is missing"));
        Assert.That(e.File, Is.EqualTo("water.dp"));
    }

    [Test]
    public void WrongType_SaysWhatWasExpectedAndFound()
    {
        var d = Root().Dict("model").Dict("descriptor");
        Assert.That(Assert.Throws<UserInputException>(() => d.Long("rcut_smth"))!.Message,
            Is.EqualTo("water.dp: key 'model/descriptor/rcut_smth' should be an integer but is the number 0.5"));
        Assert.That(Assert.Throws<UserInputException>(() => d.Dict("type"))!.Message,
            Does.Contain("should be a dictionary but is the string 'se_e2_a'"));
        Assert.That(Assert.Throws<UserInputException>(() => d.Strings("sel"))!.Message,
            Does.Contain("'model/descriptor/sel' should be a list of strings"));
        Assert.That(Assert.Throws<UserInputException>(() => d.String("spin"))!.Message,
            Does.Contain("'model/descriptor/spin' is null"));
        Assert.That(Assert.Throws<UserInputException>(() => d.GetOrDefault("type", 1L))!.Message,
            Does.Contain("should be an integer"));
    }
}
