namespace DeepMD.Sharp.Models.Serialization;

/// <summary>
/// The backend-independent model dictionary of DeePMD-kit (what <c>deepmd.dpmodel.utils.serialization</c>
/// loads and saves), as plain .NET objects. A node is one of:
/// <list type="bullet">
/// <item><see cref="Dictionary{TKey,TValue}"/> of string to node (insertion order is the file's key order),</item>
/// <item><see cref="List{T}"/> of nodes,</item>
/// <item><see cref="string"/>, <see cref="long"/>, <see cref="double"/>, <see cref="bool"/> or null,</item>
/// <item><see cref="NdArray"/> (a variable: in <c>.dp</c> files an HDF5 dataset, in <c>.yaml</c> an <c>np.ndarray</c> node).</item>
/// </list>
/// </summary>
public static class ModelTree
{
    /// <summary>Creates an empty dictionary node.</summary>
    public static Dictionary<string, object?> NewDict() => new(StringComparer.Ordinal);
}
