namespace DeepMD.Sharp.Training.Input;

using System.Text.Json;
using DeepMD.Sharp.Core.Errors;

/// <summary>A JSON object of input.json with checked access: unknown keys are errors that name the valid ones.</summary>
public sealed class JsonSection
{
    private readonly JsonElement _element;
    private readonly string _file;

    /// <summary>Wraps <paramref name="element"/> found at <paramref name="path"/> in <paramref name="file"/>.</summary>
    public JsonSection(JsonElement element, string file, string path)
    {
        if (element.ValueKind != JsonValueKind.Object) throw new UserInputException($"'{path}' must be an object", file);
        _element = element;
        _file = file;
        Path = path;
    }

    /// <summary>Dotted key path of this section.</summary>
    public string Path { get; }

    /// <summary>Throws when a key (other than <c>_comment</c>-style keys) is not in <paramref name="valid"/>.</summary>
    public void AllowOnly(params string[] valid)
    {
        foreach (var p in _element.EnumerateObject())
        {
            if (p.Name.StartsWith('_') || valid.Contains(p.Name)) continue;
            throw Error(p.Name, $"unknown key '{p.Name}'; valid keys here: {string.Join(", ", valid)}");
        }
    }

    /// <summary>An error about <paramref name="key"/>.</summary>
    public UserInputException Error(string key, string what) => new($"{Key(key)}: {what}", _file);

    private string Key(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    /// <summary>Whether the key is present and not null.</summary>
    public bool Has(string key) => _element.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null;

    /// <summary>The raw element, if present.</summary>
    public JsonElement? Raw(string key) => _element.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    /// <summary>A sub-section (required unless <paramref name="optional"/>).</summary>
    public JsonSection? Section(string key, bool optional = false)
    {
        if (Raw(key) is { } v) return new JsonSection(v, _file, Key(key));
        if (optional) return null;
        throw Error(key, "is required");
    }

    /// <summary>A number.</summary>
    public double Double(string key, double? fallback = null)
    {
        if (Raw(key) is { } v)
        {
            if (v.ValueKind == JsonValueKind.Number) return v.GetDouble();
            throw Error(key, $"must be a number, found {v.ValueKind}");
        }
        return fallback ?? throw Error(key, "is required");
    }

    /// <summary>An integer.</summary>
    public int Int(string key, int? fallback = null)
    {
        if (Raw(key) is { } v)
        {
            if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i)) return i;
            throw Error(key, $"must be an integer, found {v}");
        }
        return fallback ?? throw Error(key, "is required");
    }

    /// <summary>A boolean.</summary>
    public bool Bool(string key, bool fallback)
    {
        if (Raw(key) is not { } v) return fallback;
        if (v.ValueKind is JsonValueKind.True or JsonValueKind.False) return v.GetBoolean();
        throw Error(key, $"must be true or false, found {v}");
    }

    /// <summary>A string.</summary>
    public string String(string key, string? fallback = null)
    {
        if (Raw(key) is { } v)
        {
            if (v.ValueKind == JsonValueKind.String) return v.GetString()!;
            throw Error(key, $"must be a string, found {v}");
        }
        return fallback ?? throw Error(key, "is required");
    }

    /// <summary>A list of integers.</summary>
    public int[] Ints(string key, int[]? fallback = null)
    {
        if (Raw(key) is { } v)
        {
            if (v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(x => x.ValueKind == JsonValueKind.Number && x.TryGetInt32(out _)))
                return v.EnumerateArray().Select(x => x.GetInt32()).ToArray();
            throw Error(key, $"must be a list of integers, found {v}");
        }
        return fallback ?? throw Error(key, "is required");
    }

    /// <summary>A string or a list of strings.</summary>
    public string[] Strings(string key)
    {
        if (Raw(key) is not { } v) throw Error(key, "is required");
        if (v.ValueKind == JsonValueKind.String) return [v.GetString()!];
        if (v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String))
            return v.EnumerateArray().Select(x => x.GetString()!).ToArray();
        throw Error(key, $"must be a string or a list of strings, found {v}");
    }
}
