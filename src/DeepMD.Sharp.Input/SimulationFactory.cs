namespace DeepMD.Sharp.Input;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Dynamics.Units;
using DeepMD.Sharp.IO;

/// <summary>Builds simulations from files for C# scripts (what <c>read_data</c> does in a deck).</summary>
public static class SimulationFactory
{
    /// <summary>
    /// A simulation holding the box, atoms (ids, types, unwrapped positions, velocities) and masses of a LAMMPS data file.
    /// <paramref name="periodic"/> gives x, y, z periodicity (default all periodic).
    /// </summary>
    public static Simulation FromLammpsData(string path, UnitSystem units, bool[]? periodic = null)
    {
        var sim = new Simulation(units);
        LoadLammpsData(sim, path, periodic ?? [true, true, true]);
        return sim;
    }

    /// <summary>Fills an empty simulation from a LAMMPS data file.</summary>
    public static void LoadLammpsData(Simulation sim, string path, bool[] periodic)
    {
        // Species are bound later (pair_coeff); placeholder names keep the reader from guessing elements.
        var placeholders = Enumerable.Range(1, 4096).Select(i => "type" + i).ToArray();
        var data = LammpsDataReader.Read(path, placeholders);
        var s = data.Structure;
        var cell = s.Box!;
        var (xlo, ylo, zlo) = data.BoxLo;
        sim.CreateBox(new SimulationBox(xlo, xlo + cell[0, 0], ylo, ylo + cell[1, 1], zlo, zlo + cell[2, 2],
            cell[1, 0], cell[2, 0], cell[2, 1], periodic[0], periodic[1], periodic[2]), data.TypeCount);
        for (var i = 0; i < s.Count; i++)
        {
            var k = sim.Atoms.Add(data.Ids[i], data.Types[i] - 1, s.X[i] + xlo, s.Y[i] + ylo, s.Z[i] + zlo);
            if (data.Velocities is { } v)
            {
                sim.Atoms.Vx[k] = v[0][i];
                sim.Atoms.Vy[k] = v[1][i];
                sim.Atoms.Vz[k] = v[2][i];
            }
        }
        if (data.Masses is { } m)
            for (var t = 0; t < m.Length; t++) sim.SetMass(t, m[t]);
    }
}
