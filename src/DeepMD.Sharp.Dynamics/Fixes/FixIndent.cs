namespace DeepMD.Sharp.Dynamics.Fixes;

using DeepMD.Sharp.Core.Errors;

/// <summary>
/// <c>fix ID GROUP indent K sphere|cylinder|plane ...</c>: LAMMPS' fix indent, a repulsive (side out) or confining
/// (side in) indenter pushing the group's atoms with F(r) = −K (r − R)² past its surface, after every force evaluation
/// (setup, MD post-force, minimizer post-force). Geometry values are functions so equal-style variables are
/// re-evaluated at each evaluation, as LAMMPS does; the centre is wrapped into the periodic box and distances use the
/// minimum image (orthogonal boxes). <see cref="Energy"/> is LAMMPS' fix scalar (the indenter energy); it is added
/// to the potential energy only with fix_modify energy yes, as LAMMPS does.
/// </summary>
public sealed class FixIndent : GroupForceFix, IFixGlobalValues
{
    public enum Shape { Sphere, Cylinder, Plane }

    private readonly double _k, _k3;
    private readonly Shape _shape;
    private readonly int _axis;
    private readonly Func<double> _cx, _cy, _cz, _radius, _plane;
    private readonly bool _outside;
    private readonly int _planeSide;

    /// <param name="id">Fix id.</param>
    /// <param name="k">Force constant K.</param>
    /// <param name="shape">Sphere, cylinder or plane.</param>
    /// <param name="axis">Cylinder axis or plane normal (0, 1, 2).</param>
    /// <param name="cx">Centre x (sphere; cylinder not along x).</param>
    /// <param name="cy">Centre y.</param>
    /// <param name="cz">Centre z.</param>
    /// <param name="radius">Radius (sphere, cylinder).</param>
    /// <param name="plane">Plane position.</param>
    /// <param name="planeSide">−1 (lo: atoms below the plane are pushed) or 1 (hi).</param>
    /// <param name="outside">side out (default) or in.</param>
    public FixIndent(string id, double k, Shape shape, int axis, Func<double> cx, Func<double> cy, Func<double> cz, Func<double> radius,
        Func<double> plane, int planeSide, bool outside) : base(id)
    {
        (_k, _k3, _shape, _axis) = (k, k / 3.0, shape, axis);
        (_cx, _cy, _cz, _radius, _plane, _planeSide, _outside) = (cx, cy, cz, radius, plane, planeSide, outside);
    }

    public override string Style => "indent";

    /// <summary>Indenter energy of the last evaluation (LAMMPS' f_ID scalar).</summary>
    public override bool HasGlobalEnergy => true;

    public override double GlobalEnergy(Simulation sim) => Energy;

    public double Energy { get; private set; }

    /// <summary>Force on the indenter of the last evaluation (LAMMPS' f_ID[1..3]).</summary>
    public double[] Force { get; } = new double[3];

    public bool HasScalar => true;

    public bool ExtensiveScalar => true;

    public double Scalar(Simulation sim) => Energy;

    public int VectorLength => 3;

    public double Vector(Simulation sim, int i) => Force[i];

    public bool ExtensiveVector(int i) => true;

    protected override void Check(Simulation sim)
    {
        if (sim.Box!.IsTriclinic && _shape != Shape.Plane) throw new UserInputException("fix indent: sphere and cylinder indenters in triclinic boxes are not supported yet");
    }

    protected override void Apply(Simulation sim)
    {
        var a = sim.Atoms;
        var box = sim.Box!;
        double energy = 0, f0 = 0, f1 = 0, f2 = 0;
        if (_shape == Shape.Plane)
        {
            var plane = _plane();
            var x = _axis switch { 0 => a.X, 1 => a.Y, _ => a.Z };
            var f = _axis switch { 0 => a.Fx, 1 => a.Fy, _ => a.Fz };
            for (var i = 0; i < a.Count; i++)
            {
                if (!Member[i]) continue;
                var dr = _planeSide * (plane - x[i]);
                if (dr >= 0.0) continue;
                var fatom = -_planeSide * _k * dr * dr;
                f[i] += fatom;
                energy -= _k3 * dr * dr * dr;
                if (_axis == 0) f0 -= fatom; else if (_axis == 1) f1 -= fatom; else f2 -= fatom;
            }
        }
        else
        {
            double[] ctr = [_shape == Shape.Cylinder && _axis == 0 ? box.Lo[0] : _cx(), _shape == Shape.Cylinder && _axis == 1 ? box.Lo[1] : _cy(),
                _shape == Shape.Cylinder && _axis == 2 ? box.Lo[2] : _cz()];
            // Domain::remap of the centre into the periodic box (orthogonal).
            for (var d = 0; d < 3; d++)
            {
                if (!box.Periodic[d]) continue;
                var prd = box.Hi[d] - box.Lo[d];
                while (ctr[d] < box.Lo[d]) ctr[d] += prd;
                while (ctr[d] >= box.Hi[d]) ctr[d] -= prd;
                ctr[d] = Math.Max(ctr[d], box.Lo[d]);
            }
            var radius = _radius();
            for (var i = 0; i < a.Count; i++)
            {
                if (!Member[i]) continue;
                double dx = a.X[i] - ctr[0], dy = a.Y[i] - ctr[1], dz = a.Z[i] - ctr[2];
                if (_shape == Shape.Cylinder)
                {
                    if (_axis == 0) dx = 0; else if (_axis == 1) dy = 0; else dz = 0;
                }
                MinimumImage(box, ref dx, 0);
                MinimumImage(box, ref dy, 1);
                MinimumImage(box, ref dz, 2);
                var r = Math.Sqrt(dx * dx + dy * dy + dz * dz);
                double dr, fmag;
                if (_outside)
                {
                    dr = r - radius;
                    fmag = _k * dr * dr;
                }
                else
                {
                    dr = radius - r;
                    fmag = -_k * dr * dr;
                }
                if (dr >= 0.0) continue;
                double fx = dx * fmag / r, fy = dy * fmag / r, fz = dz * fmag / r;
                a.Fx[i] += fx;
                a.Fy[i] += fy;
                a.Fz[i] += fz;
                energy -= _k3 * dr * dr * dr;
                f0 -= fx;
                f1 -= fy;
                f2 -= fz;
            }
        }
        Energy = energy;
        (Force[0], Force[1], Force[2]) = (f0, f1, f2);
    }

    /// <summary>LAMMPS' Domain::minimum_image for an orthogonal box.</summary>
    private static void MinimumImage(Core.Geometry.SimulationBox box, ref double d, int dim)
    {
        if (!box.Periodic[dim]) return;
        var prd = box.Hi[dim] - box.Lo[dim];
        if (Math.Abs(d) > 0.5 * prd)
        {
            if (d < 0.0) d += prd;
            else d -= prd;
        }
    }
}
