namespace DeepMD.Sharp.Dynamics.Random;

/// <summary>
/// The Park–Miller "minimal standard" generator with the Marsaglia polar Gaussian, in the form LAMMPS uses
/// (its RanPark), including the coordinate-hash reseeding behind <c>velocity ... loop geom</c>. Reproducing it is
/// what makes <c>velocity create</c> give LAMMPS' velocities for the same seed.
/// </summary>
public sealed class ParkMillerRandom
{
    private const int Multiplier = 16807;
    private const int Modulus = 2147483647;
    private const double InverseModulus = 1.0 / Modulus;
    private const int Quotient = 127773;
    private const int Remainder = 2836;

    private int _seed;
    private bool _haveSecond;
    private double _second;

    /// <summary>Starts from <paramref name="seed"/> (a positive integer).</summary>
    public ParkMillerRandom(int seed)
    {
        if (seed <= 0) throw new ArgumentOutOfRangeException(nameof(seed), "the seed must be a positive integer");
        _seed = seed;
    }

    /// <summary>The current internal state.</summary>
    public int State => _seed;

    /// <summary>A uniform deviate in (0, 1).</summary>
    public double Uniform()
    {
        // Schrage's method keeps 16807·seed mod (2³¹−1) within 32-bit integers.
        var k = _seed / Quotient;
        _seed = Multiplier * (_seed - k * Quotient) - Remainder * k;
        if (_seed < 0) _seed += Modulus;
        return InverseModulus * _seed;
    }

    /// <summary>A standard normal deviate (pairs are generated together; the second one is returned next call).</summary>
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
        } while (rsq >= 1.0 || rsq == 0.0);
        var fac = Math.Sqrt(-2.0 * Math.Log(rsq) / rsq);
        _second = v1 * fac;
        _haveSecond = true;
        return v2 * fac;
    }

    /// <summary>
    /// Reseeds from a base seed and a point: a one-at-a-time hash over the bytes of the seed and of the three
    /// doubles (bytes taken as signed chars, as a C++ <c>char*</c> on x86 does), then five warm-up draws.
    /// </summary>
    public void Reset(int baseSeed, double x, double y, double z)
    {
        uint hash = 0;
        Span<byte> bytes = stackalloc byte[4 + 24];
        BitConverter.TryWriteBytes(bytes, baseSeed);
        BitConverter.TryWriteBytes(bytes[4..], x);
        BitConverter.TryWriteBytes(bytes[12..], y);
        BitConverter.TryWriteBytes(bytes[20..], z);
        foreach (var b in bytes)
        {
            hash += unchecked((uint)(sbyte)b);
            hash += hash << 10;
            hash ^= hash >> 6;
        }
        hash += hash << 3;
        hash ^= hash >> 11;
        hash += hash << 15;
        _seed = (int)(hash & 0x7ffffff);
        if (_seed == 0) _seed = 1;
        for (var i = 0; i < 5; i++) Uniform();
        _haveSecond = false;
    }
}
