namespace DeepMD.Sharp.Input.Styles;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Computes;
using DeepMD.Sharp.Dynamics.Fixes;
using DeepMD.Sharp.Input.Computes;
using DeepMD.Sharp.Input.Parsing;

/// <summary>
/// <c>fix ID group ave/chunk Nevery Nrepeat Nfreq chunkID value ... [norm all|sample|none] [ave one|running|window M]
/// [adof N] [cdof N] [file F] [format F] [title1 T] [title2 T] [title3 T]</c>, values vx vy vz fx fy fz density/number
/// density/mass mass temp c_ID c_ID[i] v_name, as LAMMPS' fix ave/chunk (see <see cref="FixAveChunk"/>).
/// </summary>
[FixStyle("ave/chunk")]
public sealed class AveChunkFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        static UserInputException Illegal() => new("Illegal fix ave/chunk command");
        if (args.Count < 5) throw Illegal();
        int nevery = args.Int(0, "Nevery"), nrepeat = args.Int(1, "Nrepeat"), nfreq = args.Int(2, "Nfreq");
        var sim = context.Simulation;
        var chunks = sim.FindCompute(args[3]) switch
        {
            ComputeChunkAtom c => c,
            null => throw new UserInputException("Chunk/atom compute does not exist for fix ave/chunk"),
            _ => throw new UserInputException("Fix ave/chunk does not use chunk/atom compute"),
        };
        var values = new List<AveChunkValue>();
        var k = 4;
        for (; k < args.Count; k++)
        {
            var w = args[k];
            AveChunkValue? v = w switch
            {
                "vx" or "vy" or "vz" => new AveChunkValue { Name = w, Kind = AveChunkKind.V, Component = w[1] - 'x' },
                "fx" or "fy" or "fz" => new AveChunkValue { Name = w, Kind = AveChunkKind.F, Component = w[1] - 'x' },
                "density/number" => new AveChunkValue { Name = w, Kind = AveChunkKind.DensityNumber },
                "density/mass" => new AveChunkValue { Name = w, Kind = AveChunkKind.DensityMass },
                "mass" => new AveChunkValue { Name = w, Kind = AveChunkKind.Mass },
                "temp" => new AveChunkValue { Name = w, Kind = AveChunkKind.Temperature },
                _ => Reference(context, w),
            };
            if (v is null) break;
            values.Add(v);
        }
        if (values.Count == 0) throw new UserInputException("No values in fix ave/chunk command");
        var norm = AveChunkNorm.All;
        var ave = FixAveChunk.AverageMode.One;
        int window = 0;
        double adof = sim.Dimension, cdof = 0.0;
        string? file = null, format = null, title1 = null, title2 = null, title3 = null;
        while (k < args.Count)
        {
            string Value() => k + 1 < args.Count ? args[k + 1] : throw Illegal();
            switch (args[k])
            {
                case "norm":
                    norm = Value() switch { "all" => AveChunkNorm.All, "sample" => AveChunkNorm.Sample, "none" => AveChunkNorm.None, _ => throw Illegal() };
                    k += 2;
                    break;
                case "ave":
                    switch (Value())
                    {
                        case "one": ave = FixAveChunk.AverageMode.One; k += 2; break;
                        case "running": ave = FixAveChunk.AverageMode.Running; k += 2; break;
                        case "window":
                            ave = FixAveChunk.AverageMode.Window;
                            window = args.Int(k + 2, "window M");
                            if (window <= 0) throw Illegal();
                            k += 3;
                            break;
                        default: throw Illegal();
                    }
                    break;
                case "adof": adof = Num(Value()); k += 2; break;
                case "cdof": cdof = Num(Value()); k += 2; break;
                case "file": file = Value(); k += 2; break;
                case "format": format = Value(); k += 2; break;
                case "title1": title1 = Value(); k += 2; break;
                case "title2": title2 = Value(); k += 2; break;
                case "title3": title3 = Value(); k += 2; break;
                case "bias" or "overwrite":
                    throw args.Error($"the {args[k]} keyword of fix ave/chunk is not supported yet");
                default: throw Illegal();
            }
        }
        TextWriter? writer = null;
        if (file is not null)
        {
            var w = context.IsRootRank
                ? Core.Files.OutputLock.OpenWriter(context.OutputPath(file), false, $"fix {id} ave/chunk file", new System.Text.UTF8Encoding(false))
                : StreamWriter.Null;
            w.NewLine = "\n";
            writer = w;
        }
        try
        {
            return new FixAveChunk(id, nevery, nrepeat, nfreq, chunks, values, norm, ave, window, adof, cdof, sim.Step, writer, format,
                (title1, title2, title3));
        }
        catch
        {
            writer?.Dispose();
            throw;
        }
    }

    /// <summary>c_ID, c_ID[i] (per-atom compute), v_name (atom-style variable); null when the word is not a value (a keyword).</summary>
    private static AveChunkValue? Reference(DeckContext context, string w)
    {
        if (!DeckReference.TryParse(w, out var r)) return null;
        if (r.Wildcard is not null || r.J is not null) throw new UserInputException("Invalid fix ave/chunk command");
        var sim = context.Simulation;
        switch (r.Kind)
        {
            case 'c':
            {
                var c = sim.FindCompute(r.Id) ?? throw new UserInputException("Compute ID for fix ave/chunk does not exist");
                if (!c.HasPerAtom) throw new UserInputException("Fix ave/chunk compute does not calculate per-atom values");
                var cols = c.PerAtomColumns;
                if (r.I is null && cols != 0) throw new UserInputException("Fix ave/chunk compute does not calculate a per-atom vector");
                if (r.I is not null && cols == 0) throw new UserInputException("Fix ave/chunk compute does not calculate a per-atom array");
                if (r.I is not null && r.I > cols) throw new UserInputException("Fix ave/chunk compute vector is accessed out-of-range");
                var stride = Math.Max(1, cols);
                var col = r.I is null ? 0 : r.I.Value - 1;
                double[] data = [];
                return new AveChunkValue
                {
                    Name = w,
                    Kind = AveChunkKind.PerAtom,
                    Prepare = s => data = (s.FindCompute(r.Id) ?? c).PerAtom(s),
                    PerAtom = (_, i) => data[i * stride + col],
                };
            }
            case 'v':
            {
                if (!context.Variables.TryGetValue(r.Id, out var v)) throw new UserInputException("Variable name for fix ave/chunk does not exist");
                if (!v.IsPerAtom) throw new UserInputException("Fix ave/chunk variable is not atom-style variable");
                double[] data = [];
                return new AveChunkValue
                {
                    Name = w,
                    Kind = AveChunkKind.PerAtom,
                    Prepare = _ => data = context.Runner.AtomVariable(r.Id, "fix ave/chunk"),
                    PerAtom = (_, i) => data[i],
                };
            }
            default:
                var fix = sim.FindFix(r.Id) ?? throw new UserInputException("Fix ID for fix ave/chunk does not exist");
                throw new UserInputException($"Fix ave/chunk fix does not calculate per-atom values: fix {fix.Id} ({fix.Style})");
        }
    }

    private static double Num(string w) =>
        double.TryParse(w, NumberStyles.Float, CultureInfo.InvariantCulture, out var c) && double.IsFinite(c) ? c
        : throw new UserInputException($"Expected floating point parameter instead of '{w}' in input script or data file");
}

/// <summary><c>fix ID group thermal/conductivity N edim Nbin [swap Nswap]</c> (LAMMPS' arguments and error texts).</summary>
[FixStyle("thermal/conductivity")]
public sealed class ThermalConductivityFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        static UserInputException Illegal() => new("Illegal fix thermal/conductivity command");
        if (args.Count < 3) throw Illegal();
        var nevery = Int(args[0]);
        var edim = args[1] switch { "x" => 0, "y" => 1, "z" => 2, _ => throw Illegal() };
        var nbin = Int(args[2]);
        var nswap = 1;
        for (var k = 3; k < args.Count; k += 2)
        {
            if (args[k] != "swap" || k + 2 > args.Count) throw Illegal();
            nswap = Int(args[k + 1]);
        }
        return new FixThermalConductivity(id, nevery, edim, nbin, nswap);
    }

    private static int Int(string w) =>
        int.TryParse(w, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n
        : throw new UserInputException($"Expected integer parameter instead of '{w}' in input script or data file");
}
