namespace DeepMD.Sharp.Gpu.Resident;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Gpu.Neighbors;
using DeepMD.Sharp.Models.Evaluation;
using ILGPU;
using ILGPU.Runtime;

/// <summary>
/// Model deviation of an ensemble on the device, in <c>dp model-devi</c>'s columns. The positions are uploaded and
/// the neighbor list is built once per frame (cutoff: the largest rcut); every model is evaluated on those same device
/// arrays (one after another, each with its own weights), forces stay on the device, and the per-atom force deviation
/// and its max/min/mean are reduced there. Per frame only 3 doubles per 256 atoms and 10 per model and 256 atoms come back.
/// </summary>
public sealed class GpuModelDeviation : IDisposable
{
    private readonly IReadOnlyList<IDeviceResidentEvaluator> _models;
    private readonly Accelerator _accelerator;
    private readonly GpuNeighborList _list;
    private readonly Action<Index1D, ArrayView<double>, ArrayView<double>, int, int> _deviation;
    private readonly Action<Index1D, ArrayView<double>, ArrayView<double>, int> _reduceSigma;
    private readonly Action<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, int> _sumEnergy;
    private readonly double _cutoff;
    private State? _state;

    /// <summary>The ensemble (two or more evaluators on one device, same type map); not owned.</summary>
    public GpuModelDeviation(IReadOnlyList<IDeviceResidentEvaluator> models)
    {
        if (models.Count < 2) throw new ArgumentException("model deviation needs at least two models");
        _models = models;
        _accelerator = models[0].Accelerator;
        var first = models[0].Model;
        foreach (var m in models)
        {
            if (m.Accelerator != _accelerator) throw new ArgumentException("all models must live on the same device");
            if (!m.Model.TypeMap.Names.SequenceEqual(first.TypeMap.Names)) throw new ArgumentException("the models disagree on the type map");
        }
        _cutoff = models.Max(m => m.Model.Descriptor.Rcut);
        var sel = Enumerable.Range(0, first.TypeMap.Count).Select(t => models.Max(m => m.Model.Descriptor.Sel[t])).ToArray();
        _list = new GpuNeighborList(_accelerator, first.TypeMap.Count, sel);
        _deviation = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, int, int>(DeviationKernels.ForceDeviation);
        _reduceSigma = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, int>(DeviationKernels.ReduceSigma);
        _sumEnergy = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, int>(DeviationKernels.SumEnergyVirial);
    }

    /// <summary>Device bytes per atom of the ensemble's own arrays (positions, per-model forces, energies and virials, σ, list).</summary>
    public long BytesPerAtom => GpuAtoms.BytesPerAtom + _models.Count * (3 * 8 + 8 + 9 * 8) + 8 + _list.BytesPerAtom;

    /// <summary>
    /// [max_devi_v, min_devi_v, avg_devi_v, max_devi_f, min_devi_f, avg_devi_f, devi_e] of one periodic frame:
    /// population standard deviations over the models; virial and energy per atom, as <c>dp model-devi</c>.
    /// </summary>
    public double[] Compute(Box box, double[] x, double[] y, double[] z, int[] modelType, EvaluationOptions? options = null)
    {
        options ??= new EvaluationOptions();
        var n = x.Length;
        var s = Prepare(n);
        GpuAtoms.Upload(x, s.Atoms.X);
        GpuAtoms.Upload(y, s.Atoms.Y);
        GpuAtoms.Upload(z, s.Atoms.Z);
        GpuAtoms.Upload(modelType, s.Atoms.ModelType);
        _list.Build(s.Atoms.X, s.Atoms.Y, s.Atoms.Z, s.Atoms.ModelType, n, box, _cutoff);
        var blocks = (n + DeviationKernels.Block - 1) / DeviationKernels.Block;
        var nm = _models.Count;
        var energy = new double[nm];
        var virial = new double[nm][];
        for (var k = 0; k < nm; k++)
        {
            _models[k].EvaluateOnDevice(s.PerModel[k], _list, options);
            _sumEnergy(blocks, s.PerModel[k].AtomEnergy, s.PerModel[k].CenterVirial, s.Partial, n);
            var partial = GpuAtoms.Download(s.Partial.SubView(0, 10L * blocks));
            virial[k] = new double[9];
            for (var b = 0; b < blocks; b++)
            {
                energy[k] += partial[10 * b];
                for (var q = 0; q < 9; q++) virial[k][q] += partial[10 * b + 1 + q];
            }
        }
        _deviation(n, s.Forces, s.Sigma, n, nm);
        _reduceSigma(blocks, s.Sigma, s.Partial, n);
        var sig = GpuAtoms.Download(s.Partial.SubView(0, 3L * blocks));
        double maxF = double.NegativeInfinity, minF = double.PositiveInfinity, sumF = 0;
        for (var b = 0; b < blocks; b++)
        {
            maxF = Math.Max(maxF, sig[3 * b]);
            minF = Math.Min(minF, sig[3 * b + 1]);
            sumF += sig[3 * b + 2];
        }
        var virialDev = new double[9];
        for (var q = 0; q < 9; q++)
        {
            var mean = virial.Average(v => v[q] / n);
            virialDev[q] = Math.Sqrt(virial.Sum(v => (v[q] / n - mean) * (v[q] / n - mean)) / nm);
        }
        var me = energy.Average(e => e / n);
        var devE = Math.Sqrt(energy.Sum(e => (e / n - me) * (e / n - me)) / nm);
        return [virialDev.Max(), virialDev.Min(), Math.Sqrt(virialDev.Average(v => v * v)), maxF, minF, sumF / n, devE];
    }

    private State Prepare(int n)
    {
        if (_state is { } s && s.Atoms.Count == n) return s;
        _state?.Dispose();
        _state = new State(_accelerator, n, _models.Count);
        return _state;
    }

    public void Dispose()
    {
        _state?.Dispose();
        _list.Dispose();
    }

    /// <summary>The device arrays for one atom count.</summary>
    private sealed class State : IDisposable
    {
        private readonly List<MemoryBuffer> _buffers = [];

        public State(Accelerator a, int n, int models)
        {
            Atoms = new GpuAtoms(a, new double[n], new double[n], new double[n], new int[n]);
            Forces = Allocate(a, 3L * models * n);
            Sigma = Allocate(a, n);
            Partial = Allocate(a, 10L * ((n + DeviationKernels.Block - 1) / DeviationKernels.Block));
            PerModel = new GpuAtoms[models];
            for (var k = 0; k < models; k++)
                PerModel[k] = new GpuAtoms(a, Atoms, Forces.SubView((3L * k) * n, n), Forces.SubView((3L * k + 1) * n, n), Forces.SubView((3L * k + 2) * n, n));
        }

        public GpuAtoms Atoms { get; }
        public GpuAtoms[] PerModel { get; }
        public ArrayView<double> Forces { get; }
        public ArrayView<double> Sigma { get; }
        public ArrayView<double> Partial { get; }

        private ArrayView<double> Allocate(Accelerator a, long length)
        {
            var b = a.Allocate1D<double>(Math.Max(1, length));
            _buffers.Add(b);
            return b.View;
        }

        public void Dispose()
        {
            foreach (var m in PerModel) m.Dispose();
            Atoms.Dispose();
            foreach (var b in _buffers) b.Dispose();
        }
    }
}
