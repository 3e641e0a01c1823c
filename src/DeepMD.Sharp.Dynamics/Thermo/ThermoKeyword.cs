namespace DeepMD.Sharp.Dynamics.Thermo;

/// <summary>One thermo column: its deck keyword, LAMMPS' header text, whether it is an integer and how to compute it.</summary>
public sealed record ThermoKeyword(string Name, string Header, bool IsInteger, Func<ThermoSample, double> Value);
