namespace DeepMD.Sharp.Dynamics.Checkpoints;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Dynamics.Units;

/// <summary>
/// Everything a run needs to continue bit for bit: units, step, timestep, box, masses, neighbor settings, atoms (ids,
/// types, positions, velocities, the forces of the last step as the integrator will use them, image counts), the
/// last potential energy and virial, the neighbor-list state and each fix's state (thermostat variables, random
/// generators). The potential itself is not saved: the deck (or script) defines it again, as for LAMMPS restarts of
/// pair styles that do not store their coefficients. <see cref="CheckpointFile"/> reads and writes it.
/// </summary>
public sealed class Checkpoint
{
    public required string Units { get; init; }

    public required long Step { get; init; }

    public required double Timestep { get; init; }

    /// <summary>xlo xhi ylo yhi zlo zhi.</summary>
    public required double[] Bounds { get; init; }

    /// <summary>xy xz yz.</summary>
    public required double[] Tilts { get; init; }

    public required bool[] Periodic { get; init; }

    public required double[] Masses { get; init; }

    public required double Skin { get; init; }

    public required int NeighborEvery { get; init; }

    public required int NeighborDelay { get; init; }

    public required bool NeighborCheck { get; init; }

    public required int[] Ids { get; init; }

    /// <summary>0-based types.</summary>
    public required int[] Types { get; init; }

    public required double[] X { get; init; }

    public required double[] Y { get; init; }

    public required double[] Z { get; init; }

    public required double[] Vx { get; init; }

    public required double[] Vy { get; init; }

    public required double[] Vz { get; init; }

    public required int[] ImageA { get; init; }

    public required int[] ImageB { get; init; }

    public required int[] ImageC { get; init; }

    /// <summary>Forces after the fixes' post-force step (what the next half-kick uses); null when no step has been computed.</summary>
    public double[]? Fx { get; init; }

    public double[]? Fy { get; init; }

    public double[]? Fz { get; init; }

    public double PotentialEnergy { get; init; }

    /// <summary>Neighbor-list state; null when no list was built yet.</summary>
    public CheckpointNeighbors? Neighbors { get; init; }

    public required IReadOnlyList<FixCheckpoint> Fixes { get; init; }

    /// <summary>LAMMPS' storage order of the atoms (<see cref="Atoms.StorageOrder"/>) and its next sort step; null before a run.</summary>
    public int[]? StorageOrder { get; init; }

    public long NextSort { get; init; }

    public int AtomCount => Ids.Length;

    /// <summary>The atom style (atomic, charge, bond, angle, molecular, full); version-1 files are atomic.</summary>
    public string AtomStyle { get; init; } = "atomic";

    /// <summary>Per-atom charges (charge, full), else null.</summary>
    public double[]? Charges { get; init; }

    /// <summary>Molecule ids (bond, angle, molecular, full), else null.</summary>
    public int[]? Molecules { get; init; }

    /// <summary>Bonds, angles, dihedrals, impropers and their type counts (molecular styles), else null.</summary>
    public Core.Atoms.MolecularTopology? Topology { get; init; }

    /// <summary>special_bonds: lj 1-2 1-3 1-4, coul 1-2 1-3 1-4, then angle and dihedral flags as 0/1 (as LAMMPS' restart keeps them); null for atomic styles.</summary>
    public double[]? Special { get; init; }

    /// <summary>Takes a checkpoint of the simulation as it stands (between steps or after a run).</summary>
    public static Checkpoint Capture(Simulation sim) => Capture(sim, null);

    /// <summary>
    /// A checkpoint of the simulation as it stands; with <paramref name="neighbors"/> (the list state of a decomposed run,
    /// in the atoms' order) the state's forces count as the last step's, whatever the serial list holds.
    /// </summary>
    internal static Checkpoint Capture(Simulation sim, CheckpointNeighbors? neighbors)
    {
        var box = sim.Box ?? throw new Core.Errors.UserInputException("a checkpoint needs a simulation box; use create_box or read_data first");
        var a = sim.Atoms;
        if (sim.Dimension == 2) throw new Core.Errors.UserInputException("restart files do not carry the dimension yet (dimension 2); use write_data, and dimension 2 plus read_data, to continue such a run");
        var n = a.Count;
        var listCount = sim.Verlet.List?.CenterCount ?? sim.Verlet.Half?.Atoms.LocalCount ?? -1;
        var haveForces = neighbors is not null ? a.Fx.Length >= n : listCount == n && a.Fx.Length == n;
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
            Ids = a.Id[..n],
            Types = a.Type[..n],
            X = a.X[..n],
            Y = a.Y[..n],
            Z = a.Z[..n],
            Vx = a.Vx[..n],
            Vy = a.Vy[..n],
            Vz = a.Vz[..n],
            ImageA = a.ImageA[..n],
            ImageB = a.ImageB[..n],
            ImageC = a.ImageC[..n],
            Fx = haveForces ? a.Fx[..n] : null,
            Fy = haveForces ? a.Fy[..n] : null,
            Fz = haveForces ? a.Fz[..n] : null,
            PotentialEnergy = haveForces ? sim.PotentialEnergy : 0,
            Neighbors = haveForces ? neighbors ?? sim.Verlet.Capture() : null,
            Fixes = sim.Fixes.Select(f => new FixCheckpoint(f.Id, f.Style, f.SaveState())).ToList(),
            StorageOrder = neighbors is null && sim.StorageOrder.Order.Length == n ? sim.StorageOrder.ToArray() : null,
            NextSort = sim.StorageOrder.NextSort,
            AtomStyle = a.Style,
            Charges = a.HasCharge ? a.Q[..n] : null,
            Molecules = a.HasMolecule ? a.Molecule[..n] : null,
            Topology = a.HasMolecule ? a.Topology.Clone() : null,
            Special = a.HasMolecule
                ? [.. sim.Bonded.Special.Lj, .. sim.Bonded.Special.Coul, sim.Bonded.Special.Angle ? 1 : 0, sim.Bonded.Special.Dihedral ? 1 : 0]
                : null,
        };
    }

    /// <summary>
    /// A new simulation holding this checkpoint: units, box, masses, atoms, step, timestep and neighbor settings now;
    /// fix states and the exact neighbor list and forces at the first run's setup (<see cref="Simulation.Setup"/>),
    /// once the potential and the fixes are defined again.
    /// </summary>
    public Simulation ToSimulation()
    {
        var sim = new Simulation(UnitSystem.FromName(Units));
        ApplyTo(sim);
        return sim;
    }

    /// <summary>Fills a fresh simulation (no box yet, same units) from this checkpoint.</summary>
    public void ApplyTo(Simulation sim)
    {
        if (sim.Box is not null) throw new Core.Errors.UserInputException("a checkpoint can only be loaded before a box exists");
        if (sim.Units.Name != Units) throw new Core.Errors.UserInputException($"the checkpoint uses units {Units}, the simulation units {sim.Units.Name}");
        var b = Bounds;
        sim.CreateBox(new SimulationBox(b[0], b[1], b[2], b[3], b[4], b[5], Tilts[0], Tilts[1], Tilts[2], Periodic[0], Periodic[1], Periodic[2]), Masses.Length);
        for (var t = 0; t < Masses.Length; t++)
            if (!double.IsNaN(Masses[t])) sim.SetMass(t, Masses[t]);
        sim.Step = Step;
        sim.Timestep = Timestep;
        sim.Neighbor.Skin = Skin;
        sim.Neighbor.Every = NeighborEvery;
        sim.Neighbor.Delay = NeighborDelay;
        sim.Neighbor.Check = NeighborCheck;
        var a = sim.Atoms;
        a.Style = AtomStyle;
        if (Topology is { } topo) a.Topology = topo.Clone();
        if (Special is { Length: 8 } sp)
        {
            for (var k = 0; k < 3; k++)
            {
                sim.Bonded.Special.Lj[k] = sp[k];
                sim.Bonded.Special.Coul[k] = sp[3 + k];
            }
            sim.Bonded.Special.Angle = sp[6] != 0;
            sim.Bonded.Special.Dihedral = sp[7] != 0;
            sim.Bonded.Invalidate();
        }
        for (var i = 0; i < AtomCount; i++)
        {
            var k = a.Add(Ids[i], Types[i], X[i], Y[i], Z[i]);
            a.Vx[k] = Vx[i];
            a.Vy[k] = Vy[i];
            a.Vz[k] = Vz[i];
            a.ImageA[k] = ImageA[i];
            a.ImageB[k] = ImageB[i];
            a.ImageC[k] = ImageC[i];
            if (Charges is { } q) a.Q[k] = q[i];
            if (Molecules is { } m) a.Molecule[k] = m[i];
        }
        sim.PendingCheckpoint = this;
    }
}
