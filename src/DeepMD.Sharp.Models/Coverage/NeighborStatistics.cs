namespace DeepMD.Sharp.Models.Coverage;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Models.Evaluation;

/// <summary>
/// DeePMD-kit's <c>dp neighbor-stat</c> over a set of frames: the smallest neighbor distance, the largest number of
/// neighbors of each type within rcut (what <c>sel</c> must hold), and per type pair the smallest distance.
/// </summary>
public sealed class NeighborStatistics
{
    public NeighborStatistics(int typeCount, double rcut)
    {
        TypeCount = typeCount;
        Rcut = rcut;
        PairMinDistance = new double[typeCount, typeCount];
        for (var a = 0; a < typeCount; a++)
            for (var b = 0; b < typeCount; b++) PairMinDistance[a, b] = double.PositiveInfinity;
        MaxNeighbors = new int[typeCount];
        CenterCounts = new double[typeCount];
    }

    public int TypeCount { get; }

    public double Rcut { get; }

    /// <summary>[a, b]: smallest a–b distance seen within rcut, Å (+∞: none).</summary>
    public double[,] PairMinDistance { get; }

    /// <summary>Per neighbor type: the most neighbors of that type any atom had within rcut.</summary>
    public int[] MaxNeighbors { get; }

    /// <summary>Atoms of each type seen.</summary>
    public double[] CenterCounts { get; }

    public long Frames { get; private set; }

    /// <summary>The smallest distance of any pair (DeePMD-kit's min_nbor_dist), +∞ when no pair was within rcut.</summary>
    public double MinDistance
    {
        get
        {
            var m = double.PositiveInfinity;
            foreach (var d in PairMinDistance) m = Math.Min(m, d);
            return m;
        }
    }

    /// <summary>Adds one frame (model types; <paramref name="box"/> null without periodic boundaries); returns its list.</summary>
    public NeighborList Add(double[] x, double[] y, double[] z, int[] types, Box? box)
    {
        var list = CellListNeighborSearch.Build(x, y, z, box, Rcut);
        Add(types, list);
        return list;
    }

    /// <summary>Adds one frame given its full neighbor list (pairs beyond rcut are ignored).</summary>
    public void Add(int[] types, NeighborList list)
    {
        Frames++;
        var counts = new int[TypeCount];
        var rc2 = Rcut * Rcut;
        for (var i = 0; i < list.CenterCount; i++)
        {
            var ti = types[i];
            CenterCounts[ti]++;
            Array.Clear(counts);
            for (var e = list.Offsets[i]; e < list.Offsets[i + 1]; e++)
            {
                var r2 = list.Dx[e] * list.Dx[e] + list.Dy[e] * list.Dy[e] + list.Dz[e] * list.Dz[e];
                if (r2 > rc2) continue;
                var tj = types[list.Owner[e]];
                counts[tj]++;
                var r = Math.Sqrt(r2);
                if (r < PairMinDistance[ti, tj])
                {
                    PairMinDistance[ti, tj] = r;
                    PairMinDistance[tj, ti] = r;
                }
            }
            for (var t = 0; t < TypeCount; t++) MaxNeighbors[t] = Math.Max(MaxNeighbors[t], counts[t]);
        }
    }
}

/// <summary>
/// Computes a model's <see cref="TrainingCoverage"/> from its training frames: pair minima from the neighbor lists, and
/// descriptor ranges by evaluating the model (with any backend) under a recording <see cref="DescriptorWatch"/>.
/// </summary>
public sealed class CoverageBuilder
{
    private readonly IModelEvaluator _evaluator;
    private readonly EvaluationOptions _options;
    private readonly DescriptorWatch _watch;
    private readonly EvaluationResult _result = new();

    public CoverageBuilder(IModelEvaluator evaluator, EvaluationOptions? options = null)
    {
        _evaluator = evaluator;
        var m = evaluator.Model;
        Statistics = new NeighborStatistics(m.TypeMap.Count, m.Cutoff);
        _watch = DescriptorWatch.Recorder(m.TypeMap.Count, m.Descriptor.OutputSize);
        _options = (options ?? new EvaluationOptions()) with { DescriptorWatch = _watch };
    }

    public NeighborStatistics Statistics { get; }

    private double _volumeMin = double.PositiveInfinity, _volumeMax = double.NegativeInfinity;
    private long _virialFrames;

    /// <summary>Adds a frame (model types); <paramref name="hasVirial"/>: whether the frame has a virial label.</summary>
    public void Add(double[] x, double[] y, double[] z, int[] types, Box? box, bool hasVirial = false)
    {
        if (box is not null && types.Length > 0)
        {
            var v = Math.Abs(box.Volume) / types.Length;
            _volumeMin = Math.Min(_volumeMin, v);
            _volumeMax = Math.Max(_volumeMax, v);
        }
        if (hasVirial) _virialFrames++;
        var list = Statistics.Add(x, y, z, types, box);
        _watch.Reset();
        _evaluator.Evaluate(types, list, _options, _result);
        if (_watch.Observed == 0 && list.CenterCount > 0)
            throw new InvalidOperationException($"backend {_evaluator.Name} does not report descriptors; use the reference or CPU backend");
    }

    /// <summary>The coverage of the frames added so far.</summary>
    public TrainingCoverage Build()
    {
        var s = Statistics;
        var nt = s.TypeCount;
        var pairs = new double[nt, nt];
        for (var a = 0; a < nt; a++)
            for (var b = 0; b < nt; b++) pairs[a, b] = double.IsFinite(s.PairMinDistance[a, b]) ? s.PairMinDistance[a, b] : -1;
        var (min, max) = _watch.Ranges();
        for (var t = 0; t < nt; t++)
            if (s.CenterCounts[t] == 0)
                for (var k = 0; k < min.GetLength(1); k++) min[t, k] = max[t, k] = 0; // never seen: stored as 0, count 0
        return new TrainingCoverage(pairs, min, max, (double[])s.CenterCounts.Clone(), s.Frames)
        {
            VolumePerAtom = _volumeMin <= _volumeMax ? (_volumeMin, _volumeMax) : null,
            VirialFrames = _virialFrames,
        };
    }
}
