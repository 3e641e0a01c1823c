namespace DeepMD.Sharp.Cli.Commands;

using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.IO;
using DeepMD.Sharp.Models.Backends;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;

/// <summary><c>dpsharp eval MODEL STRUCTURE [--json] [--atomic]</c>: energy, forces and virial of one structure.</summary>
public static class EvalCommand
{
    public static Command Create(TextWriter stdout, TextWriter? stderr = null)
    {
        var model = new Argument<string>("model") { Description = "DeePMD-kit model file (.dp or .yaml)" };
        var structure = new Argument<string>("structure") { Description = "structure file: extended XYZ, LAMMPS data, or VASP POSCAR" };
        var json = new Option<bool>("--json")
        {
            Description = "print one JSON object on one line (energy, atom_energy, forces, virial, natoms, type_map); "
                + "for a multi-frame XYZ file one such line per frame (JSON lines), each with a \"frame\" index",
        };
        var frame = new Option<int?>("--frame")
        {
            Description = "evaluate only this frame of a multi-frame XYZ file (0-based); by default every frame is evaluated, "
                + "each printed under a 'frame N' header (or as one JSON line per frame with --json)",
        };
        var atomic = new Option<bool>("--atomic") { Description = "also print per-atom energies and virials" };
        var typeMap = new Option<string?>("--type-map") { Description = "element of each LAMMPS atom type, in order, e.g. O,H (LAMMPS data files)" };
        var truncate = new Option<bool>("--allow-sel-truncation")
        {
            Description = "when an atom has more neighbors than the model's sel, keep the nearest ones like DeePMD-kit instead of stopping",
        };
        var fparam = new Option<string?>("--fparam") { Description = "frame parameters, comma-separated (models with numb_fparam > 0)" };
        var aparam = new Option<string?>("--aparam") { Description = "atomic parameters, comma-separated, the same for every atom (models with numb_aparam > 0)" };
        var backend = new Option<string?>("--backend") { Description = "force a backend: reference, cpu (float64), cpu-f32, gpu (float64), gpu-f32 (default: fastest supporting the model, or DPSHARP_BACKEND)" };
        var cmd = new Command("eval", "Evaluate a model on a structure: energy (eV), forces (eV/Å), virial (eV)")
        {
            model, structure, json, atomic, typeMap, truncate, fparam, aparam, backend, frame,
        };
        cmd.SetAction(p =>
        {
            var m = ModelLoader.Load(p.GetValue(model)!);
            var types = p.GetValue(typeMap)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var path = p.GetValue(structure)!;
            var frames = ReadFrames(path, types, p.GetValue(frame));
            var fp = ParseList(p.GetValue(fparam), "--fparam");
            var ap = ParseList(p.GetValue(aparam), "--aparam");
            var evaluator = BackendRegistry.Default.Create(m, p.GetValue(backend), out _);
            using var ownedEvaluator = evaluator as IDisposable;
            var fromXyz = StructureReader.DetectFormat(path) == StructureFormat.ExtXyz;
            var guard = new GuardCheck(m, stderr ?? Console.Error);
            foreach (var (s, index, line) in frames)
            {
                s.ValidateCoordinates(fromXyz ? i => line + 2 + i : null);
                var typeIndex = s.TypesFor(m.TypeMap);
                double[]? apAll = null;
                if (ap is not null)
                {
                    apAll = new double[s.Count * ap.Length];
                    for (var i = 0; i < s.Count; i++) ap.CopyTo(apAll, i * ap.Length);
                }
                var options = new EvaluationOptions
                {
                    SelOverflow = p.GetValue(truncate) ? SelOverflowPolicy.Truncate : SelOverflowPolicy.Error,
                    Fparam = fp,
                    Aparam = apAll,
                    AtomLabels = s.Species,
                    // Message-passing descriptors (DPA-2) need them for DeePMD-kit's per-atom virial.
                    AtomPositions = m.Descriptor.FrameReference is null ? null : ReferenceEvaluator.WrappedPositions(s.X, s.Y, s.Z, s.Box),
                };
                var neighbors = CellListNeighborSearch.Build(s.X, s.Y, s.Z, s.Box, m.Cutoff);
                guard.Begin();
                var r = evaluator.Evaluate(typeIndex, neighbors, guard.With(options));
                RequireFinite(r, path, p.GetValue(atomic), index is null ? null : line);
                var outside = guard.Finish(typeIndex, neighbors, evaluator.Name);
                if (p.GetValue(json)) WriteJson(stdout, m, r, p.GetValue(atomic), index, outside);
                else
                {
                    if (index is not null) stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"frame        {index}   ({path} line {line})"));
                    WriteText(stdout, m, s.Species, r, p.GetValue(atomic));
                    if (outside is not null) stdout.WriteLine($"WARNING: extrapolation guard: {outside}");
                }
            }
            return 0;
        });
        return cmd;
    }

    /// <summary>Never print NaN or infinity as a result: a non-finite energy, force or virial is an error.</summary>
    private static void RequireFinite(EvaluationResult r, string structure, bool atomic, int? line)
    {
        const string Hint = "the model or the structure is broken (check the model's weights and the atoms' positions)";
        var ci = CultureInfo.InvariantCulture;
        if (!double.IsFinite(r.Energy))
            throw new UserInputException(string.Create(ci, $"the model gave a non-finite energy ({r.Energy}); {Hint}"), structure, line);
        for (var k = 0; k < 3 * r.AtomCount; k++)
            if (!double.IsFinite(r.Forces[k]))
                throw new UserInputException(string.Create(ci, $"the model gave a non-finite force ({r.Forces[k]}) on atom {k / 3 + 1}; {Hint}"), structure, line);
        if (!r.Virial.All(double.IsFinite))
            throw new UserInputException($"the model gave a non-finite virial; {Hint}", structure, line);
        if (!atomic) return;
        for (var i = 0; i < r.AtomCount; i++)
            if (!double.IsFinite(r.AtomEnergy[i]) || !r.AtomVirial.AsSpan(9 * i, 9).ToArray().All(double.IsFinite))
                throw new UserInputException($"the model gave a non-finite energy or virial for atom {i + 1}; {Hint}", structure, line);
    }

    /// <summary>
    /// The structures to evaluate: every frame of a multi-frame XYZ file (with its index and first line), or only
    /// <paramref name="frame"/>; other formats hold one structure (index null: printed without a frame header).
    /// </summary>
    private static List<(Structure S, int? Index, int Line)> ReadFrames(string path, string[]? types, int? frame)
    {
        if (StructureReader.DetectFormat(path) != StructureFormat.ExtXyz)
        {
            if (frame is not null and not 0)
                throw new UserInputException($"--frame {frame}: only XYZ files hold several frames; this file holds one structure (frame 0)", path);
            return [(StructureReader.Read(path, types), null, 1)];
        }
        if (frame is { } only)
        {
            if (only < 0) throw new UserInputException($"--frame {only}: frames are numbered from 0", path);
            var f = ExtXyzReader.ReadExtendedFrame(path, only);
            return [(f.Structure, only, f.Line)];
        }
        var all = ExtXyzReader.ReadExtendedFrames(path);
        if (all.Count == 1) return [(all[0].Structure, null, all[0].Line)];
        return all.Select((f, k) => (f.Structure, (int?)k, f.Line)).ToList();
    }

    private static double[]? ParseList(string? text, string option)
    {
        if (text is null) return null;
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var values = new double[parts.Length];
        for (var k = 0; k < parts.Length; k++)
            if (!double.TryParse(parts[k], NumberStyles.Float, CultureInfo.InvariantCulture, out values[k]))
                throw new UserInputException($"{option}: '{parts[k]}' is not a number");
        return values;
    }

    private static void WriteJson(TextWriter stdout, DeepPotModel m, EvaluationResult r, bool atomic, int? frame, string? guard = null)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false }))
        {
            w.WriteStartObject();
            if (frame is not null) w.WriteNumber("frame", frame.Value);
            w.WriteNumber("natoms", r.AtomCount);
            w.WriteStartArray("type_map");
            foreach (var t in m.TypeMap.Names) w.WriteStringValue(t);
            w.WriteEndArray();
            w.WriteNumber("energy", r.Energy);
            WriteArray(w, "atom_energy", r.AtomEnergy);
            w.WriteStartArray("forces");
            for (var i = 0; i < r.AtomCount; i++)
            {
                w.WriteStartArray();
                for (var c = 0; c < 3; c++) w.WriteNumberValue(r.Forces[3 * i + c]);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            WriteArray(w, "virial", r.Virial);
            if (guard is not null) w.WriteString("extrapolation_guard", guard); // only when outside the training coverage
            if (atomic)
            {
                w.WriteStartArray("atom_virial");
                for (var i = 0; i < r.AtomCount; i++)
                {
                    w.WriteStartArray();
                    for (var c = 0; c < 9; c++) w.WriteNumberValue(r.AtomVirial[9 * i + c]);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        stdout.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static void WriteArray(Utf8JsonWriter w, string name, double[] values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }

    private static void WriteText(TextWriter o, DeepPotModel m, string[] species, EvaluationResult r, bool atomic)
    {
        var ci = CultureInfo.InvariantCulture;
        o.WriteLine(string.Create(ci, $"atoms        {r.AtomCount}   (type map {m.TypeMap})"));
        o.WriteLine(string.Create(ci, $"energy       {r.Energy,22:F10} eV   ({r.Energy / Math.Max(1, r.AtomCount):F10} eV/atom)"));
        o.WriteLine("virial (eV)");
        for (var a = 0; a < 3; a++)
            o.WriteLine(string.Create(ci, $"  {r.Virial[3 * a],18:E10} {r.Virial[3 * a + 1],18:E10} {r.Virial[3 * a + 2],18:E10}"));
        o.WriteLine(atomic ? "atom  species        energy (eV)          fx (eV/Å)          fy          fz" : "atom  species          fx (eV/Å)          fy                 fz");
        for (var i = 0; i < r.AtomCount; i++)
        {
            var f = string.Create(ci, $"{r.Forces[3 * i],18:E10} {r.Forces[3 * i + 1],18:E10} {r.Forces[3 * i + 2],18:E10}");
            o.WriteLine(atomic
                ? string.Create(ci, $"{i + 1,5} {species[i],-6} {r.AtomEnergy[i],18:F10} {f}")
                : string.Create(ci, $"{i + 1,5} {species[i],-6} {f}"));
        }
        if (!atomic) return;
        o.WriteLine("per-atom virial (eV): xx xy xz yx yy yz zx zy zz");
        for (var i = 0; i < r.AtomCount; i++)
            o.WriteLine(string.Create(ci, $"{i + 1,5} ") + string.Join(" ", Enumerable.Range(0, 9).Select(c => r.AtomVirial[9 * i + c].ToString("E8", ci))));
    }
}
