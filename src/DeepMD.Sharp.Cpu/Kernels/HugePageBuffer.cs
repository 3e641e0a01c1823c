namespace DeepMD.Sharp.Cpu.Kernels;

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

/// <summary>
/// A zeroed native buffer on 2 MB boundaries that Linux is asked to back with transparent huge pages
/// (madvise(MADV_HUGEPAGE); the default THP mode is "madvise"). Read-mostly tables of several MB walked in data
/// order otherwise touch a new 4 KB page every row: with the neighbor list, the fitting weights and the workspaces
/// beside them, that many pages overflow the TLB, and each new row costs a page walk. Where huge pages are not
/// available the buffer is still valid (normal pages). Freed by its finalizer; it lives as long as its owner.
/// </summary>
internal sealed unsafe class HugePageBuffer<TE> where TE : unmanaged
{
    private const nuint HugePage = 2 << 20;
    private readonly void* _data;

    public HugePageBuffer(int length)
    {
        Length = length;
        var bytes = Math.Max((nuint)length * (nuint)sizeof(TE), 1);
        bytes = (bytes + HugePage - 1) / HugePage * HugePage;
        _data = NativeMemory.AlignedAlloc(bytes, HugePage);
        if (OperatingSystem.IsLinux())
        {
            try
            {
                _ = HugePages.Madvise(_data, bytes, HugePages.MadviseHugePage); // a hint: failure leaves normal pages
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
            }
        }
        NativeMemory.Clear(_data, bytes);
        GC.AddMemoryPressure((long)bytes);
        _bytes = bytes;
    }

    private readonly nuint _bytes;

    public int Length { get; }

    public ref TE this[int i]
    {
        get
        {
            if ((uint)i >= (uint)Length) throw new IndexOutOfRangeException();
            return ref ((TE*)_data)[i];
        }
    }

    public Span<TE> AsSpan() => new(_data, Length);

    public ref TE Reference => ref Unsafe.AsRef<TE>(_data);

    ~HugePageBuffer()
    {
        NativeMemory.AlignedFree(_data);
        GC.RemoveMemoryPressure((long)_bytes);
    }

}

/// <summary>The madvise call of <see cref="HugePageBuffer{TE}"/> (P/Invoke cannot live in a generic type).</summary>
internal static unsafe partial class HugePages
{
    public const int MadviseHugePage = 14; // MADV_HUGEPAGE

    [LibraryImport("libc", EntryPoint = "madvise")]
    public static partial int Madvise(void* address, nuint length, int advice);
}
