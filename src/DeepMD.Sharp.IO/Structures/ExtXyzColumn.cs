namespace DeepMD.Sharp.IO;

/// <summary>One entry of an extended XYZ <c>Properties</c> spec: a named per-atom column group.</summary>
/// <param name="Name">Column name as written (e.g. "species", "pos", "forces").</param>
/// <param name="Kind">Type code: 'S' string, 'R' real, 'I' integer, 'L' logical.</param>
/// <param name="Width">Number of whitespace-separated fields the column takes.</param>
/// <param name="Offset">Index of its first field on an atom line.</param>
internal readonly record struct ExtXyzColumn(string Name, char Kind, int Width, int Offset);
