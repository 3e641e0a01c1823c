namespace DeepMD.Sharp.Input.Geometry;

/// <summary><c>region ID sphere x y z radius</c> in box units: a point is in when its distance to the centre is at most the radius.</summary>
public sealed record SphereRegion(string Id, double X, double Y, double Z, double Radius, bool Inside = true) : Region(Id, Inside)
{
    protected override bool InShape(double x, double y, double z)
    {
        double dx = x - X, dy = y - Y, dz = z - Z;
        return dx * dx + dy * dy + dz * dz <= Radius * Radius;
    }

    protected override RegionExtent? ShapeExtent => new(X - Radius, X + Radius, Y - Radius, Y + Radius, Z - Radius, Z + Radius);
}

/// <summary>
/// <c>region ID cylinder x|y|z c1 c2 radius lo hi</c> in box units: an axis along <see cref="Axis"/> (0, 1, 2) through
/// (c1, c2) in the other two coordinates in order; in when within the radius of the axis and lo ≤ coordinate ≤ hi.
/// </summary>
public sealed record CylinderRegion(string Id, int Axis, double C1, double C2, double Radius, double Lo, double Hi, bool Inside = true)
    : Region(Id, Inside)
{
    protected override bool InShape(double x, double y, double z)
    {
        var (a, b, along) = Axis switch { 0 => (y, z, x), 1 => (x, z, y), _ => (x, y, z) };
        double d1 = a - C1, d2 = b - C2;
        return d1 * d1 + d2 * d2 <= Radius * Radius && along >= Lo && along <= Hi;
    }

    protected override RegionExtent? ShapeExtent => Axis switch
    {
        0 => new(Lo, Hi, C1 - Radius, C1 + Radius, C2 - Radius, C2 + Radius),
        1 => new(C1 - Radius, C1 + Radius, Lo, Hi, C2 - Radius, C2 + Radius),
        _ => new(C1 - Radius, C1 + Radius, C2 - Radius, C2 + Radius, Lo, Hi),
    };
}
