namespace DeepMD.Sharp.Models.Serialization;

/// <summary>
/// Cheap sanity checks on an HDF5 file before handing it to PureHDF: the format signature and, from the superblock,
/// the end-of-file address, so that truncated files get a clear message instead of a decoder error.
/// </summary>
internal static class Hdf5Probe
{
    private static readonly byte[] Signature = [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a];

    /// <summary>Returns null when the file looks complete, else what is wrong.</summary>
    public static string? Check(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var length = fs.Length;
        // The superblock is at offset 0 or, after a user block, at 512, 1024, 2048, ...
        for (long at = 0; at == 0 || at + 8 <= length; at = at == 0 ? 512 : at * 2)
        {
            var head = new byte[64];
            fs.Position = at;
            var n = ReadFull(fs, head);
            if (n < 8) break;
            if (!head.AsSpan(0, 8).SequenceEqual(Signature)) continue;
            var size = DeclaredSize(head, n);
            if (size is null) return "the HDF5 superblock is incomplete; the file is truncated";
            var needed = size.Value;
            if (needed >= 0 && needed > length)
                return $"the file is truncated: the HDF5 superblock says it has {needed} bytes, but it has {length}";
            return null;
        }
        return "not an HDF5 file (no HDF5 signature found)";
    }

    /// <summary>The end-of-file address from the superblock; -1 when unknown, null when the superblock is cut off.</summary>
    private static long? DeclaredSize(byte[] h, int n)
    {
        var version = h[8];
        int offsetSize, eofAt;
        switch (version)
        {
            case 0:
            case 1:
                offsetSize = h[13];
                // signature 8, versions 4 bytes, reserved 1, offset/length sizes 2, reserved 1, K values 4, flags 4
                // (+ 4 in version 1), then base, free-space, end-of-file addresses.
                eofAt = (version == 0 ? 24 : 28) + 2 * offsetSize;
                break;
            case 2:
            case 3:
                offsetSize = h[9];
                // signature 8, version 1, sizes 2, flags 1, then base, extension, end-of-file addresses.
                eofAt = 12 + 2 * offsetSize;
                break;
            default:
                return -1; // unknown layout: let the decoder judge
        }
        if (offsetSize is not (2 or 4 or 8)) return -1;
        if (eofAt + offsetSize > n) return null;
        // The HDF5 library stores the end-of-file address as an absolute file offset (with a 512-byte user block and
        // base address 512, a 12008-byte file declares 12008), so it is compared with the file length directly.
        return ReadAddress(h, eofAt, offsetSize);
    }

    /// <summary>A little-endian address; -1 for the undefined address (all bits set) or one beyond <see cref="long"/>.</summary>
    private static long ReadAddress(byte[] h, int at, int size)
    {
        ulong v = 0;
        for (var i = size - 1; i >= 0; i--) v = (v << 8) | h[at + i];
        var undefined = size == 8 ? ulong.MaxValue : (1UL << (8 * size)) - 1;
        return v == undefined || v > long.MaxValue / 2 ? -1 : (long)v;
    }

    private static int ReadFull(Stream s, byte[] buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var r = s.Read(buffer, total, buffer.Length - total);
            if (r == 0) break;
            total += r;
        }
        return total;
    }
}
