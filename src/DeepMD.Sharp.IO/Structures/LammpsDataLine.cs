namespace DeepMD.Sharp.IO;

/// <summary>A non-blank data line of a LAMMPS data file section: its 1-based number, tokens and trailing '#' comment.</summary>
internal readonly record struct LammpsDataLine(int Line, string[] Tokens, string? Comment);
