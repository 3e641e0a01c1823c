namespace DeepMD.Sharp.Input;

using System.Reflection;
using DeepMD.Sharp.Input.Styles;

/// <summary>
/// Commands, pair styles and fix styles by name, discovered from their attributes: adding a style is adding a
/// class, never editing a switch.
/// </summary>
public static class StyleRegistry
{
    private static readonly Lazy<Dictionary<string, Type>> CommandTypes = new(() => Scan<DeckCommandAttribute>(a => a.Name));
    private static readonly Lazy<Dictionary<string, Type>> PairTypes = new(() => Scan<PairStyleAttribute>(a => a.Name));
    private static readonly Lazy<Dictionary<string, Type>> FixTypes = new(() => Scan<FixStyleAttribute>(a => a.Name));

    public static IEnumerable<string> CommandNames => CommandTypes.Value.Keys.Order(StringComparer.Ordinal);

    public static IEnumerable<string> PairStyleNames => PairTypes.Value.Keys.Order(StringComparer.Ordinal);

    public static IEnumerable<string> FixStyleNames => FixTypes.Value.Keys.Order(StringComparer.Ordinal);

    public static IDeckCommand? CreateCommand(string name) =>
        CommandTypes.Value.TryGetValue(name, out var t) ? (IDeckCommand)Activator.CreateInstance(t)! : null;

    public static IPairStyle? CreatePairStyle(string name) =>
        PairTypes.Value.TryGetValue(name, out var t) ? (IPairStyle)Activator.CreateInstance(t)! : null;

    public static IFixStyle? CreateFixStyle(string name) =>
        FixTypes.Value.TryGetValue(name, out var t) ? (IFixStyle)Activator.CreateInstance(t)! : null;

    private static Dictionary<string, Type> Scan<TAttr>(Func<TAttr, string> name) where TAttr : Attribute
    {
        var d = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var t in typeof(StyleRegistry).Assembly.GetTypes())
            foreach (var a in t.GetCustomAttributes<TAttr>())
                d.Add(name(a), t);
        return d;
    }
}
