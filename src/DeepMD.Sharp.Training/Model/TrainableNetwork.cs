namespace DeepMD.Sharp.Training.Model;

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>An embedding or fitting network: a chain of <see cref="TrainableLayer"/>s.</summary>
public sealed class TrainableNetwork(IReadOnlyList<TrainableLayer> layers)
{
    /// <summary>The layers, input first.</summary>
    public IReadOnlyList<TrainableLayer> Layers { get; } = layers;

    /// <summary>DeePMD-kit's EmbeddingNet: in → neuron[0] → …, every layer resnet with the activation.</summary>
    public static TrainableNetwork Embedding(int input, int[] neuron, string activation, bool resnetDt, Generator g)
    {
        var layers = new List<TrainableLayer>();
        var w = input;
        foreach (var m in neuron)
        {
            layers.Add(TrainableLayer.Create(w, m, activation, true, resnetDt, g));
            w = m;
        }
        return new TrainableNetwork(layers);
    }

    /// <summary>DeePMD-kit's FittingNet: an embedding net over <paramref name="neuron"/> plus a linear layer to one output.</summary>
    public static TrainableNetwork Fitting(int input, int[] neuron, string activation, bool resnetDt, Generator g)
    {
        var layers = Embedding(input, neuron, activation, resnetDt, g).Layers.ToList();
        layers.Add(TrainableLayer.Create(neuron.Length > 0 ? neuron[^1] : input, 1, "none", false, false, g));
        return new TrainableNetwork(layers);
    }

    /// <summary>Applies the network.</summary>
    public Tensor Forward(Tensor x)
    {
        foreach (var l in Layers) x = l.Forward(x);
        return x;
    }

    /// <summary>The trainable tensors.</summary>
    public IEnumerable<Parameter> Parameters() => Layers.SelectMany(l => l.Parameters());
}
