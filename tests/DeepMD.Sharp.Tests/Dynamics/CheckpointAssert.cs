namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Dynamics.Checkpoints;

/// <summary>
/// "Bit-identical" for two simulation states: every array a checkpoint stores (ids, types, x, y, z, vx, vy, vz, fx,
/// fy, fz, the three image flags, masses), the box with its tilts and periodicity, step, timestep, potential energy
/// and every fix's state (thermostat/barostat variables, the Langevin and CSVR random-generator states), each compared
/// bit for bit. Left out: the neighbor-list capture (a cache rebuilt from these) and LAMMPS' storage-order permutation,
/// which counts from the atoms' order at the last read (read_restart starts it afresh; the ids' order is compared).
/// </summary>
public static class CheckpointAssert
{
    public static void Identical(Checkpoint expected, Checkpoint actual, string what = "")
    {
        var p = what.Length > 0 ? what + ": " : "";
        Assert.That(actual.Units, Is.EqualTo(expected.Units), p + "units");
        Assert.That(actual.Step, Is.EqualTo(expected.Step), p + "step");
        Assert.That(Bits([actual.Timestep]), Is.EqualTo(Bits([expected.Timestep])), p + "timestep");
        Assert.That(Bits(actual.Bounds), Is.EqualTo(Bits(expected.Bounds)), p + "box bounds (xlo xhi ylo yhi zlo zhi), bit for bit");
        Assert.That(Bits(actual.Tilts), Is.EqualTo(Bits(expected.Tilts)), p + "box tilts (xy xz yz), bit for bit");
        Assert.That(actual.Periodic, Is.EqualTo(expected.Periodic), p + "periodicity");
        Assert.That(Bits(actual.Masses), Is.EqualTo(Bits(expected.Masses)), p + "masses");
        Assert.That(actual.Ids, Is.EqualTo(expected.Ids), p + "atom ids (storage order)");
        Assert.That(actual.Types, Is.EqualTo(expected.Types), p + "atom types");
        foreach (var (name, x, y) in new[]
                 {
                     ("x", expected.X, actual.X), ("y", expected.Y, actual.Y), ("z", expected.Z, actual.Z),
                     ("vx", expected.Vx, actual.Vx), ("vy", expected.Vy, actual.Vy), ("vz", expected.Vz, actual.Vz),
                 })
            Assert.That(Bits(y), Is.EqualTo(Bits(x)), $"{p}{name}, bit for bit");
        Assert.That(actual.Fx is null, Is.EqualTo(expected.Fx is null), p + "forces stored in one and not the other");
        if (expected.Fx is not null)
        {
            foreach (var (name, x, y) in new[] { ("fx", expected.Fx, actual.Fx!), ("fy", expected.Fy!, actual.Fy!), ("fz", expected.Fz!, actual.Fz!) })
                Assert.That(Bits(y), Is.EqualTo(Bits(x)), $"{p}{name}, bit for bit");
            Assert.That(Bits([actual.PotentialEnergy]), Is.EqualTo(Bits([expected.PotentialEnergy])), p + "potential energy");
        }
        Assert.That(actual.ImageA, Is.EqualTo(expected.ImageA), p + "image flags a");
        Assert.That(actual.ImageB, Is.EqualTo(expected.ImageB), p + "image flags b");
        Assert.That(actual.ImageC, Is.EqualTo(expected.ImageC), p + "image flags c");
        Assert.That(actual.Fixes.Select(f => (f.Id, f.Style)), Is.EqualTo(expected.Fixes.Select(f => (f.Id, f.Style))), p + "fixes");
        for (var k = 0; k < expected.Fixes.Count; k++)
            Assert.That(Bits(actual.Fixes[k].State), Is.EqualTo(Bits(expected.Fixes[k].State)),
                $"{p}state of fix {expected.Fixes[k].Id} ({expected.Fixes[k].Style}: thermostat/barostat variables, random-generator state)");
    }

    private static long[] Bits(double[] v) => v.Select(BitConverter.DoubleToInt64Bits).ToArray();
}
