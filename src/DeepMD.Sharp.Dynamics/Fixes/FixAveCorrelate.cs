namespace DeepMD.Sharp.Dynamics.Fixes;

using System.Text;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.IO;

/// <summary>Which value pairs fix ave/correlate correlates.</summary>
public enum CorrelateType
{
    Auto,
    Upper,
    Lower,
    AutoUpper,
    AutoLower,
    Full,
}

/// <summary>
/// <c>fix ID group ave/correlate Nevery Nrepeat Nfreq values ... [type auto|upper|lower|auto/upper|auto/lower|full]
/// [ave one|running] [start S] [prefactor p] [file F] [title1|title2|title3 T]</c>, as LAMMPS' fix ave/correlate (the
/// time correlations a Green–Kubo integral needs): every Nevery steps the values enter a window of the last Nrepeat
/// samples and every product ⟨v_i(t) v_j(t + kΔ)⟩ the new sample completes is accumulated for lags k = 0..Nrepeat−1;
/// every Nfreq steps the averages (times the prefactor) are written with LAMMPS' header and layout and become the
/// fix's global array (<c>f_ID[k][c]</c>: column 1 the time lag, 2 the sample count, then one column per pair).
/// </summary>
public sealed class FixAveCorrelate : Fix, IDisposable
{
    private readonly AveTimeValue[] _values;
    private readonly TextWriter? _file;
    private readonly StringBuilder _line = new(1024);
    private readonly double[][] _ring;
    private readonly double[][] _corr, _saved;
    private readonly int[] _count, _savedCount;
    private readonly (int I, int J)[] _pairs;
    private int _lastIndex = -1, _firstIndex, _nsample;
    private long _nvalid, _nvalidLast = -1;

    public FixAveCorrelate(string id, int nevery, int nrepeat, int nfreq, IReadOnlyList<AveTimeValue> values, CorrelateType type,
        bool running, long start, double prefactor, long currentStep, TextWriter? file,
        (string? Title1, string? Title2, string? Title3) titles = default) : base(id)
    {
        if (nevery <= 0 || nrepeat <= 0 || nfreq <= 0) throw new UserInputException($"fix {id} ave/correlate: Nevery, Nrepeat and Nfreq must be positive");
        if (nfreq % nevery != 0) throw new UserInputException($"fix {id} ave/correlate: Nfreq ({nfreq}) must be a multiple of Nevery ({nevery})");
        if (!running && nfreq < (long)(nrepeat - 1) * nevery)
            throw new UserInputException($"fix {id} ave/correlate: with ave one, Nfreq ({nfreq}) must be at least (Nrepeat-1)*Nevery ({(long)(nrepeat - 1) * nevery})");
        if (values.Count == 0) throw new UserInputException($"fix {id} ave/correlate needs at least one value");
        Nevery = nevery;
        Nrepeat = nrepeat;
        Nfreq = nfreq;
        Type = type;
        Running = running;
        Start = start;
        Prefactor = prefactor;
        _values = [.. values];
        var n = _values.Length;
        var pairs = new List<(int, int)>();
        for (var i = 0; i < n; i++)
        {
            switch (type)
            {
                case CorrelateType.Auto: pairs.Add((i, i)); break;
                case CorrelateType.Upper: for (var j = i + 1; j < n; j++) pairs.Add((i, j)); break;
                case CorrelateType.Lower: for (var j = 0; j < i; j++) pairs.Add((i, j)); break;
                case CorrelateType.AutoUpper: for (var j = i; j < n; j++) pairs.Add((i, j)); break;
                case CorrelateType.AutoLower: for (var j = 0; j <= i; j++) pairs.Add((i, j)); break;
                default: for (var j = 0; j < n; j++) pairs.Add((i, j)); break;
            }
        }
        if (pairs.Count == 0) throw new UserInputException($"fix {id} ave/correlate: type {type} with {n} value(s) correlates no pair");
        _pairs = [.. pairs];
        _ring = Enumerable.Range(0, nrepeat).Select(_ => new double[n]).ToArray();
        _corr = Enumerable.Range(0, nrepeat).Select(_ => new double[_pairs.Length]).ToArray();
        _saved = Enumerable.Range(0, nrepeat).Select(_ => new double[_pairs.Length]).ToArray();
        _count = new int[nrepeat];
        _savedCount = new int[nrepeat];
        _file = file;
        if (file is not null)
        {
            file.Write((titles.Title1 ?? $"# Time-correlated data for fix {id}") + "\n");
            file.Write((titles.Title2 ?? "# Timestep Number-of-time-windows") + "\n");
            file.Write((titles.Title3 ?? "# Index TimeDelta Ncount" + string.Concat(_pairs.Select(p => $" {_values[p.I].Name}*{_values[p.J].Name}"))) + "\n");
            file.Flush();
        }
        _nvalid = NextValid(currentStep);
    }

    public override string Style => "ave/correlate";

    public override bool SupportsGroups => true;

    public int Nevery { get; }

    public int Nrepeat { get; }

    public int Nfreq { get; }

    public CorrelateType Type { get; }

    public bool Running { get; }

    public long Start { get; }

    public double Prefactor { get; }

    /// <summary>Columns of f_ID's array: time lag, count, one per correlated pair.</summary>
    public int ArrayColumns => 2 + _pairs.Length;

    /// <summary>f_ID[i][j] (0-based): the last written correlations.</summary>
    public double ArrayValue(int i, int j) => j switch
    {
        0 => (double)i * Nevery,
        1 => _savedCount[i],
        _ => _saved[i][j - 2],
    };

    private long NextValid(long step)
    {
        var nvalid = Math.Max(step, Start);
        if (nvalid % Nevery != 0) nvalid = nvalid / Nevery * Nevery + Nevery;
        return nvalid;
    }

    public override void Setup(Simulation sim) => EndOfStep(sim);

    public override void EndOfStep(Simulation sim)
    {
        var step = sim.Step;
        if (step < _nvalidLast || step > _nvalid)
            throw new UserInputException($"Invalid timestep reset for fix ave/correlate {Id}: the step went from {_nvalidLast} to {step}, past the next sample at {_nvalid}");
        if (step != _nvalid) return;
        _nvalidLast = _nvalid;
        if (++_lastIndex == Nrepeat) _lastIndex = 0;
        for (var i = 0; i < _values.Length; i++) _ring[_lastIndex][i] = _values[i].Scalar!(sim);
        if (_nsample < Nrepeat) _nsample++;
        else if (++_firstIndex == Nrepeat) _firstIndex = 0;
        _nvalid += Nevery;
        Accumulate();
        if (step % Nfreq != 0) return;
        for (var k = 0; k < Nrepeat; k++)
        {
            _savedCount[k] = _count[k];
            for (var p = 0; p < _pairs.Length; p++) _saved[k][p] = _count[k] != 0 ? Prefactor * _corr[k][p] / _count[k] : 0.0;
        }
        if (_file is not null)
        {
            _line.Clear().Append(step).Append(' ').Append(Nrepeat).Append('\n');
            for (var k = 0; k < Nrepeat; k++)
            {
                _line.Append(k + 1).Append(' ').Append((long)k * Nevery).Append(' ').Append(_count[k]);
                for (var p = 0; p < _pairs.Length; p++)
                    _line.Append(_count[k] != 0 ? " " + CFormat.G(Prefactor * _corr[k][p] / _count[k]) : " 0.0");
                _line.Append('\n');
            }
            _file.Write(_line.ToString());
            _file.Flush();
        }
        if (Running) return;
        // ave one: start again from the latest sample alone.
        for (var k = 0; k < Nrepeat; k++)
        {
            _count[k] = 0;
            System.Array.Clear(_corr[k]);
        }
        _nsample = 1;
        Accumulate();
    }

    /// <summary>Adds every product the latest sample completes: lag k pairs the sample k back (m) with the latest (n).</summary>
    private void Accumulate()
    {
        for (var k = 0; k < _nsample; k++) _count[k]++;
        var n = _lastIndex;
        var m = _lastIndex;
        for (var k = 0; k < _nsample; k++)
        {
            var corr = _corr[k];
            for (var p = 0; p < _pairs.Length; p++) corr[p] += _ring[m][_pairs[p].I] * _ring[n][_pairs[p].J];
            if (--m < 0) m = Nrepeat - 1;
        }
    }

    public void Dispose() => _file?.Dispose();
}
