namespace DeepMD.Sharp.Dynamics.Output;

using System.Globalization;
using System.Text;
using DeepMD.Sharp.Core.Errors;

/// <summary>
/// LAMMPS dump files (<c>dump ID all atom|custom|xyz N file [columns]</c>) written every <see cref="Every"/> steps,
/// including the first step of a run, in LAMMPS' text layout (<c>%d</c> integers, <c>%g</c> reals, box bounds
/// as <c>%-1.16e</c>).
/// </summary>
public sealed class DumpWriter : IRunObserver, IDisposable, Device.IStepSchedule
{
    private static readonly HashSet<string> KnownColumns =
    [
        "id", "type", "element", "mass", "x", "y", "z", "xs", "ys", "zs", "xu", "yu", "zu", "ix", "iy", "iz",
        "vx", "vy", "vz", "fx", "fy", "fz",
    ];

    private readonly StreamWriter _file;
    private readonly StringBuilder _sb = new(1 << 16);
    private long _lastWritten = long.MinValue;

    /// <summary>Opens (truncates) <paramref name="path"/>.</summary>
    public DumpWriter(string id, DumpStyle style, int every, string path, IReadOnlyList<string>? columns = null)
    {
        if (every < 1) throw new UserInputException($"dump {id}: the interval must be a positive number of steps, got {every}");
        Id = id;
        Style = style;
        Every = every;
        Path = path;
        Columns = style switch
        {
            DumpStyle.Atom => ["id", "type", "xs", "ys", "zs"],
            DumpStyle.Xyz => ["element", "x", "y", "z"],
            DumpStyle.ExtXyz => ["element", "x", "y", "z", "vx", "vy", "vz", "fx", "fy", "fz"],
            _ => [.. columns ?? throw new UserInputException($"dump {id} custom needs a list of columns, e.g. 'id type x y z'")],
        };
        foreach (var c in Columns)
        {
            if (!KnownColumns.Contains(c))
            {
                var close = Text.EditDistance.Closest(c, KnownColumns);
                throw new UserInputException($"dump {id}: unknown column '{c}'{(close is null ? "" : $"; did you mean '{close}'?")}; supported: {string.Join(" ", KnownColumns)}");
            }
        }
        _file = new StreamWriter(path, false, new UTF8Encoding(false)) { NewLine = "\n" };
    }

    public string Id { get; }

    public DumpStyle Style { get; }

    public int Every { get; set; }

    public string Path { get; }

    public IReadOnlyList<string> Columns { get; }

    /// <summary>Element names by type (0-based) for the <c>element</c> column and xyz dumps (dump_modify element).</summary>
    public string[]? Elements { get; set; }

    public void RunStarted(Simulation sim) => MaybeWrite(sim);

    public void StepCompleted(Simulation sim) => MaybeWrite(sim);

    /// <inheritdoc/>
    public bool NeedsState(Simulation sim, long step) => step % Every == 0;

    public void RunFinished(Simulation sim) => _file.Flush();

    private void MaybeWrite(Simulation sim)
    {
        if (sim.Step % Every != 0 || sim.Step == _lastWritten) return;
        Write(sim);
    }

    /// <summary>Writes the current frame.</summary>
    public void Write(Simulation sim)
    {
        _lastWritten = sim.Step;
        var a = sim.Atoms;
        var b = sim.Box!;
        var inv = CultureInfo.InvariantCulture;
        _sb.Clear();
        if (Style == DumpStyle.ExtXyz)
        {
            WriteExtXyz(sim);
            return;
        }
        if (Style == DumpStyle.Xyz)
        {
            _sb.Append(a.Count).Append('\n').Append(" Atoms. Timestep: ").Append(sim.Step).Append('\n');
        }
        else
        {
            _sb.Append("ITEM: TIMESTEP\n").Append(sim.Step).Append('\n');
            _sb.Append("ITEM: NUMBER OF ATOMS\n").Append(a.Count).Append('\n');
            var pbc = string.Join(" ", b.Periodic.Select(p => p ? "pp" : "ff"));
            if (b.IsTriclinic)
            {
                _sb.Append("ITEM: BOX BOUNDS xy xz yz ").Append(pbc).Append('\n');
                var xlo = b.Lo[0] + Math.Min(Math.Min(0, b.Xy), Math.Min(b.Xz, b.Xy + b.Xz));
                var xhi = b.Hi[0] + Math.Max(Math.Max(0, b.Xy), Math.Max(b.Xz, b.Xy + b.Xz));
                var ylo = b.Lo[1] + Math.Min(0, b.Yz);
                var yhi = b.Hi[1] + Math.Max(0, b.Yz);
                _sb.Append(CFormat.E(xlo, 16)).Append(' ').Append(CFormat.E(xhi, 16)).Append(' ').Append(CFormat.E(b.Xy, 16)).Append('\n');
                _sb.Append(CFormat.E(ylo, 16)).Append(' ').Append(CFormat.E(yhi, 16)).Append(' ').Append(CFormat.E(b.Xz, 16)).Append('\n');
                _sb.Append(CFormat.E(b.Lo[2], 16)).Append(' ').Append(CFormat.E(b.Hi[2], 16)).Append(' ').Append(CFormat.E(b.Yz, 16)).Append('\n');
            }
            else
            {
                _sb.Append("ITEM: BOX BOUNDS ").Append(pbc).Append('\n');
                for (var d = 0; d < 3; d++)
                    _sb.Append(CFormat.E(b.Lo[d], 16)).Append(' ').Append(CFormat.E(b.Hi[d], 16)).Append('\n');
            }
            _sb.Append("ITEM: ATOMS ").Append(string.Join(" ", Columns)).Append('\n');
        }
        var h = b.Cell.Matrix;
        for (var i = 0; i < a.Count; i++)
        {
            for (var c = 0; c < Columns.Count; c++)
            {
                if (c > 0) _sb.Append(' ');
                double ia = a.ImageA[i], ib = a.ImageB[i], ic = a.ImageC[i];
                switch (Columns[c])
                {
                    case "id": _sb.Append(a.Id[i].ToString(inv)); break;
                    case "type": _sb.Append((a.Type[i] + 1).ToString(inv)); break;
                    case "element": _sb.Append(Elements is { } el && a.Type[i] < el.Length ? el[a.Type[i]] : (a.Type[i] + 1).ToString(inv)); break;
                    case "mass": _sb.Append(CFormat.G(sim.Masses[a.Type[i]])); break;
                    case "x": _sb.Append(CFormat.G(a.X[i])); break;
                    case "y": _sb.Append(CFormat.G(a.Y[i])); break;
                    case "z": _sb.Append(CFormat.G(a.Z[i])); break;
                    case "xs": _sb.Append(CFormat.G(b.Cell.ToFractional(a.X[i] - b.Lo[0], a.Y[i] - b.Lo[1], a.Z[i] - b.Lo[2]).A)); break;
                    case "ys": _sb.Append(CFormat.G(b.Cell.ToFractional(a.X[i] - b.Lo[0], a.Y[i] - b.Lo[1], a.Z[i] - b.Lo[2]).B)); break;
                    case "zs": _sb.Append(CFormat.G(b.Cell.ToFractional(a.X[i] - b.Lo[0], a.Y[i] - b.Lo[1], a.Z[i] - b.Lo[2]).C)); break;
                    case "xu": _sb.Append(CFormat.G(a.X[i] + ia * h[0] + ib * h[3] + ic * h[6])); break;
                    case "yu": _sb.Append(CFormat.G(a.Y[i] + ia * h[1] + ib * h[4] + ic * h[7])); break;
                    case "zu": _sb.Append(CFormat.G(a.Z[i] + ia * h[2] + ib * h[5] + ic * h[8])); break;
                    case "ix": _sb.Append(a.ImageA[i].ToString(inv)); break;
                    case "iy": _sb.Append(a.ImageB[i].ToString(inv)); break;
                    case "iz": _sb.Append(a.ImageC[i].ToString(inv)); break;
                    case "vx": _sb.Append(CFormat.G(a.Vx[i])); break;
                    case "vy": _sb.Append(CFormat.G(a.Vy[i])); break;
                    case "vz": _sb.Append(CFormat.G(a.Vz[i])); break;
                    case "fx": _sb.Append(CFormat.G(a.Fx[i])); break;
                    case "fy": _sb.Append(CFormat.G(a.Fy[i])); break;
                    case "fz": _sb.Append(CFormat.G(a.Fz[i])); break;
                }
            }
            _sb.Append('\n');
        }
        _file.Write(_sb);
    }

    private void WriteExtXyz(Simulation sim)
    {
        var a = sim.Atoms;
        var b = sim.Box!;
        var inv = CultureInfo.InvariantCulture;
        _sb.Append(a.Count).Append('\n');
        _sb.Append("Lattice=\"").AppendJoin(' ', b.Cell.Matrix.ToArray().Select(v => v.ToString("R", inv))).Append('"');
        _sb.Append(" Properties=species:S:1:pos:R:3:vel:R:3:forces:R:3");
        _sb.Append(" energy=").Append(sim.PotentialEnergy.ToString("R", inv));
        _sb.Append(" pbc=\"").AppendJoin(' ', b.Periodic.Select(p => p ? "T" : "F")).Append('"');
        _sb.Append(" Timestep=").Append(sim.Step.ToString(inv)).Append('\n');
        for (var i = 0; i < a.Count; i++)
        {
            var t = a.Type[i];
            _sb.Append(Elements is { } el && t < el.Length ? el[t] : (t + 1).ToString(inv));
            foreach (var v in (ReadOnlySpan<double>)[a.X[i] - b.Lo[0], a.Y[i] - b.Lo[1], a.Z[i] - b.Lo[2], a.Vx[i], a.Vy[i], a.Vz[i], a.Fx[i], a.Fy[i], a.Fz[i]])
                _sb.Append(' ').Append(v.ToString("R", inv));
            _sb.Append('\n');
        }
        _file.Write(_sb);
    }

    public void Dispose() => _file.Dispose();
}
