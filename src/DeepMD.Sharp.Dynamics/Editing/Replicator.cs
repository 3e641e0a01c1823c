namespace DeepMD.Sharp.Dynamics.Editing;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;

/// <summary>
/// LAMMPS' <c>replicate nx ny nz</c>: the box grows to nx·a, ny·b, nz·c (tilts xy·ny, xz·nz, yz·nz) and every
/// atom is copied into each image (ix, iy, iz), ix slowest. Copies start from the unwrapped position, are mapped
/// into the new box with fresh image counts, and get id + (iz·ny·nx + iy·nx + ix)·maxid and molecule id + the same
/// index · max molecule id; velocities and charges are copied, and bonded terms with their atoms' new ids.
/// </summary>
public static class Replicator
{
    /// <summary>
    /// Bytes per atom the atom arrays need while replicate fills them: 9 doubles and 5 ints (92 bytes), doubled while
    /// the arrays grow. Neighbor lists and the potential's work arrays come on top, so this is a lower bound.
    /// </summary>
    public const long BytesPerAtom = 200;

    /// <summary>Refuses a supercell whose atom arrays alone would not fit in the memory available to this process.</summary>
    private static void RefuseBeyondMemory(long atoms, int nx, int ny, int nz)
    {
        var need = atoms * BytesPerAtom;
        var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (need <= available) return;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        throw new UserInputException(
            $"replicate {nx} {ny} {nz} would make {atoms} atoms, needing at least {(need / 1e9).ToString("0.#", inv)} GB of memory " +
            $"({BytesPerAtom} bytes per atom, before neighbor lists), but {(available / 1e9).ToString("0.#", inv)} GB is available; " +
            "replicate fewer copies or use a machine with more memory");
    }

    public static void Replicate(Simulation sim, int nx, int ny, int nz)
    {
        if (nx < 1 || ny < 1 || nz < 1) throw new UserInputException($"replicate needs positive counts, got {nx} {ny} {nz}");
        var old = sim.Box ?? throw new UserInputException("replicate before the box exists; use create_box or read_data first");
        var a = sim.Atoms;
        var n = a.Count;
        long total = (long)n * nx * ny * nz;
        var maxId = a.MaxId();
        if (total > int.MaxValue || (long)maxId * nx * ny * nz > int.MaxValue) throw new UserInputException($"replicate {nx} {ny} {nz} would give more than {int.MaxValue} atoms or ids");
        RefuseBeyondMemory(total, nx, ny, nz);
        if ((!old.Periodic[0] && nx > 1) || (!old.Periodic[1] && ny > 1) || (!old.Periodic[2] && nz > 1))
            throw new UserInputException("replicate along a non-periodic direction is not possible; use a periodic boundary there");

        // Unwrapped copies of the old atoms.
        var id = a.Id.AsSpan(0, n).ToArray();
        var type = a.Type.AsSpan(0, n).ToArray();
        var vx = a.Vx.AsSpan(0, n).ToArray();
        var vy = a.Vy.AsSpan(0, n).ToArray();
        var vz = a.Vz.AsSpan(0, n).ToArray();
        var q = a.Q.AsSpan(0, n).ToArray();
        var mol = a.Molecule.AsSpan(0, n).ToArray();
        var maxMol = mol.Length == 0 ? 0 : mol.Max();
        var topo = a.Topology.Clone();
        double[] x = new double[n], y = new double[n], z = new double[n];
        for (var i = 0; i < n; i++)
        {
            int ia = a.ImageA[i], ib = a.ImageB[i], ic = a.ImageC[i];
            x[i] = a.X[i] + ia * old.Lx + ib * old.Xy + ic * old.Xz;
            y[i] = a.Y[i] + ib * old.Ly + ic * old.Yz;
            z[i] = a.Z[i] + ic * old.Lz;
        }

        var box = new SimulationBox(old.Lo[0], old.Lo[0] + nx * old.Lx, old.Lo[1], old.Lo[1] + ny * old.Ly, old.Lo[2], old.Lo[2] + nz * old.Lz,
            old.Xy * ny, old.Xz * nz, old.Yz * nz, old.Periodic[0], old.Periodic[1], old.Periodic[2]);
        box.SetBoundary(old.Faces); // LAMMPS' set_initial_box: shrink-wrapped faces move out by their margin again
        sim.Box = box;
        a.Clear();
        for (var ix = 0; ix < nx; ix++)
        for (var iy = 0; iy < ny; iy++)
        for (var iz = 0; iz < nz; iz++)
        {
            var offset = (iz * ny * nx + iy * nx + ix) * maxId;
            for (var i = 0; i < n; i++)
            {
                double px, py, pz;
                if (!old.IsTriclinic)
                {
                    px = x[i] + ix * old.Lx;
                    py = y[i] + iy * old.Ly;
                    pz = z[i] + iz * old.Lz;
                }
                else
                {
                    px = x[i] + ix * old.Lx + iy * old.Xy + iz * old.Xz;
                    py = y[i] + iy * old.Ly + iz * old.Yz;
                    pz = z[i] + iz * old.Lz;
                }
                var k = a.Add(id[i] + offset, type[i], px, py, pz);
                a.Vx[k] = vx[i];
                a.Vy[k] = vy[i];
                a.Vz[k] = vz[i];
                a.Q[k] = q[i];
                a.Molecule[k] = mol[i] > 0 ? mol[i] + (iz * ny * nx + iy * nx + ix) * maxMol : 0;
            }
        }
        // Bonded terms are copied with their atoms' id offsets, image by image in the same order (as LAMMPS' replicate).
        var copies = a.Topology;
        copies.Bonds.Clear();
        copies.Angles.Clear();
        copies.Dihedrals.Clear();
        copies.Impropers.Clear();
        for (var ix = 0; ix < nx; ix++)
        for (var iy = 0; iy < ny; iy++)
        for (var iz = 0; iz < nz; iz++)
        {
            var offset = (iz * ny * nx + iy * nx + ix) * maxId;
            foreach (var t in topo.Bonds) copies.Bonds.Add(t.Shifted(offset));
            foreach (var t in topo.Angles) copies.Angles.Add(t.Shifted(offset));
            foreach (var t in topo.Dihedrals) copies.Dihedrals.Add(t.Shifted(offset));
            foreach (var t in topo.Impropers) copies.Impropers.Add(t.Shifted(offset));
        }
        AtomDisplacer.RemapAll(sim);
    }
}
