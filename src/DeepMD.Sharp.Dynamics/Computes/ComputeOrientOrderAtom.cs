namespace DeepMD.Sharp.Dynamics.Computes;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Dynamics.Groups;

/// <summary>
/// <c>compute ID group orientorder/atom [degrees N l1 … lN] [nnn N|NULL] [wl yes|no] [wl/hat yes|no] [components l]
/// [cutoff Rc] [chunksize N]</c>: Steinhardt bond-orientational order parameters per atom, as LAMMPS' compute
/// orientorder/atom. For each atom of the group, the neighbors within the cutoff (default: the pair style's) are taken
/// (every periodic image its own neighbor); with nnn (default 12) the nnn nearest, and an atom with fewer gets zeros.
/// q_lm = ⟨Y_lm(r̂)⟩ over them; columns: Q_l = √(4π/(2l+1) Σ|q_lm|²) per degree (default 4 6 8 10 12), then with wl
/// W_l = Σ (l l l; m1 m2 m3) q_lm1 q_lm2 q_lm3 / √(2l+1) (Wigner 3j by LAMMPS' Clebsch–Gordan quasi-binomial formula),
/// with wl/hat Ŵ_l = W_l normalized by (Σ|q_lm|²)^(3/2), with components the real and imaginary parts of q_lm/|q_l| for
/// one degree. Spherical harmonics by the associated-Legendre recursion with the Condon–Shortley phase.
/// </summary>
public sealed class ComputeOrientOrderAtom : Compute
{
    private const double Epsilon = 1e-6;
    private const double QEpsilon = 1e-6;
    private readonly int[] _degrees;
    private readonly int _nnn;
    private readonly bool _wl, _wlHat;
    private readonly int _component;
    private readonly double _cutoff;
    private double[] _cg = [];

    /// <summary>Degrees l, nnn (0: every neighbor within the cutoff), the W_l and Ŵ_l columns, the degree whose q_lm are columns (−1: none), cutoff (0: the pair style's).</summary>
    public ComputeOrientOrderAtom(string id, AtomGroup group, int[] degrees, int nnn, bool wl, bool wlHat, int component, double cutoff) : base(id, group)
    {
        _degrees = degrees;
        _nnn = nnn;
        _wl = wl;
        _wlHat = wlHat;
        _component = component;
        _cutoff = cutoff;
        if (wl || wlHat) _cg = ClebschGordan(degrees);
    }

    public override string Style => "orientorder/atom";

    public override bool HasPerAtom => true;

    public override int PerAtomColumns => _degrees.Length * (1 + (_wl ? 1 : 0) + (_wlHat ? 1 : 0)) + (_component >= 0 ? 2 * (2 * _component + 1) : 0);

    protected override void ComputePerAtom(Simulation sim, double[] values)
    {
        RequireSerial(sim);
        var cutoff = _cutoff;
        var pairCut = sim.Potential?.Cutoff ?? throw new UserInputException("Compute orientorder/atom requires a pair style be defined");
        if (cutoff == 0) cutoff = pairCut;
        else if (cutoff > pairCut) throw new UserInputException("Compute orientorder/atom cutoff is longer than pairwise cutoff");
        var a = sim.Atoms;
        var n = a.Count;
        var cols = PerAtomColumns;
        var list = CellListNeighborSearch.Build(a.X.AsSpan(0, n), a.Y.AsSpan(0, n), a.Z.AsSpan(0, n), sim.Box!.Cell, cutoff);
        var cutSq = cutoff * cutoff;
        var qmax = _degrees.Max();
        var qr = new double[_degrees.Length, 2 * qmax + 1];
        var qi = new double[_degrees.Length, 2 * qmax + 1];
        var near = new List<(double Rsq, double X, double Y, double Z)>();
        var qn = new double[cols];
        for (var i = 0; i < n; i++)
        {
            if (!Group.Contains(a.Id[i])) continue;
            near.Clear();
            for (var e = list.Offsets[i]; e < list.Offsets[i + 1]; e++)
            {
                // LAMMPS' separation x_i − x_j (the list holds x_j − x_i).
                double dx = -list.Dx[e], dy = -list.Dy[e], dz = -list.Dz[e];
                var rsq = dx * dx + dy * dy + dz * dz;
                if (rsq < cutSq) near.Add((rsq, dx, dy, dz));
            }
            if (near.Count == 0 || near.Count < _nnn) continue;
            if (_nnn > 0)
            {
                near.Sort((p, q) => p.Rsq.CompareTo(q.Rsq));
                near.RemoveRange(_nnn, near.Count - _nnn);
            }
            System.Array.Clear(qn);
            Boop(near, qn, qr, qi);
            System.Array.Copy(qn, 0, values, i * cols, cols);
        }
    }

    private void Boop(List<(double Rsq, double X, double Y, double Z)> near, double[] qn, double[,] qr, double[,] qi)
    {
        System.Array.Clear(qr);
        System.Array.Clear(qi);
        foreach (var (_, x, y, z) in near)
        {
            var rmag = Math.Sqrt(x * x + y * y + z * z);
            if (rmag <= Epsilon) return;
            var cosTheta = z / rmag;
            double er = x, ei = y;
            var rxy = Math.Sqrt(er * er + ei * ei);
            if (rxy <= Epsilon)
            {
                er = 1.0;
                ei = 0.0;
            }
            else
            {
                var inv = 1.0 / rxy;
                er *= inv;
                ei *= inv;
            }
            for (var il = 0; il < _degrees.Length; il++)
            {
                var l = _degrees[il];
                qr[il, l] += PolarPrefactor(l, 0, cosTheta);
                double emr = er, emi = ei;
                for (var m = 1; m <= l; m++)
                {
                    var pre = PolarPrefactor(l, m, cosTheta);
                    var yr = pre * emr;
                    var yi = pre * emi;
                    qr[il, m + l] += yr;
                    qi[il, m + l] += yi;
                    // Y_l,−m = (−1)^m conj(Y_lm).
                    if ((m & 1) != 0)
                    {
                        qr[il, -m + l] -= yr;
                        qi[il, -m + l] += yi;
                    }
                    else
                    {
                        qr[il, -m + l] += yr;
                        qi[il, -m + l] -= yi;
                    }
                    var tr = emr * er - emi * ei;
                    var ti = emr * ei + emi * er;
                    emr = tr;
                    emi = ti;
                }
            }
        }
        var facn = 1.0 / near.Count;
        for (var il = 0; il < _degrees.Length; il++)
            for (var m = 0; m < 2 * _degrees[il] + 1; m++)
            {
                qr[il, m] *= facn;
                qi[il, m] *= facn;
            }
        var jj = 0;
        for (var il = 0; il < _degrees.Length; il++)
        {
            var l = _degrees[il];
            var norm = Math.Sqrt(4 * Math.PI / (2 * l + 1));
            double sum = 0;
            for (var m = 0; m < 2 * l + 1; m++) sum += qr[il, m] * qr[il, m] + qi[il, m] * qi[il, m];
            qn[jj++] = norm * Math.Sqrt(sum);
        }
        if (_wl)
        {
            var k = 0;
            for (var il = 0; il < _degrees.Length; il++)
            {
                var l = _degrees[il];
                qn[jj++] = WlSum(il, l, qr, qi, ref k) / Math.Sqrt(2 * l + 1);
            }
        }
        if (_wlHat)
        {
            var k = 0;
            for (var il = 0; il < _degrees.Length; il++)
            {
                var l = _degrees[il];
                var wl = WlSum(il, l, qr, qi, ref k);
                if (qn[il] < QEpsilon) qn[jj++] = 0.0;
                else
                {
                    var qnfac = Math.Sqrt(4 * Math.PI / (2 * l + 1)) / qn[il];
                    qn[jj++] = wl / Math.Sqrt(2 * l + 1) * (qnfac * qnfac * qnfac);
                }
            }
        }
        if (_component >= 0)
        {
            var il = System.Array.IndexOf(_degrees, _component);
            var l = _component;
            if (qn[il] < QEpsilon)
                for (var m = 0; m < 2 * l + 1; m++)
                {
                    qn[jj++] = 0.0;
                    qn[jj++] = 0.0;
                }
            else
            {
                var qnfac = Math.Sqrt(4 * Math.PI / (2 * l + 1)) / qn[il];
                for (var m = 0; m < 2 * l + 1; m++)
                {
                    qn[jj++] = qr[il, m] * qnfac;
                    qn[jj++] = qi[il, m] * qnfac;
                }
            }
        }
    }

    private double WlSum(int il, int l, double[,] qr, double[,] qi, ref int k)
    {
        double sum = 0;
        for (var m1 = 0; m1 < 2 * l + 1; m1++)
            for (var m2 = Math.Max(0, l - m1); m2 < Math.Min(2 * l + 1, 3 * l - m1 + 1); m2++)
            {
                var m = m1 + m2 - l;
                var pr = qr[il, m1] * qr[il, m2] - qi[il, m1] * qi[il, m2];
                var pi = qr[il, m1] * qi[il, m2] + qi[il, m1] * qr[il, m2];
                sum += (pr * qr[il, m] + pi * qi[il, m]) * _cg[k];
                k++;
            }
        return sum;
    }

    /// <summary>The θ part of Y_lm: √((2l+1)/(4π) (l−|m|)!/(l+|m|)!) P_l^|m|(cos θ), negated for odd negative m.</summary>
    private static double PolarPrefactor(int l, int m, double cosTheta)
    {
        var mabs = Math.Abs(m);
        var prefactor = 1.0;
        for (var i = l - mabs + 1; i < l + mabs + 1; ++i) prefactor *= i;
        prefactor = Math.Sqrt((2 * l + 1) / (4 * Math.PI * prefactor)) * AssociatedLegendre(l, mabs, cosTheta);
        if (m < 0 && m % 2 != 0) prefactor = -prefactor;
        return prefactor;
    }

    /// <summary>P_l^m(x) with P_m^m = (2m−1)!! (−√(1−x²))^m and the upward recursion in l.</summary>
    private static double AssociatedLegendre(int l, int m, double x)
    {
        if (l < m) return 0.0;
        double p = 1.0, pm1 = 0.0, pm2;
        if (m != 0)
        {
            var msqx = -Math.Sqrt(1.0 - x * x);
            for (var i = 1; i < m + 1; ++i) p *= (2 * i - 1) * msqx;
        }
        for (var i = m + 1; i < l + 1; ++i)
        {
            pm2 = pm1;
            pm1 = p;
            p = ((2 * i - 1) * x * pm1 - (i + m - 1) * pm2) / (i - m);
        }
        return p;
    }

    private static double Factorial(int n)
    {
        var f = 1.0;
        for (var i = 2; i <= n; i++) f *= i;
        return f;
    }

    /// <summary>Wigner 3j symbols (l l l; m1 m2 −m1−m2) for each degree, in the order the W_l sums use them.</summary>
    private static double[] ClebschGordan(int[] degrees)
    {
        var list = new List<double>();
        foreach (var l in degrees)
            for (var m1 = 0; m1 < 2 * l + 1; m1++)
            {
                var aa2 = m1 - l;
                for (var m2 = Math.Max(0, l - m1); m2 < Math.Min(2 * l + 1, 3 * l - m1 + 1); m2++)
                {
                    var bb2 = m2 - l;
                    var m = aa2 + bb2 + l;
                    double sum = 0;
                    for (var z = Math.Max(0, Math.Max(-aa2, bb2)); z <= Math.Min(l, Math.Min(l - aa2, l + bb2)); z++)
                    {
                        var sign = z % 2 != 0 ? -1 : 1;
                        sum += sign / (Factorial(z) * Factorial(l - z) * Factorial(l - aa2 - z) * Factorial(l + bb2 - z) * Factorial(aa2 + z) * Factorial(-bb2 + z));
                    }
                    var cc2 = m - l;
                    var sfaccg = Math.Sqrt(Factorial(l + aa2) * Factorial(l - aa2) * Factorial(l + bb2) * Factorial(l - bb2) * Factorial(l + cc2) * Factorial(l - cc2) * (2 * l + 1));
                    var sfac1 = Factorial(3 * l + 1);
                    var sfac2 = Factorial(l);
                    var dcg = Math.Sqrt(sfac2 * sfac2 * sfac2 / sfac1);
                    list.Add(sum * dcg * sfaccg);
                }
            }
        return [.. list];
    }
}
