namespace DeepMD.Sharp.Dynamics.Checkpoints;

using System.Text;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Files;

/// <summary>
/// The checkpoint file (<c>write_restart</c>, <c>restart</c>, <c>read_restart</c>): a versioned little-endian binary
/// file. Layout: the 16-byte tag <c>DPSHARP-RESTART\n</c>, format version (int32), payload length (int64), the
/// payload (<see cref="BinaryWriter"/> fields in the order of <see cref="WritePayload"/>; doubles stored as their
/// exact bits; version 2 appends the atom style, charges, molecule ids, bonded topology and special_bonds weights), and a 64-bit FNV-1a hash of the payload. Written to a temporary name and renamed, so a crash never
/// leaves half a file under the final name; a truncated, corrupted or foreign file is refused with a clear error.
/// </summary>
public static class CheckpointFile
{
    /// <summary>The format version this build writes (and the newest it reads).</summary>
    public const int Version = 2;

    private static readonly byte[] Tag = Encoding.ASCII.GetBytes("DPSHARP-RESTART\n");
    private const int HeaderBytes = 16 + 4 + 8;

    /// <summary>Writes <paramref name="checkpoint"/> to <paramref name="path"/> (via a temporary file and a rename).</summary>
    public static void Write(Checkpoint checkpoint, string path)
    {
        var payload = new MemoryStream();
        using (var w = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true)) WritePayload(w, checkpoint);
        var bytes = payload.GetBuffer().AsSpan(0, (int)payload.Length);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var tmp = Path.Combine(dir, "." + Path.GetFileName(path) + ".tmp" + Environment.ProcessId);
        try
        {
            using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write))
            using (var w = new BinaryWriter(f))
            {
                w.Write(Tag);
                w.Write(Version);
                w.Write((long)bytes.Length);
                w.Write(bytes);
                w.Write(Fnv1a(bytes));
                w.Flush();
                DurableFile.Flush(f);
            }
            DurableFile.MoveIntoPlace(tmp, path);
        }
        catch (IOException e)
        {
            File.Delete(tmp);
            throw new UserInputException($"cannot write restart file '{path}': {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UserInputException($"cannot write restart file '{path}': {e.Message}");
        }
    }

    /// <summary>Reads a checkpoint, refusing files that are not dpsharp restart files, are newer, truncated or corrupted.</summary>
    public static Checkpoint Read(string path)
    {
        if (!File.Exists(path)) throw new UserInputException($"restart file '{path}' does not exist");
        var all = File.ReadAllBytes(path);
        if (all.Length < Tag.Length || !all.AsSpan(0, Tag.Length).SequenceEqual(Tag))
            throw new UserInputException($"'{path}' is not a dpsharp restart file (LAMMPS' own binary restart files cannot be read; convert them with LAMMPS' write_data and use read_data)");
        if (all.Length < HeaderBytes) throw Truncated(path, all.Length);
        var version = BitConverter.ToInt32(all, 16);
        if (version < 1 || version > Version)
            throw new UserInputException($"restart file '{path}' has format version {version}; this dpsharp reads versions 1..{Version}");
        var length = BitConverter.ToInt64(all, 20);
        if (length < 0 || HeaderBytes + length + 8 > all.Length) throw Truncated(path, all.Length);
        var payload = all.AsSpan(HeaderBytes, (int)length);
        if (BitConverter.ToUInt64(all, HeaderBytes + (int)length) != Fnv1a(payload))
            throw new UserInputException($"restart file '{path}' is corrupted (checksum mismatch)");
        try
        {
            using var r = new BinaryReader(new MemoryStream(all, HeaderBytes, (int)length, writable: false), Encoding.UTF8);
            return ReadPayload(r, version);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or OverflowException)
        {
            throw new UserInputException($"restart file '{path}' is corrupted ({e.Message})");
        }
    }

    private static UserInputException Truncated(string path, long bytes) =>
        new($"restart file '{path}' is truncated ({bytes} bytes; the run that wrote it may have stopped while writing)");

    private static void WritePayload(BinaryWriter w, Checkpoint c)
    {
        w.Write(c.Units);
        w.Write(c.Step);
        w.Write(c.Timestep);
        WriteDoubles(w, c.Bounds);
        WriteDoubles(w, c.Tilts);
        foreach (var p in c.Periodic) w.Write(p);
        WriteDoubles(w, c.Masses);
        w.Write(c.Skin);
        w.Write(c.NeighborEvery);
        w.Write(c.NeighborDelay);
        w.Write(c.NeighborCheck);
        w.Write(c.AtomCount);
        WriteInts(w, c.Ids);
        WriteInts(w, c.Types);
        WriteDoubles(w, c.X);
        WriteDoubles(w, c.Y);
        WriteDoubles(w, c.Z);
        WriteDoubles(w, c.Vx);
        WriteDoubles(w, c.Vy);
        WriteDoubles(w, c.Vz);
        WriteInts(w, c.ImageA);
        WriteInts(w, c.ImageB);
        WriteInts(w, c.ImageC);
        w.Write(c.Fx is not null);
        if (c.Fx is not null)
        {
            WriteDoubles(w, c.Fx);
            WriteDoubles(w, c.Fy!);
            WriteDoubles(w, c.Fz!);
            w.Write(c.PotentialEnergy);
        }
        w.Write(c.Neighbors is not null);
        if (c.Neighbors is { } nb)
        {
            WriteDoubles(w, nb.XHold);
            WriteDoubles(w, nb.YHold);
            WriteDoubles(w, nb.ZHold);
            WriteDoubles(w, nb.BoxHold);
            w.Write(nb.Ago);
            w.Write(nb.BuildCount);
            w.Write(nb.DangerousBuilds);
            w.Write(nb.RiskyUncheckedBuilds);
        }
        w.Write(c.Fixes.Count);
        foreach (var f in c.Fixes)
        {
            w.Write(f.Id);
            w.Write(f.Style);
            WriteDoubles(w, f.State);
        }
        w.Write(c.StorageOrder is not null);
        if (c.StorageOrder is not null)
        {
            WriteInts(w, c.StorageOrder);
            w.Write(c.NextSort);
        }
        // Version 2: the atom style, charges, molecule ids, bonded topology and special_bonds weights.
        w.Write(c.AtomStyle);
        w.Write(c.Charges is not null);
        if (c.Charges is not null) WriteDoubles(w, c.Charges);
        w.Write(c.Molecules is not null);
        if (c.Molecules is not null) WriteInts(w, c.Molecules);
        w.Write(c.Topology is not null);
        if (c.Topology is { } t)
        {
            w.Write(t.BondTypes);
            w.Write(t.AngleTypes);
            w.Write(t.DihedralTypes);
            w.Write(t.ImproperTypes);
            foreach (var list in t.All())
            {
                w.Write(list.Count);
                foreach (var b in list)
                {
                    w.Write(b.Type);
                    w.Write(b.A);
                    w.Write(b.B);
                    w.Write(b.C);
                    w.Write(b.D);
                }
            }
        }
        w.Write(c.Special is not null);
        if (c.Special is not null) WriteDoubles(w, c.Special);
    }

    private static Checkpoint ReadPayload(BinaryReader r, int version)
    {
        var units = r.ReadString();
        var step = r.ReadInt64();
        var dt = r.ReadDouble();
        var bounds = ReadDoubles(r, 6);
        var tilts = ReadDoubles(r, 3);
        bool[] periodic = [r.ReadBoolean(), r.ReadBoolean(), r.ReadBoolean()];
        var masses = ReadDoubles(r);
        var skin = r.ReadDouble();
        var every = r.ReadInt32();
        var delay = r.ReadInt32();
        var check = r.ReadBoolean();
        var n = r.ReadInt32();
        if (n < 0) throw new ArgumentException($"negative atom count {n}");
        var ids = ReadInts(r, n);
        var types = ReadInts(r, n);
        double[] x = ReadDoubles(r, n), y = ReadDoubles(r, n), z = ReadDoubles(r, n);
        double[] vx = ReadDoubles(r, n), vy = ReadDoubles(r, n), vz = ReadDoubles(r, n);
        int[] ia = ReadInts(r, n), ib = ReadInts(r, n), ic = ReadInts(r, n);
        double[]? fx = null, fy = null, fz = null;
        double pe = 0;
        if (r.ReadBoolean())
        {
            fx = ReadDoubles(r, n);
            fy = ReadDoubles(r, n);
            fz = ReadDoubles(r, n);
            pe = r.ReadDouble();
        }
        CheckpointNeighbors? neighbors = null;
        if (r.ReadBoolean())
            neighbors = new CheckpointNeighbors(ReadDoubles(r, n), ReadDoubles(r, n), ReadDoubles(r, n), ReadDoubles(r), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32());
        var fixCount = r.ReadInt32();
        var fixes = new List<FixCheckpoint>();
        for (var k = 0; k < fixCount; k++) fixes.Add(new FixCheckpoint(r.ReadString(), r.ReadString(), ReadDoubles(r)));
        int[]? order = null;
        long nextSort = 0;
        if (r.ReadBoolean())
        {
            order = ReadInts(r, n);
            nextSort = r.ReadInt64();
            if (order.Any(i => i < 0 || i >= n) || order.Distinct().Count() != n) throw new ArgumentException("the storage order is not a permutation of the atoms");
        }
        var style = "atomic";
        double[]? charges = null, special = null;
        int[]? molecules = null;
        Core.Atoms.MolecularTopology? topology = null;
        if (version >= 2)
        {
            style = r.ReadString();
            if (r.ReadBoolean()) charges = ReadDoubles(r, n);
            if (r.ReadBoolean()) molecules = ReadInts(r, n);
            if (r.ReadBoolean())
            {
                topology = new Core.Atoms.MolecularTopology
                {
                    BondTypes = r.ReadInt32(), AngleTypes = r.ReadInt32(), DihedralTypes = r.ReadInt32(), ImproperTypes = r.ReadInt32(),
                };
                var known = new HashSet<int>(ids);
                foreach (var list in topology.All())
                {
                    var count = r.ReadInt32();
                    if (count < 0 || count > (r.BaseStream.Length - r.BaseStream.Position) / 20) throw new ArgumentException($"a bonded list has {count} terms");
                    for (var k = 0; k < count; k++)
                    {
                        var term = new Core.Atoms.BondedTerm(r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32());
                        if (!known.Contains(term.A) || !known.Contains(term.B)) throw new ArgumentException($"a bonded term names atom {term.A} or {term.B}, which is not in the file");
                        list.Add(term);
                    }
                }
            }
            if (r.ReadBoolean()) special = ReadDoubles(r, 8);
        }
        if (r.BaseStream.Position != r.BaseStream.Length) throw new ArgumentException("unexpected data after the last section");
        for (var i = 0; i < n; i++)
            if (types[i] < 0 || types[i] >= masses.Length) throw new ArgumentException($"atom {ids[i]} has type {types[i] + 1} outside 1..{masses.Length}");
        return new Checkpoint
        {
            Units = units, Step = step, Timestep = dt, Bounds = bounds, Tilts = tilts, Periodic = periodic, Masses = masses,
            Skin = skin, NeighborEvery = every, NeighborDelay = delay, NeighborCheck = check,
            Ids = ids, Types = types, X = x, Y = y, Z = z, Vx = vx, Vy = vy, Vz = vz, ImageA = ia, ImageB = ib, ImageC = ic,
            Fx = fx, Fy = fy, Fz = fz, PotentialEnergy = pe, Neighbors = neighbors, Fixes = fixes, StorageOrder = order, NextSort = nextSort,
            AtomStyle = style, Charges = charges, Molecules = molecules, Topology = topology, Special = special,
        };
    }

    private static void WriteDoubles(BinaryWriter w, double[] v)
    {
        w.Write(v.Length);
        foreach (var d in v) w.Write(d);
    }

    private static void WriteInts(BinaryWriter w, int[] v)
    {
        w.Write(v.Length);
        foreach (var d in v) w.Write(d);
    }

    private static double[] ReadDoubles(BinaryReader r, int expected = -1)
    {
        var n = r.ReadInt32();
        if (n < 0 || (expected >= 0 && n != expected)) throw new ArgumentException($"an array has {n} values, expected {(expected >= 0 ? expected : "a non-negative count")}");
        if (n > (r.BaseStream.Length - r.BaseStream.Position) / 8) throw new EndOfStreamException("an array runs past the end of the data");
        var v = new double[n];
        for (var i = 0; i < n; i++) v[i] = r.ReadDouble();
        return v;
    }

    private static int[] ReadInts(BinaryReader r, int expected)
    {
        var n = r.ReadInt32();
        if (n != expected) throw new ArgumentException($"an array has {n} values, expected {expected}");
        if (n > (r.BaseStream.Length - r.BaseStream.Position) / 4) throw new EndOfStreamException("an array runs past the end of the data");
        var v = new int[n];
        for (var i = 0; i < n; i++) v[i] = r.ReadInt32();
        return v;
    }

    private static ulong Fnv1a(ReadOnlySpan<byte> data)
    {
        var h = 14695981039346656037UL;
        foreach (var b in data)
        {
            h ^= b;
            h *= 1099511628211UL;
        }
        return h;
    }
}
