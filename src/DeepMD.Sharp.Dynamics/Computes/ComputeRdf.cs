namespace DeepMD.Sharp.Dynamics.Computes;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Dynamics.Groups;

/// <summary>
/// <c>compute ID group rdf Nbin [itype jtype ...] [cutoff Rc]</c>: radial distribution functions as LAMMPS' compute
/// rdf. A global array of Nbin rows and 1 + 2·npairs columns: the bin centre, then g(r) and the running coordination
/// number of each type pair (all types with all types when no pairs are given). Bins span 0 to the cutoff (the pair
/// style's cutoff unless <c>cutoff</c> is given). Both atoms of a pair must be in the group; g(r) is normalised by the
/// shell volume, the box volume and the number of I and J atoms (an atom is not its own partner), so an ideal gas
/// gives 1.
/// </summary>
public sealed class ComputeRdf : Compute
{
    private readonly int _bins;
    private readonly (int ILo, int IHi, int JLo, int JHi)[] _pairs;
    private readonly double? _userCutoff;
    private double _delr;
    private double[][] _hist = [];
    private int[] _icount = [], _jcount = [], _duplicates = [];

    /// <summary>Type ranges (1-based, inclusive) of each pair in <paramref name="pairs"/>; empty for all types with all types.</summary>
    public ComputeRdf(string id, AtomGroup group, int bins, IReadOnlyList<(int ILo, int IHi, int JLo, int JHi)> pairs, double? cutoff) : base(id, group)
    {
        if (bins < 1) throw new UserInputException($"compute {id} rdf: Nbin must be at least 1, got {bins}");
        _bins = bins;
        _pairs = [.. pairs];
        _userCutoff = cutoff;
    }

    public override string Style => "rdf";

    public override int ArrayRows => _bins;

    public override int ArrayColumns => 1 + 2 * Math.Max(1, _pairs.Length);

    /// <summary>The cutoff of the last setup (bins span 0 to it).</summary>
    public double Cutoff { get; private set; }

    public override void Init(Simulation sim)
    {
        base.Init(sim);
        Cutoff = _userCutoff ?? sim.Potential?.Cutoff
            ?? throw new UserInputException($"compute {Id} rdf requires a pair style be defined or cutoff specified");
        _delr = Cutoff / _bins;
        foreach (var p in _pairs)
            if (p.IHi > sim.TypeCount || p.JHi > sim.TypeCount)
                throw new UserInputException($"compute {Id} rdf: atom type {Math.Max(p.IHi, p.JHi)} is outside 1..{sim.TypeCount}");
    }

    private (int ILo, int IHi, int JLo, int JHi)[] Pairs(Simulation sim) =>
        _pairs.Length > 0 ? _pairs : [(1, sim.TypeCount, 1, sim.TypeCount)];

    protected override void ComputeArray(Simulation sim, double[][] array)
    {
        RequireSerial(sim);
        if (_delr == 0) Init(sim);
        var a = sim.Atoms;
        var n = a.Count;
        var pairs = Pairs(sim);
        var np = pairs.Length;
        var ntypes = sim.TypeCount;
        // Which histograms a (type i, type j) pair adds to, as LAMMPS' rdfpair table.
        var lists = new List<int>[ntypes + 1, ntypes + 1];
        for (var m = 0; m < np; m++)
            for (var i = pairs[m].ILo; i <= pairs[m].IHi; i++)
                for (var j = pairs[m].JLo; j <= pairs[m].JHi; j++)
                    (lists[i, j] ??= []).Add(m);
        // Normalisation: atoms of each type in the group.
        var typecount = new int[ntypes + 1];
        var mask = GroupMask(sim);
        for (var i = 0; i < n; i++) if (mask[i]) typecount[a.Type[i] + 1]++;
        _icount = new int[np];
        _jcount = new int[np];
        _duplicates = new int[np];
        for (var m = 0; m < np; m++)
        {
            for (var t = pairs[m].ILo; t <= pairs[m].IHi; t++) _icount[m] += typecount[t];
            for (var t = pairs[m].JLo; t <= pairs[m].JHi; t++) _jcount[m] += typecount[t];
            for (var i = pairs[m].ILo; i <= pairs[m].IHi; i++)
                for (var j = pairs[m].JLo; j <= pairs[m].JHi; j++)
                    if (i == j) _duplicates[m] += typecount[i];
        }
        if (_hist.Length != np || _hist[0].Length != _bins) _hist = Enumerable.Range(0, np).Select(_ => new double[_bins]).ToArray();
        foreach (var h in _hist) System.Array.Clear(h);
        // Every pair within the cutoff, seen from both atoms (a full list: one entry per periodic image), counts for
        // (type i, type j) from i's side; LAMMPS' half list counts (itype, jtype) and (jtype, itype) once each.
        var list = CellListNeighborSearch.Build(a.X.AsSpan(0, n), a.Y.AsSpan(0, n), a.Z.AsSpan(0, n), sim.Box!.Cell, Cutoff);
        var delrinv = 1.0 / _delr;
        for (var i = 0; i < n; i++)
        {
            if (!mask[i]) continue;
            var ti = a.Type[i] + 1;
            for (var e = list.Offsets[i]; e < list.Offsets[i + 1]; e++)
            {
                var j = list.Owner[e];
                if (!mask[j]) continue;
                var hists = lists[ti, a.Type[j] + 1];
                if (hists is null) continue;
                var r = Math.Sqrt(list.Dx[e] * list.Dx[e] + list.Dy[e] * list.Dy[e] + list.Dz[e] * list.Dz[e]);
                var bin = (int)(r * delrinv);
                if (bin >= _bins) continue;
                foreach (var m in hists) _hist[m][bin] += 1.0;
            }
        }
        var box = sim.Box!;
        var constant = 4.0 * Math.PI / (3.0 * box.Lx * box.Ly * box.Lz);
        for (var bin = 0; bin < _bins; bin++) array[bin][0] = (bin + 0.5) * _delr;
        for (var m = 0; m < np; m++)
        {
            var normfac = _icount[m] > 0 ? _jcount[m] - (double)_duplicates[m] / _icount[m] : 0.0;
            var ncoord = 0.0;
            for (var bin = 0; bin < _bins; bin++)
            {
                var rlower = bin * _delr;
                var rupper = (bin + 1) * _delr;
                var vfrac = constant * (rupper * rupper * rupper - rlower * rlower * rlower);
                var gr = vfrac * normfac != 0.0 ? _hist[m][bin] / (vfrac * normfac * _icount[m]) : 0.0;
                if (_icount[m] != 0) ncoord += gr * vfrac * normfac;
                array[bin][1 + 2 * m] = gr;
                array[bin][2 + 2 * m] = ncoord;
            }
        }
    }
}
