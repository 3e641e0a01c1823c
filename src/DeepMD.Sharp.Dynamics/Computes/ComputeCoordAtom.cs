namespace DeepMD.Sharp.Dynamics.Computes;

using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Dynamics.Groups;

/// <summary>
/// <c>compute ID group coord/atom cutoff Rc [group group2-ID] [typeN ...]</c>: for each atom of the group, how many
/// atoms of group2 (default all) lie within Rc, one column per type range (default one column of all types), as
/// LAMMPS' compute coord/atom with the cutoff style.
/// </summary>
public sealed class ComputeCoordAtom : Compute
{
    private readonly double _cutoff;
    private readonly AtomGroup _group2;
    private readonly (int Lo, int Hi)[] _ranges;

    /// <summary>Type ranges (1-based, inclusive) of the columns in <paramref name="ranges"/>.</summary>
    public ComputeCoordAtom(string id, AtomGroup group, double cutoff, AtomGroup group2, IReadOnlyList<(int Lo, int Hi)> ranges) : base(id, group)
    {
        _cutoff = cutoff;
        _group2 = group2;
        _ranges = [.. ranges];
    }

    public override string Style => "coord/atom";

    public override bool HasPerAtom => true;

    public override int PerAtomColumns => _ranges.Length == 1 ? 0 : _ranges.Length;

    protected override void ComputePerAtom(Simulation sim, double[] values)
    {
        RequireSerial(sim);
        var a = sim.Atoms;
        var n = a.Count;
        var list = CellListNeighborSearch.Build(a.X.AsSpan(0, n), a.Y.AsSpan(0, n), a.Z.AsSpan(0, n), sim.Box!.Cell, _cutoff);
        var cutSq = _cutoff * _cutoff;
        var cols = _ranges.Length;
        var in2 = new bool[n];
        for (var j = 0; j < n; j++) in2[j] = _group2.Contains(a.Id[j]);
        for (var i = 0; i < n; i++)
        {
            if (!Group.Contains(a.Id[i])) continue;
            for (var e = list.Offsets[i]; e < list.Offsets[i + 1]; e++)
            {
                var j = list.Owner[e];
                if (!in2[j]) continue;
                var rsq = list.Dx[e] * list.Dx[e] + list.Dy[e] * list.Dy[e] + list.Dz[e] * list.Dz[e];
                if (rsq >= cutSq) continue;
                var tj = a.Type[j] + 1;
                for (var c = 0; c < cols; c++)
                    if (tj >= _ranges[c].Lo && tj <= _ranges[c].Hi) values[i * cols + c] += 1.0;
            }
        }
    }
}
