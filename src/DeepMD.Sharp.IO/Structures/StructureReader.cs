namespace DeepMD.Sharp.IO;

using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.Core.Errors;

/// <summary>Reads a structure file of any supported format, choosing the reader from the file name or content.</summary>
public static class StructureReader
{
    /// <summary>
    /// Reads <paramref name="path"/> (the first frame for XYZ files).
    /// </summary>
    /// <param name="path">The structure file.</param>
    /// <param name="typeMap">
    /// Species names by type: for LAMMPS data files the species of types 1..N; for VASP 4 POSCAR files (no species
    /// line) the species of the counts line. Ignored for XYZ files and for files that name their species.
    /// </param>
    public static Structure Read(string path, string[]? typeMap = null) =>
        DetectFormat(path) switch
        {
            StructureFormat.ExtXyz => ExtXyzReader.Read(path),
            StructureFormat.LammpsData => LammpsDataReader.Read(path, typeMap).Structure,
            _ => PoscarReader.Read(path, typeMap),
        };

    /// <summary>
    /// The format of <paramref name="path"/>: by name first (<c>.xyz</c>/<c>.extxyz</c> → XYZ;
    /// <c>POSCAR*</c>, <c>CONTCAR*</c>, <c>.vasp</c>, <c>.poscar</c> → POSCAR; <c>.data</c>, <c>.lmp</c>,
    /// <c>.lammps</c>, <c>data.*</c> → LAMMPS data), otherwise by content (an integer first line → XYZ; an
    /// 'atoms' count and an 'xlo xhi' line → LAMMPS data; anything else → POSCAR).
    /// </summary>
    public static StructureFormat DetectFormat(string path)
    {
        if (FromName(path) is { } byName)
        {
            if (!File.Exists(path))
                throw new UserInputException(Directory.Exists(path)
                    ? "is a directory, not a structure file; give the path of the file itself"
                    : "file not found; check the path and the working directory", path);
            return byName;
        }
        return Sniff(path);
    }

    private static StructureFormat? FromName(string path)
    {
        var name = Path.GetFileName(path);
        var ext = Path.GetExtension(name).ToLowerInvariant();
        switch (ext)
        {
            case ".xyz":
            case ".extxyz":
                return StructureFormat.ExtXyz;
            case ".vasp":
            case ".poscar":
                return StructureFormat.Poscar;
            case ".data":
            case ".lmp":
            case ".lammps":
                return StructureFormat.LammpsData;
        }
        if (name.StartsWith("POSCAR", StringComparison.OrdinalIgnoreCase) || name.StartsWith("CONTCAR", StringComparison.OrdinalIgnoreCase))
            return StructureFormat.Poscar;
        if (name.StartsWith("data.", StringComparison.OrdinalIgnoreCase))
            return StructureFormat.LammpsData;
        return null;
    }

    private static StructureFormat Sniff(string path)
    {
        using var r = LineReader.Open(path);
        var first = r.ReadLine();
        if (first is not null && TextParsing.TryInt(first.Trim(), out _))
            return StructureFormat.ExtXyz;
        bool atoms = false, xlo = false;
        for (var k = 0; k < 200 && r.ReadLine() is { } line; k++)
        {
            var content = line.Split('#')[0];
            var t = TextParsing.Tokens(content);
            if (t.Length == 2 && t[1].Equals("atoms", StringComparison.OrdinalIgnoreCase) && TextParsing.TryInt(t[0], out _)) atoms = true;
            if (string.Join(" ", t).Contains("xlo xhi", StringComparison.OrdinalIgnoreCase)) xlo = true;
            if (atoms && xlo) return StructureFormat.LammpsData;
        }
        return StructureFormat.Poscar;
    }
}
