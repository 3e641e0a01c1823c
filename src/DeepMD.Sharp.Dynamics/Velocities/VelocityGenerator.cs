namespace DeepMD.Sharp.Dynamics.Velocities;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Groups;
using DeepMD.Sharp.Dynamics.Random;
using DeepMD.Sharp.Dynamics.Thermo;

/// <summary>
/// LAMMPS' <c>velocity</c> command: <c>create</c> (same velocities as LAMMPS for the same seed, loop and
/// distribution), <c>set</c>, <c>scale</c>, and momentum / angular momentum removal, on all atoms or a group (atoms
/// outside it keep their velocities; temperatures, momentum and rotation are those of the group, as LAMMPS' compute
/// temp of the group: d·N_group − d degrees of freedom, d = 3, or 2 in a 2-d system, where created velocities have vz = 0).
/// </summary>
public static class VelocityGenerator
{
    private const int LocalWarmup = 100;

    /// <summary>Random velocities scaled to <paramref name="temperature"/>.</summary>
    public static void Create(Simulation sim, double temperature, int seed, VelocityOptions options, AtomGroup? group = null)
    {
        if (seed <= 0) throw new UserInputException($"velocity create needs a positive seed, got {seed}");
        var a = sim.Atoms;
        var g = group ?? AtomGroup.All;
        if (options.Loop == VelocityLoop.Geom)
        {
            var rng = new ParkMillerRandom(1);
            for (var i = 0; i < a.Count; i++)
            {
                if (!g.Contains(a.Id[i])) continue;
                rng.Reset(seed, a.X[i], a.Y[i], a.Z[i]);
                Draw(rng, options.Gaussian, out var vx, out var vy, out var vz);
                Assign(sim, i, vx, vy, vz);
            }
        }
        else if (options.Loop == VelocityLoop.Local && sim.Decomposed is { Active: false, Communicator.Size: > 1 } ranks)
        {
            // LAMMPS: each rank draws for its own atoms from seed + rank; every rank holds the whole system between runs.
            var owned = ranks.OwnedAtomsBetweenRuns(sim);
            var rng = new ParkMillerRandom(seed + ranks.Communicator.Rank);
            for (var k = 0; k < LocalWarmup; k++) rng.Uniform();
            foreach (var i in owned)
            {
                if (!g.Contains(a.Id[i])) continue;
                Draw(rng, options.Gaussian, out var vx, out var vy, out var vz);
                Assign(sim, i, vx, vy, vz);
            }
            ranks.ShareVelocities(sim, owned);
        }
        else if (options.Loop == VelocityLoop.Local)
        {
            var rng = new ParkMillerRandom(seed);
            for (var k = 0; k < LocalWarmup; k++) rng.Uniform();
            for (var i = 0; i < a.Count; i++)
            {
                if (!g.Contains(a.Id[i])) continue;
                Draw(rng, options.Gaussian, out var vx, out var vy, out var vz);
                Assign(sim, i, vx, vy, vz);
            }
        }
        else
        {
            var maxId = a.MaxId();
            var indexOfId = new int[maxId + 1];
            Array.Fill(indexOfId, -1);
            for (var i = 0; i < a.Count; i++) indexOfId[a.Id[i]] = i;
            if (maxId != a.Count)
                throw new UserInputException("velocity create loop all needs consecutive atom ids 1..N; use loop geom or reset the ids");
            var rng = new ParkMillerRandom(seed);
            for (var id = 1; id <= maxId; id++)
            {
                Draw(rng, options.Gaussian, out var vx, out var vy, out var vz);
                var i = indexOfId[id];
                if (i >= 0 && g.Contains(id)) Assign(sim, i, vx, vy, vz);
            }
        }
        if (options.ZeroMomentum) ZeroMomentum(sim, g);
        if (options.ZeroRotation) ZeroRotation(sim, g);
        Scale(sim, temperature, g, options.Temperature);
    }

    /// <summary>Temperature of a group: all atoms as thermo computes it, or d·N_group − d degrees of freedom.</summary>
    public static double GroupTemperature(Simulation sim, AtomGroup group)
    {
        if (group.IsAll) return Thermodynamics.Temperature(sim);
        var a = sim.Atoms;
        var m = sim.Masses;
        double t = 0;
        var n = 0;
        for (var i = 0; i < a.Count; i++)
        {
            if (!group.Contains(a.Id[i])) continue;
            t += (a.Vx[i] * a.Vx[i] + a.Vy[i] * a.Vy[i] + a.Vz[i] * a.Vz[i]) * m[a.Type[i]];
            n++;
        }
        var dof = (double)sim.Dimension * n - sim.Dimension;
        return dof > 0 ? t * sim.Units.Mvv2e / (dof * sim.Units.Boltz) : 0.0;
    }

    private static void Draw(ParkMillerRandom rng, bool gaussian, out double vx, out double vy, out double vz)
    {
        if (gaussian)
        {
            vx = rng.Gaussian();
            vy = rng.Gaussian();
            vz = rng.Gaussian();
        }
        else
        {
            vx = rng.Uniform() - 0.5;
            vy = rng.Uniform() - 0.5;
            vz = rng.Uniform() - 0.5;
        }
    }

    private static void Assign(Simulation sim, int i, double vx, double vy, double vz)
    {
        var factor = 1.0 / Math.Sqrt(sim.Masses[sim.Atoms.Type[i]]);
        sim.Atoms.Vx[i] = vx * factor;
        sim.Atoms.Vy[i] = vy * factor;
        sim.Atoms.Vz[i] = sim.Dimension == 3 ? vz * factor : 0.0; // LAMMPS draws vz in 2-d too, then zeroes it
    }

    /// <summary>Rescales the velocities of a group (default all) to <paramref name="temperature"/> (<c>velocity G scale T</c>).</summary>
    /// <remarks><paramref name="measure"/> (<c>temp ID</c>) measures the current temperature instead of the group's own.</remarks>
    public static void Scale(Simulation sim, double temperature, AtomGroup? group = null, Func<Simulation, double>? measure = null)
    {
        var g = group ?? AtomGroup.All;
        var current = measure is null ? GroupTemperature(sim, g) : measure(sim);
        if (current == 0.0) throw new UserInputException("cannot rescale velocities of a system at zero temperature; use velocity create");
        var factor = Math.Sqrt(temperature / current);
        var a = sim.Atoms;
        for (var i = 0; i < a.Count; i++)
        {
            if (!g.Contains(a.Id[i])) continue;
            a.Vx[i] *= factor;
            a.Vy[i] *= factor;
            a.Vz[i] *= factor;
        }
    }

    /// <summary>Sets every velocity to the same vector (<c>velocity all set vx vy vz</c>); null leaves a component.</summary>
    public static void Set(Simulation sim, double? vx, double? vy, double? vz, bool sum = false, AtomGroup? group = null)
    {
        var a = sim.Atoms;
        var g = group ?? AtomGroup.All;
        for (var i = 0; i < a.Count; i++)
        {
            if (!g.Contains(a.Id[i])) continue;
            if (vx is { } x) a.Vx[i] = sum ? a.Vx[i] + x : x;
            if (vy is { } y) a.Vy[i] = sum ? a.Vy[i] + y : y;
            if (vz is { } z) a.Vz[i] = sum ? a.Vz[i] + z : z;
        }
    }

    /// <summary>Removes the centre-of-mass velocity.</summary>
    public static void ZeroMomentum(Simulation sim, AtomGroup? group = null)
    {
        var a = sim.Atoms;
        var m = sim.Masses;
        var g = group ?? AtomGroup.All;
        double px = 0, py = 0, pz = 0, mass = 0;
        for (var i = 0; i < a.Count; i++)
        {
            if (!g.Contains(a.Id[i])) continue;
            var mi = m[a.Type[i]];
            px += a.Vx[i] * mi;
            py += a.Vy[i] * mi;
            pz += a.Vz[i] * mi;
            mass += mi;
        }
        if (sim.Decomposed is { Active: true } d) (px, py, pz, mass) = SumOverRanks(d, px, py, pz, mass);
        if (mass <= 0) return;
        double cx = px / mass, cy = py / mass, cz = pz / mass;
        for (var i = 0; i < a.Count; i++)
        {
            if (!g.Contains(a.Id[i])) continue;
            a.Vx[i] -= cx;
            a.Vy[i] -= cy;
            a.Vz[i] -= cz;
        }
    }

    /// <summary>Four sums of this rank's owned atoms summed over the ranks of a decomposed run (rank order).</summary>
    private static (double, double, double, double) SumOverRanks(Domains.DecomposedRun d, double a, double b, double c, double e)
    {
        Span<double> sums = [a, b, c, e];
        d.Sum(sums);
        return (sums[0], sums[1], sums[2], sums[3]);
    }

    /// <summary>Removes the angular momentum about the centre of mass (unwrapped coordinates), as LAMMPS' zero_rotation.</summary>
    public static void ZeroRotation(Simulation sim, AtomGroup? group = null)
    {
        var a = sim.Atoms;
        var m = sim.Masses;
        var g = group ?? AtomGroup.All;
        double mass = 0, cmx = 0, cmy = 0, cmz = 0;
        for (var i = 0; i < a.Count; i++)
        {
            if (!g.Contains(a.Id[i])) continue;
            var (x, y, z) = Unwrapped(sim, i);
            var mi = m[a.Type[i]];
            cmx += x * mi;
            cmy += y * mi;
            cmz += z * mi;
            mass += mi;
        }
        var decomposed = sim.Decomposed is { Active: true } ? sim.Decomposed : null;
        if (decomposed is not null) (cmx, cmy, cmz, mass) = SumOverRanks(decomposed, cmx, cmy, cmz, mass);
        cmx /= mass;
        cmy /= mass;
        cmz /= mass;
        double lx = 0, ly = 0, lz = 0;
        double ixx = 0, iyy = 0, izz = 0, ixy = 0, iyz = 0, ixz = 0;
        for (var i = 0; i < a.Count; i++)
        {
            if (!g.Contains(a.Id[i])) continue;
            var (x, y, z) = Unwrapped(sim, i);
            double dx = x - cmx, dy = y - cmy, dz = z - cmz;
            var mi = m[a.Type[i]];
            lx += mi * (dy * a.Vz[i] - dz * a.Vy[i]);
            ly += mi * (dz * a.Vx[i] - dx * a.Vz[i]);
            lz += mi * (dx * a.Vy[i] - dy * a.Vx[i]);
            ixx += mi * (dy * dy + dz * dz);
            iyy += mi * (dx * dx + dz * dz);
            izz += mi * (dx * dx + dy * dy);
            ixy -= mi * dx * dy;
            iyz -= mi * dy * dz;
            ixz -= mi * dx * dz;
        }
        if (decomposed is not null)
        {
            Span<double> sums = [lx, ly, lz, ixx, iyy, izz, ixy, iyz, ixz];
            decomposed.Sum(sums);
            (lx, ly, lz, ixx, iyy, izz, ixy, iyz, ixz) = (sums[0], sums[1], sums[2], sums[3], sums[4], sums[5], sums[6], sums[7], sums[8]);
        }
        double[,] inertia = { { ixx, ixy, ixz }, { ixy, iyy, iyz }, { ixz, iyz, izz } };
        var (wx, wy, wz) = SolveAngularVelocity(inertia, lx, ly, lz);
        for (var i = 0; i < a.Count; i++)
        {
            if (!g.Contains(a.Id[i])) continue;
            var (x, y, z) = Unwrapped(sim, i);
            double dx = x - cmx, dy = y - cmy, dz = z - cmz;
            a.Vx[i] -= wy * dz - wz * dy;
            a.Vy[i] -= wz * dx - wx * dz;
            a.Vz[i] -= wx * dy - wy * dx;
        }
    }

    private static (double X, double Y, double Z) Unwrapped(Simulation sim, int i)
    {
        var a = sim.Atoms;
        var h = sim.Box!.Cell.Matrix;
        double ia = a.ImageA[i], ib = a.ImageB[i], ic = a.ImageC[i];
        return (a.X[i] + ia * h[0] + ib * h[3] + ic * h[6], a.Y[i] + ia * h[1] + ib * h[4] + ic * h[7], a.Z[i] + ia * h[2] + ib * h[5] + ic * h[8]);
    }

    private static (double, double, double) SolveAngularVelocity(double[,] m, double lx, double ly, double lz)
    {
        var det = m[0, 0] * (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1]) - m[0, 1] * (m[1, 0] * m[2, 2] - m[1, 2] * m[2, 0]) + m[0, 2] * (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]);
        if (det <= 0) return (0, 0, 0);
        var inv = new double[3, 3];
        inv[0, 0] = (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1]) / det;
        inv[0, 1] = -(m[0, 1] * m[2, 2] - m[0, 2] * m[2, 1]) / det;
        inv[0, 2] = (m[0, 1] * m[1, 2] - m[0, 2] * m[1, 1]) / det;
        inv[1, 0] = -(m[1, 0] * m[2, 2] - m[1, 2] * m[2, 0]) / det;
        inv[1, 1] = (m[0, 0] * m[2, 2] - m[0, 2] * m[2, 0]) / det;
        inv[1, 2] = -(m[0, 0] * m[1, 2] - m[0, 2] * m[1, 0]) / det;
        inv[2, 0] = (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]) / det;
        inv[2, 1] = -(m[0, 0] * m[2, 1] - m[0, 1] * m[2, 0]) / det;
        inv[2, 2] = (m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0]) / det;
        return (inv[0, 0] * lx + inv[0, 1] * ly + inv[0, 2] * lz,
                inv[1, 0] * lx + inv[1, 1] * ly + inv[1, 2] * lz,
                inv[2, 0] * lx + inv[2, 1] * ly + inv[2, 2] * lz);
    }
}
