namespace DeepMD.Sharp.Models.Coverage;

using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Core.Threading;
using DeepMD.Sharp.Models.Evaluation;

/// <summary>What the guard does when a structure leaves the training coverage (<c>guard warn|stop|off</c>).</summary>
public enum GuardMode
{
    Warn,
    Stop,
    Off,
}

/// <summary>The settings of the extrapolation guard (the <c>guard*</c> keywords of <c>pair_style deepmd</c>).</summary>
public sealed record GuardSettings
{
    /// <summary>Default <see cref="DistanceMargin"/>, Å.</summary>
    public const double DefaultDistanceMargin = 0.05;

    /// <summary>Default <see cref="DescriptorMargin"/>, as a fraction of each component's training range.</summary>
    public const double DefaultDescriptorMargin = 0.25;

    public GuardMode Mode { get; init; } = GuardMode.Warn;

    /// <summary>A pair is flagged when closer than the training minimum of its types minus this, Å (<c>guard_margin</c>).</summary>
    public double DistanceMargin { get; init; } = DefaultDistanceMargin;

    /// <summary>
    /// A descriptor component is flagged when outside its training range widened by this fraction of the range's width
    /// on each side (<c>guard_desc_margin</c>).
    /// </summary>
    public double DescriptorMargin { get; init; } = DefaultDescriptorMargin;

    /// <summary>Default <see cref="VolumeMargin"/>, as a fraction of the training volume per atom.</summary>
    public const double DefaultVolumeMargin = 0.05;

    /// <summary>
    /// A periodic cell that has changed during the run and whose volume per atom, averaged over blocks of
    /// <see cref="VolumeWindow"/> evaluations, is outside the training frames' range widened by this fraction on each
    /// side is flagged (<c>guard_volume_margin</c>); a model's pressure is fitted only over the volumes (and virials) its
    /// data hold.
    /// </summary>
    public double VolumeMargin { get; init; } = DefaultVolumeMargin;

    /// <summary>
    /// Evaluations per block of the volume average (<c>guard_volume_window</c>): the volume of a small box fluctuates by
    /// several percent at constant pressure (64 waters: about 3 % RMS), so single steps are not judged.
    /// </summary>
    public int VolumeWindow { get; init; } = 1000;

    /// <summary>At most one warning per this many steps (<c>guard_every</c>); every event is still counted.</summary>
    public int Every { get; init; } = 100;

    /// <summary>Max force deviation of an ensemble that counts as an event, eV/Å (<c>guard_devi</c>); null: not used.</summary>
    public double? ForceDeviation { get; init; }
}

/// <summary>What the guard found in one structure: the worst pair, the worst descriptor component, the deviation.</summary>
public sealed class GuardFinding
{
    /// <summary>Pairs closer than their limit (each counted from both centers), and the worst of them.</summary>
    public int PairCount { get; set; }

    public int PairI { get; set; } = -1;

    public int PairJ { get; set; } = -1;

    public double PairDistance { get; set; }

    public double PairMinimum { get; set; }

    /// <summary>Atoms with a descriptor component outside its widened range, and the worst component.</summary>
    public int DescriptorCount { get; set; }

    public DescriptorExcursion? Descriptor { get; set; }

    /// <summary>The ensemble's max force deviation when it is over <see cref="GuardSettings.ForceDeviation"/>, else null.</summary>
    public double? ForceDeviation { get; set; }

    public int DeviationAtom { get; set; } = -1;

    /// <summary>The cell's volume per atom when it is outside the widened training range, Å³, else null.</summary>
    public double? VolumePerAtom { get; set; }

    public bool Any => PairCount > 0 || DescriptorCount > 0 || ForceDeviation is not null || VolumePerAtom is not null;

    public void Clear()
    {
        PairCount = DescriptorCount = 0;
        PairI = PairJ = DeviationAtom = -1;
        Descriptor = null;
        ForceDeviation = null;
        VolumePerAtom = null;
    }
}

/// <summary>
/// The extrapolation guard: compares each evaluated structure with what the model's training data covered
/// (<see cref="TrainingCoverage"/>): pairs closer than the smallest distance of their types in the data (from the neighbor
/// list the evaluation uses anyway), descriptor components outside their training range (checked inside the backend
/// through a <see cref="DescriptorWatch"/>), and, for an ensemble, a max force deviation over a chosen value.
/// A model without coverage is checked against what it stores (DeePMD-kit's <c>min_nbor_dist</c>, one minimum for all
/// pairs), and <see cref="Limitations"/> says so.
/// </summary>
public sealed class ExtrapolationGuard
{
    private readonly DeepPotModel _model;
    private readonly double[] _limit2;  // per model type pair: (training minimum − margin)², −1: not checked
    private readonly double[] _minimum; // per model type pair: the training minimum, Å
    private readonly double _maxLimit2;
    private long _lastWarnStep = long.MinValue;

    public ExtrapolationGuard(DeepPotModel model, GuardSettings settings)
    {
        _model = model;
        Settings = settings;
        var nt = model.TypeMap.Count;
        _limit2 = new double[nt * nt];
        _minimum = new double[nt * nt];
        Array.Fill(_limit2, -1);
        var notes = new List<string>();
        var cov = model.Coverage;
        for (var a = 0; a < nt; a++)
            for (var b = 0; b < nt; b++)
            {
                var dmin = cov is not null ? cov.PairMinDistance[a, b] : model.MinNeighborDistance ?? -1;
                if (dmin < 0) continue;
                _minimum[a * nt + b] = dmin;
                var limit = dmin - settings.DistanceMargin;
                if (limit > 0) _limit2[a * nt + b] = limit * limit;
            }
        _maxLimit2 = _limit2.Max();
        if (cov is null)
            notes.Add(model.MinNeighborDistance is { } d
                ? string.Create(CultureInfo.InvariantCulture, $"the model stores no training coverage, only min_nbor_dist = {d:0.###} Å: the guard checks that one minimum for every pair and no descriptor ranges (add coverage with 'dpsharp coverage')")
                : "the model stores no training coverage and no min_nbor_dist: the guard can check nothing but the force deviation of an ensemble (add coverage with 'dpsharp coverage')");
        else if (!cov.HasDescriptorRanges)
            notes.Add("the model's coverage has pair distances but no descriptor ranges: descriptors are not checked");
        if (cov is not null && cov.VolumePerAtom is null)
            notes.Add("the model's coverage records no training cell volumes: the cell volume is not checked (rerun 'dpsharp coverage' to add them)");
        if (cov is { HasDescriptorRanges: true } && settings.Mode != GuardMode.Off)
            Watch = DescriptorWatch.Checker(cov, settings.DescriptorMargin);
        Limitations = notes;
    }

    public GuardSettings Settings { get; }

    /// <summary>What this model lets the guard check and what not (said once, at the start).</summary>
    public IReadOnlyList<string> Limitations { get; }

    /// <summary>The descriptor checker to pass to the evaluator (<see cref="EvaluationOptions.DescriptorWatch"/>), or null.</summary>
    public DescriptorWatch? Watch { get; }

    /// <summary>Whether the guard looks at anything.</summary>
    public bool Active => Settings.Mode != GuardMode.Off;

    /// <summary>Steps (or structures) checked, and those with at least one event.</summary>
    public long Checked { get; private set; }

    public long Events { get; private set; }

    /// <summary>Warnings printed (at most one per <see cref="GuardSettings.Every"/> steps).</summary>
    public long Warnings { get; private set; }

    /// <summary>Structures whose descriptors the backend did not let the guard see (e.g. a GPU backend).</summary>
    public long DescriptorsUnchecked { get; private set; }

    /// <summary>The finding of the last <see cref="Inspect"/> (reused).</summary>
    public GuardFinding Last { get; } = new();

    /// <summary>Clears the descriptor watch before an evaluation.</summary>
    public void BeforeEvaluation() => Watch?.Reset();

    /// <summary>
    /// After an evaluation of <paramref name="types"/> (model types) on <paramref name="list"/>: checks the pair distances
    /// and collects the descriptor watch's result into <see cref="Last"/>; returns whether anything was found.
    /// </summary>
    public bool Inspect(int[] types, NeighborList list, ModelDeviation? deviation = null, int maxDegreeOfParallelism = -1)
    {
        var f = Last;
        f.Clear();
        if (!Active) return false;
        Checked++;
        CheckPairs(types, list, f, maxDegreeOfParallelism);
        if (Watch is { } w)
        {
            if (w.Observed == 0 && list.CenterCount > 0) DescriptorsUnchecked++;
            if (w.Worst is { } worst)
            {
                f.DescriptorCount = w.OutsideCount;
                f.Descriptor = worst;
            }
        }
        if (deviation is not null) CheckDeviation(deviation);
        if (f.Any) Events++;
        return f.Any;
    }

    /// <summary>
    /// For a structure evaluated block by block (<c>DeepPotential</c>'s streamed evaluation): clears the merged finding;
    /// then <see cref="BeforeEvaluation"/> and <see cref="InspectBlock"/> around each block's evaluation, and
    /// <see cref="EndBlocks"/> once, which counts the structure once as <see cref="Inspect"/> would.
    /// </summary>
    public void BeginBlocks()
    {
        _merged.Clear();
        _mergedObserved = 0;
        _mergedTypeI = _mergedTypeJ = 0;
    }

    /// <summary>
    /// Checks one block (its model types and list over local + ghost atoms) and merges what it finds into the
    /// structure's finding, atom indices mapped to the structure's through <paramref name="global"/> (local → structure
    /// index). A pair seen from two blocks is counted from each center, as <see cref="Inspect"/> counts it from both.
    /// </summary>
    public void InspectBlock(int[] types, NeighborList list, int[] global, int maxDegreeOfParallelism = -1)
    {
        if (!Active) return;
        var f = Last;
        f.Clear();
        _blockGlobal = global;
        try
        {
            CheckPairs(types, list, f, maxDegreeOfParallelism);
        }
        finally
        {
            _blockGlobal = null;
        }
        var m = _merged;
        if (f.PairI >= 0)
        {
            // A pair is found from both its atoms; one list reports it first from the lower index, so the merged finding
            // names the lower index first (the limits are symmetric), and of equally bad pairs the lowest.
            var (gi, gj, ti, tj) = (global[f.PairI], global[f.PairJ], _lastTypeI, _lastTypeJ);
            if (gj < gi) (gi, gj, ti, tj) = (gj, gi, tj, ti);
            var deficit = f.PairMinimum - f.PairDistance;
            var held = m.PairMinimum - m.PairDistance;
            if (m.PairI < 0 || deficit > held || deficit == held && (gi, gj).CompareTo((m.PairI, m.PairJ)) < 0)
            {
                (m.PairI, m.PairJ, m.PairDistance, m.PairMinimum) = (gi, gj, f.PairDistance, f.PairMinimum);
                (_mergedTypeI, _mergedTypeJ) = (ti, tj);
            }
        }
        m.PairCount += f.PairCount;
        if (Watch is { } w)
        {
            _mergedObserved += w.Observed;
            if (w.Worst is { } worst)
            {
                m.DescriptorCount += w.OutsideCount;
                var mapped = worst with { Center = global[worst.Center] };
                if (m.Descriptor is not { } prev || mapped.Excess > prev.Excess || mapped.Excess == prev.Excess && mapped.Center < prev.Center)
                    m.Descriptor = mapped;
            }
        }
        f.Clear();
    }

    /// <summary>Ends a block-by-block inspection: the merged finding becomes <see cref="Last"/>; returns whether anything was found.</summary>
    public bool EndBlocks(bool anyCenters)
    {
        var f = Last;
        f.Clear();
        if (!Active) return false;
        Checked++;
        var m = _merged;
        (f.PairCount, f.PairI, f.PairJ, f.PairDistance, f.PairMinimum) = (m.PairCount, m.PairI, m.PairJ, m.PairDistance, m.PairMinimum);
        (_lastTypeI, _lastTypeJ) = (_mergedTypeI, _mergedTypeJ);
        if (Watch is not null && _mergedObserved == 0 && anyCenters) DescriptorsUnchecked++;
        (f.DescriptorCount, f.Descriptor) = (m.DescriptorCount, m.Descriptor);
        if (f.Any) Events++;
        return f.Any;
    }

    private readonly GuardFinding _merged = new();
    private int[]? _blockGlobal;
    private long _mergedObserved;
    private int _mergedTypeI, _mergedTypeJ;

    private double _startVolume = double.NaN;
    private double _volumeSum;
    private int _volumeCount;

    /// <summary>
    /// Checks the cell's volume per atom (<paramref name="volume"/> Å³ over <paramref name="atoms"/> atoms) once the
    /// cell has changed since the first check (a barostat or a deformation at work): averaged over blocks of
    /// <see cref="GuardSettings.VolumeWindow"/> evaluations, against the training frames' range widened by
    /// <see cref="GuardSettings.VolumeMargin"/>. A run in a fixed cell (a cluster or a slab in vacuum, NVT at any density)
    /// is never judged by its volume, as its forces do not depend on it. At the end of a block outside the range, adds to
    /// <see cref="Last"/> (after <see cref="Inspect"/> or <see cref="EndBlocks"/>) and returns true.
    /// </summary>
    public bool CheckVolume(double volume, int atoms)
    {
        if (!Active || atoms <= 0 || _model.Coverage?.VolumePerAtom is not { } range) return false;
        var v = Math.Abs(volume) / atoms;
        if (double.IsNaN(_startVolume)) _startVolume = v;
        if (_volumeCount == 0 && Math.Abs(v - _startVolume) <= 1e-9 * _startVolume) return false;
        _volumeSum += v;
        if (++_volumeCount < Math.Max(1, Settings.VolumeWindow)) return false;
        var mean = _volumeSum / _volumeCount;
        _volumeSum = 0;
        _volumeCount = 0;
        var m = Settings.VolumeMargin;
        if (mean >= range.Min * (1 - m) && mean <= range.Max * (1 + m)) return false;
        var wasAny = Last.Any;
        Last.VolumePerAtom = mean;
        if (!wasAny) Events++;
        return true;
    }

    /// <summary>Adds a model deviation computed after <see cref="Inspect"/> (the ensemble's out_freq steps).</summary>
    public bool CheckDeviation(ModelDeviation d)
    {
        if (Settings.ForceDeviation is not { } limit || !Active || d.MaxForce <= limit) return false;
        var wasAny = Last.Any;
        Last.ForceDeviation = d.MaxForce;
        Last.DeviationAtom = Array.IndexOf(d.PerAtomForce, d.MaxForce);
        if (!wasAny) Events++;
        return true;
    }

    /// <summary>Whether a warning is due at <paramref name="step"/> (rate limit of <see cref="GuardSettings.Every"/>); counts it.</summary>
    public bool WarningDue(long step)
    {
        if (step >= 0 && _lastWarnStep != long.MinValue && step - _lastWarnStep < Settings.Every) return false;
        _lastWarnStep = step;
        Warnings++;
        return true;
    }

    /// <summary>
    /// The finding in words: atoms by <paramref name="ids"/> (1-based ids by atom index; null: index + 1), types by name.
    /// </summary>
    public string Describe(GuardFinding f, int[]? ids)
    {
        var ci = CultureInfo.InvariantCulture;
        var names = _model.TypeMap.Names;
        var parts = new List<string>();
        int Id(int i) => ids is not null && i < ids.Length ? ids[i] : i + 1;
        if (f.PairCount > 0)
        {
            var more = f.PairCount > 1 ? $" ({f.PairCount} such pairs)" : "";
            parts.Add(string.Create(ci,
                $"atoms {Id(f.PairI)} ({names[_lastTypeI]}) and {Id(f.PairJ)} ({names[_lastTypeJ]}) are {f.PairDistance:0.000} Å apart, below the training minimum {f.PairMinimum:0.000} Å for {names[_lastTypeI]}-{names[_lastTypeJ]}{more}"));
        }
        if (f.Descriptor is { } d)
        {
            var more = f.DescriptorCount > 1 ? $" ({f.DescriptorCount} atoms outside)" : "";
            parts.Add(string.Create(ci,
                $"atom {Id(d.Center)} ({names[d.Type]}) descriptor component {d.Component} = {d.Value:G5}, outside the training range [{d.Min:G5}, {d.Max:G5}]{more}"));
        }
        if (f.VolumePerAtom is { } vol && _model.Coverage?.VolumePerAtom is { } range)
        {
            var span = range.Max > range.Min * (1 + 1e-9) ? $"[{range.Min:0.###}, {range.Max:0.###}]" : $"{range.Min:0.###} (one volume)";
            var virial = _model.Coverage.VirialFrames == 0 ? "; the training frames have no virial labels, so the model's pressure was never fitted" : "";
            parts.Add(string.Create(ci,
                $"the cell's volume per atom, {vol:0.###} Å³ on average over the last {Math.Max(1, Settings.VolumeWindow)} evaluations, is outside the training frames' {span} Å³ per atom by more than {100 * Settings.VolumeMargin:0.##}%{virial}: pressure and density are extrapolated"));
        }
        if (f.ForceDeviation is { } fd)
            parts.Add(string.Create(ci, $"max force deviation {fd:G4} eV/Å on atom {Id(f.DeviationAtom)} exceeds guard_devi {Settings.ForceDeviation:G4} eV/Å"));
        return string.Join("; ", parts);
    }

    /// <summary>The first atom to blame in <paramref name="f"/> (index), or −1.</summary>
    public static int BlamedAtom(GuardFinding f) =>
        f.PairI >= 0 ? f.PairI : f.Descriptor?.Center ?? f.DeviationAtom;

    private int _lastTypeI, _lastTypeJ;

    /// <summary>
    /// Pairs closer than their types' limit, in chunks of centers spread over threads and merged in chunk order (the
    /// result does not depend on the schedule). Most entries are farther than the largest limit: those are ruled out
    /// four or eight at a time with vector compares of r², the rest are checked per type pair.
    /// </summary>
    private void CheckPairs(int[] types, NeighborList list, GuardFinding f, int maxDegreeOfParallelism)
    {
        if (_maxLimit2 <= 0) return;
        var chunks = (list.CenterCount + PairChunk - 1) / PairChunk;
        if (_chunks.Length < chunks) _chunks = new ChunkResult[chunks];
        _body ??= new PairBody(this);
        _body.Types = types;
        _body.List = list;
        ParallelLoop.For(chunks, maxDegreeOfParallelism, _body);
        var worst = double.NegativeInfinity;
        for (var c = 0; c < chunks; c++)
        {
            ref var r = ref _chunks[c];
            f.PairCount += r.Count;
            if (!r.Found || r.Deficit <= worst) continue;
            worst = r.Deficit;
            f.PairI = r.I;
            f.PairJ = r.J;
            f.PairDistance = r.R;
            f.PairMinimum = r.Minimum;
            _lastTypeI = types[r.I];
            _lastTypeJ = types[r.J];
        }
        if (f.PairI >= 0 && f.PairCount == 0 && _blockGlobal is null) f.PairCount = 1; // a pair with a ghost seen from one side only
    }

    private const int PairChunk = 256;
    private ChunkResult[] _chunks = [];
    private PairBody? _body;

    private struct ChunkResult
    {
        public int Count, I, J;
        public bool Found;
        public double Deficit, R, Minimum;
    }

    private sealed class PairBody(ExtrapolationGuard guard) : IParallelBody
    {
        public int[] Types = [];
        public NeighborList List = null!;

        public void Invoke(int index, int worker)
        {
            var list = List;
            var types = Types;
            ref var result = ref guard._chunks[index];
            result = new ChunkResult { Deficit = double.NegativeInfinity };
            var offsets = list.Offsets;
            ref var dx0 = ref MemoryMarshal.GetArrayDataReference(list.Dx);
            ref var dy0 = ref MemoryMarshal.GetArrayDataReference(list.Dy);
            ref var dz0 = ref MemoryMarshal.GetArrayDataReference(list.Dz);
            var w = Vector<double>.Count;
            var maxv = new Vector<double>(guard._maxLimit2);
            var end0 = Math.Min(list.CenterCount, (index + 1) * PairChunk);
            for (var i = index * PairChunk; i < end0; i++)
            {
                int e = offsets[i], end = offsets[i + 1];
                for (; e + w <= end; e += w)
                {
                    var vx = Vector.LoadUnsafe(ref dx0, (nuint)e);
                    var vy = Vector.LoadUnsafe(ref dy0, (nuint)e);
                    var vz = Vector.LoadUnsafe(ref dz0, (nuint)e);
                    var r2 = vx * vx + vy * vy + vz * vz;
                    if (Vector.LessThanAny(r2, maxv))
                        for (var k = e; k < e + w; k++) guard.CheckEntry(i, k, types, list, ref result);
                }
                for (; e < end; e++) guard.CheckEntry(i, e, types, list, ref result);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckEntry(int i, int e, int[] types, NeighborList list, ref ChunkResult result)
    {
        double x = list.Dx[e], y = list.Dy[e], z = list.Dz[e];
        var r2 = x * x + y * y + z * z;
        if (r2 >= _maxLimit2) return;
        var j = list.Owner[e];
        var p = types[i] * _model.TypeMap.Count + types[j];
        if (r2 >= _limit2[p]) return;
        // A pair appears in both atoms' rows: count it once (by the structure's indices when inspecting a block).
        if (_blockGlobal is { } g ? g[i] <= g[j] : i <= j) result.Count++;
        var r = Math.Sqrt(r2);
        var deficit = _minimum[p] - r;
        if (deficit <= result.Deficit) return;
        result.Found = true;
        result.Deficit = deficit;
        result.I = i;
        result.J = j;
        result.R = r;
        result.Minimum = _minimum[p];
    }
}
