namespace DeepMD.Sharp.Input;

using System.Reflection;
using DeepMD.Sharp.Input.Styles;

/// <summary>
/// Commands, pair styles and fix styles by name. Registration is explicit and open: the built-in ones are listed in
/// <see cref="BuiltInStyles"/>, and any assembly (a plugin, a user's C# script) adds its own with
/// <see cref="RegisterCommand{T}()"/>, <see cref="RegisterPairStyle{T}()"/>, <see cref="RegisterFixStyle{T}()"/> (names
/// from the class's <see cref="DeckCommandAttribute"/>, <see cref="PairStyleAttribute"/>, <see cref="FixStyleAttribute"/>)
/// or with an explicit name and factory. No assembly is scanned. A name registered again replaces the earlier entry.
/// </summary>
public sealed class StyleRegistry
{
    private readonly object _lock = new();
    private readonly Dictionary<string, Entry<IDeckCommand>> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Entry<IPairStyle>> _pairStyles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Entry<IFixStyle>> _fixStyles = new(StringComparer.Ordinal);

    /// <summary>The registry decks use unless their <see cref="DeckContext.Styles"/> is set: the built-in styles plus whatever was registered into it.</summary>
    public static StyleRegistry Default { get; } = WithBuiltIns();

    /// <summary>A new registry holding the built-in commands and styles (<see cref="BuiltInStyles"/>).</summary>
    public static StyleRegistry WithBuiltIns()
    {
        var r = new StyleRegistry();
        BuiltInStyles.Register(r);
        return r;
    }

    /// <summary>A registered command or style: its factory and where it comes from (the defining assembly).</summary>
    private sealed record Entry<T>(Func<T> Create, string Origin);

    public IEnumerable<string> CommandNames => Names(_commands);

    public IEnumerable<string> PairStyleNames => Names(_pairStyles);

    public IEnumerable<string> FixStyleNames => Names(_fixStyles);

    public IDeckCommand? CreateCommand(string name) => Find(_commands, name)?.Create();

    public IPairStyle? CreatePairStyle(string name) => Find(_pairStyles, name)?.Create();

    public IFixStyle? CreateFixStyle(string name) => Find(_fixStyles, name)?.Create();

    /// <summary>The assembly that defines a registered command or style (for listings), or null when it is unknown.</summary>
    public string? Origin(StyleKind kind, string name) => kind switch
    {
        StyleKind.Command => Find(_commands, name)?.Origin,
        StyleKind.PairStyle => Find(_pairStyles, name)?.Origin,
        _ => Find(_fixStyles, name)?.Origin,
    };

    /// <summary>Registers <typeparamref name="T"/> under each name of its <see cref="DeckCommandAttribute"/>s.</summary>
    public void RegisterCommand<T>() where T : class, IDeckCommand, new() =>
        RegisterAll<DeckCommandAttribute, T>(a => a.Name, (n, f) => Add(_commands, n, f, typeof(T)), static () => new T());

    /// <summary>Registers <typeparamref name="T"/> under each name of its <see cref="PairStyleAttribute"/>s.</summary>
    public void RegisterPairStyle<T>() where T : class, IPairStyle, new() =>
        RegisterAll<PairStyleAttribute, T>(a => a.Name, (n, f) => Add(_pairStyles, n, f, typeof(T)), static () => new T());

    /// <summary>Registers <typeparamref name="T"/> under each name of its <see cref="FixStyleAttribute"/>s.</summary>
    public void RegisterFixStyle<T>() where T : class, IFixStyle, new() =>
        RegisterAll<FixStyleAttribute, T>(a => a.Name, (n, f) => Add(_fixStyles, n, f, typeof(T)), static () => new T());

    /// <summary>Registers the deck command <paramref name="name"/>; <paramref name="create"/> makes one per use.</summary>
    public void RegisterCommand(string name, Func<IDeckCommand> create) => Add(_commands, name, create, create.Method.DeclaringType);

    /// <summary>Registers the pair style <paramref name="name"/>; <paramref name="create"/> makes one per <c>pair_style</c>.</summary>
    public void RegisterPairStyle(string name, Func<IPairStyle> create) => Add(_pairStyles, name, create, create.Method.DeclaringType);

    /// <summary>Registers the fix style <paramref name="name"/>; <paramref name="create"/> makes one per <c>fix</c>.</summary>
    public void RegisterFixStyle(string name, Func<IFixStyle> create) => Add(_fixStyles, name, create, create.Method.DeclaringType);

    private static void RegisterAll<TAttr, T>(Func<TAttr, string> name, Action<string, Func<T>> add, Func<T> create) where TAttr : Attribute
    {
        var names = typeof(T).GetCustomAttributes<TAttr>().Select(name).ToList();
        if (names.Count == 0)
            throw new ArgumentException($"{typeof(T).FullName} has no [{typeof(TAttr).Name.Replace("Attribute", "")}(\"name\")] attribute; register it with an explicit name");
        foreach (var n in names) add(n, create);
    }

    private void Add<T>(Dictionary<string, Entry<T>> d, string name, Func<T> create, Type? definedBy)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(create);
        var origin = definedBy?.Assembly.GetName().Name ?? "?";
        lock (_lock) d[name] = new Entry<T>(create, origin);
    }

    private Entry<T>? Find<T>(Dictionary<string, Entry<T>> d, string name)
    {
        lock (_lock) return d.GetValueOrDefault(name);
    }

    private List<string> Names<T>(Dictionary<string, Entry<T>> d)
    {
        lock (_lock) return d.Keys.Order(StringComparer.Ordinal).ToList();
    }
}

/// <summary>The three kinds of names a <see cref="StyleRegistry"/> holds.</summary>
public enum StyleKind
{
    Command,
    PairStyle,
    FixStyle,
}
