namespace DeepMD.Sharp.Gpu;

/// <summary>
/// Conversions between a kernel's storage precision <typeparamref name="T"/> and double, and the multiply-add of the
/// kernels' inner loops in that precision, as an instance interface on a
/// struct: ILGPU compiles such constrained calls in kernels, which keeps one kernel source for float and double.
/// </summary>
public interface IRealOps<T> where T : unmanaged
{
    /// <summary>The stored value as double.</summary>
    double ToDouble(T value);

    /// <summary>A double rounded to the storage type.</summary>
    T FromDouble(double value);

    /// <summary>acc + x·y in the storage precision (the inner loops of the matrix-vector products run in it).</summary>
    T MulAdd(T acc, T x, T y);
}
