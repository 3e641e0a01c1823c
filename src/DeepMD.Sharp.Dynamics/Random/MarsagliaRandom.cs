namespace DeepMD.Sharp.Dynamics.Random;

/// <summary>
/// Marsaglia's RANMAR generator (F. James, Comp. Phys. Comm. 60, 329 (1990)) as LAMMPS seeds and uses it (RanMars):
/// what fix langevin draws its random forces from.
/// </summary>
public sealed class MarsagliaRandom
{
    private readonly double[] _u = new double[98];
    private int _i97 = 97, _j97 = 33;
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

    /// <summary>The generator's full state (97 lags, the two indices and the carry), exactly, for checkpoints.</summary>
    public double[] SaveState()
    {
        var state = new double[100];
        _u.AsSpan(1, 97).CopyTo(state);
        state[97] = _i97;
        state[98] = _j97;
        state[99] = _c;
        return state;
    }

    /// <summary>Restores what <see cref="SaveState"/> returned; the next deviates are those the saved generator would give.</summary>
    public void RestoreState(ReadOnlySpan<double> state)
    {
        if (state.Length != 100) throw new ArgumentException($"a RanMars state has 100 values, got {state.Length}", nameof(state));
        state[..97].CopyTo(_u.AsSpan(1));
        _i97 = (int)state[97];
        _j97 = (int)state[98];
        _c = state[99];
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
}
