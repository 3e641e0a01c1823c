namespace DeepMD.Sharp.Dynamics.Domains;

using DeepMD.Sharp.Domains.Communication;
using DeepMD.Sharp.Domains.Decomposition;

/// <summary>
/// <c>velocity ... loop local</c> over several ranks (LAMMPS' semantics: each rank draws for the atoms it owns, in its
/// own order, from a generator seeded with seed + rank, so the numbers depend on the rank count). Between runs every
/// rank holds the whole system; the owners are those of the decomposition the next run starts from (the same grid and
/// <see cref="DomainDecomposition.Distribute"/>), and the drawn velocities are then shared with every rank.
/// </summary>
public sealed partial class DecomposedRun
{
    /// <summary>
    /// Indices (into <see cref="Simulation.Atoms"/>, which holds the whole system between runs) of the atoms this rank
    /// would own at the start of a run, in the order it would hold them. Not collective.
    /// </summary>
    public int[] OwnedAtomsBetweenRuns(Simulation sim)
    {
        var box = sim.Box!;
        var cell = box.Cell;
        var grid = Processors is { } p
            ? ProcessorGrid.Parse(p[0], p[1], p[2], Communicator.Size, cell)
            : ProcessorGrid.Choose(Communicator.Size, cell);
        // The ghost cutoff does not change which rank owns an atom; no ghosts are built.
        var dd = new DomainDecomposition(Communicator, grid, cell, ghostCutoff: 1.0, extraWidth: 1);
        var a = sim.Atoms;
        var n = a.Count;
        var id = new long[n];
        var extra = new double[n];
        var (x, y, z) = (new double[n], new double[n], new double[n]);
        for (var i = 0; i < n; i++)
        {
            id[i] = a.Id[i];
            (x[i], y[i], z[i]) = (a.X[i] - box.Lo[0], a.Y[i] - box.Lo[1], a.Z[i] - box.Lo[2]);
            extra[i] = i;
        }
        dd.Distribute(id, a.Type.AsSpan(0, n), x, y, z, default, extra);
        var owned = new int[dd.Atoms.NLocal];
        for (var k = 0; k < owned.Length; k++) owned[k] = (int)dd.Atoms.Extra[k];
        return owned;
    }

    /// <summary>Every rank takes the velocities each owner set for the atoms <paramref name="owned"/> lists. Collective.</summary>
    public void ShareVelocities(Simulation sim, int[] owned)
    {
        var a = sim.Atoms;
        var mine = new double[4 * owned.Length];
        for (var k = 0; k < owned.Length; k++)
        {
            var i = owned[k];
            (mine[4 * k], mine[4 * k + 1], mine[4 * k + 2], mine[4 * k + 3]) = (a.Id[i], a.Vx[i], a.Vy[i], a.Vz[i]);
        }
        var all = Communicator.GatherV<double>(mine, 0);
        Span<long> count = [Communicator.Rank == 0 ? all.Length : 0];
        Communicator.Broadcast(count, 0);
        if (Communicator.Rank != 0) all = new double[count[0]];
        Communicator.Broadcast<double>(all, 0);
        var index = new Dictionary<int, int>(a.Count);
        for (var i = 0; i < a.Count; i++) index[a.Id[i]] = i;
        for (var k = 0; k + 3 < all.Length; k += 4)
        {
            var i = index[(int)all[k]];
            (a.Vx[i], a.Vy[i], a.Vz[i]) = (all[k + 1], all[k + 2], all[k + 3]);
        }
    }
}
