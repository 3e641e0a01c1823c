namespace DeepMD.Sharp.IO;

/// <summary>Dump file layouts.</summary>
public enum DumpStyle
{
    /// <summary><c>dump atom</c>: id type xs ys zs (scaled coordinates).</summary>
    Atom,

    /// <summary><c>dump custom</c>: the listed columns.</summary>
    Custom,

    /// <summary><c>dump xyz</c>: element-or-type x y z.</summary>
    Xyz,

    /// <summary>
    /// <c>dump extxyz</c>: extended XYZ frames (ASE, OVITO, <c>dpsharp eval</c>): <c>Lattice</c>, <c>pbc</c>,
    /// <c>Properties=species:S:1:pos:R:3:vel:R:3:forces:R:3</c>, <c>energy</c> (potential) and <c>Timestep</c>; positions
    /// relative to the box origin, values in the run's units.
    /// </summary>
    ExtXyz,
}
