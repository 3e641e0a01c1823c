namespace DeepMD.Sharp.Models.Serialization;

using System.Globalization;
using System.Text;
using System.Text.Json;

/// <summary>
/// JSON as Python's <c>json</c> module reads and writes it: integral numbers are ints (<see cref="long"/>), others floats
/// (<see cref="double"/>); the bare tokens <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c> are allowed; output uses
/// compact separators, <c>ensure_ascii</c> escaping and Python's float repr, like
/// <c>json.dumps(obj, separators=(",", ":"))</c>.
/// </summary>
internal static class PythonJson
{
    // Bare NaN/Infinity tokens are not JSON, so System.Text.Json rejects them; they are rewritten to strings carrying
    // this marker before parsing and turned back into doubles afterwards.
    private const string Marker = "\u0000\u0001pyjson:";

    /// <summary>Parses <paramref name="json"/> into model-tree nodes.</summary>
    /// <exception cref="JsonException">The text is not valid JSON.</exception>
    public static object? Parse(string json)
    {
        var (text, hadLiterals) = QuoteNamedFloats(json);
        var bytes = Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = 512, CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read()) throw new JsonException("the JSON text is empty");
        var value = ReadValue(ref reader, hadLiterals);
        if (reader.Read()) throw new JsonException($"unexpected data after the JSON value at byte {reader.TokenStartIndex}");
        return value;
    }

    private static object? ReadValue(ref Utf8JsonReader reader, bool hadLiterals)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
            {
                var dict = ModelTree.NewDict();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var key = reader.GetString()!;
                    reader.Read();
                    dict[key] = ReadValue(ref reader, hadLiterals);
                }
                return dict;
            }
            case JsonTokenType.StartArray:
            {
                var list = new List<object?>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) list.Add(ReadValue(ref reader, hadLiterals));
                return list;
            }
            case JsonTokenType.String:
            {
                var s = reader.GetString()!;
                if (hadLiterals && s.StartsWith(Marker, StringComparison.Ordinal))
                {
                    return s[Marker.Length..] switch
                    {
                        "NaN" => double.NaN,
                        "Infinity" => double.PositiveInfinity,
                        _ => double.NegativeInfinity,
                    };
                }
                return s;
            }
            case JsonTokenType.Number:
            {
                // The input is one contiguous buffer, so the token is always in ValueSpan.
                var raw = Encoding.UTF8.GetString(reader.ValueSpan);
                var integral = raw.IndexOfAny(['.', 'e', 'E']) < 0;
                if (integral && long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) return n;
                return double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
            }
            case JsonTokenType.True: return true;
            case JsonTokenType.False: return false;
            case JsonTokenType.Null: return null;
            default: throw new JsonException($"unexpected JSON token {reader.TokenType}");
        }
    }

    /// <summary>Rewrites bare <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c> outside strings as marked strings.</summary>
    private static (string Text, bool Changed) QuoteNamedFloats(string json)
    {
        if (json.IndexOf("NaN", StringComparison.Ordinal) < 0 && json.IndexOf("Infinity", StringComparison.Ordinal) < 0)
            return (json, false);
        var sb = new StringBuilder(json.Length + 64);
        var inString = false;
        var changed = false;
        for (var i = 0; i < json.Length; i++)
        {
            var c = json[i];
            if (inString)
            {
                sb.Append(c);
                if (c == '\\' && i + 1 < json.Length) sb.Append(json[++i]);
                else if (c == '"') inString = false;
                continue;
            }
            if (c == '"')
            {
                inString = true;
                sb.Append(c);
                continue;
            }
            string? token = null;
            if (string.CompareOrdinal(json, i, "NaN", 0, 3) == 0) token = "NaN";
            else if (string.CompareOrdinal(json, i, "Infinity", 0, 8) == 0) token = "Infinity";
            else if (string.CompareOrdinal(json, i, "-Infinity", 0, 9) == 0) token = "-Infinity";
            if (token is null)
            {
                sb.Append(c);
                continue;
            }
            sb.Append('"').Append("\\u0000\\u0001pyjson:").Append(token).Append('"');
            i += token.Length - 1;
            changed = true;
        }
        return (sb.ToString(), changed);
    }

    /// <summary>
    /// Serializes a model tree like Python's <c>json.dumps(tree, separators=(",", ":"))</c>. Every non-null, non-container
    /// value below a key named <c>@variables</c> is passed to <paramref name="variable"/> (with its slash-joined key path,
    /// in depth-first order) and written as the string it returns; an <see cref="NdArray"/> anywhere else is an error.
    /// </summary>
    public static string Write(Dictionary<string, object?> tree, Func<string, object, string> variable)
    {
        var sb = new StringBuilder(1 << 14);
        WriteValue(sb, tree, "", isVariable: false, variable);
        return sb.ToString();
    }

    private static void WriteValue(StringBuilder sb, object? v, string path, bool isVariable, Func<string, object, string> variable)
    {
        switch (v)
        {
            case null:
                sb.Append("null");
                return;
            case Dictionary<string, object?> d:
            {
                sb.Append('{');
                var first = true;
                foreach (var (key, value) in d)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    WriteString(sb, key);
                    sb.Append(':');
                    WriteValue(sb, value, path.Length == 0 ? key : path + "/" + key, isVariable || key == "@variables", variable);
                }
                sb.Append('}');
                return;
            }
            case List<object?> l:
            {
                sb.Append('[');
                for (var i = 0; i < l.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    WriteValue(sb, l[i], path + "/" + i.ToString(CultureInfo.InvariantCulture), isVariable, variable);
                }
                sb.Append(']');
                return;
            }
        }
        if (isVariable)
        {
            WriteString(sb, variable(path, v));
            return;
        }
        switch (v)
        {
            case bool b: sb.Append(b ? "true" : "false"); break;
            case long n: sb.Append(n.ToString(CultureInfo.InvariantCulture)); break;
            case int n: sb.Append(n.ToString(CultureInfo.InvariantCulture)); break;
            case double x: sb.Append(PythonFloat.Json(x)); break;
            case float x: sb.Append(PythonFloat.Json(x)); break;
            case string s: WriteString(sb, s); break;
            case NdArray:
                throw new ModelTreeException(path, "holds an array outside '@variables'; a .dp file can store arrays only below an '@variables' key");
            default:
                throw new ModelTreeException(path, $"holds a {v.GetType().Name}, which is not a model-tree value");
        }
    }

    /// <summary>A JSON string with Python's default <c>ensure_ascii=True</c> escaping.</summary>
    private static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7e)
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else
                        sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
