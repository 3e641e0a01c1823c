namespace DeepMD.Sharp.Gpu.Resident;

using ILGPU;
using ILGPU.Runtime;

/// <summary>
/// Atoms kept on the device: positions, velocities, forces (Å, Å/ps, eV/Å), model types, and the per-atom outputs of
/// the last evaluation. The host copies only what it asks for (<see cref="Download"/>).
/// </summary>
public sealed class GpuAtoms : IDisposable
{
    private readonly List<MemoryBuffer> _buffers = [];

    /// <summary>Uploads <paramref name="x"/>, <paramref name="y"/>, <paramref name="z"/> and the model type of each atom; velocities and forces start at zero.</summary>
    public GpuAtoms(Accelerator accelerator, double[] x, double[] y, double[] z, int[] modelType)
    {
        Count = x.Length;
        if (y.Length != Count || z.Length != Count || modelType.Length != Count) throw new ArgumentException("positions and types disagree on the atom count");
        X = Upload(accelerator, x);
        Y = Upload(accelerator, y);
        Z = Upload(accelerator, z);
        ModelType = Upload(accelerator, modelType);
        Vx = Zeros<double>(accelerator, Count);
        Vy = Zeros<double>(accelerator, Count);
        Vz = Zeros<double>(accelerator, Count);
        Fx = Zeros<double>(accelerator, Count);
        Fy = Zeros<double>(accelerator, Count);
        Fz = Zeros<double>(accelerator, Count);
        AtomEnergy = Zeros<double>(accelerator, Count);
        CenterVirial = Zeros<double>(accelerator, 9L * Count);
    }

    /// <summary>
    /// Another set of outputs for the atoms of <paramref name="shared"/>: positions, velocities and types are the
    /// same device arrays; forces go to <paramref name="fx"/>, <paramref name="fy"/>, <paramref name="fz"/>, energies and
    /// virials to arrays of its own (for evaluating several models on the same atoms).
    /// </summary>
    public GpuAtoms(Accelerator accelerator, GpuAtoms shared, ArrayView<double> fx, ArrayView<double> fy, ArrayView<double> fz)
    {
        Count = shared.Count;
        if (fx.Length != Count || fy.Length != Count || fz.Length != Count) throw new ArgumentException("force arrays must hold one value per atom");
        (X, Y, Z, ModelType) = (shared.X, shared.Y, shared.Z, shared.ModelType);
        (Vx, Vy, Vz) = (shared.Vx, shared.Vy, shared.Vz);
        (Fx, Fy, Fz) = (fx, fy, fz);
        AtomEnergy = Zeros<double>(accelerator, Count);
        CenterVirial = Zeros<double>(accelerator, 9L * Count);
    }

    public int Count { get; }
    public ArrayView<double> X { get; }
    public ArrayView<double> Y { get; }
    public ArrayView<double> Z { get; }
    public ArrayView<double> Vx { get; }
    public ArrayView<double> Vy { get; }
    public ArrayView<double> Vz { get; }
    public ArrayView<double> Fx { get; }
    public ArrayView<double> Fy { get; }
    public ArrayView<double> Fz { get; }
    public ArrayView<int> ModelType { get; }

    /// <summary>Energy per atom of the last evaluation, eV.</summary>
    public ArrayView<double> AtomEnergy { get; }

    /// <summary>Per center atom, the virial of its pair terms (row-major 9); the sum over atoms is the virial, eV.</summary>
    public ArrayView<double> CenterVirial { get; }

    /// <summary>Device bytes per atom held here.</summary>
    public const long BytesPerAtom = 10 * 8 + 4 + 9 * 8;

    /// <summary>Copies a device array to a new host array.</summary>
    public static TV[] Download<TV>(ArrayView<TV> view) where TV : unmanaged
    {
        var host = new TV[view.Length];
        if (host.Length > 0) view.CopyToCPU(host);
        return host;
    }

    /// <summary>Copies <paramref name="host"/> into a device array of the same length.</summary>
    public static void Upload<TV>(TV[] host, ArrayView<TV> view) where TV : unmanaged
    {
        if (host.Length != view.Length) throw new ArgumentException("length mismatch");
        if (host.Length > 0) view.CopyFromCPU(host);
    }

    private ArrayView<TV> Upload<TV>(Accelerator a, TV[] data) where TV : unmanaged
    {
        var b = a.Allocate1D<TV>(data.Length);
        _buffers.Add(b);
        if (data.Length > 0) b.View.CopyFromCPU(data);
        return b.View;
    }

    private ArrayView<TV> Zeros<TV>(Accelerator a, long length) where TV : unmanaged
    {
        var b = a.Allocate1D<TV>(length);
        _buffers.Add(b);
        b.MemSetToZero();
        return b.View;
    }

    public void Dispose()
    {
        foreach (var b in _buffers) b.Dispose();
        _buffers.Clear();
    }
}
