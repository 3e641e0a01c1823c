namespace DeepMD.Sharp.Models.Serialization;

using DeepMD.Sharp.Core.Errors;

/// <summary>
/// Loads and saves DeePMD-kit's backend-independent model files, choosing the format by extension:
/// <c>.dp</c> / <c>.hlo</c> (HDF5, <see cref="DpModelFormat"/>) and <c>.yaml</c> / <c>.yml</c> (<see cref="YamlModelFormat"/>).
/// </summary>
public static class ModelFile
{
    /// <summary>The file extensions <see cref="Load"/> and <see cref="Save"/> accept.</summary>
    public static IReadOnlyList<string> SupportedExtensions { get; } = [".dp", ".hlo", ".yaml", ".yml"];

    /// <summary>Reads a model file into the tree described by <see cref="ModelTree"/>.</summary>
    /// <exception cref="UserInputException">
    /// The extension is not supported, or the file is missing, truncated, corrupted or not a DeePMD-kit model.
    /// </exception>
    public static Dictionary<string, object?> Load(string path) => IsHdf5(path)
        ? DpModelFormat.Load(path)
        : YamlModelFormat.Load(path);

    /// <summary>Writes <paramref name="tree"/> in the format its extension names (via a temporary file and a rename).</summary>
    /// <exception cref="UserInputException">The extension is not supported, or the tree or file cannot be written.</exception>
    public static void Save(string path, Dictionary<string, object?> tree)
    {
        if (IsHdf5(path)) DpModelFormat.Save(path, tree);
        else YamlModelFormat.Save(path, tree);
    }

    /// <summary>True for <c>.dp</c>/<c>.hlo</c>, false for <c>.yaml</c>/<c>.yml</c>; anything else is a user error.</summary>
    private static bool IsHdf5(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var ext = Path.GetExtension(path).ToLowerInvariant();
        return ext switch
        {
            ".dp" or ".hlo" => true,
            ".yaml" or ".yml" => false,
            _ => throw new UserInputException(
                $"unsupported model file extension '{ext}'; supported: {string.Join(", ", SupportedExtensions)} "
                + "(convert other formats, e.g. .pb or .pth, with 'dp convert-backend model.pth model.dp')",
                path),
        };
    }
}
