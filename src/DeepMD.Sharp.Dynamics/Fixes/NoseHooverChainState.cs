namespace DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// The state of one Martyna–Tuckerman–Klein chain of Nosé–Hoover thermostats: positions η_k, velocities η̇_k (with one
/// extra, always 0, that ends the chain), forces η̈_k and masses Q_k. Plain arrays; the equations that advance them
/// are the static functions of <see cref="NoseHooverChain"/>, the same for the host fixes and the device MD loop.
/// </summary>
public sealed class NoseHooverChainState
{
    /// <summary>A chain of <paramref name="length"/> thermostats (0 = no chain), all at rest.</summary>
    public NoseHooverChainState(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        Eta = new double[length];
        EtaDot = new double[length + 1];
        EtaDotDot = new double[length];
        Mass = new double[length];
    }

    /// <summary>Thermostats in the chain.</summary>
    public int Length { get; }

    /// <summary>Positions η_k.</summary>
    public double[] Eta { get; }

    /// <summary>Velocities η̇_k, <see cref="Length"/> + 1 of them (the last is always 0).</summary>
    public double[] EtaDot { get; }

    /// <summary>Forces η̈_k.</summary>
    public double[] EtaDotDot { get; }

    /// <summary>Masses Q_k (follow from the target temperature; not saved).</summary>
    public double[] Mass { get; }

    /// <summary>Number of values <see cref="Save"/> writes: η, η̇ (with the closing zero), η̈.</summary>
    public int StateLength => 3 * Length + 1;

    /// <summary>Appends η, η̇ (with the closing zero), η̈: the checkpoint layout of fix nvt/npt/nph.</summary>
    public void Save(List<double> into)
    {
        into.AddRange(Eta);
        into.AddRange(EtaDot);
        into.AddRange(EtaDotDot);
    }

    /// <summary>Reads what <see cref="Save"/> wrote, starting at <paramref name="at"/>; returns the index after it.</summary>
    public int Restore(double[] state, int at)
    {
        state.AsSpan(at, Length).CopyTo(Eta);
        at += Length;
        state.AsSpan(at, Length + 1).CopyTo(EtaDot);
        at += Length + 1;
        state.AsSpan(at, Length).CopyTo(EtaDotDot);
        return at + Length;
    }
}
