namespace DeepMD.Sharp.Dynamics.Thermo;

using System.Text;
using DeepMD.Sharp.IO;

/// <summary>
/// LAMMPS-style thermo output: a header and one line per output step (<c>thermo_style one</c> or <c>custom</c>,
/// <c>%8d</c> integers and <c>%12.8g</c> reals as LAMMPS prints them) or the <c>multi</c> block. Lines are printed
/// at the first step of a run, every <see cref="Every"/> steps, and at the last step.
/// </summary>
public sealed class ThermoOutput : IRunObserver, Device.IStepSchedule
{
    private readonly StringBuilder _line = new(256);
    private ThermoSample? _sample;
    private double _lastCpu;
    private long _lastStep;

    /// <summary>Where lines go (screen and log).</summary>
    public required TextWriter Writer { get; init; }

    /// <summary>Output interval in steps (0: first and last step of each run only).</summary>
    public int Every { get; set; }

    /// <summary>The columns (keyword names).</summary>
    public List<string> Keywords { get; set; } = [.. ThermoKeywords.One];

    /// <summary>The multi-line block style instead of one line per step.</summary>
    public bool Multi { get; set; }

    /// <summary><c>thermo_style custom</c> (the columns are exactly <see cref="Keywords"/>; one and multi may add Volume).</summary>
    public bool Custom { get; set; }

    /// <summary>Normalise extensive quantities per atom (null: the unit style's default).</summary>
    public bool? Normalize { get; set; }

    /// <summary>
    /// The temperature compute thermo's temp, ke, etotal and press use (<c>thermo_modify temp ID</c>, LAMMPS' rule:
    /// pressure then takes that compute's temperature and degrees of freedom too); thermo_temp by default.
    /// </summary>
    public string TemperatureCompute { get; set; } = "thermo_temp";

    /// <summary>printf-style format for real columns (<c>thermo_modify format float</c>), default <c>%12.8g</c>.</summary>
    public string FloatFormat { get; set; } = "%12.8g";

    /// <summary>printf-style format for integer columns, default <c>%8d</c>.</summary>
    public string IntFormat { get; set; } = "%8d";

    /// <summary>Whether <see cref="FloatFormat"/> / <see cref="IntFormat"/> were given by <c>thermo_modify format float|int</c> (they then win over <see cref="LineFormats"/>).</summary>
    public bool FloatFormatSet { get; set; }

    /// <inheritdoc cref="FloatFormatSet"/>
    public bool IntFormatSet { get; set; }

    /// <summary><c>thermo_modify format line "F1 F2 ..."</c>: one format per column, used where no float/int format was given; null: none.</summary>
    public string[]? LineFormats { get; set; }

    /// <summary><c>thermo_modify format N F</c>: the format of column N (0-based key), which wins over every other.</summary>
    public Dictionary<int, string> ColumnFormats { get; } = [];

    /// <summary>LAMMPS' choice of a column's format: its own, else float/int (user), else the line's word, else the default.</summary>
    private string FormatOf(int column, bool integer)
    {
        if (ColumnFormats.TryGetValue(column, out var own)) return own;
        if (integer ? IntFormatSet : FloatFormatSet) return integer ? IntFormat : FloatFormat;
        if (LineFormats is { } line && column < line.Length) return line[column];
        return integer ? IntFormat : FloatFormat;
    }

    /// <summary>
    /// Evaluates the equal-style variable of a <c>v_NAME</c> column (given NAME); set by the deck runner. Without it,
    /// <c>v_</c> columns are refused.
    /// </summary>
    public Func<string, double>? Variable { get; set; }

    private readonly Dictionary<string, ThermoKeyword> _variableColumns = new(StringComparer.Ordinal);

    /// <summary>c_/f_ columns made this run (made again, so checked again, at each run start).</summary>
    private readonly Dictionary<string, ThermoKeyword> _referenceColumns = new(StringComparer.Ordinal);

    /// <summary>
    /// Makes the column of a <c>c_ID</c>, <c>c_ID[i]</c>, <c>c_ID[i][j]</c> or <c>f_ID...</c> keyword (checked when a run
    /// starts, as LAMMPS does); set by the deck runner. Without it, such columns are refused.
    /// </summary>
    public Func<string, ThermoKeyword>? Reference { get; set; }

    /// <summary>The column of a keyword: a built-in thermo keyword, or <c>v_NAME</c> (headed by its own name, as LAMMPS does).</summary>
    public ThermoKeyword Column(string name)
    {
        if (name.Length > 2 && (name.StartsWith("c_", StringComparison.Ordinal) || name.StartsWith("f_", StringComparison.Ordinal)))
        {
            if (_referenceColumns.TryGetValue(name, out var column)) return column;
            column = Reference is { } reference ? reference(name)
                : throw new Core.Errors.UserInputException($"thermo keyword '{name}' needs a deck to find its compute or fix");
            _referenceColumns[name] = column;
            return column;
        }
        if (!name.StartsWith("v_", StringComparison.Ordinal) || name.Length < 3) return ThermoKeywords.Get(name);
        if (_variableColumns.TryGetValue(name, out var k)) return k;
        var v = name[2..];
        k = new ThermoKeyword(name, name, false, _ => Variable is { } f ? f(v)
            : throw new Core.Errors.UserInputException($"thermo keyword '{name}' needs a deck to evaluate its variable"));
        _variableColumns[name] = k;
        return k;
    }

    /// <summary>The last printed values by keyword (for tests and the API).</summary>
    public Dictionary<string, double> Last { get; } = [];

    public void RunStarted(Simulation sim)
    {
        _lastCpu = 0;
        _lastStep = sim.Step;
        _referenceColumns.Clear();
        // A v_ column names a variable that must exist and be equal-style: refused before the header, as LAMMPS does at setup.
        foreach (var k in Keywords)
            if (k.StartsWith("v_", StringComparison.Ordinal) && Variable is { } f) f(k[2..]);
        // LAMMPS' Thermo::init at each run's setup: styles one and multi get a Volume field when the box may change
        // (shrink-wrapped faces, npt, nph, deform, balance)
        _volume = sim.BoxMayChange && !Custom && (Multi || Keywords.SequenceEqual(ThermoKeywords.One));
        _columns = !Multi && _volume ? [.. Keywords, "vol"] : Keywords;
        if (!Multi)
            Writer.WriteLine(string.Join(" ", _columns.Select(k => Column(k).Header)) + " ");
        Print(sim);
    }

    private List<string>? _columns;

    /// <summary>Whether this run's one/multi output carries LAMMPS' extra Volume field.</summary>
    private bool _volume;

    /// <inheritdoc/>
    public bool NeedsState(Simulation sim, long step) => step == sim.RunEndStep || (Every > 0 && step % Every == 0);

    public void StepCompleted(Simulation sim)
    {
        if (sim.Step == sim.RunEndStep || (Every > 0 && sim.Step % Every == 0)) Print(sim);
    }

    public void RunFinished(Simulation sim) { }

    /// <summary>Evaluates one keyword now (for formulas), with this output's normalisation.</summary>
    public double Evaluate(Simulation sim, ThermoKeyword keyword)
    {
        var s = new ThermoSample(sim) { Normalize = Normalize ?? sim.Units.NormalizeThermoByDefault, TemperatureId = TemperatureCompute };
        s.CpuSeconds = sim.RunClock.Elapsed.TotalSeconds;
        return keyword.Value(s);
    }

    private long _printedStep = long.MinValue;

    /// <summary>Prints the current step's line unless it was printed already (LAMMPS' forced output at the end of a rerun).</summary>
    public void PrintUnlessPrinted(Simulation sim)
    {
        if (_printedStep != sim.Step) Print(sim);
    }

    /// <summary>Prints the line (or block) for the current step.</summary>
    public void Print(Simulation sim)
    {
        _printedStep = sim.Step;
        _sample ??= new ThermoSample(sim);
        var s = _sample;
        s.Reset();
        s.Normalize = Normalize ?? sim.Units.NormalizeThermoByDefault;
        s.TemperatureId = TemperatureCompute;
        var cpu = sim.RunClock.Elapsed.TotalSeconds;
        s.CpuSeconds = cpu;
        var dcpu = cpu - _lastCpu;
        var dstep = sim.Step - _lastStep;
        s.StepsPerCpu = dcpu > 0 && dstep > 0 ? dstep / dcpu : 0;
        s.TimePerCpu = s.StepsPerCpu * sim.Timestep;
        _lastCpu = cpu;
        _lastStep = sim.Step;
        if (Multi)
        {
            PrintMulti(sim, s);
            return;
        }
        _line.Clear();
        var index = 0;
        foreach (var name in _columns ?? Keywords)
        {
            var k = Column(name);
            var v = k.Value(s);
            Last[name] = v;
            _line.Append(CFormat.Printf(FormatOf(index++, k.IsInteger), v)).Append(' ');
        }
        Writer.WriteLine(_line.ToString());
    }

    private void PrintMulti(Simulation sim, ThermoSample s)
    {
        string[] names = _volume
            ? ["etotal", "ke", "temp", "pe", "ebond", "eangle", "edihed", "eimp", "evdwl", "ecoul", "elong", "press", "vol"]
            : ["etotal", "ke", "temp", "pe", "ebond", "eangle", "edihed", "eimp", "evdwl", "ecoul", "elong", "press"];
        Writer.WriteLine($"---------------- Step {CFormat.D(sim.Step, 8)} ----- CPU = {CFormat.F(s.CpuSeconds, 4, 11)} (sec) ----------------");
        _line.Clear();
        for (var i = 0; i < names.Length; i++)
        {
            var k = ThermoKeywords.Get(names[i]);
            var v = k.Value(s);
            Last[names[i]] = v;
            _line.Append(k.Header.PadRight(8)).Append(" = ").Append(CFormat.F(v, 4, 14)).Append(' ');
            if (i % 3 == 2 && i != names.Length - 1) _line.Append('\n');
        }
        Writer.WriteLine(_line.ToString());
    }
}
