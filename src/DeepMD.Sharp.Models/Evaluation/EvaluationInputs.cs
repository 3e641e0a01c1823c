namespace DeepMD.Sharp.Models.Evaluation;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Core.Threading;

/// <summary>
/// The checks every backend makes before evaluating: types within the model's type map, frame and atomic parameters
/// present, and the neighbor list against sel and the overlap distance. Written once so that every backend reports
/// the same problem with the same message.
/// </summary>
public static class EvaluationInputs
{
    /// <summary>Checks types and parameters; returns the frame parameters to use (given or default), or null.</summary>
    public static double[]? Validate(DeepPotModel model, int[] types, NeighborList neighbors, EvaluationOptions options)
    {
        var n = types.Length;
        var nloc = neighbors.CenterCount;
        if (nloc > n) throw new ArgumentException($"the neighbor list has {nloc} centers but there are only {n} atoms (local + ghost)");
        for (var i = 0; i < n; i++)
            if (types[i] < 0 || types[i] >= model.TypeMap.Count)
                throw new UserInputException($"atom {i + 1} has type index {types[i]}, outside the model's {model.TypeMap.Count} types [{model.TypeMap}]");
        var fparam = ReferenceEvaluator.ResolveFparam(model.Fitting, options);
        // Atomic parameters are read for the centers only: one row per local atom, or one per atom (ghosts ignored).
        var na = model.Fitting.AparamCount;
        if (na > 0 && (options.Aparam is null || (options.Aparam.Length != n * na && options.Aparam.Length != nloc * na)))
            throw new UserInputException($"the model needs {na} atomic parameter(s) per atom (numb_aparam); pass them with --aparam");
        return fparam;
    }

    /// <summary>
    /// Returns true when some type block overflows its sel and the policy asks for DeePMD-kit's truncation; throws
    /// for an overflow under the error policy or for overlapping atoms (the problem of the lowest-numbered atom).
    /// </summary>
    public static bool CheckNeighborCounts(DeepPotModel model, int[] types, NeighborList nl, EvaluationOptions options)
    {
        var n = nl.CenterCount;
        var degree = ParallelLoop.Degree(options.MaxDegreeOfParallelism());
        var check = t_check ??= new CountCheck(); // per calling thread: concurrent evaluations each have their own
        check.Start(model, types, nl, options, Math.Min(degree, Math.Max(1, n)));
        try
        {
            ParallelLoop.For((n + CountCheck.Chunk - 1) / CountCheck.Chunk, degree, check);
            if (check.Error is { } error) throw error;
            return check.Overflow != 0;
        }
        finally
        {
            check.Finish();
        }
    }

    [ThreadStatic] private static CountCheck? t_check;

    /// <summary>The parallel body of <see cref="CheckNeighborCounts"/>: a chunk of centers per index, per-thread counts.</summary>
    private sealed class CountCheck : IParallelBody
    {
        public const int Chunk = 64;
        private DeepPotModel? _model;
        private int[]? _types;
        private NeighborList? _nl;
        private EvaluationOptions? _options;
        private int[][] _counts = [];
        private double _rc2, _overlap2;
        private int _errorAtom;
        public int Overflow;
        public UserInputException? Error;

        public void Start(DeepPotModel model, int[] types, NeighborList nl, EvaluationOptions options, int threads)
        {
            (_model, _types, _nl, _options) = (model, types, nl, options);
            var nt = model.TypeMap.Count;
            if (_counts.Length < threads) Array.Resize(ref _counts, threads);
            for (var w = 0; w < threads; w++)
                if (_counts[w] is null || _counts[w].Length != nt) _counts[w] = new int[nt];
            _rc2 = model.Descriptor.Rcut * model.Descriptor.Rcut;
            _overlap2 = options.OverlapDistance * options.OverlapDistance;
            Overflow = 0;
            Error = null;
            _errorAtom = int.MaxValue;
        }

        public void Finish() => (_model, _types, _nl, _options, Error) = (null, null, null, null, null);

        public void Invoke(int index, int worker)
        {
            var nl = _nl!;
            var hi = Math.Min(nl.CenterCount, (index + 1) * Chunk);
            for (var i = index * Chunk; i < hi; i++) Center(i, _counts[worker]);
        }

        private void Center(int i, int[] counts)
        {
            var (model, types, nl, options) = (_model!, _types!, _nl!, _options!);
            var d = model.Descriptor;
            var nt = counts.Length;
            Array.Clear(counts);
            for (var e = nl.Offsets[i]; e < nl.Offsets[i + 1]; e++)
            {
                var r2 = nl.Dx[e] * nl.Dx[e] + nl.Dy[e] * nl.Dy[e] + nl.Dz[e] * nl.Dz[e];
                if (r2 > _rc2) continue;
                if (r2 < _overlap2)
                {
                    lock (this)
                        if (i < _errorAtom) (_errorAtom, Error) = (i, ReferenceEvaluator.OverlapError(i, nl.Owner[e], Math.Sqrt(r2), options));
                    return;
                }
                counts[types[nl.Owner[e]]]++;
            }
            if (model.IsAtomExcluded(types[i])) return;
            if (d.Neighbors.MixedTypes)
            {
                // One block of Σsel slots for all types (se_atten and its family).
                var total = 0;
                for (var t = 0; t < nt; t++) total += counts[t];
                if (total <= d.SlotCount || d.Neighbors.DynamicSel) return;
                Interlocked.Exchange(ref Overflow, 1);
                if (options.SelOverflow == SelOverflowPolicy.Error)
                    lock (this)
                        if (i < _errorAtom) (_errorAtom, Error) = (i, ReferenceEvaluator.MixedSelOverflowError(model, i, total, d.Rcut, d.SlotCount, options, types[i]));
                return;
            }
            for (var t = 0; t < nt; t++)
            {
                if (counts[t] <= d.Sel[t]) continue;
                Interlocked.Exchange(ref Overflow, 1);
                if (options.SelOverflow == SelOverflowPolicy.Error)
                    lock (this)
                        if (i < _errorAtom) (_errorAtom, Error) = (i, ReferenceEvaluator.SelOverflowError(model, i, t, counts[t], options, types[i]));
                break;
            }
        }
    }
}
