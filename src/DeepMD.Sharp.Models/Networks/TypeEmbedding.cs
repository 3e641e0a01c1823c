namespace DeepMD.Sharp.Models.Networks;

/// <summary>
/// DeePMD-kit's <c>TypeEmbedNet</c> (notes §2.1): each atom type t gets T_t = N(e_t), N an embedding net applied to the
/// one-hot vector e_t (activation usually <c>Linear</c>, bias only with <c>use_tebd_bias</c>), so the whole net is a
/// table of <see cref="TypeCount"/> rows. With <c>padding</c> an all-zero row is appended at index ntypes: the
/// embedding of padded slots and virtual atoms. Shared by the attention descriptors (se_atten, DPA-2, DPA-3).
/// </summary>
public sealed class TypeEmbedding
{
    /// <summary>Builds the table by evaluating <paramref name="net"/> on each type's input row.</summary>
    /// <param name="typeCount">Number of real types.</param>
    /// <param name="net">The embedding net (input size = length of an input row).</param>
    /// <param name="padding">Whether a zero row follows the real types.</param>
    /// <param name="inputs">Input rows [types][in], or null for the one-hot rows (in = types).</param>
    public TypeEmbedding(int typeCount, NeuralNetwork net, bool padding, double[]? inputs = null)
    {
        var nin = net.InputSize;
        if (inputs is null && nin != typeCount)
            throw new ArgumentException($"a one-hot type embedding net takes {typeCount} inputs, this one takes {nin}");
        if (inputs is not null && inputs.Length != typeCount * nin)
            throw new ArgumentException("one input row per type is needed");
        TypeCount = typeCount;
        Net = net;
        HasPadding = padding;
        Dim = net.OutputSize;
        Table = new double[(typeCount + (padding ? 1 : 0)) * Dim];
        var row = new double[nin];
        for (var t = 0; t < typeCount; t++)
        {
            if (inputs is null)
            {
                Array.Clear(row);
                row[t] = 1;
            }
            else
            {
                Array.Copy(inputs, t * nin, row, 0, nin);
            }
            net.Evaluate(row, Table.AsSpan(t * Dim, Dim));
        }
    }

    /// <summary>Number of real types.</summary>
    public int TypeCount { get; }

    /// <summary>The embedding net the table was computed from.</summary>
    public NeuralNetwork Net { get; }

    /// <summary>Whether row <see cref="TypeCount"/> is the zero padding row.</summary>
    public bool HasPadding { get; }

    /// <summary>Embedding width (tebd_dim).</summary>
    public int Dim { get; }

    /// <summary>Rows [types (+1 padding)][Dim], row-major.</summary>
    public double[] Table { get; }

    /// <summary>Rows in <see cref="Table"/>.</summary>
    public int RowCount => TypeCount + (HasPadding ? 1 : 0);

    /// <summary>The embedding of type <paramref name="t"/>; a negative type (virtual atom, padding) maps to the padding row.</summary>
    public ReadOnlySpan<double> Row(int t)
    {
        if (t < 0)
        {
            if (!HasPadding) throw new ArgumentOutOfRangeException(nameof(t), "this type embedding has no padding row");
            t = TypeCount;
        }
        return Table.AsSpan(t * Dim, Dim);
    }
}
