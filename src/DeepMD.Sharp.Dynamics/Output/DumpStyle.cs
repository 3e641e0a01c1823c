namespace DeepMD.Sharp.Dynamics.Output;

/// <summary>Dump file layouts.</summary>
public enum DumpStyle
{
    /// <summary><c>dump atom</c>: id type xs ys zs (scaled coordinates).</summary>
    Atom,

    /// <summary><c>dump custom</c>: the listed columns.</summary>
    Custom,

    /// <summary><c>dump xyz</c>: element-or-type x y z.</summary>
    Xyz,
}
