namespace DeepMD.Sharp.Models.Serialization;

using System.Globalization;
using System.Text;

/// <summary>
/// Writes a model tree as block-style YAML that PyYAML's <c>safe_load</c> reads back to the same values: keys in tree
/// order, floats as Python writes them (always with a decimal point or <c>.nan</c>/<c>.inf</c>), strings quoted whenever
/// they could be read as something else, and each <see cref="NdArray"/> as DeePMD-kit's <c>np.ndarray</c> node.
/// </summary>
internal sealed class YamlTreeWriter
{
    private readonly TextWriter _w;

    public YamlTreeWriter(TextWriter writer) => _w = writer;

    /// <summary>Writes <paramref name="root"/> as the document.</summary>
    public void WriteDocument(Dictionary<string, object?> root)
    {
        if (root.Count == 0)
        {
            _w.Write("{}\n");
            return;
        }
        WriteMapping(root, 0, firstInline: false);
    }

    private static bool IsInline(object? v) => v switch
    {
        Dictionary<string, object?> d => d.Count == 0,
        List<object?> l => l.Count == 0,
        NdArray => false,
        _ => true,
    };

    private void Indent(int n)
    {
        for (var i = 0; i < n; i++) _w.Write(' ');
    }

    private void WriteMapping(Dictionary<string, object?> dict, int indent, bool firstInline)
    {
        var first = true;
        foreach (var (key, value) in dict)
        {
            if (!(first && firstInline)) Indent(indent);
            first = false;
            WriteString(key);
            _w.Write(':');
            WriteValueAfterKey(value, indent);
        }
    }

    private void WriteValueAfterKey(object? value, int indent)
    {
        if (IsInline(value))
        {
            _w.Write(' ');
            WriteInline(value);
            _w.Write('\n');
            return;
        }
        _w.Write('\n');
        WriteBlock(value, indent + 2, firstInline: false);
    }

    /// <summary>Writes a non-empty collection or array starting at column <paramref name="indent"/>.</summary>
    private void WriteBlock(object? value, int indent, bool firstInline)
    {
        switch (value)
        {
            case Dictionary<string, object?> d:
                WriteMapping(d, indent, firstInline);
                break;
            case List<object?> l:
                var first = true;
                foreach (var item in l)
                {
                    if (!(first && firstInline)) Indent(indent);
                    first = false;
                    _w.Write("- ");
                    WriteItem(item, indent + 2);
                }
                break;
            case NdArray a:
                WriteArrayNode(a, indent, firstInline);
                break;
            default:
                throw new InvalidOperationException("scalar in block position");
        }
    }

    /// <summary>Writes a sequence item; the cursor is just after <c>"- "</c> at column <paramref name="indent"/>.</summary>
    private void WriteItem(object? item, int indent)
    {
        if (IsInline(item))
        {
            WriteInline(item);
            _w.Write('\n');
        }
        else
        {
            WriteBlock(item, indent, firstInline: true);
        }
    }

    private void WriteInline(object? v)
    {
        switch (v)
        {
            case null: _w.Write("null"); break;
            case bool b: _w.Write(b ? "true" : "false"); break;
            case long n: _w.Write(n.ToString(CultureInfo.InvariantCulture)); break;
            case int n: _w.Write(n.ToString(CultureInfo.InvariantCulture)); break;
            case double d: _w.Write(PythonFloat.Yaml(d)); break;
            case float f: _w.Write(PythonFloat.Yaml(f)); break;
            case string s: WriteString(s); break;
            case Dictionary<string, object?>: _w.Write("{}"); break;
            case List<object?>: _w.Write("[]"); break;
            default: throw new ArgumentException($"the model tree holds a {v.GetType().Name}, which cannot be written to YAML");
        }
    }

    private void WriteArrayNode(NdArray a, int indent, bool firstInline)
    {
        if (!firstInline) Indent(indent);
        _w.Write("\"@class\": np.ndarray\n");
        Indent(indent);
        _w.Write("\"@is_variable\": true\n");
        Indent(indent);
        _w.Write("\"@version\": 1\n");
        Indent(indent);
        _w.Write("dtype: ");
        WriteString(a.DType);
        _w.Write('\n');
        Indent(indent);
        _w.Write("value:");
        if (a.Shape.Length == 0)
        {
            _w.Write(' ');
            WriteElement(a, 0);
            _w.Write('\n');
        }
        else if (a.Shape[0] == 0)
        {
            _w.Write(" []\n");
        }
        else
        {
            _w.Write('\n');
            WriteArrayLevel(a, 0, 0, indent + 2, firstInline: false);
        }
    }

    /// <summary>Writes dimension <paramref name="dim"/> (non-empty) of the sub-array starting at element <paramref name="offset"/>.</summary>
    private void WriteArrayLevel(NdArray a, int dim, int offset, int indent, bool firstInline)
    {
        var n = a.Shape[dim];
        var stride = 1;
        for (var k = dim + 1; k < a.Shape.Length; k++) stride *= a.Shape[k];
        var last = dim == a.Shape.Length - 1;
        for (var i = 0; i < n; i++)
        {
            if (!(i == 0 && firstInline)) Indent(indent);
            _w.Write("- ");
            if (last)
            {
                WriteElement(a, offset + i);
                _w.Write('\n');
            }
            else if (a.Shape[dim + 1] == 0)
            {
                _w.Write("[]\n");
            }
            else
            {
                WriteArrayLevel(a, dim + 1, offset + i * stride, indent + 2, firstInline: true);
            }
        }
    }

    private void WriteElement(NdArray a, int index)
    {
        var v = a.Data[index];
        if (DTypes.IsFloat(a.DType)) _w.Write(PythonFloat.Yaml(v));
        else if (DTypes.IsBool(a.DType)) _w.Write(v != 0 ? "true" : "false");
        else _w.Write(((long)v).ToString(CultureInfo.InvariantCulture));
    }

    private void WriteString(string s)
    {
        if (PyYamlScalars.CanWritePlain(s))
        {
            _w.Write(s);
            return;
        }
        var sb = new StringBuilder(s.Length + 2);
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
                case '\0': sb.Append("\\0"); break;
                default:
                    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c is '\u2028' or '\u2029' or '\ufeff')
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else
                        sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
        _w.Write(sb.ToString());
    }
}
