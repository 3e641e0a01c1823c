namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// <c>fix ID all langevin TSTART TSTOP TDAMP SEED [stream lammps|keyed]</c>: LAMMPS' options are not supported yet;
/// <c>stream</c> is dpsharp's (see <see cref="FixLangevin"/>): <c>keyed</c> draws the numbers a decomposed run draws.
/// </summary>
[FixStyle("langevin")]
public sealed class LangevinFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        args.RequireAtLeast(4, "TSTART TSTOP TDAMP SEED");
        var stream = LangevinStream.Lammps;
        for (var k = 4; k < args.Count; k += 2)
        {
            if (args[k] != "stream") throw args.Error($"fix langevin options ({args[k]} ...) are not supported yet (only dpsharp's stream lammps|keyed)");
            stream = args[k + 1] switch
            {
                "lammps" => LangevinStream.Lammps,
                "keyed" => LangevinStream.Keyed,
                var w => throw args.UnknownKeyword(w, ["lammps", "keyed"]),
            };
        }
        return new FixLangevin(id, args.Double(0, "Tstart"), args.Double(1, "Tstop"), args.Double(2, "Tdamp"), args.Int(3, "seed"), stream);
    }
}
