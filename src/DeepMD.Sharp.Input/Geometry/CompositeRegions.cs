namespace DeepMD.Sharp.Input.Geometry;

/// <summary><c>region ID plane px py pz nx ny nz</c> in box units: in when (r − p)·n̂ ≥ 0 (on the normal's side or on the plane).</summary>
public sealed record PlaneRegion(string Id, double X, double Y, double Z, double Nx, double Ny, double Nz, bool Inside = true) : Region(Id, Inside)
{
    protected override bool InShape(double x, double y, double z) => (x - X) * Nx + (y - Y) * Ny + (z - Z) * Nz >= 0.0;
}

/// <summary><c>region ID union N reg1 reg2 ...</c>: in when the point is in any of the sub-regions (each with its own side and motion).</summary>
public sealed record UnionRegion(string Id, IReadOnlyList<Region> Parts, bool Inside = true) : Region(Id, Inside)
{
    protected override bool InShape(double x, double y, double z)
    {
        foreach (var r in Parts)
            if (r.Contains(x, y, z)) return true;
        return false;
    }

    /// <summary>LAMMPS: the box around every member's box, when every member has one.</summary>
    protected override RegionExtent? ShapeExtent
    {
        get
        {
            const double Big = 1.0e20;
            double xlo = Big, ylo = Big, zlo = Big, xhi = -Big, yhi = -Big, zhi = -Big;
            foreach (var r in Parts)
            {
                if (r.Extent is not { } e) return null;
                (xlo, ylo, zlo) = (Math.Min(xlo, e.XLo), Math.Min(ylo, e.YLo), Math.Min(zlo, e.ZLo));
                (xhi, yhi, zhi) = (Math.Max(xhi, e.XHi), Math.Max(yhi, e.YHi), Math.Max(zhi, e.ZHi));
            }
            return new(xlo, xhi, ylo, yhi, zlo, zhi);
        }
    }
}

/// <summary><c>region ID intersect N reg1 reg2 ...</c>: in when the point is in every sub-region (each with its own side and motion).</summary>
public sealed record IntersectRegion(string Id, IReadOnlyList<Region> Parts, bool Inside = true) : Region(Id, Inside)
{
    protected override bool InShape(double x, double y, double z)
    {
        foreach (var r in Parts)
            if (!r.Contains(x, y, z)) return false;
        return true;
    }

    /// <summary>LAMMPS: the overlap of the boxes of the members that have one (none when no member has one).</summary>
    protected override RegionExtent? ShapeExtent
    {
        get
        {
            RegionExtent? box = null;
            foreach (var r in Parts)
            {
                if (r.Extent is not { } e) continue;
                box = box is not { } b ? e : new(Math.Max(b.XLo, e.XLo), Math.Min(b.XHi, e.XHi), Math.Max(b.YLo, e.YLo), Math.Min(b.YHi, e.YHi),
                    Math.Max(b.ZLo, e.ZLo), Math.Min(b.ZHi, e.ZHi));
            }
            return box;
        }
    }
}
