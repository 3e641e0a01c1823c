namespace DeepMD.Sharp.Input.Commands;

using System.Text;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Files;
using DeepMD.Sharp.IO;

/// <summary>
/// <c>write_dump all atom|custom|xyz|extxyz FILE [columns] [modify element E1 E2 ... | sort id]</c>: one dump frame of
/// the current state (LAMMPS' command; the frame a <c>dump</c> of the same style would write now), written once via a
/// temporary file, flushed to the disk and renamed into place. A <c>*</c> in the name becomes the step. Under mpirun,
/// rank 0 alone writes it (between runs every rank holds the whole system).
/// </summary>
[DeckCommand("write_dump")]
public sealed class WriteDumpCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(3, "all STYLE FILE [columns] [modify element E1 ... | sort id]");
        if (args[0] != "all") throw args.Error($"only the group 'all' is supported, got '{args[0]}'");
        var style = args[1] switch
        {
            "atom" => DumpStyle.Atom,
            "custom" => DumpStyle.Custom,
            "xyz" => DumpStyle.Xyz,
            "extxyz" => DumpStyle.ExtXyz,
            _ => throw args.UnknownKeyword(args[1], ["atom", "custom", "xyz", "extxyz"]),
        };
        var words = args.Words.Skip(3).ToList();
        var modify = words.IndexOf("modify");
        var columnWords = modify < 0 ? words : words[..modify];
        var elements = context.Elements;
        var sim = context.Simulation;
        if (modify >= 0)
        {
            var k = modify + 1;
            while (k < words.Count)
            {
                switch (words[k])
                {
                    case "element":
                        if (words.Count - k - 1 < sim.TypeCount) throw args.Error($"element needs {sim.TypeCount} names (one per atom type)");
                        elements = [.. words.Skip(k + 1).Take(sim.TypeCount)];
                        k += sim.TypeCount + 1;
                        break;
                    case "sort":
                        if (k + 1 >= words.Count || words[k + 1] is not ("id" or "off")) throw args.Error("only 'sort id' is supported (atoms are always in id order)");
                        k += 2;
                        break;
                    default:
                        throw args.UnknownKeyword(words[k], ["element", "sort"]);
                }
            }
        }
        IReadOnlyList<string> columns;
        if (style == DumpStyle.Custom)
        {
            if (columnWords.Count == 0) throw args.Error("write_dump custom needs a list of columns, e.g. 'id type x y z'");
            foreach (var c in columnWords)
                if (!LammpsDumpWriter.KnownColumns.Contains(c))
                    throw args.Error($"unknown column '{c}'; supported: {string.Join(" ", LammpsDumpWriter.KnownColumns)}");
            columns = columnWords;
        }
        else
        {
            if (columnWords.Count > 0) throw args.Error($"write_dump {args[1]} takes no columns (only custom does)");
            columns = LammpsDumpWriter.DefaultColumns(style)!;
        }
        var box = sim.Box ?? throw new UserInputException("write_dump before the box exists; use create_box or read_data first");
        var path = context.OutputPath(args[2].Replace("*", sim.Step.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (!context.IsRootRank) return;
        var sb = new StringBuilder();
        new LammpsDumpWriter(style, columns) { Elements = elements }.AppendFrame(sb, sim.Step, box, sim.Atoms, sim.Masses, sim.PotentialEnergy);
        var full = Path.GetFullPath(path);
        var tmp = full + ".tmp" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            File.WriteAllText(tmp, sb.ToString(), new UTF8Encoding(false));
            DurableFile.FlushAndMove(tmp, full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(tmp); } catch (IOException) { }
            throw new UserInputException($"cannot write dump file '{path}': {e.Message}");
        }
    }
}
