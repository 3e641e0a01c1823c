namespace DeepMD.Sharp.Models.Potentials;

using System.Globalization;
using System.Text;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Models.Evaluation;

/// <summary>
/// The model deviation file of <c>pair_style deepmd M1 M2 ... out_freq N out_file F [atomic] [relative ν]
/// [relative_v ν]</c>, in the DeePMD-kit LAMMPS plugin's layout: a header line, then every N steps the step
/// (<c>%12d</c>) and max/min/avg virial and force deviations (<c>%18.6e</c>, space separated; no energy column), plus
/// each atom's force deviation ordered by atom id with <c>atomic</c>. The math is <see cref="ModelDeviation"/>, the
/// same as <c>dpsharp model-devi</c>. The file is created (truncated) when the log is made; each line is appended
/// and flushed as it is computed. A step is written once even if evaluated twice (a second <c>run</c> re-evaluates
/// its first step).
/// </summary>
public sealed class ModelDeviationLog
{
    private readonly StringBuilder _line = new(256);
    private long _lastStep = long.MinValue;

    /// <param name="others">The ensemble's models after the first (which gives the forces), as evaluators.</param>
    /// <param name="every">Steps between lines (<c>out_freq</c>).</param>
    /// <param name="path">The file (<c>out_file</c>); created or truncated now.</param>
    /// <param name="atomic">Append each atom's force deviation (<c>atomic</c>).</param>
    /// <param name="relativeForce">ν of <c>relative</c>, or null.</param>
    /// <param name="relativeVirial">ν of <c>relative_v</c>, or null.</param>
    /// <param name="writes">Whether this process writes the file (false on the ranks other than 0 of a decomposed run:
    /// they take part in the computation, rank 0 alone creates and writes the file).</param>
    public ModelDeviationLog(IReadOnlyList<IModelEvaluator> others, int every, string path, bool atomic = false, double? relativeForce = null, double? relativeVirial = null, bool writes = true)
    {
        if (others.Count < 1) throw new UserInputException("model deviation needs at least two models");
        if (every < 1) throw new UserInputException($"out_freq must be positive to write model deviations, got {every}");
        Others = others;
        Every = every;
        Path = path;
        Atomic = atomic;
        RelativeForce = relativeForce;
        RelativeVirial = relativeVirial;
        Writes = writes;
        if (!writes) return;
        var header = new StringBuilder("#");
        header.Append("step".PadLeft(11));
        foreach (var h in (string[])["max_devi_v", "min_devi_v", "avg_devi_v", "max_devi_f", "min_devi_f", "avg_devi_f"]) header.Append(h.PadLeft(19));
        if (atomic) header.Append("atm_devi_f(N)".PadLeft(19));
        try
        {
            File.WriteAllText(path, header.Append('\n').ToString());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException($"cannot write the model deviation file '{path}': {e.Message}");
        }
    }

    public IReadOnlyList<IModelEvaluator> Others { get; }

    public int Every { get; }

    public string Path { get; }

    public bool Atomic { get; }

    public double? RelativeForce { get; }

    public double? RelativeVirial { get; }

    /// <summary>Whether this process writes the file (see the constructor).</summary>
    public bool Writes { get; }

    /// <summary>Whether <paramref name="step"/> (−1 outside MD) is one to write.</summary>
    public bool IsDue(long step) => step >= 0 && step % Every == 0 && step != _lastStep;

    /// <summary>Evaluates the other models on the same input, appends the line for <paramref name="step"/> and returns the deviation.</summary>
    public ModelDeviation Record(long step, EvaluationResult first, int[] types, Core.Neighbors.NeighborList neighbors, EvaluationOptions options, int[]? ids)
    {
        var results = new List<EvaluationResult>(Others.Count + 1) { first };
        foreach (var e in Others) results.Add(e.Evaluate(types, neighbors, options));
        var d = ModelDeviation.Of(results, RelativeForce, RelativeVirial);
        double[]? byId = null;
        if (Atomic)
        {
            byId = d.PerAtomForce;
            if (ids is not null)
            {
                // Ordered by atom id, as the plugin writes them (ids 1..N).
                byId = new double[d.PerAtomForce.Length];
                for (var i = 0; i < ids.Length && i < byId.Length; i++)
                {
                    if (ids[i] < 1 || ids[i] > byId.Length) throw new UserInputException($"model deviation 'atomic' needs atom ids 1..{byId.Length}; atom id {ids[i]} is outside");
                    byId[ids[i] - 1] = d.PerAtomForce[i];
                }
            }
        }
        Write(step, d, byId);
        return d;
    }

    /// <summary>The other models' results on the same input (<see cref="Record"/>'s evaluations, for callers that fold ghost forces first).</summary>
    public List<EvaluationResult> EvaluateOthers(int[] types, Core.Neighbors.NeighborList neighbors, EvaluationOptions options)
    {
        var results = new List<EvaluationResult>(Others.Count);
        foreach (var e in Others) results.Add(e.Evaluate(types, neighbors, options));
        return results;
    }

    /// <summary>
    /// Appends the line of <paramref name="step"/> from a deviation computed elsewhere (a decomposed run's, reduced over
    /// ranks), with <paramref name="atomicById"/> (each atom's force deviation by atom id) when <see cref="Atomic"/>;
    /// without <see cref="Writes"/> it only marks the step as written.
    /// </summary>
    public void Write(long step, ModelDeviation d, double[]? atomicById)
    {
        _lastStep = step;
        if (!Writes) return;
        if (Atomic && atomicById is null) throw new InvalidOperationException("an 'atomic' model deviation line needs the per-atom deviations");
        var ci = CultureInfo.InvariantCulture;
        _line.Clear();
        _line.Append(step.ToString(ci).PadLeft(12));
        foreach (var v in (ReadOnlySpan<double>)[d.MaxVirial, d.MinVirial, d.AvgVirial, d.MaxForce, d.MinForce, d.AvgForce])
            _line.Append(' ').Append(Format(v));
        if (Atomic)
            foreach (var v in atomicById!) _line.Append(' ').Append(Format(v));
        _line.Append('\n');
        File.AppendAllText(Path, _line.ToString());
    }

    /// <summary>
    /// Writes a row computed elsewhere (the device loop's batched deviation): the six columns of
    /// <see cref="Record"/>, for logs without <see cref="Atomic"/>.
    /// </summary>
    public void RecordValues(long step, double maxVirial, double minVirial, double avgVirial, double maxForce, double minForce, double avgForce)
    {
        if (Atomic) throw new InvalidOperationException("per-atom deviations need Record");
        _lastStep = step;
        if (!Writes) return;
        var ci = CultureInfo.InvariantCulture;
        _line.Clear();
        _line.Append(step.ToString(ci).PadLeft(12));
        foreach (var v in (ReadOnlySpan<double>)[maxVirial, minVirial, avgVirial, maxForce, minForce, avgForce])
            _line.Append(' ').Append(Format(v));
        _line.Append('\n');
        File.AppendAllText(Path, _line.ToString());
        _lastStep = step;
    }

    /// <summary>C++ <c>std::scientific</c> with the default precision 6 in a field of 18.</summary>
    private static string Format(double v) => v.ToString("0.000000e+00", CultureInfo.InvariantCulture).PadLeft(18);
}
