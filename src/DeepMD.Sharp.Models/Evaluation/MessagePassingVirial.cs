namespace DeepMD.Sharp.Models.Evaluation;

using DeepMD.Sharp.Core.Neighbors;
using static Tape;

/// <summary>
/// DeePMD-kit's per-atom virial for message-passing descriptors (DPA-2, DPA-3) evaluated on a <see cref="Tape"/>: what to
/// add to the pair form. With H_e = Σ_i ∂e_i/∂d_e ⊗ (x_c − x_i) for entry e of center c (x the wrapped positions),
/// DeePMD-kit's w_o is the pair form − Σ_{e naming o} H_e + Σ_{e of center o} H_e. The sum over i weighted by positions
/// is three more backward passes, seeded with x_i,b · ∂e_i/∂descriptor_i.
/// </summary>
internal static class MessagePassingVirial
{
    /// <summary>The correction ([nall][9]), or null without <see cref="EvaluationOptions.AtomPositions"/>.</summary>
    public static double[]? AtomVirialCorrection(Tape tape, Var d, Var output, int ds, int[] types, NeighborList nl, double[] descriptorGrad,
        double[] gx, double[] gy, double[] gz, EvaluationOptions options)
    {
        if (options.AtomPositions is not { } pos) return null;
        var nloc = nl.CenterCount;
        var entries = nl.EntryCount;
        var weighted = new double[entries * 9]; // Σ_i ∂e_i/∂d_e,a · x_i,b at 9e + 3a + b
        double[][] coords = [pos.X, pos.Y, pos.Z];
        var seed = new double[nloc * ds];
        for (var b = 0; b < 3; b++)
        {
            tape.ZeroGradients();
            for (var i = 0; i < nloc; i++)
                for (var k = 0; k < ds; k++) seed[i * ds + k] = coords[b][i] * descriptorGrad[i * ds + k];
            tape.Backward(output, seed);
            var g = d.G!;
            for (var e = 0; e < entries; e++)
                for (var a = 0; a < 3; a++) weighted[9 * e + 3 * a + b] = g[3 * e + a];
        }
        var correction = new double[types.Length * 9];
        for (var c = 0; c < nloc; c++)
        {
            double[] xc = [pos.X[c], pos.Y[c], pos.Z[c]];
            for (var e = nl.Offsets[c]; e < nl.Offsets[c + 1]; e++)
            {
                double[] ge = [gx[e], gy[e], gz[e]];
                var o = nl.Owner[e];
                for (var a = 0; a < 3; a++)
                    for (var b = 0; b < 3; b++)
                    {
                        var h = ge[a] * xc[b] - weighted[9 * e + 3 * a + b];
                        correction[9 * o + 3 * a + b] -= h;
                        correction[9 * c + 3 * a + b] += h;
                    }
            }
        }
        return correction;
    }
}
