namespace DeepMD.Sharp.Training.Model;

using DeepMD.Sharp.Core.Errors;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// Fine-tuning onto a smaller or reordered type map: keeps the per-type pieces of the listed types of a trained
/// se_e2_a model (embedding nets, fitting nets, davg/dstd rows and neighbor-slot blocks, sel, energy bias) in the new
/// order and drops the rest.
/// </summary>
/// <remarks>
/// The descriptor is divided by Σ sel, so D = T·T&lt;ᵀ scales with 1/(Σ sel)²; dropping neighbor blocks shrinks Σ sel,
/// which the first fitting layer absorbs (its weights are multiplied by (Σ sel_new / Σ sel_old)²). The blocks of a
/// dropped neighbor type hold only padding on structures without that type, and padding contributes
/// G(−davg/dstd)·(−davg/dstd); that is zero when davg is zero in those blocks (<c>set_davg_zero</c>), and then the
/// selected model gives exactly the energies of the original on structures made of the kept types.
/// <see cref="PaddingResidual"/> reports how far from that a model is.
/// </remarks>
public static class TypeMapSelection
{
    /// <summary>
    /// Returns a model over <paramref name="typeMap"/> (names that must all be in the model's type map, in any order).
    /// The returned model shares no tensors with <paramref name="model"/>.
    /// </summary>
    public static SeAEnergyModel Select(SeAEnergyModel model, IReadOnlyList<string> typeMap, string? source = null)
    {
        var c = model.Config;
        var old = c.TypeMap;
        if (typeMap.Count == 0) throw new UserInputException("the new type_map is empty", source);
        if (typeMap.Distinct().Count() != typeMap.Count) throw new UserInputException($"the new type_map [{string.Join(", ", typeMap)}] repeats a name", source);
        var map = new int[typeMap.Count];
        for (var t = 0; t < typeMap.Count; t++)
        {
            map[t] = Array.IndexOf(old, typeMap[t]);
            if (map[t] < 0)
                throw new UserInputException(
                    $"type '{typeMap[t]}' of the new type_map is not in the model's type_map [{string.Join(", ", old)}]; " +
                    "an se_e2_a model can only keep or reorder its types", source);
        }
        var nt = typeMap.Count;
        var sel = map.Select(t => c.Sel[t]).ToArray();
        var config = c with { TypeMap = typeMap.ToArray(), Sel = sel, DefinitionJson = null };
        var result = new SeAEnergyModel(config);
        for (var t = 0; t < (c.TypeOneSide ? nt : nt * nt); t++)
        {
            var oldIndex = c.TypeOneSide ? map[t] : map[t % nt] + c.TypeCount * map[t / nt];
            result.Embeddings[t] = Copy(model.Embeddings[oldIndex], 1.0);
        }
        var ratio = (double)config.SlotCount / c.SlotCount;
        var first = model.Fittings[0].Layers[0];
        if (ratio != 1 && first.Resnet && (first.OutputSize == first.InputSize || first.OutputSize == 2 * first.InputSize))
            throw new UserInputException("the first fitting layer is residual, so dropping neighbor types cannot be absorbed by its weights; keep all types", source);
        // se_e2_a's descriptor is quadratic in 1/Σsel, se_e2_r's linear.
        for (var t = 0; t < nt; t++) result.Fittings[t] = Copy(model.Fittings[map[t]], c.Radial ? ratio : ratio * ratio);

        var oldOffsets = Offsets(c.Sel);
        var cols = c.EnvColumns;
        var davg = new double[nt * config.SlotCount * cols];
        var dstd = new double[nt * config.SlotCount * cols];
        for (var ti = 0; ti < nt; ti++)
        {
            var s = 0;
            foreach (var tt in map)
            {
                var from = (map[ti] * c.SlotCount + oldOffsets[tt]) * cols;
                var to = (ti * config.SlotCount + s) * cols;
                Array.Copy(model.Davg, from, davg, to, c.Sel[tt] * cols);
                Array.Copy(model.Dstd, from, dstd, to, c.Sel[tt] * cols);
                s += c.Sel[tt];
            }
        }
        result.Davg = davg;
        result.Dstd = dstd;
        result.OutBias = map.Select(t => model.OutBias[t]).ToArray();
        return result;
    }

    /// <summary>
    /// The largest |davg/dstd| of the radial column over the neighbor blocks of the types not in
    /// <paramref name="typeMap"/>, for center types in it: 0 means <see cref="Select"/> preserves energies exactly.
    /// </summary>
    public static double PaddingResidual(SeAEnergyModel model, IReadOnlyList<string> typeMap)
    {
        var c = model.Config;
        var offsets = Offsets(c.Sel);
        var max = 0.0;
        for (var ti = 0; ti < c.TypeCount; ti++)
        {
            if (!typeMap.Contains(c.TypeMap[ti])) continue;
            for (var tt = 0; tt < c.TypeCount; tt++)
            {
                if (typeMap.Contains(c.TypeMap[tt])) continue;
                for (var s = offsets[tt]; s < offsets[tt] + c.Sel[tt]; s++)
                {
                    var k = (ti * c.SlotCount + s) * c.EnvColumns;
                    max = Math.Max(max, Math.Abs(model.Davg[k] / model.Dstd[k]));
                }
            }
        }
        return max;
    }

    private static int[] Offsets(int[] sel)
    {
        var o = new int[sel.Length + 1];
        for (var t = 0; t < sel.Length; t++) o[t + 1] = o[t] + sel[t];
        return o;
    }

    /// <summary>Deep copy of a network; the first layer's weights are multiplied by <paramref name="firstWeightScale"/>.</summary>
    private static TrainableNetwork Copy(TrainableNetwork net, double firstWeightScale) => TorchGcGuard.Run(() =>
        new TrainableNetwork(net.Layers.Select((l, k) => new TrainableLayer(
            Clone(l.W, k == 0 ? firstWeightScale : 1.0)!, Clone(l.B, 1.0), Clone(l.Idt, 1.0), l.Activation, l.Resnet)).ToList()));

    private static Parameter? Clone(Parameter? p, double scale)
    {
        if (p is null) return null;
        using var d = p.detach();
        using var s = tensor(scale, dtype: float64);
        return new Parameter(d.mul(s));
    }
}
