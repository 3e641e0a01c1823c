namespace DeepMD.Sharp.Dynamics.Thermo;

using DeepMD.Sharp.Core.Errors;

/// <summary>The registry of thermo keywords (LAMMPS' names and column headers).</summary>
public static class ThermoKeywords
{
    private static readonly Dictionary<string, ThermoKeyword> Table = Build();

    /// <summary>Keywords of <c>thermo_style one</c>.</summary>
    public static IReadOnlyList<string> One { get; } = ["step", "temp", "epair", "emol", "etotal", "press"];

    /// <summary>All keyword names.</summary>
    public static IEnumerable<string> Names => Table.Keys;

    /// <summary>Finds a keyword or throws with the closest valid name.</summary>
    public static ThermoKeyword Get(string name) =>
        Table.TryGetValue(name, out var k) ? k
        : throw new UserInputException($"unknown thermo keyword '{name}'{Suggest(name)}");

    public static bool TryGet(string name, out ThermoKeyword keyword) => Table.TryGetValue(name, out keyword!);

    private static string Suggest(string name)
    {
        var best = Table.Keys.OrderBy(k => Text.EditDistance.Compute(k, name)).First();
        return Text.EditDistance.Compute(best, name) <= Math.Max(2, name.Length / 2) ? $"; did you mean '{best}'?" : "";
    }

    /// <summary>Sum of the fixes' coupled energies (LAMMPS' ecouple).</summary>
    private static double CoupledEnergy(Simulation sim)
    {
        double e = 0;
        foreach (var f in sim.Fixes) e += f.CoupledEnergy(sim);
        return e;
    }

    private static Dictionary<string, ThermoKeyword> Build()
    {
        var list = new List<ThermoKeyword>
        {
            new("step", "Step", true, s => s.Simulation.Step),
            new("elapsed", "Elapsed", true, s => s.Simulation.Step - s.Simulation.RunStartStep),
            new("elaplong", "Elaplong", true, s => s.Simulation.Step - s.Simulation.RunStartStep),
            new("dt", "Dt", false, s => s.Simulation.Timestep),
            new("time", "Time", false, s => s.Simulation.ElapsedTime),
            new("cpu", "CPU", false, s => s.CpuSeconds),
            new("tpcpu", "T/CPU", false, s => s.TimePerCpu),
            new("spcpu", "S/CPU", false, s => s.StepsPerCpu),
            new("atoms", "Atoms", true, s => s.Simulation.AtomCount),
            // LAMMPS' neighbor->ncalls and ndanger: builds since the current run's setup build
            new("nbuild", "Nbuild", true, s => s.Simulation.Verlet.BuildCount - s.Simulation.BuildsAtRunStart),
            new("ndanger", "Ndanger", true, s => s.Simulation.Verlet.DangerousBuilds - s.Simulation.DangerousAtRunStart),
            new("temp", "Temp", false, s => s.Temperature),
            new("press", "Press", false, s => s.Pressure),
            new("pe", "PotEng", false, s => s.Extensive(s.PotentialEnergy)),
            new("ke", "KinEng", false, s => s.Extensive(s.KineticEnergy)),
            new("etotal", "TotEng", false, s => s.Extensive(s.PotentialEnergy) + s.Extensive(s.KineticEnergy)),
            new("enthalpy", "Enthalpy", false, s => s.Extensive(s.PotentialEnergy + s.KineticEnergy
                + s.Pressure * Thermodynamics.Volume(s.Simulation) / s.Simulation.Units.Nktv2p)),
            // LAMMPS 20220106 (Thermo::compute_ecouple) does not divide ecouple by the atom count under thermo_modify norm
            // yes (lj units' default); econserve is the normalised etotal plus that undivided ecouple.
            new("ecouple", "Ecouple", false, s => CoupledEnergy(s.Simulation)),
            new("econserve", "Econserve", false, s => s.Extensive(s.PotentialEnergy) + s.Extensive(s.KineticEnergy) + CoupledEnergy(s.Simulation)),
            new("evdwl", "E_vdwl", false, s => s.Extensive(s.Simulation.PotentialEnergy - s.Simulation.CoulombEnergy - s.Simulation.MolecularEnergy)),
            new("ecoul", "E_coul", false, s => s.Extensive(s.Simulation.CoulombEnergy)),
            new("epair", "E_pair", false, s => s.Extensive(s.Simulation.PotentialEnergy - s.Simulation.MolecularEnergy)),
            new("ebond", "E_bond", false, s => s.Extensive(s.Simulation.BondEnergy)),
            new("eangle", "E_angle", false, s => s.Extensive(s.Simulation.AngleEnergy)),
            new("edihed", "E_dihed", false, s => s.Extensive(s.Simulation.DihedralEnergy)),
            new("eimp", "E_impro", false, _ => 0.0),
            new("emol", "E_mol", false, s => s.Extensive(s.Simulation.MolecularEnergy)),
            new("elong", "E_long", false, _ => 0.0),
            new("etail", "E_tail", false, _ => 0.0),
            new("vol", "Volume", false, s => Thermodynamics.Volume(s.Simulation)),
            new("density", "Density", false, s => Thermodynamics.TotalMass(s.Simulation) * s.Simulation.Units.Mv2d / Thermodynamics.Volume(s.Simulation)),
            new("lx", "Lx", false, s => s.Simulation.Box!.Lx),
            new("ly", "Ly", false, s => s.Simulation.Box!.Ly),
            new("lz", "Lz", false, s => s.Simulation.Box!.Lz),
            new("xlo", "Xlo", false, s => s.Simulation.Box!.Lo[0]),
            new("xhi", "Xhi", false, s => s.Simulation.Box!.Hi[0]),
            new("ylo", "Ylo", false, s => s.Simulation.Box!.Lo[1]),
            new("yhi", "Yhi", false, s => s.Simulation.Box!.Hi[1]),
            new("zlo", "Zlo", false, s => s.Simulation.Box!.Lo[2]),
            new("zhi", "Zhi", false, s => s.Simulation.Box!.Hi[2]),
            new("xy", "Xy", false, s => s.Simulation.Box!.Xy),
            new("xz", "Xz", false, s => s.Simulation.Box!.Xz),
            new("yz", "Yz", false, s => s.Simulation.Box!.Yz),
            new("pxx", "Pxx", false, s => s.PressureComponent(0)),
            new("pyy", "Pyy", false, s => s.PressureComponent(1)),
            new("pzz", "Pzz", false, s => s.PressureComponent(2)),
            new("pxy", "Pxy", false, s => s.PressureComponent(3)),
            new("pxz", "Pxz", false, s => s.PressureComponent(4)),
            new("pyz", "Pyz", false, s => s.PressureComponent(5)),
            new("fnorm", "Fnorm", false, s => Thermodynamics.ForceTwoNorm(s.Simulation)),
            new("fmax", "Fmax", false, s => Thermodynamics.ForceMaxComponent(s.Simulation)),
        };
        return list.ToDictionary(k => k.Name);
    }
}
