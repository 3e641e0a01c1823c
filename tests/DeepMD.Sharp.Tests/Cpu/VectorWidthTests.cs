namespace DeepMD.Sharp.Tests.Cpu;

using System.Numerics;
using System.Runtime.Intrinsics;

/// <summary>
/// CI runs the CPU tests again with DOTNET_MaxVectorTBitWidth=512 and with AVX-512/AVX2 switched off; this checks that
/// the switch took effect, so those runs really exercise the other vector widths (a switch that does nothing, such as
/// DOTNET_PreferredVectorBitWidth for Vector&lt;T&gt;, would otherwise pass silently at the default width).
/// </summary>
public class VectorWidthTests
{
    [Test]
    public void VectorWidthFollowsTheRuntimeSwitches()
    {
        var bits = Vector<byte>.Count * 8;
        TestContext.Out.WriteLine($"Vector<T>: {bits} bits");
        var max = Environment.GetEnvironmentVariable("DOTNET_MaxVectorTBitWidth");
        if (max == "512" && Vector512.IsHardwareAccelerated && Environment.GetEnvironmentVariable("DOTNET_EnableAVX512F") != "0")
            Assert.That(bits, Is.EqualTo(512), "DOTNET_MaxVectorTBitWidth=512 on a CPU with accelerated 512-bit vectors");
        else if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") == "0")
            Assert.That(bits, Is.EqualTo(128), "AVX2 switched off");
        else if (Vector256.IsHardwareAccelerated && max is null)
            Assert.That(bits, Is.EqualTo(256), "the runtime's default width");
        else
            Assert.That(bits, Is.AnyOf(128, 256, 512));
    }
}
