namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics;

/// <summary>
/// What <c>read_dump</c> and <c>rerun</c> share, as LAMMPS' ReadDump: the list of dump files, the fields and keywords
/// (<c>x y z vx vy vz q ix iy iz fx fy fz</c>; <c>box</c>, <c>replace</c>, <c>purge</c>, <c>trim</c>, <c>add yes|keep|no</c>,
/// <c>label</c>, <c>scaled</c>, <c>wrapped</c>, <c>format native</c>), finding snapshots by timestep across the files,
/// and putting a snapshot into the simulation: atoms matched by id are replaced field by field, atoms the snapshot
/// lacks are trimmed on request, new ones added on request; the box is the snapshot's (box yes); every atom is then
/// mapped back into the periodic box with its image flags.
/// </summary>
internal sealed class DumpSnapshots : IDisposable
{
    private readonly NativeDumpReader _reader = new();
    private readonly List<string> _files = [];
    private readonly string[] _shownFiles;
    private int _currentFile;
    private DumpField[] _fields = [];
    private string?[] _labels = [];
    private bool _box = true, _replace = true, _purge, _trim, _scaledFlag, _wrappedFlag = true;
    private enum AddMode { No, Yes, Keep }
    private AddMode _add = AddMode.No;
    private DumpSnapshotHeader? _header;
    private bool _scaled, _wrapped;
    private int _yIndex = -1, _zIndex = -1;
    private double _xlo, _xhi, _ylo, _yhi, _zlo, _zhi, _xy, _xz, _yz;

    /// <summary>Counts of the last snapshot (LAMMPS prints them after read_dump).</summary>
    public long Purged { get; private set; }

    public long Replaced { get; private set; }

    public long Trimmed { get; private set; }

    public long Added { get; private set; }

    public long InSnapshot { get; private set; }

    public DumpSnapshots(DeckContext context, IReadOnlyList<string> files)
    {
        _shownFiles = files.ToArray();
        foreach (var f in files)
        {
            if (f.Contains('%'))
                throw new UserInputException($"read_dump: multi-processor dump files ('{f}', with %) are not supported; write the dump from one process or join the files");
            _files.Add(context.InputPath(f));
        }
        foreach (var f in _files)
            if (!File.Exists(f)) throw new UserInputException($"Cannot open file {f}: No such file or directory");
    }

    public void Dispose() => _reader.Dispose();

    private static DumpField? FieldOf(string w) => w switch
    {
        "id" => DumpField.Id, "type" => DumpField.Type, "x" => DumpField.X, "y" => DumpField.Y, "z" => DumpField.Z,
        "vx" => DumpField.Vx, "vy" => DumpField.Vy, "vz" => DumpField.Vz, "q" => DumpField.Q,
        "ix" => DumpField.Ix, "iy" => DumpField.Iy, "iz" => DumpField.Iz, "fx" => DumpField.Fx, "fy" => DumpField.Fy, "fz" => DumpField.Fz,
        _ => null,
    };

    private static UserInputException Illegal() => new("Illegal read_dump command");

    /// <summary>LAMMPS' fields_and_keywords: the words after the step (read_dump) or after <c>dump</c> (rerun).</summary>
    public void Parse(DeckContext context, IReadOnlyList<string> words)
    {
        var sim = context.Simulation;
        var narg = words.Count;
        var addsType = false;
        for (var k = 0; k < narg - 1; k++)
            if (words[k] == "add" && words[k + 1] is "yes" or "keep") addsType = true;
        var fields = new List<DumpField> { DumpField.Id };
        if (addsType) fields.Add(DumpField.Type);
        var i = 0;
        while (i < narg && FieldOf(words[i]) is { } f)
        {
            if (f == DumpField.Q && !sim.Atoms.HasCharge) throw new UserInputException("Read dump of atom property that isn't allocated");
            fields.Add(f);
            i++;
        }
        if (fields[^1] is DumpField.Id or DumpField.Type) throw Illegal();
        if (sim.Dimension == 2 && fields.Any(x => x is DumpField.Z or DumpField.Vz or DumpField.Iz or DumpField.Fz)) throw Illegal();
        if (fields.Distinct().Count() != fields.Count) throw new UserInputException("Duplicate fields in read_dump command");
        var labels = new string?[fields.Count];
        var format = "native";
        var nfile = 0;
        while (i < narg)
        {
            var w = words[i];
            if (w == "label")
            {
                if (i + 3 > narg) throw Illegal();
                var which = FieldOf(words[i + 1]);
                var at = which is null ? -1 : fields.IndexOf(which.Value);
                if (at < 0) throw Illegal();
                labels[at] = words[i + 2];
                i += 3;
                continue;
            }
            if (i + 2 > narg) throw Illegal();
            var v = words[i + 1];
            bool YesNo() => v switch { "yes" => true, "no" => false, _ => throw Illegal() };
            switch (w)
            {
                case "nfile":
                    nfile = int.TryParse(v, out var nf) ? nf : throw new UserInputException($"Expected integer parameter instead of '{v}' in input script or data file");
                    break;
                case "box": _box = YesNo(); break;
                case "replace": _replace = YesNo(); break;
                case "purge": _purge = YesNo(); break;
                case "trim": _trim = YesNo(); break;
                case "add":
                    _add = v switch { "yes" => AddMode.Yes, "no" => AddMode.No, "keep" => AddMode.Keep, _ => throw Illegal() };
                    break;
                case "scaled": _scaledFlag = YesNo(); break;
                case "wrapped": _wrappedFlag = YesNo(); break;
                case "format":
                    format = v;
                    i = narg; // the rest are the reader's own settings
                    continue;
                default: throw Illegal();
            }
            i += 2;
        }
        if (nfile != 0) throw new UserInputException("Dump file is not a multi-proc file");
        if (_purge && (_replace || _trim)) throw new UserInputException("If read_dump purges it cannot replace or trim");
        switch (format)
        {
            case "native": break;
            case "adios": throw new UserInputException("Unrecognized reader style 'adios' is part of the ADIOS package which is not enabled in this LAMMPS binary.");
            case "molfile": throw new UserInputException("Unrecognized reader style 'molfile' is part of the MOLFILE package which is not enabled in this LAMMPS binary.");
            case "xyz": throw new UserInputException("read_dump: format xyz is not supported by dpsharp yet; write the trajectory as a native dump (dump atom or dump custom)");
            default: throw new UserInputException($"Unrecognized reader style '{format}'");
        }
        _fields = fields.ToArray();
        _labels = labels;
    }

    /// <summary>
    /// LAMMPS' seek: the first snapshot with timestep ≥ <paramref name="request"/> (exactly it when
    /// <paramref name="exact"/>) over the files in order, positioned after its timestep line; null when there is none.
    /// </summary>
    public long? Seek(long request, bool exact)
    {
        long? found = null;
        for (var f = 0; f < _files.Count; f++)
        {
            _reader.Open(_files[f]);
            _currentFile = f;
            long? step;
            while ((step = _reader.ReadTime()) is { } s)
            {
                if (s >= request)
                {
                    found = s;
                    break;
                }
                _reader.Skip();
            }
            if (found is not null) break;
            _reader.Close();
        }
        if (found is null || (exact && found != request))
        {
            _reader.Close();
            return null;
        }
        return found;
    }

    /// <summary>
    /// LAMMPS' next: after the snapshot at <paramref name="current"/>, the next one with a later timestep not past
    /// <paramref name="last"/>, a multiple of <paramref name="every"/> (0: any), taking every <paramref name="skip"/>-th
    /// match; null when there is none.
    /// </summary>
    public long? Next(long current, long last, int every, int skip)
    {
        var iskip = 0;
        long? step = null;
        var eof = true;
        for (var f = _currentFile; f < _files.Count; f++)
        {
            if (f != _currentFile)
            {
                _reader.Open(_files[f]);
                _currentFile = f;
            }
            eof = false;
            while (true)
            {
                step = _reader.ReadTime();
                if (step is not { } s)
                {
                    eof = true;
                    break;
                }
                if (s > last) break;
                if (s <= current)
                {
                    _reader.Skip();
                    continue;
                }
                if (iskip == skip) iskip = 0;
                iskip++;
                if (every != 0 && s % every != 0) _reader.Skip();
                else if (iskip < skip) _reader.Skip();
                else break;
            }
            if (eof) _reader.Close();
            else break;
        }
        if (eof || step is not { } t || t <= current || t > last)
        {
            _reader.Close();
            return null;
        }
        return t;
    }

    /// <summary>
    /// LAMMPS' header: reads the snapshot's box and column labels; with <paramref name="check"/> (the first snapshot),
    /// checks the box against the simulation and the requested fields against the columns.
    /// </summary>
    public void Header(DeckContext context, bool check)
    {
        var sim = context.Simulation;
        var h = _reader.ReadHeader(_fields, _labels, _scaledFlag, _wrappedFlag);
        _header = h;
        InSnapshot = h.Atoms;
        _xlo = h.Bounds[0, 0];
        _xhi = h.Bounds[0, 1];
        _ylo = h.Bounds[1, 0];
        _yhi = h.Bounds[1, 1];
        _zlo = h.Bounds[2, 0];
        _zhi = h.Bounds[2, 1];
        _xy = _xz = _yz = 0;
        if (h.Triclinic)
        {
            // A triclinic dump writes the bounding box; the box's own bounds come back by taking the tilts out.
            _xy = h.Bounds[0, 2];
            _xz = h.Bounds[1, 2];
            _yz = h.Bounds[2, 2];
            _xlo -= Math.Min(Math.Min(0.0, _xy), Math.Min(_xz, _xy + _xz));
            _xhi -= Math.Max(Math.Max(0.0, _xy), Math.Max(_xz, _xy + _xz));
            _ylo -= Math.Min(0.0, _yz);
            _yhi -= Math.Max(0.0, _yz);
        }
        var triclinic = context.TriclinicBox || sim.Box!.IsTriclinic;
        if (check && _box && h.Triclinic != triclinic) throw new UserInputException("Read_dump triclinic status does not match simulation");
        if (h.Columns.Any(c => c < 0)) throw new UserInputException("Read_dump field not found in dump file");
        var kinds = new[] { h.XKind, h.YKind, h.ZKind };
        var value = kinds.Max();
        if (kinds.Any(k => k != CoordinateKind.Unset && k != value))
            throw new UserInputException("Read_dump xyz fields do not have consistent scaling/wrapping");
        var kind = h.ZKind != CoordinateKind.Unset ? h.ZKind : h.YKind != CoordinateKind.Unset ? h.YKind : h.XKind;
        _scaled = kind is CoordinateKind.ScaledWrapped or CoordinateKind.ScaledUnwrapped;
        _wrapped = kind is CoordinateKind.Wrapped or CoordinateKind.ScaledWrapped;
        if (_scaled && triclinic)
        {
            if (h.XKind == CoordinateKind.Unset || h.YKind == CoordinateKind.Unset || (sim.Dimension == 3 && h.ZKind == CoordinateKind.Unset))
                throw new UserInputException("All read_dump x,y,z fields must be specified for scaled, triclinic coords");
            _yIndex = Array.IndexOf(_fields, DumpField.Y);
            _zIndex = Array.IndexOf(_fields, DumpField.Z);
        }
    }

    private double XField(double[] row, int j, bool triclinic, int dim)
    {
        var xprd = _xhi - _xlo;
        if (!_scaled) return row[j];
        if (!triclinic) return row[j] * xprd + _xlo;
        if (dim == 2) return xprd * row[j] + _xy * row[_yIndex] + _xlo;
        return xprd * row[j] + _xy * row[_yIndex] + _xz * row[_zIndex] + _xlo;
    }

    private double YField(double[] row, int j, bool triclinic, int dim)
    {
        var yprd = _yhi - _ylo;
        if (!_scaled) return row[j];
        if (!triclinic) return row[j] * yprd + _ylo;
        if (dim == 2) return yprd * row[j] + _ylo;
        return yprd * row[j] + _yz * row[_zIndex] + _ylo;
    }

    private double ZField(double[] row, int j) => !_scaled ? row[j] : row[j] * (_zhi - _zlo) + _zlo;

    /// <summary>LAMMPS' atoms(): reads the snapshot's atom lines and puts them into the simulation.</summary>
    public void Atoms(DeckContext context)
    {
        var sim = context.Simulation;
        var a = sim.Atoms;
        var h = _header!;
        var triclinic = context.TriclinicBox || sim.Box!.IsTriclinic;
        var dim = sim.Dimension;
        Purged = Replaced = Trimmed = Added = 0;
        if (_purge)
        {
            Purged = a.Count;
            a.Clear();
        }
        var rows = _reader.ReadAtoms(h.Atoms, h.Columns);

        var byId = new Dictionary<int, int>(a.Count);
        for (var i = 0; i < a.Count; i++) byId[a.Id[i]] = i;
        var updated = new bool[a.Count];
        var isNew = new bool[rows.Length];
        for (var r = 0; r < rows.Length; r++)
        {
            var row = rows[r];
            var id = (int)row[0];
            if (!byId.TryGetValue(id, out var m))
            {
                isNew[r] = true;
                continue;
            }
            updated[m] = true;
            if (!_replace) continue;
            Replaced++;
            int xbox = a.ImageA[m], ybox = a.ImageB[m], zbox = a.ImageC[m];
            for (var f = 1; f < _fields.Length; f++)
            {
                switch (_fields[f])
                {
                    case DumpField.X: a.X[m] = XField(row, f, triclinic, dim); break;
                    case DumpField.Y: a.Y[m] = YField(row, f, triclinic, dim); break;
                    case DumpField.Z: a.Z[m] = ZField(row, f); break;
                    case DumpField.Vx: a.Vx[m] = row[f]; break;
                    case DumpField.Vy: a.Vy[m] = row[f]; break;
                    case DumpField.Vz: a.Vz[m] = row[f]; break;
                    case DumpField.Q: a.Q[m] = row[f]; break;
                    case DumpField.Ix: xbox = (int)row[f]; break;
                    case DumpField.Iy: ybox = (int)row[f]; break;
                    case DumpField.Iz: zbox = (int)row[f]; break;
                    case DumpField.Fx: if (m < a.Fx.Length) a.Fx[m] = row[f]; break;
                    case DumpField.Fy: if (m < a.Fy.Length) a.Fy[m] = row[f]; break;
                    case DumpField.Fz: if (m < a.Fz.Length) a.Fz[m] = row[f]; break;
                }
            }
            // Unwrapped coordinates carry the image themselves.
            if (!_wrapped) xbox = ybox = zbox = 0;
            (a.ImageA[m], a.ImageB[m], a.ImageC[m]) = (xbox, ybox, zbox);
        }

        if (_trim)
        {
            // LAMMPS' trim: an atom the snapshot did not update takes the last atom's slot, as delete_atoms does.
            var remove = new bool[a.Count];
            for (var i = 0; i < remove.Length; i++) remove[i] = !updated[i];
            Trimmed = a.RemoveSwappingLast(remove);
        }

        if (_add != AddMode.No)
        {
            var typeField = Array.IndexOf(_fields, DumpField.Type);
            if (typeField < 0) throw new UserInputException("Cannot add atoms if dump file does not store atom type");
            var first = a.Count;
            for (var r = 0; r < rows.Length; r++)
            {
                if (!isNew[r]) continue;
                var row = rows[r];
                var type = (int)row[typeField];
                if (type < 1 || type > sim.TypeCount)
                    throw new UserInputException($"read_dump: atom {(int)row[0]} of the snapshot has type {type}, outside 1..{sim.TypeCount}");
                double x = 0, y = 0, z = 0;
                for (var f = 1; f < _fields.Length; f++)
                {
                    switch (_fields[f])
                    {
                        case DumpField.X: x = XField(row, f, triclinic, dim); break;
                        case DumpField.Y: y = YField(row, f, triclinic, dim); break;
                        case DumpField.Z: z = ZField(row, f); break;
                    }
                }
                var m = a.Add(_add == AddMode.Keep ? (int)row[0] : 0, type - 1, x, y, z);
                Added++;
                for (var f = 0; f < _fields.Length; f++)
                {
                    switch (_fields[f])
                    {
                        case DumpField.Vx: a.Vx[m] = row[f]; break;
                        case DumpField.Vy: a.Vy[m] = row[f]; break;
                        case DumpField.Vz: a.Vz[m] = row[f]; break;
                        case DumpField.Q: a.Q[m] = row[f]; break;
                        case DumpField.Ix: a.ImageA[m] = (int)row[f]; break;
                        case DumpField.Iy: a.ImageB[m] = (int)row[f]; break;
                        case DumpField.Iz: a.ImageC[m] = (int)row[f]; break;
                    }
                }
            }
            if (_add == AddMode.Yes)
            {
                // LAMMPS' tag_extend: new atoms get ids after the largest one, in storage order.
                var next = 0;
                for (var i = 0; i < a.Count; i++) next = Math.Max(next, a.Id[i]);
                for (var i = first; i < a.Count; i++)
                    if (a.Id[i] == 0) a.Id[i] = ++next;
            }
            // Per-atom state of computes for the new atoms (LAMMPS' data_fix_compute_variable).
            foreach (var c in sim.Computes.OfType<Dynamics.Computes.ComputeDisplaceAtom>())
                for (var i = first; i < a.Count; i++) c.AtomCreated(a.Id[i], a.X[i], a.Y[i], a.Z[i]);
        }

        // LAMMPS' tag_check: ids must be unique.
        var seen = new HashSet<int>();
        for (var i = 0; i < a.Count; i++)
            if (!seen.Add(a.Id[i])) throw new UserInputException($"read_dump: atom id {a.Id[i]} appears twice after reading the snapshot (add keep with an id already in use?)");

        var box = sim.Box!;
        if (_box)
        {
            if (dim == 2) box.Reshape(_xlo, _xhi, _ylo, _yhi, box.Lo[2], box.Hi[2], triclinic ? _xy : 0, box.Xz, box.Yz);
            else box.Reshape(_xlo, _xhi, _ylo, _yhi, _zlo, _zhi, triclinic ? _xy : 0, triclinic ? _xz : 0, triclinic ? _yz : 0);
        }
        // LAMMPS' remap (not pbc): atoms may be any distance away.
        for (var i = 0; i < a.Count; i++)
        {
            box.RemapFar(ref a.X[i], ref a.Y[i], ref a.Z[i], ref a.ImageA[i], ref a.ImageB[i], ref a.ImageC[i]);
            for (var k = 0; k < 16; k++)
            {
                var (x0, y0, z0) = (a.X[i], a.Y[i], a.Z[i]);
                box.Remap(ref a.X[i], ref a.Y[i], ref a.Z[i], ref a.ImageA[i], ref a.ImageB[i], ref a.ImageC[i]);
                if (x0 == a.X[i] && y0 == a.Y[i] && z0 == a.Z[i]) break;
            }
        }
        sim.ForgetLastRun();
    }

    /// <summary>The files as the deck named them.</summary>
    public IReadOnlyList<string> Files => _shownFiles;
}
