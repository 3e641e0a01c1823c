namespace DeepMD.Sharp.IO.Datasets;

/// <summary>A numeric array read from a NumPy <c>.npy</c> file, converted to double, C (row-major) order.</summary>
public sealed class NpyArray
{
    /// <summary>Creates an array with <paramref name="shape"/> and row-major <paramref name="data"/>.</summary>
    public NpyArray(int[] shape, double[] data)
    {
        Shape = shape;
        Data = data;
    }

    /// <summary>Shape as stored (an empty array for a 0-d scalar).</summary>
    public int[] Shape { get; }

    /// <summary>Values in row-major order.</summary>
    public double[] Data { get; }
}
