namespace DeepMD.Sharp.Dynamics.Fixes;

using System.Text;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.IO;

/// <summary>One input of fix ave/time: a global scalar (scalar mode) or a global vector / array column (vector mode).</summary>
public sealed class AveTimeValue
{
    /// <summary>The deck's name of the value (<c>c_ID[2]</c>, <c>v_x</c>): the file's column header.</summary>
    public required string Name { get; init; }

    /// <summary>The value now (scalar mode).</summary>
    public Func<Simulation, double>? Scalar { get; init; }

    /// <summary>Fills the <see cref="Rows"/> values now (vector mode).</summary>
    public Action<Simulation, double[]>? Column { get; init; }

    /// <summary>Rows of a vector-mode value.</summary>
    public int Rows { get; init; }

    /// <summary>Whether the value is extensive (thermo normalises f_ID columns of extensive values).</summary>
    public bool Extensive { get; init; }
}

/// <summary>How fix ave/time combines the averages of successive Nfreq steps (<c>ave one|running|window M</c>).</summary>
public enum AveTimeAverage
{
    One,
    Running,
    Window,
}

/// <summary>
/// <c>fix ID group ave/time Nevery Nrepeat Nfreq values ... [mode scalar|vector] [ave one|running|window M] [start S]
/// [off M] [file F] [format F] [title1|title2|title3 T]</c>, as LAMMPS' fix ave/time: the values are sampled every
/// Nevery steps, Nrepeat samples ending on each multiple of Nfreq are averaged, and that average is written to the
/// file (LAMMPS' header lines and layout, <c>%g</c> unless <c>format</c>), combined with earlier ones per <c>ave</c>.
/// The result is also the fix's global scalar/vector/array (<c>f_ID</c>, <c>f_ID[i]</c>, <c>f_ID[i][j]</c>): in scalar
/// mode one value gives a scalar and several a vector; in vector mode one value gives a vector and several an array.
/// Computes are invoked only on the sampling steps (a compute is evaluated when something asks for it).
/// </summary>
public sealed class FixAveTime : Fix, IDisposable
{
    private readonly AveTimeValue[] _values;
    private readonly bool[] _off;
    private readonly TextWriter? _file;
    private readonly string _format, _separator, _suffix;
    private readonly StringBuilder _line = new(256);
    // scalar mode: [value]; vector mode: [row][value]
    private readonly double[] _vector, _vectorTotal;
    private readonly double[][] _array = [], _arrayTotal = [];
    private readonly double[][] _windowScalar = [];
    private readonly double[][][] _windowArray = [];
    private readonly double[] _column = [];
    private long _nvalid, _nvalidLast = -1;
    private int _irepeat, _iwindow, _norm;
    private bool _windowFull;

    /// <param name="id">The fix id.</param>
    /// <param name="nevery">Steps between samples.</param>
    /// <param name="nrepeat">Samples per average.</param>
    /// <param name="nfreq">Steps between averages (a multiple of <paramref name="nevery"/>, at least nevery·nrepeat).</param>
    /// <param name="values">The inputs, all scalar or all vector (per <paramref name="vectorMode"/>).</param>
    /// <param name="vectorMode">Vector mode: every value is a global vector or array column of the same length.</param>
    /// <param name="average">How successive averages combine.</param>
    /// <param name="window">Averages in a window (<see cref="AveTimeAverage.Window"/>).</param>
    /// <param name="start">No sampling before this step.</param>
    /// <param name="off">0-based values that are not averaged (their last sample is kept).</param>
    /// <param name="currentStep">The step at which the fix is defined.</param>
    /// <param name="file">Where averages go (LAMMPS' layout; the header is written now), or null.</param>
    /// <param name="format">printf conversion of one number, written as given; by default <c>%g</c> after a space, as LAMMPS writes it.</param>
    /// <param name="titles">The three header lines (null for LAMMPS' defaults).</param>
    public FixAveTime(string id, int nevery, int nrepeat, int nfreq, IReadOnlyList<AveTimeValue> values, bool vectorMode,
        AveTimeAverage average, int window, long start, IReadOnlySet<int> off, long currentStep, TextWriter? file,
        string? format = null, (string? Title1, string? Title2, string? Title3) titles = default) : base(id)
    {
        if (nevery <= 0 || nrepeat <= 0 || nfreq <= 0) throw new UserInputException($"fix {id} ave/time: Nevery, Nrepeat and Nfreq must be positive");
        if (nfreq % nevery != 0 || (long)nrepeat * nevery > nfreq)
            throw new UserInputException($"fix {id} ave/time: Nfreq ({nfreq}) must be a multiple of Nevery ({nevery}) and at least Nevery*Nrepeat ({(long)nevery * nrepeat})");
        if (values.Count == 0) throw new UserInputException($"fix {id} ave/time needs at least one value");
        if (average == AveTimeAverage.Window && window <= 0) throw new UserInputException($"fix {id} ave/time: ave window needs M > 0");
        Nevery = nevery;
        Nrepeat = nrepeat;
        Nfreq = nfreq;
        _values = [.. values];
        VectorMode = vectorMode;
        Average = average;
        Window = window;
        Start = start;
        _off = new bool[_values.Length];
        foreach (var k in off)
        {
            if (k < 0 || k >= _values.Length) throw new UserInputException($"fix {id} ave/time: off {k + 1} is not a value column (1..{_values.Length})");
            _off[k] = true;
        }
        // LAMMPS writes " %g" by default and a user's format as given (so "%20.15g" has no separating space): text
        // around the one conversion is kept.
        var m = System.Text.RegularExpressions.Regex.Match(format ?? " %g", @"^([^%]*)(%-?\d*(?:\.\d+)?l?[gefdi])([^%]*)$");
        if (!m.Success) throw new UserInputException($"fix {id} ave/time: format '{format}' must hold one conversion such as %g, %20.15g or %.10e");
        _separator = m.Groups[1].Value;
        _format = m.Groups[2].Value;
        _suffix = m.Groups[3].Value;
        CFormat.Printf(_format, 1.0); // an unsupported conversion fails now, not at the first output
        if (vectorMode)
        {
            Rows = _values[0].Rows;
            foreach (var v in _values)
                if (v.Rows != Rows) throw new UserInputException($"fix {id} ave/time: vector mode needs values of the same length; {_values[0].Name} has {Rows} rows and {v.Name} has {v.Rows}");
            if (Rows == 0) throw new UserInputException($"fix {id} ave/time: {_values[0].Name} has no rows");
            _array = NewArray(Rows, _values.Length);
            _arrayTotal = NewArray(Rows, _values.Length);
            _column = new double[Rows];
            if (average == AveTimeAverage.Window) _windowArray = Enumerable.Range(0, window).Select(_ => NewArray(Rows, _values.Length)).ToArray();
            _vector = _vectorTotal = [];
        }
        else
        {
            _vector = new double[_values.Length];
            _vectorTotal = new double[_values.Length];
            if (average == AveTimeAverage.Window) _windowScalar = NewArray(window, _values.Length);
        }
        _file = file;
        if (file is not null)
        {
            file.Write((titles.Title1 ?? $"# Time-averaged data for fix {id}") + "\n");
            if (titles.Title2 is { } t2) file.Write(t2 + "\n");
            else if (!vectorMode) file.Write("# TimeStep " + string.Join(" ", _values.Select(v => v.Name)) + "\n");
            else file.Write("# TimeStep Number-of-rows\n");
            if (vectorMode) file.Write((titles.Title3 ?? "# Row " + string.Join(" ", _values.Select(v => v.Name))) + "\n");
            file.Flush();
        }
        _nvalid = NextValid(currentStep);
    }

    private static double[][] NewArray(int rows, int cols) => Enumerable.Range(0, rows).Select(_ => new double[cols]).ToArray();

    public override string Style => "ave/time";

    public override bool SupportsGroups => true;

    public int Nevery { get; }

    public int Nrepeat { get; }

    public int Nfreq { get; }

    public bool VectorMode { get; }

    public AveTimeAverage Average { get; }

    public int Window { get; }

    public long Start { get; }

    /// <summary>Rows of each value in vector mode.</summary>
    public int Rows { get; }

    /// <summary>The values' names.</summary>
    public IEnumerable<string> ValueNames => _values.Select(v => v.Name);

    /// <summary>Whether f_ID is a scalar (scalar mode with one value).</summary>
    public bool HasScalar => !VectorMode && _values.Length == 1;

    /// <summary>Length of f_ID's vector (scalar mode with several values, or vector mode with one), else 0.</summary>
    public int VectorLength => !VectorMode ? (_values.Length > 1 ? _values.Length : 0) : _values.Length == 1 ? Rows : 0;

    /// <summary>Rows and columns of f_ID's array (vector mode with several values), else 0.</summary>
    public (int Rows, int Columns) ArrayShape => VectorMode && _values.Length > 1 ? (Rows, _values.Length) : (0, 0);

    /// <summary>Whether element <paramref name="k"/> (0-based) of f_ID's scalar or vector is extensive.</summary>
    public bool Extensive(int k) => VectorMode ? _values[0].Extensive : _values[Math.Min(k, _values.Length - 1)].Extensive;

    /// <summary>f_ID: the current average (0 before the first one).</summary>
    public double ScalarValue => _norm > 0 ? _vectorTotal[0] / _norm : 0.0;

    /// <summary>f_ID[i] (0-based <paramref name="i"/>).</summary>
    public double VectorValue(int i)
    {
        if (_norm == 0) return 0.0;
        return VectorMode ? _arrayTotal[i][0] / _norm : _vectorTotal[i] / _norm;
    }

    /// <summary>f_ID[i][j] (0-based).</summary>
    public double ArrayValue(int i, int j) => _norm > 0 ? _arrayTotal[i][j] / _norm : 0.0;

    /// <summary>The first sampling step at or after <paramref name="step"/> (LAMMPS' nextvalid).</summary>
    private long NextValid(long step)
    {
        var nvalid = step / Nfreq * Nfreq + Nfreq;
        while (nvalid < Start) nvalid += Nfreq;
        if (nvalid - Nfreq == step && Nrepeat == 1) nvalid = step;
        else nvalid -= (long)(Nrepeat - 1) * Nevery;
        if (nvalid < step) nvalid += Nfreq;
        return nvalid;
    }

    /// <summary>Whether this fix samples at <paramref name="step"/> (outputs use it to know a compute is asked for then).</summary>
    public bool SamplesAt(long step) => step == _nvalid;

    public override void Setup(Simulation sim) => EndOfStep(sim);

    public override void EndOfStep(Simulation sim)
    {
        var step = sim.Step;
        if (step < _nvalidLast || step > _nvalid)
            throw new UserInputException($"Invalid timestep reset for fix ave/time {Id}: the step went from {_nvalidLast} to {step}, past the next sample at {_nvalid}");
        if (step != _nvalid) return;
        _nvalidLast = _nvalid;
        if (VectorMode) SampleVector(sim);
        else SampleScalar(sim);
    }

    private void SampleScalar(Simulation sim)
    {
        var n = _values.Length;
        if (_irepeat == 0) System.Array.Clear(_vector);
        for (var i = 0; i < n; i++)
        {
            var v = _values[i].Scalar!(sim);
            if (_off[i]) _vector[i] = v;
            else _vector[i] += v;
        }
        _irepeat++;
        if (_irepeat < Nrepeat)
        {
            _nvalid += Nevery;
            return;
        }
        _irepeat = 0;
        _nvalid = sim.Step + Nfreq - (long)(Nrepeat - 1) * Nevery;
        double repeat = Nrepeat;
        for (var i = 0; i < n; i++)
            if (!_off[i]) _vector[i] /= repeat;
        switch (Average)
        {
            case AveTimeAverage.One:
                for (var i = 0; i < n; i++) _vectorTotal[i] = _vector[i];
                _norm = 1;
                break;
            case AveTimeAverage.Running:
                for (var i = 0; i < n; i++) _vectorTotal[i] += _vector[i];
                _norm++;
                break;
            default:
                for (var i = 0; i < n; i++)
                {
                    _vectorTotal[i] += _vector[i];
                    if (_windowFull) _vectorTotal[i] -= _windowScalar[_iwindow][i];
                    _windowScalar[_iwindow][i] = _vector[i];
                }
                if (++_iwindow == Window)
                {
                    _iwindow = 0;
                    _windowFull = true;
                }
                _norm = _windowFull ? Window : _iwindow;
                break;
        }
        for (var i = 0; i < n; i++)
            if (_off[i]) _vectorTotal[i] = _norm * _vector[i];
        if (_file is null) return;
        _line.Clear().Append(sim.Step);
        for (var i = 0; i < n; i++) _line.Append(_separator).Append(CFormat.Printf(_format, _vectorTotal[i] / _norm)).Append(_suffix);
        _file.Write(_line.Append('\n').ToString());
        _file.Flush();
    }

    private void SampleVector(Simulation sim)
    {
        var n = _values.Length;
        if (_irepeat == 0)
            foreach (var row in _array) System.Array.Clear(row);
        for (var j = 0; j < n; j++)
        {
            _values[j].Column!(sim, _column);
            for (var i = 0; i < Rows; i++)
            {
                if (_off[j]) _array[i][j] = _column[i];
                else _array[i][j] += _column[i];
            }
        }
        _irepeat++;
        if (_irepeat < Nrepeat)
        {
            _nvalid += Nevery;
            return;
        }
        _irepeat = 0;
        _nvalid = sim.Step + Nfreq - (long)(Nrepeat - 1) * Nevery;
        double repeat = Nrepeat;
        for (var i = 0; i < Rows; i++)
            for (var j = 0; j < n; j++)
                if (!_off[j]) _array[i][j] /= repeat;
        switch (Average)
        {
            case AveTimeAverage.One:
                for (var i = 0; i < Rows; i++)
                    for (var j = 0; j < n; j++) _arrayTotal[i][j] = _array[i][j];
                _norm = 1;
                break;
            case AveTimeAverage.Running:
                for (var i = 0; i < Rows; i++)
                    for (var j = 0; j < n; j++) _arrayTotal[i][j] += _array[i][j];
                _norm++;
                break;
            default:
                for (var i = 0; i < Rows; i++)
                    for (var j = 0; j < n; j++)
                    {
                        _arrayTotal[i][j] += _array[i][j];
                        if (_windowFull) _arrayTotal[i][j] -= _windowArray[_iwindow][i][j];
                        _windowArray[_iwindow][i][j] = _array[i][j];
                    }
                if (++_iwindow == Window)
                {
                    _iwindow = 0;
                    _windowFull = true;
                }
                _norm = _windowFull ? Window : _iwindow;
                break;
        }
        for (var i = 0; i < Rows; i++)
            for (var j = 0; j < n; j++)
                if (_off[j]) _arrayTotal[i][j] = _norm * _array[i][j];
        if (_file is null) return;
        _line.Clear().Append(sim.Step).Append(' ').Append(Rows).Append('\n');
        for (var i = 0; i < Rows; i++)
        {
            _line.Append(i + 1);
            for (var j = 0; j < n; j++) _line.Append(_separator).Append(CFormat.Printf(_format, _arrayTotal[i][j] / _norm)).Append(_suffix);
            _line.Append('\n');
        }
        _file.Write(_line.ToString());
        _file.Flush();
    }

    /// <summary>Closes the file (unfix, end of the deck).</summary>
    public void Dispose() => _file?.Dispose();
}
