namespace DeepMD.Sharp.Gpu.Dynamics;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Dynamics.Fixes;
using DeepMD.Sharp.Gpu.Neighbors;
using DeepMD.Sharp.Gpu.Resident;
using DeepMD.Sharp.Models.Evaluation;
using ILGPU;
using ILGPU.Runtime;

/// <summary>Thermodynamic sums of one step, computed on the device and copied back (11 numbers per 256 atoms).</summary>
/// <param name="Step">Step number.</param>
/// <param name="PotentialEnergy">Σ per-atom energy, energy units.</param>
/// <param name="KineticEnergy">½·mvv2e·Σm·v², energy units.</param>
/// <param name="Temperature">2·KE/(dof·kB) with dof = 3N − 3.</param>
/// <param name="Virial">Σ pair virial, row-major 3×3, energy units (DeePMD-kit's sign).</param>
public sealed record DeviceThermo(long Step, double PotentialEnergy, double KineticEnergy, double Temperature, double[] Virial);

/// <summary>
/// Molecular dynamics with the atoms on the device: velocity Verlet (NVE, or with a Nosé–Hoover chain as fix nvt),
/// the neighbor list built on the device with a Verlet skin and rebuilt when an atom has moved more than half the skin
/// (one int copied back per step), forces from a <see cref="IDeviceResidentEvaluator"/>. The box is fixed and
/// periodic in all directions. Only <see cref="Thermo"/> and <see cref="Download"/> copy data to the host.
/// </summary>
public sealed class GpuMolecularDynamics : IDisposable
{
    private readonly IDeviceResidentEvaluator _evaluator;
    private readonly Accelerator _accelerator;
    private readonly Box _box;
    private readonly DeviceMdSettings _settings;
    private readonly EvaluationOptions _options;
    private readonly GpuAtoms _atoms;
    private readonly GpuNeighborList _list;
    private readonly NoseHooverThermostat? _chain;
    private readonly List<MemoryBuffer> _buffers = [];
    private readonly Action<Index1D, MdKernelParams> _kickDrift, _kick, _check, _save, _reduce, _wrap;
    private readonly Action<Index1D, MdKernelParams, double> _scale;
    private MdKernelParams _p;
    private readonly double _dof;
    private long _runStart, _runEnd;

    /// <summary>
    /// Uploads the atoms: unwrapped or wrapped positions (Å), model type and mass of each atom, velocities.
    /// </summary>
    public GpuMolecularDynamics(IDeviceResidentEvaluator evaluator, Box box, double[] x, double[] y, double[] z, int[] modelType,
        double[] mass, double[] vx, double[] vy, double[] vz, DeviceMdSettings settings, EvaluationOptions? options = null)
    {
        if (!(settings.Timestep > 0)) throw new UserInputException($"the timestep must be positive, got {settings.Timestep}");
        if (!(settings.Skin >= 0)) throw new UserInputException($"the neighbor skin must be non-negative, got {settings.Skin}");
        if (!box.IsPeriodic(0) || !box.IsPeriodic(1) || !box.IsPeriodic(2))
            throw new UserInputException("the device-resident MD loop needs a box periodic in all three directions; use the host loop (DPSHARP_BACKEND=cpu)");
        _evaluator = evaluator;
        _accelerator = evaluator.Accelerator;
        _box = box;
        _settings = settings;
        _options = options ?? new EvaluationOptions();
        var n = x.Length;
        if (n == 0) throw new UserInputException("the device-resident MD loop needs atoms");
        _atoms = new GpuAtoms(_accelerator, x, y, z, modelType);
        GpuAtoms.Upload(vx, _atoms.Vx);
        GpuAtoms.Upload(vy, _atoms.Vy);
        GpuAtoms.Upload(vz, _atoms.Vz);
        var d = evaluator.Model.Descriptor;
        var rc = d.Rcut;
        // Start from sel scaled to the list volume; the list grows if an atom has more.
        var grow = Math.Pow((rc + settings.Skin) / rc, 3);
        _list = new GpuNeighborList(_accelerator, d.TypeCount, d.Sel.Select(s => (int)Math.Ceiling(s * grow)).ToArray());
        _chain = settings.Thermostat is { } t
            ? new NoseHooverThermostat(t.TStart, t.TStop, t.TDamp, t.Chain, t.Loops, t.Drag, settings.Timestep, settings.Boltz)
            : null;
        _dof = 3.0 * n - 3.0;
        _p = new MdKernelParams
        {
            X = _atoms.X, Y = _atoms.Y, Z = _atoms.Z,
            Vx = _atoms.Vx, Vy = _atoms.Vy, Vz = _atoms.Vz,
            Fx = _atoms.Fx, Fy = _atoms.Fy, Fz = _atoms.Fz,
            Mass = Upload(mass),
            X0 = Allocate<double>(n), Y0 = Allocate<double>(n), Z0 = Allocate<double>(n),
            Moved = Allocate<int>(1),
            Geometry = Upload([.. box.Matrix.ToArray(), .. box.Inverse.ToArray()]),
            ImageA = Allocate<int>(n), ImageB = Allocate<int>(n), ImageC = Allocate<int>(n),
            AtomEnergy = _atoms.AtomEnergy,
            CenterVirial = _atoms.CenterVirial,
            Partial = Allocate<double>(11L * ((n + MdKernels.ReduceBlock - 1) / MdKernels.ReduceBlock)),
            AtomCount = n,
            Dt = settings.Timestep,
            Dtf = 0.5 * settings.Timestep * settings.Ftm2v,
            HalfSkin2 = 0.25 * settings.Skin * settings.Skin,
        };
        if (mass.Length != n || vx.Length != n || vy.Length != n || vz.Length != n) throw new ArgumentException("per-atom arrays disagree on the atom count");
        _kickDrift = _accelerator.LoadAutoGroupedStreamKernel<Index1D, MdKernelParams>(MdKernels.KickDrift);
        _kick = _accelerator.LoadAutoGroupedStreamKernel<Index1D, MdKernelParams>(MdKernels.Kick);
        _check = _accelerator.LoadAutoGroupedStreamKernel<Index1D, MdKernelParams>(MdKernels.CheckDisplacement);
        _save = _accelerator.LoadAutoGroupedStreamKernel<Index1D, MdKernelParams>(MdKernels.SaveBuildPositions);
        _reduce = _accelerator.LoadAutoGroupedStreamKernel<Index1D, MdKernelParams>(MdKernels.Reduce);
        _wrap = _accelerator.LoadAutoGroupedStreamKernel<Index1D, MdKernelParams>(MdKernels.Wrap);
        _scale = _accelerator.LoadAutoGroupedStreamKernel<Index1D, MdKernelParams, double>(MdKernels.Scale);
    }

    /// <summary>Atoms simulated.</summary>
    public int AtomCount => _atoms.Count;

    /// <summary>Current step number.</summary>
    public long Step { get; set; }

    /// <summary>Neighbor-list builds so far.</summary>
    public int NeighborBuilds => _list.Builds;

    /// <summary>The device neighbor list.</summary>
    public GpuNeighborList NeighborList => _list;

    /// <summary>Device bytes held by atoms, list, integrator and evaluator together.</summary>
    public long DeviceBytes => _evaluator.DeviceBytes + _list.DeviceBytes + _buffers.Sum(b => b.LengthInBytes) + GpuAtoms.BytesPerAtom * AtomCount;

    /// <summary>Builds the list, evaluates the forces of the current positions and sets the thermostat up (LAMMPS'
    /// setup, which every <see cref="Run"/> starts with).</summary>
    public void Setup()
    {
        Rebuild();
        _evaluator.EvaluateOnDevice(_atoms, _list, _options);
        _chain?.Setup(Thermo().Temperature, _dof);
    }

    /// <summary>Advances <paramref name="steps"/> steps; <paramref name="observe"/> (if given) is called after each step.</summary>
    public void Run(long steps, Action<GpuMolecularDynamics>? observe = null)
    {
        if (steps < 0) throw new UserInputException($"run needs a non-negative number of steps, got {steps}");
        Begin(Step + steps);
        Advance(steps, observe);
    }

    /// <summary>
    /// Starts a run that ends at step <paramref name="runEnd"/> (the thermostat ramps its target over the run): list,
    /// forces and thermostat set up once, as the host does at a run's setup.
    /// </summary>
    public void Begin(long runEnd)
    {
        if (runEnd < Step) throw new ArgumentOutOfRangeException(nameof(runEnd), "the run ends before the current step");
        _runStart = Step;
        _runEnd = runEnd;
        Setup();
    }

    /// <summary>
    /// The thermostat chain's state in the host fix nvt's checkpoint layout, or null for NVE; set it before
    /// <see cref="Begin"/> to continue a host chain.
    /// </summary>
    public double[]? ThermostatState
    {
        get => _chain?.Save();
        set
        {
            if (_chain is null || value is null) return;
            _chain.Load(value);
        }
    }

    /// <summary>The thermostat chain's share of the conserved energy (fix nvt's scalar), or 0 for NVE.</summary>
    public double ThermostatEnergy => _chain?.Energy ?? 0.0;

    /// <summary>Advances <paramref name="steps"/> steps of a run started with <see cref="Begin"/>.</summary>
    public void Advance(long steps, Action<GpuMolecularDynamics>? observe = null)
    {
        var n = AtomCount;
        int[] moved = [0];
        for (long s = 0; s < steps; s++)
        {
            Step++;
            if (_chain is not null) _scale(n, _p, _chain.Initial(NoseHooverChain.RampFraction(Step, _runStart, _runEnd)));
            _kickDrift(n, _p);
            _p.Moved.MemSetToZero();
            _check(n, _p);
            _p.Moved.CopyToCPU(moved);
            if (moved[0] != 0) Rebuild();
            _evaluator.EvaluateOnDevice(_atoms, _list, _options);
            _kick(n, _p);
            if (_chain is not null) _scale(n, _p, _chain.Final(Thermo().Temperature, _dof));
            observe?.Invoke(this);
        }
        _accelerator.Synchronize();
    }

    /// <summary>Energy, temperature and virial of the current state (a device reduction; 11 doubles per 256 atoms come back).</summary>
    public DeviceThermo Thermo()
    {
        var blocks = (AtomCount + MdKernels.ReduceBlock - 1) / MdKernels.ReduceBlock;
        _reduce(blocks, _p);
        var partial = GpuAtoms.Download(_p.Partial);
        double e = 0, mv2 = 0;
        var virial = new double[9];
        for (var b = 0; b < blocks; b++)
        {
            e += partial[11 * b];
            mv2 += partial[11 * b + 1];
            for (var k = 0; k < 9; k++) virial[k] += partial[11 * b + 2 + k];
        }
        var ke = 0.5 * _settings.Mvv2e * mv2;
        var t = _dof > 0 ? mv2 * _settings.Mvv2e / (_dof * _settings.Boltz) : 0.0;
        return new DeviceThermo(Step, e, ke, t, virial);
    }

    /// <summary>The image flags: how many lattice vectors each atom has been wrapped by since the start (unwrapped
    /// position = position + image · H).</summary>
    public (int[] A, int[] B, int[] C) DownloadImages()
    {
        _accelerator.Synchronize();
        return (GpuAtoms.Download(_p.ImageA), GpuAtoms.Download(_p.ImageB), GpuAtoms.Download(_p.ImageC));
    }

    /// <summary>Copies positions (wrapped into the cell at the last neighbor build), velocities and forces to the host.</summary>
    public (double[] X, double[] Y, double[] Z, double[] Vx, double[] Vy, double[] Vz, double[] Fx, double[] Fy, double[] Fz) Download()
    {
        _accelerator.Synchronize();
        return (GpuAtoms.Download(_atoms.X), GpuAtoms.Download(_atoms.Y), GpuAtoms.Download(_atoms.Z),
            GpuAtoms.Download(_atoms.Vx), GpuAtoms.Download(_atoms.Vy), GpuAtoms.Download(_atoms.Vz),
            GpuAtoms.Download(_atoms.Fx), GpuAtoms.Download(_atoms.Fy), GpuAtoms.Download(_atoms.Fz));
    }

    private void Rebuild()
    {
        // Wrap first, as the host loop does at its rebuilds: positions stay near the cell, the list's shifts stay small.
        _wrap(AtomCount, _p);
        _list.Build(_atoms.X, _atoms.Y, _atoms.Z, _atoms.ModelType, AtomCount, _box, _evaluator.Model.Descriptor.Rcut + _settings.Skin);
        _save(AtomCount, _p);
    }

    private ArrayView<TV> Allocate<TV>(long length) where TV : unmanaged
    {
        var b = _accelerator.Allocate1D<TV>(Math.Max(1, length));
        _buffers.Add(b);
        b.MemSetToZero();
        return b.View;
    }

    private ArrayView<TV> Upload<TV>(TV[] data) where TV : unmanaged
    {
        var b = _accelerator.Allocate1D<TV>(Math.Max(1, data.Length));
        _buffers.Add(b);
        if (data.Length > 0) b.View.SubView(0, data.Length).CopyFromCPU(data);
        return b.View;
    }

    public void Dispose()
    {
        _list.Dispose();
        _atoms.Dispose();
        foreach (var b in _buffers) b.Dispose();
        _buffers.Clear();
    }
}
