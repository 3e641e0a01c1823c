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
        if (d is not (SeE2ASpec or SeE2RSpec or SeAttenSpec))
            throw new UserInputException($"compression is implemented for se_e2_a, se_e2_r, se_atten and se_atten_v2 models; this one is {model.Descriptor.TypeName}", file);
        if (d.IsCompressed) throw new UserInputException("the model is already compressed", file);
        var root = new ModelNode(tree, file);
        var modelDict = (root.Has("model") ? root["model"] : root).AsDict();
        var vars = root.Optional("@variables");
        var dmin = settings.MinNeighborDistance;
        if (dmin is null && !vars.IsNull && !vars.Optional("min_nbor_dist").IsNull) dmin = vars["min_nbor_dist"].AsDouble();
        // DeePMD-kit's dp compress and training write it as a top-level key of the .dp dict.
        if (dmin is null && !root.Optional("min_nbor_dist").IsNull) dmin = root["min_nbor_dist"].AsDouble();
        if (dmin is null)
            throw new UserInputException(
                "the model does not store min_nbor_dist (the smallest neighbor distance of its training data); pass it with --min-nbor-dist (Å)", file);

        if (d is SeAttenSpec attention)
        {
            CompressSeAtten(modelDict, attention.Block, dmin.Value, settings);
            SetMinNeighborDistance(tree, dmin.Value);
            return ModelReader.FromTree(tree, file);
        }
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
        SetMinNeighborDistance(tree, dmin.Value);
        return ModelReader.FromTree(tree, file);
    }

    private static void SetMinNeighborDistance(Dictionary<string, object?> tree, double dmin)
    {
        if (tree.GetValueOrDefault("@variables") is not Dictionary<string, object?> top)
        {
            top = ModelTree.NewDict();
            tree["@variables"] = top;
        }
        top["min_nbor_dist"] = new NdArray("float64", [], [dmin]);
    }

    /// <summary>
    /// DPA-1 in strip mode, as dpa1.py's <c>enable_compression</c> + <c>serialize</c> store it (Descriptor @version 3, a
    /// <c>compress</c> block): the type net's output for every type pair (<c>type_embd_data</c>, padding row included) and,
    /// only without attention layers (<c>geo_compress</c>), one table of the radial net.
    /// </summary>
    private static void CompressSeAtten(Dictionary<string, object?> modelDict, SeAttenBlock b, double dmin, Settings settings)
    {
        if (b.Mode != TebdInputMode.Strip)
            throw new UserInputException("se_atten is compressed only with tebd_input_mode strip (as DeePMD-kit's dp compress); this model uses concat");
        var descriptor = (Dictionary<string, object?>)modelDict["descriptor"]!;
        var dtype = ((NdArray)((Dictionary<string, object?>)descriptor["@variables"]!)["davg"]!).DType;
        var compressVars = ModelTree.NewDict();
        var rows = b.StripTable!.Length / b.EmbeddingWidth;
        compressVars["type_embd_data"] = new NdArray(dtype, [rows, b.EmbeddingWidth], Round(b.StripTable, dtype));
        var geo = b.AttentionLayers.Count == 0;
        if (geo)
        {
            var t = TableBuilder.BuildSeAtten(b, dmin, settings.Stride0, 10 * settings.Stride0, settings.Extrapolate, settings.CheckFrequency);
            compressVars["compress_data"] = new List<object?> { new NdArray(dtype, [t.SplineCount, 6 * t.Channels], Round(t.Data, dtype)) };
            compressVars["compress_info"] = new List<object?> { new NdArray(dtype, [6], Round(t.Info, dtype)) };
        }
        var compress = ModelTree.NewDict();
        compress["@variables"] = compressVars;
        compress["geo_compress"] = geo;
        descriptor["compress"] = compress;
        descriptor["@version"] = 3L;
    }

    private static double[] Round(double[] values, string dtype) =>
        dtype == "float32" ? values.Select(v => (double)(float)v).ToArray() : values;
}
