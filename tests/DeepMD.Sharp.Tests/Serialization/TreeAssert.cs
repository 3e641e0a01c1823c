namespace DeepMD.Sharp.Tests.Serialization;

using DeepMD.Sharp.Models.Serialization;

/// <summary>Exact comparison of model trees: same key order, same types, doubles and array values bitwise equal.</summary>
internal static class TreeAssert
{
    public static void AreEqual(object? expected, object? actual)
    {
        var difference = FirstDifference(expected, actual, "");
        Assert.That(difference, Is.Null, "model trees differ");
    }

    public static string? FirstDifference(object? a, object? b, string path)
    {
        switch (a)
        {
            case null:
                return b is null ? null : $"{path}: expected null, got {b}";
            case Dictionary<string, object?> da:
            {
                if (b is not Dictionary<string, object?> db) return $"{path}: expected a dict, got {b?.GetType().Name ?? "null"}";
                var ka = da.Keys.ToList();
                var kb = db.Keys.ToList();
                if (!ka.SequenceEqual(kb)) return $"{path}: keys [{string.Join(",", ka)}] vs [{string.Join(",", kb)}]";
                foreach (var k in ka)
                {
                    var d = FirstDifference(da[k], db[k], path + "/" + k);
                    if (d is not null) return d;
                }
                return null;
            }
            case List<object?> la:
            {
                if (b is not List<object?> lb) return $"{path}: expected a list, got {b?.GetType().Name ?? "null"}";
                if (la.Count != lb.Count) return $"{path}: list length {la.Count} vs {lb.Count}";
                for (var i = 0; i < la.Count; i++)
                {
                    var d = FirstDifference(la[i], lb[i], $"{path}/{i}");
                    if (d is not null) return d;
                }
                return null;
            }
            case NdArray aa:
            {
                if (b is not NdArray ab) return $"{path}: expected an array, got {b?.GetType().Name ?? "null"}";
                if (aa.DType != ab.DType) return $"{path}: dtype {aa.DType} vs {ab.DType}";
                if (!aa.Shape.SequenceEqual(ab.Shape)) return $"{path}: shape {aa} vs {ab}";
                for (var i = 0; i < aa.Length; i++)
                {
                    if (BitConverter.DoubleToInt64Bits(aa.Data[i]) != BitConverter.DoubleToInt64Bits(ab.Data[i]))
                        return $"{path}[{i}]: {aa.Data[i]:R} vs {ab.Data[i]:R}";
                }
                return null;
            }
            case double x:
                return b is double y && BitConverter.DoubleToInt64Bits(x) == BitConverter.DoubleToInt64Bits(y)
                    ? null
                    : $"{path}: expected double {x:R}, got {b ?? "null"} ({b?.GetType().Name})";
            default:
                return a.GetType() == b?.GetType() && a.Equals(b)
                    ? null
                    : $"{path}: expected {a} ({a.GetType().Name}), got {b ?? "null"} ({b?.GetType().Name})";
        }
    }
}
