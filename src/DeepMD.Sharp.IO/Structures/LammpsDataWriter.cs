namespace DeepMD.Sharp.IO;

using DeepMD.Sharp.Core.Files;
using System.Globalization;
using System.Text;
using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.Core.Geometry;

/// <summary>
/// Writes atoms and box as a LAMMPS data file in LAMMPS' <c>write_data</c> layout: header (atoms, types, the bonded
/// counts of a molecular style) with box and tilts, Masses, coefficient sections, <c>Atoms # STYLE</c> with the
/// style's columns (id [mol] type [q] x y z ix iy iz, positions mapped into the box and image counts adjusted, as
/// write_data does), Velocities, Bonds, Angles, Dihedrals, Impropers (numbered in order). Numbers are written with round-trip precision. The file is
/// written under a temporary name and renamed, so a reader never sees half a file.
/// </summary>
public static class LammpsDataWriter
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Writes <paramref name="a"/> in <paramref name="box"/> to <paramref name="path"/>.</summary>
    /// <param name="path">The data file.</param>
    /// <param name="box">The box (bounds, tilts).</param>
    /// <param name="a">The atoms (ids, 0-based types, positions with image counts, velocities).</param>
    /// <param name="typeCount">Number of atom types.</param>
    /// <param name="masses">Mass of each 0-based type; NaN for a type without one (not written).</param>
    /// <param name="timestep">Step for the title line.</param>
    /// <param name="units">Unit style name for the title line.</param>
    /// <param name="coeffs">Coefficient sections to write after Masses (e.g. ("Bond Coeffs", "harmonic", ["1 100 1.1"])), in order.</param>
    public static void Write(string path, SimulationBox box, AtomState a, int typeCount, IReadOnlyList<double> masses, long timestep, string units,
        IReadOnlyList<(string Section, string? Style, IReadOnlyList<string> Lines)>? coeffs = null)
    {
        var topo = a.Topology;
        var molecular = a.HasMolecule;
        var sb = new StringBuilder(128 + a.Count * 160);
        sb.Append("LAMMPS data file via dpsharp write_data, timestep = ").Append(timestep.ToString(Inv)).Append(", units = ").Append(units).Append('\n');
        sb.Append('\n');
        sb.Append(a.Count.ToString(Inv)).Append(" atoms\n");
        sb.Append(typeCount.ToString(Inv)).Append(" atom types\n");
        if (molecular)
        {
            // LAMMPS' write_data: each kind with terms or types, in this order.
            void Counts(int n, int types, string kind)
            {
                if (n == 0 && types == 0) return;
                sb.Append(n.ToString(Inv)).Append(' ').Append(kind).Append("s\n");
                sb.Append(types.ToString(Inv)).Append(' ').Append(kind).Append(" types\n");
            }
            Counts(topo.Bonds.Count, topo.BondTypes, "bond");
            Counts(topo.Angles.Count, topo.AngleTypes, "angle");
            Counts(topo.Dihedrals.Count, topo.DihedralTypes, "dihedral");
            Counts(topo.Impropers.Count, topo.ImproperTypes, "improper");
        }
        sb.Append('\n');
        sb.Append(R(box.Lo[0])).Append(' ').Append(R(box.Hi[0])).Append(" xlo xhi\n");
        sb.Append(R(box.Lo[1])).Append(' ').Append(R(box.Hi[1])).Append(" ylo yhi\n");
        sb.Append(R(box.Lo[2])).Append(' ').Append(R(box.Hi[2])).Append(" zlo zhi\n");
        if (box.IsTriclinic) sb.Append(R(box.Xy)).Append(' ').Append(R(box.Xz)).Append(' ').Append(R(box.Yz)).Append(" xy xz yz\n");
        if (masses.Any(m => !double.IsNaN(m)))
        {
            sb.Append("\nMasses\n\n");
            for (var t = 0; t < typeCount; t++)
                if (!double.IsNaN(masses[t])) sb.Append((t + 1).ToString(Inv)).Append(' ').Append(R(masses[t])).Append('\n');
        }
        foreach (var (section, style, lines) in coeffs ?? [])
        {
            sb.Append('\n').Append(section);
            if (style is not null) sb.Append(" # ").Append(style);
            sb.Append("\n\n");
            foreach (var line in lines) sb.Append(line).Append('\n');
        }
        sb.Append("\nAtoms # ").Append(a.Style).Append("\n\n");
        for (var i = 0; i < a.Count; i++)
        {
            double x = a.X[i], y = a.Y[i], z = a.Z[i];
            int ia = a.ImageA[i], ib = a.ImageB[i], ic = a.ImageC[i];
            for (var guard = 0; guard < 1_000_000; guard++)
            {
                int pa = ia, pb = ib, pc = ic;
                box.Remap(ref x, ref y, ref z, ref ia, ref ib, ref ic);
                if (pa == ia && pb == ib && pc == ic) break;
            }
            sb.Append(a.Id[i].ToString(Inv)).Append(' ');
            if (molecular) sb.Append(a.Molecule[i].ToString(Inv)).Append(' ');
            sb.Append((a.Type[i] + 1).ToString(Inv)).Append(' ');
            if (a.HasCharge) sb.Append(R(a.Q[i])).Append(' ');
            sb.Append(R(x)).Append(' ').Append(R(y)).Append(' ').Append(R(z)).Append(' ')
              .Append(ia.ToString(Inv)).Append(' ').Append(ib.ToString(Inv)).Append(' ').Append(ic.ToString(Inv)).Append('\n');
        }
        sb.Append("\nVelocities\n\n");
        for (var i = 0; i < a.Count; i++)
            sb.Append(a.Id[i].ToString(Inv)).Append(' ').Append(R(a.Vx[i])).Append(' ').Append(R(a.Vy[i])).Append(' ').Append(R(a.Vz[i])).Append('\n');
        if (molecular)
        {
            string[] names = ["Bonds", "Angles", "Dihedrals", "Impropers"];
            var k = 0;
            foreach (var list in topo.All())
            {
                var name = names[k++];
                if (list.Count == 0) continue;
                sb.Append('\n').Append(name).Append("\n\n");
                for (var j = 0; j < list.Count; j++)
                {
                    var t = list[j];
                    sb.Append((j + 1).ToString(Inv)).Append(' ').Append(t.Type.ToString(Inv)).Append(' ').Append(t.A.ToString(Inv)).Append(' ').Append(t.B.ToString(Inv));
                    if (t.C != 0) sb.Append(' ').Append(t.C.ToString(Inv));
                    if (t.D != 0) sb.Append(' ').Append(t.D.ToString(Inv));
                    sb.Append('\n');
                }
            }
        }

        var full = Path.GetFullPath(path);
        var tmp = full + ".tmp" + Environment.ProcessId.ToString(Inv);
        try
        {
            File.WriteAllText(tmp, sb.ToString());
            DurableFile.FlushAndMove(tmp, full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(tmp); } catch (IOException) { }
            throw new Core.Errors.UserInputException($"cannot write data file '{path}': {e.Message}");
        }
    }

    /// <summary>Shortest round-trip text of a double, with a lower-case exponent.</summary>
    private static string R(double v) => v.ToString("R", Inv).Replace('E', 'e');
}
