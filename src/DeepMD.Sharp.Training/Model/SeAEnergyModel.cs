namespace DeepMD.Sharp.Training.Model;

using DeepMD.Sharp.Training.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// The se_e2_a descriptor + energy fitting model in TorchSharp, float64, with DeePMD-kit's parameter layout
/// (notes §1): padded slots are normalised too, the descriptor is divided by Σ sel, net (ti, tt) is index ti + ntypes·tt.
/// Forces come from autograd so they can enter the loss (double backward).
/// </summary>
public sealed class SeAEnergyModel : IEnergyModel
{
    /// <summary>Creates a model with random weights, davg = 0, dstd = 1 and zero energy bias.</summary>
    public SeAEnergyModel(SeAModelConfig config)
    {
        Config = config;
        var nt = config.TypeCount;
        var g = new Generator((ulong)config.Seed);
        var netCount = config.TypeOneSide ? nt : nt * nt;
        Embeddings = new TrainableNetwork[netCount];
        for (var k = 0; k < netCount; k++)
            Embeddings[k] = TrainableNetwork.Embedding(1, config.Neuron, config.DescriptorActivation, config.DescriptorResnetDt, g);
        var dim = config.DescriptorWidth;
        Fittings = new TrainableNetwork[nt];
        for (var t = 0; t < nt; t++)
            Fittings[t] = TrainableNetwork.Fitting(dim, config.FittingNeuron, config.FittingActivation, config.FittingResnetDt, g);
        Davg = new double[nt * config.SlotCount * config.EnvColumns];
        Dstd = Enumerable.Repeat(1.0, nt * config.SlotCount * config.EnvColumns).ToArray();
        OutBias = new double[nt];
    }

    /// <summary>The hyper-parameters.</summary>
    public SeAModelConfig Config { get; }

    /// <summary>Embedding nets in NetworkCollection order (per neighbor type, or index ti + ntypes·tt).</summary>
    public TrainableNetwork[] Embeddings { get; }

    /// <summary>Fitting nets per center type.</summary>
    public TrainableNetwork[] Fittings { get; }

    /// <summary>Environment-matrix mean, [type][slot][4].</summary>
    public double[] Davg { get; set; }

    /// <summary>Environment-matrix std, [type][slot][4].</summary>
    public double[] Dstd { get; set; }

    /// <summary>
    /// Smallest interatomic distance in the training data, Å (DeePMD-kit's neighbor statistics), exported as
    /// <c>@variables/min_nbor_dist</c> so that compression needs no flag; null until training has seen data.
    /// </summary>
    public double? MinNborDist { get; set; }

    /// <summary>Per-type energy bias added to every atom's energy, eV (exported as out_bias).</summary>
    public double[] OutBias { get; set; }

    /// <summary>All trainable tensors.</summary>
    public IEnumerable<Parameter> Parameters() => Embeddings.SelectMany(n => n.Parameters()).Concat(Fittings.SelectMany(n => n.Parameters()));

    /// <inheritdoc />
    public IEnumerable<Parameter> AllParameters() => Parameters();

    string[] IEnergyModel.TypeMap => Config.TypeMap;

    double IEnergyModel.Rcut => Config.Rcut;

    int[] IEnergyModel.Sel => Config.Sel;

    bool IEnergyModel.MixedTypes => false;

    int IEnergyModel.DataStatNBatch => Config.DataStatNBatch;

    /// <inheritdoc />
    public void InitDescriptorStatistics(IReadOnlyList<FrameBatch> batches) => Statistics.InitDescriptor(this, batches);

    /// <inheritdoc />
    public string Signature() => Checkpoints.TrainingCheckpoint.Signature(Config);

    /// <inheritdoc />
    public Dictionary<string, object?> ToTree() => ModelExporter.ToTree(this);

    /// <summary>The graph of one batch: frame energies and the tensors forces/virials are taken against.</summary>
    public sealed record Output(Tensor Energy, Tensor AtomEnergy, Tensor Coords, Tensor Displacements);

    /// <summary>Runs the model on <paramref name="batch"/>; coordinates require grad so forces can be derived.</summary>
    public Output Forward(FrameBatch batch) => TorchGcGuard.Run(() => ForwardUnguarded(batch));

    private Output ForwardUnguarded(FrameBatch batch)
    {
        var c = Config;
        var nt = c.TypeCount;
        var nA = batch.FrameCount * batch.AtomCount;
        var nnei = batch.SlotCount;
        var coords = tensor(batch.Coords).reshape(nA, 3).requires_grad_(true);
        var nbr = tensor(batch.Neighbor);
        var shift = tensor(batch.Shift).reshape(nA, nnei, 3);
        var mask = tensor(batch.Mask).reshape(nA, nnei, 1);
        var types = tensor(batch.Types);
        var xj = coords.index_select(0, nbr).reshape(nA, nnei, 3);
        var d = xj - coords.unsqueeze(1) + shift;
        var r = d.pow(2).sum(-1, keepdim: true).sqrt();
        var u = ((r - c.RcutSmooth) / (c.Rcut - c.RcutSmooth)).clamp(0.0, 1.0);
        var w = u.pow(3) * (-6 * u.pow(2) + 15 * u - 10) + 1;
        var cols = c.EnvColumns;
        var env = (c.Radial ? w / r : cat([w / r, w * d / r.pow(2)], -1)) * mask;
        var davg = tensor(Davg).reshape(nt, nnei, cols).index_select(0, types);
        var dstd = tensor(Dstd).reshape(nt, nnei, cols).index_select(0, types);
        var rt = (env - davg) / dstd;

        var frameOf = tensor(batch.FrameOfAtom());
        var atomEnergy = zeros(nA, dtype: float64);
        var offsets = new int[nt + 1];
        for (var t = 0; t < nt; t++) offsets[t + 1] = offsets[t] + c.Sel[t];
        for (var ti = 0; ti < nt; ti++)
        {
            var centers = Enumerable.Range(0, nA).Where(k => batch.Types[k] == ti).Select(k => (long)k).ToArray();
            if (centers.Length == 0) continue;
            var idx = tensor(centers);
            var rti = rt.index_select(0, idx);
            Tensor? tMat = null;
            for (var tt = 0; tt < nt; tt++)
            {
                if (c.Sel[tt] == 0) continue;
                var block = rti.narrow(1, offsets[tt], c.Sel[tt]);
                var net = Embeddings[c.TypeOneSide ? tt : ti + nt * tt];
                var gmat = net.Forward(block.narrow(2, 0, 1));
                // se_e2_r: Σ over the block's slots of G; se_e2_a: T += Gᵀ R̃.
                var part = c.Radial ? gmat.sum(1) : matmul(gmat.transpose(1, 2), block);
                tMat = tMat is null ? part : tMat + part;
            }
            tMat = tMat! / nnei;
            Tensor desc;
            if (c.Radial)
                desc = tMat * DeepMD.Sharp.Models.Descriptors.SeE2RSpec.ResultRescale;
            else
            {
                var tLess = tMat.narrow(1, 0, c.AxisNeuron);
                desc = matmul(tMat, tLess.transpose(1, 2)).reshape(centers.Length, -1);
            }
            var e = Fittings[ti].Forward(desc).squeeze(-1) + OutBias[ti];
            atomEnergy = atomEnergy.index_add(0, idx, e, 1.0);
        }
        var energy = zeros(batch.FrameCount, dtype: float64).index_add(0, frameOf, atomEnergy, 1.0);
        return new Output(energy, atomEnergy, coords, d);
    }

    /// <summary>Forces −∂E/∂x, [frame·atom, 3]; with <paramref name="createGraph"/> they can be differentiated again.</summary>
    public static Tensor Forces(Output o, bool createGraph) =>
        -autograd.grad([o.Energy.sum()], [o.Coords], retain_graph: true, create_graph: createGraph)[0];

    /// <summary>Frame virials +Σ x⊗F = −Σ_pairs ∂E/∂d ⊗ d, [frame, 9].</summary>
    public static Tensor Virials(Output o, FrameBatch batch, bool createGraph)
    {
        var g = autograd.grad([o.Energy.sum()], [o.Displacements], retain_graph: true, create_graph: createGraph)[0];
        var perAtom = -(g.unsqueeze(-1) * o.Displacements.unsqueeze(-2)).sum(1).reshape(-1, 9);
        return zeros(batch.FrameCount, 9, dtype: float64).index_add(0, tensor(batch.FrameOfAtom()), perAtom, 1.0);
    }
}
