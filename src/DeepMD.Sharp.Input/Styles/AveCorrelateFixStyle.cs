namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Dynamics.Fixes;
using DeepMD.Sharp.Input.Computes;

/// <summary>
/// <c>fix ID group ave/correlate Nevery Nrepeat Nfreq value1 ... [type auto|upper|lower|auto/upper|auto/lower|full]
/// [ave one|running] [start S] [prefactor p] [file F] [title1|title2|title3 T]</c>, values as fix ave/time's scalar mode
/// (see <see cref="FixAveCorrelate"/>).
/// </summary>
[FixStyle("ave/correlate")]
public sealed class AveCorrelateFixStyle : IFixStyle
{
    private static readonly string[] Keywords = ["type", "ave", "start", "prefactor", "file", "overwrite", "title1", "title2", "title3"];

    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        args.RequireAtLeast(4, "Nevery Nrepeat Nfreq value1 [value2 ...] [keyword value ...]");
        int nevery = args.Int(0, "Nevery"), nrepeat = args.Int(1, "Nrepeat"), nfreq = args.Int(2, "Nfreq");
        var end = 3;
        while (end < args.Count && !Keywords.Contains(args[end])) end++;
        if (end == 3) throw args.Error("needs at least one value (c_ID, c_ID[i], f_ID, v_name) before the keywords");
        var type = CorrelateType.Auto;
        var running = false;
        long start = 0;
        var prefactor = 1.0;
        string? file = null, title1 = null, title2 = null, title3 = null;
        for (var k = end; k < args.Count; k += 2)
        {
            if (k + 1 >= args.Count) throw args.Error($"keyword '{args[k]}' needs a value");
            switch (args[k])
            {
                case "type":
                    type = args[k + 1] switch
                    {
                        "auto" => CorrelateType.Auto,
                        "upper" => CorrelateType.Upper,
                        "lower" => CorrelateType.Lower,
                        "auto/upper" => CorrelateType.AutoUpper,
                        "auto/lower" => CorrelateType.AutoLower,
                        "full" => CorrelateType.Full,
                        var w => throw args.Error($"type must be auto, upper, lower, auto/upper, auto/lower or full, got '{w}'"),
                    };
                    break;
                case "ave":
                    running = args[k + 1] switch
                    {
                        "one" => false,
                        "running" => true,
                        var w => throw args.Error($"ave must be one or running, got '{w}'"),
                    };
                    break;
                case "start": start = args.Long(k + 1, "start"); break;
                case "prefactor": prefactor = args.Double(k + 1, "prefactor"); break;
                case "file": file = args[k + 1]; break;
                case "overwrite": throw args.Error("the overwrite keyword is not supported yet");
                case "title1": title1 = args[k + 1]; break;
                case "title2": title2 = args[k + 1]; break;
                case "title3": title3 = args[k + 1]; break;
            }
        }
        var names = ComputeReferences.Expand(context, args.Words.Take(end).Skip(3), vectorMode: false);
        var values = names.Select(n => AveTimeFixStyle.Value(context, args, n, vectorMode: false)).ToList();
        TextWriter? writer = null;
        if (file is not null)
        {
            var w = context.IsRootRank
                ? Core.Files.OutputLock.OpenWriter(context.OutputPath(file), false, $"fix {id} ave/correlate file", new System.Text.UTF8Encoding(false))
                : StreamWriter.Null;
            w.NewLine = "\n";
            writer = w;
        }
        try
        {
            return new FixAveCorrelate(id, nevery, nrepeat, nfreq, values, type, running, start, prefactor, context.Simulation.Step, writer, (title1, title2, title3));
        }
        catch
        {
            writer?.Dispose();
            throw;
        }
    }
}
