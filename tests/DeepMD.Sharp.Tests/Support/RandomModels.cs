namespace DeepMD.Sharp.Tests.Support;

using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Descriptors;
using DeepMD.Sharp.Models.Fitting;
using DeepMD.Sharp.Models.Networks;

/// <summary>Small models with random weights for physics checks (finite differences, invariances).</summary>
public static class RandomModels
{
    public static NeuralNetwork Net(Random rng, int input, int[] widths, string act, bool timestep, bool finalLinear, double scale = 0.5)
    {
        var layers = new List<DenseLayer>();
        var n = input;
        foreach (var m in widths)
        {
            var idt = timestep && (m == n || m == 2 * n) ? Fill(rng, m, 0.1, 0.2) : null;
            layers.Add(new DenseLayer(n, m, Fill(rng, n * m, scale / Math.Sqrt(n)), Fill(rng, m, 0.3), idt, Activation.Parse(act), resnet: true));
            n = m;
        }
        if (finalLinear) layers.Add(new DenseLayer(n, 1, Fill(rng, n, 0.5 / Math.Sqrt(n)), Fill(rng, 1, 0.1), null, Activation.Linear, false));
        return new NeuralNetwork(layers);
    }

    public static double[] Fill(Random rng, int n, double scale, double offset = 0)
    {
        var a = new double[n];
        for (var i = 0; i < n; i++) a[i] = offset + scale * (2 * rng.NextDouble() - 1);
        return a;
    }

    private static int[] SelStarts(int[] sel)
    {
        var starts = new int[sel.Length];
        for (var t = 1; t < sel.Length; t++) starts[t] = starts[t - 1] + sel[t - 1];
        return starts;
    }

    /// <summary>A random se_e2_a (or se_e2_r) model over <paramref name="types"/>.</summary>
    public static DeepPotModel Create(int seed, string descriptor = "se_e2_a", string[]? types = null, bool typeOneSide = true,
        (int, int)[]? excludeTypes = null, int[]? sel = null, double rcut = 4.0, double rcutSmooth = 1.0, string act = "tanh",
        (int, int)[]? pairExclude = null, int[]? atomExclude = null, bool uniformStats = false)
    {
        var rng = new Random(seed);
        types ??= ["O", "H"];
        var nt = types.Length;
        sel ??= Enumerable.Repeat(30, nt).ToArray();
        var nnei = sel.Sum();
        int[] neuron = [2, 4, 8];
        var comps = descriptor == "se_e2_a" ? 4 : 1;
        var davg = new double[nt * nnei * comps];
        var dstd = new double[nt * nnei * comps];
        for (var t = 0; t < nt; t++)
        {
            var mu = 0.05 + 0.05 * rng.NextDouble();
            for (var k = 0; k < nnei; k++)
            {
                // Vary per slot a little, to exercise the full stored tensor; the angular mean is zero and the three
                // angular stds are equal, as in DeePMD-kit's statistics (otherwise rotations would change the energy).
                // With uniformStats every slot of a type block gets the same numbers, as DeePMD-kit's statistics give.
                var b = (t * nnei + k) * comps;
                var slotRng = uniformStats ? new Random(seed * 1000 + t * 100 + Array.FindLastIndex(SelStarts(sel), st => st <= k)) : rng;
                davg[b] = mu + 0.01 * slotRng.NextDouble();
                dstd[b] = 0.1 + 0.1 * slotRng.NextDouble();
                var sa = 0.1 + 0.1 * slotRng.NextDouble();
                for (var c = 1; c < comps; c++) dstd[b + c] = sa;
            }
        }
        var nEmb = typeOneSide ? nt : nt * nt;
        var emb = new NeuralNetwork?[nEmb];
        for (var k = 0; k < nEmb; k++) emb[k] = Net(rng, 1, neuron, act, timestep: true, finalLinear: false, scale: 1.0);
        DescriptorSpec desc = descriptor == "se_e2_a"
            ? new SeE2ASpec(nt, rcut, rcutSmooth, sel, 0, neuron, 4, typeOneSide, excludeTypes ?? [], davg, dstd, emb, "float64")
            : new SeE2RSpec(nt, rcut, rcutSmooth, sel, 0, neuron, typeOneSide, excludeTypes ?? [], davg, dstd, emb, "float64");
        var fnets = new NeuralNetwork?[nt];
        for (var t = 0; t < nt; t++) fnets[t] = Net(rng, desc.OutputSize, [6, 6], act, timestep: true, finalLinear: true, scale: 2.0);
        var fitting = new EnergyFittingSpec(nt, desc.OutputSize, fnets, false, Fill(rng, nt, 1.0), 0, 0, null, null, null, null, null, null, false, [], "float64");
        return new DeepPotModel(new TypeMap(types), desc, fitting, Fill(rng, nt, 0.5), atomExclude ?? [], pairExclude ?? []);
    }
}
