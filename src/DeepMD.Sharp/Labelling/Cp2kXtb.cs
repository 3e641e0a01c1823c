namespace DeepMD.Sharp.Labelling;

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.Core.Errors;

/// <summary>One labelled frame: energy (eV), forces (eV/Å, xyz per atom) and, with the stress on, the virial (eV, 9, row-major).</summary>
public sealed record XtbLabel(double Energy, double[] Forces, double[]? Virial, int ScfSteps, double Seconds);

/// <summary>The outcome of labelling one frame: a label, or why there is none (SCF not converged, CP2K failed).</summary>
public sealed record XtbLabelOutcome(int Frame, XtbLabel? Label, string? Failure, string WorkFolder);

/// <summary>
/// Labels periodic frames with GFN1-xTB in CP2K (Debian's <c>cp2k.psmp</c>, 2023.1): writes the input per frame in its
/// own working folder, runs CP2K (one OpenMP thread by default), checks that the SCF converged and reads energy,
/// forces and (with <see cref="Stress"/>) CP2K's analytical stress tensor, converted with CP2K 2023.1's own constants
/// (CODATA 2006, printed by <c>&amp;GLOBAL &amp;PRINT PHYSCON</c>). Settings follow /shared/howto/cp2k-xtb-labels.md:
/// SPME Ewald with a grid of at least <see cref="GmaxPerAngstrom"/> points per Å along each cell vector (CP2K fixes
/// the xTB Ewald alpha, so a coarse grid runs but is wrong), OT/DIIS with an outer SCF loop, MOPAC guess.
/// </summary>
public sealed class Cp2kXtbLabeller
{
    /// <summary>CP2K 2023.1's Hartree in eV (<c>[a.u.] -&gt; [eV]</c>, CODATA 2006).</summary>
    public const double HartreeEv = 27.2113838565563;

    /// <summary>CP2K 2023.1's Bohr radius in Å (CODATA 2006).</summary>
    public const double BohrAngstrom = 0.52917720859;

    /// <summary>Hartree/Bohr in eV/Å with CP2K's constants.</summary>
    public const double ForceEvPerAngstrom = HartreeEv / BohrAngstrom;

    /// <summary>GPa per eV/Å³ with CP2K 2023.1's elementary charge (1.602176487e-19 C): CP2K prints the stress in GPa.</summary>
    public const double GpaPerEvPerCubicAngstrom = 160.2176487;

    /// <summary>The executable: DPSHARP_CP2K, else <c>cp2k.psmp</c> on PATH.</summary>
    public string Executable { get; init; } = Environment.GetEnvironmentVariable("DPSHARP_CP2K") is { Length: > 0 } p ? p : "cp2k.psmp";

    /// <summary>OMP_NUM_THREADS for CP2K (1: labelling runs share the machine).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Total charge of each frame (e).</summary>
    public int Charge { get; init; }

    /// <summary>Ewald grid points per Å along each cell vector (at least ~4.5; 4.6 gives GMAX 51→54 for 11 Å).</summary>
    public double GmaxPerAngstrom { get; init; } = 4.6;

    /// <summary>Also compute CP2K's analytical stress tensor and return the virial (virial = −stress·V, eV).</summary>
    public bool Stress { get; init; } = true;

    /// <summary>SCF convergence (inner and outer EPS_SCF).</summary>
    public double EpsScf { get; init; } = 1e-6;

    /// <summary>Inner OT steps per outer SCF iteration (MAX_SCF).</summary>
    public int MaxScf { get; init; } = 15;

    /// <summary>Outer SCF iterations (OUTER_SCF MAX_SCF).</summary>
    public int MaxOuterScf { get; init; } = 20;

    /// <summary>
    /// OT step size. CP2K aborts when a Mulliken charge leaves [−3, 3] during the SCF (CHECK_ATOMIC_CHARGES, kept on:
    /// with it off, OT/DIIS at its default step 0.08 ran some packed LiPF6 boxes into an unphysical state hundreds of
    /// Hartree too low); at 0.08 PF6-'s P reaches −3.3 in the first step from the MOPAC guess, at 0.02 it does not.
    /// </summary>
    public double OtStepSize { get; init; } = 0.02;

    /// <summary>SCF steps of the diagonalisation fallback (it converged the packed boxes in 60–160).</summary>
    public int MaxDiagonalizationScf { get; init; } = 200;

    /// <summary>Retry a frame whose OT SCF fails (abort or no convergence) with diagonalisation and Broyden mixing (slower, ~150 steps).</summary>
    public bool DiagonalizationFallback { get; init; } = true;

    /// <summary>Wall-clock limit per frame.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>The resolved executable path, or null when it is not installed.</summary>
    public string? Resolve()
    {
        if (Executable.Contains('/')) return File.Exists(Executable) ? Path.GetFullPath(Executable) : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var full = Path.Combine(dir, Executable);
            if (File.Exists(full)) return full;
        }
        return null;
    }

    /// <summary>The resolved executable, or a <see cref="UserInputException"/> saying how to install it.</summary>
    public string RequireExecutable() => Resolve() ?? throw new UserInputException(
        $"CP2K ('{Executable}') was not found on PATH; install Debian's package (apt-get install cp2k, which provides cp2k.psmp " +
        "with the GFN1-xTB parameters) or set DPSHARP_CP2K to the cp2k.psmp executable");

    /// <summary>
    /// The Ewald grid along a cell vector of length <paramref name="length"/> Å: the smallest FFT-friendly number
    /// (factors 2, 3, 5 only, what SPME's FFT wants) of at least <see cref="GmaxPerAngstrom"/>·length points.
    /// CP2K wants GMAX odd only for EWALD_TYPE EWALD, which xTB does not use.
    /// </summary>
    public int Gmax(double length)
    {
        var n = Math.Max(8, (int)Math.Ceiling(GmaxPerAngstrom * length - 1e-9));
        while (!Smooth(n)) n++;
        return n;

        static bool Smooth(int m)
        {
            foreach (var f in new[] { 2, 3, 5 })
                while (m % f == 0) m /= f;
            return m == 1;
        }
    }

    /// <summary>CP2K's input for one frame (coordinates in <c>coords.xyz</c> next to it), cell vectors as rows.</summary>
    public string Input(Structure frame) => Input(frame, diagonalization: false);

    /// <summary>CP2K's input with OT/DIIS (default) or, for the fallback, diagonalisation with Broyden mixing.</summary>
    public string Input(Structure frame, bool diagonalization)
    {
        var box = frame.Box ?? throw new UserInputException("the frame has no periodic cell; the xTB labeller labels periodic boxes only (the Ewald sum needs a cell)", frame.Source);
        for (var d = 0; d < 3; d++)
            if (!box.IsPeriodic(d)) throw new UserInputException("the frame's cell is not periodic in all three directions; the xTB labeller labels fully periodic boxes only", frame.Source);
        var ci = CultureInfo.InvariantCulture;
        var len = new double[3];
        for (var r = 0; r < 3; r++) len[r] = Math.Sqrt(box[r, 0] * box[r, 0] + box[r, 1] * box[r, 1] + box[r, 2] * box[r, 2]);
        var sb = new StringBuilder();
        void L(string s) => sb.Append(s).Append('\n');
        L("&GLOBAL");
        L("  PROJECT label");
        L("  RUN_TYPE ENERGY_FORCE");
        L("  PRINT_LEVEL LOW");
        L("&END GLOBAL");
        L("&FORCE_EVAL");
        L("  METHOD QS");
        if (Stress) L("  STRESS_TENSOR ANALYTICAL");
        L("  &DFT");
        L(string.Create(ci, $"    CHARGE {Charge}"));
        L("    &QS");
        L("      METHOD xTB");
        L("      EPS_DEFAULT 1.0E-10");
        L("      &xTB");
        L("        DO_EWALD T");

        L("      &END xTB");
        L("    &END QS");
        L("    &POISSON");
        L("      PERIODIC XYZ");
        L("      &EWALD");
        L("        EWALD_TYPE SPME");
        L(string.Create(ci, $"        GMAX {Gmax(len[0])} {Gmax(len[1])} {Gmax(len[2])}"));
        L("        O_SPLINE 6");
        L("      &END EWALD");
        L("    &END POISSON");
        L("    &SCF");
        L("      SCF_GUESS MOPAC");
        L(string.Create(ci, $"      EPS_SCF {EpsScf:E3}"));
        if (diagonalization)
        {
            L(string.Create(ci, $"      MAX_SCF {MaxDiagonalizationScf}"));
            L("      &DIAGONALIZATION");
            L("        ALGORITHM STANDARD");
            L("      &END DIAGONALIZATION");
            L("      &MIXING");
            L("        METHOD BROYDEN_MIXING");
            L("        ALPHA 0.3");
            L("        NBUFFER 8");
            L("      &END MIXING");
        }
        else
        {
            L(string.Create(ci, $"      MAX_SCF {MaxScf}"));
            L("      &OT");
            L("        PRECONDITIONER FULL_SINGLE_INVERSE");
            L("        MINIMIZER DIIS");
            L(string.Create(ci, $"        STEPSIZE {OtStepSize:R}"));
            L("      &END OT");
            L("      &OUTER_SCF");
            L(string.Create(ci, $"        EPS_SCF {EpsScf:E3}"));
            L(string.Create(ci, $"        MAX_SCF {MaxOuterScf}"));
            L("      &END OUTER_SCF");
        }
        L("    &END SCF");
        L("  &END DFT");
        L("  &SUBSYS");
        L("    &CELL");
        foreach (var (name, r) in new[] { ("A", 0), ("B", 1), ("C", 2) })
            L(string.Create(ci, $"      {name} {box[r, 0]:R} {box[r, 1]:R} {box[r, 2]:R}"));
        L("      PERIODIC XYZ");
        L("    &END CELL");
        L("    &TOPOLOGY");
        L("      COORD_FILE_NAME coords.xyz");
        L("      COORD_FILE_FORMAT XYZ");
        L("    &END TOPOLOGY");
        L("  &END SUBSYS");
        L("  &PRINT");
        L("    &FORCES ON");
        L("      FILENAME forces");
        L("    &END FORCES");
        if (Stress)
        {
            L("    &STRESS_TENSOR ON");
            L("      FILENAME stress");
            L("    &END STRESS_TENSOR");
        }
        L("  &END PRINT");
        L("&END FORCE_EVAL");
        return sb.ToString();
    }

    /// <summary>The XYZ coordinate file CP2K reads (element, x, y, z in Å).</summary>
    public static string Coordinates(Structure frame)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(frame.Count.ToString(ci)).Append("\nframe\n");
        for (var i = 0; i < frame.Count; i++)
            sb.Append(string.Create(ci, $"{frame.Species[i]} {frame.X[i]:R} {frame.Y[i]:R} {frame.Z[i]:R}\n"));
        return sb.ToString();
    }

    /// <summary>
    /// Labels one frame in <paramref name="folder"/> (created): OT/DIIS first, then (with
    /// <see cref="DiagonalizationFallback"/>) diagonalisation with Broyden mixing when CP2K aborts or the SCF does not
    /// converge. When the folder already holds a finished run of the same input and coordinates (a rerun after an
    /// interruption), that result is read instead of running CP2K again.
    /// </summary>
    public XtbLabelOutcome Label(Structure frame, int index, string folder)
    {
        Directory.CreateDirectory(folder);
        var coords = Coordinates(frame);
        var inPath = Path.Combine(folder, "in.inp");
        var done = Path.Combine(folder, "done");
        var watch = Stopwatch.StartNew();
        var inputs = DiagonalizationFallback ? new[] { Input(frame, false), Input(frame, true) } : [Input(frame, false)];
        var failed = Path.Combine(folder, "failed");
        var same = File.Exists(inPath) && File.Exists(Path.Combine(folder, "coords.xyz")) && File.ReadAllText(Path.Combine(folder, "coords.xyz")) == coords;
        if (same && File.Exists(done) && inputs.Contains(File.ReadAllText(inPath)))
            return Read(frame, index, folder, watch);
        // A frame that failed with these very inputs fails again: a rerun reports it without running CP2K.
        if (same && File.Exists(failed) && File.ReadAllText(inPath) == inputs[^1])
            return new XtbLabelOutcome(index, null, File.ReadAllText(failed).Trim() + " (from an earlier run)", folder);
        if (File.Exists(failed)) File.Delete(failed);
        XtbLabelOutcome? outcome = null;
        foreach (var input in inputs)
        {
            var failure = Run(input, coords, folder);
            outcome = failure is null ? Read(frame, index, folder, watch) : new XtbLabelOutcome(index, null, failure, folder);
            if (outcome.Label is not null) return outcome;
        }
        File.WriteAllText(failed, outcome!.Failure + "\n");
        return outcome;
    }

    private XtbLabelOutcome Read(Structure frame, int index, string folder, Stopwatch watch)
    {
        try
        {
            return new XtbLabelOutcome(index, Parse(folder, frame.Count, frame.Box!.Volume, Stress, watch.Elapsed.TotalSeconds), null, folder);
        }
        catch (Cp2kXtbFailure e)
        {
            return new XtbLabelOutcome(index, null, e.Message, folder);
        }
    }

    /// <summary>Runs CP2K on one input in the folder; null when it exited cleanly, else why not.</summary>
    private string? Run(string input, string coords, string folder)
    {
        var exe = RequireExecutable();
        var done = Path.Combine(folder, "done");
        var outPath = Path.Combine(folder, "out");
        if (File.Exists(done)) File.Delete(done);
        foreach (var old in Directory.GetFiles(folder, "label-*").Append(outPath).Where(File.Exists)) File.Delete(old);
        File.WriteAllText(Path.Combine(folder, "in.inp"), input);
        File.WriteAllText(Path.Combine(folder, "coords.xyz"), coords);
        var psi = new ProcessStartInfo(exe, ["-i", "in.inp", "-o", "out"])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["OMP_NUM_THREADS"] = Threads.ToString(CultureInfo.InvariantCulture);
        using var p = Process.Start(psi) ?? throw new UserInputException($"could not start {exe}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(Timeout))
        {
            p.Kill(entireProcessTree: true);
            return $"CP2K did not finish within {Timeout.TotalMinutes:F0} min";
        }
        File.WriteAllText(Path.Combine(folder, "stdout.txt"), stdout.Result + stderr.Result);
        if (p.ExitCode != 0)
        {
            var tail = string.Join(" | ", (stdout.Result + stderr.Result).Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(3));
            var text = File.Exists(outPath) ? File.ReadAllText(outPath) : "";
            var abort = Regex.Match(text, @"\[ABORT\][\s\S]*?\*\s+\\___/\s+(.+?)\s+\*");
            var warning = Regex.Match(text, @"Charge outside chemical range:.*");
            return $"CP2K exited with code {p.ExitCode}: {(abort.Success ? abort.Groups[1].Value.Trim() : tail)}{(warning.Success ? " (" + Regex.Replace(warning.Value, @"\s+", " ").Trim() + ")" : "")}";
        }
        File.WriteAllText(done, "");
        return null;
    }

    /// <summary>
    /// Reads a finished run: checks the SCF converged (CP2K prints energies and forces even when it did not), then
    /// energy (Hartree → eV), forces (Hartree/Bohr → eV/Å) and the virial from the stress: CP2K prints the pressure
    /// tensor σ_CP2K = −(1/V)∂E/∂ε in GPa (checked against a finite strain derivative), so DeePMD-kit's virial
    /// −∂E/∂ε = −stress·V (stress = (1/V)∂E/∂ε) is σ_CP2K·V.
    /// </summary>
    public static XtbLabel Parse(string folder, int atoms, double volume, bool stress, double seconds = 0)
    {
        var outPath = Path.Combine(folder, "out");
        if (!File.Exists(outPath)) throw new Cp2kXtbFailure($"{outPath} is missing");
        var text = File.ReadAllText(outPath);
        var outer = text.Contains("outer SCF iter", StringComparison.Ordinal);
        if (outer ? !text.Contains("outer SCF loop converged", StringComparison.Ordinal) : !text.Contains("*** SCF run converged", StringComparison.Ordinal))
            throw new Cp2kXtbFailure($"SCF did not converge (no '{(outer ? "outer SCF loop converged" : "SCF run converged")}' in CP2K's output)");
        var steps = outer ? Regex.Match(text, @"outer SCF loop converged in\s+\d+\s+iterations or\s+(\d+)\s+steps") : Regex.Match(text, @"SCF run converged in\s+(\d+)\s+steps");
        var em = Regex.Matches(text, @"ENERGY\| Total FORCE_EVAL \( QS \) energy \[a\.u\.\]:\s+(\S+)");
        if (em.Count == 0) throw new Cp2kXtbFailure("no 'ENERGY| Total FORCE_EVAL' line in CP2K's output");
        var energy = double.Parse(em[^1].Groups[1].Value, CultureInfo.InvariantCulture) * HartreeEv;

        var forcesFile = Directory.GetFiles(folder, "label-forces-1_*.xyz").OrderBy(f => f, StringComparer.Ordinal).LastOrDefault()
                         ?? throw new Cp2kXtbFailure("CP2K wrote no forces file (label-forces-1_0.xyz)");
        var forces = new double[atoms * 3];
        var seen = 0;
        var inTable = false;
        foreach (var line in File.ReadLines(forcesFile))
        {
            if (line.Contains("# Atom", StringComparison.Ordinal)) { inTable = true; continue; }
            if (!inTable) continue;
            if (line.Contains("SUM OF ATOMIC FORCES", StringComparison.Ordinal)) break;
            var w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (w.Length < 6) continue;
            var i = int.Parse(w[0], CultureInfo.InvariantCulture) - 1;
            if (i < 0 || i >= atoms) throw new Cp2kXtbFailure($"{forcesFile}: atom index {i + 1} outside 1..{atoms}");
            for (var d = 0; d < 3; d++) forces[i * 3 + d] = double.Parse(w[3 + d], CultureInfo.InvariantCulture) * ForceEvPerAngstrom;
            seen++;
        }
        if (seen != atoms) throw new Cp2kXtbFailure($"{forcesFile}: {seen} force rows for {atoms} atoms");

        double[]? virial = null;
        if (stress)
        {
            var stressFile = Directory.GetFiles(folder, "label-stress-1_*.stress_tensor").OrderBy(f => f, StringComparer.Ordinal).LastOrDefault()
                             ?? throw new Cp2kXtbFailure("CP2K wrote no stress tensor file (label-stress-1_0.stress_tensor)");
            var rows = File.ReadLines(stressFile)
                .Select(l => Regex.Match(l, @"^\s*STRESS\|\s+([xyz])\s+(\S+)\s+(\S+)\s+(\S+)\s*$"))
                .Where(m => m.Success).Take(3).ToList();
            if (rows.Count != 3) throw new Cp2kXtbFailure($"{stressFile}: no 3×3 stress tensor");
            virial = new double[9];
            for (var r = 0; r < 3; r++)
                for (var c = 0; c < 3; c++)
                    virial[r * 3 + c] = double.Parse(rows[r].Groups[2 + c].Value, CultureInfo.InvariantCulture) * volume / GpaPerEvPerCubicAngstrom;
        }
        return new XtbLabel(energy, forces, virial, steps.Success ? int.Parse(steps.Groups[1].Value, CultureInfo.InvariantCulture) : 0, seconds);
    }
}

/// <summary>A frame CP2K could not label (SCF not converged, output missing): reported per frame, the frame is skipped.</summary>
public sealed class Cp2kXtbFailure(string message) : Exception(message);
