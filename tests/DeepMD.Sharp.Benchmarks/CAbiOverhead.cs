namespace DeepMD.Sharp.Benchmarks;

using System.Diagnostics;
using System.Runtime.InteropServices;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.IO;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Backends;
using DeepMD.Sharp.Models.Evaluation;

/// <summary>
/// The cost of one call through the C ABI against the same evaluation in process, on one structure:
/// <c>dotnet run -c Release --project tests/DeepMD.Sharp.Benchmarks -- cabi LIBDPSHARP.so MODEL STRUCTURE [CALLS]</c>
/// (O,H type map for LAMMPS data files). Both evaluate with a fresh neighbor list each call and the same backend;
/// the C ABI path goes through libdpsharp.so's exported dpsharp_compute_v1 (the hosted runtime is this one).
/// Prints the median wall time of each, timed in alternating blocks of 50 calls so that machine noise hits both alike
/// (set DPSHARP_THREADS=1 for figures free of thread wake-ups).
/// </summary>
public static unsafe class CAbiOverhead
{
    public static void Run(string library, string modelPath, string structurePath, int calls)
    {
        var s = StructureReader.Read(structurePath, ["O", "H"]);
        var model = ModelLoader.Load(modelPath);
        DeepMD.Sharp.Cpu.CpuBackends.Register(BackendRegistry.Default);
        var evaluator = BackendRegistry.Default.Create(model, "auto", out var reason);
        var types = s.TypesFor(model.TypeMap);
        var result = new EvaluationResult();
        var options = new EvaluationOptions();

        var lib = NativeLibrary.Load(library);
        var load = (delegate* unmanaged<byte**, int, byte*, nint*, int>)NativeLibrary.GetExport(lib, "dpsharp_model_load_v1");
        var compute = (delegate* unmanaged<nint, int, int, double*, int*, double*, double*, double*, double*, double*, double*, int>)
            NativeLibrary.GetExport(lib, "dpsharp_compute_v1");
        var lastError = (delegate* unmanaged<byte*>)NativeLibrary.GetExport(lib, "dpsharp_last_error_v1");
        var path = Marshal.StringToCoTaskMemUTF8(modelPath);
        var backend = Marshal.StringToCoTaskMemUTF8("auto");
        nint loaded;
        var paths = (byte*)path;
        if (load(&paths, 1, (byte*)backend, &loaded) != 0) throw new InvalidOperationException(Marshal.PtrToStringUTF8((nint)lastError()));

        var n = s.Count;
        var coord = new double[3 * n];
        for (var i = 0; i < n; i++) (coord[3 * i], coord[3 * i + 1], coord[3 * i + 2]) = (s.X[i], s.Y[i], s.Z[i]);
        var box = s.Box!.Matrix.ToArray();
        var force = new double[3 * n];
        var virial = new double[9];
        var energy = new double[1];
        var handle = loaded;

        void InProcess()
        {
            var list = CellListNeighborSearch.Build(s.X, s.Y, s.Z, s.Box, model.Cutoff);
            evaluator.Evaluate(types, list, options, result);
        }

        var set = DeepMD.Sharp.Native.ModelSet.Load([modelPath], "auto");
        void ModelSetInProcess() => set.Compute(0, coord, types, box);

        void ThroughCAbi()
        {
            fixed (double* c = coord, b = box, f = force, v = virial, e = energy)
            fixed (int* t = types)
            {
                if (compute(handle, 0, n, c, t, b, e, f, v, null, null) != 0)
                    throw new InvalidOperationException(Marshal.PtrToStringUTF8((nint)lastError()));
            }
        }

        for (var k = 0; k < 30; k++)
        {
            InProcess();
            ThroughCAbi();
            ModelSetInProcess();
        }
        if (Math.Abs(energy[0] - result.Energy) > 1e-9 * Math.Abs(result.Energy)) throw new InvalidOperationException($"energies differ: {energy[0]} vs {result.Energy}");
        // Blocks of 50 calls, alternating, so that neither path runs right after the other's (possibly spinning) workers.
        var a = new double[calls];
        var c2 = new double[calls];
        var m = new double[calls];
        const int Block = 50;
        for (var start = 0; start < calls; start += Block)
        {
            var end = Math.Min(calls, start + Block);
            for (var k = start; k < end; k++)
            {
                var t0 = Stopwatch.GetTimestamp();
                InProcess();
                a[k] = (Stopwatch.GetTimestamp() - t0) * 1e6 / Stopwatch.Frequency;
            }
            for (var k = start; k < end; k++)
            {
                var t0 = Stopwatch.GetTimestamp();
                ThroughCAbi();
                c2[k] = (Stopwatch.GetTimestamp() - t0) * 1e6 / Stopwatch.Frequency;
            }
            for (var k = start; k < end; k++)
            {
                var t0 = Stopwatch.GetTimestamp();
                ModelSetInProcess();
                m[k] = (Stopwatch.GetTimestamp() - t0) * 1e6 / Stopwatch.Frequency;
            }
        }
        Array.Sort(a);
        Array.Sort(c2);
        Array.Sort(m);
        Console.WriteLine($"{n} atoms, {calls} calls each, backend {reason}");
        Console.WriteLine($"in process (neighbor list + Evaluate): median {a[calls / 2]:F1} µs");
        Console.WriteLine($"ModelSet.Compute (the C ABI's managed side, called in process): median {m[calls / 2]:F1} µs");
        Console.WriteLine($"C ABI dpsharp_compute_v1:             median {c2[calls / 2]:F1} µs   (overhead {c2[calls / 2] - a[calls / 2]:F1} µs, {100 * (c2[calls / 2] / a[calls / 2] - 1):F1} %)");
    }
}
