namespace DeepMD.Sharp.Dynamics.Domains;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Domains.Decomposition;
using DeepMD.Sharp.Dynamics.Neighbors;

/// <summary>
/// The box as a decomposed run follows it (LAMMPS' domain->set_global_box/set_local_box after every box change): the
/// decomposition works on positions relative to the box's lower corner (<see cref="Origin"/>) in the current cell, so a
/// barostat that changes the box (fix npt, nph) moves every subdomain with it, bounds fixed in fractional coordinates;
/// the ghosts take the current cell's lattice shifts at every forward communication; and the neighbor decision takes
/// the box corners' movement since the last build off the half skin, as the one-process loop does
/// (<see cref="VerletList"/>, LAMMPS' check_distance).
/// </summary>
internal sealed class DecomposedBox
{
    private readonly double[] _cornersHold = new double[24];
    private bool _changes;

    /// <summary>The box's lower corner the decomposition's positions are measured from (updated by <see cref="Follow"/>).</summary>
    public double[] Origin { get; } = new double[3];

    /// <summary>At the start of a run: whether a fix changes the box, and the origin of the current box.</summary>
    public void Start(Simulation sim)
    {
        if (sim.Box is { ShrinkWraps: true })
            throw new Core.Errors.UserInputException("shrink-wrapped boundaries (s, m) are not carried over several processes yet; run this deck on one process (without mpirun)");
        _changes = sim.Fixes.Any(f => f.ChangesBox);
        sim.Box!.Lo.AsSpan(0, 3).CopyTo(Origin);
    }

    /// <summary>
    /// After a fix may have changed the box: the new origin and cell for the decomposition (its subdomains, wrap and
    /// ghost shifts follow the box). Call before the owned positions go to the decomposition.
    /// </summary>
    public void Follow(Simulation sim, DomainDecomposition dd)
    {
        if (!_changes) return;
        var box = sim.Box!;
        box.Lo.AsSpan(0, 3).CopyTo(Origin);
        if (!ReferenceEquals(dd.Box, box.Cell)) dd.SetBox(box.Cell);
    }

    /// <summary>At a neighbor list build: remembers the box corners.</summary>
    public void Hold(Simulation sim)
    {
        if (_changes) VerletList.Corners(sim.Box!, _cornersHold);
    }

    /// <summary>The squared distance an owned atom may move before a rebuild (the box corners' movement taken off).</summary>
    public double AllowedSquared(Simulation sim)
    {
        var skin = sim.Neighbor.Skin;
        return _changes ? VerletList.AllowedSquared(skin, _cornersHold, sim.Box!, sim.TriclinicStyle) : 0.25 * skin * skin;
    }

    /// <summary>
    /// At a rebuild, as the one-process loop: an owned atom outside the box along a non-periodic direction is lost. The
    /// smallest such id over the ranks (collective through <paramref name="min"/>) stops every rank with the same error.
    /// </summary>
    public static void CheckLost(Simulation sim, Func<double, double> min)
    {
        var box = sim.Box!;
        var a = sim.Atoms;
        double lost = double.PositiveInfinity, x = 0, y = 0, z = 0;
        if (!box.Periodic[0] || !box.Periodic[1] || !box.Periodic[2])
            for (var i = 0; i < a.Count; i++)
                if (!box.InsideNonPeriodic(a.X[i], a.Y[i], a.Z[i]) && a.Id[i] < lost)
                    (lost, x, y, z) = (a.Id[i], a.X[i], a.Y[i], a.Z[i]);
        var first = min(lost);
        if (double.IsPositiveInfinity(first)) return;
        var where = first == lost ? $" at ({x}, {y}, {z})" : "";
        throw new SimulationException($"step {sim.Step}: atom {first} is lost: it left the box through a non-periodic boundary{where}", sim.Step, (int)first);
    }
}
