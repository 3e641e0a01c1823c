namespace DeepMD.Sharp.Electrolytes;

using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Descriptors;
using DeepMD.Sharp.Models.Fitting;
using DeepMD.Sharp.Models.Networks;

/// <summary>
/// A small se_e2_a model over Li, B, N, P, S, F, C, O, H (every element of <see cref="MoleculeLibrary"/>) with random weights, for checking that the screening pipeline runs
/// (it is not trained on anything: its energies and forces mean nothing physically). Reproducible from the seed.
/// </summary>
public static class PipelineCheckModel
{
    public static readonly string[] TypeMap = ["Li", "B", "N", "P", "S", "F", "C", "O", "H"];

    /// <summary>rcut 4 Å, rcut_smth 0.5 Å, embedding [4, 8], axis 4, fitting [8, 8], tanh, float64.</summary>
    public static DeepPotModel Create(int seed = 1, double energyScale = 0.05)
    {
        var rng = new Random(seed);
        var nt = TypeMap.Length;
        int[] sel = [16, 8, 8, 8, 8, 48, 40, 40, 64];
        var nnei = sel.Sum();
        int[] neuron = [4, 8];
        var davg = new double[nt * nnei * 4];
        var dstd = new double[nt * nnei * 4];
        for (var k = 0; k < nt * nnei; k++)
        {
            davg[4 * k] = 0.05;
            dstd[4 * k] = 0.2;
            for (var c = 1; c < 4; c++) dstd[4 * k + c] = 0.15;
        }
        var emb = new NeuralNetwork?[nt];
        for (var t = 0; t < nt; t++) emb[t] = Net(rng, 1, neuron, 1.0, final: false);
        var desc = new SeE2ASpec(nt, 4.0, 0.5, sel, 0, neuron, 4, true, [], davg, dstd, emb, "float64");
        var fit = new NeuralNetwork?[nt];
        for (var t = 0; t < nt; t++) fit[t] = Net(rng, desc.OutputSize, [8, 8], energyScale, final: true);
        var fitting = new EnergyFittingSpec(nt, desc.OutputSize, fit, false, new double[nt], 0, 0, null, null, null, null, null, null, false, [], "float64");
        return new DeepPotModel(new TypeMap(TypeMap), desc, fitting, new double[nt], [], []);
    }

    private static NeuralNetwork Net(Random rng, int input, int[] widths, double scale, bool final)
    {
        var layers = new List<DenseLayer>();
        var n = input;
        foreach (var m in widths)
        {
            layers.Add(new DenseLayer(n, m, Fill(rng, n * m, 1.0 / Math.Sqrt(n)), Fill(rng, m, 0.3), null, Activation.Parse("tanh"), resnet: true));
            n = m;
        }
        if (final) layers.Add(new DenseLayer(n, 1, Fill(rng, n, scale / Math.Sqrt(n)), new double[1], null, Activation.Linear, false));
        return new NeuralNetwork(layers);
    }

    private static double[] Fill(Random rng, int n, double scale)
    {
        var a = new double[n];
        for (var i = 0; i < n; i++) a[i] = scale * (2 * rng.NextDouble() - 1);
        return a;
    }
}
