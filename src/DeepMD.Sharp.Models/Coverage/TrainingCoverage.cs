namespace DeepMD.Sharp.Models.Coverage;

using DeepMD.Sharp.Models.Serialization;

/// <summary>
/// What a model's training data covered, stored in the model file's top-level <c>@variables</c> dict (beside DeePMD-kit's
/// own <c>min_nbor_dist</c>; DeePMD-kit reads only the keys it knows there):
/// <list type="bullet">
/// <item><c>coverage_pair_min_dist</c> float64 [ntypes, ntypes]: the smallest distance between atoms of types a and b
/// in the data, Å (−1: no such pair within rcut);</item>
/// <item><c>coverage_descriptor_min</c>, <c>coverage_descriptor_max</c> float64 [ntypes, descriptor size]: per center
/// type, the range of each descriptor component (the fitting net's input) over the data, as the model computes it;</item>
/// <item><c>coverage_center_count</c> float64 [ntypes]: atoms of each type seen (0: ranges meaningless), and
/// <c>coverage_frame_count</c> float64 scalar: frames;</item>
/// <item><c>coverage_volume_per_atom</c> float64 [2]: the smallest and largest cell volume per atom of the periodic
/// frames, Å³ (absent: not recorded or no periodic frame), and <c>coverage_virial_frame_count</c> float64 scalar: frames
/// with virial labels (absent: not recorded).</item>
/// </list>
/// </summary>
public sealed class TrainingCoverage
{
    public const string PairKey = "coverage_pair_min_dist";
    public const string MinKey = "coverage_descriptor_min";
    public const string MaxKey = "coverage_descriptor_max";
    public const string CountKey = "coverage_center_count";
    public const string FramesKey = "coverage_frame_count";
    public const string VolumeKey = "coverage_volume_per_atom";
    public const string VirialFramesKey = "coverage_virial_frame_count";

    public TrainingCoverage(double[,] pairMinDistance, double[,]? descriptorMin, double[,]? descriptorMax, double[] centerCounts, long frameCount)
    {
        PairMinDistance = pairMinDistance;
        DescriptorMin = descriptorMin;
        DescriptorMax = descriptorMax;
        CenterCounts = centerCounts;
        FrameCount = frameCount;
    }

    public int TypeCount => PairMinDistance.GetLength(0);

    /// <summary>[a, b]: smallest a–b distance in the data, Å; −1 where no such pair was within the cutoff.</summary>
    public double[,] PairMinDistance { get; }

    /// <summary>[center type, component] lower ends of the descriptor ranges, or null when only distances are stored.</summary>
    public double[,]? DescriptorMin { get; }

    /// <summary>[center type, component] upper ends of the descriptor ranges.</summary>
    public double[,]? DescriptorMax { get; }

    /// <summary>Atoms of each type in the data.</summary>
    public double[] CenterCounts { get; }

    public long FrameCount { get; }

    /// <summary>Smallest and largest cell volume per atom of the periodic training frames, Å³; null when not recorded.</summary>
    public (double Min, double Max)? VolumePerAtom { get; init; }

    /// <summary>Training frames with virial labels; null when not recorded.</summary>
    public long? VirialFrames { get; init; }

    /// <summary>Whether descriptor ranges are stored.</summary>
    public bool HasDescriptorRanges => DescriptorMin is not null && DescriptorMax is not null;

    /// <summary>The smallest pair distance over all type pairs seen (DeePMD-kit's min_nbor_dist), or null.</summary>
    public double? GlobalMinDistance
    {
        get
        {
            double? m = null;
            foreach (var d in PairMinDistance)
                if (d >= 0 && (m is null || d < m)) m = d;
            return m;
        }
    }

    /// <summary>
    /// Reads the coverage stored in <paramref name="root"/> (the whole file dict), or null when there is none; checks its
    /// shapes against the model's <paramref name="typeCount"/> and <paramref name="descriptorSize"/>.
    /// </summary>
    public static TrainingCoverage? FromTree(Dictionary<string, object?> root, string file, int typeCount, int descriptorSize)
    {
        var vars = new ModelNode(root, file).Optional("@variables");
        if (vars.IsNull || vars.Optional(PairKey).IsNull) return null;
        var pairs = To2D(vars[PairKey].AsArray(typeCount, typeCount));
        double[,]? min = null, max = null;
        if (!vars.Optional(MinKey).IsNull)
        {
            min = To2D(vars[MinKey].AsArray(typeCount, descriptorSize));
            max = To2D(vars[MaxKey].AsArray(typeCount, descriptorSize));
        }
        var counts = vars.Optional(CountKey).IsNull ? Enumerable.Repeat(1.0, typeCount).ToArray() : vars[CountKey].AsArray(typeCount).Data;
        var frames = vars.Optional(FramesKey).IsNull ? 0 : (long)vars[FramesKey].AsDouble();
        (double, double)? volume = null;
        if (!vars.Optional(VolumeKey).IsNull)
        {
            var v = vars[VolumeKey].AsArray(2).Data;
            volume = (v[0], v[1]);
        }
        long? virialFrames = vars.Optional(VirialFramesKey).IsNull ? null : (long)vars[VirialFramesKey].AsDouble();
        return new TrainingCoverage(pairs, min, max, counts, frames) { VolumePerAtom = volume, VirialFrames = virialFrames };
    }

    /// <summary>Stores the coverage in <paramref name="root"/>'s top-level <c>@variables</c> (created when missing).</summary>
    public void WriteTo(Dictionary<string, object?> root)
    {
        if (root.GetValueOrDefault("@variables") is not Dictionary<string, object?> top)
        {
            top = ModelTree.NewDict();
            root["@variables"] = top;
        }
        top[PairKey] = From2D(PairMinDistance);
        if (HasDescriptorRanges)
        {
            top[MinKey] = From2D(DescriptorMin!);
            top[MaxKey] = From2D(DescriptorMax!);
        }
        else
        {
            top.Remove(MinKey);
            top.Remove(MaxKey);
        }
        top[CountKey] = new NdArray("float64", [CenterCounts.Length], (double[])CenterCounts.Clone());
        top[FramesKey] = new NdArray("float64", [], [FrameCount]);
        if (VolumePerAtom is { } v) top[VolumeKey] = new NdArray("float64", [2], [v.Min, v.Max]);
        else top.Remove(VolumeKey);
        if (VirialFrames is { } vf) top[VirialFramesKey] = new NdArray("float64", [], [vf]);
        else top.Remove(VirialFramesKey);
        if (GlobalMinDistance is { } dmin && !top.ContainsKey("min_nbor_dist")) top["min_nbor_dist"] = new NdArray("float64", [], [dmin]);
    }

    private static double[,] To2D(NdArray a)
    {
        int n = a.Shape[0], m = a.Shape[1];
        var r = new double[n, m];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < m; j++) r[i, j] = a.Data[i * m + j];
        return r;
    }

    private static NdArray From2D(double[,] v)
    {
        int n = v.GetLength(0), m = v.GetLength(1);
        var data = new double[n * m];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < m; j++) data[i * m + j] = v[i, j];
        return new NdArray("float64", [n, m], data);
    }
}
