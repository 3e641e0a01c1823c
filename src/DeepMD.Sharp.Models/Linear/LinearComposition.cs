namespace DeepMD.Sharp.Models.Linear;

/// <summary>Which of DeePMD-kit's composite energy models.</summary>
public enum LinearKind
{
    /// <summary><c>linear_ener</c> (written as <c>linear</c>): constant weights ("sum", "mean" or one per sub-model).</summary>
    Linear,

    /// <summary><c>zbl</c>: DP and pair table mixed per atom by a switch of the softmin neighbor distance.</summary>
    Zbl,
}

/// <summary>
/// A DP model and a pair table combined as DeePMD-kit's LinearEnergyAtomicModel / DPZBLLinearEnergyAtomicModel do:
/// E_i = w_DP,i e_i^DP + w_tab,i e_i^tab + out_bias[t_i], with e_i^tab = ½ Σ_j E_tab(r_ij). For <see cref="LinearKind.Zbl"/>
/// w_tab,i = s(σ_i) (1 below sw_rmin, 0 from sw_rmax, 1 − 10u³ + 15u⁴ − 6u⁵ between) and w_DP,i = 1 − s, where σ_i is the
/// softmin Σ r e^{−r/α} / Σ e^{−r/α} over the neighbors of atom i. docs/zbl-and-linear-models.md.
/// </summary>
public sealed record LinearComposition
{
    public required LinearKind Kind { get; init; }

    /// <summary>The DP sub-model as DeePMD-kit's linear model runs it: no out_bias of its own, no model-level pair exclusions.</summary>
    public required DeepPotModel DpPart { get; init; }

    public required PairTable PairTable { get; init; }

    /// <summary>The pair-table sub-model's sel (a neighbor count, not per type).</summary>
    public required int TableSel { get; init; }

    /// <summary>Position of the DP part in the file's <c>models</c> list (0 or 1); the table is the other.</summary>
    public int DpIndex { get; init; }

    /// <summary>Constant weights (DP, table) of a <see cref="LinearKind.Linear"/> model.</summary>
    public double DpWeight { get; init; } = 1;

    public double TableWeight { get; init; } = 1;

    /// <summary>The weights as the file says them: "sum", "mean" or a list.</summary>
    public string WeightsText { get; init; } = "sum";

    public double SwRmin { get; init; }

    public double SwRmax { get; init; }

    public double SminAlpha { get; init; } = 0.1;

    /// <summary>DeePMD-kit's nsel of the DP part: Σsel, or sel for a mixed-type descriptor.</summary>
    public int DpNsel => DpPart.Descriptor.SlotCount;

    /// <summary>The softmin distance uses the neighbor list of the sub-model with the larger nsel (the table's on a tie).</summary>
    public bool SoftminUsesTable => TableSel >= DpNsel;
}
