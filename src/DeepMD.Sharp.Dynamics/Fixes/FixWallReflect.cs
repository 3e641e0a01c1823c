namespace DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// <c>fix ID GROUP wall/reflect face coord ...</c>: flat walls at fixed coordinates on non-periodic faces; after the
/// initial integration of every step (LAMMPS' post_integrate, before neighbor lists and forces) an atom of the group
/// that has crossed a wall is put back at its mirror image and its velocity component normal to the wall reversed,
/// as LAMMPS' fix wall/reflect.
/// </summary>
public sealed class FixWallReflect : Fix
{
    private readonly (int Dim, bool Hi, double Coord)[] _walls;
    private bool[] _member = [];

    /// <param name="id">Fix id.</param>
    /// <param name="walls">Each wall: dimension (0 x, 1 y, 2 z), upper (hi) or lower face, coordinate (distance units).</param>
    public FixWallReflect(string id, IEnumerable<(int Dim, bool Hi, double Coord)> walls) : base(id) => _walls = [.. walls];

    public override string Style => "wall/reflect";

    public override bool SupportsGroups => true;

    public override void Init(Simulation sim)
    {
        var a = sim.Atoms;
        if (_member.Length != a.Count) _member = new bool[a.Count];
        for (var i = 0; i < a.Count; i++) _member[i] = Group.Contains(a.Id[i]);
    }

    public override void PostIntegrate(Simulation sim)
    {
        var a = sim.Atoms;
        if (_member.Length != a.Count) Init(sim); // atoms inserted during the run (fix deposit)
        foreach (var (dim, hi, coord) in _walls)
        {
            var x = dim switch { 0 => a.X, 1 => a.Y, _ => a.Z };
            var v = dim switch { 0 => a.Vx, 1 => a.Vy, _ => a.Vz };
            for (var i = 0; i < a.Count; i++)
            {
                if (!_member[i]) continue;
                if (!hi && x[i] < coord)
                {
                    x[i] = coord + (coord - x[i]);
                    v[i] = -v[i];
                }
                else if (hi && x[i] > coord)
                {
                    x[i] = coord - (x[i] - coord);
                    v[i] = -v[i];
                }
            }
        }
    }
}
