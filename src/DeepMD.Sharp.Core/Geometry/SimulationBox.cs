namespace DeepMD.Sharp.Core.Geometry;

/// <summary>
/// A LAMMPS-style simulation box: the lower corner (xlo, ylo, zlo) plus edge vectors a = (lx, 0, 0),
/// b = (xy, ly, 0), c = (xz, yz, lz) and per-direction periodicity. <see cref="Cell"/> is the same cell as a
/// <see cref="Box"/> (row vectors) for neighbor searches and potentials, which do not care about the origin.
/// Barostats change the box in place with <see cref="Reshape"/>; <see cref="Version"/> counts such changes.
/// </summary>
public sealed class SimulationBox
{
    private Box? _cell;

    /// <summary>Creates a box from LAMMPS bounds and tilt factors.</summary>
    public SimulationBox(double xlo, double xhi, double ylo, double yhi, double zlo, double zhi,
        double xy = 0, double xz = 0, double yz = 0, bool periodicX = true, bool periodicY = true, bool periodicZ = true)
    {
        Lo = [xlo, ylo, zlo];
        Hi = [xhi, yhi, zhi];
        Xy = xy;
        Xz = xz;
        Yz = yz;
        Periodic = [periodicX, periodicY, periodicZ];
        _faces = [.. Periodic.SelectMany(q => q ? "pp" : "ff")];
        _cell = MakeCell();
    }

    /// <summary>LAMMPS' SMALL: shrink-wrapped faces sit this fraction of the initial box length outside the atoms.</summary>
    public const double ShrinkMargin = 1.0e-4;

    /// <summary>Boundary style per face (xlo, xhi, ylo, yhi, zlo, zhi): 'p' periodic, 'f' fixed, 's' shrink-wrapped, 'm' shrink-wrapped with a minimum.</summary>
    private char[] _faces;

    /// <summary>Per direction: the margin of a shrink-wrapped face (LAMMPS' small[], from the box when it was set).</summary>
    private readonly double[] _small = new double[3];

    /// <summary>Per direction: the bounds an 'm' face never shrinks inside (the bound when the box was set).</summary>
    private readonly double[] _minLo = new double[3], _minHi = new double[3];

    /// <summary>The boundary letters per face, xlo xhi ylo yhi zlo zhi (e.g. "ppssff").</summary>
    public string Faces => new(_faces);

    /// <summary>Whether any face is shrink-wrapped (s or m): LAMMPS' nonperiodic == 2, the box then follows the atoms.</summary>
    public bool ShrinkWraps => Array.IndexOf(_faces, 's') >= 0 || Array.IndexOf(_faces, 'm') >= 0;

    /// <summary>
    /// Parses LAMMPS' <c>boundary</c> words (one per direction: p, f, s, m, or two letters for the lo and hi faces,
    /// e.g. <c>fs</c>) into six face letters; null with the reason when a word is not valid.
    /// </summary>
    public static string? ParseBoundary(ReadOnlySpan<string> words, out string? error)
    {
        error = null;
        if (words.Length != 3)
        {
            error = "Illegal boundary command";
            return null;
        }
        var faces = new char[6];
        for (var d = 0; d < 3; d++)
        {
            var w = words[d];
            if (w.Length is < 1 or > 2)
            {
                error = $"Illegal boundary command: '{w}' (each direction is p, f, s or m, or two of f, s, m for its lo and hi faces)";
                return null;
            }
            faces[2 * d] = w[0];
            faces[2 * d + 1] = w.Length == 1 ? w[0] : w[1];
            foreach (var c in faces.AsSpan(2 * d, 2))
                if (c is not ('p' or 'f' or 's' or 'm'))
                {
                    error = $"Illegal boundary command: '{w}' (each direction is p, f, s or m, or two of f, s, m for its lo and hi faces)";
                    return null;
                }
            if ((faces[2 * d] == 'p') != (faces[2 * d + 1] == 'p'))
            {
                error = "Both sides of boundary must be periodic";
                return null;
            }
        }
        return new string(faces);
    }

    /// <summary>
    /// Sets the face styles (six letters, see <see cref="Faces"/>; periodicity follows them) and, as LAMMPS'
    /// set_initial_box does when a box is created or read, takes the margin of shrink-wrapped faces from the box
    /// lengths now; with <paramref name="expand"/>, moves 's' faces out by that margin and remembers 'm' faces' bounds
    /// as their minimum extent.
    /// </summary>
    public void SetBoundary(string faces, bool expand = true)
    {
        if (faces.Length != 6) throw new ArgumentException("six face letters (xlo xhi ylo yhi zlo zhi)", nameof(faces));
        _faces = faces.ToCharArray();
        for (var d = 0; d < 3; d++)
        {
            Periodic[d] = _faces[2 * d] == 'p';
            _small[d] = ShrinkMargin * (Hi[d] - Lo[d]);
            if (!expand) continue;
            if (_faces[2 * d] == 's') Lo[d] -= _small[d];
            else if (_faces[2 * d] == 'm') _minLo[d] = Lo[d];
            if (_faces[2 * d + 1] == 's') Hi[d] += _small[d];
            else if (_faces[2 * d + 1] == 'm') _minHi[d] = Hi[d];
        }
        _cell = null;
        Version++;
    }

    /// <summary>
    /// LAMMPS' Domain::reset_box: the shrink-wrapped faces move to the atoms' extent plus the margin ('m' faces no
    /// closer than their minimum bound); in a triclinic box the extent is taken in fractional coordinates, as LAMMPS.
    /// Returns whether the box has shrink-wrapped faces (and so may have changed). Throws when the bounds cross.
    /// </summary>
    public bool ShrinkWrap(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z)
    {
        if (!ShrinkWraps || x.Length == 0) return false;
        Span<double> lo = [double.MaxValue, double.MaxValue, double.MaxValue];
        Span<double> hi = [double.MinValue, double.MinValue, double.MinValue];
        var tri = IsTriclinic;
        double h0 = Lx, h1 = Ly, h2 = Lz;
        for (var i = 0; i < x.Length; i++)
        {
            double a = x[i], b = y[i], c = z[i];
            if (tri)
            {
                // LAMMPS' x2lamda, term for term
                double dx = a - Lo[0], dy = b - Lo[1], dz = c - Lo[2];
                a = 1.0 / h0 * dx + -Xy / (h0 * h1) * dy + (Yz * Xy - h1 * Xz) / (h0 * h1 * h2) * dz;
                b = 1.0 / h1 * dy + -Yz / (h1 * h2) * dz;
                c = 1.0 / h2 * dz;
            }
            lo[0] = Math.Min(lo[0], a);
            hi[0] = Math.Max(hi[0], a);
            lo[1] = Math.Min(lo[1], b);
            hi[1] = Math.Max(hi[1], b);
            lo[2] = Math.Min(lo[2], c);
            hi[2] = Math.Max(hi[2], c);
        }
        if (tri)
        {
            // lamda2x of (lo, 0, 0), (0, lo, 0), (0, 0, lo) along each direction: only the diagonal term counts
            for (var d = 0; d < 3; d++)
            {
                var h = d == 0 ? h0 : d == 1 ? h1 : h2;
                lo[d] = h * lo[d] + Lo[d];
                hi[d] = h * hi[d] + Lo[d];
            }
        }
        for (var d = 0; d < 3; d++)
        {
            if (Periodic[d]) continue;
            var l = Lo[d];
            var u = Hi[d];
            if (_faces[2 * d] == 's') l = lo[d] - _small[d];
            else if (_faces[2 * d] == 'm') l = Math.Min(lo[d] - _small[d], _minLo[d]);
            if (_faces[2 * d + 1] == 's') u = hi[d] + _small[d];
            else if (_faces[2 * d + 1] == 'm') u = Math.Max(hi[d] + _small[d], _minHi[d]);
            if (l > u) throw new Errors.UserInputException("Illegal simulation box");
            Lo[d] = l;
            Hi[d] = u;
        }
        _cell = null;
        Version++;
        return true;
    }

    /// <summary>Lower corner (xlo, ylo, zlo).</summary>
    public double[] Lo { get; }

    /// <summary>Upper bounds (xhi, yhi, zhi).</summary>
    public double[] Hi { get; }

    public double Xy { get; private set; }

    public double Xz { get; private set; }

    public double Yz { get; private set; }

    /// <summary>Number of <see cref="Reshape"/> calls so far (0 for a box that never changed).</summary>
    public long Version { get; private set; }

    /// <summary>Periodicity of x, y, z.</summary>
    public bool[] Periodic { get; }

    /// <summary>The cell as row vectors, without the origin.</summary>
    public Box Cell => _cell ??= MakeCell();

    public bool IsTriclinic => Xy != 0 || Xz != 0 || Yz != 0;

    public double Lx => Hi[0] - Lo[0];

    public double Ly => Hi[1] - Lo[1];

    public double Lz => Hi[2] - Lo[2];

    public double Volume => Lx * Ly * Lz;

    /// <summary>The same box with new bounds and tilts (for barostats and box changes).</summary>
    public SimulationBox With(double xlo, double xhi, double ylo, double yhi, double zlo, double zhi, double xy, double xz, double yz)
    {
        var box = new SimulationBox(xlo, xhi, ylo, yhi, zlo, zhi, xy, xz, yz, Periodic[0], Periodic[1], Periodic[2]);
        if (ShrinkWraps) box.SetBoundary(Faces, expand: false);
        return box;
    }

    /// <summary>
    /// Changes bounds and tilts in place (barostats). Periodicity is kept; the <see cref="Cell"/> is rebuilt on its
    /// next use, so several reshapes within one step cost one cell.
    /// </summary>
    public void Reshape(double xlo, double xhi, double ylo, double yhi, double zlo, double zhi, double xy, double xz, double yz)
    {
        Lo[0] = xlo;
        Lo[1] = ylo;
        Lo[2] = zlo;
        Hi[0] = xhi;
        Hi[1] = yhi;
        Hi[2] = zhi;
        Xy = xy;
        Xz = xz;
        Yz = yz;
        _cell = null;
        Version++;
    }

    private Box MakeCell() => new([Hi[0] - Lo[0], 0, 0, Xy, Hi[1] - Lo[1], 0, Xz, Yz, Hi[2] - Lo[2]], Periodic[0], Periodic[1], Periodic[2]);

    /// <summary>
    /// Maps an atom back into the box along periodic directions, updating its image counts (LAMMPS' pbc remap:
    /// one box length at a time, which is all that is needed between neighbor rebuilds).
    /// </summary>
    public void Remap(ref double x, ref double y, ref double z, ref int ia, ref int ib, ref int ic)
    {
        if (!IsTriclinic)
        {
            RemapAxis(ref x, Lo[0], Hi[0], Periodic[0], ref ia);
            RemapAxis(ref y, Lo[1], Hi[1], Periodic[1], ref ib);
            RemapAxis(ref z, Lo[2], Hi[2], Periodic[2], ref ic);
            return;
        }
        // LAMMPS' x2lamda / lamda2x term for term, so an atom on a tilted face lands in the image LAMMPS puts it in
        double h0 = Lx, h1 = Ly, h2 = Lz;
        double dx = x - Lo[0], dy = y - Lo[1], dz = z - Lo[2];
        var a = 1.0 / h0 * dx + -Xy / (h0 * h1) * dy + (Yz * Xy - h1 * Xz) / (h0 * h1 * h2) * dz;
        var b = 1.0 / h1 * dy + -Yz / (h1 * h2) * dz;
        var c = 1.0 / h2 * dz;
        var changed = false;
        changed |= RemapFraction(ref a, Periodic[0], ref ia);
        changed |= RemapFraction(ref b, Periodic[1], ref ib);
        changed |= RemapFraction(ref c, Periodic[2], ref ic);
        if (!changed) return;
        x = h0 * a + Xy * b + Xz * c + Lo[0];
        y = h1 * b + Yz * c + Lo[1];
        z = h2 * c + Lo[2];
    }

    /// <summary>How many box lengths the point lies outside the box along periodic directions (see <see cref="Box.BoxLengthsOutside"/>).</summary>
    public double BoxLengthsOutside(double x, double y, double z) => Cell.BoxLengthsOutside(x - Lo[0], y - Lo[1], z - Lo[2]);

    /// <summary>
    /// Brings a point that lies more than a few box lengths outside the box back near it in one step (floor
    /// arithmetic, image counts updated), so that <see cref="Remap"/>'s one-length-at-a-time loop finishes it. Points
    /// within a few lengths are left untouched, so ordinary remaps stay bit-identical to LAMMPS'.
    /// </summary>
    public void RemapFar(ref double x, ref double y, ref double z, ref int ia, ref int ib, ref int ic)
    {
        const double Few = 4;
        var (a, b, c) = Cell.ToFractional(x - Lo[0], y - Lo[1], z - Lo[2]);
        var na = Periodic[0] && Math.Abs(a - 0.5) > Few ? Math.Floor(a) : 0;
        var nb = Periodic[1] && Math.Abs(b - 0.5) > Few ? Math.Floor(b) : 0;
        var nc = Periodic[2] && Math.Abs(c - 0.5) > Few ? Math.Floor(c) : 0;
        if (na == 0 && nb == 0 && nc == 0) return;
        var (sx, sy, sz) = Cell.ToCartesian(na, nb, nc);
        x -= sx;
        y -= sy;
        z -= sz;
        ia += (int)na;
        ib += (int)nb;
        ic += (int)nc;
    }

    private static void RemapAxis(ref double x, double lo, double hi, bool periodic, ref int image)
    {
        if (!periodic) return;
        var period = hi - lo;
        if (x < lo)
        {
            x += period;
            image--;
        }
        if (x >= hi)
        {
            x -= period;
            x = Math.Max(x, lo);
            image++;
        }
    }

    private static bool RemapFraction(ref double f, bool periodic, ref int image)
    {
        if (!periodic) return false;
        var changed = false;
        if (f < 0)
        {
            f += 1;
            image--;
            changed = true;
        }
        if (f >= 1)
        {
            f -= 1;
            f = Math.Max(f, 0);
            image++;
            changed = true;
        }
        return changed;
    }

    /// <summary>Whether a point lies inside the box along non-periodic directions (periodic ones always do).</summary>
    public bool InsideNonPeriodic(double x, double y, double z)
    {
        var (a, b, c) = Cell.ToFractional(x - Lo[0], y - Lo[1], z - Lo[2]);
        return (Periodic[0] || (a >= 0 && a <= 1)) && (Periodic[1] || (b >= 0 && b <= 1)) && (Periodic[2] || (c >= 0 && c <= 1));
    }
}
