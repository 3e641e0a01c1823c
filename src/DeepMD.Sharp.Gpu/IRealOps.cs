namespace DeepMD.Sharp.Gpu;

/// <summary>
/// Conversions between a kernel's storage precision <typeparamref name="T"/> and double, as an instance interface on a
/// struct: ILGPU compiles such constrained calls in kernels, which keeps one kernel source for float and double.
/// </summary>
public interface IRealOps<T> where T : unmanaged
{
    /// <summary>The stored value as double.</summary>
    double ToDouble(T value);

    /// <summary>A double rounded to the storage type.</summary>
    T FromDouble(double value);
}
