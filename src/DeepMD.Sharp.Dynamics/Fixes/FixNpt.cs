namespace DeepMD.Sharp.Dynamics.Fixes;

using DeepMD.Sharp.Core.Errors;

/// <summary>
/// <c>fix ID all npt temp Tstart Tstop Tdamp iso|aniso|tri Pstart Pstop Pdamp [keywords]</c>: Nosé–Hoover chain
/// thermostat plus Martyna–Tobias–Klein barostat, as LAMMPS' fix npt (see <see cref="FixNoseHoover"/>).
/// </summary>
public sealed class FixNpt : FixNoseHoover
{
    /// <summary>From full settings; both a thermostat and at least one pressure component are required.</summary>
    public FixNpt(string id, NoseHooverOptions options) : base(id, Checked(options)) { }

    protected override string StyleName => "npt";

    private static NoseHooverOptions Checked(NoseHooverOptions o)
    {
        if (!o.Thermostat) throw new UserInputException("fix npt needs 'temp Tstart Tstop Tdamp' (use fix nph for no thermostat)");
        if (!o.Barostat) throw new UserInputException("fix npt needs a pressure setting (iso, aniso, tri, x, y, z, xy, xz or yz)");
        return o;
    }
}
