namespace DeepMD.Sharp.Dynamics.Fixes;

using DeepMD.Sharp.Core.Errors;

/// <summary>
/// <c>fix ID group thermal/conductivity N edim Nbin [swap Nswap]</c>: LAMMPS' Müller-Plathe heat-flux fix. Every N steps
/// (end of step) the box is cut into Nbin slabs along edim; the Nswap hottest atoms of the bottom slab and the Nswap
/// coldest of the slab just above the middle exchange velocities pairwise (through their centre-of-mass velocity, so
/// momentum is kept and kinetic energy moves). Fix scalar (<c>f_ID</c>, intensive): the kinetic energy moved so far.
/// </summary>
public sealed class FixThermalConductivity : Fix, IFixGlobalValues
{
    private readonly int _nevery, _edim, _nbin, _nswap;
    private readonly int[] _indexLo, _indexHi;
    private readonly double[] _keLo, _keHi;
    private bool[] _member = [];
    private double _exchanged;

    public FixThermalConductivity(string id, int nevery, int edim, int nbin, int nswap) : base(id)
    {
        if (nevery <= 0 || nbin % 2 != 0 || nbin <= 2) throw new UserInputException("Illegal fix thermal/conductivity command");
        if (nswap <= 0) throw new UserInputException("Fix thermal/conductivity swap value must be positive");
        (_nevery, _edim, _nbin, _nswap) = (nevery, edim, nbin, nswap);
        _indexLo = new int[nswap + 1];
        _indexHi = new int[nswap + 1];
        _keLo = new double[nswap + 1];
        _keHi = new double[nswap + 1];
    }

    public override string Style => "thermal/conductivity";

    public override bool SupportsGroups => true;

    public override void Init(Simulation sim)
    {
        var a = sim.Atoms;
        if (_member.Length != a.Count) _member = new bool[a.Count];
        for (var i = 0; i < a.Count; i++) _member[i] = Group.Contains(a.Id[i]);
    }

    public override void EndOfStep(Simulation sim)
    {
        if (sim.Step % _nevery != 0) return;
        var box = sim.Box!;
        var d = _edim;
        double boxlo = box.Lo[d], boxhi = box.Hi[d], prd = boxhi - boxlo;
        var binsize = (boxhi - boxlo) / _nbin;
        double slabLoLo = boxlo, slabLoHi = boxlo + binsize;
        double slabHiLo = boxlo + _nbin / 2 * binsize, slabHiHi = boxlo + (_nbin / 2 + 1) * binsize;
        var periodic = box.Periodic[d];
        var a = sim.Atoms;
        var x = d == 0 ? a.X : d == 1 ? a.Y : a.Z;
        int nlo = 0, nhi = 0;
        for (var i = 0; i < a.Count; i++)
        {
            if (!_member[i]) continue;
            var coord = x[i];
            if (coord < boxlo && periodic) coord += prd;
            else if (coord >= boxhi && periodic) coord -= prd;
            if (coord >= slabLoLo && coord < slabLoHi)
            {
                var ke = (a.Vx[i] * a.Vx[i] + a.Vy[i] * a.Vy[i] + a.Vz[i] * a.Vz[i]) * (0.5 * sim.Masses[a.Type[i]]);
                if (nlo < _nswap || ke > _keLo[_nswap - 1])
                {
                    int insert;
                    for (insert = nlo - 1; insert >= 0; insert--)
                        if (ke < _keLo[insert]) break;
                    insert++;
                    for (var m = nlo - 1; m >= insert; m--)
                    {
                        _keLo[m + 1] = _keLo[m];
                        _indexLo[m + 1] = _indexLo[m];
                    }
                    _keLo[insert] = ke;
                    _indexLo[insert] = i;
                    if (nlo < _nswap) nlo++;
                }
            }
            if (coord >= slabHiLo && coord < slabHiHi)
            {
                var ke = (a.Vx[i] * a.Vx[i] + a.Vy[i] * a.Vy[i] + a.Vz[i] * a.Vz[i]) * (0.5 * sim.Masses[a.Type[i]]);
                if (nhi < _nswap || ke < _keHi[_nswap - 1])
                {
                    int insert;
                    for (insert = nhi - 1; insert >= 0; insert--)
                        if (ke > _keHi[insert]) break;
                    insert++;
                    for (var m = nhi - 1; m >= insert; m--)
                    {
                        _keHi[m + 1] = _keHi[m];
                        _indexHi[m + 1] = _indexHi[m];
                    }
                    _keHi[insert] = ke;
                    _indexHi[insert] = i;
                    if (nhi < _nswap) nhi++;
                }
            }
        }
        double eswap = 0.0;
        int ilo = 0, ihi = 0;
        for (var m = 0; m < _nswap; m++)
        {
            if (ilo >= nlo || ihi >= nhi) continue;
            var i = _indexLo[ilo++];
            var j = _indexHi[ihi++];
            double s0 = a.Vx[j], s1 = a.Vy[j], s2 = a.Vz[j], s3 = sim.Masses[a.Type[j]];
            double r0 = a.Vx[i], r1 = a.Vy[i], r2 = a.Vz[i], r3 = sim.Masses[a.Type[i]];
            var c0 = (s3 * s0 + r3 * r0) / (s3 + r3);
            var c1 = (s3 * s1 + r3 * r1) / (s3 + r3);
            var c2 = (s3 * s2 + r3 * r2) / (s3 + r3);
            a.Vx[j] = 2.0 * c0 - s0;
            a.Vy[j] = 2.0 * c1 - s1;
            a.Vz[j] = 2.0 * c2 - s2;
            eswap += s3 * (c0 * (c0 - s0) + c1 * (c1 - s1) + c2 * (c2 - s2));
            a.Vx[i] = 2.0 * c0 - r0;
            a.Vy[i] = 2.0 * c1 - r1;
            a.Vz[i] = 2.0 * c2 - r2;
            eswap -= r3 * (c0 * (c0 - r0) + c1 * (c1 - r1) + c2 * (c2 - r2));
        }
        _exchanged += sim.Units.Mvv2e * eswap;
    }

    public bool HasScalar => true;

    public bool ExtensiveScalar => false;

    public double Scalar(Simulation sim) => _exchanged;

    public int VectorLength => 0;

    public double Vector(Simulation sim, int i) => 0.0;

    public bool ExtensiveVector(int i) => false;
}
