namespace DeepMD.Sharp.Input;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Dynamics.Editing;
using DeepMD.Sharp.Dynamics.Units;
using DeepMD.Sharp.IO;

/// <summary>Builds simulations from files for C# scripts (what <c>read_data</c> does in a deck).</summary>
public static class SimulationFactory
{
    /// <summary>
    /// A simulation holding the box, atoms (ids, types, positions and image flags, velocities) and masses of a LAMMPS data file.
    /// <paramref name="periodic"/> gives x, y, z periodicity (default all periodic).
    /// </summary>
    public static Simulation FromLammpsData(string path, UnitSystem units, bool[]? periodic = null)
    {
        var sim = new Simulation(units);
        LoadLammpsData(sim, path, periodic ?? [true, true, true], null);
        return sim;
    }

    /// <summary>
    /// Fills an empty simulation from a LAMMPS data file, read with the columns of <paramref name="atomStyle"/> (a deck's
    /// atom_style, as LAMMPS does), or with null those the file's 'Atoms # style' hint names (the simulation takes that style).
    /// </summary>
    public static void LoadLammpsData(Simulation sim, string path, bool[] periodic, string? atomStyle)
    {
        // Species are bound later (pair_coeff); placeholder names keep the reader from guessing elements.
        var placeholders = Enumerable.Range(1, 4096).Select(i => "type" + i).ToArray();
        var data = LammpsDataReader.Read(path, placeholders, atomStyle);
        sim.Atoms.Style = data.AtomStyle;
        sim.CreateBox(data.CreateBox(periodic[0], periodic[1], periodic[2]), data.TypeCount);
        sim.TriclinicStyle = data.TriclinicHeader;
        data.AddAtomsTo(sim.Atoms);
        // Like LAMMPS' read_data: atoms outside a periodic box are mapped into it, their image flags adjusted.
        try
        {
            AtomDisplacer.RemapAll(sim);
        }
        catch (UserInputException e) when (e.File is null)
        {
            throw new UserInputException(e.Message, path, inner: e);
        }
        if (data.Masses is { } m)
            for (var t = 0; t < m.Length; t++) sim.SetMass(t, m[t]);
    }
}
