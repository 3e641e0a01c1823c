namespace DeepMD.Sharp.Training.Data;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.IO.Datasets;

/// <summary>
/// A set of systems with per-system batch sizes, sampled as DeePMD-kit does by default (prob_sys_size: a system is
/// picked with probability ∝ its number of batches; frames of a system are visited in shuffled order).
/// </summary>
public sealed class TrainingDataSet
{
    private readonly Random _random;
    private readonly int[][] _order;
    private readonly int[] _cursor;

    /// <summary>Creates the set; systems must already use model type indices.</summary>
    public TrainingDataSet(IReadOnlyList<DeepmdSystem> systems, IReadOnlyList<int> batchSizes, int seed)
    {
        Systems = systems;
        BatchSizes = batchSizes;
        _random = new Random(seed);
        _order = systems.Select(s => Enumerable.Range(0, s.FrameCount).ToArray()).ToArray();
        foreach (var o in _order) _random.Shuffle(o);
        _cursor = new int[systems.Count];
        var weights = systems.Select((s, k) => Math.Max(1.0, s.FrameCount / batchSizes[k])).ToArray();
        var total = weights.Sum();
        Probabilities = weights.Select(w => w / total).ToArray();
    }

    /// <summary>The systems.</summary>
    public IReadOnlyList<DeepmdSystem> Systems { get; }

    /// <summary>Frames per batch of each system.</summary>
    public IReadOnlyList<int> BatchSizes { get; }

    /// <summary>Sampling probability of each system.</summary>
    public double[] Probabilities { get; }

    /// <summary>Loads systems and maps their type_map.raw names onto <paramref name="typeMap"/>.</summary>
    public static IReadOnlyList<DeepmdSystem> Load(IEnumerable<string> specs, IReadOnlyList<string> typeMap)
    {
        var list = new List<DeepmdSystem>();
        foreach (var spec in specs)
        {
            var s = DeepmdSystemReader.Read(spec);
            list.Add(MapTypes(s, typeMap));
        }
        return list;
    }

    /// <summary>Renumbers the atom types of <paramref name="s"/> to indices of <paramref name="typeMap"/>.</summary>
    public static DeepmdSystem MapTypes(DeepmdSystem s, IReadOnlyList<string> typeMap) => s.MapTo(typeMap);

    /// <summary>
    /// Resolves a DeePMD-kit batch_size (an integer, a list, "auto", "auto:N", "max:N") for a system of
    /// <paramref name="atoms"/> atoms.
    /// </summary>
    public static int ResolveBatchSize(string spec, int atoms, string where)
    {
        if (int.TryParse(spec, out var fixedSize) && fixedSize > 0) return fixedSize;
        var parts = spec.Split(':');
        var n = 32;
        if (parts.Length == 2 && !int.TryParse(parts[1], out n))
            throw new UserInputException($"batch_size '{spec}' has an unreadable number", where);
        return parts[0] switch
        {
            "auto" => (n + atoms - 1) / atoms,
            "max" => Math.Max(1, n / atoms),
            _ => throw new UserInputException($"batch_size '{spec}' is not supported; use an integer, \"auto\", \"auto:N\" or \"max:N\"", where),
        };
    }

    /// <summary>Batches drawn with <see cref="Next"/> so far (the sampling state, given the seed).</summary>
    public long Draws { get; private set; }

    /// <summary>Draws and discards <paramref name="count"/> batches: a set created with the same seed then continues as one that drew them.</summary>
    public void Replay(long count)
    {
        for (var n = 0L; n < count; n++) Next();
    }

    /// <summary>Picks a system and returns its next batch of frame indices.</summary>
    public (int System, int[] Frames) Next()
    {
        Draws++;
        var u = _random.NextDouble();
        var k = 0;
        for (double acc = Probabilities[0]; k < Probabilities.Length - 1 && u > acc; acc += Probabilities[++k]) { }
        return (k, NextFrames(k));
    }

    /// <summary>The next batch of frames of system <paramref name="k"/>, reshuffling after each pass.</summary>
    public int[] NextFrames(int k)
    {
        var bs = Math.Min(BatchSizes[k], Systems[k].FrameCount);
        var frames = new int[bs];
        for (var b = 0; b < bs; b++)
        {
            if (_cursor[k] >= _order[k].Length)
            {
                _random.Shuffle(_order[k]);
                _cursor[k] = 0;
            }
            frames[b] = _order[k][_cursor[k]++];
        }
        return frames;
    }
}
