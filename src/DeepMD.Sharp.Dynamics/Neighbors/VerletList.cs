namespace DeepMD.Sharp.Dynamics.Neighbors;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Dynamics.Checkpoints;

/// <summary>
/// A Verlet neighbor list built with cutoff + skin and reused between rebuilds, in one of two forms: a full list from
/// <see cref="CellListNeighborSearch"/> (for DeePMD models; displacements refreshed from the stored lattice shifts), or a
/// <see cref="HalfNeighborList"/> over local and ghost atoms (for classical pair styles; ghost positions refreshed from
/// their owners). Decides rebuilds with LAMMPS' rules and counts builds and dangerous builds (an atom moved more than
/// half the skin before the rebuild, so a pair might have been missed); with <c>check no</c> the displacement is still
/// measured at every rebuild so a possibly missed pair is never silent. A box that changes between builds is allowed:
/// like LAMMPS, the movement of the box corners since the build is taken off the half skin an atom may move, and
/// <see cref="RequestRebuild"/> forces a build at the next step.
/// </summary>
public sealed class VerletList
{
    private double[] _xHold = [], _yHold = [], _zHold = [];
    private readonly double[] _cornersHold = new double[24];
    private readonly double[] _boxHold = new double[9];
    private bool _boxHeld, _rebuildRequested;

    public VerletList(NeighborSettings settings) => Settings = settings;

    public NeighborSettings Settings { get; }

    /// <summary>The current full list (null before the first build, and when the half list is in use).</summary>
    public NeighborList? List { get; private set; }

    /// <summary>The current half list over locals and ghosts (null unless the last build made one).</summary>
    public HalfNeighborList? Half { get; private set; }

    /// <summary>Thread limit for building the half list (null: one thread); the list does not depend on it.</summary>
    public ParallelOptions? Parallel { get; set; }

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
    /// Makes the next <see cref="Decide"/> rebuild whatever the every/delay/check rule says (for box changes that
    /// invalidate the list, such as a remap of the atoms or a large deformation).
    /// </summary>
    public void RequestRebuild() => _rebuildRequested = true;

    /// <summary>
    /// LAMMPS' neighbor->decide(): advances the age and says whether this step must rebuild. <paramref name="box"/> is
    /// the current box: if its corners moved since the build, an atom may move only half of what the corners' movement
    /// leaves of the skin (LAMMPS' check_distance with a changing box).
    /// </summary>
    public bool Decide(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, SimulationBox? box = null)
    {
        Ago++;
        if (_rebuildRequested)
        {
            _rebuildRequested = false;
            return true;
        }
        if (Ago < Settings.Delay || Ago % Settings.Every != 0) return false;
        var moved = MaxDisplacementSquared(x, y, z) > AllowedSquared(box);
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

    /// <summary>Builds the full list for the given positions (already wrapped into the box) and remembers them.</summary>
    public void Build(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, Box? cell, double cutoff)
    {
        // The previous list is dropped here: its arrays (tens of MB for 10⁴ atoms) are refilled rather than reallocated.
        List = CellListNeighborSearch.Build(x, y, z, cell, cutoff + Settings.Skin, List);
        Half = null;
        Hold(x, y, z, null);
    }

    /// <summary>
    /// A build without a list, for a potential that lists the system itself every step
    /// (<see cref="Core.Potentials.IPotential.CanStream"/>): remembers the positions and box, so rebuild decisions (and
    /// with them the wrapping of atoms into the box) follow the same rules, and drops any list held.
    /// </summary>
    public void BuildNone(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, SimulationBox box)
    {
        List = null;
        Half = null;
        Hold(x, y, z, box);
    }

    /// <summary>Whether the last build made no list (<see cref="BuildNone"/>).</summary>
    public bool Streamed => List is null && Half is null && BuildCount > 0;

    /// <summary>
    /// Builds the half list over locals and ghosts for positions wrapped into <paramref name="box"/> and remembers them;
    /// with <paramref name="planar"/> set (a 2-d system, LAMMPS' dimension 2) there are no images along z and one bin layer.
    /// </summary>
    public void BuildHalf(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, ReadOnlySpan<int> types,
        SimulationBox box, double cutoff, bool planar = false)
    {
        Half ??= new HalfNeighborList();
        Half.Build(x, y, z, types, box.Lo, box.Cell, cutoff + Settings.Skin, Parallel, planar);
        List = null;
        Hold(x, y, z, box);
    }

    /// <summary>
    /// Builds both lists (the full list over owners and the half list over ghosts) for positions wrapped into
    /// <paramref name="box"/>, for a potential whose parts ask for different kinds (hybrid/overlay).
    /// </summary>
    public void BuildBoth(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, ReadOnlySpan<int> types,
        SimulationBox box, double cutoff)
    {
        List = CellListNeighborSearch.Build(x, y, z, box.Cell, cutoff + Settings.Skin, List);
        Half ??= new HalfNeighborList();
        Half.Build(x, y, z, types, box.Lo, box.Cell, cutoff + Settings.Skin, Parallel);
        Hold(x, y, z, box);
    }

    /// <summary>Remembers the box corners after a full-list build (for the box check of <see cref="Decide"/>).</summary>
    public void HoldBox(SimulationBox box)
    {
        HoldCorners(box);
    }

    private void HoldCorners(SimulationBox box)
    {
        Corners(box, _cornersHold);
        box.Lo.AsSpan().CopyTo(_boxHold);
        box.Hi.AsSpan().CopyTo(_boxHold.AsSpan(3));
        _boxHold[6] = box.Xy;
        _boxHold[7] = box.Xz;
        _boxHold[8] = box.Yz;
        _boxHeld = true;
    }

    private void Hold(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, SimulationBox? box)
    {
        var n = x.Length;
        if (_xHold.Length != n)
        {
            _xHold = new double[n];
            _yHold = new double[n];
            _zHold = new double[n];
        }
        x.CopyTo(_xHold);
        y.CopyTo(_yHold);
        z.CopyTo(_zHold);
        _boxHeld = false;
        if (box is not null) HoldCorners(box);
        _rebuildRequested = false;
        Ago = 0;
        BuildCount++;
    }

    /// <summary>
    /// Brings the existing list up to date with moved atoms and the current cell (which may differ from the one at the
    /// build): full list displacements from lattice shifts, or ghost positions from their owners.
    /// </summary>
    public void Refresh(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, Box? cell)
    {
        if (Half is not null) Half.Refresh(x, y, z, cell ?? throw new InvalidOperationException("a half list needs a cell"));
        List?.UpdateDisplacements(x, y, z, cell);
    }

    /// <summary>As the span overload; a full list is brought up to date on all cores.</summary>
    public void Refresh(double[] x, double[] y, double[] z, Box? cell)
    {
        if (Half is not null) Half.Refresh(x, y, z, cell ?? throw new InvalidOperationException("a half list needs a cell"));
        List?.UpdateDisplacements(x, y, z, cell);
    }

    /// <summary>The squared distance an atom may move before a rebuild is needed.</summary>
    private double AllowedSquared(SimulationBox? box) =>
        box is null || !_boxHeld ? 0.25 * Settings.Skin * Settings.Skin : AllowedSquared(Settings.Skin, _cornersHold, box, TriclinicStyle);

    /// <summary>
    /// Whether LAMMPS treats the box as triclinic (declared so, even with zero tilts: <see cref="Simulation.TriclinicStyle"/>);
    /// it decides how the box's movement is taken off the skin in <see cref="Decide"/>.
    /// </summary>
    public bool TriclinicStyle { get; set; }

    /// <summary>
    /// LAMMPS' check_distance with a changing box: half of what the box's movement since <paramref name="cornersHold"/>
    /// (from <see cref="Corners"/>) leaves of the skin, squared. Orthogonal boxes: the movements of the lower and the upper
    /// corner. Triclinic ones (a non-zero tilt or <paramref name="triclinicStyle"/>): LAMMPS' loop over the 8 corners as
    /// written, keeping the largest movement and a second one that is only updated by corners not exceeding the first.
    /// </summary>
    internal static double AllowedSquared(double skin, ReadOnlySpan<double> cornersHold, SimulationBox box, bool triclinicStyle = false)
    {
        Span<double> now = stackalloc double[24];
        Corners(box, now);
        Span<double> moved = stackalloc double[8];
        for (var k = 0; k < 8; k++)
        {
            double dx = now[3 * k] - cornersHold[3 * k], dy = now[3 * k + 1] - cornersHold[3 * k + 1], dz = now[3 * k + 2] - cornersHold[3 * k + 2];
            moved[k] = Math.Sqrt(dx * dx + dy * dy + dz * dz);
        }
        double delta1 = 0, delta2 = 0;
        if (!triclinicStyle && !box.IsTriclinic)
        {
            delta1 = moved[0];
            delta2 = moved[7];
        }
        else
        {
            for (var k = 0; k < 8; k++)
            {
                var d = moved[k];
                if (d > delta1) delta1 = d;
                else if (d > delta2) delta2 = d;
            }
        }
        var delta = Math.Max(0, 0.5 * (skin - (delta1 + delta2)));
        return delta * delta;
    }

    /// <summary>The 8 corners of the box (lower corner + any sum of the edge vectors), interleaved x, y, z.</summary>
    internal static void Corners(SimulationBox box, Span<double> corners)
    {
        var h = box.Cell.Matrix;
        for (var k = 0; k < 8; k++)
        {
            double a = k & 1, b = (k >> 1) & 1, c = (k >> 2) & 1;
            corners[3 * k] = box.Lo[0] + a * h[0] + b * h[3] + c * h[6];
            corners[3 * k + 1] = box.Lo[1] + a * h[1] + b * h[4] + c * h[7];
            corners[3 * k + 2] = box.Lo[2] + a * h[2] + b * h[5] + c * h[8];
        }
    }

    /// <summary>Takes the age and build statistics of a saved list (after the list itself was rebuilt from its saved build positions).</summary>
    internal void RestoreCounters(CheckpointNeighbors saved)
    {
        Ago = saved.Ago;
        BuildCount = saved.BuildCount;
        DangerousBuilds = saved.DangerousBuilds;
        RiskyUncheckedBuilds = saved.RiskyUncheckedBuilds;
    }

    /// <summary>What a checkpoint needs to recreate this list (see <see cref="RestoreCounters"/>).</summary>
    internal CheckpointNeighbors Capture() =>
        new((double[])_xHold.Clone(), (double[])_yHold.Clone(), (double[])_zHold.Clone(), _boxHeld ? (double[])_boxHold.Clone() : [], Ago, BuildCount, DangerousBuilds, RiskyUncheckedBuilds);

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
