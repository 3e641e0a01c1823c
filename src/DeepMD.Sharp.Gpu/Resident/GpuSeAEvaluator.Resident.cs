namespace DeepMD.Sharp.Gpu;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Gpu.Neighbors;
using DeepMD.Sharp.Gpu.Resident;
using DeepMD.Sharp.Models.Evaluation;
using ILGPU;
using ILGPU.Runtime;

/// <summary>The device-resident path: positions, neighbor list, forces and per-atom outputs never leave the device.</summary>
public sealed partial class GpuSeAEvaluator<T>
{
    private readonly List<MemoryBuffer> _residentBuffers = [];
    private readonly List<MemoryBuffer> _residentChunkBuffers = [];
    private Action<Index1D, SeAKernelParams<T>, ResidentParams>? _stage;
    private Action<Index1D, SeAKernelParams<T>, ResidentParams>? _scatter;
    private ResidentParams _r;
    private int _residentCapacity, _residentAtoms;

    private long ResidentDeviceBytes => _residentBuffers.Concat(_residentChunkBuffers).Sum(b => b.LengthInBytes);

    /// <summary>Device bytes used by the resident path on top of <see cref="DeviceBytesPerAtom"/>: per atom of chunk
    /// capacity (the neighbor of each slot) and per system atom (neighbor counts per type).</summary>
    public (long PerChunkAtom, long PerAtom) ResidentBytes => (4L * _d.SlotCount, 4L * _d.TypeCount);

    /// <summary>
    /// Evaluates the model for the atoms on the device, with the device neighbor list <paramref name="list"/> (built
    /// from the same atoms with a cutoff ≥ rcut; it may hold neighbors out to rcut + skin). Writes forces, per-atom
    /// energies and per-center virials into <paramref name="atoms"/>; nothing is copied to the host but two ints per
    /// chunk (the sel and overlap checks). Throws <see cref="UserInputException"/> naming the lowest atom whose type
    /// block has more neighbors within rcut than sel, or that overlaps a neighbor.
    /// </summary>
    public void EvaluateOnDevice(GpuAtoms atoms, GpuNeighborList list, EvaluationOptions options)
    {
        lock (_gate)
        {
            if (_tail > 0)
                throw new UserInputException("the device-resident evaluation does not take fparam, aparam or case-embedding inputs; run this model with the host loop (DPSHARP_BACKEND=cpu)");
            if (options.SelOverflow != SelOverflowPolicy.Error)
                throw new UserInputException("sel truncation (--allow-sel-truncation) is not available in the device-resident loop; run with the host loop");
            if (list.TypeCount != _d.TypeCount) throw new ArgumentException("the neighbor list's types differ from the model's");
            if (list.Cutoff < _d.Rcut) throw new ArgumentException($"the neighbor list cutoff {list.Cutoff} is below rcut {_d.Rcut}");
            if (list.AtomCount != atoms.Count) throw new ArgumentException("the neighbor list was built for another atom count");
            var n = atoms.Count;
            EnsureResidentModel();
            EnsureCapacity(Math.Min(n, ChunkAtoms));
            EnsureResidentChunk(_capacity, n);
            var lv = list.Views;
            _r.X = atoms.X;
            _r.Y = atoms.Y;
            _r.Z = atoms.Z;
            _r.ModelType = atoms.ModelType;
            _r.Fx = atoms.Fx;
            _r.Fy = atoms.Fy;
            _r.Fz = atoms.Fz;
            _r.AtomEnergy = atoms.AtomEnergy;
            _r.CenterVirial = atoms.CenterVirial;
            _r.ListUsed = lv.Used;
            _r.ListNeighbor = lv.Neighbor;
            _r.ListShift = lv.Shift;
            _r.ListCapOffset = lv.CapOffset;
            _r.Geometry = lv.Geometry;
            _r.ListStride = lv.Stride;
            _r.Order = lv.CellAtoms;
            _r.Rcut2 = _d.Rcut * _d.Rcut;
            _r.Overlap2 = options.OverlapDistance * options.OverlapDistance;
            atoms.Fx.MemSetToZero();
            atoms.Fy.MemSetToZero();
            atoms.Fz.MemSetToZero();
            // Chunks follow the list's cell order, so each is a compact piece of space. The checks keep the lowest
            // atom over all chunks, so the error names the same atom as the host's.
            _r.Problem.CopyFromCPU([int.MaxValue, int.MaxValue]);
            for (var start = 0; start < n; start += ChunkAtoms)
            {
                var count = Math.Min(ChunkAtoms, n - start);
                _r.Start = start;
                _stage!(count, _p, _r);
                RunKernels(count);
                _scatter!(count, _p, _r);
                _accelerator.Synchronize();
            }
            var problem = GpuAtoms.Download(_r.Problem);
            if (problem[1] != int.MaxValue)
                throw new UserInputException($"atom {problem[1] + 1} has a neighbor closer than {options.OverlapDistance} Å; the potential is undefined there (overlapping atoms, or the run became unstable)");
            if (problem[0] != int.MaxValue) throw SelOverflow(problem[0], options);
        }
    }

    private UserInputException SelOverflow(int atom, EvaluationOptions options)
    {
        var nt = _d.TypeCount;
        var counts = new int[nt];
        _r.RcCount.SubView((long)atom * nt, nt).CopyToCPU(counts);
        var ti = GpuAtoms.Download(_r.ModelType.SubView(atom, 1))[0];
        for (var t = 0; t < nt; t++)
            if (counts[t] > _d.Sel[t]) return ReferenceEvaluator.SelOverflowError(Model, atom, t, counts[t], options, ti);
        return new UserInputException($"atom {atom + 1} has more neighbors than the model's sel");
    }

    private void EnsureResidentModel()
    {
        if (_stage is not null) return;
        var nt = _d.TypeCount;
        var atomExcluded = new int[nt];
        var pairExcluded = new int[nt * nt];
        var descriptorExcluded = new int[nt * nt];
        var bias = new double[nt];
        for (var a = 0; a < nt; a++)
        {
            atomExcluded[a] = Model.IsAtomExcluded(a) ? 1 : 0;
            bias[a] = Model.Fitting.BiasAtomE[a] + Model.OutBias[a];
            for (var b = 0; b < nt; b++)
            {
                pairExcluded[a * nt + b] = Model.IsPairExcluded(a, b) ? 1 : 0;
                descriptorExcluded[a * nt + b] = _d.IsExcluded(a, b) ? 1 : 0;
            }
        }
        _r.AtomExcluded = UploadResident(atomExcluded);
        _r.PairExcluded = UploadResident(pairExcluded);
        _r.DescriptorExcluded = UploadResident(descriptorExcluded);
        _r.SelOffset = UploadResident(_d.SelOffsets.ToArray());
        _r.EnergyBias = UploadResident(bias);
        _r.Problem = UploadResident(new int[2]);
        if (typeof(T) == typeof(double)) (_stage, _scatter) = LoadResident<double, DoubleOps>(_accelerator);
        else (_stage, _scatter) = LoadResident<float, FloatOps>(_accelerator);
    }

    private static (Action<Index1D, SeAKernelParams<T>, ResidentParams>, Action<Index1D, SeAKernelParams<T>, ResidentParams>) LoadResident<TS, TOps>(Accelerator a)
        where TS : unmanaged where TOps : struct, IRealOps<TS>
    {
        // T == TS here; the casts through object only restate that for the compiler.
        Action<Index1D, SeAKernelParams<T>, ResidentParams> Load(Action<Index1D, SeAKernelParams<TS>, ResidentParams> k) =>
            (Action<Index1D, SeAKernelParams<T>, ResidentParams>)(object)a.LoadAutoGroupedStreamKernel(k);
        return (Load(ResidentKernels<TS, TOps>.StageSlots), Load(ResidentKernels<TS, TOps>.ScatterForces));
    }

    private void EnsureResidentChunk(int chunk, int atoms)
    {
        if (chunk <= _residentCapacity && atoms <= _residentAtoms) return;
        foreach (var b in _residentChunkBuffers) b.Dispose();
        _residentChunkBuffers.Clear();
        _residentCapacity = Math.Max(chunk, _residentCapacity);
        _residentAtoms = Math.Max(atoms, _residentAtoms);
        _r.SlotNeighbor = AllocateResident<int>((long)_residentCapacity * _d.SlotCount);
        _r.RcCount = AllocateResident<int>((long)_residentAtoms * _d.TypeCount);
    }

    private ArrayView<TV> AllocateResident<TV>(long length) where TV : unmanaged
    {
        var b = _accelerator.Allocate1D<TV>(Math.Max(1, length));
        _residentChunkBuffers.Add(b);
        return b.View;
    }

    private ArrayView<TV> UploadResident<TV>(TV[] data) where TV : unmanaged
    {
        var b = _accelerator.Allocate1D<TV>(Math.Max(1, data.Length));
        _residentBuffers.Add(b);
        if (data.Length > 0) b.View.SubView(0, data.Length).CopyFromCPU(data);
        return b.View;
    }

    private void DisposeResident()
    {
        foreach (var b in _residentBuffers.Concat(_residentChunkBuffers)) b.Dispose();
        _residentBuffers.Clear();
        _residentChunkBuffers.Clear();
        _residentCapacity = 0;
        _residentAtoms = 0;
        _stage = null;
        _scatter = null;
    }
}
