namespace DeepMD.Sharp.Training.Data;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.IO.Datasets;

/// <summary>
/// Turns frames of a <see cref="DeepmdSystem"/> into <see cref="FrameBatch"/>es for a model's rcut and sel: type blocks
/// of sel[t] slots, nearest first, or with <paramref name="mixedTypes"/> (DPA-1) one block of the Σsel nearest
/// neighbors whatever their type (ties by atom index).
/// </summary>
public sealed class BatchBuilder(double rcut, int[] sel, bool mixedTypes = false)
{
    /// <summary>Whether the slots are one mixed-type block.</summary>
    public bool MixedTypes { get; } = mixedTypes;

    /// <summary>Cutoff radius, Å.</summary>
    public double Rcut { get; } = rcut;

    /// <summary>Slots per neighbor type.</summary>
    public int[] Sel { get; } = sel;

    /// <summary>Builds a batch from frames <paramref name="frames"/> of <paramref name="system"/> (types already model types).</summary>
    public FrameBatch Build(DeepmdSystem system, IReadOnlyList<int> frames)
    {
        var n = system.AtomCount;
        var nf = frames.Count;
        var nnei = Sel.Sum();
        var offsets = new int[Sel.Length + 1];
        for (var t = 0; t < Sel.Length; t++) offsets[t + 1] = offsets[t] + Sel[t];
        var types = new long[nf * n];
        var coords = new double[nf * n * 3];
        var neighbor = new long[nf * n * nnei];
        var shift = new double[nf * n * nnei * 3];
        var mask = new double[nf * n * nnei];
        double[]? energy = system.Energies is null ? null : new double[nf];
        double[]? force = system.Forces is null ? null : new double[nf * n * 3];
        double[]? virial = system.Virials is null ? null : new double[nf * 9];
        var x = new double[n];
        var y = new double[n];
        var z = new double[n];
        for (var b = 0; b < nf; b++)
        {
            var f = frames[b];
            for (var i = 0; i < n; i++)
            {
                x[i] = system.Coords[(f * n + i) * 3];
                y[i] = system.Coords[(f * n + i) * 3 + 1];
                z[i] = system.Coords[(f * n + i) * 3 + 2];
                types[b * n + i] = system.Types[i];
                for (var c = 0; c < 3; c++) coords[(b * n + i) * 3 + c] = system.Coords[(f * n + i) * 3 + c];
            }
            Box? box = system.Boxes is null ? null : new Box(system.Boxes.AsSpan(f * 9, 9));
            var list = CellListNeighborSearch.Build(x, y, z, box, Rcut);
            for (var i = 0; i < n; i++)
            {
                var row = (b * n + i) * nnei;
                var picked = new List<(int Type, double R, int Entry)>();
                for (var e = list.Offsets[i]; e < list.Offsets[i + 1]; e++)
                {
                    var r = Math.Sqrt(list.Dx[e] * list.Dx[e] + list.Dy[e] * list.Dy[e] + list.Dz[e] * list.Dz[e]);
                    if (r > Rcut) continue;
                    picked.Add((MixedTypes ? 0 : system.Types[list.Owner[e]], r, e));
                }
                picked.Sort((p, q) => p.Type != q.Type ? p.Type.CompareTo(q.Type)
                    : p.R != q.R ? p.R.CompareTo(q.R) : list.Owner[p.Entry].CompareTo(list.Owner[q.Entry]));
                var fill = new int[Sel.Length];
                foreach (var (t, _, e) in picked)
                {
                    if (fill[t] >= Sel[t])
                        throw new UserInputException(MixedTypes
                            ? $"frame {f}, atom {i + 1}: more than sel = {Sel[t]} neighbors within rcut {Rcut}; increase sel"
                            : $"frame {f}, atom {i + 1}: more than sel[{t}] = {Sel[t]} neighbors of type {t} within rcut {Rcut}; increase sel", system.Name);
                    var s = row + offsets[t] + fill[t]++;
                    var j = list.Owner[e];
                    neighbor[s] = b * n + j;
                    mask[s] = 1;
                    // d = x_j - x_i + shift reproduces the (image) displacement of the list.
                    shift[s * 3] = list.Dx[e] - (x[j] - x[i]);
                    shift[s * 3 + 1] = list.Dy[e] - (y[j] - y[i]);
                    shift[s * 3 + 2] = list.Dz[e] - (z[j] - z[i]);
                }
                for (var t = 0; t < Sel.Length; t++)
                    for (var k = fill[t]; k < Sel[t]; k++)
                    {
                        var s = row + offsets[t] + k;
                        neighbor[s] = b * n + i;
                        shift[s * 3] = Rcut + 1;
                    }
            }
            if (energy is not null) energy[b] = system.Energies![f];
            if (force is not null) Array.Copy(system.Forces!, f * n * 3, force, b * n * 3, n * 3);
            if (virial is not null) Array.Copy(system.Virials!, f * 9, virial, b * 9, 9);
        }
        return new FrameBatch
        {
            FrameCount = nf, AtomCount = n, SlotCount = nnei, Types = types, Coords = coords, Neighbor = neighbor, Shift = shift,
            Mask = mask, Energy = energy, Force = force, Virial = virial,
        };
    }
}
