namespace DeepMD.Sharp.Dynamics.Random;

/// <summary>
/// Random numbers that are a function of a key (seed, atom id, step, component) rather than the next numbers of a
/// stream: the same atom at the same step gets the same numbers whichever rank owns it and in whatever order atoms are
/// visited, so a run spread over N ranks draws what a one-rank run draws. A counter-based generator: the key's parts
/// are folded through SplitMix64's finalizer (Steele, Lea and Flood, OOPSLA 2014; a bijective 64-bit mixer that
/// passes BigCrush as a counter-based generator), one round per part, and the top 53 bits of the result give a uniform
/// number in [0, 1).
/// </summary>
public static class KeyedRandom
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>A uniform number in [0, 1) for the key (<paramref name="seed"/>, <paramref name="id"/>, <paramref name="step"/>, <paramref name="component"/>).</summary>
    public static double Uniform(int seed, long id, long step, int component)
    {
        var h = Mix((ulong)seed * Golden + 0x632BE59BD9B4E019UL);
        h = Mix(h ^ ((ulong)id * Golden));
        h = Mix(h ^ ((ulong)step * Golden + 0x2545F4914F6CDD1DUL));
        h = Mix(h ^ ((ulong)component + 1) * Golden);
        return (h >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>SplitMix64's output function (Stafford's variant 13).</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
