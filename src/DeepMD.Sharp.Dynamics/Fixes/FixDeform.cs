namespace DeepMD.Sharp.Dynamics.Fixes;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;

/// <summary>
/// <c>fix ID GROUP deform N dim style args ... [remap x|v|none] [flip yes|no] [units lattice|box]</c>: LAMMPS' fix deform.
/// Every N steps, at the end of the step, the box lengths (x, y, z: final, delta, scale, vel, erate, trate, volume,
/// wiggle, variable) and tilts (xy, xz, yz: final, delta, vel, erate, trate, wiggle, variable) are set to their value
/// at this point of the run; with <c>remap x</c> the group's atoms move with the box (through fractional coordinates),
/// with <c>remap v</c> an atom crossing a periodic face gets the box's velocity difference there (for SLLOD, see
/// <see cref="FixNvtSllod"/>), with <c>none</c> nothing. A tilt beyond half the box length flips the box (the next step,
/// before the neighbor list is rebuilt), unless <c>flip no</c>. <see cref="HRate"/>/<see cref="HRateLo"/> are LAMMPS'
/// domain h_rate/h_ratelo, the box's rate of change, read by compute temp/deform and fix nvt/sllod.
/// Lengths are numbers already in box units (the deck scales lattice units).
/// </summary>
public sealed class FixDeform : Fix
{
    public enum Kind { None, Final, Delta, Scale, Vel, Erate, Trate, Volume, Wiggle, Variable }

    public enum RemapMode { X, V, None }

    /// <summary>
    /// One dimension's setting (index 0..2: x, y, z; 3: yz, 4: xz, 5: xy, LAMMPS' order): <see cref="A"/> and
    /// <see cref="B"/> are lo/hi for final and delta of a length, the tilt for final and delta of a tilt, the factor
    /// for scale, the velocity for vel, the rate for erate/trate, amplitude and period for wiggle; variable uses
    /// <see cref="Value"/> (change from the start) and <see cref="Rate"/> (its time derivative).
    /// </summary>
    public sealed record Setting(Kind Style, double A = 0, double B = 0, Func<double>? Value = null, Func<double>? Rate = null);

    private enum Link { OneFromOne, OneFromTwo, TwoFromOne }

    private readonly Setting[] _set;
    private readonly int _nevery;
    private readonly bool _flipAllowed;
    private readonly double[] _loStart = new double[3], _hiStart = new double[3], _loStop = new double[3], _hiStop = new double[3];
    private readonly double[] _loTarget = new double[3], _hiTarget = new double[3], _volStart = new double[3];
    private readonly double[] _tiltStart = new double[6], _tiltStop = new double[6], _tiltTarget = new double[6], _tiltFlip = new double[6];
    private readonly Link[] _link = new Link[3];
    private readonly int[] _fixed = new int[3], _dyn1 = new int[3], _dyn2 = new int[3];
    private bool _flip;
    private int _flipXy, _flipXz, _flipYz;
    private bool[] _member = [];

    /// <param name="id">Fix id.</param>
    /// <param name="nevery">N: deform every N steps.</param>
    /// <param name="settings">Six settings in LAMMPS' order x, y, z, yz, xz, xy (<see cref="Kind.None"/> for those not changed).</param>
    /// <param name="remap">What happens to the atoms: x (default), v or none.</param>
    /// <param name="flip">Whether a tilt beyond half a box length flips the box (default yes).</param>
    public FixDeform(string id, int nevery, Setting[] settings, RemapMode remap = RemapMode.X, bool flip = true) : base(id)
    {
        if (nevery <= 0) throw new UserInputException("Illegal fix deform command");
        if (settings.Length != 6) throw new ArgumentException("six settings: x, y, z, yz, xz, xy", nameof(settings));
        (_nevery, _set, Remap, _flipAllowed) = (nevery, settings, remap, flip);
        for (var i = 0; i < 3; i++)
        {
            if (_set[i].Style != Kind.Volume) continue;
            int o1 = (i + 1) % 3, o2 = (i + 2) % 3;
            Kind s1 = _set[o1].Style, s2 = _set[o2].Style;
            var invalid = new UserInputException("Fix deform volume setting is invalid");
            if (s1 == Kind.None)
            {
                if (s2 is Kind.None or Kind.Volume) throw invalid;
                (_link[i], _fixed[i], _dyn1[i]) = (Link.OneFromOne, o1, o2);
            }
            else if (s2 == Kind.None)
            {
                if (s1 is Kind.None or Kind.Volume) throw invalid;
                (_link[i], _fixed[i], _dyn1[i]) = (Link.OneFromOne, o2, o1);
            }
            else if (s1 == Kind.Volume)
            {
                if (s2 is Kind.None or Kind.Volume) throw invalid;
                (_link[i], _fixed[i], _dyn1[i]) = (Link.TwoFromOne, o1, o2);
            }
            else if (s2 == Kind.Volume)
            {
                if (s1 is Kind.None or Kind.Volume) throw invalid;
                (_link[i], _fixed[i], _dyn1[i]) = (Link.TwoFromOne, o2, o1);
            }
            else (_link[i], _dyn1[i], _dyn2[i]) = (Link.OneFromTwo, o1, o2);
        }
    }

    public override string Style => "deform";

    public override bool SupportsGroups => true;

    public override bool ChangesBox => true;

    /// <summary>The remap option.</summary>
    public RemapMode Remap { get; }

    /// <summary>LAMMPS' h_rate: rate of change of xprd, yprd, zprd, yz, xz, xy (distance/time).</summary>
    public double[] HRate { get; } = new double[6];

    /// <summary>LAMMPS' h_ratelo: rate of change of xlo, ylo, zlo.</summary>
    public double[] HRateLo { get; } = new double[3];

    /// <summary>Whether the atom at storage index <paramref name="i"/> is in the fix's group (set at each run's init).</summary>
    public bool IsMember(int i) => _member[i];

    private bool ForcesRebuild => _flipAllowed && (_set[3].Style != Kind.None || _set[4].Style != Kind.None || _set[5].Style != Kind.None);

    public override void Init(Simulation sim)
    {
        if (sim.Fixes.Count(f => f is FixDeform) > 1) throw new UserInputException("More than one fix deform");
        var box = sim.Box!;
        var a = sim.Atoms;
        if (_member.Length != a.Count) _member = new bool[a.Count];
        for (var i = 0; i < a.Count; i++) _member[i] = Group.Contains(a.Id[i]);
        var delt = (sim.RunEndStep - sim.RunStartStep) * sim.Timestep;
        for (var i = 0; i < 3; i++)
        {
            _loStart[i] = box.Lo[i];
            _hiStart[i] = box.Hi[i];
            _volStart[i] = box.Lx * box.Ly * box.Lz;
            var s = _set[i];
            double lo = _loStart[i], hi = _hiStart[i], mid = 0.5 * (lo + hi), len = hi - lo;
            switch (s.Style)
            {
                case Kind.Final: (_loStop[i], _hiStop[i]) = (s.A, s.B); break;
                case Kind.Delta: (_loStop[i], _hiStop[i]) = (lo + s.A, hi + s.B); break;
                case Kind.Scale: (_loStop[i], _hiStop[i]) = (mid - 0.5 * s.A * len, mid + 0.5 * s.A * len); break;
                case Kind.Vel: (_loStop[i], _hiStop[i]) = (lo - 0.5 * delt * s.A, hi + 0.5 * delt * s.A); break;
                case Kind.Erate:
                    (_loStop[i], _hiStop[i]) = (lo - 0.5 * delt * s.A * len, hi + 0.5 * delt * s.A * len);
                    if (_hiStop[i] <= _loStop[i]) throw new UserInputException("Final box dimension due to fix deform is < 0.0");
                    break;
                case Kind.Trate:
                    (_loStop[i], _hiStop[i]) = (mid - 0.5 * (len * Math.Exp(s.A * delt)), mid + 0.5 * (len * Math.Exp(s.A * delt)));
                    break;
                case Kind.Wiggle:
                    (_loStop[i], _hiStop[i]) = (lo - 0.5 * s.A * Math.Sin(2 * Math.PI * delt / s.B), hi + 0.5 * s.A * Math.Sin(2 * Math.PI * delt / s.B));
                    break;
            }
        }
        for (var i = 3; i < 6; i++)
        {
            _tiltStart[i] = Tilt(box, i);
            var s = _set[i];
            _tiltStop[i] = s.Style switch
            {
                Kind.Final => s.A,
                Kind.Delta => _tiltStart[i] + s.A,
                Kind.Vel => _tiltStart[i] + delt * s.A,
                Kind.Erate => _tiltStart[i] + delt * s.A * (i == 5 ? _hiStart[1] - _loStart[1] : _hiStart[2] - _loStart[2]),
                Kind.Trate => _tiltStart[i] * Math.Exp(s.A * delt),
                Kind.Wiggle => _tiltStart[i] + s.A * Math.Sin(2 * Math.PI * delt / s.B),
                _ => 0.0,
            };
            if (s.Style == Kind.Trate && _tiltStart[i] == 0.0) throw new UserInputException("Cannot use fix deform trate on a box with zero tilt");
        }
        if (_set[3].Style != Kind.None && _set[5].Style != Kind.None && _flipAllowed)
        {
            if (_set[3].Style == Kind.Variable) throw new UserInputException("Fix deform cannot use yz variable with xy");
            if (_set[3].Style == Kind.Wiggle) throw new UserInputException("fix deform: yz wiggle together with xy is not supported yet");
            double lo = _tiltStop[3], hi = _tiltStop[3];
            var bad = lo / (_hiStart[1] - _loStart[1]) < -0.5 || hi / (_hiStart[1] - _loStart[1]) > 0.5;
            if (_set[1].Style != Kind.None) bad |= lo / (_hiStop[1] - _loStop[1]) < -0.5 || hi / (_hiStop[1] - _loStop[1]) > 0.5;
            if (bad) throw new UserInputException("Fix deform is changing yz too much with xy");
        }
        Array.Clear(HRate);
        Array.Clear(HRateLo);
        for (var i = 0; i < 3; i++)
        {
            if (_set[i].Style is not (Kind.Final or Kind.Delta or Kind.Scale or Kind.Vel or Kind.Erate)) continue;
            double dlo = 0, dhi = 0;
            if (delt != 0.0)
            {
                dlo = (_loStop[i] - _loStart[i]) / delt;
                dhi = (_hiStop[i] - _hiStart[i]) / delt;
            }
            HRate[i] = dhi - dlo;
            HRateLo[i] = dlo;
        }
        for (var i = 3; i < 6; i++)
            if (_set[i].Style is Kind.Final or Kind.Delta or Kind.Vel or Kind.Erate)
                HRate[i] = delt != 0.0 ? (_tiltStop[i] - _tiltStart[i]) / delt : 0.0;
    }

    private static double Tilt(SimulationBox box, int i) => i switch { 3 => box.Yz, 4 => box.Xz, _ => box.Xy };

    /// <summary>LAMMPS' pre_exchange: a flip found at the last deformation is done now, before the list is rebuilt.</summary>
    public override void PostIntegrate(Simulation sim)
    {
        if (!_flip) return;
        var box = sim.Box!;
        _tiltTarget[3] = _tiltFlip[3];
        _tiltTarget[4] = _tiltFlip[4];
        _tiltTarget[5] = _tiltFlip[5];
        box.Reshape(box.Lo[0], box.Hi[0], box.Lo[1], box.Hi[1], box.Lo[2], box.Hi[2], _tiltFlip[5], _tiltFlip[4], _tiltFlip[3]);
        var a = sim.Atoms;
        for (var i = 0; i < a.Count; i++)
        {
            // Domain::image_flip, then Domain::remap
            int xb = a.ImageA[i], yb = a.ImageB[i], zb = a.ImageC[i];
            yb -= _flipYz * zb;
            xb -= _flipXy * yb + _flipXz * zb;
            (a.ImageA[i], a.ImageB[i], a.ImageC[i]) = (xb, yb, zb);
            RemapFull(box, ref a.X[i], ref a.Y[i], ref a.Z[i], ref a.ImageA[i], ref a.ImageB[i], ref a.ImageC[i]);
        }
        _flip = false;
        sim.Verlet.RequestRebuild();
    }

    public override void EndOfStep(Simulation sim)
    {
        if (sim.Step % _nevery != 0) return;
        var box = sim.Box!;
        var steps = sim.RunEndStep - sim.RunStartStep;
        double delta = sim.Step - sim.RunStartStep;
        if (delta != 0.0) delta /= steps;
        var elapsed = (sim.Step - sim.RunStartStep) * sim.Timestep;
        double[] h = [box.Lx, box.Ly, box.Lz, box.Yz, box.Xz, box.Xy];
        for (var i = 0; i < 3; i++)
        {
            var s = _set[i];
            switch (s.Style)
            {
                case Kind.None:
                    (_loTarget[i], _hiTarget[i]) = (box.Lo[i], box.Hi[i]);
                    break;
                case Kind.Trate:
                {
                    var len = (_hiStart[i] - _loStart[i]) * Math.Exp(s.A * elapsed);
                    var mid = 0.5 * (_loStart[i] + _hiStart[i]);
                    (_loTarget[i], _hiTarget[i]) = (mid - 0.5 * len, mid + 0.5 * len);
                    HRate[i] = s.A * h[i];
                    HRateLo[i] = -0.5 * HRate[i];
                    break;
                }
                case Kind.Wiggle:
                {
                    var sin = Math.Sin(2 * Math.PI * elapsed / s.B);
                    (_loTarget[i], _hiTarget[i]) = (_loStart[i] - 0.5 * s.A * sin, _hiStart[i] + 0.5 * s.A * sin);
                    HRate[i] = 2 * Math.PI / s.B * s.A * Math.Cos(2 * Math.PI * elapsed / s.B);
                    HRateLo[i] = -0.5 * HRate[i];
                    break;
                }
                case Kind.Variable:
                {
                    var del = s.Value!();
                    (_loTarget[i], _hiTarget[i]) = (_loStart[i] - 0.5 * del, _hiStart[i] + 0.5 * del);
                    HRate[i] = s.Rate!();
                    HRateLo[i] = -0.5 * HRate[i];
                    break;
                }
                case Kind.Volume:
                    break;
                default:
                    _loTarget[i] = _loStart[i] + delta * (_loStop[i] - _loStart[i]);
                    _hiTarget[i] = _hiStart[i] + delta * (_hiStop[i] - _hiStart[i]);
                    break;
            }
        }
        for (var i = 0; i < 3; i++)
        {
            if (_set[i].Style != Kind.Volume) continue;
            double mid = 0.5 * (_loStart[i] + _hiStart[i]), half;
            double Len(int k) => _hiTarget[k] - _loTarget[k];
            double LenStart(int k) => _hiStart[k] - _loStart[k];
            half = _link[i] switch
            {
                Link.OneFromOne => 0.5 * (_volStart[i] / Len(_dyn1[i]) / LenStart(_fixed[i])),
                Link.OneFromTwo => 0.5 * (_volStart[i] / Len(_dyn1[i]) / Len(_dyn2[i])),
                _ => 0.5 * Math.Sqrt(_volStart[i] / Len(_dyn1[i]) / LenStart(_fixed[i]) * LenStart(i)),
            };
            (_loTarget[i], _hiTarget[i]) = (mid - half, mid + half);
        }
        var triclinic = box.IsTriclinic || _set[3].Style != Kind.None || _set[4].Style != Kind.None || _set[5].Style != Kind.None;
        if (triclinic)
        {
            for (var i = 3; i < 6; i++)
            {
                var s = _set[i];
                switch (s.Style)
                {
                    case Kind.None: _tiltTarget[i] = Tilt(box, i); break;
                    case Kind.Trate:
                        _tiltTarget[i] = _tiltStart[i] * Math.Exp(s.A * elapsed);
                        HRate[i] = s.A * h[i];
                        break;
                    case Kind.Wiggle:
                        _tiltTarget[i] = _tiltStart[i] + s.A * Math.Sin(2 * Math.PI * elapsed / s.B);
                        HRate[i] = 2 * Math.PI / s.B * s.A * Math.Cos(2 * Math.PI * elapsed / s.B);
                        break;
                    case Kind.Variable:
                        _tiltTarget[i] = _tiltStart[i] + s.Value!();
                        HRate[i] = s.Rate!();
                        break;
                    default:
                        _tiltTarget[i] = _tiltStart[i] + delta * (_tiltStop[i] - _tiltStart[i]);
                        break;
                }
                // the tilt closest to the current one among those a whole box length apart
                var idenom = i == 3 ? 1 : 0;
                var denom = _hiTarget[idenom] - _loTarget[idenom];
                var current = h[i] / h[idenom];
                while (_tiltTarget[i] / denom - current > 0.0) _tiltTarget[i] -= denom;
                while (_tiltTarget[i] / denom - current < 0.0) _tiltTarget[i] += denom;
                if (Math.Abs(_tiltTarget[i] / denom - 1.0 - current) < Math.Abs(_tiltTarget[i] / denom - current)) _tiltTarget[i] -= denom;
            }
        }
        if (triclinic && _flipAllowed)
        {
            var xprd = _hiTarget[0] - _loTarget[0];
            var yprd = _hiTarget[1] - _loTarget[1];
            var xprdinv = 1.0 / xprd;
            var yprdinv = 1.0 / yprd;
            if (_tiltTarget[3] * yprdinv < -0.5 || _tiltTarget[3] * yprdinv > 0.5 || _tiltTarget[4] * xprdinv < -0.5 || _tiltTarget[4] * xprdinv > 0.5
                || _tiltTarget[5] * xprdinv < -0.5 || _tiltTarget[5] * xprdinv > 0.5)
            {
                _tiltFlip[3] = _tiltTarget[3];
                _tiltFlip[4] = _tiltTarget[4];
                _tiltFlip[5] = _tiltTarget[5];
                _flipXy = _flipXz = _flipYz = 0;
                if (box.Periodic[1])
                {
                    if (_tiltFlip[3] * yprdinv < -0.5)
                    {
                        _tiltFlip[3] += yprd;
                        _tiltFlip[4] += _tiltFlip[5];
                        _flipYz = 1;
                    }
                    else if (_tiltFlip[3] * yprdinv > 0.5)
                    {
                        _tiltFlip[3] -= yprd;
                        _tiltFlip[4] -= _tiltFlip[5];
                        _flipYz = -1;
                    }
                }
                if (box.Periodic[0])
                {
                    if (_tiltFlip[4] * xprdinv < -0.5)
                    {
                        _tiltFlip[4] += xprd;
                        _flipXz = 1;
                    }
                    if (_tiltFlip[4] * xprdinv > 0.5)
                    {
                        _tiltFlip[4] -= xprd;
                        _flipXz = -1;
                    }
                    if (_tiltFlip[5] * xprdinv < -0.5)
                    {
                        _tiltFlip[5] += xprd;
                        _flipXy = 1;
                    }
                    if (_tiltFlip[5] * xprdinv > 0.5)
                    {
                        _tiltFlip[5] -= xprd;
                        _flipXy = -1;
                    }
                }
                _flip = _flipXy != 0 || _flipXz != 0 || _flipYz != 0;
            }
        }
        var a = sim.Atoms;
        var remapX = Remap == RemapMode.X;
        if (remapX)
        {
            var inv = HInverse(box);
            for (var i = 0; i < a.Count; i++)
                if (_member[i]) ToLamda(box, inv, ref a.X[i], ref a.Y[i], ref a.Z[i]);
        }
        double xlo = box.Lo[0], xhi = box.Hi[0], ylo = box.Lo[1], yhi = box.Hi[1], zlo = box.Lo[2], zhi = box.Hi[2];
        double xy = box.Xy, xz = box.Xz, yz = box.Yz;
        if (_set[0].Style != Kind.None) (xlo, xhi) = (_loTarget[0], _hiTarget[0]);
        if (_set[1].Style != Kind.None) (ylo, yhi) = (_loTarget[1], _hiTarget[1]);
        if (_set[2].Style != Kind.None) (zlo, zhi) = (_loTarget[2], _hiTarget[2]);
        if (triclinic)
        {
            if (_set[3].Style != Kind.None) yz = _tiltTarget[3];
            if (_set[4].Style != Kind.None) xz = _tiltTarget[4];
            if (_set[5].Style != Kind.None) xy = _tiltTarget[5];
        }
        box.Reshape(xlo, xhi, ylo, yhi, zlo, zhi, xy, xz, yz);
        if (remapX)
            for (var i = 0; i < a.Count; i++)
                if (_member[i]) FromLamda(box, ref a.X[i], ref a.Y[i], ref a.Z[i]);
    }

    /// <summary>LAMMPS' h_inv (Voigt order xx, yy, zz, yz, xz, xy) of the box as it is.</summary>
    public static double[] HInverse(SimulationBox box)
    {
        double h0 = box.Lx, h1 = box.Ly, h2 = box.Lz, h3 = box.Yz, h4 = box.Xz, h5 = box.Xy;
        return [1.0 / h0, 1.0 / h1, 1.0 / h2, -h3 / (h1 * h2), (h3 * h5 - h1 * h4) / (h0 * h1 * h2), -h5 / (h0 * h1)];
    }

    /// <summary>LAMMPS' Domain::x2lamda, term for term.</summary>
    public static void ToLamda(SimulationBox box, double[] hinv, ref double x, ref double y, ref double z)
    {
        double d0 = x - box.Lo[0], d1 = y - box.Lo[1], d2 = z - box.Lo[2];
        x = hinv[0] * d0 + hinv[5] * d1 + hinv[4] * d2;
        y = hinv[1] * d1 + hinv[3] * d2;
        z = hinv[2] * d2;
    }

    /// <summary>LAMMPS' Domain::lamda2x, term for term.</summary>
    public static void FromLamda(SimulationBox box, ref double x, ref double y, ref double z)
    {
        double l0 = x, l1 = y, l2 = z;
        x = box.Lx * l0 + box.Xy * l1 + box.Xz * l2 + box.Lo[0];
        y = box.Ly * l1 + box.Yz * l2 + box.Lo[1];
        z = box.Lz * l2 + box.Lo[2];
    }

    /// <summary>LAMMPS' Domain::remap(x, image) for a triclinic box: to fractional coordinates, whole periods, back.</summary>
    private static void RemapFull(SimulationBox box, ref double x, ref double y, ref double z, ref int ia, ref int ib, ref int ic)
    {
        var inv = HInverse(box);
        ToLamda(box, inv, ref x, ref y, ref z);
        Wrap(ref x, box.Periodic[0], ref ia);
        Wrap(ref y, box.Periodic[1], ref ib);
        Wrap(ref z, box.Periodic[2], ref ic);
        FromLamda(box, ref x, ref y, ref z);

        static void Wrap(ref double f, bool periodic, ref int image)
        {
            if (!periodic) return;
            while (f < 0.0)
            {
                f += 1.0;
                image--;
            }
            while (f >= 1.0)
            {
                f -= 1.0;
                image++;
            }
            f = Math.Max(f, 0.0);
        }
    }
}
