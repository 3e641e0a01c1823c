namespace DeepMD.Sharp.Models.Evaluation;

/// <summary>What to do when an atom has more neighbors of a type within rcut than the model's sel allows.</summary>
public enum SelOverflowPolicy
{
    /// <summary>Stop with an error naming the atom, type, count and sel (default: truncation breaks energy conservation).</summary>
    Error,

    /// <summary>Reproduce DeePMD-kit: keep the Σsel nearest neighbors overall, then the sel[t] nearest of each type.</summary>
    Truncate,
}
