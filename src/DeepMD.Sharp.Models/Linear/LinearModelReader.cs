namespace DeepMD.Sharp.Models.Linear;

using System.Globalization;
using DeepMD.Sharp.Models.Loading;
using DeepMD.Sharp.Models.Serialization;

/// <summary>
/// Reads DeePMD-kit's composite energy models from the model dict: <c>zbl</c> (DPZBLLinearEnergyAtomicModel, Model
/// @version 2) and <c>linear</c>/<c>linear_ener</c> (LinearEnergyAtomicModel, @version 2–3), each with one standard DP
/// sub-model and one <c>pairtab</c> sub-model.
/// </summary>
public static class LinearModelReader
{
    /// <summary>Whether <paramref name="modelType"/> is one of the composite types read here.</summary>
    public static bool Handles(string modelType) => modelType is "zbl" or "linear" or "linear_ener";

    public static DeepPotModel Read(Dictionary<string, object?> root, ModelNode top, ModelNode model, string file)
    {
        var type = model["type"].AsString();
        var kind = type == "zbl" ? LinearKind.Zbl : LinearKind.Linear;
        if (kind == LinearKind.Zbl) ModelReader.CheckClass(model, "Model", 2, 2);
        else ModelReader.CheckClass(model, "Model", 2, 3);
        var typeMap = model["type_map"].AsStringArray();
        var nt = typeMap.Length;
        foreach (var key in new[] { "atom_exclude_types", "pair_exclude_types" })
            if (model.Optional(key).Value is List<object?> { Count: > 0 })
                throw model[key].Error($"{key} on a {type} model is not supported yet");

        var subs = model["models"].AsList();
        if (subs.Count != 2)
            throw model["models"].Error($"a {type} model here needs exactly two sub-models (a DP model and a pairtab model), found {subs.Count}");
        int dpIndex = -1, tabIndex = -1;
        for (var k = 0; k < 2; k++)
        {
            var st = subs[k].Optional("type").AsString("standard");
            if (st == "standard" && dpIndex < 0) dpIndex = k;
            else if (st == "pairtab" && tabIndex < 0) tabIndex = k;
            else throw subs[k]["type"].Error($"sub-model type '{st}' is not supported here; a {type} model needs one standard (DP) and one pairtab sub-model");
        }
        if (kind == LinearKind.Zbl && dpIndex != 0)
            throw model["models"].Error("a zbl model's first sub-model must be the DP model and its second the pairtab model");

        var dp = ModelReader.ReadStandard(root, top, subs[dpIndex], file);
        if (!dp.TypeMap.Names.SequenceEqual(typeMap))
            throw subs[dpIndex]["type_map"].Error($"the DP sub-model's type map [{string.Join(", ", dp.TypeMap.Names)}] differs from the model's [{string.Join(", ", typeMap)}]; sub-models with their own type maps are not supported");
        // DeePMD-kit's linear model calls each sub-model's forward_atomic: the sub-model's out_bias and model-level pair
        // exclusions are not applied (its atom exclusions live on in its fitting's exclude_types).
        var dpPart = new DeepPotModel(dp.TypeMap, dp.Descriptor, dp.Fitting, new double[nt], dp.AtomExcludeTypes, [], file)
        {
            Coverage = dp.Coverage,
            MinNeighborDistance = dp.MinNeighborDistance,
        };

        var tabNode = subs[tabIndex];
        ModelReader.CheckClass(tabNode, "Model", 2, 2);
        var tabTypes = tabNode["type_map"].AsStringArray();
        if (!tabTypes.SequenceEqual(typeMap))
            throw tabNode["type_map"].Error($"the pairtab sub-model's type map [{string.Join(", ", tabTypes)}] differs from the model's [{string.Join(", ", typeMap)}]");
        var rcut = tabNode["rcut"].AsDouble();
        if (!(rcut > 0)) throw tabNode["rcut"].Error($"rcut must be positive, found {rcut}");
        var selNode = tabNode["sel"];
        var sel = selNode.Value is List<object?> ? selNode.AsIntArray().Sum() : selNode.AsInt();
        var table = PairTable.FromNode(tabNode["tab"], rcut);
        if (table.TypeCount != nt)
            throw tabNode["tab"].Error($"the table has {table.TypeCount} types, the type map {nt}");

        var composition = new LinearComposition
        {
            Kind = kind,
            DpPart = dpPart,
            PairTable = table,
            TableSel = sel,
            DpIndex = dpIndex,
        };
        if (kind == LinearKind.Zbl)
        {
            var rmin = model["sw_rmin"].AsDouble();
            var rmax = model["sw_rmax"].AsDouble();
            var alphaNode = model.Optional("smin_alpha");
            var alpha = alphaNode.IsNull ? 0.1 : alphaNode.AsDouble();
            if (!(rmax > rmin)) throw model["sw_rmax"].Error($"sw_rmax ({rmax}) must be greater than sw_rmin ({rmin})");
            if (!(alpha > 0)) throw model["smin_alpha"].Error($"smin_alpha must be positive, found {alpha}");
            composition = composition with { SwRmin = rmin, SwRmax = rmax, SminAlpha = alpha, WeightsText = "zbl switch" };
        }
        else
        {
            var w = model.Optional("weights");
            double[] weights;
            string text;
            if (w.IsNull || w.Value is string)
            {
                text = w.IsNull ? "mean" : w.AsString();
                weights = text switch
                {
                    "sum" => [1, 1],
                    "mean" => [0.5, 0.5],
                    _ => throw w.Error($"weights '{text}' is not supported; use \"sum\", \"mean\" or one number per sub-model"),
                };
            }
            else
            {
                weights = w.AsList().Select(n => n.AsDouble()).ToArray();
                if (weights.Length != 2) throw w.Error($"weights needs one number per sub-model (2), found {weights.Length}");
                text = "[" + string.Join(", ", weights.Select(x => x.ToString("R", CultureInfo.InvariantCulture))) + "]";
            }
            composition = composition with { DpWeight = weights[dpIndex], TableWeight = weights[tabIndex], WeightsText = text };
        }

        var outBias = new double[nt];
        var ob = model.Optional("@variables").Optional("out_bias");
        if (!ob.IsNull)
        {
            var a = ob.AsArray(-1, nt, -1);
            if (a.Shape[2] != 1) throw ob.Error("energy models need out_bias of shape [1, ntypes, 1]");
            Array.Copy(a.Data, outBias, nt);
        }
        return new DeepPotModel(dp.TypeMap, dp.Descriptor, dp.Fitting, outBias, [], [], file)
        {
            Linear = composition,
            Coverage = dp.Coverage,
            MinNeighborDistance = dp.MinNeighborDistance,
        };
    }
}
