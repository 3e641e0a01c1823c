namespace DeepMD.Sharp.Dynamics.Editing;

using DeepMD.Sharp.Dynamics.Groups;
using DeepMD.Sharp.Dynamics.Random;

/// <summary>
/// LAMMPS' <c>displace_atoms</c>: moves the atoms of a group by a fixed vector or by uniform random amounts, then
/// maps them back into the periodic box (image counts updated).
/// </summary>
public static class AtomDisplacer
{
    /// <summary>Adds (dx, dy, dz) to every atom of the group (distance units).</summary>
    public static void Move(Simulation sim, AtomGroup group, double dx, double dy, double dz)
    {
        var a = sim.Atoms;
        for (var i = 0; i < a.Count; i++)
        {
            if (!group.Contains(a.Id[i])) continue;
            a.X[i] += dx;
            a.Y[i] += dy;
            a.Z[i] += dz;
        }
        RemapAll(sim);
        sim.ShrinkWrapBox();
    }

    /// <summary>
    /// Adds a uniform random displacement in [−d, d) per component. As in LAMMPS, the generator (Park–Miller) is
    /// reseeded from the seed and the atom's position before each atom, so the result depends only on the seed
    /// and the coordinates, not on the atom order.
    /// </summary>
    public static void Random(Simulation sim, AtomGroup group, double dx, double dy, double dz, int seed)
    {
        if (seed <= 0) throw new Core.Errors.UserInputException($"displace_atoms random needs a positive seed, got {seed}");
        var rng = new ParkMillerRandom(seed);
        var a = sim.Atoms;
        for (var i = 0; i < a.Count; i++)
        {
            if (!group.Contains(a.Id[i])) continue;
            rng.Reset(seed, a.X[i], a.Y[i], a.Z[i]);
            a.X[i] += dx * 2.0 * (rng.Uniform() - 0.5);
            a.Y[i] += dy * 2.0 * (rng.Uniform() - 0.5);
            a.Z[i] += dz * 2.0 * (rng.Uniform() - 0.5);
        }
        RemapAll(sim);
        sim.ShrinkWrapBox();
    }

    /// <summary>Maps every atom into the periodic box however far it moved, keeping image counts.</summary>
    public static void RemapAll(Simulation sim)
    {
        var a = sim.Atoms;
        var box = sim.Box ?? throw new Core.Errors.UserInputException("atoms cannot be moved before the box exists");
        for (var i = 0; i < a.Count; i++)
        {
            var far = box.BoxLengthsOutside(a.X[i], a.Y[i], a.Z[i]);
            if (far > Core.Geometry.Box.MaxBoxLengthsOutside)
            {
                throw new Core.Errors.UserInputException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"atom {a.Id[i]} at ({a.X[i]}, {a.Y[i]}, {a.Z[i]}) is {(double.IsFinite(far) ? $"{far:G3} box lengths" : "infinitely far")} outside the periodic box "
                    + $"(at most {Core.Geometry.Box.MaxBoxLengthsOutside:G0} allowed); fix its coordinates"));
            }
            box.RemapFar(ref a.X[i], ref a.Y[i], ref a.Z[i], ref a.ImageA[i], ref a.ImageB[i], ref a.ImageC[i]);
            for (var guard = 0; guard < 1_000_000; guard++)
            {
                int ia = a.ImageA[i], ib = a.ImageB[i], ic = a.ImageC[i];
                box.Remap(ref a.X[i], ref a.Y[i], ref a.Z[i], ref a.ImageA[i], ref a.ImageB[i], ref a.ImageC[i]);
                if (ia == a.ImageA[i] && ib == a.ImageB[i] && ic == a.ImageC[i]) break;
            }
        }
    }
}
