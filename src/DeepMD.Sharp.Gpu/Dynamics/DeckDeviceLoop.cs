namespace DeepMD.Sharp.Gpu.Dynamics;

using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Dynamics.Checkpoints;
using DeepMD.Sharp.Dynamics.Device;
using DeepMD.Sharp.Dynamics.Fixes;
using DeepMD.Sharp.Gpu.Resident;
using DeepMD.Sharp.Models.Potentials;

/// <summary>
/// Hands a deck's <c>run</c> to <see cref="GpuMolecularDynamics"/> when everything the run does exists on the device:
/// <c>pair_style deepmd</c> evaluated by the GPU backend (with several models, their deviation is computed on the device
/// every out_freq steps, batched over the models, unless atomic or relative deviations are asked for), a box periodic in x, y and z that no fix changes,
/// and one integrator on group all, fix nve or fix nvt (no other fixes), no per-atom energies, no restart files during
/// the run. Anything else runs on the host loop, with the reason in the log.
/// </summary>
public sealed class DeckDeviceLoopFactory : IDeviceLoopFactory
{
    /// <inheritdoc/>
    public IDeviceLoop? TryCreate(Simulation sim, out string reason)
    {
        reason = "";
        if (sim.Potential is not DeepPotential dp || dp.Evaluator is not IDeviceResidentEvaluator evaluator) return null;
        reason = WhyNot(sim, dp);
        if (reason.Length > 0) return null;
        var fix = sim.Fixes[0];
        var settings = new DeviceMdSettings(sim.Timestep, sim.Neighbor.Skin, sim.Units.Ftm2v, sim.Units.Mvv2e, sim.Units.Boltz);
        if (fix is FixNvt nvt)
        {
            var o = nvt.Options;
            settings = settings with { Thermostat = new NoseHooverSettings(o.TStart, o.TStop, o.TDamp, o.TChain, o.TLoop, o.Drag) };
        }
        GpuModelDeviation? deviation = null;
        if (dp.Deviation is { } log)
            deviation = new GpuModelDeviation([evaluator, .. log.Others.Cast<IDeviceResidentEvaluator>()]);
        return new DeckDeviceLoop(sim, dp, evaluator, settings, fix as FixNvt, deviation);
    }

    private static string WhyNot(Simulation sim, DeepPotential dp)
    {
        if (dp.Deviation is { } log)
        {
            if (log.Atomic || log.RelativeForce is not null || log.RelativeVirial is not null)
                return "atomic or relative model deviations are computed on the host";
            if (log.Others.Any(o => o is not IDeviceResidentEvaluator r || r.Accelerator != ((IDeviceResidentEvaluator)dp.Evaluator).Accelerator))
                return "the other models of pair_style deepmd are not on the same GPU";
        }
        var box = sim.Box!;
        if (!box.Periodic[0] || !box.Periodic[1] || !box.Periodic[2]) return "the device loop needs a box periodic in x, y and z";
        if (sim.Dimension != 3) return "2-d systems run on the host";
        if (sim.Fixes.Count != 1 || sim.Fixes[0] is not (FixNve or FixNvt))
            return $"the device loop runs exactly one fix, nve or nvt; this run has {(sim.Fixes.Count == 0 ? "none" : string.Join(", ", sim.Fixes.Select(f => f.Style)))}";
        var fix = sim.Fixes[0];
        if (!fix.Group.IsAll) return $"fix {fix.Id} acts on group {fix.Group.Name}; the device loop integrates group all only";
        if (fix is FixNvt { Options.Barostat: true }) return "a barostat runs on the host";
        if (sim.PerAtomWanted) return "per-atom energies or virials are requested (dump or compute); the device loop does not return them";
        if (sim.ExtraDegreesRemoved != 0) return "degrees of freedom removed by other commands are not modelled on the device";
        if (sim.Observers.OfType<RestartWriter>().Any()) return "restart files are written from the host loop";
        return "";
    }

    private sealed class DeckDeviceLoop : IDeviceLoop
    {
        private readonly GpuMolecularDynamics _md;
        private readonly FixNvt? _nvt;
        private readonly int[] _imageA, _imageB, _imageC;
        private readonly GpuModelDeviation? _deviation;
        private readonly ModelDeviationLog? _log;
        private readonly Core.Geometry.Box _box;
        private readonly int[] _modelType;
        private readonly Models.Evaluation.EvaluationOptions _options;
        private readonly Action<GpuMolecularDynamics>? _observe;

        public DeckDeviceLoop(Simulation sim, DeepPotential dp, IDeviceResidentEvaluator evaluator, DeviceMdSettings settings, FixNvt? nvt,
            GpuModelDeviation? deviation)
        {
            var a = sim.Atoms;
            var n = a.Count;
            var modelType = new int[n];
            var mass = new double[n];
            for (var i = 0; i < n; i++)
            {
                modelType[i] = dp.ModelTypeOf(a.Type[i]);
                mass[i] = sim.Masses[a.Type[i]];
            }
            _imageA = a.ImageA[..n];
            _imageB = a.ImageB[..n];
            _imageC = a.ImageC[..n];
            _nvt = nvt;
            _deviation = deviation;
            _log = dp.Deviation;
            _box = sim.Box!.Cell;
            _modelType = modelType;
            _options = dp.Options;
            if (_deviation is not null) _observe = RecordDeviation;
            _md = new GpuMolecularDynamics(evaluator, sim.Box!.Cell, a.X[..n], a.Y[..n], a.Z[..n], modelType, mass,
                a.Vx[..n], a.Vy[..n], a.Vz[..n], settings, dp.Options)
            {
                Step = sim.Step,
            };
            // Continue the host fix's chain (it keeps its state from earlier runs, as LAMMPS' fix nvt does).
            if (nvt is not null) _md.ThermostatState = nvt.SaveState();
            _md.Begin(sim.RunEndStep);
            Description = $"{evaluator.Name} on {evaluator.Accelerator.Name}, fix {sim.Fixes[0].Style}, {n} atoms kept on the device" +
                          (deviation is null ? "" : $", model deviation of {dp.Deviation!.Others.Count + 1} models every {dp.Deviation.Every} steps");
        }

        /// <summary>After each device step: the deviation of the models at the positions of this step, when due.</summary>
        private void RecordDeviation(GpuMolecularDynamics md)
        {
            if (!_log!.IsDue(md.Step)) return;
            var (x, y, z, _, _, _, _, _, _) = md.Download();
            var d = _deviation!.Compute(_box, x, y, z, _modelType, _options);
            _log.RecordValues(md.Step, d[0], d[1], d[2], d[3], d[4], d[5]);
        }

        public string Description { get; }

        public int NeighborBuilds => _md.NeighborBuilds;

        public void Advance(long steps) => _md.Advance(steps, _observe);

        public void CopyTo(Simulation sim)
        {
            var a = sim.Atoms;
            var n = a.Count;
            var (x, y, z, vx, vy, vz, fx, fy, fz) = _md.Download();
            var (ia, ib, ic) = _md.DownloadImages();
            x.CopyTo(a.X, 0);
            y.CopyTo(a.Y, 0);
            z.CopyTo(a.Z, 0);
            vx.CopyTo(a.Vx, 0);
            vy.CopyTo(a.Vy, 0);
            vz.CopyTo(a.Vz, 0);
            fx.CopyTo(a.Fx, 0);
            fy.CopyTo(a.Fy, 0);
            fz.CopyTo(a.Fz, 0);
            for (var i = 0; i < n; i++)
            {
                a.ImageA[i] = _imageA[i] + ia[i];
                a.ImageB[i] = _imageB[i] + ib[i];
                a.ImageC[i] = _imageC[i] + ic[i];
            }
            var thermo = _md.Thermo();
            if (_nvt is not null && _md.ThermostatState is { } state)
            {
                _nvt.RestoreState(state);
                _nvt.SyncTargets(sim);
            }
            sim.AcceptExternalForces(thermo.PotentialEnergy, thermo.Virial);
        }

        public void Dispose()
        {
            _md.Dispose();
            _deviation?.Dispose();
        }
    }
}
