namespace DeepMD.Sharp.Models.Compression;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Models.Descriptors;
using DeepMD.Sharp.Models.Loading;
using DeepMD.Sharp.Models.Serialization;

/// <summary>
/// <c>dp compress</c> on a model dictionary: tabulates the se_e2_a embedding nets and stores the tables in DeePMD-kit's
/// Descriptor v3 <c>compress</c> block (plus <c>@variables/min_nbor_dist</c> at the top), so the file stays a DeePMD-kit model.
/// </summary>
public static class ModelCompressor
{
    /// <summary>Compression settings (DeePMD-kit's defaults).</summary>
    public sealed record Settings
    {
        /// <summary>Fine grid stride (dp compress --step).</summary>
        public double Stride0 { get; init; } = 0.01;

        /// <summary>Range multiplier of the coarse grid (dp compress --extrapolate).</summary>
        public double Extrapolate { get; init; } = 5;

        /// <summary>Overflow check frequency stored in the table info (dp compress --frequency).</summary>
        public int CheckFrequency { get; init; } = -1;

        /// <summary>Smallest neighbor distance in the training data, Å; null to take the model's stored value.</summary>
        public double? MinNeighborDistance { get; init; }
    }

    /// <summary>
    /// Adds the tables to <paramref name="tree"/> (changed in place) and returns the compressed model read back from it,
    /// so that what is evaluated is exactly what the file holds (float32 models store float32 tables).
    /// </summary>
    public static DeepPotModel Compress(Dictionary<string, object?> tree, string file, Settings settings)
    {
        var model = ModelReader.FromTree(tree, file);
        if (model.Linear is not null)
            throw new UserInputException("compressing a composite (zbl or linear) model is not supported; compress its DP model, then dpsharp combine it with the table", file);
        var d = model.Descriptor;
        if (d is not (SeE2ASpec or SeE2RSpec))
            throw new UserInputException($"compression is implemented for se_e2_a and se_e2_r models; this one is {model.Descriptor.TypeName}", file);
        if (d.IsCompressed) throw new UserInputException("the model is already compressed", file);
        var root = new ModelNode(tree, file);
        var modelDict = (root.Has("model") ? root["model"] : root).AsDict();
        var vars = root.Optional("@variables");
        var dmin = settings.MinNeighborDistance;
        if (dmin is null && !vars.IsNull && !vars.Optional("min_nbor_dist").IsNull) dmin = vars["min_nbor_dist"].AsDouble();
        if (dmin is null)
            throw new UserInputException(
                "the model does not store min_nbor_dist (the smallest neighbor distance of its training data); pass it with --min-nbor-dist (Å)", file);

        var tables = TableBuilder.Build(d, dmin.Value, settings.Stride0, 10 * settings.Stride0, settings.Extrapolate, settings.CheckFrequency);
        var descriptor = (Dictionary<string, object?>)modelDict["descriptor"]!;
        var dtype = ((NdArray)((Dictionary<string, object?>)descriptor["@variables"]!)["davg"]!).DType;
        var data = new List<object?>();
        var info = new List<object?>();
        foreach (var t in tables)
        {
            if (t is null)
            {
                data.Add(new NdArray(dtype, [0], []));
                info.Add(new NdArray(dtype, [0], []));
                continue;
            }
            data.Add(new NdArray(dtype, [t.SplineCount, 6 * t.Channels], Round(t.Data, dtype)));
            info.Add(new NdArray(dtype, [6], Round(t.Info, dtype)));
        }
        if (d is SeE2ASpec) descriptor["@version"] = 3L; // se_e2_a's Descriptor v3 carries the block; se_r keeps its version
        var compress = ModelTree.NewDict();
        var compressVars = ModelTree.NewDict();
        compressVars["compress_data"] = data;
        compressVars["compress_info"] = info;
        compress["@variables"] = compressVars;
        descriptor["compress"] = compress;
        if (tree.GetValueOrDefault("@variables") is not Dictionary<string, object?> top)
        {
            top = ModelTree.NewDict();
            tree["@variables"] = top;
        }
        top["min_nbor_dist"] = new NdArray("float64", [], [dmin.Value]);
        return ModelReader.FromTree(tree, file);
    }

    private static double[] Round(double[] values, string dtype) =>
        dtype == "float32" ? values.Select(v => (double)(float)v).ToArray() : values;
}
