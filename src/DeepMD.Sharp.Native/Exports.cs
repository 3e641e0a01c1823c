namespace DeepMD.Sharp.Native;

using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using DeepMD.Sharp.Core.Errors;

/// <summary>
/// The entry points of the C ABI (native/dpsharp.h, docs/c-api.md), called by libdpsharp.so through function
/// pointers from .NET's hosting API. Each returns an error code (<see cref="Codes"/>) and never lets an exception
/// out: the message is kept per thread and copied out by <see cref="LastError"/>. Handles are <see cref="GCHandle"/>s
/// of <see cref="ModelSet"/>.
/// </summary>
public static unsafe class Exports
{
    [ThreadStatic]
    private static string? _lastError;

    /// <summary>The error codes of dpsharp.h.</summary>
    public static class Codes
    {
        public const int Ok = 0;
        public const int Input = 1;
        public const int Argument = 2;
        public const int Runtime = 3;
        public const int Internal = 4;
    }

    /// <summary>Runs <paramref name="body"/>, turning an exception into a code and this thread's message.</summary>
    private static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (UserInputException e)
        {
            _lastError = e.Message;
            return Codes.Input;
        }
        catch (NativeArgumentException e)
        {
            _lastError = e.Message;
            return Codes.Argument;
        }
        catch (Exception e)
        {
            _lastError = $"{e.GetType().Name}: {e.Message}";
            return Codes.Internal;
        }
    }

    /// <summary>Copies <paramref name="text"/> as NUL-terminated UTF-8 into <paramref name="buf"/>; too small is an argument error.</summary>
    private static int CopyOut(string text, byte* buf, long cap, string what)
    {
        if (buf is null) throw new NativeArgumentException($"{what}: the buffer is NULL");
        var bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length + 1 > cap) throw new NativeArgumentException($"{what}: the buffer holds {cap} bytes, {bytes.Length + 1} are needed");
        bytes.CopyTo(new Span<byte>(buf, bytes.Length));
        buf[bytes.Length] = 0;
        return Codes.Ok;
    }

    private static ModelSet Models(nint handle, string what)
    {
        if (handle == 0) throw new NativeArgumentException($"{what}: the model handle is NULL");
        return GCHandle.FromIntPtr(handle).Target as ModelSet ?? throw new NativeArgumentException($"{what}: the model handle was freed");
    }

    /// <summary>The library's version string.</summary>
    [UnmanagedCallersOnly]
    public static int Version(byte* buf, int cap) => Guard(() =>
    {
        var asm = typeof(Exports).Assembly;
        var version = asm.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? asm.GetName().Version?.ToString() ?? "0";
        var plus = version.IndexOf('+');
        return CopyOut($"DeepMD.Sharp {(plus > 0 ? version[..plus] : version)}", buf, cap, "dpsharp_version_v1");
    });

    /// <summary>Copies this thread's last message (then forgets it).</summary>
    [UnmanagedCallersOnly]
    public static int LastError(byte* buf, int cap)
    {
        try
        {
            if (buf is null || cap <= 0) return Codes.Argument;
            var bytes = Encoding.UTF8.GetBytes(_lastError ?? "");
            var n = Math.Min(bytes.Length, cap - 1);
            // Cut on a character boundary.
            while (n > 0 && n < bytes.Length && (bytes[n] & 0xC0) == 0x80) n--;
            bytes.AsSpan(0, n).CopyTo(new Span<byte>(buf, n));
            buf[n] = 0;
            _lastError = null;
            return Codes.Ok;
        }
        catch
        {
            return Codes.Internal;
        }
    }

    /// <summary>Loads models; <paramref name="backend"/> may be NULL (auto).</summary>
    [UnmanagedCallersOnly]
    public static int Load(byte** paths, int count, byte* backend, nint* handle) => Guard(() =>
    {
        if (handle is null) throw new NativeArgumentException("dpsharp_model_load_v1: out is NULL");
        *handle = 0;
        if (paths is null || count < 1) throw new NativeArgumentException($"dpsharp_model_load_v1: give at least one model path (npaths = {count})");
        var list = new string[count];
        for (var k = 0; k < count; k++)
        {
            if (paths[k] is null) throw new NativeArgumentException($"dpsharp_model_load_v1: paths[{k}] is NULL");
            list[k] = Marshal.PtrToStringUTF8((nint)paths[k])!;
        }
        var name = backend is null ? null : Marshal.PtrToStringUTF8((nint)backend);
        var set = ModelSet.Load(list, string.IsNullOrWhiteSpace(name) ? null : name);
        *handle = GCHandle.ToIntPtr(GCHandle.Alloc(set));
        return Codes.Ok;
    });

    /// <summary>Frees a handle from <see cref="Load"/>.</summary>
    [UnmanagedCallersOnly]
    public static int Free(nint handle) => Guard(() =>
    {
        if (handle == 0) return Codes.Ok;
        var h = GCHandle.FromIntPtr(handle);
        (h.Target as ModelSet)?.Dispose();
        h.Free();
        return Codes.Ok;
    });

    /// <summary>Number of models, of types, and the cutoff.</summary>
    [UnmanagedCallersOnly]
    public static int Info(nint handle, int* models, int* types, double* cutoff) => Guard(() =>
    {
        var set = Models(handle, "dpsharp_model_info_v1");
        if (models is not null) *models = set.Count;
        if (types is not null) *types = set.TypeNames.Count;
        if (cutoff is not null) *cutoff = set.Cutoff;
        return Codes.Ok;
    });

    /// <summary>The type map, names separated by spaces.</summary>
    [UnmanagedCallersOnly]
    public static int TypeMap(nint handle, byte* buf, long cap) => Guard(() =>
        CopyOut(string.Join(' ', Models(handle, "dpsharp_type_map_v1").TypeNames), buf, cap, "dpsharp_type_map_v1"));

    /// <summary>Which backend runs the first model, and why.</summary>
    [UnmanagedCallersOnly]
    public static int Backend(nint handle, byte* buf, long cap) => Guard(() =>
        CopyOut(Models(handle, "dpsharp_backend_v1").BackendReason, buf, cap, "dpsharp_backend_v1"));

    /// <summary>N atoms in a periodic box (or none), our own neighbor search.</summary>
    [UnmanagedCallersOnly]
    public static int Compute(nint handle, int index, int natoms, double* coord, int* types, double* box,
        double* energy, double* force, double* virial, double* atomEnergy, double* atomVirial) => Guard(() =>
    {
        var set = Models(handle, "dpsharp_compute_v1");
        Require(natoms >= 0, $"dpsharp_compute_v1: natoms = {natoms} is negative");
        Require(natoms == 0 || (coord is not null && types is not null && force is not null), "dpsharp_compute_v1: coord, types and force must not be NULL");
        Require(energy is not null && virial is not null, "dpsharp_compute_v1: energy and virial must not be NULL");
        var r = set.Compute(index, new ReadOnlySpan<double>(coord, 3 * natoms), new ReadOnlySpan<int>(types, natoms),
            box is null ? null : new ReadOnlySpan<double>(box, 9).ToArray());
        WriteOut(r, natoms, energy, force, virial, atomEnergy, atomVirial);
        return Codes.Ok;
    });

    /// <summary>Local + ghost atoms with LAMMPS' neighbor list.</summary>
    [UnmanagedCallersOnly]
    public static int ComputeLammps(nint handle, int index, int nlocal, int nghost, double* coord, int* types,
        int inum, int* ilist, int* numneigh, int** firstneigh,
        double* energy, double* force, double* virial, double* atomEnergy, double* atomVirial) => Guard(() =>
    {
        const string Fn = "dpsharp_compute_lammps_v1";
        var set = Models(handle, Fn);
        Require(nlocal >= 0 && nghost >= 0, $"{Fn}: nlocal = {nlocal}, nghost = {nghost}; neither may be negative");
        Require(inum == nlocal, $"{Fn}: inum = {inum} but nlocal = {nlocal}; the list must have one center per local atom");
        var nall = nlocal + nghost;
        Require(nall == 0 || (coord is not null && types is not null && force is not null), $"{Fn}: coord, types and force must not be NULL");
        Require(inum == 0 || (ilist is not null && numneigh is not null && firstneigh is not null), $"{Fn}: ilist, numneigh and firstneigh must not be NULL");
        Require(energy is not null && virial is not null, $"{Fn}: energy and virial must not be NULL");
        var r = set.ComputeLammps(index, nlocal, nall, new ReadOnlySpan<double>(coord, 3 * nall), new ReadOnlySpan<int>(types, nall),
            new ReadOnlySpan<int>(ilist, inum), numneigh, firstneigh);
        WriteOut(r, nall, energy, force, virial, atomEnergy, atomVirial);
        return Codes.Ok;
    });

    private static void Require(bool ok, string message)
    {
        if (!ok) throw new NativeArgumentException(message);
    }

    private static void WriteOut(Models.Evaluation.EvaluationResult r, int n, double* energy, double* force, double* virial,
        double* atomEnergy, double* atomVirial)
    {
        *energy = r.Energy;
        r.Forces.AsSpan(0, 3 * n).CopyTo(new Span<double>(force, 3 * n));
        r.Virial.AsSpan().CopyTo(new Span<double>(virial, 9));
        if (atomEnergy is not null) r.AtomEnergy.AsSpan(0, n).CopyTo(new Span<double>(atomEnergy, n));
        if (atomVirial is not null) r.AtomVirial.AsSpan(0, 9 * n).CopyTo(new Span<double>(atomVirial, 9 * n));
    }
}

/// <summary>A NULL pointer, a negative count or a small buffer from the C side (<c>DPSHARP_ERR_ARGUMENT</c>).</summary>
public sealed class NativeArgumentException(string message) : Exception(message);
