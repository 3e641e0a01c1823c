namespace DeepMD.Sharp.Training.Checkpoints;

using DeepMD.Sharp.Core.Files;
using System.IO.Compression;
using System.Text.Json;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Training.Model;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// Everything needed to continue a training run exactly: the model's trainable tensors and statistics, the Adam
/// state, the number of completed steps (which fixes the learning-rate and loss-prefactor position) and the number of
/// batches drawn from the training and validation sets (the sampler is re-seeded and replayed to that point).
/// Stored as a zip archive: <c>state.json</c>, <c>model.bin</c> (raw float64 tensors), <c>optimizer.bin</c>
/// (TorchSharp's optimizer state dict).
/// </summary>
public sealed record TrainingCheckpoint
{
    /// <summary>Version of the layout written here.</summary>
    public const int FormatVersion = 1;

    /// <summary>Completed optimizer steps; training continues at this step index.</summary>
    public required int Step { get; init; }

    /// <summary>Batches drawn from the training set so far.</summary>
    public required long TrainDraws { get; init; }

    /// <summary>Batches drawn from the validation set so far.</summary>
    public required long ValidationDraws { get; init; }

    /// <summary>Model description (type map, sel, widths) the tensors belong to, checked on load.</summary>
    public required string ModelSignature { get; init; }

    /// <summary>The signature of a model's shape-defining hyper-parameters.</summary>
    public static string Signature(SeAModelConfig c) =>
        $"se_e2_a type_map=[{string.Join(",", c.TypeMap)}] sel=[{string.Join(",", c.Sel)}] rcut={c.Rcut:R} rcut_smth={c.RcutSmooth:R} " +
        (c.Radial ? "se_e2_r " : "") + $"neuron=[{string.Join(",", c.Neuron)}] axis={c.AxisNeuron} one_side={c.TypeOneSide} fitting=[{string.Join(",", c.FittingNeuron)}]";

    /// <summary>Writes the checkpoint to <paramref name="path"/> through a temporary file and a rename.</summary>
    public void Save(string path, IEnergyModel model, TorchSharp.Modules.Adam optimizer)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.tmp{Environment.ProcessId}");
        var optTmp = tmp + ".opt";
        try
        {
            optimizer.save_state_dict(optTmp);
            using (var stream = File.Create(tmp))
            using (var zip = new ZipArchive(stream, ZipArchiveMode.Create))
            {
                using (var s = zip.CreateEntry("state.json").Open())
                    JsonSerializer.Serialize(s, new StateJson(FormatVersion, Step, TrainDraws, ValidationDraws, ModelSignature));
                using (var s = zip.CreateEntry("model.bin").Open())
                    WriteModel(s, model);
                using (var s = zip.CreateEntry("optimizer.bin").Open())
                using (var o = File.OpenRead(optTmp))
                    o.CopyTo(s);
            }
            DurableFile.FlushAndMove(tmp, full);
        }
        finally
        {
            File.Delete(optTmp);
            File.Delete(tmp);
        }
    }

    /// <summary>
    /// Reads a checkpoint, copies its tensors and statistics into <paramref name="model"/> (which must have the same
    /// hyper-parameters) and returns the checkpoint with the path of the optimizer state extracted to a temporary file
    /// (<see cref="RestoreOptimizer"/> loads and deletes it).
    /// </summary>
    public static (TrainingCheckpoint Checkpoint, string OptimizerStateFile) Load(string path, IEnergyModel model)
    {
        if (!File.Exists(path)) throw new UserInputException($"checkpoint '{path}' does not exist");
        try
        {
            using var zip = ZipFile.OpenRead(path);
            StateJson state;
            using (var s = Entry(zip, "state.json", path).Open())
                state = JsonSerializer.Deserialize<StateJson>(s) ?? throw new UserInputException("state.json is empty", path);
            if (state.Format != FormatVersion)
                throw new UserInputException($"checkpoint format {state.Format} is not supported (this build reads {FormatVersion})", path);
            var expected = model.Signature();
            if (state.Model != expected)
                throw new UserInputException($"the checkpoint holds a different model ({state.Model}) than input.json describes ({expected})", path);
            using (var s = Entry(zip, "model.bin", path).Open())
                ReadModel(s, model, path);
            var opt = Path.Combine(Path.GetTempPath(), $"dpsharp-opt-{Guid.NewGuid():N}.bin");
            Entry(zip, "optimizer.bin", path).ExtractToFile(opt);
            return (new TrainingCheckpoint
            {
                Step = state.Step, TrainDraws = state.TrainDraws, ValidationDraws = state.ValidationDraws, ModelSignature = state.Model,
            }, opt);
        }
        catch (InvalidDataException e)
        {
            throw new UserInputException($"'{path}' is not a dpsharp checkpoint ({e.Message})");
        }
    }

    /// <summary>Loads the optimizer state written by <see cref="Save"/> and deletes the temporary file.</summary>
    public static void RestoreOptimizer(TorchSharp.Modules.Adam optimizer, string optimizerStateFile)
    {
        try
        {
            optimizer.load_state_dict(optimizerStateFile);
        }
        finally
        {
            File.Delete(optimizerStateFile);
        }
    }

    private static ZipArchiveEntry Entry(ZipArchive zip, string name, string path) =>
        zip.GetEntry(name) ?? throw new UserInputException($"the checkpoint has no {name}", path);

    private static void WriteModel(Stream s, IEnergyModel model)
    {
        using var w = new BinaryWriter(s);
        var ps = model.AllParameters().ToList();
        w.Write(ps.Count);
        foreach (var p in ps)
        {
            using var d = p.detach().contiguous();
            WriteArray(w, d.data<double>().ToArray());
        }
        WriteArray(w, model.Davg);
        WriteArray(w, model.Dstd);
        WriteArray(w, model.OutBias);
    }

    private static void ReadModel(Stream s, IEnergyModel model, string path)
    {
        using var r = new BinaryReader(s);
        var ps = model.AllParameters().ToList();
        if (r.ReadInt32() != ps.Count) throw new UserInputException("the checkpoint's parameter count differs from the model's", path);
        using (no_grad())
        {
            foreach (var p in ps)
            {
                var values = ReadArray(r);
                if (values.Length != p.numel()) throw new UserInputException("a checkpoint tensor has the wrong size", path);
                using var t = tensor(values, dtype: float64).reshape(p.shape);
                p.copy_(t);
            }
        }
        model.Davg = ReadArray(r);
        model.Dstd = ReadArray(r);
        model.OutBias = ReadArray(r);
    }

    private static void WriteArray(BinaryWriter w, double[] values)
    {
        w.Write(values.Length);
        foreach (var v in values) w.Write(v);
    }

    private static double[] ReadArray(BinaryReader r)
    {
        var n = r.ReadInt32();
        var values = new double[n];
        for (var k = 0; k < n; k++) values[k] = r.ReadDouble();
        return values;
    }

    private sealed record StateJson(int Format, int Step, long TrainDraws, long ValidationDraws, string Model);
}
