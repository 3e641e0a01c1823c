namespace DeepMD.Sharp.Tests.Input;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Tests.Dynamics;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// <c>fix adapt … pair</c> (soft a, lj/cut epsilon and sigma; reset, scale, N &gt; 1) and the <c>ramp()</c> function of
/// equal-style variables, compared with Debian's <c>lmp</c> on decks of their own at <c>%20.15g</c>.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class FixAdaptVersusLammpsTests
{
    private static (string Lammps, string Ours) RunBoth(string deck)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.deck");
        File.WriteAllText(path, deck);
        return (LammpsHarness.RunLammps(lmp, path, dir), LammpsHarness.RunDpsharp(path, dir));
    }

    private const string Start = """
        units lj
        atom_style atomic
        lattice fcc 0.8442
        region box block 0 5 0 5 0 5
        create_box 2 box
        create_atoms 1 box
        mass * 1.0
        set type 1 type/fraction 2 0.3 48321
        velocity all create 1.5 87287 loop geom
        neigh_modify delay 0 every 1 check yes
        fix 1 all nve
        """;

    [Test]
    public void SoftPushOffWithARampedPrefactorMatchesLammps()
    {
        // The micelle example's push-off: pair soft's A ramped from 0 through ramp() every step, then a plain second run
        // (LAMMPS' default reset no keeps A at 20); a third run with reset yes gives the starting A back after it.
        var (lammps, ours) = RunBoth(Start + "\n" + """
            pair_style soft 1.12246
            pair_coeff * * 0.0 1.12246
            variable prefactor equal ramp(1.0,20.0)
            fix 3 all adapt 1 pair soft a * * v_prefactor
            thermo_style custom step temp pe etotal press pxy v_prefactor
            thermo_modify format float %20.15g
            thermo 10
            run 100
            unfix 3
            run 20
            variable half equal 0.5*ramp(20.0,10.0)
            fix 3 all adapt 2 pair soft a 1 * v_half reset yes
            run 20
            unfix 3
            run 10
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    [Test]
    public void LjEpsilonScaledEveryFewStepsAndSigmaOfOnePairWithoutResetMatchLammps()
    {
        // scale yes: epsilon of every pair = its value at the run's start × the variable, every 5 steps; sigma of the
        // 1-2 pair set outright and kept after the run (reset no); the 2-2 pair mixes from the changed diagonal.
        var (lammps, ours) = RunBoth(Start + "\n" + """
            pair_style lj/cut 2.5
            pair_coeff 1 1 1.0 1.0
            pair_coeff 2 2 0.7 0.9
            variable s equal 1.0+0.5*ramp(0.0,1.0)
            variable sig equal 1.0-0.05*ramp(0.0,1.0)
            fix 3 all adapt 5 pair lj/cut epsilon * * v_s scale yes
            fix 4 all adapt 1 pair lj/cut sigma 1 2 v_sig reset no
            thermo_style custom step temp pe etotal press pxy
            thermo_modify format float %20.15g
            thermo 10
            run 100
            unfix 3
            unfix 4
            run 20
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    [Test]
    public void UnknownStyleOrParameterIsAnErrorNamingIt()
    {
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.deck");
        File.WriteAllText(path, Start + "\n" + """
            pair_style lj/cut 2.5
            pair_coeff * * 1.0 1.0
            variable s equal 1.0
            fix 3 all adapt 1 pair lj/cut gamma * * v_s
            run 10
            """);
        var ex = Assert.Throws<UserInputException>(() => LammpsHarness.RunDpsharp(path, dir))!;
        Assert.That(ex.Message, Does.Contain("param gamma").And.Contain("epsilon, sigma"));
    }
}
