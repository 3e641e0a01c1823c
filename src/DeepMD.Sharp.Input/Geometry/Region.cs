namespace DeepMD.Sharp.Input.Geometry;

/// <summary>A LAMMPS region (<c>block</c> or <c>prism</c>) in box units; <see cref="Contains"/> is LAMMPS' match().</summary>
public abstract record Region(string Id, bool Inside)
{
    /// <summary>Whether a point is in the region, honouring <c>side in|out</c>.</summary>
    public abstract bool Contains(double x, double y, double z);
}
