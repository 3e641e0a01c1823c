namespace DeepMD.Sharp.Dynamics.Fixes;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Dynamics.Thermo;

/// <summary>
/// The one Nosé–Hoover integrator behind <c>fix nvt</c>, <c>fix npt</c> and <c>fix nph</c>, following LAMMPS' fix nh
/// step for step: Martyna–Tuckerman–Klein thermostat chains on the particles (<c>tchain</c>, <c>tloop</c>) and on the
/// barostat (<c>pchain</c>, <c>ploop</c>), the Martyna–Tobias–Klein barostat with its correction terms
/// (<c>mtk</c>), iso/aniso/triclinic cell dynamics with coupling, and the box updated by two half-step remaps around
/// the position drift, every atom mapped affinely with the box.
/// </summary>
public abstract class FixNoseHoover : Fix
{
    private enum CellStyle { Iso, Aniso, Triclinic }

    private readonly NoseHooverOptions _o;
    private readonly bool _tstat, _pstat;
    private readonly CellStyle _pstyle;
    private readonly int _tChain, _pChain;
    private readonly double[] _pFreq = new double[6];

    private readonly NoseHooverChainState _particleChain, _barostatChain;
    private readonly Action<double> _scaleParticles;
    private NoseHooverThermostatSettings _thermostat;
    private Simulation? _sim;
    private readonly double[] _omega = new double[6], _omegaDot = new double[6], _omegaMass = new double[6];
    private readonly double[] _h0Inv = new double[6];
    private readonly double[] _pTarget = new double[6], _pCurrent = new double[6];
    private readonly double[] _sigma = new double[6], _fdev = new double[6];
    private readonly double[] _keTensor = new double[6];
    private readonly NoseHooverCell _cell;
    private readonly double[] _fixedPoint = new double[3];
    private bool _fixedPointSet;
    private double _vol0, _t0;

    private double _dtv, _dtf, _dthalf, _dt4, _dto;
    private double _pFreqMax, _pDragFactor, _pHydro, _mtkTerm1, _mtkTerm2;
    private double _tTarget, _keTarget, _tCurrent, _tdof;
    private int _pdim;
    private double[] _mass = [];

    /// <summary>Checks the settings (errors name the fix style) and allocates the chains.</summary>
    protected FixNoseHoover(string id, NoseHooverOptions options) : base(id)
    {
        _o = options;
        var style = StyleName;
        _tstat = options.Thermostat;
        _pstat = options.Barostat;
        if (_tstat)
        {
            if (!(options.TStart > 0) || !(options.TStop > 0)) throw new UserInputException($"fix {style}: target temperatures must be positive, got {options.TStart} {options.TStop}");
            if (!(options.TDamp > 0)) throw new UserInputException($"fix {style}: the damping time must be positive, got {options.TDamp}");
        }
        if (options.TChain < 1) throw new UserInputException($"fix {style}: tchain must be at least 1, got {options.TChain}");
        if (options.PChain < 0) throw new UserInputException($"fix {style}: pchain must be at least 0, got {options.PChain}");
        if (options.TLoop < 1) throw new UserInputException($"fix {style}: tloop must be at least 1, got {options.TLoop}");
        if (options.PLoop < 1) throw new UserInputException($"fix {style}: ploop must be at least 1, got {options.PLoop}");
        if (options.NReset < 0) throw new UserInputException($"fix {style}: nreset must be non-negative, got {options.NReset}");
        if (options.Drag < 0) throw new UserInputException($"fix {style}: drag must be non-negative, got {options.Drag}");
        var f = options.PFlag;
        for (var i = 0; i < 6; i++)
        {
            if (!f[i]) continue;
            if (!(options.PDamp[i] > 0)) throw new UserInputException($"fix {style}: the pressure damping time must be positive, got {options.PDamp[i]}");
            _pFreq[i] = 1.0 / options.PDamp[i];
        }
        CheckCoupling(style, options);
        if ((f[3] && options.ScaleYz) || (f[4] && options.ScaleXz) || (f[5] && options.ScaleXy))
            throw new UserInputException($"fix {style}: a tilt factor cannot be both barostatted and scaled with its box length (scalexy/scalexz/scaleyz no)");
        _pstyle = f[3] || f[4] || f[5] ? CellStyle.Triclinic
            : options.Couple == PressureCoupling.Xyz ? CellStyle.Iso : CellStyle.Aniso;

        _tChain = options.TChain;
        _pChain = _pstat ? options.PChain : 0;
        _cell = new NoseHooverCell(StyleName, options.PFlag, _pstyle == CellStyle.Triclinic, options.ScaleXy, options.ScaleXz, options.ScaleYz);
        _particleChain = new NoseHooverChainState(_tChain);
        _barostatChain = new NoseHooverChainState(_pChain);
        _scaleParticles = ScaleParticles;
        if (options.FixedPoint is { } fp)
        {
            fp.AsSpan(0, 3).CopyTo(_fixedPoint);
            _fixedPointSet = true;
        }
    }

    private static void CheckCoupling(string style, NoseHooverOptions o)
    {
        var f = o.PFlag;
        bool Same(int a, int b) => o.PStart[a] == o.PStart[b] && o.PStop[a] == o.PStop[b] && o.PDamp[a] == o.PDamp[b];
        var (a1, a2, name) = o.Couple switch
        {
            PressureCoupling.Xy => (0, 1, "xy"),
            PressureCoupling.Yz => (1, 2, "yz"),
            PressureCoupling.Xz => (0, 2, "xz"),
            _ => (-1, -1, ""),
        };
        if (o.Couple == PressureCoupling.Xyz)
        {
            if (!f[0] || !f[1] || !f[2]) throw new UserInputException($"fix {style}: couple xyz needs x, y and z all barostatted");
            if (!Same(0, 1) || !Same(0, 2)) throw new UserInputException($"fix {style}: couple xyz needs the same Pstart, Pstop and Pdamp for x, y and z");
        }
        else if (a1 >= 0)
        {
            if (!f[a1] || !f[a2]) throw new UserInputException($"fix {style}: couple {name} needs both of its directions barostatted");
            if (!Same(a1, a2)) throw new UserInputException($"fix {style}: couple {name} needs the same Pstart, Pstop and Pdamp for its two directions");
        }
    }

    /// <summary>The style name used in error messages (nvt, npt, nph).</summary>
    protected abstract string StyleName { get; }

    public override string Style => StyleName;

    /// <summary>The settings the fix was defined with.</summary>
    public NoseHooverOptions Options => _o;

    public override bool Integrates => true;

    public override bool ChangesBox => _pstat;

    public override bool UsesTemperature => true;

    public override bool UsesPressure => _pstat;

    /// <summary>Thermostat positions η_k (for checkpoints and the conserved quantity).</summary>
    public IReadOnlyList<double> Eta => _particleChain.Eta;

    /// <summary>Thermostat velocities dη_k/dt.</summary>
    public IReadOnlyList<double> EtaDot => _particleChain.EtaDot;

    /// <summary>Barostat velocities (Voigt order x, y, z, yz, xz, xy; 1/time).</summary>
    public IReadOnlyList<double> OmegaDot => _omegaDot;

    public override void Init(Simulation sim)
    {
        var box = sim.Box!;
        if (_pstat && sim.Dimension == 2)
            throw new UserInputException($"fix {Style}: barostats in 2-d simulations are not supported yet (use fix nvt or nve)");
        if (_pstat)
        {
            var f = _o.PFlag;
            for (var i = 0; i < 3; i++)
                if (f[i] && !box.Periodic[i]) throw new UserInputException($"fix {StyleName}: cannot barostat the non-periodic direction {"xyz"[i]}");
            if ((f[3] || f[4]) && !box.Periodic[2]) throw new UserInputException($"fix {StyleName}: cannot barostat a tilt with non-periodic z");
            if (f[5] && !box.Periodic[1]) throw new UserInputException($"fix {StyleName}: cannot barostat a tilt with non-periodic y");
            if (!_fixedPointSet)
            {
                for (var d = 0; d < 3; d++) _fixedPoint[d] = 0.5 * (box.Lo[d] + box.Hi[d]);
                _fixedPointSet = true;
            }
        }
        _dtv = sim.Timestep;
        _dtf = 0.5 * sim.Timestep * sim.Units.Ftm2v;
        _dthalf = 0.5 * sim.Timestep;
        _dt4 = 0.25 * sim.Timestep;
        _dto = _dthalf;
        _mass = sim.Masses;
        _sim = sim;

        _pFreqMax = 0.0;
        if (_pstat)
        {
            _pFreqMax = Math.Max(Math.Max(_pFreq[0], _pFreq[1]), _pFreq[2]);
            if (_pstyle == CellStyle.Triclinic) _pFreqMax = Math.Max(Math.Max(Math.Max(_pFreqMax, _pFreq[3]), _pFreq[4]), _pFreq[5]);
            _pDragFactor = 1.0 - sim.Timestep * _pFreqMax * _o.Drag / _o.PLoop;
            _pdim = (_o.PFlag[0] ? 1 : 0) + (_o.PFlag[1] ? 1 : 0) + (_o.PFlag[2] ? 1 : 0);
            if (_vol0 == 0.0)
            {
                _cell.Read(box);
                _vol0 = box.Lx * box.Ly * box.Lz;
                _cell.HInv.CopyTo(_h0Inv);
            }
        }
        if (_tstat)
            _thermostat = NoseHooverThermostatSettings.Create(_o.TStart, _o.TStop, _o.TDamp, _o.TLoop, _o.Drag, sim.Timestep, sim.Units.Boltz);
    }

    /// <summary>LAMMPS' FixNH::reset_dt: step factors and drag factors of the new timestep (chain state kept).</summary>
    public override void ResetTimestep(Simulation sim)
    {
        _dtv = sim.Timestep;
        _dtf = 0.5 * sim.Timestep * sim.Units.Ftm2v;
        _dthalf = 0.5 * sim.Timestep;
        _dt4 = 0.25 * sim.Timestep;
        _dto = _dthalf;
        if (_pstat) _pDragFactor = 1.0 - sim.Timestep * _pFreqMax * _o.Drag / _o.PLoop;
        if (_tstat)
            _thermostat = NoseHooverThermostatSettings.Create(_o.TStart, _o.TStop, _o.TDamp, _o.TLoop, _o.Drag, sim.Timestep, sim.Units.Boltz);
    }

    public override void Setup(Simulation sim)
    {
        _tCurrent = MeasureTemperature(sim);
        _tdof = TemperatureDegreesOfFreedom(sim);
        Prepare(sim, measurePressure: true);
    }

    /// <summary>
    /// A run continued from a checkpoint: the temperature and pressure measured at the end of the saved step come from
    /// the saved state (measuring again after the thermostat's last half step would differ), the rest as in
    /// <see cref="Setup"/>.
    /// </summary>
    public override void Resume(Simulation sim) => Prepare(sim, measurePressure: false);

    /// <summary>Targets, chain masses and barostat masses for the current step (LAMMPS' fix nh setup).</summary>
    private void Prepare(Simulation sim, bool measurePressure)
    {
        if (_tstat) ComputeTempTarget(sim);
        else if (_pstat)
        {
            if (_t0 == 0.0)
            {
                _t0 = _tCurrent;
                if (_t0 == 0.0) _t0 = sim.Units.Name == "lj" ? 1.0 : 300.0;
            }
            _tTarget = _t0;
        }
        if (_pstat)
        {
            ComputePressTarget(sim);
            if (measurePressure) MeasurePressure(sim, _tCurrent);
        }
        var boltz = sim.Units.Boltz;
        if (_tstat) NoseHooverChain.SetupThermostat(_particleChain, _thermostat, _tdof, _tTarget);
        if (_pstat)
        {
            var kt = boltz * _tTarget;
            var nkt = (sim.AtomCount + 1) * kt;
            for (var i = 0; i < 3; i++)
                if (_o.PFlag[i]) _omegaMass[i] = nkt / (_pFreq[i] * _pFreq[i]);
            if (_pstyle == CellStyle.Triclinic)
                for (var i = 3; i < 6; i++)
                    if (_o.PFlag[i]) _omegaMass[i] = nkt / (_pFreq[i] * _pFreq[i]);
            NoseHooverChain.SetMasses(_barostatChain, boltz * _tTarget / (_pFreqMax * _pFreqMax), boltz * _tTarget / (_pFreqMax * _pFreqMax));
            NoseHooverChain.SetUpperForces(_barostatChain, boltz * _tTarget);
        }
    }

    public override void InitialIntegrate(Simulation sim)
    {
        if (_pstat && _pChain > 0) BarostatChain(sim);
        if (_tstat)
        {
            ComputeTempTarget(sim);
            ParticleChain(sim);
        }
        if (_pstat)
        {
            // the chain rescaled the velocities: measure the pressure again with the current kinetic energy
            MeasurePressure(sim, MeasureTemperature(sim));
            ComputePressTarget(sim);
            OmegaDotHalfStep(sim);
            BarostatVelocityScaling(sim);
        }
        Kick(sim);
        if (_pstat) Remap(sim);
        var a = sim.Atoms;
        for (var i = 0; i < a.Count; i++)
        {
            a.X[i] += _dtv * a.Vx[i];
            a.Y[i] += _dtv * a.Vy[i];
            a.Z[i] += _dtv * a.Vz[i];
        }
        if (_pstat) Remap(sim);
    }

    public override void FinalIntegrate(Simulation sim)
    {
        Kick(sim);
        if (_pstat) BarostatVelocityScaling(sim);
        _tCurrent = MeasureTemperature(sim);
        _tdof = TemperatureDegreesOfFreedom(sim);
        if (_pstat)
        {
            MeasurePressure(sim, _tCurrent);
            OmegaDotHalfStep(sim);
        }
        if (_tstat) ParticleChain(sim);
        if (_pstat && _pChain > 0) BarostatChain(sim);
    }

    private void Kick(Simulation sim)
    {
        var a = sim.Atoms;
        for (var i = 0; i < a.Count; i++)
        {
            var dtfm = _dtf / _mass[a.Type[i]];
            a.Vx[i] += dtfm * a.Fx[i];
            a.Vy[i] += dtfm * a.Fy[i];
            a.Vz[i] += dtfm * a.Fz[i];
        }
    }

    private void ComputeTempTarget(Simulation sim)
    {
        _tTarget = NoseHooverChain.TargetTemperature(_thermostat, NoseHooverChain.RampFraction(sim.Step, sim.RunStartStep, sim.RunEndStep));
        _keTarget = NoseHooverChain.TargetKinetic(_thermostat, _tdof, _tTarget);
    }

    private void ComputePressTarget(Simulation sim)
    {
        var delta = NoseHooverChain.RampFraction(sim.Step, sim.RunStartStep, sim.RunEndStep);
        _pHydro = 0.0;
        for (var i = 0; i < 3; i++)
        {
            if (!_o.PFlag[i]) continue;
            _pTarget[i] = _o.PStart[i] + delta * (_o.PStop[i] - _o.PStart[i]);
            _pHydro += _pTarget[i];
        }
        if (_pdim > 0) _pHydro /= _pdim;
        if (_pstyle == CellStyle.Triclinic)
            for (var i = 3; i < 6; i++) _pTarget[i] = _o.PStart[i] + delta * (_o.PStop[i] - _o.PStart[i]);
        if (_o.Deviatoric) ComputeSigma(sim);
    }

    /// <summary>
    /// LAMMPS' compute pressure + couple(): the scalar pressure (iso) or the pressure tensor from the kinetic tensor
    /// and the last virial, then averaged over coupled directions into <c>_pCurrent</c> (Voigt order).
    /// </summary>
    private void MeasurePressure(Simulation sim, double temperature)
    {
        var box = sim.Box!;
        var u = sim.Units;
        if (_pstyle == CellStyle.Iso)
        {
            var p = PressureCompute is { } pc ? pc.Evaluate(sim)
                : TemperatureCompute is { } tc ? Thermodynamics.Pressure(sim, temperature, tc.DegreesOfFreedom(sim))
                : Thermodynamics.Pressure(sim, temperature);
            _pCurrent[0] = _pCurrent[1] = _pCurrent[2] = p;
            return;
        }
        Thermodynamics.KineticTensor(sim, _keTensor);
        var w = sim.Virial;
        var invVolume = 1.0 / (box.Lx * box.Ly * box.Lz);
        double pxx = (_keTensor[0] + w[0]) * invVolume * u.Nktv2p;
        double pyy = (_keTensor[1] + w[4]) * invVolume * u.Nktv2p;
        double pzz = (_keTensor[2] + w[8]) * invVolume * u.Nktv2p;
        double pxy = (_keTensor[3] + w[1]) * invVolume * u.Nktv2p;
        double pxz = (_keTensor[4] + w[2]) * invVolume * u.Nktv2p;
        double pyz = (_keTensor[5] + w[5]) * invVolume * u.Nktv2p;
        if (PressureCompute is { } pcomp)
        {
            pcomp.EvaluateTensor(sim, _keTensor);
            (pxx, pyy, pzz, pxy, pxz, pyz) = (_keTensor[0], _keTensor[1], _keTensor[2], _keTensor[3], _keTensor[4], _keTensor[5]);
        }
        switch (_o.Couple)
        {
            case PressureCoupling.Xyz:
                _pCurrent[0] = _pCurrent[1] = _pCurrent[2] = 1.0 / 3.0 * (pxx + pyy + pzz);
                break;
            case PressureCoupling.Xy:
                _pCurrent[0] = _pCurrent[1] = 0.5 * (pxx + pyy);
                _pCurrent[2] = pzz;
                break;
            case PressureCoupling.Yz:
                _pCurrent[1] = _pCurrent[2] = 0.5 * (pyy + pzz);
                _pCurrent[0] = pxx;
                break;
            case PressureCoupling.Xz:
                _pCurrent[0] = _pCurrent[2] = 0.5 * (pxx + pzz);
                _pCurrent[1] = pyy;
                break;
            default:
                _pCurrent[0] = pxx;
                _pCurrent[1] = pyy;
                _pCurrent[2] = pzz;
                break;
        }
        if (_pstyle == CellStyle.Triclinic)
        {
            _pCurrent[3] = pyz;
            _pCurrent[4] = pxz;
            _pCurrent[5] = pxy;
        }
    }

    /// <summary>Half-step update of the barostat velocities (LAMMPS' nh_omega_dot), with the MTK terms.</summary>
    private void OmegaDotHalfStep(Simulation sim)
    {
        var box = sim.Box!;
        var volume = box.Lx * box.Ly * box.Lz;
        var nktv2p = sim.Units.Nktv2p;
        var n = (double)sim.AtomCount;
        if (_o.Deviatoric) ComputeDeviatoric(box);
        _mtkTerm1 = 0.0;
        if (_o.Mtk)
        {
            if (_pstyle == CellStyle.Iso)
            {
                _mtkTerm1 = _tdof * sim.Units.Boltz * _tCurrent;
                _mtkTerm1 /= _pdim * n;
            }
            else
            {
                for (var i = 0; i < 3; i++)
                    if (_o.PFlag[i]) _mtkTerm1 += _keTensor[i];
                _mtkTerm1 /= _pdim * n;
            }
        }
        for (var i = 0; i < 3; i++)
        {
            if (!_o.PFlag[i]) continue;
            var fOmega = (_pCurrent[i] - _pHydro) * volume / (_omegaMass[i] * nktv2p) + _mtkTerm1 / _omegaMass[i];
            if (_o.Deviatoric) fOmega -= _fdev[i] / (_omegaMass[i] * nktv2p);
            _omegaDot[i] += fOmega * _dthalf;
            _omegaDot[i] *= _pDragFactor;
        }
        _mtkTerm2 = 0.0;
        if (_o.Mtk)
        {
            for (var i = 0; i < 3; i++)
                if (_o.PFlag[i]) _mtkTerm2 += _omegaDot[i];
            if (_pdim > 0) _mtkTerm2 /= _pdim * n;
        }
        if (_pstyle == CellStyle.Triclinic)
        {
            for (var i = 3; i < 6; i++)
            {
                if (!_o.PFlag[i]) continue;
                var fOmega = _pCurrent[i] * volume / (_omegaMass[i] * nktv2p);
                if (_o.Deviatoric) fOmega -= _fdev[i] / (_omegaMass[i] * nktv2p);
                _omegaDot[i] += fOmega * _dthalf;
                _omegaDot[i] *= _pDragFactor;
            }
        }
    }

    /// <summary>Half-step scaling of the velocities by the barostat (LAMMPS' nh_v_press).</summary>
    private void BarostatVelocityScaling(Simulation sim)
    {
        var a = sim.Atoms;
        var f0 = Math.Exp(-_dt4 * (_omegaDot[0] + _mtkTerm2));
        var f1 = Math.Exp(-_dt4 * (_omegaDot[1] + _mtkTerm2));
        var f2 = Math.Exp(-_dt4 * (_omegaDot[2] + _mtkTerm2));
        var tri = _pstyle == CellStyle.Triclinic;
        for (var i = 0; i < a.Count; i++)
        {
            a.Vx[i] *= f0;
            a.Vy[i] *= f1;
            a.Vz[i] *= f2;
            if (tri)
            {
                a.Vx[i] += -_dthalf * (a.Vy[i] * _omegaDot[5] + a.Vz[i] * _omegaDot[4]);
                a.Vy[i] += -_dthalf * a.Vz[i] * _omegaDot[3];
            }
            a.Vx[i] *= f0;
            a.Vy[i] *= f1;
            a.Vz[i] *= f2;
        }
    }

    /// <summary>Half-step update of the particle thermostat chain and the velocity scaling (LAMMPS' nhc_temp_integrate).</summary>
    private void ParticleChain(Simulation sim) =>
        NoseHooverChain.ThermostatHalfStep(_particleChain, _thermostat, _tdof, _tTarget, _keTarget, ref _tCurrent, _scaleParticles);

    /// <summary>
    /// The temperature the thermostat controls (LAMMPS' temperature compute): with <c>fix_modify temp ID</c> that
    /// compute's, else the temperature of the fix's group.
    /// </summary>
    protected virtual double MeasureTemperature(Simulation sim) => MeasureTemperature(sim, out _);

    /// <summary>The degrees of freedom of <see cref="MeasureTemperature(Simulation)"/>.</summary>
    protected virtual double TemperatureDegreesOfFreedom(Simulation sim) => TemperatureCompute is { } c ? c.DegreesOfFreedom(sim) : GroupDegreesOfFreedom(sim);

    private double GroupDegreesOfFreedom(Simulation sim)
    {
        MeasureTemperature(sim, out var dof);
        return dof;
    }

    /// <summary>Half the timestep (LAMMPS' dthalf), for subclasses that change how the thermostat scales velocities.</summary>
    protected double HalfTimestep => _dthalf;

    /// <summary>Scales the velocities by one sub-step's factor (LAMMPS' nh_v_temp; the chain follows the temperature by the factor squared).</summary>
    protected virtual void ScaleParticles(double factor)
    {
        // fix_modify temp with a biased compute (temp/partial, temp/com, temp/region, temp/ramp, temp/deform): LAMMPS'
        // nh_v_temp removes each atom's bias, scales and restores it
        if (TemperatureCompute is { } c and not Computes.ComputeTemp)
        {
            c.ScaleThermalVelocities(_sim!, Group, factor);
            return;
        }
        var a = _sim!.Atoms;
        for (var i = 0; i < a.Count; i++)
        {
            a.Vx[i] *= factor;
            a.Vy[i] *= factor;
            a.Vz[i] *= factor;
        }
    }

    /// <summary>Half-step update of the barostat's thermostat chain, scaling the barostat velocities (LAMMPS' nhc_press_integrate).</summary>
    private void BarostatChain(Simulation sim)
    {
        var kt = sim.Units.Boltz * _tTarget;
        var ke = BarostatKinetic(_pstyle == CellStyle.Triclinic, out var pdof);
        var lktPress = _pstyle == CellStyle.Iso ? kt : pdof * kt;
        var scaling = new BarostatScaling(this);
        NoseHooverChain.HalfStep(_barostatChain, _dtv, _o.PLoop, _pDragFactor, ke, lktPress, kt, false, ref scaling);
    }

    private readonly struct BarostatScaling(FixNoseHoover fix) : INoseHooverScaling
    {
        public double Scale(double factor) => fix.ScaleBarostat(factor);
    }

    /// <summary>Scales the barostat velocities; returns their new Σ W·ω̇².</summary>
    private double ScaleBarostat(double factor)
    {
        var tri = _pstyle == CellStyle.Triclinic;
        for (var i = 0; i < 3; i++)
            if (_o.PFlag[i]) _omegaDot[i] *= factor;
        if (tri)
            for (var i = 3; i < 6; i++)
                if (_o.PFlag[i]) _omegaDot[i] *= factor;
        return BarostatKinetic(tri, out _);
    }

    private double BarostatKinetic(bool tri, out int pdof)
    {
        double ke = 0.0;
        pdof = 0;
        for (var i = 0; i < 3; i++)
        {
            if (!_o.PFlag[i]) continue;
            ke += _omegaMass[i] * _omegaDot[i] * _omegaDot[i];
            pdof++;
        }
        if (tri)
            for (var i = 3; i < 6; i++)
            {
                if (!_o.PFlag[i]) continue;
                ke += _omegaMass[i] * _omegaDot[i] * _omegaDot[i];
                pdof++;
            }
        return ke;
    }

    /// <summary>Half-step box update: the barostat's ω̇ applied to the box and, affinely, to every atom.</summary>
    private void Remap(Simulation sim)
    {
        for (var i = 0; i < 6; i++) _omega[i] += _dto * _omegaDot[i];
        _cell.HalfStep(sim, _dto, _omegaDot, _fixedPoint);
    }

    /// <summary>σ = V₀·h₀⁻¹·(P_target − P_hydro)·h₀⁻ᵀ (upper triangle, Voigt order), reset every <c>nreset</c> steps.</summary>
    private void ComputeSigma(Simulation sim)
    {
        if (_o.NReset > 0 && (sim.Step - sim.RunStartStep) % _o.NReset == 0)
        {
            var box = sim.Box!;
            _cell.Read(box);
            _vol0 = box.Lx * box.Ly * box.Lz;
            _cell.HInv.CopyTo(_h0Inv);
        }
        var g = _h0Inv;
        var p = _pTarget;
        var ph = _pHydro;
        _sigma[0] = _vol0 * (g[0] * ((p[0] - ph) * g[0] + p[5] * g[5] + p[4] * g[4])
            + g[5] * (p[5] * g[0] + (p[1] - ph) * g[5] + p[3] * g[4])
            + g[4] * (p[4] * g[0] + p[3] * g[5] + (p[2] - ph) * g[4]));
        _sigma[1] = _vol0 * (g[1] * ((p[1] - ph) * g[1] + p[3] * g[3])
            + g[3] * (p[3] * g[1] + (p[2] - ph) * g[3]));
        _sigma[2] = _vol0 * (g[2] * ((p[2] - ph) * g[2]));
        _sigma[3] = _vol0 * (g[1] * (p[3] * g[2]) + g[3] * ((p[2] - ph) * g[2]));
        _sigma[4] = _vol0 * (g[0] * (p[4] * g[2]) + g[5] * (p[3] * g[2]) + g[4] * ((p[2] - ph) * g[2]));
        _sigma[5] = _vol0 * (g[0] * (p[5] * g[1] + p[4] * g[3])
            + g[5] * ((p[1] - ph) * g[1] + p[3] * g[3])
            + g[4] * (p[3] * g[1] + (p[2] - ph) * g[3]));
    }

    /// <summary>Deviatoric barostat force h·σ·hᵀ (upper triangle, Voigt order).</summary>
    private void ComputeDeviatoric(SimulationBox box)
    {
        _cell.Read(box);
        var h = _cell.H;
        var s = _sigma;
        _fdev[0] = h[0] * (s[0] * h[0] + s[5] * h[5] + s[4] * h[4])
            + h[5] * (s[5] * h[0] + s[1] * h[5] + s[3] * h[4])
            + h[4] * (s[4] * h[0] + s[3] * h[5] + s[2] * h[4]);
        _fdev[1] = h[1] * (s[1] * h[1] + s[3] * h[3]) + h[3] * (s[3] * h[1] + s[2] * h[3]);
        _fdev[2] = h[2] * (s[2] * h[2]);
        _fdev[3] = h[1] * (s[3] * h[2]) + h[3] * (s[2] * h[2]);
        _fdev[4] = h[0] * (s[4] * h[2]) + h[5] * (s[3] * h[2]) + h[4] * (s[2] * h[2]);
        _fdev[5] = h[0] * (s[5] * h[1] + s[4] * h[3]) + h[5] * (s[1] * h[1] + s[3] * h[3]) + h[4] * (s[3] * h[1] + s[2] * h[3]);
    }

    /// <summary>
    /// Energy of the thermostat and barostat variables (LAMMPS' fix nvt/npt/nph scalar): chains, barostat kinetic
    /// energy, P·(V − V₀) and the strain energy. Added to the total energy it gives the conserved quantity.
    /// </summary>
    public double ThermostatEnergy(Simulation sim)
    {
        var boltz = sim.Units.Boltz;
        var kt = boltz * _tTarget;
        double e = 0;
        if (_tstat) e += NoseHooverChain.ThermostatEnergy(_particleChain, _thermostat, _keTarget, _tTarget);
        if (_pstat)
        {
            var box = sim.Box!;
            var volume = box.Lx * box.Ly * box.Lz;
            for (var i = 0; i < 3; i++)
                if (_o.PFlag[i]) e += 0.5 * _omegaDot[i] * _omegaDot[i] * _omegaMass[i] + _pHydro * (volume - _vol0) / (_pdim * sim.Units.Nktv2p);
            if (_pstyle == CellStyle.Triclinic)
                for (var i = 3; i < 6; i++)
                    if (_o.PFlag[i]) e += 0.5 * _omegaDot[i] * _omegaDot[i] * _omegaMass[i];
            if (_pChain > 0)
            {
                BarostatKinetic(_pstyle == CellStyle.Triclinic, out var pdof);
                // LAMMPS counts kT per barostatted component here, also for iso (where the chain itself uses one kT)
                e += NoseHooverChain.Energy(_barostatChain, pdof * kt, kt);
            }
            if (_o.Deviatoric)
            {
                _cell.Read(box);
                var h = _cell.H;
                var s = _sigma;
                var d0 = s[0] * (h[0] * h[0] + h[5] * h[5] + h[4] * h[4]) + s[5] * (h[1] * h[5] + h[3] * h[4]) + s[4] * (h[2] * h[4]);
                var d1 = s[5] * (h[5] * h[1] + h[4] * h[3]) + s[1] * (h[1] * h[1] + h[3] * h[3]) + s[3] * (h[2] * h[3]);
                var d2 = s[4] * (h[4] * h[2]) + s[3] * (h[3] * h[2]) + s[2] * (h[2] * h[2]);
                e += 0.5 * (d0 + d1 + d2) / sim.Units.Nktv2p;
            }
        }
        return e;
    }

    public override double CoupledEnergy(Simulation sim) => ThermostatEnergy(sim);

    /// <summary>
    /// After a device loop advanced the chain (its state given with <see cref="RestoreState"/>): the target temperature
    /// and chain masses of the current step, as a host step would have left them, so the coupled energy is right.
    /// </summary>
    public void SyncTargets(Simulation sim)
    {
        if (!_tstat) return;
        ComputeTempTarget(sim);
        NoseHooverChain.SetThermostatMasses(_particleChain, _thermostat, _tdof, _tTarget);
    }

    /// <summary>
    /// State for a checkpoint: η, η̇, η̈ of the particle chain; then (barostat) ω, ω̇, the barostat chain's η, η̇, η̈,
    /// V₀, T₀, h₀⁻¹ and the fixed point. The masses follow from the targets and are recomputed at setup.
    /// </summary>
    public override double[] SaveState()
    {
        var s = new List<double>();
        _particleChain.Save(s);
        if (_pstat)
        {
            s.AddRange(_omega);
            s.AddRange(_omegaDot);
            _barostatChain.Save(s);
            s.Add(_vol0);
            s.Add(_t0);
            s.AddRange(_h0Inv);
            s.AddRange(_fixedPoint);
            s.Add(_fixedPointSet ? 1 : 0);
            s.AddRange(_pCurrent);
        }
        s.Add(_tCurrent);
        s.Add(_tdof);
        return [.. s];
    }

    public override void RestoreState(double[] state)
    {
        var expected = _particleChain.StateLength + (_pstat ? 12 + _barostatChain.StateLength + 2 + 6 + 3 + 1 + 6 : 0) + 2;
        if (state.Length != expected)
            throw new UserInputException($"fix {StyleName}: the saved state has {state.Length} values, expected {expected} (different tchain, pchain or barostat settings?)");
        var at = _particleChain.Restore(state, 0);
        void Take(double[] into, int n)
        {
            state.AsSpan(at, n).CopyTo(into);
            at += n;
        }
        _tCurrent = state[^2];
        _tdof = state[^1];
        if (!_pstat) return;
        Take(_omega, 6);
        Take(_omegaDot, 6);
        at = _barostatChain.Restore(state, at);
        _vol0 = state[at++];
        _t0 = state[at++];
        Take(_h0Inv, 6);
        Take(_fixedPoint, 3);
        _fixedPointSet = state[at++] != 0;
        Take(_pCurrent, 6);
    }
}
