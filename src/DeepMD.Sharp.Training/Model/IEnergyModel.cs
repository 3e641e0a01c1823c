namespace DeepMD.Sharp.Training.Model;

using DeepMD.Sharp.Training.Data;
using TorchSharp.Modules;

/// <summary>
/// What the trainer, the loss, checkpoints and the exporter need of a trainable energy model (se_e2_a/se_e2_r:
/// <see cref="SeAEnergyModel"/>; DPA-1: <see cref="Dpa1EnergyModel"/>).
/// </summary>
public interface IEnergyModel
{
    /// <summary>Element names; the model's type indices.</summary>
    string[] TypeMap { get; }

    /// <summary>Cutoff radius, Å.</summary>
    double Rcut { get; }

    /// <summary>Slots per neighbor type (type-blocked models) or one entry Σsel (mixed types).</summary>
    int[] Sel { get; }

    /// <summary>Whether neighbor slots are one block of the nearest Σsel neighbors whatever their type (DPA-1).</summary>
    bool MixedTypes { get; }

    /// <summary>Frames per system for statistics (data_stat_nbatch batches).</summary>
    int DataStatNBatch { get; }

    /// <summary>Environment-matrix mean, [type][slot][columns].</summary>
    double[] Davg { get; set; }

    /// <summary>Environment-matrix std, [type][slot][columns].</summary>
    double[] Dstd { get; set; }

    /// <summary>Per-type energy bias, eV (exported as out_bias).</summary>
    double[] OutBias { get; set; }

    /// <summary>Smallest neighbor distance of the training data, Å, or null.</summary>
    double? MinNborDist { get; set; }

    /// <summary>The tensors the optimizer updates (a frozen descriptor's are left out).</summary>
    IEnumerable<Parameter> Parameters();

    /// <summary>Every weight tensor, trainable or not, in a fixed order (checkpoints).</summary>
    IEnumerable<Parameter> AllParameters();

    /// <summary>The graph of one batch.</summary>
    SeAEnergyModel.Output Forward(FrameBatch batch);

    /// <summary>Sets davg/dstd from the raw environment matrices of <paramref name="batches"/>.</summary>
    void InitDescriptorStatistics(IReadOnlyList<FrameBatch> batches);

    /// <summary>The shape-defining hyper-parameters as one string (checked when a checkpoint is loaded).</summary>
    string Signature();

    /// <summary>DeePMD-kit's backend-neutral model dict of this model.</summary>
    Dictionary<string, object?> ToTree();
}
