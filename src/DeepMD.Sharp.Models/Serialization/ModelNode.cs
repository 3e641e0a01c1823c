namespace DeepMD.Sharp.Models.Serialization;

using DeepMD.Sharp.Core.Errors;

/// <summary>
/// Typed, checked access to one dictionary of a model tree. Every getter names the model file and the full key path in
/// its error, e.g. <c>model.dp: key 'model/descriptor/sel' is missing</c>.
/// </summary>
public sealed class ModelNode
{
    /// <summary>Wraps <paramref name="values"/>, found at <paramref name="path"/> (slash-joined keys) in <paramref name="file"/>.</summary>
    public ModelNode(Dictionary<string, object?> values, string file, string path = "")
    {
        Values = values;
        File = file;
        Path = path;
    }

    /// <summary>The wrapped dictionary.</summary>
    public Dictionary<string, object?> Values { get; }

    /// <summary>The model file, for error messages.</summary>
    public string File { get; }

    /// <summary>The slash-joined key path of this dictionary ("" for the root).</summary>
    public string Path { get; }

    /// <summary>Whether <paramref name="key"/> is present with a non-null value.</summary>
    public bool Has(string key) => Values.TryGetValue(key, out var v) && v is not null;

    /// <summary>The full key path of <paramref name="key"/>, as used in error messages.</summary>
    public string KeyPath(string key) => Path.Length == 0 ? key : Path + "/" + key;

    /// <summary>The child dictionary at <paramref name="key"/>.</summary>
    public ModelNode Dict(string key) => new(Get<Dictionary<string, object?>>(key), File, KeyPath(key));

    /// <summary>The child dictionary at <paramref name="key"/>, or null when it is absent or null.</summary>
    public ModelNode? DictOrNull(string key) =>
        Has(key) ? Dict(key) : null;

    /// <summary>
    /// The list at <paramref name="key"/> as dictionaries (null entries stay null), e.g. the <c>networks</c> of a
    /// NetworkCollection or the <c>layers</c> of a network.
    /// </summary>
    public IReadOnlyList<ModelNode?> DictList(string key)
    {
        var list = Get<List<object?>>(key);
        var result = new ModelNode?[list.Count];
        for (var i = 0; i < list.Count; i++)
        {
            var itemPath = $"{KeyPath(key)}/{i}";
            result[i] = list[i] switch
            {
                null => null,
                Dictionary<string, object?> d => new ModelNode(d, File, itemPath),
                var other => throw Wrong(itemPath, "a dictionary", other),
            };
        }
        return result;
    }

    /// <summary>The list of integers at <paramref name="key"/> (e.g. <c>sel</c>, <c>neuron</c>).</summary>
    public long[] Longs(string key) => Items<long>(key, "a list of integers");

    /// <summary>The list of numbers at <paramref name="key"/>; integers are accepted as numbers.</summary>
    public double[] Doubles(string key) => Items<double>(key, "a list of numbers");

    /// <summary>The list of strings at <paramref name="key"/> (e.g. <c>type_map</c>).</summary>
    public string[] Strings(string key) => Items<string>(key, "a list of strings");

    /// <summary>
    /// The value at <paramref name="key"/> as <typeparamref name="T"/>: <see cref="Dictionary{TKey,TValue}"/>,
    /// <see cref="List{T}"/>, <see cref="string"/>, <see cref="long"/>, <see cref="double"/> (an integer is accepted),
    /// <see cref="bool"/> or <see cref="NdArray"/>.
    /// </summary>
    /// <exception cref="UserInputException">The key is missing, null or holds another type.</exception>
    public T Get<T>(string key)
    {
        if (!Values.TryGetValue(key, out var v))
            throw new UserInputException($"key '{KeyPath(key)}' is missing; the model file is incomplete or from an unsupported DeePMD-kit version", File);
        if (v is null) throw new UserInputException($"key '{KeyPath(key)}' is null but should be {TypeName(typeof(T))}", File);
        return TryConvert<T>(v, out var result) ? result : throw Wrong(KeyPath(key), TypeName(typeof(T)), v);
    }

    /// <summary>The value at <paramref name="key"/>, or <paramref name="defaultValue"/> when the key is absent or null.</summary>
    /// <exception cref="UserInputException">The key holds another type.</exception>
    public T GetOrDefault<T>(string key, T defaultValue)
    {
        if (!Values.TryGetValue(key, out var v) || v is null) return defaultValue;
        return TryConvert<T>(v, out var result) ? result : throw Wrong(KeyPath(key), TypeName(typeof(T)), v);
    }

    /// <summary>The array at <paramref name="key"/>.</summary>
    public NdArray Array(string key) => Get<NdArray>(key);

    /// <summary>The array at <paramref name="key"/>, or null when the key is absent or null.</summary>
    public NdArray? ArrayOrNull(string key) => GetOrDefault<NdArray?>(key, null);

    /// <summary>The string at <paramref name="key"/>.</summary>
    public string String(string key) => Get<string>(key);

    /// <summary>The integer at <paramref name="key"/>.</summary>
    public long Long(string key) => Get<long>(key);

    /// <summary>The number at <paramref name="key"/> (an integer is accepted).</summary>
    public double Double(string key) => Get<double>(key);

    /// <summary>The boolean at <paramref name="key"/>.</summary>
    public bool Bool(string key) => Get<bool>(key);

    private T[] Items<T>(string key, string expected)
    {
        var list = Get<List<object?>>(key);
        var result = new T[list.Count];
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is null || !TryConvert<T>(list[i]!, out result[i]))
                throw Wrong(KeyPath(key), expected, list);
        }
        return result;
    }

    private static bool TryConvert<T>(object v, out T result)
    {
        if (v is T t)
        {
            result = t;
            return true;
        }
        if (typeof(T) == typeof(double) && v is long n)
        {
            result = (T)(object)(double)n;
            return true;
        }
        result = default!;
        return false;
    }

    private UserInputException Wrong(string keyPath, string expected, object? actual) =>
        new($"key '{keyPath}' should be {expected} but is {Describe(actual)}", File);

    private static string TypeName(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        return t == typeof(Dictionary<string, object?>) ? "a dictionary"
            : t == typeof(List<object?>) ? "a list"
            : t == typeof(string) ? "a string"
            : t == typeof(long) ? "an integer"
            : t == typeof(double) ? "a number"
            : t == typeof(bool) ? "a boolean"
            : t == typeof(NdArray) ? "an array"
            : t.Name;
    }

    private static string Describe(object? v) => v switch
    {
        null => "null",
        Dictionary<string, object?> => "a dictionary",
        List<object?> l => $"a list of {l.Count}",
        string s => $"the string '{(s.Length > 40 ? s[..40] + "..." : s)}'",
        long n => $"the integer {n}",
        double d => $"the number {PythonFloat.Repr(d)}",
        bool b => b ? "true" : "false",
        NdArray a => $"an array {a}",
        _ => v.GetType().Name,
    };

    /// <inheritdoc />
    public override string ToString() => $"{File}:{(Path.Length == 0 ? "/" : Path)}";
}
