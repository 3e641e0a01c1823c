namespace DeepMD.Sharp.Models.Evaluation;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Models.Descriptors;
using DeepMD.Sharp.Models.Fitting;

/// <summary>
/// The reference backend: evaluates a <see cref="DeepPotModel"/> in plain double-precision code that follows the
/// equations of DeePMD-kit's dpmodel (notes §1), with analytic forces, virial and per-atom virial. It is the oracle
/// the fast backends are tested against, so it favours clarity over speed.
/// </summary>
public static class ReferenceEvaluator
{
    /// <summary>Evaluates the model on atoms at (x, y, z) Å with model types <paramref name="types"/> in <paramref name="box"/> (null: no PBC).</summary>
    public static EvaluationResult Evaluate(DeepPotModel model, ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z,
        int[] types, Box? box, EvaluationOptions? options = null)
    {
        var neighbors = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff);
        options ??= new EvaluationOptions();
        if (options.AtomPositions is null && model.Descriptor.FrameReference is not null)
            options = options with { AtomPositions = WrappedPositions(x, y, z, box) };
        return Evaluate(model, types, neighbors, options);
    }

    /// <summary>The positions wrapped into the cell as DeePMD-kit does (fractional coordinates modulo 1), or as given without a box.</summary>
    public static (double[] X, double[] Y, double[] Z) WrappedPositions(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, Box? box)
    {
        var n = x.Length;
        double[] wx = new double[n], wy = new double[n], wz = new double[n];
        for (var i = 0; i < n; i++)
        {
            if (box is null)
            {
                (wx[i], wy[i], wz[i]) = (x[i], y[i], z[i]);
                continue;
            }
            var (a, b, c) = box.ToFractional(x[i], y[i], z[i]);
            (wx[i], wy[i], wz[i]) = box.ToCartesian(a - Math.Floor(a), b - Math.Floor(b), c - Math.Floor(c));
        }
        return (wx, wy, wz);
    }

    /// <summary>
    /// Evaluates the model given a full neighbor list whose cutoff is at least the model's (pairs beyond rcut are ignored),
    /// into a fresh result. See <see cref="IModelEvaluator"/> for the contract with ghost atoms.
    /// </summary>
    public static EvaluationResult Evaluate(DeepPotModel model, int[] types, NeighborList neighbors, EvaluationOptions? options = null)
    {
        var result = new EvaluationResult();
        Evaluate(model, types, neighbors, options ?? new EvaluationOptions(), result);
        return result;
    }

    /// <summary>
    /// Evaluates the model for <c>types.Length</c> atoms (local + ghost) and a full neighbor list over the local atoms
    /// (the first <see cref="NeighborList.CenterCount"/>), into <paramref name="result"/>: forces and per-atom virials
    /// on every atom, not folded (a periodic list names owners, so its images are already folded).
    /// </summary>
    public static void Evaluate(DeepPotModel model, int[] types, NeighborList neighbors, EvaluationOptions options, EvaluationResult result)
    {
        if (model.Linear is { } linear)
        {
            // A composite model (zbl, linear_ener): its DP part on this backend, combined with the pair table.
            new Linear.LinearEnergyEvaluator(model, new ReferenceBackend(linear.DpPart)).Evaluate(types, neighbors, options, result);
            return;
        }
        var n = types.Length;
        var nloc = neighbors.CenterCount;
        var fparam = EvaluationInputs.Validate(model, types, neighbors, options);

        result.Reset(n, nloc);
        // Pair gradients g = ∂e_i/∂d for every neighbor entry; summed into forces/virials afterwards in a fixed order,
        // so the result does not depend on how centers were scheduled over threads.
        var entries = neighbors.EntryCount;
        var gx = new double[entries];
        var gy = new double[entries];
        var gz = new double[entries];
        var atomEnergy = result.AtomEnergy;

        double[]? atomVirialCorrection = null;
        if (model.Descriptor.FrameReference is { } frame)
        {
            atomVirialCorrection = EvaluateFrame(model, frame, types, neighbors, fparam, options, gx, gy, gz, atomEnergy);
        }
        else
        {
            EvaluateCenters(model, types, neighbors, fparam, options, gx, gy, gz, atomEnergy);
        }

        double energy = 0;
        for (var i = 0; i < nloc; i++) energy += atomEnergy[i];
        result.Energy = energy;

        PairTermAccumulator.Accumulate(neighbors, gx, gy, gz, result, options.ParallelOptions());
        if (atomVirialCorrection is not null)
            for (var q = 0; q < atomVirialCorrection.Length; q++) result.AtomVirial[q] += atomVirialCorrection[q];
    }

    /// <summary>Descriptors computed center by center (<see cref="IReferenceDescriptor"/>): forward, fitting and backward per center.</summary>
    private static void EvaluateCenters(DeepPotModel model, int[] types, NeighborList neighbors, double[]? fparam, EvaluationOptions options,
        double[] gx, double[] gy, double[] gz, double[] atomEnergy)
    {
        var nloc = neighbors.CenterCount;
        var errors = new UserInputException?[nloc];
        Parallel.For(0, nloc, options.ParallelOptions(), i =>
        {
            try
            {
                atomEnergy[i] = EvaluateCenter(model, i, types, neighbors, fparam, options, gx, gy, gz);
            }
            catch (UserInputException ex)
            {
                errors[i] = ex;
            }
        });
        // Report the problem of the lowest-numbered atom, whatever the thread schedule was.
        if (Array.Find(errors, e => e is not null) is { } first) throw first;
    }

    /// <summary>
    /// A descriptor computed over the whole frame at once (<see cref="IFrameReferenceDescriptor"/>, e.g. message passing):
    /// slots of every center, the descriptor forward pass, the fitting net per center, then one backward pass.
    /// </summary>
    private static double[]? EvaluateFrame(DeepPotModel model, IFrameReferenceDescriptor frame, int[] types, NeighborList neighbors, double[]? fparam,
        EvaluationOptions options, double[] gx, double[] gy, double[] gz, double[] atomEnergy)
    {
        var nloc = neighbors.CenterCount;
        var ds = model.Descriptor.OutputSize;
        var slots = new NeighborSlot[nloc][];
        var errors = new UserInputException?[nloc];
        var parallel = options.ParallelOptions();
        Parallel.For(0, nloc, parallel, i =>
        {
            try
            {
                slots[i] = AssignSlots(model, i, types, neighbors, options);
            }
            catch (UserInputException ex)
            {
                errors[i] = ex;
            }
        });
        if (Array.Find(errors, e => e is not null) is { } first) throw first;
        var descriptors = new double[nloc * ds];
        var state = frame.Forward(types, neighbors, slots, descriptors, options);
        var descriptorGrad = new double[nloc * ds];
        Parallel.For(0, nloc, parallel, i =>
        {
            try
            {
                atomEnergy[i] = FitCenter(model, i, types[i], descriptors.AsSpan(i * ds, ds), fparam, options, descriptorGrad.AsSpan(i * ds, ds));
            }
            catch (UserInputException ex)
            {
                errors[i] = ex;
            }
        });
        if (Array.Find(errors, e => e is not null) is { } second) throw second;
        frame.Backward(types, neighbors, slots, state, descriptorGrad, gx, gy, gz, parallel);
        return frame.AtomVirialCorrection(types, neighbors, state, descriptorGrad, gx, gy, gz, options);
    }

    /// <summary>
    /// The fitting net of center i on its descriptor: e_i (0 for an excluded type), and ∂e_i/∂descriptor into
    /// <paramref name="descriptorGrad"/>.
    /// </summary>
    private static double FitCenter(DeepPotModel model, int i, int ti, ReadOnlySpan<double> descriptor, double[]? fparam,
        EvaluationOptions options, Span<double> descriptorGrad)
    {
        if (model.IsAtomExcluded(ti)) return 0;
        var fitting = model.Fitting;
        var ds = descriptor.Length;
        var input = new double[fitting.InputSize];
        var inputGrad = new double[fitting.InputSize];
        descriptor.CopyTo(input);
        options.DescriptorWatch?.Observe(i, ti, input.AsSpan(0, ds));
        var net = fitting.NetFor(ti) ?? throw new UserInputException($"the model has no fitting net for type '{model.TypeMap.Names[ti]}'", model.Source);
        FillFittingExtras(fitting, i, fparam, options, input, ds);
        Span<double> output = stackalloc double[net.OutputSize];
        Span<double> outGrad = stackalloc double[net.OutputSize];
        outGrad[0] = options.CenterWeights?[i] ?? 1;
        net.Evaluate(input, output, outGrad, inputGrad);
        inputGrad.AsSpan(0, ds).CopyTo(descriptorGrad);
        return output[0] + fitting.BiasAtomE[ti] + model.OutBias[ti];
    }

    /// <summary>The fitting input after the descriptor: normalised fparam, aparam of atom i, case embedding.</summary>
    private static void FillFittingExtras(EnergyFittingSpec fitting, int i, double[]? fparam, EvaluationOptions options, double[] input, int k)
    {
        if (fparam is not null)
            for (var p = 0; p < fparam.Length; p++)
                input[k++] = (fparam[p] - (fitting.FparamAvg?[p] ?? 0)) * (fitting.FparamInvStd?[p] ?? 1);
        if (fitting.AparamCount > 0 && !fitting.UseAparamAsMask)
            for (var p = 0; p < fitting.AparamCount; p++)
                input[k++] = (options.Aparam![i * fitting.AparamCount + p] - (fitting.AparamAvg?[p] ?? 0)) * (fitting.AparamInvStd?[p] ?? 1);
        if (fitting.CaseEmbedding is { } ce)
            foreach (var v in ce) input[k++] = v;
    }

    /// <summary>The frame parameters to use: the given ones, else the model default; checks the count.</summary>
    public static double[]? ResolveFparam(EnergyFittingSpec fitting, EvaluationOptions options)
    {
        if (fitting.FparamCount == 0) return null;
        var fp = options.Fparam ?? fitting.DefaultFparam;
        if (fp is null)
            throw new UserInputException($"the model needs {fitting.FparamCount} frame parameter(s) (numb_fparam) and has no default_fparam; pass them with --fparam");
        if (fp.Length != fitting.FparamCount)
            throw new UserInputException($"the model needs {fitting.FparamCount} frame parameter(s), got {fp.Length}");
        return fp;
    }

    /// <summary>
    /// Computes e_i for center i and writes ∂e_i/∂d into (gx, gy, gz) at the entries it used.
    /// </summary>
    private static double EvaluateCenter(DeepPotModel model, int i, int[] types, NeighborList nl, double[]? fparam,
        EvaluationOptions options, double[] gx, double[] gy, double[] gz)
    {
        var ti = types[i];
        if (model.IsAtomExcluded(ti)) return 0;
        var desc = model.Descriptor;
        var slots = AssignSlots(model, i, types, nl, options);

        var ds = desc.OutputSize;
        var fitting = model.Fitting;
        var input = new double[fitting.InputSize];
        var inputGrad = new double[fitting.InputSize];
        var net = fitting.NetFor(ti) ?? throw new UserInputException($"the model has no fitting net for type '{model.TypeMap.Names[ti]}'", model.Source);

        // Forward through the descriptor (its own reference code, see DescriptorSpec.Reference); keep what its backward
        // pass needs.
        var kernel = desc.Reference ?? throw new UserInputException($"descriptor '{desc.TypeName}' has no reference implementation");
        var state = kernel.Forward(i, ti, types, nl, slots, input);
        options.DescriptorWatch?.Observe(i, ti, input.AsSpan(0, ds));

        FillFittingExtras(fitting, i, fparam, options, input, ds);

        Span<double> output = stackalloc double[net.OutputSize];
        Span<double> outGrad = stackalloc double[net.OutputSize];
        outGrad[0] = options.CenterWeights?[i] ?? 1;
        net.Evaluate(input, output, outGrad, inputGrad);
        var energy = output[0] + fitting.BiasAtomE[ti] + model.OutBias[ti];

        kernel.Backward(ti, nl, slots, state, inputGrad, gx, gy, gz);
        return energy;
    }

    /// <summary>
    /// Fills the Σsel slots of center i (the per-type-block descriptors' slotting, shared by their reference kernels): per neighbor type a block of sel[t] slots, nearest first; -1 pads. Model-level
    /// pair exclusions become padding. Overflowing a block is an error unless the policy says to truncate like DeePMD-kit.
    /// </summary>
    public static NeighborSlot[] AssignSlots(DeepPotModel model, int i, int[] types, NeighborList nl, EvaluationOptions options)
    {
        var desc = model.Descriptor;
        if (desc is HybridSpec hybrid) return HybridReference.AssignSlots(model, hybrid, i, types, nl, options);
        if (desc.Neighbors.MixedTypes)
            return AssignMixedSlots(model, i, types, nl, options, desc.Rcut, desc.SlotCount, dynamic: desc.Neighbors.DynamicSel);
        var rc = desc.Rcut;
        var ti = types[i];
        var candidates = new List<NeighborSlot>();
        for (var e = nl.Offsets[i]; e < nl.Offsets[i + 1]; e++)
        {
            var r = Math.Sqrt(nl.Dx[e] * nl.Dx[e] + nl.Dy[e] * nl.Dy[e] + nl.Dz[e] * nl.Dz[e]);
            if (r > rc) continue;
            if (r < options.OverlapDistance) throw OverlapError(i, nl.Owner[e], r, options);
            candidates.Add(new NeighborSlot(e, r));
        }
        int Compare(NeighborSlot a, NeighborSlot b)
        {
            var c = types[nl.Owner[a.Entry]].CompareTo(types[nl.Owner[b.Entry]]);
            if (c != 0) return c;
            c = a.R.CompareTo(b.R);
            return c != 0 ? c : nl.Owner[a.Entry].CompareTo(nl.Owner[b.Entry]);
        }

        var counts = new int[desc.TypeCount];
        foreach (var s in candidates) counts[types[nl.Owner[s.Entry]]]++;
        var overflow = false;
        for (var t = 0; t < desc.TypeCount; t++)
        {
            if (counts[t] <= desc.Sel[t]) continue;
            overflow = true;
            if (options.SelOverflow == SelOverflowPolicy.Error) throw SelOverflowError(model, i, t, counts[t], options, ti);
        }
        if (overflow && candidates.Count > desc.SlotCount)
        {
            // DeePMD-kit keeps the Σsel nearest overall before splitting by type.
            candidates.Sort((a, b) => a.R != b.R ? a.R.CompareTo(b.R) : nl.Owner[a.Entry].CompareTo(nl.Owner[b.Entry]));
            candidates.RemoveRange(desc.SlotCount, candidates.Count - desc.SlotCount);
        }
        candidates.Sort(Compare);

        var slots = new NeighborSlot[desc.SlotCount];
        Array.Fill(slots, new NeighborSlot(-1, 0));
        var used = new int[desc.TypeCount];
        foreach (var s in candidates)
        {
            var tj = types[nl.Owner[s.Entry]];
            if (used[tj] >= desc.Sel[tj]) continue;
            var slot = desc.SelOffsets[tj] + used[tj]++;
            if (!model.IsPairExcluded(ti, tj)) slots[slot] = s;
        }
        return slots;
    }

    /// <summary>
    /// The slots of center i for a mixed-type descriptor (se_atten, DPA-2, DPA-3; notes §2.1): the neighbors within
    /// <paramref name="rcut"/> sorted by distance (ties by atom index), whatever their type, in <paramref name="nsel"/>
    /// slots; −1 pads. More neighbors than <paramref name="nsel"/> is an error unless the policy says to keep the nearest
    /// like DeePMD-kit. Model-level pair exclusions then turn their slots into padding where they are (DeePMD-kit
    /// masks the list in place after selecting). With <paramref name="dynamic"/> (DPA-3's <c>use_dynamic_sel</c>) every
    /// neighbor within rcut gets a slot, however many there are.
    /// </summary>
    public static NeighborSlot[] AssignMixedSlots(DeepPotModel model, int i, int[] types, NeighborList nl, EvaluationOptions options, double rcut, int nsel,
        bool dynamic = false)
    {
        var ti = types[i];
        var candidates = new List<NeighborSlot>();
        for (var e = nl.Offsets[i]; e < nl.Offsets[i + 1]; e++)
        {
            var r = Math.Sqrt(nl.Dx[e] * nl.Dx[e] + nl.Dy[e] * nl.Dy[e] + nl.Dz[e] * nl.Dz[e]);
            if (r > rcut) continue;
            if (r < options.OverlapDistance) throw OverlapError(i, nl.Owner[e], r, options);
            candidates.Add(new NeighborSlot(e, r));
        }
        if (dynamic) nsel = candidates.Count;
        if (candidates.Count > nsel && options.SelOverflow == SelOverflowPolicy.Error && !model.IsAtomExcluded(ti))
            throw MixedSelOverflowError(model, i, candidates.Count, rcut, nsel, options, ti);
        candidates.Sort((a, b) =>
        {
            var c = a.R.CompareTo(b.R);
            if (c != 0) return c;
            c = nl.Owner[a.Entry].CompareTo(nl.Owner[b.Entry]);
            return c != 0 ? c : a.Entry.CompareTo(b.Entry);
        });
        var slots = new NeighborSlot[nsel];
        Array.Fill(slots, new NeighborSlot(-1, 0));
        for (var k = 0; k < Math.Min(nsel, candidates.Count); k++)
            if (!model.IsPairExcluded(ti, types[nl.Owner[candidates[k].Entry]])) slots[k] = candidates[k];
        return slots;
    }

    /// <summary>The error for an atom with more neighbors than a mixed-type descriptor's sel allows.</summary>
    public static UserInputException MixedSelOverflowError(DeepPotModel model, int i, int count, double rcut, int nsel, EvaluationOptions options, int? centerType = null)
    {
        var ti = centerType ?? -1;
        var typeText = ti >= 0 ? $" (type {model.TypeMap.Names[ti]})" : "";
        return new UserInputException(
            $"atom {Label(i, options)}{typeText} has {count} neighbors within rcut = {rcut} Å, but the model's sel is {nsel} " +
            $"({model.Descriptor.TypeName} keeps the {nsel} nearest, whatever their type). DeePMD-kit would silently drop the " +
            "farthest ones and energy would not be conserved. Use a model with a larger sel, check the structure's density, " +
            "or pass --allow-sel-truncation to reproduce DeePMD-kit's truncation.");
    }

    /// <summary>The error for an atom with more neighbors of a type than the model's sel allows.</summary>
    public static UserInputException SelOverflowError(DeepPotModel model, int i, int neighborType, int count, EvaluationOptions options, int? centerType = null)
    {
        var ti = centerType ?? -1;
        var typeText = ti >= 0 ? $" (type {model.TypeMap.Names[ti]})" : "";
        return new UserInputException(
            $"atom {Label(i, options)}{typeText} has {count} neighbors of type {model.TypeMap.Names[neighborType]} " +
            $"within rcut = {model.Descriptor.Rcut} Å, but the model's sel for that type is {model.Descriptor.Sel[neighborType]}. DeePMD-kit would silently drop the " +
            "farthest ones and energy would not be conserved. Use a model with a larger sel, check the structure's density, " +
            "or pass --allow-sel-truncation to reproduce DeePMD-kit's truncation.");
    }

    /// <summary>The error for two atoms (or an atom and its own image) closer than the overlap distance.</summary>
    public static UserInputException OverlapError(int i, int j, double r, EvaluationOptions options)
    {
        var what = j == i ? $"atom {Label(i, options)} sits on its own periodic image (the cell is degenerate)"
            : $"atoms {Label(i, options)} and {Label(j, options)} are on top of each other (distance {r:G3} Å)";
        return new UserInputException($"{what}; the potential is undefined there. Fix the structure (duplicate atom?).");
    }

    private static string Label(int i, EvaluationOptions options) =>
        options.AtomLabels is { } l && i < l.Count ? $"{i + 1} ({l[i]})" : $"{i + 1}";

    /// <summary>Quintic switch w(r) and its derivative (C² between rcut_smth and rcut).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static (double W, double Dw) Switch(double r, double rs, double rc)
    {
        if (r <= rs) return (1, 0);
        if (r >= rc) return (0, 0);
        var inverseWidth = 1 / (rc - rs); // one division instead of two (divisions dominate this per-pair arithmetic)
        var u = (r - rs) * inverseWidth;
        var w = u * u * u * (-6 * u * u + 15 * u - 10) + 1;
        var dw = -30 * u * u * (1 - u) * (1 - u) * inverseWidth;
        return (w, dw);
    }
}
