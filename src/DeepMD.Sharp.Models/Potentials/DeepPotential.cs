namespace DeepMD.Sharp.Models.Potentials;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Potentials;
using DeepMD.Sharp.Models.Backends;
using DeepMD.Sharp.Models.Evaluation;

/// <summary>
/// <c>pair_style deepmd</c>: binds a <see cref="DeepPotModel"/> to the engine's atom types (the <c>pair_coeff * * O H</c>
/// mapping) and evaluates it with a backend (picked as decks pick it unless an evaluator is given).
/// </summary>
public sealed class DeepPotential : IPotential
{
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

    private int[] _types = [];
    private readonly EvaluationResult _result = new();

    /// <summary>
    /// Evaluates the model on the request's local + ghost atoms and full list (see <see cref="IModelEvaluator"/>): forces
    /// and per-atom virials on every atom, ghosts not folded; per-atom energies of the local atoms. The type and result
    /// buffers are kept, so a steady MD step allocates nothing here.
    /// </summary>
    public void Compute(ForceRequest request, ForceResult result)
    {
        var neighbors = request.Neighbors ?? throw new ArgumentException("pair_style deepmd needs a full neighbor list", nameof(request));
        var n = request.AtomCount;
        if (neighbors.CenterCount != request.LocalCount)
            throw new ArgumentException($"the neighbor list has {neighbors.CenterCount} centers for {request.LocalCount} local atoms", nameof(request));
        if (_types.Length != n) _types = new int[n];
        var types = _types;
        for (var i = 0; i < n; i++) types[i] = _modelTypeOf[request.Types[i]];
        var r = _result;
        Evaluator.Evaluate(types, neighbors, Options, r);
        if (Deviation is { } d && d.IsDue(request.Step)) d.Record(request.Step, r, types, neighbors, Options, request.Ids);
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
}
