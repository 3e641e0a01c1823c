namespace DeepMD.Sharp.Dynamics.Bonded;

using DeepMD.Sharp.Core.Errors;

/// <summary>
/// A bonded style's per-type coefficients (LAMMPS' bond_coeff, angle_coeff): a fixed number of numbers per type, set
/// for a type range, checked complete before a run.
/// </summary>
public abstract class BondedStyle
{
    private double[][] _coeff = [];

    /// <summary>The style's name in decks (harmonic, fene, zero).</summary>
    public abstract string Name { get; }

    /// <summary>bond, angle, dihedral or improper.</summary>
    public abstract string Kind { get; }

    /// <summary>Number of coefficients per type, and their names for messages.</summary>
    public abstract string[] CoeffNames { get; }

    /// <summary>The coefficients of 1-based type <paramref name="type"/> as given (null: not set).</summary>
    public double[]? Coeff(int type) => type >= 1 && type <= _coeff.Length ? _coeff[type - 1] : null;

    /// <summary>Makes room for <paramref name="types"/> types, keeping what is set.</summary>
    public void EnsureTypes(int types)
    {
        if (_coeff.Length < types) Array.Resize(ref _coeff, types);
    }

    /// <summary>Sets the coefficients of types lo..hi (1-based, inclusive).</summary>
    public void SetCoeff(int lo, int hi, double[] values)
    {
        if (values.Length != CoeffNames.Length && !(CoeffNames.Length == 0 && values.Length == 1))
            throw new UserInputException($"{Kind}_coeff for {Kind}_style {Name} needs {CoeffNames.Length} coefficient(s) ({string.Join(" ", CoeffNames)}), found {values.Length}");
        Validate(values);
        EnsureTypes(hi);
        for (var t = lo; t <= hi; t++) _coeff[t - 1] = (double[])values.Clone();
    }

    /// <summary>Checks a coefficient set (throws with the reason).</summary>
    protected virtual void Validate(double[] values) { }

    /// <summary>Throws unless every type 1..<paramref name="types"/> has coefficients (LAMMPS' "All bond coeffs are not set").</summary>
    public void RequireAll(int types)
    {
        for (var t = 1; t <= types; t++)
            if (Coeff(t) is null)
                throw new UserInputException($"All {Kind} coeffs are not set: {Kind} type {t} of {Kind}_style {Name} has none; add '{Kind}_coeff {t} {string.Join(" ", CoeffNames)}'");
    }
}

/// <summary>A bond style: energy of one bond of type t at squared length rsq, and fbond = −(dE/dr)/r.</summary>
public abstract class BondStyle : BondedStyle
{
    public override string Kind => "bond";

    /// <summary>Energy of a bond of 1-based <paramref name="type"/> at squared length <paramref name="rsq"/>; <paramref name="fbond"/> = −(dE/dr)/r.</summary>
    public abstract double Evaluate(int type, double rsq, out double fbond, Action<string>? warn, long step, int idA, int idB);
}

/// <summary>An angle style: energy of one angle from its two legs (atom 1 − atom 2 and atom 3 − atom 2).</summary>
public abstract class AngleStyle : BondedStyle
{
    public override string Kind => "angle";

    /// <summary>Energy of angle type <paramref name="type"/> and its forces on atoms 1 and 3 (atom 2 takes −f1 − f3).</summary>
    public abstract double Evaluate(int type, ReadOnlySpan<double> d1, ReadOnlySpan<double> d2, Span<double> f1, Span<double> f3);
}

/// <summary>LAMMPS' <c>bond_style harmonic</c>: E = K (r − r0)², coefficients K r0.</summary>
public sealed class BondHarmonic : BondStyle
{
    public override string Name => "harmonic";

    public override string[] CoeffNames => ["K", "r0"];

    public override double Evaluate(int type, double rsq, out double fbond, Action<string>? warn, long step, int idA, int idB)
    {
        var c = Coeff(type)!;
        var r = Math.Sqrt(rsq);
        var dr = r - c[1];
        var rk = c[0] * dr;
        fbond = r > 0 ? -2 * rk / r : 0;
        return rk * dr;
    }
}

/// <summary>
/// LAMMPS' <c>bond_style fene</c>: E = −½ K R0² ln(1 − (r/R0)²) + 4ε[(σ/r)¹² − (σ/r)⁶] + ε, the LJ part only for
/// r &lt; 2^(1/6) σ; coefficients K R0 epsilon sigma. As in LAMMPS, a bond beyond √0.9 R0 warns ("FENE bond too long")
/// and is taken at that length's log argument; one beyond 2 R0 stops the run ("Bad FENE bond").
/// </summary>
public sealed class BondFene : BondStyle
{
    private static readonly double TwoOneThird = Math.Pow(2.0, 1.0 / 3.0);

    public override string Name => "fene";

    public override string[] CoeffNames => ["K", "R0", "epsilon", "sigma"];

    public override double Evaluate(int type, double rsq, out double fbond, Action<string>? warn, long step, int idA, int idB)
    {
        var c = Coeff(type)!;
        double k = c[0], r0 = c[1], eps = c[2], sigma = c[3];
        var r0sq = r0 * r0;
        var rlogarg = 1 - rsq / r0sq;
        if (rlogarg < 0.1)
        {
            warn?.Invoke($"WARNING: FENE bond too long: {step} {idA} {idB} {IO.CFormat.G(Math.Sqrt(rsq), 6)}");
            if (rlogarg <= -3.0)
                throw new SimulationException($"Bad FENE bond: step {step}, atoms {idA} {idB} are {Math.Sqrt(rsq):G6} apart, beyond 2·R0 = {2 * r0:G6}; the system blew up (timestep too large, or overlapping atoms)", step, idA);
            rlogarg = 0.1;
        }
        fbond = -k / rlogarg;
        var e = -0.5 * k * r0sq * Math.Log(rlogarg);
        var sigsq = sigma * sigma;
        if (rsq < TwoOneThird * sigsq)
        {
            var sr2 = sigsq / rsq;
            var sr6 = sr2 * sr2 * sr2;
            fbond += 48 * eps * sr6 * (sr6 - 0.5) / rsq;
            e += 4 * eps * sr6 * (sr6 - 1) + eps;
        }
        return e;
    }
}

/// <summary>LAMMPS' <c>bond_style zero</c> (and <c>angle_style zero</c>): terms that exist but add nothing; one optional coefficient (r0 or theta0) is accepted.</summary>
public sealed class BondZero : BondStyle
{
    public override string Name => "zero";

    public override string[] CoeffNames => [];

    public override double Evaluate(int type, double rsq, out double fbond, Action<string>? warn, long step, int idA, int idB)
    {
        fbond = 0;
        return 0;
    }
}

/// <summary>LAMMPS' <c>angle_style harmonic</c>: E = K (θ − θ0)², coefficients K theta0 (degrees).</summary>
public sealed class AngleHarmonic : AngleStyle
{
    private const double Small = 0.001;

    public override string Name => "harmonic";

    public override string[] CoeffNames => ["K", "theta0"];

    public override double Evaluate(int type, ReadOnlySpan<double> d1, ReadOnlySpan<double> d2, Span<double> f1, Span<double> f3)
    {
        var k = Coeff(type)![0];
        var theta0 = Coeff(type)![1] * Math.PI / 180.0;
        var rsq1 = d1[0] * d1[0] + d1[1] * d1[1] + d1[2] * d1[2];
        var rsq2 = d2[0] * d2[0] + d2[1] * d2[1] + d2[2] * d2[2];
        var r1 = Math.Sqrt(rsq1);
        var r2 = Math.Sqrt(rsq2);
        var c = (d1[0] * d2[0] + d1[1] * d2[1] + d1[2] * d2[2]) / (r1 * r2);
        c = Math.Clamp(c, -1.0, 1.0);
        var s = Math.Sqrt(1.0 - c * c);
        if (s < Small) s = Small;
        s = 1.0 / s;
        var dtheta = Math.Acos(c) - theta0;
        var tk = k * dtheta;
        var a = -2.0 * tk * s;
        var a11 = a * c / rsq1;
        var a12 = -a / (r1 * r2);
        var a22 = a * c / rsq2;
        for (var d = 0; d < 3; d++)
        {
            f1[d] = a11 * d1[d] + a12 * d2[d];
            f3[d] = a22 * d2[d] + a12 * d1[d];
        }
        return tk * dtheta;
    }
}

/// <summary><c>angle_style zero</c>.</summary>
public sealed class AngleZero : AngleStyle
{
    public override string Name => "zero";

    public override string[] CoeffNames => [];

    public override double Evaluate(int type, ReadOnlySpan<double> d1, ReadOnlySpan<double> d2, Span<double> f1, Span<double> f3)
    {
        f1.Clear();
        f3.Clear();
        return 0;
    }
}

/// <summary>
/// A dihedral style: energy of one dihedral 1-2-3-4 from its bond vectors b1 = x1 − x2, b2 = x3 − x2, b3 = x4 − x3, and
/// the forces on its four atoms (they sum to zero).
/// </summary>
public abstract class DihedralStyle : BondedStyle
{
    public override string Kind => "dihedral";

    public abstract double Evaluate(int type, ReadOnlySpan<double> b1, ReadOnlySpan<double> b2, ReadOnlySpan<double> b3,
        Span<double> f1, Span<double> f2, Span<double> f3, Span<double> f4);
}

/// <summary>
/// LAMMPS' <c>dihedral_style harmonic</c>: E = K [1 + d cos(n φ)], coefficients K d n with d = ±1 and n ≥ 0 integers;
/// cos(nφ) and its derivative by the Chebyshev-like recursion on cos φ, sin φ (no acos), forces along the normals of the
/// two planes as in LAMMPS' harmonic dihedral (Blondel–Karplus form).
/// </summary>
public sealed class DihedralHarmonic : DihedralStyle
{
    public override string Name => "harmonic";

    public override string[] CoeffNames => ["K", "d", "n"];

    protected override void Validate(double[] values)
    {
        if (values[1] is not (1 or -1)) throw new UserInputException($"Incorrect sign arg for dihedral coefficients: d = {values[1]} must be 1 or -1");
        if (values[2] < 0 || values[2] != Math.Floor(values[2])) throw new UserInputException($"Incorrect multiplicity arg for dihedral coefficients: n = {values[2]} must be an integer ≥ 0");
    }

    public override double Evaluate(int type, ReadOnlySpan<double> b1, ReadOnlySpan<double> b2, ReadOnlySpan<double> b3,
        Span<double> f1, Span<double> f2, Span<double> f3, Span<double> f4)
    {
        var co = Coeff(type)!;
        double k = co[0], cosShift = co[1];
        var m = (int)co[2];
        double gx = -b2[0], gy = -b2[1], gz = -b2[2];
        // Normals a = b1 × g and b = b3 × g of the planes 1-2-3 and 2-3-4 (g = x2 − x3).
        var ax = b1[1] * gz - b1[2] * gy;
        var ay = b1[2] * gx - b1[0] * gz;
        var az = b1[0] * gy - b1[1] * gx;
        var bx = b3[1] * gz - b3[2] * gy;
        var by = b3[2] * gx - b3[0] * gz;
        var bz = b3[0] * gy - b3[1] * gx;
        var rasq = ax * ax + ay * ay + az * az;
        var rbsq = bx * bx + by * by + bz * bz;
        var rgsq = gx * gx + gy * gy + gz * gz;
        var rg = Math.Sqrt(rgsq);
        double rginv = 0, ra2inv = 0, rb2inv = 0;
        if (rg > 0) rginv = 1.0 / rg;
        if (rasq > 0) ra2inv = 1.0 / rasq;
        if (rbsq > 0) rb2inv = 1.0 / rbsq;
        var rabinv = Math.Sqrt(ra2inv * rb2inv);
        var c = (ax * bx + ay * by + az * bz) * rabinv;
        var s = rg * rabinv * (ax * b3[0] + ay * b3[1] + az * b3[2]);
        c = Math.Clamp(c, -1.0, 1.0);

        // p = cos(mφ), df1 = sin(mφ) by recursion, then the ±1 phase and −m dp/dφ.
        double p = 1.0, df1 = 0.0, ddf1 = 0.0;
        for (var i = 0; i < m; i++)
        {
            ddf1 = p * c - df1 * s;
            df1 = p * s + df1 * c;
            p = ddf1;
        }
        p = p * cosShift;
        df1 = df1 * cosShift;
        df1 *= -m;
        p += 1.0;
        if (m == 0)
        {
            p = 1.0 + cosShift;
            df1 = 0.0;
        }

        var fg = b1[0] * gx + b1[1] * gy + b1[2] * gz;
        var hg = b3[0] * gx + b3[1] * gy + b3[2] * gz;
        var fga = fg * ra2inv * rginv;
        var hgb = hg * rb2inv * rginv;
        var gaa = -ra2inv * rg;
        var gbb = rb2inv * rg;
        var df = -k * df1;
        var sx2 = df * (fga * ax - hgb * bx);
        var sy2 = df * (fga * ay - hgb * by);
        var sz2 = df * (fga * az - hgb * bz);
        f1[0] = df * (gaa * ax);
        f1[1] = df * (gaa * ay);
        f1[2] = df * (gaa * az);
        f2[0] = sx2 - f1[0];
        f2[1] = sy2 - f1[1];
        f2[2] = sz2 - f1[2];
        f4[0] = df * (gbb * bx);
        f4[1] = df * (gbb * by);
        f4[2] = df * (gbb * bz);
        f3[0] = -sx2 - f4[0];
        f3[1] = -sy2 - f4[1];
        f3[2] = -sz2 - f4[2];
        return k * p;
    }
}
