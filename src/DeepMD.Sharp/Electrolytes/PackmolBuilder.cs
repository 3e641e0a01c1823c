namespace DeepMD.Sharp.Electrolytes;

using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using DeepMD.Sharp.Core.Errors;

/// <summary>
/// Packs molecules into a periodic cubic box with Packmol (L. Martínez et al., J. Comput. Chem. 30, 2157 (2009);
/// Debian package <c>packmol</c>): writes each template as XYZ and Packmol's input, runs it, reads its output.
/// Packmol keeps atoms of different molecules at least <see cref="Tolerance"/> apart but knows nothing of periodic
/// images, so every atom is packed inside [t/2, L − t/2] in each direction (t = tolerance): an atom and the image of
/// another across a face are then at least t apart too. The same seed gives the same box.
/// </summary>
public sealed class PackmolBuilder
{
    /// <summary>The Packmol executable: a path or a name on PATH (default <c>packmol</c>, or <c>DPSHARP_PACKMOL</c>).</summary>
    public string Executable { get; init; } = Environment.GetEnvironmentVariable("DPSHARP_PACKMOL") is { Length: > 0 } p ? p : "packmol";

    /// <summary>Minimum distance between atoms of different molecules, Å (Packmol's <c>tolerance</c>; default 2.0).</summary>
    public double Tolerance { get; init; } = 2.0;

    /// <summary>Packmol's random seed.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Where Packmol's input, templates and output are kept; null = a temporary folder removed afterwards.</summary>
    public string? WorkFolder { get; init; }

    /// <summary>Packmol's iteration limit (<c>nloop</c>); null = Packmol's default.</summary>
    public int? Loops { get; init; }

    /// <summary>Packmol's standard output of the last run.</summary>
    public string? Log { get; private set; }

    /// <summary>Packs <paramref name="counts"/> at <paramref name="density"/> g/cm³ into a cube.</summary>
    public PackedBox Pack(IReadOnlyList<MoleculeCount> counts, double density)
    {
        if (!(density > 0)) throw new UserInputException($"the density must be positive, got {density} g/cm³");
        var edge = Math.Cbrt(BoxArithmetic.Volume(counts, density));
        return Pack(counts, [edge, edge, edge]);
    }

    /// <summary>Packs <paramref name="counts"/> into a box of edge lengths <paramref name="lengths"/> (Å).</summary>
    public PackedBox Pack(IReadOnlyList<MoleculeCount> counts, double[] lengths)
    {
        if (counts.Sum(c => c.Count) == 0) throw new UserInputException("nothing to pack: every count is zero");
        if (counts.Any(c => c.Count < 0)) throw new UserInputException("molecule counts cannot be negative");
        if (!(Tolerance > 0)) throw new UserInputException($"the packing tolerance must be positive, got {Tolerance} Å");
        var margin = Tolerance / 2;
        foreach (var c in counts)
        {
            var extent = Extent(c.Template);
            for (var d = 0; d < 3; d++)
                if (lengths[d] - 2 * margin <= extent)
                    throw new UserInputException(string.Create(CultureInfo.InvariantCulture,
                        $"the box ({lengths[d]:F2} Å) is too small for {c.Template.Name} ({extent:F2} Å across) with the {Tolerance} Å tolerance; pack more molecules or lower the density"));
        }
        var folder = WorkFolder ?? Path.Combine(Path.GetTempPath(), "dpsharp-packmol-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var ci = CultureInfo.InvariantCulture;
            var input = new StringBuilder();
            input.Append(ci, $"# written by DeepMD.Sharp's electrolyte builder\ntolerance {Tolerance:R}\nfiletype xyz\noutput packed.xyz\nseed {Seed}\n");
            if (Loops is { } loops) input.Append(ci, $"nloop {loops}\n");
            var index = 0;
            foreach (var c in counts)
            {
                if (c.Count == 0) continue;
                var file = $"molecule{index++}_{Sanitize(c.Template.Name)}.xyz";
                File.WriteAllText(Path.Combine(folder, file), c.Template.ToXyz());
                input.Append(ci, $"\nstructure {file}\n  number {c.Count}\n");
                input.Append(string.Create(ci, $"  inside box {margin:R} {margin:R} {margin:R} {lengths[0] - margin:R} {lengths[1] - margin:R} {lengths[2] - margin:R}\nend structure\n"));
            }
            File.WriteAllText(Path.Combine(folder, "packmol.inp"), input.ToString());
            var output = Path.Combine(folder, "packed.xyz");
            File.Delete(output);
            Run(folder);
            if (!File.Exists(output) || !Log!.Contains("Success!", StringComparison.Ordinal))
            {
                File.WriteAllText(Path.Combine(folder, "packmol.log"), Log);
                throw new UserInputException($"Packmol did not reach a packing with all atoms of different molecules {Tolerance} Å apart " +
                    $"(its log: {Path.Combine(folder, "packmol.log")}{(WorkFolder is null ? ", kept" : "")}); lower the density, the tolerance, or try another seed");
            }
            var molecules = counts.SelectMany(c => Enumerable.Repeat(c.Template, c.Count)).ToList();
            var positions = ReadOutput(output, molecules);
            return PackedBox.Wrapped([.. lengths], molecules, positions);
        }
        finally
        {
            if (WorkFolder is null && Log?.Contains("Success!", StringComparison.Ordinal) == true) Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The full path of <see cref="Executable"/> (searched on PATH when it has no folder), or null.</summary>
    public string? Resolve()
    {
        if (Executable.Contains('/')) return File.Exists(Executable) ? Path.GetFullPath(Executable) : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, Executable);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private void Run(string folder)
    {
        var exe = Resolve() ?? throw new UserInputException(
            $"cannot find Packmol ('{Executable}'); install it (Debian/Ubuntu: apt-get install packmol) or give its path (--packmol PATH, or DPSHARP_PACKMOL)");
        // Packmol rewinds its standard input, so it must be the file itself, not a pipe: the shell redirects it.
        var psi = new ProcessStartInfo("/bin/sh")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-c", "exec \"$0\" < packmol.inp", exe }) psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new Win32Exception("no process");
        }
        catch (Win32Exception e)
        {
            throw new UserInputException($"cannot run Packmol ('{exe}': {e.Message}); install it (Debian/Ubuntu: apt-get install packmol)", inner: e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            Log = stdout.Result + stderr.Result;
        }
    }

    private static double[] ReadOutput(string path, IReadOnlyList<MoleculeTemplate> molecules)
    {
        var lines = File.ReadAllLines(path);
        var n = molecules.Sum(m => m.AtomCount);
        if (lines.Length < 2 || !int.TryParse(lines[0].Trim(), out var count) || count != n || lines.Length < n + 2)
            throw new UserInputException($"Packmol's output has not the {n} atoms asked for", path);
        var x = new double[3 * n];
        var a = 0;
        foreach (var m in molecules)
            for (var k = 0; k < m.AtomCount; k++, a++)
            {
                var f = lines[a + 2].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 4 || f[0] != m.Elements[k])
                    throw new UserInputException($"Packmol's output line {a + 3}: expected element {m.Elements[k]} of {m.Name}, got '{lines[a + 2].Trim()}'", path, a + 3);
                for (var d = 0; d < 3; d++) x[3 * a + d] = double.Parse(f[d + 1], NumberStyles.Float, CultureInfo.InvariantCulture);
            }
        return x;
    }

    /// <summary>The largest distance between two atoms of a template (0 for one atom).</summary>
    private static double Extent(MoleculeTemplate t)
    {
        double best = 0;
        var x = t.Positions;
        for (var i = 0; i < t.AtomCount; i++)
            for (var j = i + 1; j < t.AtomCount; j++)
            {
                double dx = x[3 * j] - x[3 * i], dy = x[3 * j + 1] - x[3 * i + 1], dz = x[3 * j + 2] - x[3 * i + 2];
                best = Math.Max(best, Math.Sqrt(dx * dx + dy * dy + dz * dz));
            }
        return best;
    }

    private static string Sanitize(string name) => name.Replace("+", "plus").Replace("-", "minus");
}
