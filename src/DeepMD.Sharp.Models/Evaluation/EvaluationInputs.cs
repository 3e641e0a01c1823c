namespace DeepMD.Sharp.Models.Evaluation;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Neighbors;

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
        var d = model.Descriptor;
        var n = nl.CenterCount;
        var nt = model.TypeMap.Count;
        var rc2 = d.Rcut * d.Rcut;
        var overlap2 = options.OverlapDistance * options.OverlapDistance;
        var overflow = 0;
        UserInputException? error = null;
        var errorAtom = int.MaxValue;
        var gate = new object();
        Parallel.For(0, n, options.ParallelOptions(), () => new int[nt], (i, _, counts) =>
        {
            Array.Clear(counts);
            for (var e = nl.Offsets[i]; e < nl.Offsets[i + 1]; e++)
            {
                var r2 = nl.Dx[e] * nl.Dx[e] + nl.Dy[e] * nl.Dy[e] + nl.Dz[e] * nl.Dz[e];
                if (r2 > rc2) continue;
                if (r2 < overlap2)
                {
                    lock (gate)
                        if (i < errorAtom) (errorAtom, error) = (i, ReferenceEvaluator.OverlapError(i, nl.Owner[e], Math.Sqrt(r2), options));
                    return counts;
                }
                counts[types[nl.Owner[e]]]++;
            }
            if (model.IsAtomExcluded(types[i])) return counts;
            for (var t = 0; t < nt; t++)
            {
                if (counts[t] <= d.Sel[t]) continue;
                Interlocked.Exchange(ref overflow, 1);
                if (options.SelOverflow == SelOverflowPolicy.Error)
                    lock (gate)
                        if (i < errorAtom) (errorAtom, error) = (i, ReferenceEvaluator.SelOverflowError(model, i, t, counts[t], options, types[i]));
                break;
            }
            return counts;
        }, _ => { });
        if (error is not null) throw error;
        return overflow != 0;
    }
}
