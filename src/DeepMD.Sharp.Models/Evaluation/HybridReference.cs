namespace DeepMD.Sharp.Models.Evaluation;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Models.Descriptors;

/// <summary>
/// The reference code of DeePMD-kit's <c>hybrid</c> descriptor for one center: each part's own reference code on its
/// slots, outputs written one after the other; the backward pass gives each part its columns of ∂e/∂descriptor and sums
/// the parts' pair gradients. <see cref="AssignSlots"/> selects every part's slots from the hybrid's neighbor list as
/// DeePMD-kit does.
/// </summary>
internal sealed class HybridReference(HybridSpec h) : IReferenceDescriptor
{
    private sealed class State
    {
        public required int Center;
        public required NeighborSlot[][] Slots;
        public required object[] PartStates;
    }

    public object Forward(int i, int ti, int[] types, NeighborList nl, NeighborSlot[] slots, double[] input)
    {
        var n = h.Parts.Count;
        var partSlots = new NeighborSlot[n][];
        var states = new object[n];
        for (var k = 0; k < n; k++)
        {
            var part = h.Parts[k];
            partSlots[k] = slots.AsSpan(h.SlotStart[k], part.SlotCount).ToArray();
            var buffer = new double[part.OutputSize];
            states[k] = part.Reference.Forward(i, ti, types, nl, partSlots[k], buffer);
            buffer.CopyTo(input, h.OutputStart[k]);
        }
        return new State { Center = i, Slots = partSlots, PartStates = states };
    }

    public void Backward(int ti, NeighborList nl, NeighborSlot[] slots, object stateObj, double[] inputGrad, double[] gx, double[] gy, double[] gz)
    {
        var st = (State)stateObj;
        int lo = nl.Offsets[st.Center], hi = nl.Offsets[st.Center + 1], m = hi - lo;
        // The parts share this center's list entries; some parts assign their pair gradients, others add to them. Each part
        // therefore starts from zeros on this center's entries and the sums are collected here.
        var sx = new double[m];
        var sy = new double[m];
        var sz = new double[m];
        for (var k = 0; k < h.Parts.Count; k++)
        {
            var part = h.Parts[k];
            Array.Clear(gx, lo, m);
            Array.Clear(gy, lo, m);
            Array.Clear(gz, lo, m);
            var grad = inputGrad.AsSpan(h.OutputStart[k], part.OutputSize).ToArray();
            part.Reference.Backward(ti, nl, st.Slots[k], st.PartStates[k], grad, gx, gy, gz);
            for (var q = 0; q < m; q++)
            {
                sx[q] += gx[lo + q];
                sy[q] += gy[lo + q];
                sz[q] += gz[lo + q];
            }
        }
        sx.CopyTo(gx, lo);
        sy.CopyTo(gy, lo);
        sz.CopyTo(gz, lo);
    }

    /// <summary>
    /// The slots of center i for every part, one part after the other (<see cref="HybridSpec.SlotStart"/>), as DeePMD-kit
    /// builds them: the neighbors within the hybrid's rcut sorted by distance (ties by atom index), kept to the hybrid's Σsel
    /// nearest, model pair exclusions removed (DeePMD-kit re-sorts the list for a hybrid, so excluded entries do not leave
    /// holes); then a mixed-types part takes the first Σsel of them, a per-type part the first sel[t] of each type, in
    /// distance order. A part's slots may hold neighbors beyond its own rcut (within the hybrid's); its code gives them
    /// a zero switch, as DeePMD-kit's does. More neighbors within a part's rcut than its sel is an error unless the policy
    /// asks for DeePMD-kit's truncation.
    /// </summary>
    public static NeighborSlot[] AssignSlots(DeepPotModel model, HybridSpec h, int i, int[] types, NeighborList nl, EvaluationOptions options)
    {
        var ti = types[i];
        var candidates = new List<NeighborSlot>();
        for (var e = nl.Offsets[i]; e < nl.Offsets[i + 1]; e++)
        {
            var r = Math.Sqrt(nl.Dx[e] * nl.Dx[e] + nl.Dy[e] * nl.Dy[e] + nl.Dz[e] * nl.Dz[e]);
            if (r > h.Rcut) continue;
            if (r < options.OverlapDistance) throw ReferenceEvaluator.OverlapError(i, nl.Owner[e], r, options);
            candidates.Add(new NeighborSlot(e, r));
        }
        candidates.Sort((a, b) =>
        {
            var c = a.R.CompareTo(b.R);
            if (c != 0) return c;
            c = nl.Owner[a.Entry].CompareTo(nl.Owner[b.Entry]);
            return c != 0 ? c : a.Entry.CompareTo(b.Entry);
        });
        var check = options.SelOverflow == SelOverflowPolicy.Error && !model.IsAtomExcluded(ti);
        var nt = h.TypeCount;
        if (h.MixedTypes)
        {
            if (candidates.Count > h.SlotCount)
            {
                if (check) throw ReferenceEvaluator.MixedSelOverflowError(model, i, candidates.Count, h.Rcut, h.SlotCount, options, ti);
                candidates.RemoveRange(h.SlotCount, candidates.Count - h.SlotCount);
            }
        }
        else
        {
            // DeePMD-kit keeps the Σsel nearest, then at most sel[t] of each type.
            var count = new int[nt];
            foreach (var s in candidates) count[types[nl.Owner[s.Entry]]]++;
            for (var t = 0; t < nt; t++)
                if (count[t] > h.Sel[t] && check) throw ReferenceEvaluator.SelOverflowError(model, i, t, count[t], options, ti);
            if (candidates.Count > h.SlotCount) candidates.RemoveRange(h.SlotCount, candidates.Count - h.SlotCount);
            Array.Clear(count);
            candidates.RemoveAll(s => ++count[types[nl.Owner[s.Entry]]] > h.Sel[types[nl.Owner[s.Entry]]]);
        }
        candidates.RemoveAll(s => model.IsPairExcluded(ti, types[nl.Owner[s.Entry]]));

        var slots = new NeighborSlot[h.ConcatenatedSlotCount];
        Array.Fill(slots, new NeighborSlot(-1, 0));
        for (var k = 0; k < h.Parts.Count; k++)
        {
            var part = h.Parts[k];
            var start = h.SlotStart[k];
            if (part.Neighbors.MixedTypes)
            {
                if (check)
                {
                    var within = candidates.Count(s => s.R <= part.Rcut);
                    if (within > part.SlotCount) throw PartOverflowError(model, h, k, i, within, null, options, ti);
                }
                for (var q = 0; q < Math.Min(part.SlotCount, candidates.Count); q++) slots[start + q] = candidates[q];
                continue;
            }
            var used = new int[nt];
            var inside = new int[nt];
            foreach (var s in candidates)
            {
                var tj = types[nl.Owner[s.Entry]];
                if (s.R <= part.Rcut) inside[tj]++;
                if (used[tj] < part.Sel[tj]) slots[start + part.SelOffsets[tj] + used[tj]++] = s;
            }
            if (check)
                for (var t = 0; t < nt; t++)
                    if (inside[t] > part.Sel[t]) throw PartOverflowError(model, h, k, i, inside[t], t, options, ti);
        }
        return slots;
    }

    private static UserInputException PartOverflowError(DeepPotModel model, HybridSpec h, int k, int i, int count, int? neighborType,
        EvaluationOptions options, int ti)
    {
        var part = h.Parts[k];
        var label = options.AtomLabels is { } l && i < l.Count ? $"{i + 1} ({l[i]})" : $"{i + 1}";
        var what = neighborType is { } t
            ? $"{count} neighbors of type {model.TypeMap.Names[t]} within rcut = {part.Rcut} Å of the hybrid's sub-descriptor {k} ({part.TypeName}), whose sel for that type is {part.Sel[t]}"
            : $"{count} neighbors within rcut = {part.Rcut} Å of the hybrid's sub-descriptor {k} ({part.TypeName}), whose sel is {part.SlotCount} (the nearest, whatever their type)";
        return new UserInputException(
            $"atom {label} (type {model.TypeMap.Names[ti]}) has {what}. DeePMD-kit would silently drop the farthest ones and energy " +
            "would not be conserved. Use a model with a larger sel, check the structure's density, or pass --allow-sel-truncation to " +
            "reproduce DeePMD-kit's truncation.");
    }
}
