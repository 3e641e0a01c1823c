namespace DeepMD.Sharp.Gpu.Resident;

using DeepMD.Sharp.Gpu.Neighbors;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;
using ILGPU.Runtime;

/// <summary>A model evaluator that works on atoms and a neighbor list that stay on its device.</summary>
public interface IDeviceResidentEvaluator : IDisposable
{
    /// <summary>The model evaluated.</summary>
    DeepPotModel Model { get; }

    /// <summary>The device everything lives on.</summary>
    Accelerator Accelerator { get; }

    /// <summary>Backend name (precision, compression, device).</summary>
    string Name { get; }

    /// <summary>Device bytes per atom of chunk capacity (model buffers once on top).</summary>
    long DeviceBytesPerAtom { get; }

    /// <summary>Device bytes held now.</summary>
    long DeviceBytes { get; }

    /// <summary>Forces, per-atom energies and per-center virials of <paramref name="atoms"/> into their device arrays.</summary>
    void EvaluateOnDevice(GpuAtoms atoms, GpuNeighborList list, EvaluationOptions options);
}
