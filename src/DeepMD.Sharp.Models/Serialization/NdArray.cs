namespace DeepMD.Sharp.Models.Serialization;

/// <summary>
/// A numeric n-dimensional array as stored in a DeePMD-kit model file (an <c>np.ndarray</c> variable).
/// Values are kept as doubles in C (row-major) order; <see cref="DType"/> remembers the stored element type
/// (<c>float64</c>, <c>float32</c>, <c>int64</c>, <c>int32</c>, <c>bool</c>) so that a file written back has the same types.
/// </summary>
public sealed class NdArray
{
    public NdArray(string dtype, int[] shape, double[] data)
    {
        long n = 1;
        foreach (var s in shape) n *= s;
        if (n != data.Length) throw new ArgumentException($"shape [{string.Join(",", shape)}] needs {n} values, got {data.Length}");
        DType = dtype;
        Shape = shape;
        Data = data;
    }

    /// <summary>numpy dtype name of the stored values.</summary>
    public string DType { get; }

    /// <summary>Dimensions; empty for a 0-d (scalar) array.</summary>
    public int[] Shape { get; }

    /// <summary>Values in row-major order.</summary>
    public double[] Data { get; }

    /// <summary>Number of elements.</summary>
    public int Length => Data.Length;

    public override string ToString() => $"ndarray<{DType}>[{string.Join(",", Shape)}]";
}
