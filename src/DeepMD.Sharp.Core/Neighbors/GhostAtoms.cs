namespace DeepMD.Sharp.Core.Neighbors;

using DeepMD.Sharp.Core.Geometry;

/// <summary>
/// The local atoms plus their periodic images (ghosts) within a distance of the box, as LAMMPS keeps them: ghost g is
/// atom <see cref="Owner"/>[g] shifted by a whole number of lattice vectors (<see cref="ShiftA"/>, B, C). Which images
/// exist is decided at a neighbor build (every image whose fractional coordinate lies within rc + skin of the box along
/// each periodic direction, so the set is exact for triclinic cells and for boxes smaller than the cutoff); their
/// positions are recomputed from the owners and the current cell at every step (<see cref="Refresh"/>), so a box that
/// changes between builds is followed. Extended arrays hold locals first (index = atom index), then ghosts.
/// </summary>
public sealed class GhostAtoms
{
    private const double Margin = 1e-9;
    private int[] _owner = [];
    private int[] _shiftA = [], _shiftB = [], _shiftC = [];
    private double[] _frac = [];

    /// <summary>Number of local atoms.</summary>
    public int LocalCount { get; private set; }

    /// <summary>Number of ghost atoms.</summary>
    public int GhostCount { get; private set; }

    /// <summary>Locals + ghosts.</summary>
    public int TotalCount => LocalCount + GhostCount;

    /// <summary>Owner (local index) of each extended atom: itself for locals.</summary>
    public ReadOnlySpan<int> Owner => _owner.AsSpan(0, TotalCount);

    /// <summary>Lattice shift along a of each extended atom (0 for locals).</summary>
    public ReadOnlySpan<int> ShiftA => _shiftA.AsSpan(0, TotalCount);

    /// <summary>Lattice shift along b of each extended atom (0 for locals).</summary>
    public ReadOnlySpan<int> ShiftB => _shiftB.AsSpan(0, TotalCount);

    /// <summary>Lattice shift along c of each extended atom (0 for locals).</summary>
    public ReadOnlySpan<int> ShiftC => _shiftC.AsSpan(0, TotalCount);

    /// <summary>Positions of locals then ghosts, interleaved x, y, z (length ≥ 3 · <see cref="TotalCount"/>).</summary>
    public double[] Positions { get; private set; } = [];

    /// <summary>Engine types of locals then ghosts.</summary>
    public int[] Types { get; private set; } = [];

    /// <summary>
    /// Fractional coordinates of the locals at the last build (interleaved a, b, c), as used to choose the images.
    /// </summary>
    public ReadOnlySpan<double> LocalFractions => _frac.AsSpan(0, 3 * LocalCount);

    /// <summary>
    /// Chooses the ghosts for local positions wrapped into the box (fractional coordinates in [0, 1) along periodic
    /// directions) and fills the extended positions and types.
    /// </summary>
    /// <param name="x">Local x positions.</param>
    /// <param name="y">Local y positions.</param>
    /// <param name="z">Local z positions.</param>
    /// <param name="types">Local engine types.</param>
    /// <param name="origin">The box's lower corner (LAMMPS xlo, ylo, zlo).</param>
    /// <param name="cell">The cell (rows are lattice vectors) with its periodic flags.</param>
    /// <param name="cutoff">Ghost distance: the neighbor cutoff including the skin.</param>
    /// <param name="planar">A 2-d system: no images along z (LAMMPS keeps no ghosts in z when dimension is 2).</param>
    public void Build(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, ReadOnlySpan<int> types,
        ReadOnlySpan<double> origin, Box cell, double cutoff, bool planar = false)
    {
        var n = x.Length;
        LocalCount = n;
        GhostCount = 0;
        if (_frac.Length < 3 * n) _frac = new double[3 * n];
        var inv = cell.Inverse;
        for (var i = 0; i < n; i++)
        {
            double rx = x[i] - origin[0], ry = y[i] - origin[1], rz = z[i] - origin[2];
            _frac[3 * i] = rx * inv[0] + ry * inv[3] + rz * inv[6];
            _frac[3 * i + 1] = rx * inv[1] + ry * inv[4] + rz * inv[7];
            _frac[3 * i + 2] = rx * inv[2] + ry * inv[5] + rz * inv[8];
        }
        Span<double> reach = stackalloc double[3];
        Span<int> images = stackalloc int[3];
        for (var d = 0; d < 3; d++)
        {
            reach[d] = cell.IsPeriodic(d) ? cutoff / cell.FaceDistance(d) + Margin : 0;
            images[d] = cell.IsPeriodic(d) && !(planar && d == 2) ? (int)Math.Ceiling(reach[d]) : 0;
        }
        EnsureCapacity(n + n / 2 + 16);
        for (var i = 0; i < n; i++)
        {
            _owner[i] = i;
            _shiftA[i] = _shiftB[i] = _shiftC[i] = 0;
        }
        var total = n;
        for (var sc = -images[2]; sc <= images[2]; sc++)
            for (var sb = -images[1]; sb <= images[1]; sb++)
                for (var sa = -images[0]; sa <= images[0]; sa++)
                {
                    if (sa == 0 && sb == 0 && sc == 0) continue;
                    for (var i = 0; i < n; i++)
                    {
                        double fa = _frac[3 * i] + sa, fb = _frac[3 * i + 1] + sb, fc = _frac[3 * i + 2] + sc;
                        if (sa != 0 && (fa < -reach[0] || fa > 1 + reach[0])) continue;
                        if (sb != 0 && (fb < -reach[1] || fb > 1 + reach[1])) continue;
                        if (sc != 0 && (fc < -reach[2] || fc > 1 + reach[2])) continue;
                        if (total == _owner.Length) EnsureCapacity(2 * total);
                        _owner[total] = i;
                        _shiftA[total] = sa;
                        _shiftB[total] = sb;
                        _shiftC[total] = sc;
                        total++;
                    }
                }
        GhostCount = total - n;
        if (Positions.Length < 3 * total) Positions = new double[3 * _owner.Length];
        if (Types.Length < total) Types = new int[_owner.Length];
        for (var g = 0; g < total; g++) Types[g] = types[_owner[g]];
        Refresh(x, y, z, cell);
    }

    /// <summary>
    /// Copies the local positions and recomputes every ghost's position from its owner and the current cell
    /// (r_g = r_owner + shift · H), so the cell may differ from the one at the build.
    /// </summary>
    public void Refresh(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, Box cell)
    {
        if (x.Length != LocalCount) throw new InvalidOperationException($"ghost refresh for {x.Length} atoms, built for {LocalCount}");
        var p = Positions;
        for (var i = 0; i < LocalCount; i++)
        {
            p[3 * i] = x[i];
            p[3 * i + 1] = y[i];
            p[3 * i + 2] = z[i];
        }
        var h = cell.Matrix;
        for (var g = LocalCount; g < TotalCount; g++)
        {
            var o = 3 * _owner[g];
            double sa = _shiftA[g], sb = _shiftB[g], sc = _shiftC[g];
            p[3 * g] = p[o] + sa * h[0] + sb * h[3] + sc * h[6];
            p[3 * g + 1] = p[o + 1] + sa * h[1] + sb * h[4] + sc * h[7];
            p[3 * g + 2] = p[o + 2] + sa * h[2] + sb * h[5] + sc * h[8];
        }
    }

    /// <summary>Adds each ghost's entries of an interleaved 3-vector array onto its owner (LAMMPS' reverse communication).</summary>
    public void FoldVectors(double[] v)
    {
        for (var g = LocalCount; g < TotalCount; g++)
        {
            var o = 3 * _owner[g];
            v[o] += v[3 * g];
            v[o + 1] += v[3 * g + 1];
            v[o + 2] += v[3 * g + 2];
        }
    }

    /// <summary>Adds each ghost's value of a per-atom scalar array onto its owner.</summary>
    public void FoldScalars(double[] v)
    {
        for (var g = LocalCount; g < TotalCount; g++) v[_owner[g]] += v[g];
    }

    /// <summary>Copies each owner's value of a per-atom scalar array to its ghosts (LAMMPS' forward communication).</summary>
    public void CopyToGhosts(double[] v)
    {
        for (var g = LocalCount; g < TotalCount; g++) v[g] = v[_owner[g]];
    }

    private void EnsureCapacity(int n)
    {
        if (_owner.Length >= n) return;
        Array.Resize(ref _owner, n);
        Array.Resize(ref _shiftA, n);
        Array.Resize(ref _shiftB, n);
        Array.Resize(ref _shiftC, n);
    }
}
