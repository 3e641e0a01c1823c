namespace DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// <c>fix ID GROUP addforce fx fy fz [region R]</c> with constant values: adds the force to every atom of the group
/// (inside the region, when one is given) after each force evaluation, at setup, in MD's post-force phase and in the
/// minimizer's, as LAMMPS' fix addforce. The energy of the added field is not added to the potential energy (LAMMPS
/// adds it only with fix_modify energy yes).
/// </summary>
public sealed class FixAddForce : Fix
{
    private readonly double _fx, _fy, _fz;
    private readonly Func<double, double, double, bool>? _region;
    private bool[] _member = [];

    public FixAddForce(string id, double fx, double fy, double fz, Func<double, double, double, bool>? region = null) : base(id)
    {
        (_fx, _fy, _fz) = (fx, fy, fz);
        _region = region;
    }

    public override string Style => "addforce";

    public override bool SupportsGroups => true;

    public override void Init(Simulation sim)
    {
        var a = sim.Atoms;
        if (_member.Length != a.Count) _member = new bool[a.Count];
        for (var i = 0; i < a.Count; i++) _member[i] = Group.Contains(a.Id[i]);
    }

    public override void Setup(Simulation sim) => Apply(sim);

    public override void PostForce(Simulation sim) => Apply(sim);

    public override void MinPostForce(Simulation sim) => Apply(sim);

    private void Apply(Simulation sim)
    {
        var a = sim.Atoms;
        for (var i = 0; i < a.Count; i++)
        {
            if (!_member[i] || (_region is { } r && !r(a.X[i], a.Y[i], a.Z[i]))) continue;
            a.Fx[i] += _fx;
            a.Fy[i] += _fy;
            a.Fz[i] += _fz;
        }
    }
}
