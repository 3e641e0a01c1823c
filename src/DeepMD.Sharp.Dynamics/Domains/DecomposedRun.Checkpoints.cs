namespace DeepMD.Sharp.Dynamics.Domains;

using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.Dynamics.Checkpoints;
using DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// Restart files of a decomposed run. <c>restart N FILE</c> during the run: the owned atoms (with the positions of the
/// last list build) are gathered to rank 0 in atom-id order, and rank 0 alone writes the checkpoint (durably, as
/// <see cref="CheckpointFile"/> does). After a run every rank holds the list state of its end (hold positions, steps
/// since the build) for <c>write_restart</c> between runs. A checkpoint written so carries the last step's forces and
/// that list state, as a one-process checkpoint does, so a one-process run continues it exactly as its own;
/// a decomposed run continues any checkpoint (read by every rank) with a fresh decomposition and list, the saved fix
/// states and the saved forces: the continuation equals the uninterrupted run to rounding, whatever the rank counts.
/// </summary>
public sealed partial class DecomposedRun
{
    /// <summary>Doubles per atom in a checkpoint gather: <see cref="GatherWidth"/> plus the positions at the last build.</summary>
    private const int CheckpointWidth = GatherWidth + 3;

    private CheckpointNeighbors? _afterRun;
    private int[]? _afterRunIds;

    /// <summary>
    /// A checkpoint of the state between runs (every rank holds the whole system): with the list state of the last
    /// decomposed run when the atoms are still those it left (same ids in the same order), otherwise without forces
    /// and list (a continuation then starts afresh). Not collective.
    /// </summary>
    public Checkpoint CaptureBetweenRuns(Simulation sim)
    {
        var a = sim.Atoms;
        var same = _afterRun is not null && _afterRunIds is { } ids && ids.Length == a.Count && ids.AsSpan().SequenceEqual(a.Id.AsSpan(0, a.Count));
        return Checkpoint.Capture(sim, same ? _afterRun : null);
    }

    /// <summary>A <c>restart</c> checkpoint due at this step: gathered to rank 0 in atom-id order and written there. Collective.</summary>
    private void WriteRestart(RestartWriter writer, Simulation sim)
    {
        if (!writer.WillWrite(sim.Step)) return;
        var path = writer.NextPath(sim.Step);
        var (ids, all) = _dd!.GatherByIdAtRoot(PackWithHold(sim), CheckpointWidth);
        if (Communicator.Rank == 0) CheckpointFile.Write(FromGathered(sim, ids, all), path);
        writer.Written(path);
    }

    /// <summary>Each owned atom's <see cref="Pack"/> values followed by its position at the last list build.</summary>
    private double[] PackWithHold(Simulation sim)
    {
        var a = sim.Atoms;
        var packed = Pack(sim);
        var values = new double[CheckpointWidth * a.Count];
        for (var i = 0; i < a.Count; i++)
        {
            packed.AsSpan(GatherWidth * i, GatherWidth).CopyTo(values.AsSpan(CheckpointWidth * i));
            (values[CheckpointWidth * i + GatherWidth], values[CheckpointWidth * i + GatherWidth + 1], values[CheckpointWidth * i + GatherWidth + 2]) = (_xHold[i], _yHold[i], _zHold[i]);
        }
        return values;
    }

    /// <summary>The checkpoint of the gathered state (rank 0): atoms in id order, fix states as on this rank (they are global).</summary>
    private Checkpoint FromGathered(Simulation sim, long[] ids, double[] all)
    {
        var n = ids.Length;
        var box = sim.Box!;
        double[] Column(int c)
        {
            var v = new double[n];
            for (var k = 0; k < n; k++) v[k] = all[CheckpointWidth * k + c];
            return v;
        }
        int[] IntColumn(int c)
        {
            var v = new int[n];
            for (var k = 0; k < n; k++) v[k] = (int)all[CheckpointWidth * k + c];
            return v;
        }
        return new Checkpoint
        {
            Units = sim.Units.Name,
            Step = sim.Step,
            Timestep = sim.Timestep,
            Bounds = [box.Lo[0], box.Hi[0], box.Lo[1], box.Hi[1], box.Lo[2], box.Hi[2]],
            Tilts = [box.Xy, box.Xz, box.Yz],
            Periodic = [.. box.Periodic],
            Masses = [.. sim.Masses],
            Skin = sim.Neighbor.Skin,
            NeighborEvery = sim.Neighbor.Every,
            NeighborDelay = sim.Neighbor.Delay,
            NeighborCheck = sim.Neighbor.Check,
            Ids = [.. ids.Select(i => (int)i)],
            Types = IntColumn(12),
            X = Column(0),
            Y = Column(1),
            Z = Column(2),
            Vx = Column(3),
            Vy = Column(4),
            Vz = Column(5),
            ImageA = IntColumn(9),
            ImageB = IntColumn(10),
            ImageC = IntColumn(11),
            Fx = Column(6),
            Fy = Column(7),
            Fz = Column(8),
            PotentialEnergy = sim.PotentialEnergy,
            Neighbors = new CheckpointNeighbors(Column(GatherWidth), Column(GatherWidth + 1), Column(GatherWidth + 2), [], _ago, Builds, 0, 0),
            Fixes = [.. sim.Fixes.Select(f => new FixCheckpoint(f.Id, f.Style, f.SaveState()))],
        };
    }

    /// <summary>After the run (every rank holds the whole system in <paramref name="order"/>): the list state for <see cref="CaptureBetweenRuns"/>. Collective.</summary>
    private void KeepListState(Simulation sim, int[] order)
    {
        var a = sim.Atoms;
        var n = a.Count;
        var hold = new double[3 * n];
        for (var i = 0; i < n; i++) (hold[3 * i], hold[3 * i + 1], hold[3 * i + 2]) = (_xHold[i], _yHold[i], _zHold[i]);
        var (_, all) = _dd!.GatherByIdAtRoot(hold, 3);
        if (Communicator.Rank != 0) all = new double[3 * order.Length];
        Communicator.Broadcast<double>(all, 0);
        var idSorted = (int[])order.Clone();
        Array.Sort(idSorted);
        var byId = new Dictionary<int, int>(order.Length);
        for (var k = 0; k < idSorted.Length; k++) byId[idSorted[k]] = k;
        var (xh, yh, zh) = (new double[order.Length], new double[order.Length], new double[order.Length]);
        for (var i = 0; i < order.Length; i++)
        {
            var k = byId[order[i]];
            (xh[i], yh[i], zh[i]) = (all[3 * k], all[3 * k + 1], all[3 * k + 2]);
        }
        _afterRun = new CheckpointNeighbors(xh, yh, zh, [], _ago, Builds, 0, 0);
        _afterRunIds = (int[])order.Clone();
    }

    /// <summary>
    /// Before a run continued from a checkpoint (<see cref="Simulation.PendingCheckpoint"/>; every rank still holds the
    /// whole system): the fixes defined again get their saved states. When the atoms are those of the checkpoint
    /// (same ids, positions and velocities, and the saved forces are there), returns the checkpoint and the restored
    /// fixes, which then resume rather than set up and find the saved forces; otherwise null and no fixes (a fresh
    /// setup), as a one-process run does. Not collective, the same on every rank.
    /// </summary>
    private static (Checkpoint? Checkpoint, HashSet<Fix> Resumed) TakeCheckpoint(Simulation sim)
    {
        if (sim.PendingCheckpoint is not { } c) return (null, []);
        var restored = sim.RestoreFixStates();
        sim.PendingCheckpoint = null;
        var a = sim.Atoms;
        if (c.Fx is null || c.Fy is null || c.Fz is null || c.AtomCount != a.Count) return (null, []);
        var row = new Dictionary<int, int>(c.AtomCount);
        for (var k = 0; k < c.AtomCount; k++) row[c.Ids[k]] = k;
        for (var i = 0; i < a.Count; i++)
        {
            if (!row.TryGetValue(a.Id[i], out var k)) return (null, []);
            if (c.X[k] != a.X[i] || c.Y[k] != a.Y[i] || c.Z[k] != a.Z[i] || c.Vx[k] != a.Vx[i] || c.Vy[k] != a.Vy[i] || c.Vz[k] != a.Vz[i])
                return (null, []);
        }
        return (c, restored);
    }

    /// <summary>The saved forces (after the saved step's post-force: what the next half-kick uses) onto the owned atoms, by id.</summary>
    private static void ApplySavedForces(Simulation sim, Checkpoint c)
    {
        var row = new Dictionary<int, int>(c.AtomCount);
        for (var k = 0; k < c.AtomCount; k++) row[c.Ids[k]] = k;
        AtomState a = sim.Atoms;
        for (var i = 0; i < a.Count; i++)
        {
            var k = row[a.Id[i]];
            (a.Fx[i], a.Fy[i], a.Fz[i]) = (c.Fx![k], c.Fy![k], c.Fz![k]);
        }
    }
}
