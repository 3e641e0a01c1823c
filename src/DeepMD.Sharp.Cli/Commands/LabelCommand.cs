namespace DeepMD.Sharp.Cli.Commands;

using System.CommandLine;
using System.Globalization;
using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.IO;
using DeepMD.Sharp.Labelling;

/// <summary>
/// <c>dpsharp label --code cp2k-xtb FRAMES... -o DATA</c>: labels periodic frames (extended XYZ, LAMMPS data files,
/// LAMMPS text dumps) with CP2K's GFN1-xTB and writes a DeePMD-kit deepmd/npy data set (energy, forces, virial).
/// </summary>
public static class LabelCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var frames = new Argument<string[]>("frames") { Description = "frame files: extended XYZ (all frames), LAMMPS data, LAMMPS text dumps (all frames; --type-map names the types)", Arity = ArgumentArity.OneOrMore };
        var code = new Option<string>("--code") { Description = "labelling code: cp2k-xtb (CP2K 2023.1, GFN1-xTB)", DefaultValueFactory = _ => "cp2k-xtb" };
        var output = new Option<string>("--output", "-o") { Description = "output deepmd/npy folder (one system, or one subfolder per composition)", Required = true };
        var typeMap = new Option<string?>("--type-map") { Description = "species in type order, e.g. Li,P,F,C,O,H (type_map.raw; LAMMPS types 1..N); default: species in order of appearance" };
        var work = new Option<string?>("--work") { Description = "folder for the per-frame CP2K runs (kept; finished frames are reused on a rerun); default OUTPUT.cp2k" };
        var charge = new Option<int>("--charge") { Description = "total charge of each frame, e", DefaultValueFactory = _ => 0 };
        var noStress = new Option<bool>("--no-virial") { Description = "skip CP2K's analytical stress tensor (no virial.npy)" };
        var jobs = new Option<int>("--jobs", "-j") { Description = "CP2K processes at once", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "OMP_NUM_THREADS per CP2K process", DefaultValueFactory = _ => 1 };
        var gmax = new Option<double>("--gmax-per-angstrom") { Description = "Ewald grid points per Å along each cell vector (≥ 4.5; coarser grids give wrong xTB energies)", DefaultValueFactory = _ => 4.6 };
        var maxOuter = new Option<int>("--max-outer-scf") { Description = "outer SCF iterations of 15 OT steps before the diagonalisation fallback (converged frames take ~3)", DefaultValueFactory = _ => 20 };
        var noFallback = new Option<bool>("--no-fallback") { Description = "skip the diagonalisation retry of frames whose OT SCF fails (faster where most such frames are broken)" };
        var cp2k = new Option<string?>("--cp2k") { Description = "cp2k.psmp executable (default: DPSHARP_CP2K, else cp2k.psmp on PATH)" };
        var cmd = new Command("label", "Label periodic frames with a quantum-chemistry code (CP2K GFN1-xTB) into a DeePMD-kit data set")
        {
            frames, code, output, typeMap, work, charge, noStress, jobs, threads, gmax, maxOuter, noFallback, cp2k,
        };
        cmd.SetAction(p =>
        {
            if (!string.Equals(p.GetValue(code), "cp2k-xtb", StringComparison.OrdinalIgnoreCase))
                throw new UserInputException($"--code '{p.GetValue(code)}' is not supported; the labeller knows cp2k-xtb (CP2K GFN1-xTB)");
            if (p.GetValue(gmax) < 4.5)
                throw new UserInputException("--gmax-per-angstrom must be at least 4.5: CP2K fixes the xTB Ewald alpha, so a coarser grid runs but gives wrong energies and forces");
            var map = p.GetValue(typeMap)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var (list, origins) = ReadFrames(p.GetValue(frames)!, map);
            if (list.Count == 0) throw new UserInputException("no frames in the given files");
            map ??= list.SelectMany(f => f.Species).Distinct().ToArray();
            var labeller = new Cp2kXtbLabeller
            {
                Executable = p.GetValue(cp2k) ?? new Cp2kXtbLabeller().Executable,
                Charge = p.GetValue(charge),
                Stress = !p.GetValue(noStress),
                Threads = p.GetValue(threads),
                GmaxPerAngstrom = p.GetValue(gmax),
                MaxOuterScf = p.GetValue(maxOuter),
                DiagonalizationFallback = !p.GetValue(noFallback),
            };
            var outDir = p.GetValue(output)!;
            var workDir = p.GetValue(work) ?? outDir.TrimEnd('/') + ".cp2k";
            var s = LabelledDataset.Label(labeller, list, map, outDir, workDir, p.GetValue(jobs), stdout, origins);
            foreach (var f in s.Failed)
                stderr.WriteLine($"frame {f.Frame} ({origins[f.Frame]}): not labelled, {f.Failure}; skipped (CP2K folder {f.WorkFolder})");
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"labelled {s.Labelled} of {list.Count} frames ({s.Failed.Count} skipped) in {s.Seconds:F0} s; {(s.Systems.Count == 0 ? "no data set written" : "wrote " + string.Join(", ", s.Systems))} (type map {string.Join(",", map)}{(labeller.Stress ? ", with virials" : "")})"));
            return s.Labelled == 0 ? 1 : 0;
        });
        return cmd;
    }

    /// <summary>Every frame of the files, with "file#index" origins.</summary>
    public static (List<Structure> Frames, List<string> Origins) ReadFrames(IEnumerable<string> paths, string[]? typeMap)
    {
        var frames = new List<Structure>();
        var origins = new List<string>();
        foreach (var path in paths)
        {
            if (!File.Exists(path)) throw new UserInputException("file not found", path);
            var name = Path.GetFileName(path).ToLowerInvariant();
            if (name.EndsWith(".xyz", StringComparison.Ordinal) || name.EndsWith(".extxyz", StringComparison.Ordinal))
            {
                var all = ExtXyzReader.ReadAll(path);
                for (var i = 0; i < all.Count; i++) { frames.Add(all[i]); origins.Add($"{path}#{i}"); }
            }
            else if (IsDump(path))
            {
                if (typeMap is null) throw new UserInputException("a LAMMPS dump has numeric types: give --type-map (species of types 1..N)", path);
                var i = 0;
                foreach (var d in LammpsDumpReader.ReadFrames(path))
                {
                    var species = d.Types.Select(t => t >= 1 && t <= typeMap.Length ? typeMap[t - 1]
                        : throw new UserInputException($"frame at step {d.Step}: atom type {t} is outside --type-map ({typeMap.Length} species)", path)).ToArray();
                    frames.Add(new Structure(species, d.X, d.Y, d.Z, d.Box.Cell, path));
                    origins.Add($"{path}#{i++}");
                }
            }
            else
            {
                frames.Add(StructureReader.Read(path, typeMap));
                origins.Add(path);
            }
        }
        return (frames, origins);
    }

    private static bool IsDump(string path)
    {
        using var r = new StreamReader(path);
        return r.ReadLine()?.StartsWith("ITEM: TIMESTEP", StringComparison.Ordinal) == true;
    }
}
