namespace DeepMD.Sharp.Dynamics.Analysis;

using System.Globalization;

/// <summary>One run's thermo table in a log: its column names (as printed: Step, Temp, TotEng, …) and rows.</summary>
public sealed class ThermoBlock(string[] columns)
{
    public string[] Columns { get; } = columns;

    public List<double[]> Rows { get; } = [];

    /// <summary>A column by its printed name (case-insensitive), or null.</summary>
    public double[]? Column(string name)
    {
        var c = Array.FindIndex(Columns, n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        return c < 0 ? null : Rows.Select(r => r[c]).ToArray();
    }
}

/// <summary>
/// A LAMMPS-style log (<c>log.lammps</c> of <c>dpsharp run</c> or LAMMPS): the thermo table of each run, in order,
/// and the warning lines (<c>WARNING: …</c>). A run cut short (no <c>Loop time</c> line) keeps the rows it printed.
/// </summary>
public sealed class ThermoLog
{
    public List<ThermoBlock> Blocks { get; } = [];

    public List<string> Warnings { get; } = [];

    /// <summary>Warning lines that mention extrapolation (the potential's guard against leaving its training data).</summary>
    public int ExtrapolationWarnings =>
        Warnings.Count(w => w.Contains("extrapolat", StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads <paramref name="path"/>.</summary>
    public static ThermoLog Read(string path) => Parse(File.ReadLines(path));

    /// <summary>Parses the lines of a log.</summary>
    public static ThermoLog Parse(IEnumerable<string> lines)
    {
        var log = new ThermoLog();
        ThermoBlock? block = null;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.StartsWith("WARNING", StringComparison.Ordinal))
            {
                log.Warnings.Add(line);
                continue;
            }

            if (line.StartsWith("Step ", StringComparison.Ordinal) || line == "Step")
            {
                block = new ThermoBlock(line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
                log.Blocks.Add(block);
                continue;
            }

            if (block is null) continue;
            if (line.StartsWith("Loop time", StringComparison.Ordinal))
            {
                block = null;
                continue;
            }

            var t = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (t.Length != block.Columns.Length) continue;
            var row = new double[t.Length];
            var ok = true;
            for (var c = 0; c < t.Length && ok; c++)
                ok = double.TryParse(t[c], NumberStyles.Float, CultureInfo.InvariantCulture, out row[c]);
            if (ok) block.Rows.Add(row);
        }

        return log;
    }
}
