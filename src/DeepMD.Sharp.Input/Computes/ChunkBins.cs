namespace DeepMD.Sharp.Input.Computes;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Computes;
using DeepMD.Sharp.Dynamics.Groups;

/// <summary>
/// <c>compute ID group chunk/atom bin/1d DIM ORIGIN DELTA [bin/2d: DIM ORIGIN DELTA] [units box|lattice|reduced]
/// [nchunk once|every] [compress yes|no] [discard mixed|yes|no] [bound DIM lo hi] [ids every]</c>, LAMMPS' arguments
/// and error texts (ORIGIN lower, center, upper or a coordinate).
/// </summary>
internal static class ChunkBins
{
    public static ComputeChunkAtom Create(DeckContext context, string id, AtomGroup group, DeckArguments args)
    {
        static UserInputException Illegal() => new("Illegal compute chunk/atom command");
        var ndim = args[0] == "bin/1d" ? 1 : 2;
        if (args.Count < 1 + 3 * ndim) throw Illegal();
        var dims = new int[ndim];
        var origin = new ChunkBinSettings.OriginKind[ndim];
        var originValue = new double[ndim];
        var delta = new double[ndim];
        for (var m = 0; m < ndim; m++)
        {
            var k = 1 + 3 * m;
            dims[m] = args[k] switch { "x" => 0, "y" => 1, "z" => 2, _ => throw Illegal() };
            if (dims[m] == 2 && context.Simulation.Dimension == 2) throw new UserInputException("Cannot use compute chunk/atom bin z for 2d model");
            origin[m] = args[k + 1] switch
            {
                "lower" => ChunkBinSettings.OriginKind.Lower,
                "center" => ChunkBinSettings.OriginKind.Center,
                "upper" => ChunkBinSettings.OriginKind.Upper,
                _ => ChunkBinSettings.OriginKind.Coord,
            };
            if (origin[m] == ChunkBinSettings.OriginKind.Coord) originValue[m] = Num(args[k + 1]);
            delta[m] = Num(args[k + 2]);
        }
        var bins = new ChunkBinSettings { Dims = dims, Origin = origin, OriginValue = originValue, Delta = delta };
        for (var k = 1 + 3 * ndim; k < args.Count;)
        {
            string Value() => k + 1 < args.Count ? args[k + 1] : throw Illegal();
            switch (args[k])
            {
                case "units":
                    bins.Units = Value() switch
                    {
                        "box" => ChunkBinSettings.Scale.Box,
                        "lattice" => ChunkBinSettings.Scale.Lattice,
                        "reduced" => ChunkBinSettings.Scale.Reduced,
                        _ => throw Illegal(),
                    };
                    k += 2;
                    break;
                case "nchunk":
                    bins.NchunkOnce = Value() switch { "once" => true, "every" => false, _ => throw Illegal() };
                    k += 2;
                    break;
                case "compress":
                    bins.Compress = Value() switch { "yes" => true, "no" => false, _ => throw Illegal() };
                    k += 2;
                    break;
                case "discard":
                    bins.Discard = Value() switch
                    {
                        "mixed" => ChunkBinSettings.DiscardRule.Mixed,
                        "no" => ChunkBinSettings.DiscardRule.No,
                        "yes" => ChunkBinSettings.DiscardRule.Yes,
                        _ => throw Illegal(),
                    };
                    k += 2;
                    break;
                case "bound":
                {
                    if (k + 4 > args.Count) throw Illegal();
                    var d = args[k + 1] switch { "x" => 0, "y" => 1, "z" => 2, _ => throw Illegal() };
                    bins.BoundLo[d] = args[k + 2] == "lower" ? null : Num(args[k + 2]);
                    bins.BoundHi[d] = args[k + 3] == "upper" ? null : Num(args[k + 3]);
                    k += 4;
                    break;
                }
                case "ids":
                    if (Value() != "every") throw args.Error($"chunk/atom ids {args[k + 1]} is not supported (only ids every, the default)");
                    k += 2;
                    break;
                case "region" or "limit" or "pbc":
                    throw args.Error($"chunk/atom option '{args[k]}' is not supported (supported: units, nchunk, compress, discard, bound, ids every)");
                default:
                    throw Illegal();
            }
        }
        if (bins.Units == ChunkBinSettings.Scale.Lattice)
        {
            var lattice = context.Lattice ?? throw new UserInputException("Use of compute chunk/atom with undefined lattice");
            bins.LatticeSpacing = [lattice.XLattice, lattice.YLattice, lattice.ZLattice];
        }
        return new ComputeChunkAtom(id, group, context.Simulation, bins);
    }

    private static double Num(string w) =>
        double.TryParse(w, NumberStyles.Float, CultureInfo.InvariantCulture, out var c) && double.IsFinite(c) ? c
        : throw new UserInputException($"Expected floating point parameter instead of '{w}' in input script or data file");
}
