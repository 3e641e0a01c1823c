namespace DeepMD.Sharp.Dynamics.Fixes;

using DeepMD.Sharp.Core.Errors;

/// <summary>
/// <c>fix ID group viscosity N vdim pdim Nbin [swap Nswap] [vtarget V|INF]</c>: LAMMPS' Müller-Plathe momentum
/// exchange. Every N steps the box is cut into Nbin slabs along pdim; the Nswap atoms of the bottom slab whose vdim
/// velocity is positive and closest to +vtarget (largest when INF) trade that velocity component with the Nswap atoms
/// of the middle slab closest to −vtarget, in their centre-of-mass frame, so momentum and energy are kept. The scalar
/// (f_ID) is the cumulative momentum transferred (mass × velocity units). Atoms are visited in LAMMPS' storage order, so
/// ties go to the same atoms.
/// </summary>
public sealed class FixViscosity : Fix, IFixGlobalValues
{
    private const double Big = 1.0e10;
    private readonly int _every, _vdim, _pdim, _nbin, _nswap;
    private readonly double _vtarget;
    private readonly int[] _posIndex, _negIndex;
    private readonly double[] _posDelta, _negDelta;
    private double _exchanged;

    public FixViscosity(string id, int every, int vdim, int pdim, int nbin, int nswap, double vtarget) : base(id)
    {
        (_every, _vdim, _pdim, _nbin, _nswap, _vtarget) = (every, vdim, pdim, nbin, nswap, vtarget);
        _posIndex = new int[nswap + 1];
        _negIndex = new int[nswap + 1];
        _posDelta = new double[nswap + 1];
        _negDelta = new double[nswap + 1];
    }

    public override string Style => "viscosity";

    public override bool SupportsGroups => true;

    public override bool UsesStorageOrder => true;

    public override void EndOfStep(Simulation sim)
    {
        if (sim.Step % _every != 0) return;
        if (sim.Decomposed is { Active: true }) throw new UserInputException("fix viscosity is not supported on several ranks yet; run the deck in one process");
        var box = sim.Box!;
        double boxlo = box.Lo[_pdim], boxhi = box.Hi[_pdim], prd = boxhi - boxlo;
        var binsize = (boxhi - boxlo) / _nbin;
        double slabloLo = boxlo, slabloHi = boxlo + binsize;
        double slabhiLo = boxlo + _nbin / 2 * binsize, slabhiHi = boxlo + (_nbin / 2 + 1) * binsize;
        var periodic = box.Periodic[_pdim];
        var a = sim.Atoms;
        var pos = _pdim switch { 0 => a.X, 1 => a.Y, _ => a.Z };
        var vel = _vdim switch { 0 => a.Vx, 1 => a.Vy, _ => a.Vz };
        if (sim.StorageOrder.Order.Length != a.Count) sim.StorageOrder.EnsureSize(a.Count);
        var order = sim.StorageOrder.Order;
        int npositive = 0, nnegative = 0;
        for (var k = 0; k < a.Count; k++)
        {
            var i = order[k];
            if (!Group.IsAll && !Group.Contains(a.Id[i])) continue;
            var coord = pos[i];
            if (coord < boxlo && periodic) coord += prd;
            else if (coord >= boxhi && periodic) coord -= prd;
            if (coord >= slabloLo && coord < slabloHi)
            {
                if (vel[i] < 0.0) continue;
                Insert(_posDelta, _posIndex, ref npositive, Math.Abs(vel[i] - _vtarget), i);
            }
            if (coord >= slabhiLo && coord < slabhiHi)
            {
                if (vel[i] > 0.0) continue;
                Insert(_negDelta, _negIndex, ref nnegative, Math.Abs(vel[i] + _vtarget), i);
            }
        }
        var m = sim.Masses;
        double pswap = 0;
        int ipositive = 0, inegative = 0;
        for (var s = 0; s < _nswap; s++)
        {
            if (ipositive >= npositive || inegative >= nnegative) continue;
            var ipos = _posIndex[ipositive++];
            var ineg = _negIndex[inegative++];
            double r0 = vel[ipos], r1 = m[a.Type[ipos]];
            double s0 = vel[ineg], s1 = m[a.Type[ineg]];
            var vcm = (s1 * s0 + r1 * r0) / (s1 + r1);
            vel[ineg] = 2.0 * vcm - s0;
            vel[ipos] = 2.0 * vcm - r0;
            pswap += r1 * (vcm - r0) - s1 * (vcm - s0);
        }
        _exchanged += pswap;
    }

    /// <summary>LAMMPS' sorted insertion of the Nswap smallest deltas (later atoms lose ties).</summary>
    private void Insert(double[] delta, int[] index, ref int n, double d, int i)
    {
        if (!(n < _nswap || d < delta[_nswap - 1])) return;
        var insert = n - 1;
        for (; insert >= 0; insert--)
            if (d > delta[insert]) break;
        insert++;
        for (var k = n - 1; k >= insert; k--)
        {
            delta[k + 1] = delta[k];
            index[k + 1] = index[k];
        }
        delta[insert] = d;
        index[insert] = i;
        if (n < _nswap) n++;
    }

    public bool HasScalar => true;

    public double Scalar(Simulation sim) => _exchanged;

    public bool ExtensiveScalar => false;

    public int VectorLength => 0;

    public double Vector(Simulation sim, int i) => throw new InvalidOperationException();

    public bool ExtensiveVector(int i) => false;

    public override double[] SaveState() => [_exchanged];

    public override void RestoreState(double[] state)
    {
        if (state.Length == 1) _exchanged = state[0];
    }
}
