namespace DeepMD.Sharp.Models.Serialization;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;

/// <summary>
/// A position in a model tree (see <see cref="ModelTree"/>) that remembers the file and its key path, so that every
/// error about a missing or mistyped entry names both, e.g. <c>model.dp: 'model/descriptor/sel': expected a list, found
/// the integer 46</c>. Dictionary entries are reached with <c>node["key"]</c> (required) or <see cref="Optional"/>,
/// list entries with <c>node[k]</c> or <see cref="AsList"/>; list entries get paths like <c>model/fitting/nets/networks[1]</c>.
/// A node may hold null: an optional key that is absent or null gives such a node, and the <c>As…</c> getters that take a
/// fallback return it for a null node.
/// </summary>
public sealed class ModelNode
{
    /// <summary>Wraps <paramref name="value"/>, found at <paramref name="path"/> (slash-joined keys, "" for the root) in <paramref name="file"/>.</summary>
    public ModelNode(object? value, string file, string path = "")
    {
        Value = value;
        File = file;
        Path = path;
    }

    /// <summary>The wrapped value: a dictionary, list, string, long, double, bool, <see cref="NdArray"/> or null.</summary>
    public object? Value { get; }

    /// <summary>The model file, for error messages.</summary>
    public string File { get; }

    /// <summary>The key path of this node, e.g. <c>model/descriptor/sel</c> or <c>model/fitting/nets/networks[1]</c> ("" for the root).</summary>
    public string Path { get; }

    /// <summary>Whether the value is null (also the case for an absent key reached with <see cref="Optional"/>).</summary>
    public bool IsNull => Value is null;

    /// <summary>An error about this node: <c>file: 'path': <paramref name="what"/></c>.</summary>
    public UserInputException Error(string what) =>
        new($"{(Path.Length == 0 ? "top level" : $"'{Path}'")}: {what}", File);

    /// <summary>Whether this node is a dictionary that contains <paramref name="key"/> (possibly with a null value).</summary>
    public bool Has(string key) => Value is Dictionary<string, object?> d && d.ContainsKey(key);

    /// <summary>The child under <paramref name="key"/>; this node must be a dictionary and the key must be present (its value may be null).</summary>
    /// <exception cref="UserInputException">This node is not a dictionary or lacks the key.</exception>
    public ModelNode this[string key] =>
        AsDict().TryGetValue(key, out var v)
            ? Child(v, key)
            : throw Child(null, key).Error("key is missing; the model file is incomplete or from an unsupported DeePMD-kit version");

    /// <summary>The child under <paramref name="key"/>, or a null node (with the key's path) when this node is null, not a dictionary, or lacks the key.</summary>
    public ModelNode Optional(string key) =>
        Child(Value is Dictionary<string, object?> d && d.TryGetValue(key, out var v) ? v : null, key);

    /// <summary>Entry <paramref name="index"/> of this list.</summary>
    /// <exception cref="UserInputException">This node is not a list or is too short.</exception>
    public ModelNode this[int index]
    {
        get
        {
            var list = RawList();
            if (index < 0 || index >= list.Count) throw Error($"has {list.Count} entries, so there is no entry [{index}]");
            return Entry(list[index], index);
        }
    }

    /// <summary>The dictionary this node holds.</summary>
    /// <exception cref="UserInputException">The node is not a dictionary.</exception>
    public Dictionary<string, object?> AsDict() =>
        Value as Dictionary<string, object?> ?? throw Expected("a mapping");

    /// <summary>The entries of this list, as nodes.</summary>
    /// <exception cref="UserInputException">The node is not a list.</exception>
    public IReadOnlyList<ModelNode> AsList()
    {
        var list = RawList();
        var result = new ModelNode[list.Count];
        for (var k = 0; k < list.Count; k++) result[k] = Entry(list[k], k);
        return result;
    }

    /// <summary>The string this node holds, or <paramref name="fallback"/> (when given) for a null node.</summary>
    /// <exception cref="UserInputException">The node holds another type (or null without a fallback).</exception>
    public string AsString(string? fallback = null) => Value switch
    {
        string s => s,
        null when fallback is not null => fallback,
        _ => throw Expected("a string"),
    };

    /// <summary>
    /// The number this node holds (an integer or a one-element array is accepted), or <paramref name="fallback"/>
    /// (when given) for a null node.
    /// </summary>
    /// <exception cref="UserInputException">The node holds another type (or null without a fallback).</exception>
    public double AsDouble(double? fallback = null) => Value switch
    {
        double d => d,
        long l => l,
        NdArray { Length: 1 } a => a.Data[0],
        null when fallback is not null => fallback.Value,
        _ => throw Expected("a number"),
    };

    /// <summary>
    /// The 32-bit integer this node holds (an integral number is accepted), or <paramref name="fallback"/> (when given)
    /// for a null node.
    /// </summary>
    /// <exception cref="UserInputException">The node holds another type, a fraction or an out-of-range value (or null without a fallback).</exception>
    public int AsInt(int? fallback = null) => Value switch
    {
        long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
        double d when d == Math.Floor(d) && Math.Abs(d) < int.MaxValue => (int)d,
        null when fallback is not null => fallback.Value,
        _ => throw Expected("an integer"),
    };

    /// <summary>The boolean this node holds, or <paramref name="fallback"/> (when given) for a null node.</summary>
    /// <exception cref="UserInputException">The node holds another type (or null without a fallback).</exception>
    public bool AsBool(bool? fallback = null) => Value switch
    {
        bool b => b,
        null when fallback is not null => fallback.Value,
        _ => throw Expected("true/false"),
    };

    /// <summary>
    /// The integers of this list or array (e.g. <c>sel</c>, <c>neuron</c>), or <paramref name="fallback"/> (when given)
    /// for a null node.
    /// </summary>
    /// <exception cref="UserInputException">The node is not a list or array, or an entry is not an integer.</exception>
    public int[] AsIntArray(int[]? fallback = null) => Value switch
    {
        NdArray a => a.Data.Select(v => (int)v).ToArray(),
        null when fallback is not null => fallback,
        _ => AsList().Select(n => n.AsInt()).ToArray(),
    };

    /// <summary>The numbers of this list or array.</summary>
    /// <exception cref="UserInputException">The node is not a list or array, or an entry is not a number.</exception>
    public double[] AsDoubleArray() => Value is NdArray a ? a.Data : AsList().Select(n => n.AsDouble()).ToArray();

    /// <summary>The strings of this list (e.g. <c>type_map</c>).</summary>
    /// <exception cref="UserInputException">The node is not a list, or an entry is not a string.</exception>
    public string[] AsStringArray() => AsList().Select(n => n.AsString()).ToArray();

    /// <summary>The array variable this node holds.</summary>
    /// <exception cref="UserInputException">The node is not an array.</exception>
    public NdArray AsArray() => Value as NdArray ?? throw Expected("an array variable");

    /// <summary>The array variable this node holds, checking its shape; <c>-1</c> in <paramref name="shape"/> matches any size.</summary>
    /// <exception cref="UserInputException">The node is not an array or has another shape.</exception>
    public NdArray AsArray(params int[] shape)
    {
        var a = AsArray();
        if (a.Shape.Length != shape.Length || a.Shape.Where((s, k) => shape[k] >= 0 && s != shape[k]).Any())
            throw Error($"array has shape [{string.Join(", ", a.Shape)}], expected [{string.Join(", ", shape.Select(s => s < 0 ? "*" : s.ToString(CultureInfo.InvariantCulture)))}]");
        return a;
    }

    /// <inheritdoc />
    public override string ToString() => $"{File}:{(Path.Length == 0 ? "/" : Path)}";

    private ModelNode Child(object? value, string key) => new(value, File, Path.Length == 0 ? key : $"{Path}/{key}");

    private ModelNode Entry(object? value, int index) => new(value, File, $"{Path}[{index}]");

    private List<object?> RawList() => Value as List<object?> ?? throw Expected("a list");

    private UserInputException Expected(string what) => Error($"expected {what}, found {Describe(Value)}");

    private static string Describe(object? v) => v switch
    {
        null => "nothing (null)",
        string s => $"the string '{(s.Length > 40 ? s[..40] + "…" : s)}'",
        Dictionary<string, object?> => "a mapping",
        List<object?> l => $"a list of {l.Count}",
        NdArray a => $"an array {a}",
        long n => $"the integer {n.ToString(CultureInfo.InvariantCulture)}",
        double d => $"the number {PythonFloat.Repr(d)}",
        bool b => b ? "true" : "false",
        _ => v.GetType().Name,
    };
}
