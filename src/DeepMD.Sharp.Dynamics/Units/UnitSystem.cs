namespace DeepMD.Sharp.Dynamics.Units;

using DeepMD.Sharp.Core.Errors;

/// <summary>
/// A LAMMPS unit style: the constants that turn masses, velocities, forces and virials into energies, temperatures
/// and pressures. The engine integrates in the deck's unit style, as LAMMPS does, so that numbers agree bit for bit;
/// potentials that work in metal units (DeePMD models) are bound only under <c>units metal</c>.
/// </summary>
public sealed class UnitSystem
{
    private UnitSystem(string name, double boltz, double mvv2e, double ftm2v, double nktv2p, double mv2d,
        double defaultTimestep, double defaultSkin)
    {
        Name = name;
        Boltz = boltz;
        Mvv2e = mvv2e;
        Ftm2v = ftm2v;
        Nktv2p = nktv2p;
        Mv2d = mv2d;
        DefaultTimestep = defaultTimestep;
        DefaultSkin = defaultSkin;
    }

    /// <summary>Reduced Lennard-Jones units: every constant is 1.</summary>
    public static UnitSystem Lj { get; } = new("lj", 1.0, 1.0, 1.0, 1.0, 1.0, 0.005, 0.3);

    /// <summary>Metal units: Å, eV, ps, amu, K, bar (LAMMPS' constants).</summary>
    public static UnitSystem Metal { get; } = new("metal", 8.617343e-5, 1.0364269e-4, 1.0 / 1.0364269e-4, 1.6021765e6,
        1.0 / 0.602214129, 0.001, 2.0);

    /// <summary>Real units: Å, kcal/mol, fs, g/mol, K, atm (LAMMPS' constants).</summary>
    public static UnitSystem Real { get; } = new("real", 0.0019872067, 48.88821291 * 48.88821291,
        1.0 / 48.88821291 / 48.88821291, 68568.415, 1.0 / 0.602214129, 1.0, 2.0);

    /// <summary>SI units: m, J, s, kg, K, Pa (LAMMPS' constants).</summary>
    public static UnitSystem Si { get; } = new("si", 1.3806504e-23, 1.0, 1.0, 1.0, 1.0, 1.0e-8, 0.001);

    /// <summary>CGS units: cm, erg, s, g, K, dyne/cm² (LAMMPS' constants).</summary>
    public static UnitSystem Cgs { get; } = new("cgs", 1.3806504e-16, 1.0, 1.0, 1.0, 1.0, 1.0e-8, 0.1);

    /// <summary>Electron units: Bohr, Hartree, fs, amu, K, Pa (LAMMPS' constants).</summary>
    public static UnitSystem Electron { get; } = new("electron", 3.16681534e-6, 1.06657236, 0.937582899, 2.94210108e13, 1.0, 0.001, 2.0);

    /// <summary>Micro units: µm, pg·µm²/µs², µs, pg, K, pg/(µm·µs²) (LAMMPS' constants).</summary>
    public static UnitSystem Micro { get; } = new("micro", 1.3806504e-8, 1.0, 1.0, 1.0, 1.0, 2.0, 0.1);

    /// <summary>Nano units: nm, ag·nm²/ns², ns, ag, K, ag/(nm·ns²) (LAMMPS' constants).</summary>
    public static UnitSystem Nano { get; } = new("nano", 0.013806504, 1.0, 1.0, 1.0, 1.0, 0.00045, 0.1);

    /// <summary>Style name as in a deck.</summary>
    public string Name { get; }

    /// <summary>Boltzmann constant, energy/temperature.</summary>
    public double Boltz { get; }

    /// <summary>mass·velocity² → energy.</summary>
    public double Mvv2e { get; }

    /// <summary>force·time/mass → velocity.</summary>
    public double Ftm2v { get; }

    /// <summary>(energy/volume) → pressure.</summary>
    public double Nktv2p { get; }

    /// <summary>mass/volume → density (g/cm³ for metal and real).</summary>
    public double Mv2d { get; }

    /// <summary>LAMMPS' default timestep for this style (time units).</summary>
    public double DefaultTimestep { get; }

    /// <summary>LAMMPS' default neighbor skin for this style (distance units).</summary>
    public double DefaultSkin { get; }

    /// <summary>Whether thermo output is normalized per atom by default (LAMMPS: only for lj).</summary>
    public bool NormalizeThermoByDefault => Name == "lj";

    /// <summary>The supported unit style names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["lj", "real", "metal", "si", "cgs", "electron", "micro", "nano"];

    /// <summary>Looks a unit style up by name.</summary>
    public static UnitSystem FromName(string name) => name switch
    {
        "lj" => Lj,
        "metal" => Metal,
        "real" => Real,
        "si" => Si,
        "cgs" => Cgs,
        "electron" => Electron,
        "micro" => Micro,
        "nano" => Nano,
        _ => throw new UserInputException($"unit style '{name}' is not supported; use one of {string.Join(", ", Names)}"),
    };
}
