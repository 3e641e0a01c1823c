namespace DeepMD.Sharp.Dynamics.Fixes;

using DeepMD.Sharp.Dynamics.Groups;

/// <summary>
/// <c>fix ID GROUP spring tether K x y z R0</c> and <c>fix ID GROUP spring couple GROUP2 K x y z R0</c>: LAMMPS' fix spring,
/// a spring of constant K and rest length R0 between the group's centre of mass (unwrapped positions) and a fixed point
/// (tether), or between the two groups' centres of mass, displaced by (x, y, z) (couple); a NULL component is left free.
/// The force is shared among the atoms in proportion to their mass, after every force evaluation (setup, MD post-force,
/// minimizer post-force). Fix scalar: the spring energy ½K(r − R0)²; vector: the force (x, y, z) and its signed magnitude
/// (extensive, LAMMPS' f_ID[1..4]); the energy is not added to the potential energy (LAMMPS: only with fix_modify energy yes).
/// </summary>
public sealed class FixSpring : GroupForceFix, IFixGlobalValues
{
    private const double Small = 1.0e-10;
    private readonly double _k, _r0;
    private readonly double? _x, _y, _z;
    private readonly AtomGroup? _group2;
    private bool[] _member2 = [];
    private double _mass, _mass2, _energy;
    private readonly double[] _ftotal = new double[4];

    /// <param name="id">Fix id.</param>
    /// <param name="k">Spring constant K (energy/distance²).</param>
    /// <param name="x">Tether point or couple offset, x (null: free).</param>
    /// <param name="y">… y.</param>
    /// <param name="z">… z.</param>
    /// <param name="r0">Rest length R0.</param>
    /// <param name="group2">The second group (couple), or null (tether).</param>
    public FixSpring(string id, double k, double? x, double? y, double? z, double r0, AtomGroup? group2 = null) : base(id)
    {
        if (r0 < 0) throw new Core.Errors.UserInputException("R0 < 0 for fix spring command");
        (_k, _x, _y, _z, _r0, _group2) = (k, x, y, z, r0, group2);
    }

    public override string Style => "spring";

    /// <summary>The second group of a couple spring (null for tether).</summary>
    public AtomGroup? Group2 => _group2;

    public bool HasScalar => true;

    public bool ExtensiveScalar => true;

    public double Scalar(Simulation sim) => _energy;

    public int VectorLength => 4;

    public double Vector(Simulation sim, int i) => _ftotal[i];

    public bool ExtensiveVector(int i) => true;

    public override void Init(Simulation sim)
    {
        base.Init(sim);
        var a = sim.Atoms;
        _mass = Mass(sim, Member);
        if (_group2 is null) return;
        if (_group2.Name == Group.Name) throw new Core.Errors.UserInputException("Two groups cannot be the same in fix spring couple");
        if (_member2.Length != a.Count) _member2 = new bool[a.Count];
        for (var i = 0; i < a.Count; i++) _member2[i] = _group2.Contains(a.Id[i]);
        _mass2 = Mass(sim, _member2);
    }

    private static double Mass(Simulation sim, bool[] member)
    {
        var a = sim.Atoms;
        double m = 0;
        for (var i = 0; i < a.Count; i++)
            if (member[i]) m += sim.Masses[a.Type[i]];
        return m;
    }

    /// <summary>LAMMPS' Group::xcm: Σ m · unwrapped x / M.</summary>
    private static (double X, double Y, double Z) Xcm(Simulation sim, bool[] member, double mass)
    {
        var a = sim.Atoms;
        var b = sim.Box!;
        double cx = 0, cy = 0, cz = 0;
        for (var i = 0; i < a.Count; i++)
        {
            if (!member[i]) continue;
            var m = sim.Masses[a.Type[i]];
            double ia = a.ImageA[i], ib = a.ImageB[i], ic = a.ImageC[i];
            // Domain::unmap
            var ux = a.X[i] + ia * b.Lx + ib * b.Xy + ic * b.Xz;
            var uy = a.Y[i] + ib * b.Ly + ic * b.Yz;
            var uz = a.Z[i] + ic * b.Lz;
            if (!b.IsTriclinic)
            {
                ux = a.X[i] + ia * b.Lx;
                uy = a.Y[i] + ib * b.Ly;
            }
            cx += ux * m;
            cy += uy * m;
            cz += uz * m;
        }
        return mass > 0.0 ? (cx / mass, cy / mass, cz / mass) : (cx, cy, cz);
    }

    protected override void Apply(Simulation sim)
    {
        var (x1, y1, z1) = Xcm(sim, Member, _mass);
        double dx, dy, dz;
        if (_group2 is null) (dx, dy, dz) = (x1 - (_x ?? 0), y1 - (_y ?? 0), z1 - (_z ?? 0));
        else
        {
            var (x2, y2, z2) = Xcm(sim, _member2, _mass2);
            (dx, dy, dz) = (x2 - x1 - (_x ?? 0), y2 - y1 - (_y ?? 0), z2 - z1 - (_z ?? 0));
        }
        if (_x is null) dx = 0.0;
        if (_y is null) dy = 0.0;
        if (_z is null) dz = 0.0;
        var r = Math.Sqrt(dx * dx + dy * dy + dz * dz);
        r = Math.Max(r, Small);
        var dr = r - _r0;
        double fx = _k * dx * dr / r, fy = _k * dy * dr / r, fz = _k * dz * dr / r;
        var sign = _group2 is null ? -1.0 : 1.0;
        (_ftotal[0], _ftotal[1], _ftotal[2]) = (sign * fx, sign * fy, sign * fz);
        _ftotal[3] = Math.Sqrt(fx * fx + fy * fy + fz * fz);
        if (dr < 0.0) _ftotal[3] = -_ftotal[3];
        _energy = 0.5 * _k * dr * dr;
        var a = sim.Atoms;
        var masses = sim.Masses;
        if (_group2 is null)
        {
            if (_mass > 0.0)
            {
                fx /= _mass;
                fy /= _mass;
                fz /= _mass;
            }
            for (var i = 0; i < a.Count; i++)
            {
                if (!Member[i]) continue;
                var m = masses[a.Type[i]];
                a.Fx[i] -= fx * m;
                a.Fy[i] -= fy * m;
                a.Fz[i] -= fz * m;
            }
            return;
        }
        double fx2 = 0, fy2 = 0, fz2 = 0;
        if (_mass2 > 0.0) (fx2, fy2, fz2) = (fx / _mass2, fy / _mass2, fz / _mass2);
        if (_mass > 0.0) (fx, fy, fz) = (fx / _mass, fy / _mass, fz / _mass);
        else fx = fy = fz = 0.0;
        for (var i = 0; i < a.Count; i++)
        {
            var m = masses[a.Type[i]];
            if (Member[i])
            {
                a.Fx[i] += fx * m;
                a.Fy[i] += fy * m;
                a.Fz[i] += fz * m;
            }
            if (_member2[i])
            {
                a.Fx[i] -= fx2 * m;
                a.Fy[i] -= fy2 * m;
                a.Fz[i] -= fz2 * m;
            }
        }
    }
}
