namespace DeepMD.Sharp.Tests.Input;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Tests.Support;

/// <summary>Hostile and mistaken decks (issue 16): each one a clear error, never a crash or a silent NaN.</summary>
[TestFixture]
public class DeckHardeningTests
{
    private const string Lj = "units lj\nlattice fcc 0.8442\nregion box block 0 2 0 2 0 2\ncreate_box 1 box\ncreate_atoms 1 box\nmass 1 1.0\n";

    [Test]
    public void VelocityCreateRefusesANegativeTemperature()
    {
        using var s = new DeckSession(new StringWriter(), RepoPaths.TempDir(), null);
        s.Runner.RunText("in.v", Lj);
        var ex = Assert.Throws<UserInputException>(() => s.Runner.RunText("in.v", "velocity all create -300 4928459"));
        Assert.That(ex!.Message, Does.StartWith("in.v:1: velocity: "));
        Assert.That(ex.Message, Does.Contain("temperature").And.Contain("-300"));
        ex = Assert.Throws<UserInputException>(() => s.Runner.RunText("in.v", "velocity all scale -1.5"));
        Assert.That(ex!.Message, Does.Contain("temperature").And.Contain("-1.5"));
        // Zero is a valid temperature (atoms at rest), as in LAMMPS.
        s.Runner.RunText("in.v", "velocity all create 0.0 4928459");
        Assert.That(s.Simulation!.Atoms.Vx.Concat(s.Simulation.Atoms.Vy).Concat(s.Simulation.Atoms.Vz), Is.All.EqualTo(0.0));
    }
}
