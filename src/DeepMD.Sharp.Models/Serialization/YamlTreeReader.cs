namespace DeepMD.Sharp.Models.Serialization;

using DeepMD.Sharp.Core.Errors;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

/// <summary>
/// Builds the model tree from a YAML event stream (YamlDotNet's parser), resolving scalars like PyYAML's safe loader
/// and turning <c>np.ndarray</c> variable nodes into <see cref="NdArray"/>s. Anchors and aliases are expanded into
/// independent copies.
/// </summary>
internal sealed class YamlTreeReader
{
    private const string YamlTagPrefix = "tag:yaml.org,2002:";

    private readonly IParser _parser;
    private readonly string _file;
    private readonly Dictionary<string, object?> _anchors = new(StringComparer.Ordinal);

    public YamlTreeReader(IParser parser, string file)
    {
        _parser = parser;
        _file = file;
    }

    /// <summary>Reads a single-document stream whose root is a mapping.</summary>
    public Dictionary<string, object?> ReadDocument()
    {
        _parser.Consume<StreamStart>();
        if (_parser.Accept<StreamEnd>(out _))
            throw new UserInputException("the YAML file is empty; expected a DeePMD-kit model dictionary", _file);
        _parser.Consume<DocumentStart>();
        var start = _parser.Current?.Start;
        var root = ReadNode();
        _parser.Consume<DocumentEnd>();
        if (!_parser.Accept<StreamEnd>(out _))
            throw new UserInputException("the YAML file holds more than one document; expected a single model dictionary", _file);
        if (root is not Dictionary<string, object?> dict)
        {
            throw new UserInputException(
                "the YAML document is not a mapping; expected a DeePMD-kit model dictionary (keys such as 'model', 'backend')",
                _file, LineOf(start));
        }
        return dict;
    }

    /// <summary>The 1-based line where the last event read so far ends, for errors the parser reports without a position.</summary>
    public int? LastLine { get; private set; }

    private object? ReadNode()
    {
        var ev = _parser.Current ?? throw new YamlException("unexpected end of the YAML stream");
        LastLine = LineOf(ev.End);
        switch (ev)
        {
            case AnchorAlias alias:
                _parser.MoveNext();
                if (!_anchors.TryGetValue(alias.Value.Value, out var target))
                    throw new UserInputException($"YAML alias '*{alias.Value.Value}' refers to an unknown anchor", _file, LineOf(alias.Start));
                return DeepCopy(target);
            case Scalar scalar:
            {
                _parser.MoveNext();
                var value = ResolveScalar(scalar);
                Remember(scalar, value);
                return value;
            }
            case SequenceStart seq:
            {
                CheckCollectionTag(seq, "seq");
                _parser.MoveNext();
                var list = new List<object?>();
                while (!_parser.TryConsume<SequenceEnd>(out _)) list.Add(ReadNode());
                Remember(seq, list);
                return list;
            }
            case MappingStart map:
            {
                CheckCollectionTag(map, "map");
                _parser.MoveNext();
                var dict = ModelTree.NewDict();
                while (!_parser.TryConsume<MappingEnd>(out _))
                {
                    var keyEvent = _parser.Current;
                    if (keyEvent is not Scalar keyScalar)
                        throw new UserInputException("a YAML mapping key is not a plain value; model files only use text keys", _file, LineOf(keyEvent?.Start));
                    _parser.MoveNext();
                    var value = ReadNode();
                    dict[keyScalar.Value] = value;
                }
                object? node = dict;
                if (IsArrayNode(dict)) node = ToArray(dict, map.Start);
                Remember(map, node);
                return node;
            }
            default:
                throw new YamlException(ev.Start, ev.End, $"unexpected YAML event {ev.GetType().Name}");
        }
    }

    private void Remember(NodeEvent ev, object? value)
    {
        if (!ev.Anchor.IsEmpty) _anchors[ev.Anchor.Value] = value;
    }

    private void CheckCollectionTag(NodeEvent ev, string expected)
    {
        if (ev.Tag.IsEmpty || ev.Tag.IsNonSpecific || ev.Tag.Value == YamlTagPrefix + expected) return;
        throw new UserInputException(
            $"unsupported YAML tag '{ev.Tag.Value}'; DeePMD-kit model files are written with yaml.safe_dump and use no custom tags",
            _file, LineOf(ev.Start));
    }

    private object? ResolveScalar(Scalar s)
    {
        if (s.Tag.IsEmpty)
            return s.Style == ScalarStyle.Plain ? PyYamlScalars.Resolve(s.Value) : s.Value;
        if (s.Tag.IsNonSpecific) return s.Value;
        var tag = s.Tag.Value;
        object? value;
        try
        {
            value = tag switch
            {
                YamlTagPrefix + "str" => s.Value,
                YamlTagPrefix + "null" => null,
                YamlTagPrefix + "bool" => PyYamlScalars.Resolve(s.Value) is bool b ? b : throw new FormatException(),
                YamlTagPrefix + "int" => PyYamlScalars.ParseInt(s.Value) ?? throw new FormatException(),
                YamlTagPrefix + "float" => PyYamlScalars.ParseFloat(s.Value) ?? throw new FormatException(),
                _ => throw new UserInputException(
                    $"unsupported YAML tag '{tag}'; DeePMD-kit model files are written with yaml.safe_dump and use no custom tags",
                    _file, LineOf(s.Start)),
            };
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new UserInputException($"'{s.Value}' is not a valid {tag[YamlTagPrefix.Length..]}", _file, LineOf(s.Start));
        }
        return value;
    }

    /// <summary>DeePMD-kit's convention: a mapping with <c>@is_variable: true</c> and <c>@class: np.ndarray</c>.</summary>
    private static bool IsArrayNode(Dictionary<string, object?> dict) =>
        dict.TryGetValue("@is_variable", out var isVar) && isVar is true
        && dict.TryGetValue("@class", out var cls) && cls is "np.ndarray";

    private NdArray ToArray(Dictionary<string, object?> dict, Mark start)
    {
        if (!dict.TryGetValue("dtype", out var dt) || dt is not string dtype)
            throw new UserInputException("an np.ndarray node has no 'dtype' text", _file, LineOf(start));
        if (!DTypes.IsSupported(dtype))
        {
            throw new UserInputException(
                $"an np.ndarray node has dtype '{dtype}', which is not supported (supported: {string.Join(", ", DTypes.Supported)})",
                _file, LineOf(start));
        }
        if (!dict.TryGetValue("value", out var value))
            throw new UserInputException("an np.ndarray node has no 'value'", _file, LineOf(start));
        var array = NestedLists.ToArray(value, dtype, out var error);
        if (array is not null) return array;
        // A file cut short inside an array's nested lists is still valid YAML (the open lists close implicitly), so
        // the last array comes out ragged. When nothing but closing events follows it, the file ended there: say so.
        if (OnlyClosingEventsRemain())
        {
            throw new UserInputException(
                $"the file is truncated: it ends early, inside the np.ndarray node that starts here ({error}); "
                + "copy or re-export the model again ('dp convert-backend')",
                _file, LineOf(start));
        }
        throw new UserInputException($"the 'value' of an np.ndarray node is not a valid array: {error}", _file, LineOf(start));
    }

    /// <summary>Whether the rest of the stream only closes open collections and the document (nothing else follows).</summary>
    private bool OnlyClosingEventsRemain()
    {
        try
        {
            do
            {
                if (_parser.Current is null or StreamEnd) return true;
                if (_parser.Current is not (SequenceEnd or MappingEnd or DocumentEnd)) return false;
            }
            while (_parser.MoveNext());
            return true;
        }
        catch (YamlException)
        {
            return false;
        }
    }

    private static int? LineOf(Mark? mark) => mark is null || mark.Value.Line <= 0 ? null : (int)mark.Value.Line;

    private static object? DeepCopy(object? node) => node switch
    {
        Dictionary<string, object?> d => d.ToDictionary(kv => kv.Key, kv => DeepCopy(kv.Value), StringComparer.Ordinal),
        List<object?> l => l.Select(DeepCopy).ToList(),
        NdArray a => new NdArray(a.DType, (int[])a.Shape.Clone(), (double[])a.Data.Clone()),
        _ => node,
    };
}
