namespace DeepMD.Sharp.Training.Model;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Descriptors;
using DeepMD.Sharp.Models.Networks;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>Builds a trainable model from a loaded <see cref="DeepPotModel"/> (for --init-model / --finetune).</summary>
public static class ModelImporter
{
    /// <summary>
    /// Copies weights, davg/dstd and the energy bias (bias_atom_e + out_bias) of an se_e2_a energy model; the
    /// hyper-parameters come from the file.
    /// </summary>
    public static SeAEnergyModel FromModel(DeepPotModel m, string source, long seed)
    {
        var d = m.Descriptor;
        if (d is not (SeE2ASpec or SeE2RSpec)) throw new UserInputException($"only se_e2_a and se_e2_r models can be trained further, this one is {d.TypeName}", source);
        if (d is SeE2ASpec { IsCompressed: true }) throw new UserInputException("the model is compressed; start from the uncompressed model", source);
        var f = m.Fitting;
        if (f.MixedTypes || f.FparamCount > 0 || f.AparamCount > 0 || d.ExcludeTypes.Count > 0 || m.PairExcludeTypes.Count > 0 || m.AtomExcludeTypes.Length > 0 || d.EnvProtection != 0)
            throw new UserInputException("models with fparam/aparam, exclusions, env_protection or mixed-type fitting cannot be trained by dpsharp yet", source);
        if (d.Embeddings.Any(e => e is null) || f.Nets.Any(n => n is null))
            throw new UserInputException("the model has missing (null) networks", source);
        var fitNet = f.Nets[0]!;
        var config = new SeAModelConfig
        {
            TypeMap = m.TypeMap.Names.ToArray(),
            Rcut = d.Rcut,
            RcutSmooth = d.RcutSmooth,
            Sel = d.Sel.ToArray(),
            Neuron = d.Neuron.ToArray(),
            AxisNeuron = d is SeE2ASpec a ? a.AxisNeuron : 4,
            DescriptorType = d is SeE2RSpec ? "se_e2_r" : "se_e2_a",
            TypeOneSide = d.TypeOneSide,
            DescriptorResnetDt = d.Embeddings.Any(e => e!.Layers.Any(l => l.Timestep is not null)),
            DescriptorActivation = d.Embeddings[0]!.Layers[0].Activation.Name,
            FittingNeuron = fitNet.Layers.Take(fitNet.Layers.Count - 1).Select(l => l.OutputSize).ToArray(),
            FittingResnetDt = f.Nets.Any(n => n!.Layers.Any(l => l.Timestep is not null)),
            FittingActivation = fitNet.Layers[0].Activation.Name,
            Seed = seed,
        };
        var model = new SeAEnergyModel(config);
        for (var k = 0; k < model.Embeddings.Length; k++) model.Embeddings[k] = Convert(d.Embeddings[k]!);
        for (var k = 0; k < model.Fittings.Length; k++) model.Fittings[k] = Convert(f.Nets[k]!);
        model.Davg = d.Davg.ToArray();
        model.Dstd = d.Dstd.ToArray();
        model.OutBias = Enumerable.Range(0, config.TypeCount).Select(t => f.BiasAtomE[t] + m.OutBias[t]).ToArray();
        return model;
    }

    internal static TrainableNetwork Convert(NeuralNetwork net) => new(net.Layers.Select(l => new TrainableLayer(
        Param(l.Weights, l.InputSize, l.OutputSize), l.Bias is null ? null : Param(l.Bias, l.OutputSize),
        l.Timestep is null ? null : Param(l.Timestep, l.OutputSize), l.Activation.Name, l.Resnet)).ToList());

    internal static Parameter Param(double[] values, params long[] shape) => new(tensor(values.ToArray(), dtype: float64).reshape(shape));
}
