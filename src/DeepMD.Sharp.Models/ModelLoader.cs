namespace DeepMD.Sharp.Models;

using DeepMD.Sharp.Models.Loading;
using DeepMD.Sharp.Models.Serialization;

/// <summary>Reads DeePMD-kit model files (<c>.dp</c>, <c>.yaml</c>) into <see cref="DeepPotModel"/>s.</summary>
public static class ModelLoader
{
    /// <summary>Loads and validates the model in <paramref name="path"/>.</summary>
    public static DeepPotModel Load(string path) => ModelReader.FromTree(ModelFile.Load(path), path);
}
