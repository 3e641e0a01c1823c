namespace DeepMD.Sharp.Dynamics.Fixes;

using DeepMD.Sharp.Core.Geometry;

/// <summary>
/// The box as LAMMPS' fix nh sees it, h = (xprd, yprd, zprd, yz, xz, xy) with its inverse, and the half-step box
/// update of the barostat (LAMMPS' remap) that carries every atom along affinely. A tilt beyond 1.5 box lengths in one
/// step, or beyond 0.6 (where LAMMPS would flip the box), stops the run.
/// </summary>
internal sealed class NoseHooverCell
{
    private const double TiltMax = 1.5;
    private const double FlipLimit = 0.6;

    private readonly double[] _h = new double[6], _hInv = new double[6];
    private readonly string _style;
    private readonly bool[] _pFlag;
    private readonly bool _triclinic, _scaleXy, _scaleXz, _scaleYz;

    public NoseHooverCell(string style, bool[] pFlag, bool triclinic, bool scaleXy, bool scaleXz, bool scaleYz)
    {
        _style = style;
        _pFlag = pFlag;
        (_triclinic, _scaleXy, _scaleXz, _scaleYz) = (triclinic, scaleXy, scaleXz, scaleYz);
    }

    /// <summary>h of the last <see cref="Read"/> (during a remap: being integrated).</summary>
    public double[] H => _h;

    /// <summary>LAMMPS' h_inv of the last <see cref="Read"/>.</summary>
    public double[] HInv => _hInv;

    /// <summary>LAMMPS' h = (xprd, yprd, zprd, yz, xz, xy) and its inverse for the current box.</summary>
    public void Read(SimulationBox box)
    {
        _h[0] = box.Lx;
        _h[1] = box.Ly;
        _h[2] = box.Lz;
        _h[3] = box.Yz;
        _h[4] = box.Xz;
        _h[5] = box.Xy;
        _hInv[0] = 1.0 / _h[0];
        _hInv[1] = 1.0 / _h[1];
        _hInv[2] = 1.0 / _h[2];
        _hInv[3] = -_h[3] / (_h[1] * _h[2]);
        _hInv[4] = (_h[3] * _h[5] - _h[1] * _h[4]) / (_h[0] * _h[1] * _h[2]);
        _hInv[5] = -_h[5] / (_h[0] * _h[1]);
    }

    /// <summary>
    /// Half-step box update (LAMMPS' remap) over <paramref name="dto"/>: atoms to fractional coordinates, the cell
    /// integrated under ḣ = ω̇·h (tilts in a time-symmetric split around the scaling of the lengths about the fixed
    /// point), atoms back. Only barostatted components change.
    /// </summary>
    public void HalfStep(Simulation sim, double dto, double[] omegaDot, double[] fixedPoint)
    {
        var box = sim.Box!;
        Read(box);
        double lo0 = box.Lo[0], lo1 = box.Lo[1], lo2 = box.Lo[2];
        var a = sim.Atoms;
        var hi = _hInv;
        for (var i = 0; i < a.Count; i++)
        {
            double d0 = a.X[i] - lo0, d1 = a.Y[i] - lo1, d2 = a.Z[i] - lo2;
            a.X[i] = hi[0] * d0 + hi[5] * d1 + hi[4] * d2;
            a.Y[i] = hi[1] * d1 + hi[3] * d2;
            a.Z[i] = hi[2] * d2;
        }

        var h = _h;
        var f = _pFlag;
        var tri = _triclinic;
        if (tri) TiltHalf(h, f, dto, omegaDot);

        var newLo = (stackalloc double[] { box.Lo[0], box.Lo[1], box.Lo[2] });
        var newHi = (stackalloc double[] { box.Hi[0], box.Hi[1], box.Hi[2] });
        for (var d = 0; d < 3; d++)
        {
            if (!f[d]) continue;
            var expfac = Math.Exp(dto * omegaDot[d]);
            newLo[d] = (box.Lo[d] - fixedPoint[d]) * expfac + fixedPoint[d];
            newHi[d] = (box.Hi[d] - fixedPoint[d]) * expfac + fixedPoint[d];
            if (d == 1 && _scaleXy) h[5] *= expfac;
            if (d == 2 && _scaleXz) h[4] *= expfac;
            if (d == 2 && _scaleYz) h[3] *= expfac;
        }

        if (tri) TiltHalf(h, f, dto, omegaDot);

        double xprd = newHi[0] - newLo[0], yprd = newHi[1] - newLo[1];
        if (tri && (h[3] < -TiltMax * yprd || h[3] > TiltMax * yprd || h[4] < -TiltMax * xprd || h[4] > TiltMax * xprd
            || h[5] < -TiltMax * xprd || h[5] > TiltMax * xprd))
            throw new SimulationException($"step {sim.Step}: fix {_style} tilted the box too far in one step (xy {h[5]}, xz {h[4]}, yz {h[3]}); the cell is too far from equilibrium (larger Pdamp?)", sim.Step, 0);
        if (Math.Abs(h[5]) > FlipLimit * xprd || Math.Abs(h[4]) > FlipLimit * xprd || Math.Abs(h[3]) > FlipLimit * yprd)
            throw new SimulationException($"step {sim.Step}: fix {_style}: a tilt factor exceeds {FlipLimit} of the box length (xy {h[5]}, xz {h[4]}, yz {h[3]}); box flips are not implemented", sim.Step, 0);

        box.Reshape(newLo[0], newHi[0], newLo[1], newHi[1], newLo[2], newHi[2], h[5], h[4], h[3]);

        double n0 = xprd, n1 = yprd, n2 = newHi[2] - newLo[2];
        double t3 = h[3], t4 = h[4], t5 = h[5];
        double l0 = newLo[0], l1 = newLo[1], l2 = newLo[2];
        for (var i = 0; i < a.Count; i++)
        {
            double s0 = a.X[i], s1 = a.Y[i], s2 = a.Z[i];
            a.X[i] = n0 * s0 + t5 * s1 + t4 * s2 + l0;
            a.Y[i] = n1 * s1 + t3 * s2 + l1;
            a.Z[i] = n2 * s2 + l2;
        }
    }

    /// <summary>
    /// One half of the symmetric tilt update. As in LAMMPS, the lengths h[0..2] used here are those of the box
    /// before this remap, in both halves.
    /// </summary>
    private static void TiltHalf(double[] h, bool[] f, double dto, double[] omegaDot)
    {
        double dto2 = dto / 2.0, dto4 = dto / 4.0, dto8 = dto / 8.0;
        double expfac;
        if (f[4])
        {
            expfac = Math.Exp(dto8 * omegaDot[0]);
            h[4] *= expfac;
            h[4] += dto4 * (omegaDot[5] * h[3] + omegaDot[4] * h[2]);
            h[4] *= expfac;
        }
        if (f[3])
        {
            expfac = Math.Exp(dto4 * omegaDot[1]);
            h[3] *= expfac;
            h[3] += dto2 * (omegaDot[3] * h[2]);
            h[3] *= expfac;
        }
        if (f[5])
        {
            expfac = Math.Exp(dto4 * omegaDot[0]);
            h[5] *= expfac;
            h[5] += dto2 * (omegaDot[5] * h[1]);
            h[5] *= expfac;
        }
        if (f[4])
        {
            expfac = Math.Exp(dto8 * omegaDot[0]);
            h[4] *= expfac;
            h[4] += dto4 * (omegaDot[5] * h[3] + omegaDot[4] * h[2]);
            h[4] *= expfac;
        }
    }
}
