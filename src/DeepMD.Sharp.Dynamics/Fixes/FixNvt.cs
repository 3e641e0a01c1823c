namespace DeepMD.Sharp.Dynamics.Fixes;

using DeepMD.Sharp.Core.Errors;

/// <summary>
/// <c>fix ID all nvt temp Tstart Tstop Tdamp [tchain N] [tloop N] [drag D]</c>: a Nosé–Hoover chain thermostat
/// integrated exactly as LAMMPS' fix nvt (the shared <see cref="FixNoseHoover"/> without a barostat).
/// </summary>
public sealed class FixNvt : FixNoseHoover
{
    /// <summary>The thermostat with LAMMPS' defaults for everything else.</summary>
    public FixNvt(string id, double tStart, double tStop, double tDamp, int chain = 3, int loops = 1, double drag = 0)
        : this(id, new NoseHooverOptions { Thermostat = true, TStart = tStart, TStop = tStop, TDamp = tDamp, TChain = chain, TLoop = loops, Drag = drag })
    {
    }

    /// <summary>From full settings; the thermostat is required and no pressure may be controlled.</summary>
    public FixNvt(string id, NoseHooverOptions options) : base(id, Checked(options)) { }

    protected override string StyleName => "nvt";

    private static NoseHooverOptions Checked(NoseHooverOptions o)
    {
        if (!o.Thermostat) throw new UserInputException("fix nvt needs 'temp Tstart Tstop Tdamp'");
        if (o.Barostat) throw new UserInputException("fix nvt cannot control pressure; use fix npt");
        return o;
    }
}
