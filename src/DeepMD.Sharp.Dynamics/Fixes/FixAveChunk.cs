namespace DeepMD.Sharp.Dynamics.Fixes;

using System.Text;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Computes;
using DeepMD.Sharp.IO;

/// <summary>What one fix ave/chunk value sums per chunk.</summary>
public enum AveChunkKind { V, F, DensityNumber, DensityMass, Mass, Temperature, PerAtom }

/// <summary>One value of fix ave/chunk: an atom attribute, or per-atom values (c_ID, c_ID[i], f_ID, v_name) read when sampled.</summary>
public sealed class AveChunkValue
{
    public required string Name { get; init; }

    public required AveChunkKind Kind { get; init; }

    /// <summary>x, y, z (0..2) for <see cref="AveChunkKind.V"/> and <see cref="AveChunkKind.F"/>.</summary>
    public int Component { get; init; }

    /// <summary>Per-atom values in storage order for <see cref="AveChunkKind.PerAtom"/>.</summary>
    public Func<Simulation, int, double>? PerAtom { get; init; }

    /// <summary>Called once per sample before <see cref="PerAtom"/> is read (evaluates the compute or variable).</summary>
    public Action<Simulation>? Prepare { get; init; }
}

/// <summary>How fix ave/chunk normalises (LAMMPS' <c>norm all|sample|none</c>).</summary>
public enum AveChunkNorm { All, Sample, None }

/// <summary>
/// <c>fix ID group ave/chunk Nevery Nrepeat Nfreq chunkID values ... [norm] [ave one|running|window M] [adof] [cdof]
/// [file F] [format F] [title1..3]</c>: LAMMPS' fix ave/chunk. Every Nevery steps of an Nfreq epoch (Nrepeat samples
/// ending on multiples of Nfreq) each value is summed over the group's atoms of each chunk of a compute chunk/atom;
/// temp is Σmv²/((cdof + adof·count)·k), density/number and density/mass divide by the bin volume, the rest by the atom
/// count (norm all: totals over the epoch; sample: per-sample averages; none: no division by count). The result goes to
/// the file in LAMMPS' layout (a header, then per epoch a line "step nchunk total-count" and one line per chunk with
/// the chunk, its coordinates, the count and the values) and is the fix's global array (f_ID[chunk][column]: the
/// coordinates, the count, then the values).
/// </summary>
public sealed class FixAveChunk : Fix, IDisposable
{
    private readonly AveChunkValue[] _values;
    private readonly ComputeChunkAtom _chunks;
    private readonly AveChunkNorm _norm;
    private readonly AverageMode _ave;
    private readonly int _window;
    private readonly double _adof, _cdof;
    private readonly TextWriter? _file;
    private readonly string _prefix, _conversion, _suffix;
    private readonly StringBuilder _line = new(256);
    private long _nvalid, _nvalidLast = -1;
    private int _irepeat, _nchunk, _maxChunk, _iwindow, _normCount;
    private bool _windowFull, _lockForever;
    private double[] _countOne = [], _countMany = [], _countSum = [], _countTotal = [];
    private double[][] _valuesOne = [], _valuesMany = [], _valuesSum = [], _valuesTotal = [];
    private double[][] _countList = [];
    private double[][][] _valuesList = [];
    private bool[] _member = [];
    private readonly (string? Title1, string? Title2, string? Title3) _titles;
    private bool _headerWritten;

    public enum AverageMode { One, Running, Window }

    public FixAveChunk(string id, int nevery, int nrepeat, int nfreq, ComputeChunkAtom chunks, IReadOnlyList<AveChunkValue> values,
        AveChunkNorm norm, AverageMode ave, int window, double adof, double cdof, long currentStep, TextWriter? file, string? format,
        (string? Title1, string? Title2, string? Title3) titles) : base(id)
    {
        if (values.Count == 0) throw new UserInputException("No values in fix ave/chunk command");
        if (nevery <= 0 || nrepeat <= 0 || nfreq <= 0 || nfreq % nevery != 0 || (long)nrepeat * nevery > nfreq)
            throw new UserInputException("Illegal fix ave/chunk command");
        (Nevery, Nrepeat, Nfreq, _chunks, _norm, _ave, _window, _adof, _cdof) =
            (nevery, nrepeat, nfreq, chunks, norm, ave, window, adof, cdof);
        _values = [.. values];
        var m = System.Text.RegularExpressions.Regex.Match(format ?? " %g", @"^([^%]*)(%-?\d*(?:\.\d+)?l?[gefdi])([^%]*)$");
        if (!m.Success) throw new UserInputException($"fix {id} ave/chunk: format '{format}' must hold one conversion such as %g, %20.15g or %.10e");
        (_prefix, _conversion, _suffix) = (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value);
        CFormat.Printf(_conversion, 1.0);
        _file = file;
        _titles = titles;
        _nvalid = NextValid(currentStep);
    }

    public override string Style => "ave/chunk";

    public override bool SupportsGroups => true;

    public int Nevery { get; }

    public int Nrepeat { get; }

    public int Nfreq { get; }

    /// <summary>Rows of the global array (chunks of the last epoch).</summary>
    public int Rows => _nchunk;

    /// <summary>Columns of the global array: chunk id (compress), coordinates, count, values.</summary>
    public int Columns => (_chunks.Compress ? 1 : 0) + _chunks.CoordinateCount + 1 + _values.Length;

    /// <summary>Element (i, j) of the global array, 0-based (LAMMPS' compute_array: 0 past the chunks or before the first epoch).</summary>
    public double ArrayValue(int i, int j)
    {
        if (_valuesTotal.Length == 0 || i >= _nchunk) return 0.0;
        var colextra = (_chunks.Compress ? 1 : 0) + _chunks.CoordinateCount;
        if (j < colextra)
        {
            if (_chunks.Compress)
                return j == 0 ? _chunks.OriginalId(i) : _chunks.Coordinate(_chunks.OriginalId(i) - 1, j - 1);
            return _chunks.Coordinate(i, j);
        }
        j -= colextra + 1;
        if (_normCount == 0) return 0.0;
        return j < 0 ? _countTotal[i] / _normCount : _valuesTotal[i][j] / _normCount;
    }

    private long NextValid(long step)
    {
        var nvalid = step / Nfreq * Nfreq + Nfreq;
        if (nvalid - Nfreq == step && Nrepeat == 1) nvalid = step;
        else nvalid -= (long)(Nrepeat - 1) * Nevery;
        if (nvalid < step) nvalid += Nfreq;
        return nvalid;
    }

    /// <summary>The file's comment lines (LAMMPS writes them when the fix is defined; here at the first run, when the group is known).</summary>
    private void WriteHeader()
    {
        if (_file is null || _headerWritten) return;
        _headerWritten = true;
        var file = _file;
        var titles = _titles;
        var chunks = _chunks;
        file.Write((titles.Title1 ?? $"# Chunk-averaged data for fix {Id} and group {Group.Name}") + "\n");
        file.Write((titles.Title2 ?? "# Timestep Number-of-chunks Total-count") + "\n");
        if (titles.Title3 is { } t3) file.Write(t3 + "\n");
        else
        {
            var head = new StringBuilder("# Chunk");
            if (chunks.Compress) head.Append(" OrigID");
            for (var k = 1; k <= chunks.CoordinateCount; k++) head.Append(" Coord").Append(k);
            head.Append(" Ncount");
            foreach (var v in _values) head.Append(' ').Append(v.Name);
            file.Write(head.Append('\n').ToString());
        }
        file.Flush();
    }

    public override void Init(Simulation sim)
    {
        WriteHeader();
        // A minimization in between: start the epoch afresh (LAMMPS' init).
        if (_nvalid < sim.Step)
        {
            _irepeat = 0;
            _nvalid = NextValid(sim.Step);
        }
        var a = sim.Atoms;
        if (_member.Length != a.Count) _member = new bool[a.Count];
        for (var i = 0; i < a.Count; i++) _member[i] = Group.Contains(a.Id[i]);
    }

    public override void Setup(Simulation sim) => EndOfStep(sim);

    public override void EndOfStep(Simulation sim)
    {
        var step = sim.Step;
        if (step < _nvalidLast || step > _nvalid) throw new UserInputException("Invalid timestep reset for fix ave/chunk");
        if (step != _nvalid) return;
        _nvalidLast = _nvalid;
        var nv = _values.Length;
        if (_irepeat == 0)
        {
            _nchunk = _chunks.SetupChunks(sim);
            Allocate();
            if (Nrepeat > 1 && _ave == AverageMode.One) _chunks.Lock(this, step, step + (long)(Nrepeat - 1) * Nevery);
            else if (_ave != AverageMode.One && !_lockForever)
            {
                _chunks.Lock(this, step, -1);
                _lockForever = true;
            }
            for (var c = 0; c < _nchunk; c++)
            {
                _countMany[c] = _countSum[c] = 0.0;
                Array.Clear(_valuesMany[c]);
            }
        }
        else if (_values.Any(v => v.Kind is AveChunkKind.DensityNumber or AveChunkKind.DensityMass))
        {
            _chunks.SetupChunks(sim);
        }
        for (var c = 0; c < _nchunk; c++)
        {
            _countOne[c] = 0.0;
            Array.Clear(_valuesOne[c]);
        }
        var ichunk = _chunks.ComputeIChunk(sim);
        var a = sim.Atoms;
        var n = a.Count;
        for (var i = 0; i < n; i++)
            if (_member[i] && ichunk[i] > 0) _countOne[ichunk[i] - 1]++;
        for (var k = 0; k < nv; k++)
        {
            var v = _values[k];
            v.Prepare?.Invoke(sim);
            for (var i = 0; i < n; i++)
            {
                if (!_member[i] || ichunk[i] <= 0) continue;
                var c = ichunk[i] - 1;
                _valuesOne[c][k] += v.Kind switch
                {
                    AveChunkKind.V => v.Component == 0 ? a.Vx[i] : v.Component == 1 ? a.Vy[i] : a.Vz[i],
                    AveChunkKind.F => v.Component == 0 ? a.Fx[i] : v.Component == 1 ? a.Fy[i] : a.Fz[i],
                    AveChunkKind.DensityNumber => 1.0,
                    AveChunkKind.DensityMass or AveChunkKind.Mass => sim.Masses[a.Type[i]],
                    AveChunkKind.Temperature => (a.Vx[i] * a.Vx[i] + a.Vy[i] * a.Vy[i] + a.Vz[i] * a.Vz[i]) * sim.Masses[a.Type[i]],
                    _ => v.PerAtom!(sim, i),
                };
            }
        }
        var u = sim.Units;
        if (_norm == AveChunkNorm.All)
        {
            for (var c = 0; c < _nchunk; c++)
            {
                _countMany[c] += _countOne[c];
                for (var k = 0; k < nv; k++) _valuesMany[c][k] += _valuesOne[c][k];
            }
        }
        else
        {
            var volume = _chunks.ChunkVolume;
            for (var c = 0; c < _nchunk; c++)
            {
                _countMany[c] = _countOne[c];
                if (_countMany[c] > 0.0)
                    for (var k = 0; k < nv; k++)
                    {
                        var kind = _values[k].Kind;
                        if (kind == AveChunkKind.Temperature)
                            _valuesMany[c][k] += u.Mvv2e * _valuesOne[c][k] / ((_cdof + _adof * _countMany[c]) * u.Boltz);
                        else if (kind == AveChunkKind.DensityNumber)
                        {
                            _valuesOne[c][k] /= volume;
                            _valuesMany[c][k] += _valuesOne[c][k];
                        }
                        else if (kind == AveChunkKind.DensityMass)
                        {
                            _valuesOne[c][k] /= volume;
                            _valuesMany[c][k] += u.Mv2d * _valuesOne[c][k];
                        }
                        else if (_norm == AveChunkNorm.None) _valuesMany[c][k] += _valuesOne[c][k];
                        else _valuesMany[c][k] += _valuesOne[c][k] / _countMany[c];
                    }
                _countSum[c] += _countMany[c];
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
        if (Nrepeat > 1 && _ave == AverageMode.One) _chunks.Unlock(this);

        double repeat = Nrepeat;
        if (_norm == AveChunkNorm.All)
        {
            var volume = _chunks.ChunkVolume;
            for (var c = 0; c < _nchunk; c++)
            {
                _countSum[c] = _countMany[c];
                Array.Copy(_valuesMany[c], _valuesSum[c], nv);
                if (_countSum[c] > 0.0)
                    for (var k = 0; k < nv; k++)
                    {
                        var kind = _values[k].Kind;
                        if (kind == AveChunkKind.Temperature)
                            _valuesSum[c][k] *= u.Mvv2e / ((repeat * _cdof + _adof * _countSum[c]) * u.Boltz);
                        else if (kind == AveChunkKind.DensityNumber)
                        {
                            _valuesSum[c][k] /= volume;
                            _valuesSum[c][k] /= repeat;
                        }
                        else if (kind == AveChunkKind.DensityMass)
                        {
                            _valuesSum[c][k] /= volume;
                            _valuesSum[c][k] *= u.Mv2d / repeat;
                        }
                        else _valuesSum[c][k] /= _countSum[c];
                    }
                _countSum[c] /= repeat;
            }
        }
        else
        {
            for (var c = 0; c < _nchunk; c++)
            {
                Array.Copy(_valuesMany[c], _valuesSum[c], nv);
                for (var k = 0; k < nv; k++) _valuesSum[c][k] /= repeat;
                _countSum[c] /= repeat;
            }
        }

        switch (_ave)
        {
            case AverageMode.One:
                for (var c = 0; c < _nchunk; c++)
                {
                    Array.Copy(_valuesSum[c], _valuesTotal[c], nv);
                    _countTotal[c] = _countSum[c];
                }
                _normCount = 1;
                break;
            case AverageMode.Running:
                for (var c = 0; c < _nchunk; c++)
                {
                    for (var k = 0; k < nv; k++) _valuesTotal[c][k] += _valuesSum[c][k];
                    _countTotal[c] += _countSum[c];
                }
                _normCount++;
                break;
            default:
                for (var c = 0; c < _nchunk; c++)
                {
                    for (var k = 0; k < nv; k++)
                    {
                        _valuesTotal[c][k] += _valuesSum[c][k];
                        if (_windowFull) _valuesTotal[c][k] -= _valuesList[_iwindow][c][k];
                        _valuesList[_iwindow][c][k] = _valuesSum[c][k];
                    }
                    _countTotal[c] += _countSum[c];
                    if (_windowFull) _countTotal[c] -= _countList[_iwindow][c];
                    _countList[_iwindow][c] = _countSum[c];
                }
                _iwindow++;
                if (_iwindow == _window)
                {
                    _iwindow = 0;
                    _windowFull = true;
                }
                _normCount = _windowFull ? _window : _iwindow;
                break;
        }
        Write(step);
    }

    private void Write(long step)
    {
        if (_file is null) return;
        double count = 0;
        for (var c = 0; c < _nchunk; c++) count += _countTotal[c];
        _line.Clear();
        _line.Append(step).Append(' ').Append(_nchunk).Append(' ').Append(CFormat.Printf("%g", count)).Append('\n');
        var ncoord = _chunks.CoordinateCount;
        for (var c = 0; c < _nchunk; c++)
        {
            _line.Append("  ").Append(c + 1);
            var bin = c;
            if (_chunks.Compress)
            {
                bin = _chunks.OriginalId(c) - 1;
                _line.Append(' ').Append(bin + 1);
            }
            for (var k = 0; k < ncoord; k++) _line.Append(' ').Append(CFormat.Printf("%g", _chunks.Coordinate(bin, k)));
            _line.Append(' ').Append(CFormat.Printf("%g", _countTotal[c] / _normCount));
            for (var k = 0; k < _values.Length; k++)
                _line.Append(_prefix).Append(CFormat.Printf(_conversion, _valuesTotal[c][k] / _normCount)).Append(_suffix);
            _line.Append('\n');
        }
        _file.Write(_line.ToString());
        _file.Flush();
    }

    private void Allocate()
    {
        if (_nchunk <= _maxChunk) return;
        _maxChunk = _nchunk;
        var nv = _values.Length;
        static double[][] New(int rows, int cols) => Enumerable.Range(0, rows).Select(_ => new double[cols]).ToArray();
        _countOne = new double[_nchunk];
        _countMany = new double[_nchunk];
        _countSum = new double[_nchunk];
        _countTotal = new double[_nchunk];
        _valuesOne = New(_nchunk, nv);
        _valuesMany = New(_nchunk, nv);
        _valuesSum = New(_nchunk, nv);
        _valuesTotal = New(_nchunk, nv);
        if (_ave == AverageMode.Window)
        {
            _countList = New(_window, _nchunk);
            _valuesList = Enumerable.Range(0, _window).Select(_ => New(_nchunk, nv)).ToArray();
        }
    }

    public void Dispose() => _file?.Dispose();
}
