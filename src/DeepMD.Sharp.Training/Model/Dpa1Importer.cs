namespace DeepMD.Sharp.Training.Model;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Descriptors;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// DPA-1 models for --init-model / --finetune: builds a trainable <see cref="Dpa1EnergyModel"/> from a loaded se_atten
/// model, and selects/reorders its types by name.
/// </summary>
public static class Dpa1Importer
{
    /// <summary>
    /// Copies the type embedding, embedding nets, attention layers, fitting net, davg/dstd and bias (bias_atom_e +
    /// out_bias) of a DPA-1 energy model; the hyper-parameters come from the file. With
    /// <paramref name="descriptorTrainable"/> false the descriptor's tensors are left out of training.
    /// </summary>
    public static Dpa1EnergyModel FromModel(DeepPotModel m, string source, long seed, bool descriptorTrainable)
    {
        if (m.Descriptor is not SeAttenSpec d)
            throw new UserInputException($"the input describes a DPA-1 (se_atten) model, but this model's descriptor is {m.Descriptor.TypeName}", source);
        var b = d.Block;
        if (b.IsCompressed)
            throw new UserInputException("the model is compressed (its nets are partly tables); start from the uncompressed model", source);
        var f = m.Fitting;
        if (!f.MixedTypes || f.Nets.Count() != 1 || f.Nets[0] is null)
            throw new UserInputException("a DPA-1 model needs one mixed-type fitting net", source);
        if (f.FparamCount > 0 || f.AparamCount > 0 || b.ExcludeTypes.Count > 0 || m.PairExcludeTypes.Count > 0 || m.AtomExcludeTypes.Length > 0 || b.EnvProtection != 0)
            throw new UserInputException("models with fparam/aparam, exclusions or env_protection cannot be trained by dpsharp yet", source);
        var fitNet = f.Nets[0]!;
        var config = new Dpa1Config
        {
            TypeMap = m.TypeMap.Names.ToArray(),
            DescriptorType = d.TypeName == "se_atten_v2" ? "se_atten_v2" : "se_atten",
            Rcut = b.Rcut,
            RcutSmooth = b.RcutSmooth,
            Nsel = b.Nsel,
            Neuron = b.Neuron.ToArray(),
            AxisNeuron = b.AxisNeuron,
            TebdDim = b.TypeEmbedding.Dim,
            Strip = b.Mode == TebdInputMode.Strip,
            TypeOneSide = b.TypeOneSide,
            ResnetDt = b.Embedding.Layers.Concat(b.EmbeddingStrip?.Layers ?? []).Any(l => l.Timestep is not null),
            Activation = b.Embedding.Layers[0].Activation.Name,
            Attn = b.AttentionLayers.Count > 0 ? b.AttentionLayers[0].HiddenDim : 128,
            AttnLayer = b.AttentionLayers.Count,
            AttnDotr = b.Dotr,
            // The stored scale on Q, whether it came from a temperature or from (attn·scaling_factor)^(−1/2).
            Temperature = b.AttentionLayers.Count > 0 ? b.AttentionLayers[0].Scale : null,
            Normalize = b.AttentionLayers.Count == 0 || b.AttentionLayers[0].Normalize,
            Smooth = b.Smooth,
            LnEps = b.AttentionLayers.Count > 0 ? b.AttentionLayers[0].Norm.Eps : 1e-5,
            ConcatOutputTebd = d.ConcatOutputTebd,
            UseTebdBias = b.TypeEmbedding.Net.Layers.Any(l => l.Bias is not null),
            SetDavgZero = b.SetDavgZero,
            DescriptorTrainable = descriptorTrainable,
            FittingNeuron = fitNet.Layers.Take(fitNet.Layers.Count - 1).Select(l => l.OutputSize).ToArray(),
            FittingResnetDt = fitNet.Layers.Any(l => l.Timestep is not null),
            FittingActivation = fitNet.Layers[0].Activation.Name,
            Seed = seed,
        };
        var model = new Dpa1EnergyModel(config)
        {
            TypeEmbedding = ModelImporter.Convert(b.TypeEmbedding.Net),
            Embedding = ModelImporter.Convert(b.Embedding),
            EmbeddingStrip = b.EmbeddingStrip is null ? null : ModelImporter.Convert(b.EmbeddingStrip),
            AttentionLayers = b.AttentionLayers.Select(l => TorchGcGuard.Run(() => new TrainableAttentionLayer(
                Layer(l.InProjection), Layer(l.OutProjection), ModelImporter.Param(l.Norm.Gamma, l.Norm.Size),
                ModelImporter.Param(l.Norm.Beta ?? new double[l.Norm.Size], l.Norm.Size)))).ToList(),
            Fitting = ModelImporter.Convert(fitNet),
            Davg = b.Davg.ToArray(),
            Dstd = b.Dstd.ToArray(),
        };
        model.OutBias = Enumerable.Range(0, config.TypeCount).Select(t => f.BiasAtomE[t] + m.OutBias[t]).ToArray();
        return model;
    }

    private static TrainableLayer Layer(DeepMD.Sharp.Models.Networks.DenseLayer l) => new(
        ModelImporter.Param(l.Weights, l.InputSize, l.OutputSize), l.Bias is null ? null : ModelImporter.Param(l.Bias, l.OutputSize),
        l.Timestep is null ? null : ModelImporter.Param(l.Timestep, l.OutputSize), l.Activation.Name, l.Resnet);

    /// <summary>
    /// The model over <paramref name="typeMap"/> (names of the model's types, any subset, any order): the type
    /// embedding's one-hot input rows, davg/dstd rows and biases of the kept types, everything else shared by all types
    /// (embedding, attention, fitting) kept as is. The type embedding rows of the kept types are unchanged, so the
    /// selected model gives the original energies on structures of the kept types exactly. Shares no tensors with the input.
    /// </summary>
    public static Dpa1EnergyModel Select(Dpa1EnergyModel model, IReadOnlyList<string> typeMap, string? source = null)
    {
        var c = model.Config;
        var old = c.TypeMap;
        if (typeMap.Count == 0) throw new UserInputException("the new type_map is empty", source);
        if (typeMap.Distinct().Count() != typeMap.Count) throw new UserInputException($"the new type_map [{string.Join(", ", typeMap)}] repeats a name", source);
        var map = typeMap.Select(n => Array.IndexOf(old, n)).ToArray();
        for (var t = 0; t < map.Length; t++)
            if (map[t] < 0)
                throw new UserInputException($"type '{typeMap[t]}' of the new type_map is not in the model's type_map [{string.Join(", ", old)}]; " +
                    "dpsharp can only keep or reorder a model's types", source);
        var first = model.TypeEmbedding.Layers[0];
        var nt = typeMap.Count;
        if (model.TypeEmbedding.Layers.Count != 1 || first.Idt is not null || first.Activation.ToLowerInvariant() is not ("linear" or "none"))
            throw new UserInputException("the type embedding is not DeePMD-kit's single linear layer, so its rows cannot be selected; keep the model's type_map", source);
        return TorchGcGuard.Run(() =>
        {
            var config = c with { TypeMap = typeMap.ToArray(), DefinitionJson = null };
            using var idx = tensor(map.Select(t => (long)t).ToArray());
            // New one-hot weights W' with e'_t·W' + b + residual(e'_t) = the old table row of type map[t]; the residual
            // (x when tebd_dim = ntypes, [x, x] when 2·ntypes) is that of the new type count, as a reader applies it.
            Tensor rows;
            using (no_grad())
            {
                rows = model.TypeEmbedding.Forward(eye(old.Length, dtype: float64)).index_select(0, idx);
                if (first.B is not null) rows = rows - first.B;
                var td = first.OutputSize;
                if (first.Resnet && td == nt) rows = rows - eye(nt, dtype: float64);
                else if (first.Resnet && td == 2 * nt) rows = rows - cat([eye(nt, dtype: float64), eye(nt, dtype: float64)], 1);
            }
            var layers = new List<TrainableLayer> { new(new Parameter(rows.detach().clone()), Clone(first.B), null, first.Activation, first.Resnet) };
            var block = c.Nsel * 4;
            var davg = new double[nt * block];
            var dstd = new double[nt * block];
            for (var t = 0; t < nt; t++)
            {
                Array.Copy(model.Davg, map[t] * block, davg, t * block, block);
                Array.Copy(model.Dstd, map[t] * block, dstd, t * block, block);
            }
            return new Dpa1EnergyModel(config)
            {
                TypeEmbedding = new TrainableNetwork(layers),
                Embedding = CloneNet(model.Embedding),
                EmbeddingStrip = model.EmbeddingStrip is null ? null : CloneNet(model.EmbeddingStrip),
                AttentionLayers = model.AttentionLayers.Select(l => new TrainableAttentionLayer(CloneLayer(l.InProjection),
                    CloneLayer(l.OutProjection), Clone(l.NormWeight)!, Clone(l.NormBias)!)).ToList(),
                Fitting = CloneNet(model.Fitting),
                Davg = davg,
                Dstd = dstd,
                OutBias = map.Select(t => model.OutBias[t]).ToArray(),
                MinNborDist = model.MinNborDist,
            };
        });
    }

    private static TrainableNetwork CloneNet(TrainableNetwork n) => new(n.Layers.Select(CloneLayer).ToList());

    private static TrainableLayer CloneLayer(TrainableLayer l) => new(Clone(l.W)!, Clone(l.B), Clone(l.Idt), l.Activation, l.Resnet);

    private static Parameter? Clone(Parameter? p) => p is null ? null : new Parameter(p.detach().clone());
}
