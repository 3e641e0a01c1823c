namespace DeepMD.Sharp.Models.Loading;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Models.Serialization;

/// <summary>
/// A position in a model tree (see <see cref="ModelTree"/>) that remembers its key path, so that every error about a
/// missing or mistyped entry names the file and the exact key (e.g. <c>model/descriptor/sel</c>).
/// </summary>
internal readonly struct TreeNode(object? value, string path, string file)
{
    public object? Value { get; } = value;

    public string Path { get; } = path;

    public string File { get; } = file;

    public bool IsNull => Value is null;

    public UserInputException Error(string what) =>
        new($"{(Path.Length == 0 ? "top level" : $"'{Path}'")}: {what}", File);

    private string Join(string key) => Path.Length == 0 ? key : $"{Path}/{key}";

    public Dictionary<string, object?> AsDict() =>
        Value as Dictionary<string, object?> ?? throw Error($"expected a mapping, found {Describe(Value)}");

    public bool Has(string key) => Value is Dictionary<string, object?> d && d.ContainsKey(key);

    /// <summary>The child under <paramref name="key"/>; a missing key is an error.</summary>
    public TreeNode this[string key] =>
        AsDict().TryGetValue(key, out var v) ? new TreeNode(v, Join(key), File) : throw Error($"missing key '{key}'");

    /// <summary>The child under <paramref name="key"/>, or a null node when absent.</summary>
    public TreeNode Optional(string key) =>
        Value is Dictionary<string, object?> d && d.TryGetValue(key, out var v) ? new TreeNode(v, Join(key), File) : new TreeNode(null, Join(key), File);

    public IReadOnlyList<TreeNode> AsList()
    {
        if (Value is not List<object?> list) throw Error($"expected a list, found {Describe(Value)}");
        var path = Path;
        var file = File;
        return list.Select((v, k) => new TreeNode(v, $"{path}[{k}]", file)).ToList();
    }

    public string AsString() => Value as string ?? throw Error($"expected a string, found {Describe(Value)}");

    public double AsDouble() => Value switch
    {
        double d => d,
        long l => l,
        NdArray { Length: 1 } a => a.Data[0],
        _ => throw Error($"expected a number, found {Describe(Value)}"),
    };

    public int AsInt() => Value switch
    {
        long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
        double d when d == Math.Floor(d) && Math.Abs(d) < int.MaxValue => (int)d,
        _ => throw Error($"expected an integer, found {Describe(Value)}"),
    };

    public bool AsBool(bool? fallback = null) => Value switch
    {
        bool b => b,
        null when fallback is not null => fallback.Value,
        _ => throw Error($"expected true/false, found {Describe(Value)}"),
    };

    public int[] AsIntArray() => Value is NdArray a ? a.Data.Select(v => (int)v).ToArray() : AsList().Select(n => n.AsInt()).ToArray();

    public double[] AsDoubleArray() => Value is NdArray a ? a.Data : AsList().Select(n => n.AsDouble()).ToArray();

    public NdArray AsArray() => Value as NdArray ?? throw Error($"expected an array variable, found {Describe(Value)}");

    /// <summary>The array under this node, checking its shape; <c>-1</c> in <paramref name="shape"/> matches any size.</summary>
    public NdArray AsArray(params int[] shape)
    {
        var a = AsArray();
        if (a.Shape.Length != shape.Length || a.Shape.Where((s, k) => shape[k] >= 0 && s != shape[k]).Any())
            throw Error($"array has shape [{string.Join(", ", a.Shape)}], expected [{string.Join(", ", shape.Select(s => s < 0 ? "*" : s.ToString(CultureInfo.InvariantCulture)))}]");
        return a;
    }

    private static string Describe(object? v) => v switch
    {
        null => "nothing (null)",
        string s => $"the string '{(s.Length > 40 ? s[..40] + "…" : s)}'",
        Dictionary<string, object?> => "a mapping",
        List<object?> => "a list",
        NdArray a => $"an array {a}",
        _ => $"{v} ({v.GetType().Name})",
    };
}
