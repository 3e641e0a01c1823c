namespace DeepMD.Sharp.Dynamics.Fixes;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Velocities;

/// <summary>
/// <c>fix ID group momentum N linear 1 1 1</c>: every N steps, removes the centre-of-mass velocity (and with
/// <c>angular</c>, the rotation) of the group's atoms, as LAMMPS (decomposed: the group's sums over ranks).
/// </summary>
public sealed class FixMomentum : Fix
{
    private readonly int _every;
    private readonly bool _linear, _angular;

    public FixMomentum(string id, int every, bool linear, bool angular) : base(id)
    {
        if (every < 1) throw new UserInputException($"fix momentum: N must be a positive number of steps, got {every}");
        (_every, _linear, _angular) = (every, linear, angular);
    }

    public override string Style => "momentum";

    public override bool SupportsGroups => true;

    public override void EndOfStep(Simulation sim)
    {
        if (sim.Step % _every != 0) return;
        if (_linear) VelocityGenerator.ZeroMomentum(sim, Group);
        if (_angular) VelocityGenerator.ZeroRotation(sim, Group);
    }
}
