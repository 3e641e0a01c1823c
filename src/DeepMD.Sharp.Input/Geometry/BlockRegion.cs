namespace DeepMD.Sharp.Input.Geometry;

/// <summary><c>region ID block xlo xhi ylo yhi zlo zhi</c> in box units (the command converts lattice units).</summary>
public sealed record BlockRegion(string Id, double XLo, double XHi, double YLo, double YHi, double ZLo, double ZHi, bool Inside = true)
    : Region(Id, Inside)
{
    /// <summary>Whether a point is in the region (bounds inclusive, as LAMMPS' region block).</summary>
    protected override bool InShape(double x, double y, double z) =>
        x >= XLo && x <= XHi && y >= YLo && y <= YHi && z >= ZLo && z <= ZHi;

    protected override RegionExtent? ShapeExtent => new(XLo, XHi, YLo, YHi, ZLo, ZHi);
}
