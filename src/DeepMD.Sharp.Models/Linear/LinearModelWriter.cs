namespace DeepMD.Sharp.Models.Linear;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Models.Serialization;

/// <summary>
/// Makes the model dict of a composite model from a standard DP model's dict and a pair table, in the layout DeePMD-kit
/// writes (LinearEnergyAtomicModel.serialize as <c>linear</c>, DPZBLLinearEnergyAtomicModel.serialize as <c>zbl</c>): the
/// DP model first, a <c>pairtab</c> model with the DP part's rcut and Σsel second (as DeePMD-kit's <c>use_srtab</c> builds
/// it). The DP model's out_bias moves to the composite (DeePMD-kit's linear model adds only its own), so with weights
/// "sum" the result is the DP model plus the table.
/// </summary>
public static class LinearModelWriter
{
    /// <summary>Combination settings: <see cref="Kind"/>, the weights of a linear model, the switch of a zbl model.</summary>
    public sealed record Settings
    {
        public LinearKind Kind { get; init; } = LinearKind.Linear;

        /// <summary>"sum", "mean", or the two weights (DP, table).</summary>
        public object Weights { get; init; } = "sum";

        public double SwRmin { get; init; }

        public double SwRmax { get; init; }

        public double SminAlpha { get; init; } = 0.1;
    }

    /// <summary>
    /// The whole file dict of the composite: <paramref name="root"/> (a DP model file's dict, read from
    /// <paramref name="file"/>) with its model replaced by the combination with the table read from
    /// <paramref name="tableFile"/> (splines built for the DP model's rcut, as DeePMD-kit does).
    /// </summary>
    public static Dictionary<string, object?> Combine(Dictionary<string, object?> root, string file, string tableFile, Settings settings, out PairTable table)
    {
        var dp = Loading.ModelReader.FromTree(root, file);
        if (dp.Linear is not null) throw new UserInputException("the model is already a composite (zbl or linear) model; combine its DP model instead", file);
        if (dp.AtomExcludeTypes.Length > 0 || dp.PairExcludeTypes.Count > 0)
            throw new UserInputException("the model has model-level atom_exclude_types or pair_exclude_types, which composite models here do not support", file);
        table = PairTable.FromFile(tableFile, dp.Descriptor.Rcut);
        var nt = dp.TypeMap.Count;
        if (table.TypeCount != nt)
            throw new UserInputException($"the table has columns for {table.TypeCount} types, the model's type map [{dp.TypeMap}] has {nt}", tableFile);
        return Combine(root, dp, table, settings);
    }

    /// <summary>As the other overload, with the DP model already read and the table built.</summary>
    public static Dictionary<string, object?> Combine(Dictionary<string, object?> root, DeepPotModel dp, PairTable table, Settings settings)
    {
        var nt = dp.TypeMap.Count;
        var hasModelKey = root.ContainsKey("model");
        var source = (Dictionary<string, object?>)(hasModelKey ? root["model"]! : root);
        var dpDict = new Dictionary<string, object?>(source);
        var dpVars = dpDict.TryGetValue("@variables", out var v) && v is Dictionary<string, object?> vd ? new Dictionary<string, object?>(vd) : new();
        var outBias = dpVars.TryGetValue("out_bias", out var ob) && ob is NdArray oba ? oba : new NdArray("float64", [1, nt, 1], new double[nt]);
        var outStd = dpVars.TryGetValue("out_std", out var os) && os is NdArray osa ? osa : new NdArray("float64", [1, nt, 1], Enumerable.Repeat(1.0, nt).ToArray());
        dpVars["out_bias"] = new NdArray(outBias.DType, outBias.Shape, new double[outBias.Length]);
        dpVars["out_std"] = outStd;
        dpDict["@variables"] = dpVars;
        var typeMap = dp.TypeMap.Names.Select(n => (object?)n).ToList();

        var tab = new Dictionary<string, object?>
        {
            ["type_map"] = typeMap.ToList(),
            ["atom_exclude_types"] = new List<object?>(),
            ["pair_exclude_types"] = new List<object?>(),
            ["rcond"] = null,
            ["preset_out_bias"] = null,
            ["@variables"] = new Dictionary<string, object?>
            {
                ["out_bias"] = new NdArray("float64", [1, nt, 1], new double[nt]),
                ["out_std"] = new NdArray("float64", [1, nt, 1], Enumerable.Repeat(1.0, nt).ToArray()),
            },
            ["@class"] = "Model",
            ["type"] = "pairtab",
            ["@version"] = 2L,
            ["tab"] = table.ToTree(),
            ["rcut"] = table.Rcut,
            ["sel"] = (long)dp.Descriptor.SlotCount,
        };
        var model = new Dictionary<string, object?>
        {
            ["type_map"] = typeMap.ToList(),
            ["atom_exclude_types"] = new List<object?>(),
            ["pair_exclude_types"] = new List<object?>(),
            ["rcond"] = null,
            ["preset_out_bias"] = null,
            ["@variables"] = new Dictionary<string, object?> { ["out_bias"] = outBias, ["out_std"] = outStd },
            ["@class"] = "Model",
        };
        if (settings.Kind == LinearKind.Zbl)
        {
            if (!(settings.SwRmax > settings.SwRmin)) throw new UserInputException($"the zbl switch needs sw_rmin < sw_rmax, got {settings.SwRmin} and {settings.SwRmax}");
            model["@version"] = 2L;
            model["type"] = "zbl";
            model["models"] = new List<object?> { dpDict, tab };
            model["weights"] = "mean"; // what DeePMD-kit writes for zbl (unused: the switch decides)
            model["sw_rmin"] = settings.SwRmin;
            model["sw_rmax"] = settings.SwRmax;
            model["smin_alpha"] = settings.SminAlpha;
        }
        else
        {
            model["@version"] = 3L;
            model["type"] = "linear";
            model["models"] = new List<object?> { dpDict, tab };
            model["weights"] = settings.Weights switch
            {
                string s when s is "sum" or "mean" => s,
                double[] w when w.Length == 2 => w.Select(x => (object?)x).ToList(),
                _ => throw new UserInputException("weights must be \"sum\", \"mean\" or two numbers (DP, table)"),
            };
        }
        var result = new Dictionary<string, object?>(root);
        if (hasModelKey) result["model"] = model;
        else
        {
            result.Clear();
            foreach (var (k, val) in model) result[k] = val;
        }
        return result;
    }
}
