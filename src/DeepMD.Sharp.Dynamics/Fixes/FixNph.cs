namespace DeepMD.Sharp.Dynamics.Fixes;

using DeepMD.Sharp.Core.Errors;

/// <summary>
/// <c>fix ID all nph iso|aniso|tri Pstart Pstop Pdamp [keywords]</c>: the Martyna–Tobias–Klein barostat without a
/// particle thermostat, as LAMMPS' fix nph (see <see cref="FixNoseHoover"/>; the barostat masses use the temperature
/// at the first run's start).
/// </summary>
public sealed class FixNph : FixNoseHoover
{
    /// <summary>From full settings; a pressure component is required and no thermostat allowed.</summary>
    public FixNph(string id, NoseHooverOptions options) : base(id, Checked(options)) { }

    protected override string StyleName => "nph";

    private static NoseHooverOptions Checked(NoseHooverOptions o)
    {
        if (o.Thermostat) throw new UserInputException("fix nph cannot thermostat; use fix npt");
        if (!o.Barostat) throw new UserInputException("fix nph needs a pressure setting (iso, aniso, tri, x, y, z, xy, xz or yz)");
        return o;
    }
}
