namespace DeepMD.Sharp.Gpu;

using ILGPU;
using ILGPU.Runtime;

/// <summary>An ILGPU context and accelerator released together.</summary>
internal sealed class OwnedDevice(Context context, Accelerator accelerator) : IDisposable
{
    public void Dispose()
    {
        accelerator.Dispose();
        context.Dispose();
    }
}
