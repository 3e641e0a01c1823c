namespace DeepMD.Sharp.Models.Serialization;

/// <summary>Converts the nested-list <c>value</c> of an <c>np.ndarray</c> node into an <see cref="NdArray"/>.</summary>
internal static class NestedLists
{
    /// <summary>
    /// Builds the array from <paramref name="value"/> like <c>np.asarray(value, dtype)</c>: a scalar gives a 0-d
    /// array, nested lists give the shape of their nesting (<c>[]</c> is shape [0], <c>[[],[]]</c> is [2,0]).
    /// </summary>
    /// <returns>The array, or null with <paramref name="error"/> set when the lists are ragged or hold non-numbers.</returns>
    public static NdArray? ToArray(object? value, string dtype, out string? error)
    {
        error = null;
        var shape = new List<int>();
        var probe = value;
        while (probe is List<object?> l)
        {
            shape.Add(l.Count);
            if (l.Count == 0) break;
            probe = l[0];
        }
        long count = 1;
        foreach (var s in shape) count *= s;
        if (count > Array.MaxLength)
        {
            error = "the array is too large";
            return null;
        }
        var data = new double[count];
        var pos = 0;
        if (!Fill(value, 0, shape, dtype, data, ref pos, out error)) return null;
        return new NdArray(dtype, [.. shape], data);
    }

    private static bool Fill(object? node, int depth, List<int> shape, string dtype, double[] data, ref int pos, out string? error)
    {
        error = null;
        if (depth == shape.Count)
        {
            double v;
            switch (node)
            {
                case double d: v = d; break;
                case long n: v = n; break;
                case bool b: v = b ? 1 : 0; break;
                default:
                    error = node is List<object?>
                        ? "the nested lists are ragged (sub-lists of different lengths)"
                        : $"the array holds a non-number ({Describe(node)})";
                    return false;
            }
            data[pos++] = DTypes.Convert(dtype, v);
            return true;
        }
        if (node is not List<object?> list || list.Count != shape[depth])
        {
            error = "the nested lists are ragged (sub-lists of different lengths)";
            return false;
        }
        foreach (var item in list)
        {
            if (!Fill(item, depth + 1, shape, dtype, data, ref pos, out error)) return false;
        }
        return true;
    }

    private static string Describe(object? node) => node switch
    {
        null => "null",
        string s => $"the string '{s}'",
        Dictionary<string, object?> => "a mapping",
        _ => node.GetType().Name,
    };
}
