namespace DeepMD.Sharp.Dynamics.Fixes;

using System.Text;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.IO;

/// <summary>
/// One input of fix ave/histo: a global scalar (<see cref="Scalar"/>), a global vector or array column
/// (<see cref="Values"/>, every element binned), or a per-atom quantity (<see cref="PerAtom"/>, binned for the atoms of
/// the fix's group).
/// </summary>
public sealed class AveHistoInput
{
    /// <summary>The deck's name of the input (<c>c_ID[2]</c>, <c>vx</c>).</summary>
    public required string Name { get; init; }

    /// <summary>One value now (global, scalar mode).</summary>
    public Func<Simulation, double>? Scalar { get; init; }

    /// <summary>The values now (global, vector mode).</summary>
    public Func<Simulation, IReadOnlyList<double>>? Values { get; init; }

    /// <summary>Per-atom values now (storage order; only the group's atoms are binned).</summary>
    public Func<Simulation, Func<int, double>>? PerAtom { get; init; }

    /// <summary>At each run's setup: throws when the compute, fix or variable read is gone (LAMMPS checks at init).</summary>
    public Action<Simulation>? Validate { get; init; }
}

/// <summary>What fix ave/histo does with values outside [lo, hi] (<c>beyond ignore|end|extra</c>).</summary>
public enum AveHistoBeyond
{
    Ignore,
    End,
    Extra,
}

/// <summary>
/// <c>fix ID group ave/histo Nevery Nrepeat Nfreq lo hi Nbin values ... [keywords]</c>, as LAMMPS' fix ave/histo: every
/// Nevery steps the inputs' values are binned into Nbin equal bins over [lo, hi] (a value on hi goes to the last bin;
/// outside: counted as missing with <c>beyond ignore</c>, put in the first/last bin with <c>end</c>, or in two extra
/// end bins with <c>extra</c>); the Nrepeat samples ending on each multiple of Nfreq make one histogram, combined with
/// earlier ones per <c>ave one|running|window M</c> and written to the file (LAMMPS' header and <c>%g</c> layout).
/// Global vector <c>f_ID[1..4]</c>: total counts, missing counts, smallest and largest value; global array
/// <c>f_ID[i][1..3]</c>: bin centre, count, count/total (all intensive).
/// </summary>
public sealed class FixAveHisto : Fix, IFixGlobalValues, IDisposable
{
    private const double Big = 1.0e20;
    private readonly AveHistoInput[] _inputs;
    private readonly TextWriter? _file;
    private readonly double _lo, _hi, _binInverse;
    private readonly int _nbins;
    private readonly double[] _bin, _binTotal, _coord;
    private readonly double[] _stats = new double[4], _statsTotal = new double[4];
    private readonly double[][] _statsList = [], _binList = [];
    private readonly StringBuilder _line = new(256);
    private long _nvalid, _nvalidLast = -1;
    private int _irepeat, _iwindow;
    private bool _windowFull;

    /// <param name="id">The fix id.</param>
    /// <param name="nevery">Steps between samples.</param>
    /// <param name="nrepeat">Samples per histogram.</param>
    /// <param name="nfreq">Steps between histograms (a multiple of <paramref name="nevery"/>, at least nevery·nrepeat).</param>
    /// <param name="lo">Lower bound of the bins.</param>
    /// <param name="hi">Upper bound of the bins.</param>
    /// <param name="nbins">Number of bins in [lo, hi] (two more with <see cref="AveHistoBeyond.Extra"/>).</param>
    /// <param name="inputs">What is binned.</param>
    /// <param name="average">How successive histograms combine.</param>
    /// <param name="window">Histograms in a window (<see cref="AveTimeAverage.Window"/>).</param>
    /// <param name="start">No sampling before a multiple of Nfreq at or after this step.</param>
    /// <param name="beyond">Values outside [lo, hi].</param>
    /// <param name="currentStep">The step the fix is defined at.</param>
    /// <param name="file">Where histograms go (the header is written now), or null.</param>
    /// <param name="titles">The three header lines (null for LAMMPS' defaults).</param>
    public FixAveHisto(string id, int nevery, int nrepeat, int nfreq, double lo, double hi, int nbins, IReadOnlyList<AveHistoInput> inputs,
        AveTimeAverage average, int window, long start, AveHistoBeyond beyond, long currentStep, TextWriter? file,
        (string? Title1, string? Title2, string? Title3) titles = default) : base(id)
    {
        if (nevery <= 0 || nrepeat <= 0 || nfreq <= 0 || nfreq % nevery != 0 || (long)nrepeat * nevery > nfreq || lo >= hi || nbins <= 0)
            throw new UserInputException("Illegal fix ave/histo command");
        if (inputs.Count == 0) throw new UserInputException("No values in fix ave/histo command");
        Nevery = nevery;
        Nrepeat = nrepeat;
        Nfreq = nfreq;
        _inputs = [.. inputs];
        Average = average;
        Window = window;
        Start = start;
        Beyond = beyond;
        _lo = lo;
        _hi = hi;
        if (beyond == AveHistoBeyond.Extra) nbins += 2;
        _nbins = nbins;
        var binsize = beyond == AveHistoBeyond.Extra ? (hi - lo) / (nbins - 2) : (hi - lo) / nbins;
        _binInverse = 1.0 / binsize;
        _bin = new double[nbins];
        _binTotal = new double[nbins];
        _coord = new double[nbins];
        if (beyond == AveHistoBeyond.Extra)
        {
            _coord[0] = lo;
            _coord[nbins - 1] = hi;
            for (var i = 1; i < nbins - 1; i++) _coord[i] = lo + (i - 1 + 0.5) * binsize;
        }
        else
            for (var i = 0; i < nbins; i++) _coord[i] = lo + (i + 0.5) * binsize;
        if (average == AveTimeAverage.Window)
        {
            if (window <= 0) throw new UserInputException("Illegal fix ave/histo command");
            _statsList = Enumerable.Range(0, window).Select(_ => new double[4]).ToArray();
            _binList = Enumerable.Range(0, window).Select(_ => new double[nbins]).ToArray();
        }
        _file = file;
        if (file is not null)
        {
            file.Write((titles.Title1 ?? $"# Histogrammed data for fix {id}") + "\n");
            file.Write((titles.Title2 ?? "# TimeStep Number-of-bins Total-counts Missing-counts Min-value Max-value") + "\n");
            file.Write((titles.Title3 ?? "# Bin Coord Count Count/Total") + "\n");
            file.Flush();
        }
        _nvalid = NextValid(currentStep);
    }

    public override string Style => "ave/histo";

    public override bool SupportsGroups => true;

    public int Nevery { get; }

    public int Nrepeat { get; }

    public int Nfreq { get; }

    public AveTimeAverage Average { get; }

    public int Window { get; }

    public long Start { get; }

    public AveHistoBeyond Beyond { get; }

    /// <summary>Rows of the global array: the bins (with the two extra ones of <c>beyond extra</c>).</summary>
    public int Bins => _nbins;

    public bool HasScalar => false;

    public double Scalar(Simulation sim) => throw new UserInputException($"fix {Id} (ave/histo) has no global scalar");

    public bool ExtensiveScalar => false;

    public int VectorLength => 4;

    /// <summary>f_ID[i+1]: total counts, missing counts, minimum, maximum of the current histogram(s).</summary>
    public double Vector(Simulation sim, int i) => _statsTotal[i];

    public bool ExtensiveVector(int i) => false;

    /// <summary>f_ID[i+1][j+1]: bin centre, count, and count over the total (0 while the total is 0).</summary>
    public double ArrayValue(int i, int j) => j switch
    {
        0 => _coord[i],
        1 => _binTotal[i],
        _ => _statsTotal[0] != 0.0 ? _binTotal[i] / _statsTotal[0] : 0.0,
    };

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

    public override void Init(Simulation sim)
    {
        foreach (var input in _inputs) input.Validate?.Invoke(sim);
        // a minimization moved the step past the next sample
        if (_nvalid < sim.Step)
        {
            _irepeat = 0;
            _nvalid = NextValid(sim.Step);
        }
    }

    public override void Setup(Simulation sim) => EndOfStep(sim);

    public override void EndOfStep(Simulation sim)
    {
        var step = sim.Step;
        if (step < _nvalidLast || step > _nvalid)
            throw new UserInputException($"Invalid timestep reset for fix ave/histo {Id}: the step went from {_nvalidLast} to {step}, past the next sample at {_nvalid}");
        if (step != _nvalid) return;
        _nvalidLast = _nvalid;
        if (_irepeat == 0)
        {
            _stats[0] = _stats[1] = 0.0;
            _stats[2] = Big;
            _stats[3] = -Big;
            Array.Clear(_bin);
        }
        var a = sim.Atoms;
        foreach (var input in _inputs)
        {
            if (input.Scalar is { } scalar) BinOne(scalar(sim));
            else if (input.Values is { } values)
            {
                var list = values(sim);
                for (var k = 0; k < list.Count; k++) BinOne(list[k]);
            }
            else
            {
                var value = input.PerAtom!(sim);
                for (var i = 0; i < a.Count; i++)
                    if (Group.Contains(a.Id[i])) BinOne(value(i));
            }
        }
        _irepeat++;
        if (_irepeat < Nrepeat)
        {
            _nvalid += Nevery;
            return;
        }
        _irepeat = 0;
        _nvalid = step + Nfreq - (long)(Nrepeat - 1) * Nevery;
        Combine();
        if (_file is not null) Write(step);
    }

    private void Combine()
    {
        switch (Average)
        {
            case AveTimeAverage.One:
                _stats.AsSpan().CopyTo(_statsTotal);
                _bin.AsSpan().CopyTo(_binTotal);
                break;
            case AveTimeAverage.Running:
                _statsTotal[0] += _stats[0];
                _statsTotal[1] += _stats[1];
                _statsTotal[2] = Math.Min(_statsTotal[2], _stats[2]);
                _statsTotal[3] = Math.Max(_statsTotal[3], _stats[3]);
                for (var i = 0; i < _nbins; i++) _binTotal[i] += _bin[i];
                break;
            default:
            {
                var slot = _statsList[_iwindow];
                _statsTotal[0] += _stats[0];
                if (_windowFull) _statsTotal[0] -= slot[0];
                slot[0] = _stats[0];
                _statsTotal[1] += _stats[1];
                if (_windowFull) _statsTotal[1] -= slot[1];
                slot[1] = _stats[1];
                var m = _windowFull ? Window : _iwindow + 1;
                slot[2] = _stats[2];
                _statsTotal[2] = _statsList[0][2];
                for (var i = 1; i < m; i++) _statsTotal[2] = Math.Min(_statsTotal[2], _statsList[i][2]);
                slot[3] = _stats[3];
                _statsTotal[3] = _statsList[0][3];
                for (var i = 1; i < m; i++) _statsTotal[3] = Math.Max(_statsTotal[3], _statsList[i][3]);
                var bins = _binList[_iwindow];
                for (var i = 0; i < _nbins; i++)
                {
                    _binTotal[i] += _bin[i];
                    if (_windowFull) _binTotal[i] -= bins[i];
                    bins[i] = _bin[i];
                }
                if (++_iwindow == Window)
                {
                    _iwindow = 0;
                    _windowFull = true;
                }
                break;
            }
        }
    }

    /// <summary>LAMMPS' bin_one: min/max, then the bin (or the missing count).</summary>
    private void BinOne(double value)
    {
        _stats[2] = Math.Min(_stats[2], value);
        _stats[3] = Math.Max(_stats[3], value);
        if (value < _lo)
        {
            if (Beyond == AveHistoBeyond.Ignore)
            {
                _stats[1] += 1.0;
                return;
            }
            _bin[0] += 1.0;
        }
        else if (value > _hi)
        {
            if (Beyond == AveHistoBeyond.Ignore)
            {
                _stats[1] += 1.0;
                return;
            }
            _bin[_nbins - 1] += 1.0;
        }
        else
        {
            var ibin = (int)((value - _lo) * _binInverse);
            ibin = Math.Min(ibin, _nbins - 1);
            if (Beyond == AveHistoBeyond.Extra) ibin++;
            _bin[ibin] += 1.0;
        }
        _stats[0] += 1.0;
    }

    private void Write(long step)
    {
        _line.Clear().Append(step).Append(' ').Append(_nbins);
        for (var k = 0; k < 4; k++) _line.Append(' ').Append(CFormat.G(_statsTotal[k]));
        _line.Append('\n');
        for (var i = 0; i < _nbins; i++)
        {
            var total = _statsTotal[0] != 0.0;
            _line.Append(i + 1).Append(' ').Append(CFormat.G(_coord[i])).Append(' ')
                .Append(CFormat.G(total ? _binTotal[i] : 0.0)).Append(' ')
                .Append(CFormat.G(total ? _binTotal[i] / _statsTotal[0] : 0.0)).Append('\n');
        }
        _file!.Write(_line.ToString());
        _file.Flush();
    }

    /// <summary>Closes the file (unfix, end of the deck).</summary>
    public void Dispose() => _file?.Dispose();
}
