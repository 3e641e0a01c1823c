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
}
