namespace DeepMD.Sharp.Dynamics.Fixes;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Computes;

/// <summary>
/// <c>fix ID group nvt/sllod temp Tstart Tstop Tdamp [tchain N] ...</c>: LAMMPS' fix nvt/sllod, the Nosé–Hoover thermostat of
/// <see cref="FixNvt"/> (one chain element by default) acting on the thermal velocities of a deforming box: its
/// temperature is <see cref="ComputeTempDeform"/> (<c>ID_temp</c>), and each thermostat half step scales the thermal
/// velocity and subtracts the SLLOD term ½dt · ḣ h⁻¹ v. Needs a <see cref="FixDeform"/> with remap v.
/// </summary>
public sealed class FixNvtSllod : FixNoseHoover
{
    private readonly ComputeTempDeform _temperature;
    private FixDeform? _deform;

    public FixNvtSllod(string id, NoseHooverOptions options, ComputeTempDeform temperature) : base(id, Checked(options)) => _temperature = temperature;

    protected override string StyleName => "nvt/sllod";

    /// <summary>The temperature compute the fix made (<c>ID_temp</c>).</summary>
    public ComputeTempDeform Temperature => _temperature;

    private static NoseHooverOptions Checked(NoseHooverOptions o)
    {
        if (!o.Thermostat) throw new UserInputException("Temperature control must be used with fix nvt/sllod");
        if (o.Barostat) throw new UserInputException("Pressure control can not be used with fix nvt/sllod");
        return o;
    }

    public override void Init(Simulation sim)
    {
        base.Init(sim);
        _deform = sim.Fixes.OfType<FixDeform>().FirstOrDefault() ?? throw new UserInputException("Using fix nvt/sllod with no fix deform defined");
        if (_deform.Remap != FixDeform.RemapMode.V) throw new UserInputException("Using fix nvt/sllod with inconsistent fix deform remap option");
        _sim = sim;
    }

    private Simulation? _sim;

    protected override double MeasureTemperature(Simulation sim) => _temperature.Measure(sim);

    protected override double TemperatureDegreesOfFreedom(Simulation sim) => _temperature.DegreesOfFreedom(sim);

    protected override void ScaleParticles(double factor)
    {
        var sim = _sim!;
        var a = sim.Atoms;
        var box = sim.Box!;
        var hinv = FixDeform.HInverse(box);
        var r = _deform!.HRate;
        // MathExtra::multiply_shape_shape(h_rate, h_inv)
        double h0 = r[0] * hinv[0], h1 = r[1] * hinv[1], h2 = r[2] * hinv[2];
        var h3 = r[1] * hinv[3] + r[3] * hinv[2];
        var h4 = r[0] * hinv[4] + r[5] * hinv[3] + r[4] * hinv[2];
        var h5 = r[0] * hinv[5] + r[5] * hinv[1];
        var dthalf = HalfTimestep;
        for (var i = 0; i < a.Count; i++)
        {
            if (!Group.Contains(a.Id[i])) continue;
            var u0 = h0 * a.Vx[i] + h5 * a.Vy[i] + h4 * a.Vz[i];
            var u1 = h1 * a.Vy[i] + h3 * a.Vz[i];
            var u2 = h2 * a.Vz[i];
            var (sx, sy, sz) = ComputeTempDeform.Stream(sim, hinv, _deform, i);
            a.Vx[i] = (a.Vx[i] - sx) * factor - dthalf * u0 + sx;
            a.Vy[i] = (a.Vy[i] - sy) * factor - dthalf * u1 + sy;
            a.Vz[i] = (a.Vz[i] - sz) * factor - dthalf * u2 + sz;
        }
    }
}
