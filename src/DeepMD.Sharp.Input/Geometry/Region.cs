namespace DeepMD.Sharp.Input.Geometry;

/// <summary>
/// A LAMMPS region in box units; <see cref="Contains"/> is LAMMPS' match(): for a moving/rotating region the point is
/// first taken back to the region's own frame (<see cref="Motion"/>), then tested against the shape, honouring
/// <c>side in|out</c> (<see cref="Inside"/> false: the complement; a point on the surface is in the shape, so it is
/// not in the complement).
/// </summary>
public abstract record Region(string Id, bool Inside)
{
    /// <summary><c>move</c>/<c>rotate</c>: the region's displacement and rotation from equal-style variables; null when static.</summary>
    public RegionMotion? Motion { get; init; }

    /// <summary>Whether a point is in the region, honouring <c>side in|out</c> and the region's motion.</summary>
    public bool Contains(double x, double y, double z)
    {
        Motion?.Inverse(ref x, ref y, ref z);
        return InShape(x, y, z) == Inside;
    }

    /// <summary>Whether a point (in the region's own frame) is in the shape or on its surface (LAMMPS' inside()).</summary>
    protected abstract bool InShape(double x, double y, double z);

    /// <summary>
    /// LAMMPS' bounding box of the region (bboxflag, extent_xlo…extent_zhi), fixed when the region is defined (a moving
    /// region keeps its initial one, as LAMMPS): null for <c>side out</c>, for a plane, and for a union with a member
    /// that has none; an intersection takes the overlap of its members' boxes.
    /// </summary>
    public RegionExtent? Extent => Inside ? ShapeExtent : null;

    /// <summary>The shape's bounding box (<see cref="Extent"/> for <c>side in</c>); null when it has none.</summary>
    protected virtual RegionExtent? ShapeExtent => null;
}

/// <summary>A region's bounding box in box units (LAMMPS' extent_xlo … extent_zhi).</summary>
public readonly record struct RegionExtent(double XLo, double XHi, double YLo, double YHi, double ZLo, double ZHi);

/// <summary>
/// LAMMPS' region options <c>move v_x v_y v_z</c> (each or NULL; displacements in box units) and
/// <c>rotate v_theta Px Py Pz Rx Ry Rz</c> (angle in radians about the axis R through P, right-hand rule): the region
/// is rotated first, then displaced; the variables are evaluated at each test, so the region follows them during a run.
/// </summary>
public sealed class RegionMotion(Func<double>? dx, Func<double>? dy, Func<double>? dz, Func<double>? theta,
    (double X, double Y, double Z) point, (double X, double Y, double Z) axis)
{
    /// <summary>Takes a point of the moved region back to the region's frame: undisplace, then unrotate (as LAMMPS' inverse_transform).</summary>
    public void Inverse(ref double x, ref double y, ref double z)
    {
        if (dx is not null) x -= dx();
        if (dy is not null) y -= dy();
        if (dz is not null) z -= dz();
        if (theta is null) return;
        var angle = -theta();
        double sin = Math.Sin(angle), cos = Math.Cos(angle);
        double d0 = x - point.X, d1 = y - point.Y, d2 = z - point.Z;
        var along = d0 * axis.X + d1 * axis.Y + d2 * axis.Z;
        double c0 = along * axis.X, c1 = along * axis.Y, c2 = along * axis.Z;
        double a0 = d0 - c0, a1 = d1 - c1, a2 = d2 - c2;
        double b0 = axis.Y * a2 - axis.Z * a1, b1 = axis.Z * a0 - axis.X * a2, b2 = axis.X * a1 - axis.Y * a0;
        x = point.X + c0 + (a0 * cos + b0 * sin);
        y = point.Y + c1 + (a1 * cos + b1 * sin);
        z = point.Z + c2 + (a2 * cos + b2 * sin);
    }
}
