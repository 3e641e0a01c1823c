namespace DeepMD.Sharp.IO;

/// <summary>A section of a LAMMPS data file: its name, the comment after the name, the line of the name and its data lines.</summary>
internal readonly record struct LammpsSection(string Name, string? Comment, int Line, List<LammpsDataLine> Lines);
