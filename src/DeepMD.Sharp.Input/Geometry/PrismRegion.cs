namespace DeepMD.Sharp.Input.Geometry;

/// <summary>
/// <c>region ID prism xlo xhi ylo yhi zlo zhi xy xz yz</c> in box units: the parallelepiped with corner (xlo, ylo, zlo)
/// and edge vectors a = (xhi−xlo, 0, 0), b = (xy, yhi−ylo, 0), c = (xz, yz, zhi−zlo), as LAMMPS' region prism.
/// The inside test uses LAMMPS' inverse matrix term for term, so points on a face are decided as LAMMPS decides them.
/// </summary>
public sealed record PrismRegion(string Id, double XLo, double XHi, double YLo, double YHi, double ZLo, double ZHi,
    double Xy, double Xz, double Yz, bool Inside = true) : Region(Id, Inside)
{
    /// <summary>LAMMPS' stand-in for an INF bound in region prism (region_prism.cpp's BIG).</summary>
    public const double Big = 1.0e20;

    /// <summary>Whether the point's fractional coordinates in the prism are all within [0, 1] (LAMMPS' RegPrism::inside).</summary>
    protected override bool InShape(double x, double y, double z)
    {
        double h00 = XHi - XLo, h11 = YHi - YLo, h22 = ZHi - ZLo;
        var i00 = 1.0 / h00;
        var i01 = -Xy / (h00 * h11);
        var i02 = (Xy * Yz - Xz * h11) / (h00 * h11 * h22);
        var i11 = 1.0 / h11;
        var i12 = -Yz / (h11 * h22);
        var i22 = 1.0 / h22;
        var a = i00 * (x - XLo) + i01 * (y - YLo) + i02 * (z - ZLo);
        var b = i11 * (y - YLo) + i12 * (z - ZLo);
        var c = i22 * (z - ZLo);
        return a >= 0.0 && a <= 1.0 && b >= 0.0 && b <= 1.0 && c >= 0.0 && c <= 1.0;
    }

    /// <summary>LAMMPS' prism extent: the tilts widen x (xy, then xz on top) and y (yz).</summary>
    protected override RegionExtent? ShapeExtent
    {
        get
        {
            var xlo = Math.Min(XLo, XLo + Xy);
            xlo = Math.Min(xlo, xlo + Xz);
            var xhi = Math.Max(XHi, XHi + Xy);
            xhi = Math.Max(xhi, xhi + Xz);
            return new(xlo, xhi, Math.Min(YLo, YLo + Yz), Math.Max(YHi, YHi + Yz), ZLo, ZHi);
        }
    }
}
