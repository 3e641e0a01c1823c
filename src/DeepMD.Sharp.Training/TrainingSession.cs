namespace DeepMD.Sharp.Training;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.IO.Datasets;
using DeepMD.Sharp.Training.Data;
using DeepMD.Sharp.Training.Input;
using DeepMD.Sharp.Training.Model;
using DeepMD.Sharp.Training.Optimization;

/// <summary>What <c>dpsharp train</c> does: read input.json and the data, initialise statistics, train, save.</summary>
public static class TrainingSession
{
    /// <summary>
    /// Trains from <paramref name="inputPath"/> and writes the model to <paramref name="outputPath"/>. With
    /// <paramref name="initModel"/> the weights, statistics and bias start from that model file; with
    /// <paramref name="finetune"/> they do too, and the energy bias is then shifted by least squares on the new data
    /// (DeePMD-kit's change-by-statistic). The input's type_map must equal the model's: se_e2_a cannot change it.
    /// </summary>
    /// <remarks>
    /// With <paramref name="restart"/> (a checkpoint file, or a save_ckpt prefix meaning its newest checkpoint) the
    /// run continues from that checkpoint: statistics and bias come from it, not from the data. Combined with
    /// <paramref name="initModel"/>/<paramref name="finetune"/>, those only define the model's shape, as in the run
    /// that wrote the checkpoint.
    /// </remarks>
    public static IEnergyModel Run(string inputPath, string outputPath, TextWriter log, string? initModel = null, string? finetune = null,
        string? restart = null, bool interactiveProgress = false)
    {
        if (initModel is not null && finetune is not null) throw new UserInputException("give either --init-model or --finetune, not both");
        var input = TrainingInput.Load(inputPath);
        TorchRuntime.Initialize();
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(inputPath))!;
        var train = Load(input.TrainingData, input.Model.TypeMap, baseDir, input.Seed, "training.training_data", inputPath);
        var validation = input.ValidationData is null ? null
            : Load(input.ValidationData, input.Model.TypeMap, baseDir, input.Seed + 1, "training.validation_data", inputPath);
        var config = input.Model;
        if (config.Sel.Length == 0)
        {
            config = config with { Sel = AutoSel(train.Systems, config.Rcut, config.TypeCount, input.Dpa1 is not null) };
            log.WriteLine($"sel \"auto\" -> [{string.Join(", ", config.Sel)}]");
        }
        var start = initModel ?? finetune;
        IEnergyModel model;
        // With a starting model its descriptor decides (the input's model section then supplies the type map and,
        // for DPA-1, descriptor.trainable).
        var startIsDpa1 = start is not null && IsDpa1File(start);
        if (start is not null && input.Dpa1 is not null && !startIsDpa1)
            throw new UserInputException($"the input describes a {input.Dpa1.DescriptorType} model, but {start} is not a DPA-1 model; " +
                                         "use an input whose descriptor matches the model's", inputPath);
        if (input.Dpa1 is not null || startIsDpa1)
        {
            var dpa1Input = input.Dpa1 ?? new Dpa1Config { TypeMap = config.TypeMap, Nsel = 0, Seed = config.Seed };
            model = StartDpa1(dpa1Input with { Nsel = config.Sel[0] }, start, finetune is not null, inputPath, log);
        }
        else if (start is not null)
        {
            var loaded = DeepMD.Sharp.Models.ModelLoader.Load(start);
            var sameMap = loaded.TypeMap.Names.SequenceEqual(config.TypeMap);
            if (!sameMap && finetune is null)
                throw new UserInputException(
                    $"model.type_map [{string.Join(", ", config.TypeMap)}] differs from the model's [{string.Join(", ", loaded.TypeMap.Names)}]; " +
                    "--init-model keeps the model's type map; use it, or --finetune to select and reorder types", inputPath);
            var seA = ModelImporter.FromModel(loaded, start, config.Seed);
            model = seA;
            log.WriteLine($"starting from {start} (its hyper-parameters replace the input's model section)");
            if (!sameMap)
            {
                var residual = TypeMapSelection.PaddingResidual(seA, config.TypeMap);
                model = TypeMapSelection.Select(seA, config.TypeMap, inputPath);
                log.WriteLine($"type map [{string.Join(", ", loaded.TypeMap.Names)}] -> [{string.Join(", ", config.TypeMap)}] (nets, statistics and bias selected and reordered)");
                if (residual > 0)
                    log.WriteLine($"note: the dropped types' neighbor blocks have |davg/dstd| up to {residual:G3}; their padding no longer contributes, " +
                                  "so energies change before fine-tuning (exact only for models trained with set_davg_zero)");
            }
        }
        else model = new SeAEnergyModel(config);
        var lr = new ExponentialLearningRate(input.StartLr, input.StopLr, input.DecaySteps, input.NumbSteps, input.DecayRate, input.SmoothLr);
        var options = new TrainerOptions
        {
            NumbSteps = input.NumbSteps, DispFreq = input.DispFreq, SaveFreq = input.SaveFreq, DispFile = input.DispFile,
            SavePath = outputPath, ValidationBatches = input.ValidationData?.NumbBatch ?? 1,
            CheckpointPrefix = input.SaveCkpt, MaxCheckpointKeep = input.MaxCkptKeep, InteractiveProgress = interactiveProgress,
        };
        log.WriteLine($"systems: {train.Systems.Count} training ({string.Join(", ", train.Systems.Select((s, k) => $"{s.Name}: {s.FrameCount} frames × {s.AtomCount} atoms, batch {train.BatchSizes[k]}"))})");
        var trainer = new Trainer(model, input.Loss, lr, train, validation, options, log);
        if (restart is not null)
        {
            trainer.Resume(Trainer.ResolveCheckpoint(restart));
            return model;
        }
        if (start is null) trainer.InitStatistics();
        else if (finetune is not null) trainer.ShiftEnergyBias();
        log.WriteLine($"energy bias per type: [{string.Join(", ", model.OutBias.Select(b => b.ToString("G8", System.Globalization.CultureInfo.InvariantCulture)))}] eV");
        log.WriteLine($"training {input.NumbSteps} steps, lr {input.StartLr:G3} -> {input.StopLr:G3} (decay every {lr.DecaySteps} steps by {lr.DecayRate:G6})");
        trainer.Run();
        return model;
    }

    private static bool IsDpa1File(string path) =>
        DeepMD.Sharp.Models.ModelLoader.Load(path).Descriptor is DeepMD.Sharp.Models.Descriptors.SeAttenSpec;

    /// <summary>
    /// A DPA-1 model: new from <paramref name="config"/>, or loaded from <paramref name="start"/> (its hyper-parameters
    /// replace the input's; the input's descriptor <c>trainable</c> decides whether the descriptor is trained), its types
    /// selected by name for fine-tuning.
    /// </summary>
    private static Dpa1EnergyModel StartDpa1(Dpa1Config config, string? start, bool finetune, string inputPath, TextWriter log)
    {
        if (start is null)
        {
            var fresh = new Dpa1EnergyModel(config);
            log.WriteLine($"{config.DescriptorType}: sel {config.Nsel}, neuron [{string.Join(", ", config.Neuron)}], axis {config.AxisNeuron}, " +
                          $"tebd_dim {config.TebdDim} ({(config.Strip ? "strip" : "concat")}), attention {config.AttnLayer} × {config.Attn}, " +
                          $"fitting [{string.Join(", ", config.FittingNeuron)}]; {fresh.Parameters().Sum(p => p.numel())} trainable weights");
            return fresh;
        }
        var loaded = DeepMD.Sharp.Models.ModelLoader.Load(start);
        var sameMap = loaded.TypeMap.Names.SequenceEqual(config.TypeMap);
        if (!sameMap && !finetune)
            throw new UserInputException(
                $"model.type_map [{string.Join(", ", config.TypeMap)}] differs from the model's [{string.Join(", ", loaded.TypeMap.Names)}]; " +
                "--init-model keeps the model's type map; use it, or --finetune to select and reorder types", inputPath);
        var model = Dpa1Importer.FromModel(loaded, start, config.Seed, config.DescriptorTrainable);
        log.WriteLine($"starting from {start} (its hyper-parameters replace the input's model section; descriptor " +
                      (config.DescriptorTrainable ? "trained" : "frozen: descriptor.trainable is false") + ")");
        if (!sameMap)
        {
            model = Dpa1Importer.Select(model, config.TypeMap, inputPath);
            log.WriteLine($"type map [{string.Join(", ", loaded.TypeMap.Names)}] -> [{string.Join(", ", config.TypeMap)}] (type embedding rows, statistics and bias selected)");
        }
        return model;
    }

    /// <summary>
    /// <c>dpsharp freeze</c>: the model of a checkpoint (a file, or a save_ckpt prefix meaning its newest checkpoint;
    /// default input.json's save_ckpt) written as a model file, as <c>dp freeze</c> does. The model's shape comes from
    /// <paramref name="inputPath"/> (for --init-model/--finetune runs use the model train writes); min_nbor_dist is
    /// computed from its training data. Returns the checkpoint's step.
    /// </summary>
    public static int Freeze(string inputPath, string? checkpoint, string outputPath, TextWriter log)
    {
        var input = TrainingInput.Load(inputPath);
        TorchRuntime.Initialize();
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(inputPath))!;
        var train = Load(input.TrainingData, input.Model.TypeMap, baseDir, input.Seed, "training.training_data", inputPath);
        var config = input.Model;
        if (config.Sel.Length == 0) config = config with { Sel = AutoSel(train.Systems, config.Rcut, config.TypeCount, input.Dpa1 is not null) };
        IEnergyModel model = input.Dpa1 is { } dpa1 ? new Dpa1EnergyModel(dpa1 with { Nsel = config.Sel[0] }) : new SeAEnergyModel(config);
        var path = Trainer.ResolveCheckpoint(checkpoint ?? input.SaveCkpt);
        var (ckpt, optimizerState) = Checkpoints.TrainingCheckpoint.Load(path, model);
        File.Delete(optimizerState);
        model.MinNborDist = Trainer.MinNeighborDistance(train.Systems, config.Rcut);
        ModelExporter.Save(model, outputPath, train.Systems);
        log.WriteLine($"froze {path} (step {ckpt.Step}) -> {outputPath}");
        return ckpt.Step;
    }

    private static TrainingDataSet Load(DataSection data, string[] typeMap, string baseDir, int seed, string key, string file)
    {
        var specs = data.Systems.Select(s => Resolve(s, baseDir)).ToArray();
        var systems = TrainingDataSet.Load(specs, typeMap);
        var sizes = systems.Select((s, k) =>
            TrainingDataSet.ResolveBatchSize(data.BatchSizes.Length == 1 ? data.BatchSizes[0] : data.BatchSizes[k], s.AtomCount, $"{file}: {key}.batch_size")).ToArray();
        if (systems.Any(s => s.Energies is null && s.Forces is null))
            throw new UserInputException($"{key}: system '{systems.First(s => s.Energies is null && s.Forces is null).Name}' has neither energy.npy nor force.npy labels", file);
        return new TrainingDataSet(systems, sizes, seed);
    }

    /// <summary>Relative system paths are taken from the working directory (as DeePMD-kit does), else from input.json's folder.</summary>
    private static string Resolve(string spec, string baseDir)
    {
        var file = spec.Split('#')[0];
        if (Path.IsPathRooted(file) || Directory.Exists(file) || File.Exists(file)) return spec;
        return Path.Combine(baseDir, spec);
    }

    /// <summary>
    /// DeePMD-kit's sel "auto": 1.1 × the largest neighbor count per type, rounded up to a multiple of 4; with
    /// <paramref name="mixed"/> (se_atten) one entry from the largest count over all types.
    /// </summary>
    public static int[] AutoSel(IReadOnlyList<DeepmdSystem> systems, double rcut, int typeCount, bool mixed = false)
    {
        if (mixed) typeCount = 1;
        var max = new int[typeCount];
        foreach (var s in systems)
        {
            var n = s.AtomCount;
            for (var f = 0; f < Math.Min(s.FrameCount, 20); f++)
            {
                var x = Enumerable.Range(0, n).Select(i => s.Coords[(f * n + i) * 3]).ToArray();
                var y = Enumerable.Range(0, n).Select(i => s.Coords[(f * n + i) * 3 + 1]).ToArray();
                var z = Enumerable.Range(0, n).Select(i => s.Coords[(f * n + i) * 3 + 2]).ToArray();
                var list = CellListNeighborSearch.Build(x, y, z, s.Boxes is null ? null : new Box(s.Boxes.AsSpan(f * 9, 9)), rcut);
                var counts = new int[typeCount];
                for (var i = 0; i < n; i++)
                {
                    Array.Clear(counts);
                    for (var e = list.Offsets[i]; e < list.Offsets[i + 1]; e++)
                        if (list.Dx[e] * list.Dx[e] + list.Dy[e] * list.Dy[e] + list.Dz[e] * list.Dz[e] <= rcut * rcut) counts[mixed ? 0 : s.Types[list.Owner[e]]]++;
                    for (var t = 0; t < typeCount; t++) max[t] = Math.Max(max[t], counts[t]);
                }
            }
        }
        return max.Select(m => Math.Max(4, (int)Math.Ceiling(m * 1.1 / 4) * 4)).ToArray();
    }
}
