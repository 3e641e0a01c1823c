namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Tests.Support;
using System.Diagnostics;
using System.Globalization;
using DeepMD.Sharp.Input;

/// <summary>
/// Runs a deck in LAMMPS (<c>lmp</c> on PATH) and in dpsharp, and reads their thermo tables. Tests that need LAMMPS
/// skip when it is absent, unless DPSHARP_REQUIRE_LAMMPS=1 (set by CI), where a missing lmp is a failure.
/// </summary>
public static class LammpsHarness
{
    public static string? FindLammps()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var p = Path.Combine(dir, "lmp");
            if (File.Exists(p)) return p;
        }
        return null;
    }

    /// <summary>The lmp binary, or a skip (a failure when CI requires LAMMPS).</summary>
    public static string RequireLammps()
    {
        var lmp = FindLammps();
        if (lmp is not null) return lmp;
        Requirement.That(false, Requirement.Lammps, "LAMMPS (lmp) is not on PATH; apt-get install lammps to run this comparison");
        return "";
    }

    /// <summary>
    /// Runs LAMMPS on <paramref name="deck"/> in <paramref name="workDir"/> and returns its screen output (stdout, then
    /// stderr); it must exit with 0 unless <paramref name="expectFailure"/>, when it must not.
    /// </summary>
    public static string RunLammps(string lmp, string deck, string workDir, bool expectFailure = false)
    {
        var psi = new ProcessStartInfo(lmp, ["-in", deck, "-log", "none", "-echo", "none"])
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["OMP_NUM_THREADS"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        if (expectFailure)
        {
            Assert.That(p.ExitCode, Is.Not.EqualTo(0), $"lmp was expected to refuse the deck:\n{stdout.Result}");
            return stdout.Result + stderr.Result;
        }
        Assert.That(p.ExitCode, Is.EqualTo(0), $"lmp failed:\n{stdout.Result}\n{stderr.Result}");
        return stdout.Result;
    }

    /// <summary>Runs dpsharp's deck runner in-process and returns its screen output.</summary>
    public static string RunDpsharp(string deck, string workDir)
    {
        var screen = new StringWriter { NewLine = "\n" };
        using (var session = new DeckSession(screen, workDir, logFile: "log.dpsharp"))
            session.RunFile(deck);
        return screen.ToString();
    }

    /// <summary>Every thermo table of a LAMMPS-style output: header keywords and rows of numbers.</summary>
    public static List<(string[] Header, List<double[]> Rows)> ThermoTables(string output)
    {
        var tables = new List<(string[], List<double[]>)>();
        var lines = output.Replace("\r", "").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("Step ", StringComparison.Ordinal) && lines[i].Trim() != "Step") continue;
            var header = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var rows = new List<double[]>();
            for (i++; i < lines.Length && !lines[i].StartsWith("Loop time", StringComparison.Ordinal); i++)
            {
                var w = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (w.Length != header.Length) continue; // warnings in between
                var row = new double[w.Length];
                var ok = true;
                for (var k = 0; k < w.Length && ok; k++)
                    ok = double.TryParse(w[k], NumberStyles.Float, CultureInfo.InvariantCulture, out row[k]);
                if (ok) rows.Add(row);
            }
            tables.Add((header, rows));
        }
        return tables;
    }

    /// <summary>
    /// Asserts both outputs have the same thermo tables with every value equal to <paramref name="relTol"/>
    /// (relative to the larger magnitude; values both below <paramref name="absFloor"/> count as equal).
    /// Returns the largest relative difference seen.
    /// </summary>
    public static double AssertSameThermo(string lammps, string dpsharp, double relTol, double absFloor = 1e-10)
    {
        var a = ThermoTables(lammps);
        var b = ThermoTables(dpsharp);
        Assert.That(b, Has.Count.EqualTo(a.Count), "number of thermo tables (runs)");
        Assert.That(a, Is.Not.Empty, "LAMMPS printed no thermo table");
        double worst = 0;
        var where = "";
        for (var t = 0; t < a.Count; t++)
        {
            Assert.That(b[t].Header, Is.EqualTo(a[t].Header), $"thermo header of run {t + 1}");
            Assert.That(b[t].Rows, Has.Count.EqualTo(a[t].Rows.Count), $"thermo rows of run {t + 1}");
            for (var r = 0; r < a[t].Rows.Count; r++)
                for (var c = 0; c < a[t].Header.Length; c++)
                {
                    double x = a[t].Rows[r][c], y = b[t].Rows[r][c];
                    var scale = Math.Max(Math.Abs(x), Math.Abs(y));
                    var rel = scale < absFloor ? 0 : Math.Abs(x - y) / scale;
                    if (rel <= worst) continue;
                    worst = rel;
                    where = $"run {t + 1}, step {a[t].Rows[r][0]}, {a[t].Header[c]}: LAMMPS {x.ToString("R", CultureInfo.InvariantCulture)} vs dpsharp {y.ToString("R", CultureInfo.InvariantCulture)}";
                }
        }
        TestContext.Out.WriteLine($"max relative thermo difference vs LAMMPS: {worst:E3} ({where})");
        Assert.That(worst, Is.LessThanOrEqualTo(relTol), $"largest relative difference {worst:E3} at {where}");
        return worst;
    }
}
