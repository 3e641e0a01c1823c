namespace DeepMD.Sharp.IO.Datasets;

using System.Globalization;
using System.Text;

/// <summary>
/// Writes a labelled system as a DeePMD-kit deepmd/npy folder: <c>type_map.raw</c>, <c>type.raw</c> and
/// <c>set.000/{box,coord,energy,force[,virial]}.npy</c> (little-endian float64, C order, NPY format 1.0), the layout
/// <see cref="DeepmdSystemReader"/>, <c>dpsharp train</c> and DeePMD-kit read. Units: Å, eV, eV/Å, virial in eV.
/// </summary>
public static class DeepmdSystemWriter
{
    /// <summary>
    /// Writes <paramref name="frames"/> frames of <paramref name="types"/>.Length atoms into <paramref name="folder"/>
    /// (created; existing set.000 files are replaced). <paramref name="virials"/> may be null (no virial.npy).
    /// </summary>
    public static void Write(string folder, string[] typeMap, int[] types, int frames, double[] boxes, double[] coords,
        double[] energies, double[] forces, double[]? virials)
    {
        var n = types.Length;
        if (boxes.Length != frames * 9 || coords.Length != frames * n * 3 || energies.Length != frames || forces.Length != frames * n * 3
            || (virials is not null && virials.Length != frames * 9))
            throw new ArgumentException($"array sizes do not match {frames} frames of {n} atoms");
        foreach (var t in types)
            if (t < 0 || t >= typeMap.Length) throw new ArgumentException($"type {t} is outside the type map [{string.Join(", ", typeMap)}]");
        var set = Path.Combine(folder, "set.000");
        Directory.CreateDirectory(set);
        File.WriteAllText(Path.Combine(folder, "type_map.raw"), string.Concat(typeMap.Select(t => t + "\n")));
        File.WriteAllText(Path.Combine(folder, "type.raw"), string.Concat(types.Select(t => t.ToString(CultureInfo.InvariantCulture) + "\n")));
        WriteNpy(Path.Combine(set, "box.npy"), boxes, frames, 9);
        WriteNpy(Path.Combine(set, "coord.npy"), coords, frames, n * 3);
        WriteNpy(Path.Combine(set, "energy.npy"), energies, frames);
        WriteNpy(Path.Combine(set, "force.npy"), forces, frames, n * 3);
        var virialPath = Path.Combine(set, "virial.npy");
        if (virials is not null) WriteNpy(virialPath, virials, frames, 9);
        else if (File.Exists(virialPath)) File.Delete(virialPath);
    }

    /// <summary>Writes a float64 array of the given shape as an NPY 1.0 file (header padded to a multiple of 64 bytes).</summary>
    public static void WriteNpy(string path, ReadOnlySpan<double> data, params int[] shape)
    {
        long count = 1;
        foreach (var s in shape) count *= s;
        if (count != data.Length) throw new ArgumentException($"{data.Length} values do not fill shape ({string.Join(", ", shape)})");
        var shapeText = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        var dict = $"{{'descr': '<f8', 'fortran_order': False, 'shape': {shapeText}, }}";
        var total = 10 + dict.Length + 1;
        var padded = (total + 63) / 64 * 64;
        var header = dict + new string(' ', padded - total) + "\n";
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write);
        fs.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        fs.Write(BitConverter.GetBytes((ushort)header.Length));
        fs.Write(Encoding.ASCII.GetBytes(header));
        var bytes = new byte[data.Length * 8];
        for (var i = 0; i < data.Length; i++)
            System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), data[i]);
        fs.Write(bytes);
    }
}
