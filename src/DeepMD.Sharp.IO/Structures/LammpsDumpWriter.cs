namespace DeepMD.Sharp.IO;

using System.Globalization;
using System.Text;
using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.Core.Geometry;

/// <summary>
/// Frames of LAMMPS dump files (<c>dump ID all atom|custom|xyz|extxyz N file [columns]</c>) in LAMMPS' text layout
/// (<c>%d</c> integers, <c>%g</c> reals, box bounds as <c>%-1.16e</c>); extxyz frames carry round-trip decimals.
/// When to write a frame is the run's business (Dynamics' <c>DumpWriter</c>); this appends one frame's text.
/// </summary>
public sealed class LammpsDumpWriter
{
    /// <summary>The per-atom columns a custom dump can have.</summary>
    public static readonly IReadOnlySet<string> KnownColumns = new HashSet<string>
    {
        "id", "type", "element", "mass", "x", "y", "z", "xs", "ys", "zs", "xu", "yu", "zu", "ix", "iy", "iz",
        "vx", "vy", "vz", "fx", "fy", "fz",
    };

    /// <summary>
    /// A writer of <paramref name="style"/> frames; <paramref name="columns"/> are a custom dump's (checked by the caller
    /// against <see cref="KnownColumns"/>, or per-atom values the caller supplies with each frame: <see cref="IsValueColumn"/>).
    /// </summary>
    public LammpsDumpWriter(DumpStyle style, IReadOnlyList<string> columns)
    {
        foreach (var c in columns)
            if (!KnownColumns.Contains(c) && !IsValueColumn(c)) throw new ArgumentException($"unknown dump column '{c}'", nameof(columns));
        Style = style;
        Columns = columns;
    }

    public DumpStyle Style { get; }

    /// <summary>Whether a custom dump column is per-atom values supplied with each frame: <c>c_ID</c> or <c>c_ID[N]</c> (a per-atom compute), <c>v_NAME</c> (an atom-style variable), <c>i_NAME</c>/<c>d_NAME</c> (a custom per-atom vector).</summary>
    public static bool IsValueColumn(string column) =>
        System.Text.RegularExpressions.Regex.IsMatch(column, @"^(c_[A-Za-z0-9_]+(\[[1-9][0-9]*\])?|[vid]_[A-Za-z0-9_]+)$");

    public IReadOnlyList<string> Columns { get; }

    /// <summary>Element names by type (0-based) for the <c>element</c> column and xyz dumps (dump_modify element).</summary>
    public string[]? Elements { get; set; }

    /// <summary>The columns of a style other than custom (null for custom, whose columns are the user's).</summary>
    public static IReadOnlyList<string>? DefaultColumns(DumpStyle style) => style switch
    {
        DumpStyle.Atom => ["id", "type", "xs", "ys", "zs"],
        DumpStyle.Xyz => ["element", "x", "y", "z"],
        DumpStyle.ExtXyz => ["element", "x", "y", "z", "vx", "vy", "vz", "fx", "fy", "fz"],
        _ => null,
    };

    /// <summary>
    /// Appends the frame of step <paramref name="step"/> to <paramref name="sb"/>: atoms <paramref name="a"/> (forces
    /// included) in box <paramref name="b"/>; <paramref name="masses"/> by 0-based type for the mass column,
    /// <paramref name="potentialEnergy"/> for extxyz frames.
    /// </summary>
    /// <remarks>
    /// <paramref name="values"/>: for each <see cref="IsValueColumn"/> column, per-atom values (atom-major with
    /// <c>Stride</c> values per atom, this column's at <c>Offset</c>), written with <c>%g</c> as LAMMPS does.
    /// </remarks>
    public void AppendFrame(StringBuilder sb, long step, SimulationBox b, AtomState a, IReadOnlyList<double> masses, double potentialEnergy,
        IReadOnlyDictionary<string, (double[] Values, int Stride, int Offset)>? values = null)
    {
        var inv = CultureInfo.InvariantCulture;
        if (Style == DumpStyle.ExtXyz)
        {
            AppendExtXyz(sb, step, b, a, potentialEnergy);
            return;
        }
        if (Style == DumpStyle.Xyz)
        {
            sb.Append(a.Count).Append('\n').Append(" Atoms. Timestep: ").Append(step).Append('\n');
        }
        else
        {
            sb.Append("ITEM: TIMESTEP\n").Append(step).Append('\n');
            sb.Append("ITEM: NUMBER OF ATOMS\n").Append(a.Count).Append('\n');
            var pbc = string.Join(" ", b.Periodic.Select(p => p ? "pp" : "ff"));
            if (b.IsTriclinic)
            {
                sb.Append("ITEM: BOX BOUNDS xy xz yz ").Append(pbc).Append('\n');
                var xlo = b.Lo[0] + Math.Min(Math.Min(0, b.Xy), Math.Min(b.Xz, b.Xy + b.Xz));
                var xhi = b.Hi[0] + Math.Max(Math.Max(0, b.Xy), Math.Max(b.Xz, b.Xy + b.Xz));
                var ylo = b.Lo[1] + Math.Min(0, b.Yz);
                var yhi = b.Hi[1] + Math.Max(0, b.Yz);
                sb.Append(CFormat.E(xlo, 16)).Append(' ').Append(CFormat.E(xhi, 16)).Append(' ').Append(CFormat.E(b.Xy, 16)).Append('\n');
                sb.Append(CFormat.E(ylo, 16)).Append(' ').Append(CFormat.E(yhi, 16)).Append(' ').Append(CFormat.E(b.Xz, 16)).Append('\n');
                sb.Append(CFormat.E(b.Lo[2], 16)).Append(' ').Append(CFormat.E(b.Hi[2], 16)).Append(' ').Append(CFormat.E(b.Yz, 16)).Append('\n');
            }
            else
            {
                sb.Append("ITEM: BOX BOUNDS ").Append(pbc).Append('\n');
                for (var d = 0; d < 3; d++)
                    sb.Append(CFormat.E(b.Lo[d], 16)).Append(' ').Append(CFormat.E(b.Hi[d], 16)).Append('\n');
            }
            sb.Append("ITEM: ATOMS ").Append(string.Join(" ", Columns)).Append('\n');
        }
        var h = b.Cell.Matrix;
        for (var i = 0; i < a.Count; i++)
        {
            for (var c = 0; c < Columns.Count; c++)
            {
                if (c > 0) sb.Append(' ');
                double ia = a.ImageA[i], ib = a.ImageB[i], ic = a.ImageC[i];
                switch (Columns[c])
                {
                    case "id": sb.Append(a.Id[i].ToString(inv)); break;
                    case "type": sb.Append((a.Type[i] + 1).ToString(inv)); break;
                    case "element": sb.Append(Elements is { } el && a.Type[i] < el.Length ? el[a.Type[i]] : (a.Type[i] + 1).ToString(inv)); break;
                    case "mass": sb.Append(CFormat.G(masses[a.Type[i]])); break;
                    case "x": sb.Append(CFormat.G(a.X[i])); break;
                    case "y": sb.Append(CFormat.G(a.Y[i])); break;
                    case "z": sb.Append(CFormat.G(a.Z[i])); break;
                    case "xs": sb.Append(CFormat.G(b.Cell.ToFractional(a.X[i] - b.Lo[0], a.Y[i] - b.Lo[1], a.Z[i] - b.Lo[2]).A)); break;
                    case "ys": sb.Append(CFormat.G(b.Cell.ToFractional(a.X[i] - b.Lo[0], a.Y[i] - b.Lo[1], a.Z[i] - b.Lo[2]).B)); break;
                    case "zs": sb.Append(CFormat.G(b.Cell.ToFractional(a.X[i] - b.Lo[0], a.Y[i] - b.Lo[1], a.Z[i] - b.Lo[2]).C)); break;
                    case "xu": sb.Append(CFormat.G(a.X[i] + ia * h[0] + ib * h[3] + ic * h[6])); break;
                    case "yu": sb.Append(CFormat.G(a.Y[i] + ia * h[1] + ib * h[4] + ic * h[7])); break;
                    case "zu": sb.Append(CFormat.G(a.Z[i] + ia * h[2] + ib * h[5] + ic * h[8])); break;
                    case "ix": sb.Append(a.ImageA[i].ToString(inv)); break;
                    case "iy": sb.Append(a.ImageB[i].ToString(inv)); break;
                    case "iz": sb.Append(a.ImageC[i].ToString(inv)); break;
                    case "vx": sb.Append(CFormat.G(a.Vx[i])); break;
                    case "vy": sb.Append(CFormat.G(a.Vy[i])); break;
                    case "vz": sb.Append(CFormat.G(a.Vz[i])); break;
                    case "fx": sb.Append(CFormat.G(a.Fx[i])); break;
                    case "fy": sb.Append(CFormat.G(a.Fy[i])); break;
                    case "fz": sb.Append(CFormat.G(a.Fz[i])); break;
                    default:
                        var (v, stride, offset) = values?[Columns[c]] ?? throw new InvalidOperationException($"no values for dump column {Columns[c]}");
                        sb.Append(CFormat.G(v[i * stride + offset]));
                        break;
                }
            }
            sb.Append('\n');
        }
    }

    private void AppendExtXyz(StringBuilder sb, long step, SimulationBox b, AtomState a, double potentialEnergy)
    {
        var inv = CultureInfo.InvariantCulture;
        sb.Append(a.Count).Append('\n');
        sb.Append("Lattice=\"").AppendJoin(' ', b.Cell.Matrix.ToArray().Select(v => v.ToString("R", inv))).Append('"');
        sb.Append(" Properties=species:S:1:pos:R:3:vel:R:3:forces:R:3");
        sb.Append(" energy=").Append(potentialEnergy.ToString("R", inv));
        sb.Append(" pbc=\"").AppendJoin(' ', b.Periodic.Select(p => p ? "T" : "F")).Append('"');
        sb.Append(" Timestep=").Append(step.ToString(inv)).Append('\n');
        for (var i = 0; i < a.Count; i++)
        {
            var t = a.Type[i];
            sb.Append(Elements is { } el && t < el.Length ? el[t] : (t + 1).ToString(inv));
            foreach (var v in (ReadOnlySpan<double>)[a.X[i] - b.Lo[0], a.Y[i] - b.Lo[1], a.Z[i] - b.Lo[2], a.Vx[i], a.Vy[i], a.Vz[i], a.Fx[i], a.Fy[i], a.Fz[i]])
                sb.Append(' ').Append(v.ToString("R", inv));
            sb.Append('\n');
        }
    }
}
