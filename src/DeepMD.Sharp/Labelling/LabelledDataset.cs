namespace DeepMD.Sharp.Labelling;

using System.Globalization;
using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.IO.Datasets;

/// <summary>What <see cref="LabelledDataset.Label"/> did: the systems written, frames labelled and the frames skipped with why.</summary>
public sealed record LabellingSummary(IReadOnlyList<string> Systems, int Labelled, IReadOnlyList<XtbLabelOutcome> Failed, double Seconds);

/// <summary>
/// Labels frames with <see cref="Cp2kXtbLabeller"/> and writes DeePMD-kit deepmd/npy systems: one system per
/// sequence of species (frames of one box and its perturbations share one), all with the same type map. A frame whose
/// SCF fails is reported by its index and left out; <c>failed.txt</c> lists them, <c>frames.txt</c> says which input
/// frame each labelled frame is.
/// </summary>
public static class LabelledDataset
{
    /// <summary>
    /// Labels the frames (index = position in the list) into the output folder; <c>work</c> holds the per-frame CP2K
    /// folders (<c>frame-000123</c>, finished frames are reused on a rerun), <c>jobs</c> CP2K processes run at once.
    /// </summary>
    public static LabellingSummary Label(Cp2kXtbLabeller labeller, IReadOnlyList<Structure> frames, string[] typeMap, string output,
        string work, int jobs = 1, TextWriter? log = null, IReadOnlyList<string>? origins = null)
    {
        labeller.RequireExecutable();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        foreach (var f in frames) f.TypesFor(new DeepMD.Sharp.Core.Atoms.TypeMap(typeMap));
        var outcomes = new XtbLabelOutcome[frames.Count];
        var done = 0;
        Parallel.For(0, frames.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, jobs) }, i =>
        {
            var o = labeller.Label(frames[i], i, Path.Combine(work, $"frame-{i:D6}"));
            outcomes[i] = o;
            var k = Interlocked.Increment(ref done);
            lock (outcomes)
                log?.WriteLine(o.Label is { } l
                    ? string.Create(CultureInfo.InvariantCulture, $"[{k}/{frames.Count}] frame {i}: E = {l.Energy:F6} eV, {l.ScfSteps} SCF steps, {l.Seconds:F1} s")
                    : $"[{k}/{frames.Count}] frame {i}: SKIPPED, {o.Failure} (CP2K folder {o.WorkFolder})");
        });

        var systems = new List<string>();
        var groups = Enumerable.Range(0, frames.Count).Where(i => outcomes[i].Label is not null)
            .GroupBy(i => string.Join(",", frames[i].Species)).ToList();
        Directory.CreateDirectory(output);
        var many = groups.Count > 1;
        var map = new DeepMD.Sharp.Core.Atoms.TypeMap(typeMap);
        var stress = outcomes.Where(o => o.Label is not null).All(o => o.Label!.Virial is not null);
        for (var g = 0; g < groups.Count; g++)
        {
            var idx = groups[g].ToList();
            var first = frames[idx[0]];
            var n = first.Count;
            var formula = string.Concat(typeMap.Select(t => (t, c: first.Species.Count(s => s == t))).Where(x => x.c > 0).Select(x => x.t + x.c.ToString(CultureInfo.InvariantCulture)));
            var folder = many ? Path.Combine(output, $"{g:D2}-{formula}") : output;
            var boxes = new double[idx.Count * 9];
            var coords = new double[idx.Count * n * 3];
            var energies = new double[idx.Count];
            var forces = new double[idx.Count * n * 3];
            var virials = stress ? new double[idx.Count * 9] : null;
            for (var k = 0; k < idx.Count; k++)
            {
                var f = frames[idx[k]];
                var l = outcomes[idx[k]].Label!;
                f.Box!.Matrix.CopyTo(boxes.AsSpan(k * 9, 9));
                for (var a = 0; a < n; a++)
                {
                    coords[(k * n + a) * 3] = f.X[a];
                    coords[(k * n + a) * 3 + 1] = f.Y[a];
                    coords[(k * n + a) * 3 + 2] = f.Z[a];
                }
                energies[k] = l.Energy;
                l.Forces.CopyTo(forces, k * n * 3);
                l.Virial?.CopyTo(virials!, k * 9);
            }
            DeepmdSystemWriter.Write(folder, typeMap, first.TypesFor(map), idx.Count, boxes, coords, energies, forces, virials);
            File.WriteAllLines(Path.Combine(folder, "frames.txt"),
                idx.Select(i => origins is null ? i.ToString(CultureInfo.InvariantCulture) : $"{i} {origins[i]}"));
            systems.Add(folder);
        }
        var failed = outcomes.Where(o => o.Label is null).ToList();
        File.WriteAllLines(Path.Combine(output, "failed.txt"),
            failed.Select(o => $"{o.Frame} {(origins is null ? "" : origins[o.Frame] + " ")}{o.Failure}"));
        return new LabellingSummary(systems, frames.Count - failed.Count, failed, watch.Elapsed.TotalSeconds);
    }
}
