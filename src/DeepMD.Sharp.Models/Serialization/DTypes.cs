namespace DeepMD.Sharp.Models.Serialization;

/// <summary>The numpy element types a model file may store, and how their values map to and from doubles.</summary>
internal static class DTypes
{
    /// <summary>numpy dtype names this reader and writer support.</summary>
    public static readonly IReadOnlyList<string> Supported =
        ["float64", "float32", "int64", "int32", "int16", "int8", "uint64", "uint32", "uint16", "uint8", "bool"];

    public static bool IsSupported(string dtype) => Supported.Contains(dtype);

    public static bool IsFloat(string dtype) => dtype is "float64" or "float32";

    public static bool IsBool(string dtype) => dtype == "bool";

    /// <summary>
    /// Converts one element the way <c>np.asarray(value, dtype)</c> would: float32 rounds to single precision,
    /// integer types truncate, bool is 0 or 1.
    /// </summary>
    public static double Convert(string dtype, double v) => dtype switch
    {
        "float64" => v,
        "float32" => (float)v,
        "bool" => v != 0 || double.IsNaN(v) ? 1 : 0,
        _ => Math.Truncate(v),
    };

    /// <summary>The value of element <paramref name="v"/> as a tree scalar: double, long or bool.</summary>
    public static object Box(string dtype, double v) =>
        IsFloat(dtype) ? v : IsBool(dtype) ? v != 0 : (object)(long)v;
}
