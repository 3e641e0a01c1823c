namespace DeepMD.Sharp.Dynamics.Computes;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Groups;

/// <summary>Spatial bins of <c>compute chunk/atom bin/1d|bin/2d</c> (LAMMPS' arguments and options).</summary>
public sealed class ChunkBinSettings
{
    public enum OriginKind { Lower, Center, Upper, Coord }

    public enum Scale { Box, Lattice, Reduced }

    public enum DiscardRule { Mixed, No, Yes }

    /// <summary>Dimension (0 x, 1 y, 2 z) of each binned direction (1 for bin/1d, 2 for bin/2d).</summary>
    public required int[] Dims { get; init; }

    public required OriginKind[] Origin { get; init; }

    /// <summary>Origin coordinate where <see cref="Origin"/> is <see cref="OriginKind.Coord"/> (deck units).</summary>
    public required double[] OriginValue { get; init; }

    /// <summary>Bin width (deck units).</summary>
    public required double[] Delta { get; init; }

    public Scale Units { get; set; } = Scale.Lattice;

    /// <summary>Lattice spacings (x, y, z) for <see cref="Scale.Lattice"/>.</summary>
    public double[] LatticeSpacing { get; set; } = [1, 1, 1];

    /// <summary><c>nchunk once|every</c>; null: LAMMPS' default (once for reduced units or a box of fixed size).</summary>
    public bool? NchunkOnce { get; set; }

    public bool Compress { get; set; }

    /// <summary><c>discard</c>; null: mixed (LAMMPS' default for bins).</summary>
    public DiscardRule? Discard { get; set; }

    /// <summary><c>bound DIM lo hi</c> per dimension: null = lower/upper (box edge), else the coordinate (deck units).</summary>
    public double?[] BoundLo { get; } = new double?[3];

    public double?[] BoundHi { get; } = new double?[3];
}

/// <summary>
/// The binned styles of compute chunk/atom (<c>bin/1d</c>, <c>bin/2d</c>), as LAMMPS' setup_xyz_bins, atom2bin1d/2d,
/// bin_volumes and compress, with <c>units box|lattice|reduced</c>, <c>nchunk once|every</c>, <c>compress</c>,
/// <c>discard mixed|no|yes</c>, <c>bound</c>; the per-step chunk assignment and the lock a fix ave/chunk holds over
/// its Nfreq epoch (or forever for running/window averages). In reduced units the atoms go through fractional
/// coordinates and back at each assignment, as LAMMPS does to its positions.
/// </summary>
public sealed partial class ComputeChunkAtom
{
    private readonly ChunkBinSettings? _bins;
    private readonly double[] _delta = new double[3], _invDelta = new double[3], _origin = new double[3], _offset = new double[3];
    private readonly double[] _minValue = new double[3], _maxValue = new double[3];
    private readonly bool[] _minCoord = new bool[3], _maxCoord = new bool[3];
    private readonly int[] _layers = new int[3];
    private int _ndim, _nchunk;
    private long _invokedSetup = -1, _invokedIchunk = -1;
    private int[] _ichunk = [];
    private bool[] _exclude = [];
    private int[] _chunkId = [];
    private Dictionary<int, int>? _hash;
    private object? _lockOwner;
    private long _lockStart, _lockStop;
    private bool _nchunkOnce;
    private ChunkBinSettings.DiscardRule _discard;

    /// <summary><c>compute ID group chunk/atom bin/1d|bin/2d ...</c>.</summary>
    public ComputeChunkAtom(string id, AtomGroup group, Simulation sim, ChunkBinSettings bins) : base(id, group)
    {
        _sim = sim;
        _bins = bins;
        _ndim = bins.Dims.Length;
        By = _ndim == 1 ? "bin/1d" : "bin/2d";
        for (var m = 0; m < _ndim; m++)
        {
            if (bins.Dims[m] == 2 && sim.Dimension == 2) throw new UserInputException("Cannot use compute chunk/atom bin z for 2d model");
            if (bins.Delta[m] <= 0.0) throw new UserInputException("Illegal compute chunk/atom command");
        }
        if (_ndim == 2 && bins.Dims[0] == bins.Dims[1]) throw new UserInputException("Illegal compute chunk/atom command");
        if (sim.Box is { IsTriclinic: true } && bins.Units != ChunkBinSettings.Scale.Reduced)
            throw new UserInputException("Compute chunk/atom for triclinic boxes requires units reduced");
        _discard = bins.Discard ?? ChunkBinSettings.DiscardRule.Mixed;
        Compress = bins.Compress;
        for (var m = 0; m < _ndim; m++)
        {
            var d = bins.Dims[m];
            var scale = bins.Units == ChunkBinSettings.Scale.Lattice ? bins.LatticeSpacing[d] : 1.0;
            _delta[m] = bins.Delta[m] * scale;
            _invDelta[m] = 1.0 / _delta[m];
            if (bins.Origin[m] == ChunkBinSettings.OriginKind.Coord) _origin[m] = bins.OriginValue[m] * scale;
        }
        // LAMMPS (compute_chunk_atom.cpp, 2021/2022 versions) stores `bound` by spatial dimension (x, y, z) but applies
        // the lattice scale in its loop over bin dimensions m < ndim: the bound of spatial dimension m is scaled by
        // the spacing of bin dimension m's axis, and bounds of spatial dimensions ≥ ndim are not scaled at all
        // (bin/1d y with bound y in lattice units keeps the bound in box units). Reproduced as is, so decks give
        // LAMMPS' chunks.
        for (var d = 0; d < 3; d++)
        {
            var scale = bins.Units == ChunkBinSettings.Scale.Lattice && d < _ndim ? bins.LatticeSpacing[bins.Dims[d]] : 1.0;
            if (bins.BoundLo[d] is { } lo) (_minCoord[d], _minValue[d]) = (true, lo * scale);
            if (bins.BoundHi[d] is { } hi) (_maxCoord[d], _maxValue[d]) = (true, hi * scale);
        }
        if (Compress) _hash = [];
    }

    /// <summary>Whether this is a binned style.</summary>
    public bool Binned => _bins is not null;

    /// <summary><c>compress yes</c>: chunks are the populated ids, renumbered from 1 (<see cref="OriginalId"/> gives the old one).</summary>
    public bool Compress { get; }

    /// <summary>Coordinates per chunk (LAMMPS' ncoord: 1 for bin/1d, 2 for bin/2d, 0 otherwise).</summary>
    public int CoordinateCount => _ndim;

    /// <summary>Bin centre coordinate <paramref name="k"/> of uncompressed chunk <paramref name="chunk"/> (0-based).</summary>
    public double Coordinate(int chunk, int k)
    {
        if (_ndim == 1) return _offset[0] + (chunk + 0.5) * _delta[0];
        var i = chunk / _layers[1];
        var j = chunk % _layers[1];
        return k == 0 ? _offset[0] + (i + 0.5) * _delta[0] : _offset[1] + (j + 0.5) * _delta[1];
    }

    /// <summary>Original (uncompressed) id of compressed chunk <paramref name="chunk"/> (0-based in, 1-based out).</summary>
    public int OriginalId(int chunk) => _chunkId[chunk];

    /// <summary>Volume of one bin (LAMMPS' chunk_volume_scalar; the box volume for chunks that are not bins).</summary>
    public double ChunkVolume { get; private set; } = 1.0;

    /// <summary>Keeps the chunk count fixed from <paramref name="start"/> to <paramref name="stop"/> (−1: for ever), LAMMPS' lock.</summary>
    public void Lock(object owner, long start, long stop)
    {
        if (_lockOwner is null)
        {
            (_lockOwner, _lockStart, _lockStop) = (owner, start, stop);
            return;
        }
        if (start != _lockStart || stop != _lockStop)
            throw new UserInputException("Two fix commands using same compute chunk/atom command in incompatible ways");
        _lockOwner = owner;
    }

    public void Unlock(object owner)
    {
        if (ReferenceEquals(owner, _lockOwner)) _lockOwner = null;
    }

    public override void Init(Simulation sim)
    {
        base.Init(sim);
        if (_bins is null) return;
        // LAMMPS' init: bins of a box that keeps its size are set up once unless the deck says otherwise.
        if (_bins.NchunkOnce is { } once) _nchunkOnce = once;
        else if (Compress) _nchunkOnce = false;
        else if (_bins.Units == ChunkBinSettings.Scale.Reduced) _nchunkOnce = true;
        else
        {
            var changes = sim.Fixes.Any(f => f.ChangesBox);
            if (!changes && !_nchunkOnce) _invokedSetup = -1;
            _nchunkOnce = !changes;
        }
    }

    /// <summary>Number of chunks now (LAMMPS' setup_chunks: fixed while locked or once set up with nchunk once).</summary>
    public int SetupChunks(Simulation sim)
    {
        if (_bins is null) return ChunkCount;
        if (_invokedSetup == sim.Step) return _nchunk;
        if (_lockOwner is not null || _nchunkOnce && _invokedSetup >= 0)
        {
            if (_bins.Units == ChunkBinSettings.Scale.Reduced) BinVolumes(sim);
            return _nchunk;
        }
        _invokedSetup = sim.Step;
        _nchunk = SetupBins(sim);
        BinVolumes(sim);
        AssignChunkIds(sim);
        if (Compress) CompressChunkIds(sim);
        return _nchunk;
    }

    /// <summary>Chunk id (1-based, 0 = none) of every atom now (LAMMPS' compute_ichunk).</summary>
    public int[] ComputeIChunk(Simulation sim)
    {
        if (_bins is null)
        {
            var a = sim.Atoms;
            if (_ichunk.Length != a.Count) _ichunk = new int[a.Count];
            for (var i = 0; i < a.Count; i++) _ichunk[i] = ChunkOf(sim, i) + 1;
            return _ichunk;
        }
        if (_invokedSetup < 0) SetupChunks(sim);
        if (_invokedIchunk == sim.Step && _ichunk.Length == sim.Atoms.Count) return _ichunk;
        if (sim.Step > _invokedSetup || _invokedIchunk < 0) AssignChunkIds(sim);
        _invokedIchunk = sim.Step;
        var n = sim.Atoms.Count;
        if (Compress)
        {
            for (var i = 0; i < n; i++)
            {
                if (_exclude[i]) continue;
                if (_hash!.TryGetValue(_ichunk[i], out var c)) _ichunk[i] = c;
                else _exclude[i] = true;
            }
        }
        else if (_discard == ChunkBinSettings.DiscardRule.No)
        {
            for (var i = 0; i < n; i++)
                if (!_exclude[i] && (_ichunk[i] < 1 || _ichunk[i] > _nchunk)) _ichunk[i] = _nchunk;
        }
        else
        {
            for (var i = 0; i < n; i++)
                if (!_exclude[i] && (_ichunk[i] < 1 || _ichunk[i] > _nchunk)) _exclude[i] = true;
        }
        for (var i = 0; i < n; i++)
            if (_exclude[i]) _ichunk[i] = 0;
        return _ichunk;
    }

    private int SetupBins(Simulation sim)
    {
        var box = sim.Box!;
        var reduced = _bins!.Units == ChunkBinSettings.Scale.Reduced;
        double[] binlo = reduced ? [0, 0, 0] : [box.Lo[0], box.Lo[1], box.Lo[2]];
        double[] binhi = reduced ? [1, 1, 1] : [box.Hi[0], box.Hi[1], box.Hi[2]];
        for (var d = 0; d < 3; d++)
        {
            if (_minCoord[d]) binlo[d] = _minValue[d];
            if (_maxCoord[d]) binhi[d] = _maxValue[d];
        }
        var nbins = 1;
        for (var m = 0; m < _ndim; m++)
        {
            var d = _bins.Dims[m];
            switch (_bins.Origin[m])
            {
                case ChunkBinSettings.OriginKind.Lower: _origin[m] = binlo[d]; break;
                case ChunkBinSettings.OriginKind.Upper: _origin[m] = binhi[d]; break;
                case ChunkBinSettings.OriginKind.Center: _origin[m] = 0.5 * (binlo[d] + binhi[d]); break;
            }
            double lo, hi;
            int n;
            if (_origin[m] < binlo[d])
            {
                n = (int)((binlo[d] - _origin[m]) * _invDelta[m]);
                lo = _origin[m] + n * _delta[m];
            }
            else
            {
                n = (int)((_origin[m] - binlo[d]) * _invDelta[m]);
                lo = _origin[m] - n * _delta[m];
                if (lo > binlo[d]) lo -= _delta[m];
            }
            if (_origin[m] < binhi[d])
            {
                n = (int)((binhi[d] - _origin[m]) * _invDelta[m]);
                hi = _origin[m] + n * _delta[m];
                if (hi < binhi[d]) hi += _delta[m];
            }
            else
            {
                n = (int)((_origin[m] - binhi[d]) * _invDelta[m]);
                hi = _origin[m] - n * _delta[m];
            }
            if (lo > hi) throw new UserInputException("Invalid bin bounds in compute chunk/atom");
            _offset[m] = lo;
            _layers[m] = (int)((hi - lo) * _invDelta[m] + 0.5);
            nbins *= _layers[m];
        }
        return nbins;
    }

    private void BinVolumes(Simulation sim)
    {
        var box = sim.Box!;
        var v = sim.Dimension == 3 ? box.Lx * box.Ly * box.Lz : box.Lx * box.Ly;
        double[] prd = _bins!.Units == ChunkBinSettings.Scale.Reduced ? [1, 1, 1] : [box.Lx, box.Ly, box.Lz];
        for (var m = 0; m < _ndim; m++) v *= _delta[m] / prd[_bins.Dims[m]];
        ChunkVolume = v;
    }

    private void AssignChunkIds(Simulation sim)
    {
        var a = sim.Atoms;
        var n = a.Count;
        if (_ichunk.Length != n)
        {
            _ichunk = new int[n];
            _exclude = new bool[n];
        }
        for (var i = 0; i < n; i++) _exclude[i] = !Group.Contains(a.Id[i]);
        var box = sim.Box!;
        var reduced = _bins!.Units == ChunkBinSettings.Scale.Reduced;
        double[]? inv = null;
        if (reduced)
        {
            inv = Fixes.FixDeform.HInverse(box);
            for (var i = 0; i < n; i++) Fixes.FixDeform.ToLamda(box, inv, ref a.X[i], ref a.Y[i], ref a.Z[i]);
        }
        double[] lo = reduced ? [0, 0, 0] : [box.Lo[0], box.Lo[1], box.Lo[2]];
        double[] hi = reduced ? [1, 1, 1] : [box.Hi[0], box.Hi[1], box.Hi[2]];
        double[] prd = reduced ? [1, 1, 1] : [box.Lx, box.Ly, box.Lz];
        for (var i = 0; i < n; i++)
        {
            if (_exclude[i]) continue;
            var index = 0;
            for (var m = 0; m < _ndim; m++)
            {
                var d = _bins.Dims[m];
                var x = d == 0 ? a.X[i] : d == 1 ? a.Y[i] : a.Z[i];
                if (box.Periodic[d])
                {
                    if (x < lo[d]) x += prd[d];
                    if (x >= hi[d]) x -= prd[d];
                }
                var ibin = (int)((x - _offset[m]) * _invDelta[m]);
                if (x < _offset[m]) ibin--;
                var last = _layers[m] - 1;
                if (_discard == ChunkBinSettings.DiscardRule.Mixed)
                {
                    if (!_minCoord[d]) ibin = Math.Max(ibin, 0);
                    else if (ibin < 0)
                    {
                        _exclude[i] = true;
                        break;
                    }
                    if (!_maxCoord[d]) ibin = Math.Min(ibin, last);
                    else if (ibin > last)
                    {
                        _exclude[i] = true;
                        break;
                    }
                }
                else if (_discard == ChunkBinSettings.DiscardRule.No)
                {
                    ibin = Math.Min(Math.Max(ibin, 0), last);
                }
                else if (ibin < 0 || ibin > last)
                {
                    _exclude[i] = true;
                    break;
                }
                index = m == 0 ? ibin : index * _layers[1] + ibin;
            }
            if (!_exclude[i]) _ichunk[i] = index + 1;
        }
        if (reduced)
            for (var i = 0; i < n; i++) Fixes.FixDeform.FromLamda(box, ref a.X[i], ref a.Y[i], ref a.Z[i]);
    }

    /// <summary>LAMMPS' compress_chunk_ids: the populated ids in ascending order become chunks 1..n.</summary>
    private void CompressChunkIds(Simulation sim)
    {
        var ids = new SortedSet<int>();
        for (var i = 0; i < _ichunk.Length; i++)
            if (!_exclude[i]) ids.Add(_ichunk[i]);
        _hash!.Clear();
        _chunkId = [.. ids];
        for (var k = 0; k < _chunkId.Length; k++) _hash[_chunkId[k]] = k + 1;
        _nchunk = _chunkId.Length;
    }
}
