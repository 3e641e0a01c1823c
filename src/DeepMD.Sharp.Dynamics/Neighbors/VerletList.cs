namespace DeepMD.Sharp.Dynamics.Neighbors;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;

/// <summary>
/// A Verlet neighbor list: a full list built with cutoff + skin by <see cref="CellListNeighborSearch"/>, reused
/// between rebuilds by refreshing displacements from the stored lattice shifts. Decides rebuilds with LAMMPS' rules
/// and counts builds and dangerous builds (an atom moved more than half the skin before the rebuild, so a pair
/// might have been missed); with <c>check no</c> the displacement is still measured at every rebuild so a
/// possibly missed pair is never silent.
/// </summary>
public sealed class VerletList
{
    private double[] _xHold = [], _yHold = [], _zHold = [];
    private readonly double[] _cornersHold = new double[24];

    public VerletList(NeighborSettings settings) => Settings = settings;

    public NeighborSettings Settings { get; }

    /// <summary>The current list (null before the first build).</summary>
    public NeighborList? List { get; private set; }

    /// <summary>Steps since the last build.</summary>
    public int Ago { get; private set; }

    /// <summary>Builds so far.</summary>
    public int BuildCount { get; private set; }

    /// <summary>
    /// LAMMPS' dangerous builds (only counted with <c>check yes</c>): a rebuild was needed at the first step one was
    /// allowed, so it may have been needed earlier.
    /// </summary>
    public int DangerousBuilds { get; private set; }

    /// <summary>
    /// Rebuilds under <c>check no</c> at which some atom had moved more than half the skin since the previous build:
    /// a pair may have been missed in between (LAMMPS does not detect this).
    /// </summary>
    public int RiskyUncheckedBuilds { get; private set; }

    /// <summary>
    /// LAMMPS' neighbor->decide(): advances the age and says whether this step must rebuild. When the box changes
    /// during the run (<paramref name="changingBox"/> given), the half-skin trigger shrinks by the distance the box
    /// corners moved since the build (LAMMPS' box check), since atoms near a moving face approach their images.
    /// </summary>
    public bool Decide(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, SimulationBox? changingBox = null)
    {
        Ago++;
        if (Ago < Settings.Delay || Ago % Settings.Every != 0) return false;
        var trigger = 0.25 * Settings.Skin * Settings.Skin;
        if (changingBox is not null)
        {
            var delta = 0.5 * (Settings.Skin - CornerDrift(changingBox));
            if (delta < 0.0) delta = 0.0;
            trigger = delta * delta;
        }
        var moved = MaxDisplacementSquared(x, y, z) > trigger;
        if (!Settings.Check)
        {
            // LAMMPS cannot tell here; we can: past half the skin, a pair may have been missed.
            if (moved) RiskyUncheckedBuilds++;
            return true;
        }
        // LAMMPS' definition: a needed rebuild at the first step one was allowed may have come too late.
        if (moved && Ago == Math.Max(Settings.Every, Settings.Delay)) DangerousBuilds++;
        return moved;
    }

    /// <summary>Builds the list for the given positions (already wrapped into the box) and remembers them.</summary>
    public void Build(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, Box? cell, double cutoff)
    {
        var n = x.Length;
        List = CellListNeighborSearch.Build(x, y, z, cell, cutoff + Settings.Skin);
        if (_xHold.Length != n)
        {
            _xHold = new double[n];
            _yHold = new double[n];
            _zHold = new double[n];
        }
        x.CopyTo(_xHold);
        y.CopyTo(_yHold);
        z.CopyTo(_zHold);
        Ago = 0;
        BuildCount++;
    }

    /// <summary>Remembers the box corners at a build (for the box check of <see cref="Decide"/>).</summary>
    public void HoldBox(SimulationBox box) => Corners(box, _cornersHold);

    /// <summary>Sum of the two largest corner displacements since the build (LAMMPS' delta1 + delta2).</summary>
    private double CornerDrift(SimulationBox box)
    {
        Span<double> now = stackalloc double[24];
        Corners(box, now);
        double d1 = 0, d2 = 0;
        for (var c = 0; c < 8; c++)
        {
            double dx = now[3 * c] - _cornersHold[3 * c], dy = now[3 * c + 1] - _cornersHold[3 * c + 1], dz = now[3 * c + 2] - _cornersHold[3 * c + 2];
            var d = Math.Sqrt(dx * dx + dy * dy + dz * dz);
            if (d > d1)
            {
                d2 = d1;
                d1 = d;
            }
            else if (d > d2) d2 = d;
        }
        return d1 + d2;
    }

    private static void Corners(SimulationBox box, Span<double> corners)
    {
        double lx = box.Lx, ly = box.Ly, lz = box.Lz;
        for (var c = 0; c < 8; c++)
        {
            double fa = c & 1, fb = (c >> 1) & 1, fc = (c >> 2) & 1;
            corners[3 * c] = box.Lo[0] + fa * lx + fb * box.Xy + fc * box.Xz;
            corners[3 * c + 1] = box.Lo[1] + fb * ly + fc * box.Yz;
            corners[3 * c + 2] = box.Lo[2] + fc * lz;
        }
    }

    /// <summary>Refreshes displacements of the existing list for moved atoms (same box shape).</summary>
    public void Refresh(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, Box? cell) =>
        List!.UpdateDisplacements(x, y, z, cell);

    /// <summary>Largest squared displacement since the last build (positions are rewrapped only right before a build).</summary>
    private double MaxDisplacementSquared(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z)
    {
        double max = 0;
        for (var i = 0; i < x.Length; i++)
        {
            double dx = x[i] - _xHold[i], dy = y[i] - _yHold[i], dz = z[i] - _zHold[i];
            var r2 = dx * dx + dy * dy + dz * dz;
            if (r2 > max) max = r2;
        }
        return max;
    }
}
