namespace DeepMD.Sharp.Models.Potentials;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Core.Potentials;
using DeepMD.Sharp.Models.Backends;
using DeepMD.Sharp.Models.Coverage;
using DeepMD.Sharp.Models.Evaluation;

/// <summary>
/// <c>pair_style deepmd</c>: binds a <see cref="DeepPotModel"/> to the engine's atom types (the <c>pair_coeff * * O H</c>
/// mapping) and evaluates it with a backend (picked as decks pick it unless an evaluator is given).
/// </summary>
public sealed class DeepPotential : IPotential, IDeviationEnsemble
{
    /// <inheritdoc />
    public bool FillsAtomVirial => true;

    private readonly int[] _modelTypeOf;

    /// <summary>
    /// <paramref name="elementOfEngineType"/>[t] is the element name of engine type t (0-based), matched to the
    /// model's type map by name. The backend is picked as <c>pair_style deepmd</c> picks it in a deck: from
    /// <see cref="BackendRegistry.Default"/> (the CPU and GPU backends when the program references the
    /// <c>DeepMD.Sharp</c> library), <c>DPSHARP_BACKEND</c> if set, else the fastest that supports the model; one line
    /// naming it (precision, vector width, threads) goes to <paramref name="log"/> (standard output when null;
    /// <see cref="TextWriter.Null"/> for none). Pass an evaluator (e.g. <c>new ReferenceBackend(model)</c>) to choose.
    /// </summary>
    public DeepPotential(DeepPotModel model, IReadOnlyList<string> elementOfEngineType, EvaluationOptions? options = null, TextWriter? log = null)
        : this(BackendRegistry.Default.Create(model, null, out var reason), elementOfEngineType, options)
    {
        Backend = reason;
        (log ?? Console.Out).WriteLine(BackendLine(model.Source is { } source ? Path.GetFileName(source) : "model", model, reason));
    }

    /// <summary>The log line naming the model and its backend, as decks and the API print it.</summary>
    public static string BackendLine(string modelName, DeepPotModel model, string backend) =>
        $"deepmd: {modelName} ({model.Descriptor.TypeName}, rcut {model.Cutoff.ToString(System.Globalization.CultureInfo.InvariantCulture)} Å), backend {backend}";

    /// <summary>Which backend evaluates and why, when this potential picked it (null when given an evaluator).</summary>
    public string? Backend { get; }

    /// <summary>As above, evaluating with the given backend.</summary>
    public DeepPotential(IModelEvaluator evaluator, IReadOnlyList<string> elementOfEngineType, EvaluationOptions? options = null)
    {
        Evaluator = evaluator;
        var model = evaluator.Model;
        Model = model;
        Options = options ?? new EvaluationOptions();
        _modelTypeOf = new int[elementOfEngineType.Count];
        for (var t = 0; t < elementOfEngineType.Count; t++)
        {
            var m = model.TypeMap.IndexOf(elementOfEngineType[t]);
            if (m < 0)
                throw new UserInputException(
                    $"atom type {t + 1} is '{elementOfEngineType[t]}', which is not in the model's type map [{model.TypeMap}]", model.Source);
            _modelTypeOf[t] = m;
        }
    }

    public DeepPotModel Model { get; }

    /// <summary>The model type (index in the model's type map) of engine atom type <paramref name="engineType"/> (0-based).</summary>
    public int ModelTypeOf(int engineType) => _modelTypeOf[engineType];

    /// <summary>The backend doing the arithmetic.</summary>
    public IModelEvaluator Evaluator { get; }

    public EvaluationOptions Options { get; }

    public string Name => "deepmd";

    /// <summary>The model deviation file of an ensemble (<c>out_freq</c>/<c>out_file</c>), or null for one model.</summary>
    public ModelDeviationLog? Deviation
    {
        get => _deviation;
        init
        {
            _deviation = value;
            _cutoff = value is null ? Model.Cutoff : Math.Max(Model.Cutoff, value.Others.Max(e => e.Model.Cutoff));
        }
    }

    private readonly ModelDeviationLog? _deviation;
    private readonly double _cutoff;

    /// <summary>The first model's cutoff, or the largest of the ensemble when deviations are logged.</summary>
    public double Cutoff => _deviation is null ? Model.Cutoff : _cutoff; // worked out once (the MD loop asks at every rebuild)

    /// <summary>
    /// The extrapolation guard (<c>guard</c> keywords), or null: after each evaluation it compares the structure with
    /// the model's training coverage and warns (at most once per <see cref="GuardSettings.Every"/> steps) or stops.
    /// </summary>
    public ExtrapolationGuard? Guard
    {
        get => _guard;
        init
        {
            _guard = value;
            _guardOptions = value?.Watch is { } w ? Options with { DescriptorWatch = w } : Options;
        }
    }

    private readonly ExtrapolationGuard? _guard;
    private readonly EvaluationOptions? _guardOptions;

    /// <summary>Where guard warnings go (the deck's screen and log); null: nowhere (they are still counted).</summary>
    public Action<string>? Warn { get; set; }

    private int[] _types = [];
    private readonly EvaluationResult _result = new();

    /// <summary>
    /// Set during a decomposed run: <see cref="Compute"/> leaves the deviation file to the caller, which folds each
    /// model's ghost forces onto their owners over the ranks first (<see cref="EvaluateEnsemble"/>).
    /// </summary>
    public bool DeferDeviation { get; set; }

    /// <inheritdoc />
    public bool LogsDeviation => _deviation is not null;

    /// <inheritdoc />
    public bool DeviationDue(long step) => _deviation is { } d && d.IsDue(step);

    /// <inheritdoc />
    public bool DeviationAtomic => _deviation?.Atomic ?? false;

    /// <inheritdoc />
    public string? DecomposedLimitation =>
        _guard is { Active: true } g && g.Settings.ForceDeviation is not null ? "the extrapolation guard's force deviation limit (guard_devi)" : null;

    /// <inheritdoc />
    public IReadOnlyList<(double[] Forces, double[] Virial, double Energy)> EvaluateEnsemble(NeighborList neighbors)
    {
        var log = _deviation ?? throw new InvalidOperationException("one model: no ensemble to evaluate");
        var results = new List<(double[], double[], double)>(log.Others.Count + 1) { (_result.Forces, _result.Virial, _result.Energy) };
        foreach (var r in log.EvaluateOthers(_types, neighbors, Options)) results.Add((r.Forces, r.Virial, r.Energy));
        return results;
    }

    /// <inheritdoc />
    public void PerAtomDeviation(IReadOnlyList<double[]> forces, int atoms, Span<double> into) =>
        ModelDeviation.PerAtomForces(forces, atoms, _deviation?.RelativeForce, into);

    /// <inheritdoc />
    public void WriteDeviation(long step, int atoms, double maxForce, double minForce, double avgForce, IReadOnlyList<double[]> virials, IReadOnlyList<double> energies, double[]? atomicById)
    {
        var log = _deviation ?? throw new InvalidOperationException("one model: no deviation to write");
        var (maxV, minV, avgV) = ModelDeviation.VirialColumns(virials, atoms, log.RelativeVirial);
        double me = 0, se = 0;
        foreach (var e in energies) me += e / atoms;
        me /= energies.Count;
        foreach (var e in energies) se += (e / atoms - me) * (e / atoms - me);
        log.Write(step, ModelDeviation.FromColumns(maxV, minV, avgV, maxForce, minForce, avgForce, Math.Sqrt(se / energies.Count), atomicById ?? []), atomicById);
    }

    /// <summary>
    /// Evaluates the model on the request's local + ghost atoms and full list (see <see cref="IModelEvaluator"/>): forces
    /// and per-atom virials on every atom, ghosts not folded; per-atom energies of the local atoms. The type and result
    /// buffers are kept, so a steady MD step allocates nothing here.
    /// </summary>
    public void Compute(ForceRequest request, ForceResult result)
    {
        if (request.Neighbors is null && CanStream(request.Box, request.AtomCount) && request.LocalCount == request.AtomCount)
        {
            ComputeStreamed(request, result);
            return;
        }
        var neighbors = request.Neighbors ?? throw new ArgumentException(
            "pair_style deepmd needs a full neighbor list here (a request without one is evaluated block by block only in a box periodic in a, b and c " +
            "with 3 cutoffs between opposite faces; a box that shrank below that during the run needs DPSHARP_STREAM=0)", nameof(request));
        var n = request.AtomCount;
        if (neighbors.CenterCount != request.LocalCount)
            throw new ArgumentException($"the neighbor list has {neighbors.CenterCount} centers for {request.LocalCount} local atoms", nameof(request));
        if (_types.Length != n) _types = new int[n];
        var types = _types;
        for (var i = 0; i < n; i++) types[i] = _modelTypeOf[request.Types[i]];
        var r = _result;
        var guard = _guard is { Active: true } g ? g : null;
        guard?.BeforeEvaluation();
        Evaluator.Evaluate(types, neighbors, guard is null ? Options : _guardOptions!, r);
        guard?.Inspect(types, neighbors, maxDegreeOfParallelism: Options.MaxDegreeOfParallelism());
        if (guard is not null && request.Box is { } cell && request.LocalCount == request.AtomCount) guard.CheckVolume(cell.Volume, request.LocalCount);
        if (Deviation is { } d && !DeferDeviation && d.IsDue(request.Step))
        {
            var deviation = d.Record(request.Step, r, types, neighbors, Options, request.Ids);
            guard?.CheckDeviation(deviation);
        }
        if (guard is not null) React(guard, request);
        result.Resize(n);
        result.Energy = r.Energy;
        var f = r.Forces;
        double[] fx = result.Fx, fy = result.Fy, fz = result.Fz;
        for (var i = 0; i < n; i++)
        {
            fx[i] = f[3 * i];
            fy[i] = f[3 * i + 1];
            fz[i] = f[3 * i + 2];
        }
        r.Virial.CopyTo(result.Virial, 0);
        if (!request.PerAtom) return;
        r.AtomEnergy.CopyTo(result.AtomEnergy, 0);
        r.AtomVirial.CopyTo(result.AtomVirial, 0);
    }

    /// <summary>
    /// Atoms per block of a streamed evaluation (<see cref="CanStream"/>): large enough that a block keeps every thread
    /// busy and its ghost shell (6 Å around a ~50 Å cube of water: about as many ghosts as centers) stays a small part
    /// of the work, small enough that the block's list and scratch (~10 KB per atom in float32) stay far below the
    /// system's atom arrays.
    /// </summary>
    public int StreamBlockAtoms { get; set; } = 16384;

    /// <summary>
    /// Whether <see cref="Compute"/> can evaluate a request without a neighbor list (<see cref="ForceRequest.Neighbors"/>
    /// null) for <paramref name="atoms"/> atoms, all local, in <paramref name="box"/>: one model (no deviation log), a
    /// box periodic in a, b and c with at least 3 cutoffs between opposite faces (<see cref="BlockNeighborSearch.Supports"/>).
    /// It then lists and evaluates the system block by block (<see cref="ComputeStreamed"/>), so memory grows with the
    /// atoms and one block's entries instead of with every atom's entries.
    /// </summary>
    /// <remarks>Not with a GPU evaluator: blocks of 16k atoms would leave a device mostly idle (not measured; such runs keep
    /// the stored list, or the device loop).</remarks>
    public bool CanStream(Core.Geometry.Box? box, int atoms) =>
        _deviation is null && atoms > 0 && !Evaluator.Name.StartsWith("gpu", StringComparison.Ordinal) && BlockNeighborSearch.Supports(box, Model.Cutoff);

    private BlockNeighborSearch? _blocks;
    private readonly Dictionary<int, (int[] Types, EvaluationResult Result)> _blockBuffers = [];

    /// <summary>Bytes held between steps by the streamed evaluation's bins and block buffers (not the evaluator's per-thread scratch).</summary>
    public long StreamBytesHeld =>
        (_blocks?.BytesHeld ?? 0) + 4L * _types.Length
        + _blockBuffers.Values.Sum(b => 4L * b.Types.Length + 8L * (b.Result.Forces.Length + b.Result.AtomVirial.Length + b.Result.AtomEnergy.Length));

    /// <summary>
    /// The streamed evaluation: atoms binned into cells of the model's cutoff, cells grouped into blocks of about
    /// <see cref="StreamBlockAtoms"/> atoms; block by block, in a fixed order, the block's full list (its atoms as
    /// centers, the atoms around them as ghosts) is built, evaluated through the ghost-atom contract, and its forces,
    /// per-atom energies and virials folded onto the system's atoms. Energy and virial are the sums of the blocks' in
    /// block order, so the result does not depend on the thread count; it equals the one-list evaluation up to the
    /// order of the floating-point sums (the same pairs and environments).
    /// </summary>
    private void ComputeStreamed(ForceRequest request, ForceResult result)
    {
        var n = request.AtomCount;
        var box = request.Box!;
        if (_types.Length != n) _types = new int[n];
        var types = _types;
        for (var i = 0; i < n; i++) types[i] = _modelTypeOf[request.Types[i]];
        var blocks = _blocks ??= new BlockNeighborSearch();
        blocks.Bin(request.X, request.Y, request.Z, n, box, Model.Cutoff, StreamBlockAtoms);
        var perAtom = request.PerAtom;
        result.Resize(n, perAtom);
        double[] fx = result.Fx, fy = result.Fy, fz = result.Fz;
        var guard = _guard is { Active: true } g ? g : null;
        guard?.BeginBlocks();
        var options = guard is null ? Options : _guardOptions!;
        double energy = 0;
        var virial = result.Virial;
        for (var b = 0; b < blocks.BlockCount; b++)
        {
            var list = blocks.BuildBlock(b);
            var global = blocks.Global;
            var nall = global.Length;
            if (list.CenterCount == 0) continue;
            // Block arrays by size rounded up to 2048 atoms (the extra atoms are ghosts no entry names: zero forces), so a
            // few sizes serve every block and a step allocates nothing once they exist.
            var size = (nall + 2047) / 2048 * 2048;
            if (!_blockBuffers.TryGetValue(size, out var buffers))
                _blockBuffers[size] = buffers = (new int[size], new EvaluationResult());
            var bt = buffers.Types;
            for (var k = 0; k < nall; k++) bt[k] = types[global[k]];
            Array.Clear(bt, nall, size - nall);
            var r = buffers.Result;
            guard?.BeforeEvaluation();
            Evaluator.Evaluate(bt, list, options, r);
            guard?.InspectBlock(bt, list, blocks.GlobalArray, Options.MaxDegreeOfParallelism());
            energy += r.Energy;
            for (var c = 0; c < 9; c++) virial[c] += r.Virial[c];
            var f = r.Forces;
            for (var k = 0; k < nall; k++)
            {
                var i = global[k];
                fx[i] += f[3 * k];
                fy[i] += f[3 * k + 1];
                fz[i] += f[3 * k + 2];
            }
            if (!perAtom) continue;
            var av = r.AtomVirial;
            var ae = r.AtomEnergy;
            var atomVirial = result.AtomVirial;
            for (var k = 0; k < nall; k++)
            {
                var i = global[k];
                if (k < list.CenterCount) result.AtomEnergy[i] += ae[k];
                for (var c = 0; c < 9; c++) atomVirial[9 * i + c] += av[9 * k + c];
            }
        }
        result.Energy = energy;
        if (guard is not null)
        {
            guard.EndBlocks(n > 0);
            if (request.Box is { } cell) guard.CheckVolume(cell.Volume, n);
            React(guard, request);
        }
    }

    private bool _saidUnchecked;

    /// <summary>What the guard's finding leads to: a warning (rate-limited), or a stop with the reason.</summary>
    private void React(ExtrapolationGuard guard, ForceRequest request)
    {
        if (!_saidUnchecked && guard.DescriptorsUnchecked > 0)
        {
            _saidUnchecked = true;
            Warn?.Invoke($"WARNING: extrapolation guard: backend {Evaluator.Name} does not show descriptors to the guard; descriptor ranges are not checked (pair distances are)");
        }
        var f = guard.Last;
        if (!f.Any) return;
        var step = request.Step;
        var where = step >= 0 ? $"step {step}" : "evaluation";
        var what = guard.Describe(f, request.Ids);
        var blamed = ExtrapolationGuard.BlamedAtom(f);
        var id = blamed < 0 ? 0 : request.Ids is { } ids && blamed < ids.Length ? ids[blamed] : blamed + 1;
        if (guard.Settings.Mode == GuardMode.Stop)
            throw new PotentialGuardException(
                $"extrapolation guard (guard stop) at {where}: {what}. The structure has left what the model was trained on; " +
                "use 'guard warn' to go on anyway or 'guard off' to disable the guard", step, id);
        if (guard.WarningDue(step)) Warn?.Invoke($"WARNING: extrapolation guard at {where}: {what}");
    }
}
