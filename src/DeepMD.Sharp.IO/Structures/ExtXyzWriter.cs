namespace DeepMD.Sharp.IO;

using DeepMD.Sharp.Core.Files;
using System.Text;
using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.Core.Errors;

/// <summary>
/// Writes structures as extended XYZ (readable by <see cref="ExtXyzReader"/> and ASE), optionally with per-atom
/// energies (<c>energies:R:1</c>), forces (<c>forces:R:3</c>), velocities (<c>velo:R:3</c>, ASE's name), atom ids
/// (<c>id:I:1</c>), the total energy (<c>energy=</c> on the comment line) and further comment-line key=value pairs.
/// Numbers are written in invariant culture with round-trip precision.
/// </summary>
public static class ExtXyzWriter
{
    /// <summary>
    /// Writes one frame to <paramref name="path"/>, replacing the file atomically: the text goes to a temporary file
    /// in the same directory, which is then renamed over <paramref name="path"/>.
    /// </summary>
    /// <param name="path">Destination file.</param>
    /// <param name="structure">Atoms and box; a null box is written as <c>pbc="F F F"</c> without a Lattice.</param>
    /// <param name="energy">Total energy (eV) for the comment line, or null.</param>
    /// <param name="forces">Forces (eV/Å), row-major <c>3 × Count</c> (fx0 fy0 fz0 fx1 ...), or null.</param>
    /// <param name="atomEnergies">Per-atom energies (eV), length <c>Count</c>, or null.</param>
    /// <param name="velocities">Velocities, row-major <c>3 × Count</c>, or null.</param>
    /// <param name="ids">Atom ids, length <c>Count</c>, or null.</param>
    /// <param name="info">More comment-line pairs, written after <c>pbc</c> in order (values with spaces quoted), or null.</param>
    public static void Write(string path, Structure structure, double? energy = null, double[]? forces = null, double[]? atomEnergies = null,
        double[]? velocities = null, int[]? ids = null, IEnumerable<KeyValuePair<string, string>>? info = null)
    {
        Validate(structure, forces, atomEnergies, velocities, ids);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? ".";
        var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        var done = false;
        try
        {
            using (var writer = new StreamWriter(tmp, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
            {
                writer.NewLine = "\n";
                WriteFrame(writer, structure, energy, forces, atomEnergies, velocities, ids, info);
                writer.Flush();
                DurableFile.Flush((FileStream)writer.BaseStream);
            }
            DurableFile.MoveIntoPlace(tmp, full);
            done = true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException($"cannot write the file ({e.Message}); check that the directory exists and is writable", path, null, e);
        }
        finally
        {
            if (!done)
            {
                try
                {
                    File.Delete(tmp);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // The temporary file could not be removed; the original error is more useful to report.
                }
            }
        }
    }

    /// <summary>Appends one frame to <paramref name="writer"/> (use this to build multi-frame trajectories).</summary>
    /// <param name="writer">Destination; lines end with '\n'.</param>
    /// <param name="structure">Atoms and box; a null box is written as <c>pbc="F F F"</c> without a Lattice.</param>
    /// <param name="energy">Total energy (eV) for the comment line, or null.</param>
    /// <param name="forces">Forces (eV/Å), row-major <c>3 × Count</c>, or null.</param>
    /// <param name="atomEnergies">Per-atom energies (eV), length <c>Count</c>, or null.</param>
    /// <param name="velocities">Velocities, row-major <c>3 × Count</c>, or null.</param>
    /// <param name="ids">Atom ids, length <c>Count</c>, or null.</param>
    /// <param name="info">More comment-line pairs, written after <c>pbc</c> in order (values with spaces quoted), or null.</param>
    public static void WriteFrame(TextWriter writer, Structure structure, double? energy = null, double[]? forces = null, double[]? atomEnergies = null,
        double[]? velocities = null, int[]? ids = null, IEnumerable<KeyValuePair<string, string>>? info = null)
    {
        Validate(structure, forces, atomEnergies, velocities, ids);
        var n = structure.Count;
        writer.Write(n.ToString(System.Globalization.CultureInfo.InvariantCulture));
        writer.Write('\n');

        var comment = new StringBuilder();
        var box = structure.Box;
        if (box is not null)
        {
            comment.Append("Lattice=\"");
            for (var k = 0; k < 9; k++)
            {
                if (k > 0) comment.Append(' ');
                comment.Append(TextParsing.Format(box.Matrix[k]));
            }
            comment.Append("\" ");
        }
        comment.Append("Properties=species:S:1:pos:R:3");
        if (atomEnergies is not null) comment.Append(":energies:R:1");
        if (forces is not null) comment.Append(":forces:R:3");
        if (velocities is not null) comment.Append(":velo:R:3");
        if (ids is not null) comment.Append(":id:I:1");
        if (energy is { } e) comment.Append(" energy=").Append(TextParsing.Format(e));
        comment.Append(" pbc=\"");
        for (var d = 0; d < 3; d++)
        {
            if (d > 0) comment.Append(' ');
            comment.Append(box is not null && box.IsPeriodic(d) ? 'T' : 'F');
        }
        comment.Append('"');
        foreach (var (key, value) in info ?? [])
        {
            if (key.Length == 0 || key.Any(c => char.IsWhiteSpace(c) || c is '=' or '"'))
                throw new ArgumentException($"'{key}' cannot be an extended XYZ key (empty, or contains whitespace, '=' or '\"')", nameof(info));
            comment.Append(' ').Append(key).Append('=').Append(Quote(value));
        }
        writer.Write(comment.ToString());
        writer.Write('\n');

        var speciesWidth = n == 0 ? 1 : structure.Species.Max(s => s.Length);
        var line = new StringBuilder();
        for (var i = 0; i < n; i++)
        {
            line.Clear();
            line.Append(structure.Species[i].PadRight(speciesWidth));
            Column(line, structure.X[i]);
            Column(line, structure.Y[i]);
            Column(line, structure.Z[i]);
            if (atomEnergies is not null) Column(line, atomEnergies[i]);
            if (forces is not null)
            {
                Column(line, forces[3 * i]);
                Column(line, forces[3 * i + 1]);
                Column(line, forces[3 * i + 2]);
            }
            if (velocities is not null)
            {
                Column(line, velocities[3 * i]);
                Column(line, velocities[3 * i + 1]);
                Column(line, velocities[3 * i + 2]);
            }
            if (ids is not null) line.Append(' ').Append(ids[i].ToString(System.Globalization.CultureInfo.InvariantCulture));
            writer.Write(line.ToString());
            writer.Write('\n');
        }
    }

    private static void Column(StringBuilder line, double value) => line.Append(' ').Append(TextParsing.Format(value).PadLeft(23));

    /// <summary>A comment-line value: as is when it is one plain word, else double-quoted with '\' and '"' escaped.</summary>
    private static string Quote(string value) =>
        value.Length > 0 && !value.Any(c => char.IsWhiteSpace(c) || c is '"' or '\\' or '=' or '{' or '}')
            ? value
            : "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") + "\"";

    private static void Validate(Structure structure, double[]? forces, double[]? atomEnergies, double[]? velocities = null, int[]? ids = null)
    {
        if (velocities is not null && velocities.Length != 3 * structure.Count)
            throw new ArgumentException($"velocities must have 3 × {structure.Count} values, got {velocities.Length}", nameof(velocities));
        if (ids is not null && ids.Length != structure.Count)
            throw new ArgumentException($"ids must have {structure.Count} values, got {ids.Length}", nameof(ids));
        if (forces is not null && forces.Length != 3 * structure.Count)
            throw new ArgumentException($"forces must have 3 × {structure.Count} values, got {forces.Length}", nameof(forces));
        if (atomEnergies is not null && atomEnergies.Length != structure.Count)
            throw new ArgumentException($"atomEnergies must have {structure.Count} values, got {atomEnergies.Length}", nameof(atomEnergies));
        foreach (var s in structure.Species)
        {
            if (s.Length == 0 || s.Any(char.IsWhiteSpace))
                throw new ArgumentException($"species name '{s}' cannot be written to an XYZ file (empty or contains whitespace)", nameof(structure));
        }
    }
}
