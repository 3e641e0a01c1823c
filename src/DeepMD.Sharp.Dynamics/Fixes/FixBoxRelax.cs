namespace DeepMD.Sharp.Dynamics.Fixes;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Minimization;

/// <summary>
/// <c>fix ID GROUP box/relax iso|aniso|tri P | x/y/z/xy/xz/yz P ... [couple] [dilate] [vmax] [nreset] [scalexy/xz/yz]
/// [fixedpoint]</c>: LAMMPS' fix box/relax. During a line-search minimization the box strains (one for <c>iso</c>, three,
/// or six with a controlled tilt) are extra degrees of freedom of the minimizer (<see cref="IMinimizerExtraDof"/>): the
/// objective gains P_target·(V − V₀) (plus the strain energy of a deviatoric target), their forces are
/// (P_current − P_target) times the volume's derivative, the virial pressure being measured after each evaluation; a
/// step scales the box about the fixed point from the line search's start and moves the atoms with it (fractional
/// coordinates), never changing a strain by more than <c>vmax</c> per line search. The fix does nothing during MD.
/// Fix scalar (<c>f_ID</c>, extensive): that extra energy, 0 at step 0.
/// </summary>
public sealed class FixBoxRelax : Fix, IMinimizerExtraDof, IFixGlobalValues
{
    public enum Coupling { None, Xyz, Xy, Yz, Xz }

    private enum PressureStyle { Iso, Aniso, Triclinic }

    /// <summary>Settings in LAMMPS' Voigt order (x, y, z, yz, xz, xy).</summary>
    public sealed class Options
    {
        public double[] Target { get; } = new double[6];
        public bool[] Controlled { get; } = new bool[6];
        public Coupling Couple { get; set; } = Coupling.None;
        public bool DilateAll { get; set; } = true;
        public double Vmax { get; set; } = 0.0001;
        public int ResetEvery { get; set; }
        public bool Deviatoric { get; set; }
        public bool? ScaleXy { get; set; }
        public bool? ScaleXz { get; set; }
        public bool? ScaleYz { get; set; }
        public double[]? FixedPoint { get; set; }
    }

    private readonly double[] _target, _current = new double[6], _ds = new double[6];
    private readonly bool[] _flag;
    private readonly Coupling _couple;
    private readonly bool _allRemap, _scaleXy, _scaleXz, _scaleYz;
    private readonly double _vmax;
    private readonly int _nreset, _dimension;
    private readonly double[] _fixedPoint;
    private readonly PressureStyle _pstyle;
    private readonly Computes.ComputePressure _pressure;
    private bool _deviatoric;
    private double _pv2e, _xprdInit, _yprdInit, _zprdInit, _vol0, _pHydro;
    private readonly double[] _h0 = new double[6], _h0Inv = new double[6], _sigma = new double[6], _fdev = new double[6];
    private readonly double[] _lo0 = new double[3], _hi0 = new double[3], _tilt0 = new double[3];
    private readonly double[] _p6 = new double[6], _scratch = new double[6];
    private bool[] _member = [];

    /// <summary>Checks the settings against the box as LAMMPS' constructor does (errors with LAMMPS' texts).</summary>
    public FixBoxRelax(string id, Simulation sim, Options o) : base(id)
    {
        var box = sim.Box ?? throw new UserInputException("Fix box/relax command before simulation box is defined");
        _dimension = sim.Dimension;
        _target = (double[])o.Target.Clone();
        _flag = (bool[])o.Controlled.Clone();
        _couple = o.Couple;
        _allRemap = o.DilateAll;
        _vmax = o.Vmax;
        _nreset = o.ResetEvery;
        _deviatoric = o.Deviatoric;
        // Tilt scaling defaults: on for a tilt that is not zero along a periodic second dimension, unless the tilt is
        // controlled (LAMMPS turns it off per controlled tilt, and for tri).
        _scaleXy = o.ScaleXy ?? (box.Periodic[1] && box.Xy != 0.0 && !_flag[5]);
        _scaleXz = o.ScaleXz ?? (box.Periodic[2] && _dimension == 3 && box.Xz != 0.0 && !_flag[4]);
        _scaleYz = o.ScaleYz ?? (box.Periodic[2] && _dimension == 3 && box.Yz != 0.0 && !_flag[3]);
        _fixedPoint = o.FixedPoint is { } fp ? (double[])fp.Clone()
            : [0.5 * (box.Lo[0] + box.Hi[0]), 0.5 * (box.Lo[1] + box.Hi[1]), 0.5 * (box.Lo[2] + box.Hi[2])];

        static UserInputException Err(string s) => new(s);
        if (_dimension == 2 && (_flag[2] || _flag[3] || _flag[4])) throw Err("Invalid fix box/relax command for a 2d simulation");
        if (_dimension == 2 && _couple is Coupling.Yz or Coupling.Xz) throw Err("Invalid fix box/relax command for a 2d simulation");
        var settings = Err("Invalid fix box/relax command pressure settings");
        if (_couple == Coupling.Xyz && (!_flag[0] || !_flag[1])) throw settings;
        if (_couple == Coupling.Xyz && _dimension == 3 && !_flag[2]) throw settings;
        if (_couple == Coupling.Xy && (!_flag[0] || !_flag[1])) throw settings;
        if (_couple == Coupling.Yz && (!_flag[1] || !_flag[2])) throw settings;
        if (_couple == Coupling.Xz && (!_flag[0] || !_flag[2])) throw settings;
        for (var d = 0; d < 3; d++)
            if (_flag[d] && !box.Periodic[d]) throw Err("Cannot use fix box/relax on a non-periodic dimension");
        if ((_flag[3] || _flag[4]) && !box.Periodic[2] || _flag[5] && !box.Periodic[1])
            throw Err("Cannot use fix box/relax on a 2nd non-periodic dimension");
        if ((_scaleYz || _scaleXz) && !box.Periodic[2] || _scaleXy && !box.Periodic[1])
            throw Err("Cannot use fix box/relax with tilt factor scaling on a 2nd non-periodic dimension");
        if (_flag[3] && _scaleYz || _flag[4] && _scaleXz || _flag[5] && _scaleXy)
            throw Err("Cannot use fix box/relax with both relaxation and scaling on a tilt factor");
        if (!box.IsTriclinic && (_flag[3] || _flag[4] || _flag[5]))
            throw Err("Can not specify Pxy/Pxz/Pyz in fix box/relax with non-triclinic box");
        var press = Err("Invalid fix box/relax pressure settings");
        if (_couple == Coupling.Xyz && _dimension == 3 && (_target[0] != _target[1] || _target[0] != _target[2])) throw press;
        if (_couple == Coupling.Xyz && _dimension == 2 && _target[0] != _target[1]) throw press;
        if (_couple == Coupling.Xy && _target[0] != _target[1]) throw press;
        if (_couple == Coupling.Yz && _target[1] != _target[2]) throw press;
        if (_couple == Coupling.Xz && _target[0] != _target[2]) throw press;
        if (_vmax <= 0.0) throw Err("Illegal fix box/relax command");

        _pstyle = _flag[3] || _flag[4] || _flag[5] ? PressureStyle.Triclinic
            : _couple == Coupling.Xyz || _dimension == 2 && _couple == Coupling.Xy ? PressureStyle.Iso : PressureStyle.Aniso;
        // LAMMPS' ID_press: compute pressure with the virial only (group all).
        _pressure = new Computes.ComputePressure(id + "_press", Groups.AtomGroup.All, null, kinetic: false, virial: true);
    }

    public override string Style => "box/relax";

    public override bool SupportsGroups => true;

    public override bool ChangesBox => true;

    public override bool UsesPressure => true;

    public int ExtraDof => _pstyle switch { PressureStyle.Iso => 1, PressureStyle.Triclinic => 6, _ => 3 };

    public override void Init(Simulation sim)
    {
        var box = sim.Box!;
        _pv2e = 1.0 / sim.Units.Nktv2p;
        SetReference(box);
        Array.Copy(Voigt(box), _h0, 6);
        ComputePressTarget();
        if (_deviatoric) ComputeSigma(box);
        var a = sim.Atoms;
        if (_member.Length != a.Count) _member = new bool[a.Count];
        for (var i = 0; i < a.Count; i++) _member[i] = Group.Contains(a.Id[i]);
    }

    private void SetReference(Core.Geometry.SimulationBox box)
    {
        _xprdInit = box.Lx;
        _yprdInit = box.Ly;
        _zprdInit = _dimension == 2 ? 1.0 : box.Lz;
        _vol0 = _xprdInit * _yprdInit * _zprdInit;
    }

    private static double[] Voigt(Core.Geometry.SimulationBox box) => [box.Lx, box.Ly, box.Lz, box.Yz, box.Xz, box.Xy];

    private void ComputePressTarget()
    {
        var n = 0;
        _pHydro = 0.0;
        for (var i = 0; i < 3; i++)
            if (_flag[i])
            {
                _pHydro += _target[i];
                n++;
            }
        if (n > 0) _pHydro /= n;
        for (var i = 0; i < 3; i++)
            if (_flag[i] && Math.Abs(_pHydro - _target[i]) > 1.0e-6) _deviatoric = true;
        if (_pstyle == PressureStyle.Triclinic)
            for (var i = 3; i < 6; i++)
                if (_flag[i] && Math.Abs(_target[i]) > 1.0e-6) _deviatoric = true;
    }

    public double MinEnergy(Simulation sim, Span<double> fextra)
    {
        var box = sim.Box!;
        Couple(sim);
        double eng;
        if (_pstyle == PressureStyle.Iso)
        {
            var scale = box.Lx / _xprdInit;
            if (_dimension == 3)
            {
                eng = _pv2e * _target[0] * (scale * scale * scale - 1.0) * _vol0;
                fextra[0] = _pv2e * (_current[0] - _target[0]) * 3.0 * scale * scale * _vol0;
            }
            else
            {
                eng = _pv2e * _target[0] * (scale * scale - 1.0) * _vol0;
                fextra[0] = _pv2e * (_current[0] - _target[0]) * 2.0 * scale * _vol0;
            }
            return eng;
        }
        fextra[0] = fextra[1] = fextra[2] = 0.0;
        double sx = 1.0, sy = 1.0, sz = 1.0;
        if (_flag[0]) sx = box.Lx / _xprdInit;
        if (_flag[1]) sy = box.Ly / _yprdInit;
        if (_flag[2]) sz = box.Lz / _zprdInit;
        var scaleVol = sx * sy * sz;
        eng = _pv2e * _pHydro * (scaleVol - 1.0) * _vol0;
        if (_flag[0]) fextra[0] = _pv2e * (_current[0] - _pHydro) * sy * sz * _vol0;
        if (_flag[1]) fextra[1] = _pv2e * (_current[1] - _pHydro) * sx * sz * _vol0;
        if (_flag[2]) fextra[2] = _pv2e * (_current[2] - _pHydro) * sx * sy * _vol0;
        if (_pstyle == PressureStyle.Triclinic)
        {
            fextra[3] = fextra[4] = fextra[5] = 0.0;
            if (_flag[3]) fextra[3] = _pv2e * _current[3] * sy * _yprdInit * sx * _xprdInit * _yprdInit;
            if (_flag[4]) fextra[4] = _pv2e * _current[4] * sx * _xprdInit * sy * _yprdInit * _xprdInit;
            if (_flag[5]) fextra[5] = _pv2e * _current[5] * sx * _xprdInit * sz * _zprdInit * _xprdInit;
        }
        if (_deviatoric)
        {
            ComputeDeviatoric(box);
            if (_flag[0]) fextra[0] -= _fdev[0] * _xprdInit;
            if (_flag[1]) fextra[1] -= _fdev[1] * _yprdInit;
            if (_flag[2]) fextra[2] -= _fdev[2] * _zprdInit;
            if (_pstyle == PressureStyle.Triclinic)
            {
                if (_flag[3]) fextra[3] -= _fdev[3] * _yprdInit;
                if (_flag[4]) fextra[4] -= _fdev[4] * _xprdInit;
                if (_flag[5]) fextra[5] -= _fdev[5] * _xprdInit;
            }
            eng += StrainEnergy(box);
        }
        return eng;
    }

    /// <summary>LAMMPS' couple(): the pressures the strains respond to, from the virial pressure.</summary>
    private void Couple(Simulation sim)
    {
        if (_pstyle == PressureStyle.Iso)
        {
            var p = (PressureCompute ?? _pressure).Evaluate(sim);
            _current[0] = _current[1] = _current[2] = p;
            Check(p);
            return;
        }
        var t = _p6; // xx, yy, zz, xy, xz, yz
        (PressureCompute ?? _pressure).EvaluateTensor(sim, t);
        switch (_couple)
        {
            case Coupling.Xyz:
                _current[0] = _current[1] = _current[2] = 1.0 / 3.0 * (t[0] + t[1] + t[2]);
                break;
            case Coupling.Xy:
                _current[0] = _current[1] = 0.5 * (t[0] + t[1]);
                _current[2] = t[2];
                break;
            case Coupling.Yz:
                _current[1] = _current[2] = 0.5 * (t[1] + t[2]);
                _current[0] = t[0];
                break;
            case Coupling.Xz:
                _current[0] = _current[2] = 0.5 * (t[0] + t[2]);
                _current[1] = t[1];
                break;
            default:
                _current[0] = t[0];
                _current[1] = t[1];
                _current[2] = t[2];
                break;
        }
        Check(_current[0]);
        Check(_current[1]);
        Check(_current[2]);
        if (_pstyle == PressureStyle.Triclinic)
        {
            _current[3] = t[5];
            _current[4] = t[4];
            _current[5] = t[3];
            Check(_current[3]);
            Check(_current[4]);
            Check(_current[5]);
        }
        void Check(double p)
        {
            if (!double.IsFinite(p)) throw new SimulationException("Non-numeric pressure - simulation unstable", sim.Step, 0);
        }
    }

    public void MinStore(Simulation sim)
    {
        var box = sim.Box!;
        for (var i = 0; i < 3; i++)
        {
            _lo0[i] = box.Lo[i];
            _hi0[i] = box.Hi[i];
        }
        if (_pstyle == PressureStyle.Triclinic)
        {
            _tilt0[0] = box.Yz;
            _tilt0[1] = box.Xz;
            _tilt0[2] = box.Xy;
        }
    }

    public bool MinResetReference(Simulation sim)
    {
        if (!_deviatoric || _nreset <= 0) return false;
        if ((sim.Step - sim.RunStartStep) % _nreset != 0) return false;
        ComputeSigma(sim.Box!);
        return true;
    }

    public void MinStep(Simulation sim, double alpha, ReadOnlySpan<double> h)
    {
        if (_pstyle == PressureStyle.Iso) _ds[0] = _ds[1] = _ds[2] = alpha * h[0];
        else
        {
            _ds[0] = _ds[1] = _ds[2] = 0.0;
            for (var i = 0; i < 3; i++)
                if (_flag[i]) _ds[i] = alpha * h[i];
            if (_pstyle == PressureStyle.Triclinic)
            {
                _ds[3] = _ds[4] = _ds[5] = 0.0;
                for (var i = 3; i < 6; i++)
                    if (_flag[i]) _ds[i] = alpha * h[i];
            }
        }
        Remap(sim);
    }

    public double MaxAlpha(ReadOnlySpan<double> h)
    {
        if (_pstyle == PressureStyle.Iso) return _vmax / Math.Abs(h[0]);
        var alpha = 1.0;
        var n = _pstyle == PressureStyle.Triclinic ? 6 : 3;
        for (var i = 0; i < n; i++)
            if (_flag[i]) alpha = Math.Min(alpha, _vmax / Math.Abs(h[i]));
        return alpha;
    }

    /// <summary>LAMMPS' remap(): the box from the line search's start, scaled by ds about the fixed point; atoms follow.</summary>
    private void Remap(Simulation sim)
    {
        var box = sim.Box!;
        var a = sim.Atoms;
        var inv = FixDeform.HInverse(box);
        for (var i = 0; i < a.Count; i++)
            if (_allRemap || _member[i]) FixDeform.ToLamda(box, inv, ref a.X[i], ref a.Y[i], ref a.Z[i]);
        var h = Voigt(box);
        double[] lo = [box.Lo[0], box.Lo[1], box.Lo[2]], hi = [box.Hi[0], box.Hi[1], box.Hi[2]];
        for (var i = 0; i < 3; i++)
        {
            if (!_flag[i]) continue;
            lo[i] = _lo0[i] + (_lo0[i] - _fixedPoint[i]) / h[i] * _ds[i] * _h0[i];
            hi[i] = _hi0[i] + (_hi0[i] - _fixedPoint[i]) / h[i] * _ds[i] * _h0[i];
            if (lo[i] >= hi[i]) throw new SimulationException("Fix box/relax generated negative box length", sim.Step, 0);
        }
        double yz = box.Yz, xz = box.Xz, xy = box.Xy;
        if (_scaleYz) yz = (hi[2] - lo[2]) * _h0[3] / _h0[2];
        if (_scaleXz) xz = (hi[2] - lo[2]) * _h0[4] / _h0[2];
        if (_scaleXy) xy = (hi[1] - lo[1]) * _h0[5] / _h0[1];
        if (_pstyle == PressureStyle.Triclinic)
        {
            if (_flag[3]) yz = _tilt0[0] + _ds[3] * _yprdInit;
            if (_flag[4]) xz = _tilt0[1] + _ds[4] * _xprdInit;
            if (_flag[5]) xy = _tilt0[2] + _ds[5] * _xprdInit;
        }
        box.Reshape(lo[0], hi[0], lo[1], hi[1], lo[2], hi[2], xy, xz, yz);
        for (var i = 0; i < a.Count; i++)
            if (_allRemap || _member[i]) FixDeform.FromLamda(box, ref a.X[i], ref a.Y[i], ref a.Z[i]);
    }

    /// <summary>LAMMPS' compute_sigma(): resets the reference box and the target's deviatoric stress in it.</summary>
    private void ComputeSigma(Core.Geometry.SimulationBox box)
    {
        SetReference(box);
        var hinv = FixDeform.HInverse(box);
        Array.Copy(hinv, _h0Inv, 6);
        var hi = new double[3, 3];
        hi[0, 0] = _h0Inv[0];
        hi[1, 1] = _h0Inv[1];
        hi[2, 2] = _h0Inv[2];
        hi[1, 2] = _h0Inv[3];
        hi[0, 2] = _h0Inv[4];
        hi[0, 1] = _h0Inv[5];
        var pd = new double[3, 3];
        if (_flag[0]) pd[0, 0] = _target[0] - _pHydro;
        if (_flag[1]) pd[1, 1] = _target[1] - _pHydro;
        if (_flag[2]) pd[2, 2] = _target[2] - _pHydro;
        pd[1, 2] = pd[2, 1] = _target[3];
        pd[0, 2] = pd[2, 0] = _target[4];
        pd[0, 1] = pd[1, 0] = _target[5];
        // The stationarity condition with tilts: P_dev,sys = P_dev,target · h⁻ᵀ · h_diag (LAMMPS' order of updates).
        pd[1, 1] -= pd[1, 2] * _h0Inv[3] * _h0[1];
        pd[0, 1] -= pd[0, 2] * _h0Inv[3] * _h0[1];
        pd[1, 0] = pd[0, 1];
        pd[0, 0] -= pd[0, 1] * _h0Inv[5] * _h0[0] + pd[0, 2] * _h0Inv[4] * _h0[0];
        // sigma = vol0 · hinv · pd · hinvᵀ
        var t = new double[3, 3];
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 3; j++)
                t[i, j] = hi[i, 0] * pd[0, j] + hi[i, 1] * pd[1, j] + hi[i, 2] * pd[2, j];
        var s = new double[3, 3];
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 3; j++)
                s[i, j] = _vol0 * (t[i, 0] * hi[j, 0] + t[i, 1] * hi[j, 1] + t[i, 2] * hi[j, 2]);
        _sigma[0] = s[0, 0];
        _sigma[1] = s[1, 1];
        _sigma[2] = s[2, 2];
        _sigma[3] = s[1, 2];
        _sigma[4] = s[0, 2];
        _sigma[5] = s[0, 1];
    }

    /// <summary>0.5·Tr(σ·h·hᵀ) in energy units (LAMMPS' compute_strain_energy).</summary>
    private double StrainEnergy(Core.Geometry.SimulationBox box)
    {
        var h = Voigt(box);
        var sg = _sigma;
        double d0, d1, d2;
        if (_dimension == 3)
        {
            d0 = sg[0] * (h[0] * h[0] + h[5] * h[5] + h[4] * h[4]) + sg[5] * (h[1] * h[5] + h[3] * h[4]) + sg[4] * (h[2] * h[4]);
            d1 = sg[5] * (h[5] * h[1] + h[4] * h[3]) + sg[1] * (h[1] * h[1] + h[3] * h[3]) + sg[3] * (h[2] * h[3]);
            d2 = sg[4] * (h[4] * h[2]) + sg[3] * (h[3] * h[2]) + sg[2] * (h[2] * h[2]);
        }
        else
        {
            d0 = sg[0] * (h[0] * h[0] + h[5] * h[5]) + sg[5] * h[1] * h[5];
            d1 = sg[5] * h[5] * h[1] + sg[1] * h[1] * h[1];
            d2 = 0.0;
        }
        return 0.5 * (d0 + d1 + d2) * _pv2e;
    }

    /// <summary>The deviatoric force h·σ·hᵀ (LAMMPS' compute_deviatoric).</summary>
    private void ComputeDeviatoric(Core.Geometry.SimulationBox box)
    {
        var h = Voigt(box);
        var sg = _sigma;
        if (_dimension == 3)
        {
            _fdev[0] = _pv2e * (h[0] * sg[0] + h[5] * sg[5] + h[4] * sg[4]);
            _fdev[1] = _pv2e * (h[1] * sg[1] + h[3] * sg[3]);
            _fdev[2] = _pv2e * (h[2] * sg[2]);
            _fdev[3] = _pv2e * (h[1] * sg[3] + h[3] * sg[2]);
            _fdev[4] = _pv2e * (h[0] * sg[4] + h[5] * sg[3] + h[4] * sg[2]);
            _fdev[5] = _pv2e * (h[0] * sg[5] + h[5] * sg[1] + h[4] * sg[3]);
        }
        else
        {
            _fdev[0] = _pv2e * (h[0] * sg[0] + h[5] * sg[5]);
            _fdev[1] = _pv2e * (h[1] * sg[1]);
            _fdev[5] = _pv2e * (h[0] * sg[5] + h[5] * sg[1]);
        }
    }

    public bool HasScalar => true;

    public bool ExtensiveScalar => true;

    /// <summary>PV and strain energy now (LAMMPS' compute_scalar: 0 at step 0).</summary>
    public double Scalar(Simulation sim)
    {
        if (sim.Step == 0 || _pv2e == 0) return 0.0;
        return MinEnergy(sim, _scratch);
    }

    public int VectorLength => 0;

    public double Vector(Simulation sim, int i) => 0.0;

    public bool ExtensiveVector(int i) => false;
}
