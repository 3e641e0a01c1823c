namespace DeepMD.Sharp.IO.Datasets;

using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using DeepMD.Sharp.Core.Errors;

/// <summary>
/// Reads NumPy <c>.npy</c> files (format versions 1–3) holding little-endian float64/float32/int64/int32 arrays
/// in C order — the layout DeePMD-kit data sets use.
/// </summary>
public static class NpyReader
{
    /// <summary>Reads the array in <paramref name="path"/>.</summary>
    public static NpyArray Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException ex)
        {
            throw new UserInputException($"cannot read: {ex.Message}", path, null, ex);
        }
        return Parse(bytes, path);
    }

    /// <summary>Parses the bytes of a <c>.npy</c> file; <paramref name="where"/> names it in errors.</summary>
    public static NpyArray Parse(ReadOnlySpan<byte> bytes, string where)
    {
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes.Slice(1, 5)) != "NUMPY")
            throw new UserInputException("not a .npy file (missing the \\x93NUMPY magic)", where);
        int major = bytes[6];
        int headerLength, headerStart;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(8, 2));
            headerStart = 10;
        }
        else if (major is 2 or 3)
        {
            headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(8, 4));
            headerStart = 12;
        }
        else throw new UserInputException($".npy format version {major} is not supported (1, 2, 3 are)", where);
        var header = Encoding.Latin1.GetString(bytes.Slice(headerStart, headerLength));
        var descr = HeaderValue(header, "descr", where).Trim().Trim('\'', '"');
        var fortran = HeaderValue(header, "fortran_order", where).Trim();
        if (fortran.StartsWith("True", StringComparison.Ordinal))
            throw new UserInputException("Fortran-ordered .npy arrays are not supported; save with C order", where);
        var shapeText = HeaderValue(header, "shape", where).Trim().TrimStart('(').TrimEnd(')');
        var shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        long count = 1;
        foreach (var s in shape) count *= s;
        var body = bytes[(headerStart + headerLength)..];
        var (size, reader) = descr switch
        {
            "<f8" => (8, (Func<ReadOnlySpan<byte>, double>)(b => BinaryPrimitives.ReadDoubleLittleEndian(b))),
            "<f4" => (4, b => BinaryPrimitives.ReadSingleLittleEndian(b)),
            "<i8" => (8, b => BinaryPrimitives.ReadInt64LittleEndian(b)),
            "<i4" => (4, b => BinaryPrimitives.ReadInt32LittleEndian(b)),
            _ => throw new UserInputException($"dtype '{descr}' is not supported; supported: <f8, <f4, <i8, <i4", where),
        };
        if (body.Length < count * size)
            throw new UserInputException($"file is truncated: shape ({string.Join(", ", shape)}) needs {count * size} data bytes, found {body.Length}", where);
        var data = new double[count];
        for (var k = 0; k < count; k++) data[k] = reader(body.Slice(k * size, size));
        return new NpyArray(shape, data);
    }

    private static string HeaderValue(string header, string key, string where)
    {
        var k = header.IndexOf("'" + key + "'", StringComparison.Ordinal);
        if (k < 0) throw new UserInputException($".npy header lacks '{key}'", where);
        var colon = header.IndexOf(':', k);
        var start = colon + 1;
        // The value ends at the next comma outside parentheses.
        var depth = 0;
        for (var p = start; p < header.Length; p++)
        {
            var c = header[p];
            if (c == '(') depth++;
            else if (c == ')') depth--;
            else if ((c == ',' && depth == 0) || c == '}') return header[start..p];
        }
        return header[start..];
    }
}
