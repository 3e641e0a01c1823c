namespace DeepMD.Sharp.Dynamics.Neighbors;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Dynamics.Checkpoints;

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

    /// <summary>LAMMPS' neighbor->decide(): advances the age and says whether this step must rebuild.</summary>
    public bool Decide(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z)
    {
        Ago++;
        if (Ago < Settings.Delay || Ago % Settings.Every != 0) return false;
        var moved = MaxDisplacementSquared(x, y, z) > 0.25 * Settings.Skin * Settings.Skin;
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

    /// <summary>Positions at the last build (what rebuild decisions measure from); empty before the first build.</summary>
    internal (double[] X, double[] Y, double[] Z) Hold => (_xHold, _yHold, _zHold);

    /// <summary>
    /// Recreates the list exactly as it stood in a saved run: built from the saved positions of the last build (the
    /// search is deterministic, so the same pairs in the same order), then refreshed to the current positions unless
    /// the build was this very step; age and statistics as saved.
    /// </summary>
    internal void Restore(CheckpointNeighbors saved, ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, Box? cell, double cutoff)
    {
        Build(saved.XHold, saved.YHold, saved.ZHold, cell, cutoff);
        if (saved.Ago != 0) Refresh(x, y, z, cell);
        Ago = saved.Ago;
        BuildCount = saved.BuildCount;
        DangerousBuilds = saved.DangerousBuilds;
        RiskyUncheckedBuilds = saved.RiskyUncheckedBuilds;
    }

    /// <summary>What <see cref="Restore"/> needs, taken from the current list.</summary>
    internal CheckpointNeighbors Capture() =>
        new((double[])_xHold.Clone(), (double[])_yHold.Clone(), (double[])_zHold.Clone(), Ago, BuildCount, DangerousBuilds, RiskyUncheckedBuilds);

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
