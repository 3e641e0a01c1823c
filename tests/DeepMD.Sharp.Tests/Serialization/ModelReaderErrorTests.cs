namespace DeepMD.Sharp.Tests.Serialization;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Models.Loading;
using DeepMD.Sharp.Models.Serialization;

/// <summary>ModelReader's errors about a damaged model tree name the file and the full key path (via <see cref="ModelNode"/>).</summary>
[TestFixture]
public class ModelReaderErrorTests
{
    private static Dictionary<string, object?> Descriptor(Dictionary<string, object?> tree) =>
        (Dictionary<string, object?>)((Dictionary<string, object?>)tree["model"]!)["descriptor"]!;

    private static string ReadError(Action<Dictionary<string, object?>> damage)
    {
        var tree = YamlModelFormat.Load(TestModels.SeA);
        damage(tree);
        return Assert.Throws<UserInputException>(() => ModelReader.FromTree(tree, "model.dp"))!.Message;
    }

    [Test]
    public void UndamagedTree_Loads() =>
        Assert.That(ModelReader.FromTree(YamlModelFormat.Load(TestModels.SeA), "model.dp").TypeMap.Count, Is.EqualTo(2));

    [Test]
    public void WrongValue_NamesFileAndKeyPath() =>
        Assert.That(ReadError(t => Descriptor(t)["sel"] = new List<object?> { 46L, 92L, 1L }),
            Is.EqualTo("model.dp: 'model/descriptor/sel': sel has 3 entries but the type map has 2 types"));

    [Test]
    public void MissingKey_NamesFileAndKeyPath() =>
        Assert.That(ReadError(t => Descriptor(t).Remove("neuron")),
            Does.StartWith("model.dp: 'model/descriptor/neuron': key is missing"));

    [Test]
    public void ListEntries_AreNamedByIndex()
    {
        var message = ReadError(t =>
        {
            var networks = (List<object?>)((Dictionary<string, object?>)Descriptor(t)["embeddings"]!)["networks"]!;
            var layers = (List<object?>)((Dictionary<string, object?>)networks[1]!)["layers"]!;
            ((Dictionary<string, object?>)((Dictionary<string, object?>)layers[2]!)["@variables"]!)["w"] = "oops";
        });
        Assert.That(message, Is.EqualTo(
            "model.dp: 'model/descriptor/embeddings/networks[1]/layers[2]/@variables/w': expected an array variable, found the string 'oops'"));
    }
}
