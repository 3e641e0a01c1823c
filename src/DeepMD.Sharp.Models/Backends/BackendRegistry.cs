namespace DeepMD.Sharp.Models.Backends;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Models.Evaluation;

/// <summary>
/// The backends a program has and their evaluators per descriptor, and the choice among them: the fastest one that
/// supports the model, unless the user forces one with <c>--backend</c> or <c>DPSHARP_BACKEND</c>. Every choice comes
/// with the reason, for logs and <c>dpsharp info</c>.
/// <para>
/// The reference backend registers itself; others are registered explicitly (<c>CpuBackends.Register</c>,
/// <c>GpuBackends.Register</c>), never found by scanning assemblies. <see cref="Default"/> is filled by the umbrella
/// library <c>DeepMD.Sharp</c> when the program has it (one assembly, loaded by name; its
/// <see cref="BackendPluginAttribute"/> names what registers the CPU and GPU backends), so a script that references
/// that library picks backends as <c>dpsharp</c> does. Registration is
/// idempotent: a backend or provider registered again under the same name (and descriptor) replaces the earlier one.
/// The registry also carries services that a backend offers to other rooms without a dependency on them (the GPU
/// backend's device MD loop factory for <c>Simulation</c>).
/// </para>
/// </summary>
public sealed class BackendRegistry
{
    /// <summary>Backend families that exist in this code base, for the message when one is not part of a program.</summary>
    private static readonly Dictionary<string, string> KnownFamilies = new(StringComparer.Ordinal) { ["cpu"] = "CPU", ["gpu"] = "GPU" };

    private readonly object _lock = new();
    private readonly List<BackendInfo> _backends = [];
    private readonly List<IEvaluatorProvider> _providers = [];
    private readonly Dictionary<Type, object> _services = [];

    /// <summary>A registry holding the reference backend.</summary>
    public BackendRegistry()
    {
        Register(new BackendInfo
        {
            Name = "reference",
            Family = "reference",
            DisplayName = "reference",
            Priority = 0,
            Summary = "double-precision oracle: plain managed code that reads like the equations",
            AutomaticNote = null,
            Describe = (_, how) => $"reference: double-precision oracle ({how})",
        });
        Register(new EvaluatorProvider("reference", IEvaluatorProvider.AnyDescriptor, AlwaysSupported, m => new ReferenceBackend(m)));
    }

    /// <summary>The umbrella library whose <see cref="BackendPluginAttribute"/> fills <see cref="Default"/>.</summary>
    public const string ShippedBackendsAssembly = "DeepMD.Sharp";

    /// <summary>
    /// The process-wide registry the <c>dpsharp</c> program, decks and <c>new DeepPotential(model, ...)</c> use: the
    /// reference backend, and the CPU and GPU backends when the program references the <c>DeepMD.Sharp</c> library.
    /// </summary>
    public static BackendRegistry Default { get; } = WithShippedBackends();

    /// <summary>
    /// A new registry with the reference backend and, when the program has the <c>DeepMD.Sharp</c> library, the
    /// backends its <see cref="BackendPluginAttribute"/> registers (how <see cref="Default"/> is made).
    /// </summary>
    public static BackendRegistry WithShippedBackends()
    {
        var registry = new BackendRegistry();
        System.Reflection.Assembly assembly;
        try
        {
            assembly = System.Reflection.Assembly.Load(new System.Reflection.AssemblyName(ShippedBackendsAssembly));
        }
        catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            return registry;  // a program without the umbrella library: the reference backend and what it registers itself
        }
        foreach (var attribute in assembly.GetCustomAttributes(typeof(BackendPluginAttribute), false).Cast<BackendPluginAttribute>())
            ((IBackendPlugin)Activator.CreateInstance(attribute.Plugin)!).Register(registry);
        return registry;
    }

    /// <summary>Whether the model's networks are stored in float32 (descriptor and fitting).</summary>
    public static bool IsFloat32(DeepPotModel model) => model.Descriptor.Precision == "float32" && model.Fitting.Precision == "float32";

    /// <summary>The backends, highest priority first (registration order among equals).</summary>
    public IReadOnlyList<BackendInfo> Backends
    {
        get
        {
            lock (_lock) return _backends.Select((b, k) => (b, k)).OrderByDescending(p => p.b.Priority).ThenBy(p => p.k).Select(p => p.b).ToList();
        }
    }

    /// <summary>The evaluator providers in registration order.</summary>
    public IReadOnlyList<IEvaluatorProvider> Providers
    {
        get
        {
            lock (_lock) return _providers.ToList();
        }
    }

    /// <summary>Names accepted by <see cref="Create"/>: <c>auto</c>, then each backend's aliases and name, lowest priority first.</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            var names = new List<string> { "auto" };
            List<BackendInfo> ordered;
            lock (_lock) ordered = _backends.Select((b, k) => (b, k)).OrderBy(p => p.b.Priority).ThenBy(p => p.k).Select(p => p.b).ToList();
            foreach (var b in ordered) names.AddRange(b.Aliases.Append(b.Name));
            return names;
        }
    }

    /// <summary>Adds a backend, or replaces the one with the same name.</summary>
    public void Register(BackendInfo backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        lock (_lock)
        {
            var k = _backends.FindIndex(b => b.Name == backend.Name);
            if (k >= 0) _backends[k] = backend;
            else _backends.Add(backend);
        }
    }

    /// <summary>Adds an evaluator provider, or replaces the one with the same backend, descriptor and priority.</summary>
    public void Register(IEvaluatorProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        lock (_lock)
        {
            var k = _providers.FindIndex(p => p.Backend == provider.Backend && p.Descriptor == provider.Descriptor && p.Priority == provider.Priority);
            if (k >= 0) _providers[k] = provider;
            else _providers.Add(provider);
        }
    }

    /// <summary>Offers <paramref name="service"/> as the registry's <typeparamref name="T"/> (replacing an earlier one).</summary>
    public void AddService<T>(T service) where T : class
    {
        ArgumentNullException.ThrowIfNull(service);
        lock (_lock) _services[typeof(T)] = service;
    }

    /// <summary>The registered <typeparamref name="T"/>, or null.</summary>
    public T? Service<T>() where T : class
    {
        lock (_lock) return _services.TryGetValue(typeof(T), out var s) ? (T)s : null;
    }

    /// <summary>The backend called <paramref name="name"/> (or with that alias), or null.</summary>
    public BackendInfo? Find(string name)
    {
        lock (_lock) return _backends.FirstOrDefault(b => b.Name == name) ?? _backends.FirstOrDefault(b => b.Aliases.Contains(name));
    }

    /// <summary>
    /// Whether <paramref name="backend"/> has an evaluator for <paramref name="model"/> (hardware aside); if not,
    /// <paramref name="reason"/> says why.
    /// </summary>
    public bool Supports(BackendInfo backend, DeepPotModel model, out string reason) => SupportingProvider(backend, model, out reason) is not null;

    private IEvaluatorProvider? SupportingProvider(BackendInfo backend, DeepPotModel model, out string reason)
    {
        List<IEvaluatorProvider> own;
        lock (_lock) own = _providers.Where(p => p.Backend == backend.Name).ToList();
        var type = model.Descriptor.TypeName;
        var matching = own.Where(p => p.Descriptor == type || p.Descriptor == IEvaluatorProvider.AnyDescriptor)
            .Select((p, k) => (p, k)).OrderByDescending(q => q.p.Priority).ThenBy(q => q.k).Select(q => q.p).ToList();
        if (matching.Count == 0)
        {
            var types = own.Select(p => p.Descriptor).Distinct().ToList();
            reason = types.Count == 0
                ? $"the {backend.DisplayName} backend has no evaluators registered"
                : $"the {backend.DisplayName} backend implements {JoinAnd(types)}; this model's descriptor is {type}";
            return null;
        }
        string? first = null;
        foreach (var p in matching)
        {
            if (p.Supports(model, out var why))
            {
                reason = "";
                return p;
            }
            first ??= why;
        }
        reason = first!;
        return null;
    }

    /// <summary>
    /// Creates the evaluator for <paramref name="model"/>. <paramref name="requested"/> is a name from <see cref="Names"/>
    /// or null, in which case DPSHARP_BACKEND decides, else <c>auto</c>. <paramref name="reason"/> says which backend
    /// runs and why. A backend that is forced but cannot run the model is a <see cref="UserInputException"/> naming
    /// the backends to use instead.
    /// </summary>
    public IModelEvaluator Create(DeepPotModel model, string? requested, out string reason)
    {
        if (model.Linear is { } linear)
        {
            // A composite model (zbl, linear_ener): the DP part on the backend it would get alone, the table here.
            var dp = Create(linear.DpPart, requested, out var dpReason);
            if (linear.Kind == Linear.LinearKind.Zbl && dp is not Evaluation.ICenterWeightedEvaluator)
            {
                dpReason = $"reference (the {dp.Name} backend cannot weight atoms by the zbl switch)";
                (dp as IDisposable)?.Dispose();
                dp = new Evaluation.ReferenceBackend(linear.DpPart);
            }
            reason = $"{dpReason}; {(linear.Kind == Linear.LinearKind.Zbl ? "zbl switch" : $"weights {linear.WeightsText}")} and pair table in managed code";
            return new Linear.LinearEnergyEvaluator(model, dp);
        }
        var env = Environment.GetEnvironmentVariable("DPSHARP_BACKEND");
        var name = (requested ?? (string.IsNullOrWhiteSpace(env) ? "auto" : env)).Trim().ToLowerInvariant();
        var source = requested is not null ? "requested" : string.IsNullOrWhiteSpace(env) ? "automatic" : "DPSHARP_BACKEND";
        if (name == "auto") return CreateAutomatic(model, out reason);
        if (Find(name) is not { } backend)
        {
            var family = name.Split('-')[0];
            if (KnownFamilies.TryGetValue(family, out var display) && !Backends.Any(b => b.Family == family))
                throw new UserInputException($"the {display} backend is not part of this program; use --backend {JoinOr(Backends.Select(b => b.Family).Distinct())}");
            throw new UserInputException($"unknown backend '{name}'; choose one of: {string.Join(", ", Names)}");
        }
        var instead = JoinOr(Backends.Where(b => b.Priority < backend.Priority).Select(b => b.Family).Distinct());
        if (!backend.IsAvailable(out var device))
            throw new UserInputException($"backend '{name}' needs {backend.Requirement}: {device}; use --backend {instead}");
        if (SupportingProvider(backend, model, out var why) is not { } provider)
            throw new UserInputException($"backend '{name}' cannot run this model: {why}; use --backend {instead}");
        var evaluator = provider.Create(model);
        reason = backend.Describe(evaluator, source);
        return evaluator;
    }

    private IModelEvaluator CreateAutomatic(DeepPotModel model, out string reason)
    {
        // A model stored in float32 runs in float32 (as DeePMD-kit runs it), which is also twice as fast.
        var f32 = IsFloat32(model);
        var precision = f32 ? "float32" : "float64";
        var why32 = f32 ? ", float32 because the model is float32" : "";
        string? declined = null;
        foreach (var backend in Backends)
        {
            if (backend.Precision is { } p && p != precision) continue;
            if (!backend.IsAvailable(out _)) continue;
            if (SupportingProvider(backend, model, out var why) is not { } provider)
            {
                declined = why;
                continue;
            }
            var evaluator = provider.Create(model);
            reason = backend.AutomaticNote is { } note
                ? backend.Describe(evaluator, $"automatic: {note}{why32}")
                : $"{backend.Name} (automatic: {declined ?? "no faster backend is part of this program"})";
            return evaluator;
        }
        throw new UserInputException($"no backend of this program can evaluate this model{(declined is null ? "" : $": {declined}")}");
    }

    /// <summary>"a", "a and b", "a, b and c".</summary>
    private static string JoinAnd(IReadOnlyList<string> items) =>
        items.Count <= 1 ? string.Concat(items) : string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1];

    private static string JoinOr(IEnumerable<string> items) => string.Join(" or ", items);

    private static bool AlwaysSupported(DeepPotModel model, out string reason)
    {
        reason = "";
        return true;
    }
}
