namespace DeepMD.Sharp.Dynamics.Output;

using System.Text;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.IO;

/// <summary>
/// LAMMPS dump files (<c>dump ID all atom|custom|xyz N file [columns]</c>) written every <see cref="Every"/> steps,
/// including the first step of a run; the frames' text is IO's <see cref="LammpsDumpWriter"/>.
/// </summary>
public sealed class DumpWriter : IRunObserver, IDisposable, Device.IStepSchedule
{
    private readonly StreamWriter _file;
    private readonly StringBuilder _sb = new(1 << 16);
    private readonly LammpsDumpWriter _format;
    private long _lastWritten = long.MinValue;

    /// <summary>Opens (truncates) <paramref name="path"/>.</summary>
    /// <remarks><paramref name="discard"/>: write nothing and open no file (a rank other than 0 of a decomposed run keeps the schedule only).</remarks>
    public DumpWriter(string id, DumpStyle style, int every, string path, IReadOnlyList<string>? columns = null, bool discard = false)
    {
        if (every < 1) throw new UserInputException($"dump {id}: the interval must be a positive number of steps, got {every}");
        Id = id;
        Style = style;
        Every = every;
        Path = path;
        Columns = LammpsDumpWriter.DefaultColumns(style)
            ?? [.. columns ?? throw new UserInputException($"dump {id} custom needs a list of columns, e.g. 'id type x y z'")];
        foreach (var c in Columns)
        {
            if (!LammpsDumpWriter.KnownColumns.Contains(c) && !LammpsDumpWriter.IsValueColumn(c))
            {
                var close = Text.EditDistance.Closest(c, LammpsDumpWriter.KnownColumns);
                throw new UserInputException($"dump {id}: unknown column '{c}'{(close is null ? "" : $"; did you mean '{close}'?")}; supported: {string.Join(" ", LammpsDumpWriter.KnownColumns)} and c_ID, c_ID[N] of per-atom computes, v_NAME of atom-style variables");
            }
        }
        _format = new LammpsDumpWriter(style, Columns);
        _file = discard ? StreamWriter.Null : Core.Files.OutputLock.OpenWriter(path, false, $"dump {id} file", new UTF8Encoding(false));
        _file.NewLine = "\n";
    }

    public string Id { get; }

    public DumpStyle Style { get; }

    public int Every { get; set; }

    public string Path { get; }

    public IReadOnlyList<string> Columns { get; }

    /// <summary>Element names by type (0-based) for the <c>element</c> column and xyz dumps (dump_modify element).</summary>
    public string[]? Elements
    {
        get => _format.Elements;
        set => _format.Elements = value;
    }

    public void RunStarted(Simulation sim)
    {
        foreach (var c in Columns)
        {
            if (!LammpsDumpWriter.IsValueColumn(c)) continue;
            if (c.StartsWith("v_", StringComparison.Ordinal)) _ = (Variable ?? throw new UserInputException($"dump {Id} column {c} needs a deck to evaluate its variable"))(c[2..]);
            else if (c[0] is 'i' or 'd') _ = Custom(sim, c);
            else ValueColumn(sim, c);
        }
        MaybeWrite(sim);
    }

    private readonly Dictionary<string, (double[] Values, int Stride, int Offset)> _values = new(StringComparer.Ordinal);

    /// <summary>
    /// The values of an atom-style variable (given its name), one per atom in storage order, for <c>v_NAME</c> columns;
    /// set by the deck runner, which also refuses names that are not atom-style variables.
    /// </summary>
    public Func<string, double[]>? Variable { get; set; }

    /// <summary>An i_NAME / d_NAME column's custom vector (fix property/atom); LAMMPS' text when there is none.</summary>
    private static Atoms.CustomAtomProperty Custom(Simulation sim, string column) =>
        sim.CustomProperties.FindPrefixed(column) ?? throw new UserInputException("Could not find dump custom atom property name");

    /// <summary>A c_ID / c_ID[N] column's compute and column (LAMMPS' checks at dump init).</summary>
    private (Computes.Compute Compute, int Column) ValueColumn(Simulation sim, string column)
    {
        var bracket = column.IndexOf('[');
        var id = bracket < 0 ? column[2..] : column[2..bracket];
        var compute = sim.FindCompute(id) ?? throw new UserInputException($"Could not find dump custom compute ID '{id}' (dump {Id} column {column})");
        if (!compute.HasPerAtom) throw new UserInputException($"Dump custom compute {id} ({compute.Style}) does not compute per-atom info (dump {Id} column {column})");
        if (bracket < 0)
        {
            if (compute.PerAtomColumns != 0) throw new UserInputException($"Dump custom compute {id} does not calculate per-atom vector; use {column}[N] (N = 1..{compute.PerAtomColumns})");
            return (compute, 0);
        }
        var n = int.Parse(column[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
        if (compute.PerAtomColumns == 0) throw new UserInputException($"Dump custom compute {id} does not calculate per-atom array; use c_{id}");
        if (n > compute.PerAtomColumns) throw new UserInputException($"Dump custom compute {id} vector is accessed out-of-range: {column} ({compute.PerAtomColumns} columns)");
        return (compute, n - 1);
    }

    public void StepCompleted(Simulation sim) => MaybeWrite(sim);

    /// <inheritdoc/>
    public bool NeedsState(Simulation sim, long step) => step % Every == 0;

    public void RunFinished(Simulation sim) => _file.Flush();

    private void MaybeWrite(Simulation sim)
    {
        if (!WillWrite(sim.Step)) return;
        Write(sim);
    }

    /// <summary>Whether a frame is due at <paramref name="step"/> (a multiple of the interval not written yet).</summary>
    public bool WillWrite(long step) => step % Every == 0 && step != _lastWritten;

    /// <summary>Counts the frame of <paramref name="step"/> as written without writing it (another rank wrote it).</summary>
    public void Skip(long step) => _lastWritten = step;

    /// <summary>Writes the current frame.</summary>
    public void Write(Simulation sim)
    {
        _lastWritten = sim.Step;
        _sb.Clear();
        _values.Clear();
        foreach (var c in Columns)
        {
            if (!LammpsDumpWriter.IsValueColumn(c)) continue;
            if (c.StartsWith("v_", StringComparison.Ordinal))
            {
                _values[c] = (Variable!(c[2..]), 1, 0);
                continue;
            }
            if (c[0] is 'i' or 'd')
            {
                var p = Custom(sim, c);
                var a = sim.Atoms;
                var v = new double[a.Count];
                for (var i = 0; i < a.Count; i++) v[i] = p.Get(a.Id[i]);
                _values[c] = (v, 1, 0);
                continue;
            }
            var (compute, column) = ValueColumn(sim, c);
            _values[c] = (compute.PerAtom(sim), Math.Max(1, compute.PerAtomColumns), column);
        }
        _format.AppendFrame(_sb, sim.Step, sim.Box!, sim.Atoms, sim.Masses, sim.PotentialEnergy, _values.Count > 0 ? _values : null);
        _file.Write(_sb);
    }

    public void Dispose() => _file.Dispose();
}
