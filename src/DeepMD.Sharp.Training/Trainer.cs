namespace DeepMD.Sharp.Training;

using DeepMD.Sharp.Core.Files;
using System.Globalization;
using DeepMD.Sharp.Training.Checkpoints;
using DeepMD.Sharp.Training.Data;
using DeepMD.Sharp.Training.Model;
using DeepMD.Sharp.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>Settings of a training run (the input.json <c>training</c> section, resolved).</summary>
public sealed record TrainerOptions
{
    /// <summary>Number of optimizer steps.</summary>
    public int NumbSteps { get; init; } = 100;

    /// <summary>Steps between lcurve.out lines.</summary>
    public int DispFreq { get; init; } = 100;

    /// <summary>Steps between model saves (0: only at the end).</summary>
    public int SaveFreq { get; init; }

    /// <summary>Path of lcurve.out (null: none).</summary>
    public string? DispFile { get; init; } = "lcurve.out";

    /// <summary>Path of the model written at save points and at the end (null: none).</summary>
    public string? SavePath { get; init; }

    /// <summary>Validation batches per display line.</summary>
    public int ValidationBatches { get; init; } = 1;

    /// <summary>Checkpoint prefix: <c>PREFIX-STEP.ckpt</c> is written every save_freq steps and at the end (null: none).</summary>
    public string? CheckpointPrefix { get; init; }

    /// <summary>Number of newest checkpoint files kept.</summary>
    public int MaxCheckpointKeep { get; init; } = 5;

    /// <summary>Redraw a progress bar in place (a terminal) instead of printing plain progress lines.</summary>
    public bool InteractiveProgress { get; init; }
}

/// <summary>Runs Adam on the ener loss with the exponential learning rate, writing lcurve.out like DeePMD-kit.</summary>
public sealed class Trainer(IEnergyModel model, EnergyLoss loss, ExponentialLearningRate lr, TrainingDataSet train,
    TrainingDataSet? validation, TrainerOptions options, TextWriter? log = null)
{
    private readonly BatchBuilder _builder = new(model.Rcut, model.Sel, model.MixedTypes);

    /// <summary>Loss values after each step (for tests and diagnostics).</summary>
    public List<double> Losses { get; } = [];

    /// <summary>Initialises davg/dstd and the energy bias from the training data (data_stat_nbatch batches per system).</summary>
    public void InitStatistics()
    {
        var batches = new List<FrameBatch>();
        var counts = new List<int[]>();
        var energies = new List<double>();
        for (var k = 0; k < train.Systems.Count; k++)
        {
            var s = train.Systems[k];
            var frames = Enumerable.Range(0, Math.Min(s.FrameCount, model.DataStatNBatch * train.BatchSizes[k])).ToArray();
            batches.Add(_builder.Build(s, frames));
            if (s.Energies is null) continue;
            var c = s.CountTypes(model.TypeMap.Length);
            foreach (var f in frames)
            {
                counts.Add(c);
                energies.Add(s.Energies[f]);
            }
        }
        model.InitDescriptorStatistics(batches);
        if (energies.Count > 0) model.OutBias = Statistics.EnergyBias(counts, energies, model.TypeMap.Length);
    }

    /// <summary>
    /// Fine-tuning's change-by-statistic: fits per-type energies to (label − prediction) on the statistics frames by
    /// least squares and adds them to the bias.
    /// </summary>
    public void ShiftEnergyBias()
    {
        var counts = new List<int[]>();
        var residual = new List<double>();
        for (var k = 0; k < train.Systems.Count; k++)
        {
            var s = train.Systems[k];
            if (s.Energies is null) continue;
            var frames = Enumerable.Range(0, Math.Min(s.FrameCount, model.DataStatNBatch * train.BatchSizes[k])).ToArray();
            var batch = _builder.Build(s, frames);
            var predicted = TorchGcGuard.Run(() =>
            {
                using (NewDisposeScope())
                using (no_grad())
                    return model.Forward(batch).Energy.detach().data<double>().ToArray();
            });
            var c = s.CountTypes(model.TypeMap.Length);
            for (var b = 0; b < frames.Length; b++)
            {
                counts.Add(c);
                residual.Add(s.Energies[frames[b]] - predicted[b]);
            }
        }
        if (residual.Count == 0) return;
        var delta = Statistics.EnergyBias(counts, residual, model.TypeMap.Length);
        model.OutBias = model.OutBias.Select((b, t) => b + delta[t]).ToArray();
    }

    /// <summary>Trains from step 0 for <see cref="TrainerOptions.NumbSteps"/> steps.</summary>
    public void Run() => Run(null);

    /// <summary>
    /// Continues a run from the checkpoint at <paramref name="checkpointPath"/>: weights, statistics, Adam state, step
    /// and sampling position are restored, lcurve.out lines from that step on are dropped, and training goes on to
    /// <see cref="TrainerOptions.NumbSteps"/> exactly as the uninterrupted run would have.
    /// </summary>
    public void Resume(string checkpointPath)
    {
        var (ckpt, optimizerState) = TrainingCheckpoint.Load(checkpointPath, model);
        train.Replay(ckpt.TrainDraws);
        validation?.Replay(ckpt.ValidationDraws);
        log?.WriteLine($"restarting from {checkpointPath} at step {ckpt.Step}");
        Run((ckpt, optimizerState));
    }

    /// <summary>The newest <c>PREFIX-STEP.ckpt</c> when <paramref name="path"/> is such a prefix and not a file itself.</summary>
    public static string ResolveCheckpoint(string path)
    {
        if (File.Exists(path)) return path;
        var latest = Checkpoints(path).LastOrDefault();
        return latest.Path ?? throw new Core.Errors.UserInputException($"no checkpoint '{path}' (nor any {Path.GetFileName(path)}-STEP.ckpt next to it)");
    }

    /// <summary>
    /// The smallest distance between two atoms (any images) within <paramref name="rcut"/> over all frames of
    /// <paramref name="systems"/>, as DeePMD-kit's neighbor statistics record it for compression; null if no pair is
    /// that close.
    /// </summary>
    public static double? MinNeighborDistance(IEnumerable<IO.Datasets.DeepmdSystem> systems, double rcut)
    {
        var best = double.PositiveInfinity;
        foreach (var s in systems)
        {
            var n = s.AtomCount;
            for (var f = 0; f < s.FrameCount; f++)
            {
                var x = new double[n];
                var y = new double[n];
                var z = new double[n];
                for (var i = 0; i < n; i++)
                {
                    x[i] = s.Coords[(f * n + i) * 3];
                    y[i] = s.Coords[(f * n + i) * 3 + 1];
                    z[i] = s.Coords[(f * n + i) * 3 + 2];
                }
                var box = s.Boxes is null ? null : new Core.Geometry.Box(s.Boxes.AsSpan(f * 9, 9));
                var list = Core.Neighbors.CellListNeighborSearch.Build(x, y, z, box, rcut);
                for (var e = 0; e < list.EntryCount; e++)
                    best = Math.Min(best, list.Dx[e] * list.Dx[e] + list.Dy[e] * list.Dy[e] + list.Dz[e] * list.Dz[e]);
            }
        }
        return double.IsPositiveInfinity(best) ? null : Math.Sqrt(best);
    }

    private void Run((TrainingCheckpoint Checkpoint, string OptimizerState)? resume)
    {
        var startStep = resume?.Checkpoint.Step ?? 0;
        model.MinNborDist ??= MinNeighborDistance(train.Systems, model.Rcut);
        var parameters = model.Parameters().ToList();
        using var adam = optim.Adam(parameters, lr.StartLr);
        if (resume is { } r0) TrainingCheckpoint.RestoreOptimizer(adam, r0.OptimizerState);
        StreamWriter? lcurve = null;
        // Two trainings in one folder would interleave lcurve.out lines and overwrite each other's checkpoints.
        using var lcurveLock = options.DispFile is null ? null : OutputLock.Acquire(options.DispFile, "learning curve");
        using var checkpointLock = options.CheckpointPrefix is null ? null : OutputLock.Acquire(options.CheckpointPrefix, "training checkpoints");
        var progress = log is null ? null : new TrainingProgress(log, startStep, options.NumbSteps, options.InteractiveProgress);
        try
        {
            if (options.DispFile is not null)
            {
                if (startStep > 0) TruncateLcurve(options.DispFile, startStep);
                var append = startStep > 0 && File.Exists(options.DispFile);
                lcurve = new StreamWriter(options.DispFile, append);
                if (!append) lcurve.WriteLine(Header());
            }
            for (var step = startStep; step < options.NumbSteps; step++)
            {
                var rate = lr.At(step);
                foreach (var g in adam.ParamGroups) g.LearningRate = rate;
                var (k, frames) = train.Next();
                var batch = _builder.Build(train.Systems[k], frames);
                var lossValue = TorchGcGuard.Run(() =>
                {
                    adam.zero_grad();
                    double value;
                    // Parameters, their grads and the Adam state live outside the scope; only this step's graph is freed.
                    using (NewDisposeScope())
                    {
                        var r = loss.Compute(model, batch, rate, lr.StartLr, training: true);
                        r.Loss.backward();
                        value = r.Loss.item<double>();
                    }
                    adam.step();
                    return value;
                });
                Losses.Add(lossValue);
                if (lcurve is not null && (step % options.DispFreq == 0 || step == options.NumbSteps - 1))
                {
                    var line = TorchGcGuard.Run(() => Line(step, rate, frames, k));
                    lcurve.WriteLine(line);
                    lcurve.Flush();
                }
                var done = step + 1;
                if (options.SaveFreq > 0 && done % options.SaveFreq == 0 && done < options.NumbSteps)
                {
                    if (options.SavePath is not null) ModelExporter.Save(model, options.SavePath);
                    SaveCheckpoint(adam, done);
                }
                progress?.Completed(step);
            }
        }
        finally
        {
            lcurve?.Dispose();
        }
        SaveCheckpoint(adam, options.NumbSteps);
        if (options.SavePath is not null)
        {
            ModelExporter.Save(model, options.SavePath, train.Systems); // the final model carries its training coverage
            log?.WriteLine($"saved {options.SavePath}");
        }
    }

    private void SaveCheckpoint(TorchSharp.Modules.Adam adam, int done)
    {
        if (options.CheckpointPrefix is null) return;
        var path = $"{options.CheckpointPrefix}-{done}.ckpt";
        TorchGcGuard.Run(() =>
        {
            new TrainingCheckpoint
            {
                Step = done, TrainDraws = train.Draws, ValidationDraws = validation?.Draws ?? 0,
                ModelSignature = model.Signature(),
            }.Save(path, model, adam);
            return 0;
        });
        foreach (var old in Checkpoints(options.CheckpointPrefix).SkipLast(options.MaxCheckpointKeep)) File.Delete(old.Path);
    }

    /// <summary>Existing <c>PREFIX-STEP.ckpt</c> files, oldest step first.</summary>
    private static List<(int Step, string Path)> Checkpoints(string prefix)
    {
        var full = Path.GetFullPath(prefix);
        var dir = Path.GetDirectoryName(full)!;
        var name = Path.GetFileName(full);
        if (!Directory.Exists(dir)) return [];
        var list = new List<(int, string)>();
        foreach (var f in Directory.EnumerateFiles(dir, name + "-*.ckpt"))
        {
            var middle = Path.GetFileName(f)[(name.Length + 1)..^5];
            if (int.TryParse(middle, NumberStyles.None, CultureInfo.InvariantCulture, out var step)) list.Add((step, f));
        }
        return list.OrderBy(x => x.Item1).ToList();
    }

    /// <summary>Drops the lcurve.out lines of steps at or after <paramref name="startStep"/> (written after the checkpoint).</summary>
    private static void TruncateLcurve(string path, int startStep)
    {
        if (!File.Exists(path)) return;
        var kept = File.ReadAllLines(path).Where(l =>
        {
            var t = l.TrimStart();
            if (t.StartsWith('#')) return true;
            var first = t.Split(' ', 2)[0];
            return int.TryParse(first, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) && s < startStep;
        }).ToArray();
        var tmp = path + ".tmp";
        File.WriteAllLines(tmp, kept);
        DurableFile.FlushAndMove(tmp, path);
    }

    private string Header()
    {
        var cols = new List<string> { "step" };
        var terms = Terms();
        if (validation is not null)
        {
            cols.Add("rmse_val");
            cols.Add("rmse_trn");
            foreach (var t in terms) { cols.Add($"rmse_{t}_val"); cols.Add($"rmse_{t}_trn"); }
        }
        else
        {
            cols.Add("rmse_trn");
            foreach (var t in terms) cols.Add($"rmse_{t}_trn");
        }
        cols.Add("lr");
        return "# " + cols[0].PadLeft(5) + string.Concat(cols.Skip(1).Select(c => " " + c.PadLeft(c == "lr" ? 10 : 11)));
    }

    private List<string> Terms()
    {
        var t = new List<string>();
        var s = train.Systems;
        if ((loss.StartPrefE != 0 || loss.LimitPrefE != 0) && s.Any(x => x.Energies is not null)) t.Add("e");
        if ((loss.StartPrefF != 0 || loss.LimitPrefF != 0) && s.Any(x => x.Forces is not null)) t.Add("f");
        if ((loss.StartPrefV != 0 || loss.LimitPrefV != 0) && s.Any(x => x.Virials is not null)) t.Add("v");
        return t;
    }

    private string Line(int step, double rate, int[] frames, int system)
    {
        var terms = Terms();
        using var scope = NewDisposeScope();
        var trn = loss.Compute(model, _builder.Build(train.Systems[system], frames), rate, lr.StartLr, training: false);
        var values = new List<double>();
        if (validation is not null)
        {
            var vals = new List<EnergyLoss.Result>();
            for (var b = 0; b < options.ValidationBatches; b++)
            {
                var (k, vf) = validation.Next();
                vals.Add(loss.Compute(model, _builder.Build(validation.Systems[k], vf), rate, lr.StartLr, training: false));
            }
            values.Add(vals.Average(v => v.Rmse));
            values.Add(trn.Rmse);
            foreach (var t in terms)
            {
                values.Add(vals.Average(v => Pick(v, t)));
                values.Add(Pick(trn, t));
            }
        }
        else
        {
            values.Add(trn.Rmse);
            foreach (var t in terms) values.Add(Pick(trn, t));
        }
        var inv = CultureInfo.InvariantCulture;
        return step.ToString(inv).PadLeft(7) + string.Concat(values.Select(v => " " + v.ToString("0.00e+00", inv).PadLeft(11)))
            + " " + rate.ToString("0.0e+00", inv).PadLeft(10);
    }

    private static double Pick(EnergyLoss.Result r, string term) => term switch { "e" => r.RmseE, "f" => r.RmseF, _ => r.RmseV };
}
