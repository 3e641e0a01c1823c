namespace DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// A fix that changes the forces of its group's atoms after every force evaluation, at LAMMPS' three points: setup (MD
/// and minimization), MD's post-force phase and the minimizer's post-force hook, in the order the fixes were defined
/// (setforce, addforce, aveforce, enforce2d, indent). Keeps the group membership of the atoms in storage order, set
/// again at every <see cref="Init"/> (after the atoms are sorted or migrate).
/// </summary>
public abstract class GroupForceFix : Fix
{
    protected GroupForceFix(string id) : base(id) { }

    /// <summary>Whether the atom at each storage index belongs to the fix's group.</summary>
    protected bool[] Member { get; private set; } = [];

    public override bool SupportsGroups => true;

    public override void Init(Simulation sim)
    {
        Check(sim);
        var a = sim.Atoms;
        if (Member.Length != a.Count) Member = new bool[a.Count];
        for (var i = 0; i < a.Count; i++) Member[i] = Group.Contains(a.Id[i]);
    }

    /// <summary>The fix's own checks of the simulation at <see cref="Init"/> (none by default).</summary>
    protected virtual void Check(Simulation sim) { }

    public override void Setup(Simulation sim) => Apply(sim);

    public override void PostForce(Simulation sim) => Apply(sim);

    public override void MinPostForce(Simulation sim) => Apply(sim);

    /// <summary>Changes the forces of the group's atoms.</summary>
    protected abstract void Apply(Simulation sim);
}
