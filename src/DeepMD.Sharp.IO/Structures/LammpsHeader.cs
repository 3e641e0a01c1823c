namespace DeepMD.Sharp.IO;

/// <summary>The header values of a LAMMPS data file that the reader uses.</summary>
internal sealed class LammpsHeader
{
    public int? Atoms { get; set; }

    public int? AtomTypes { get; set; }

    public int? Bonds { get; set; }

    public int? Angles { get; set; }

    public int? Dihedrals { get; set; }

    public int? Impropers { get; set; }

    public int? BondTypes { get; set; }

    public int? AngleTypes { get; set; }

    public int? DihedralTypes { get; set; }

    public int? ImproperTypes { get; set; }

    public (double Lo, double Hi)? X { get; set; }

    public (double Lo, double Hi)? Y { get; set; }

    public (double Lo, double Hi)? Z { get; set; }

    /// <summary>Whether the header has an 'xy xz yz' line (LAMMPS then makes the box triclinic, even with zero tilts).</summary>
    public bool HasTilt { get; set; }

    public double Xy { get; set; }

    public double Xz { get; set; }

    public double Yz { get; set; }

    /// <summary>Line of the 'xlo xhi' keyword, for box errors.</summary>
    public int? BoxLine { get; set; }
}
