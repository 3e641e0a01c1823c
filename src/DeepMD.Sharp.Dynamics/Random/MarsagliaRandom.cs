namespace DeepMD.Sharp.Dynamics.Random;

/// <summary>
/// Marsaglia's RANMAR generator (F. James, Comp. Phys. Comm. 60, 329 (1990)) as LAMMPS seeds and uses it (RanMars):
/// what fix langevin and fix temp/csvr draw from.
/// </summary>
public sealed class MarsagliaRandom
{
    private readonly double[] _u = new double[98];
    private int _i97 = 97, _j97 = 33;
    private bool _haveSecond;
    private double _second;
    private double _c = 362436.0 / 16777216.0;
    private const double Cd = 7654321.0 / 16777216.0;
    private const double Cm = 16777213.0 / 16777216.0;

    /// <summary>Seeds from 1..900000000.</summary>
    public MarsagliaRandom(int seed)
    {
        if (seed <= 0 || seed > 900000000) throw new ArgumentOutOfRangeException(nameof(seed), "the seed must be in 1..900000000");
        var ij = (seed - 1) / 30082;
        var kl = (seed - 1) - 30082 * ij;
        var i = ij / 177 % 177 + 2;
        var j = ij % 177 + 2;
        var k = kl / 169 % 178 + 1;
        var l = kl % 169;
        for (var ii = 1; ii <= 97; ii++)
        {
            double s = 0.0, t = 0.5;
            for (var jj = 1; jj <= 24; jj++)
            {
                var m = i * j % 179 * k % 179;
                i = j;
                j = k;
                k = m;
                l = (53 * l + 1) % 169;
                if (l * m % 64 >= 32) s += t;
                t *= 0.5;
            }
            _u[ii] = s;
        }
        Uniform();
    }


    /// <summary>A uniform deviate in [0, 1).</summary>
    public double Uniform()
    {
        var uni = _u[_i97] - _u[_j97];
        if (uni < 0.0) uni += 1.0;
        _u[_i97] = uni;
        if (--_i97 == 0) _i97 = 97;
        if (--_j97 == 0) _j97 = 97;
        _c -= Cd;
        if (_c < 0.0) _c += Cm;
        uni -= _c;
        if (uni < 0.0) uni += 1.0;
        return uni;
    }

    /// <summary>A standard normal deviate: Marsaglia's polar method, returning the two values of a pair in turn (as LAMMPS' RanMars::gaussian).</summary>
    public double Gaussian()
    {
        if (_haveSecond)
        {
            _haveSecond = false;
            return _second;
        }
        double v1, v2, rsq;
        do
        {
            v1 = 2.0 * Uniform() - 1.0;
            v2 = 2.0 * Uniform() - 1.0;
            rsq = v1 * v1 + v2 * v2;
        }
        while (rsq >= 1.0 || rsq == 0.0);
        var fac = Math.Sqrt(-2.0 * Math.Log(rsq) / rsq);
        _second = v1 * fac;
        _haveSecond = true;
        return v2 * fac;
    }

    /// <summary>The generator's full state (lags, indices, carry and the pending second Gaussian), exactly, for checkpoints.</summary>
    public double[] SaveState() => [.. _u, _i97, _j97, _c, _haveSecond ? 1 : 0, _second];

    /// <summary>Restores what <see cref="SaveState"/> returned.</summary>
    public void RestoreState(ReadOnlySpan<double> s)
    {
        if (s.Length != 98 + 5) throw new ArgumentException($"a RANMAR state has 103 values, got {s.Length}", nameof(s));
        s[..98].CopyTo(_u);
        _i97 = (int)s[98];
        _j97 = (int)s[99];
        _c = s[100];
        _haveSecond = s[101] != 0;
        _second = s[102];
    }
}
