namespace DeepMD.Sharp.Tests.Input;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Tests.Dynamics;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// <c>thermo_modify format N|line|float|int|none</c> with LAMMPS' precedence (a column's own format, then float/int,
/// then the line's word, then the default), and lattice units without a lattice command (LAMMPS' default lattice
/// <c>none 1.0</c>: region, create_atoms single, velocity), against Debian's <c>lmp</c>: every printed thermo line equal
/// character for character.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class ThermoFormatsAndDefaultLatticeVersusLammpsTests
{
    private static List<string> ThermoLines(string output)
    {
        var lines = new List<string>();
        var inTable = false;
        foreach (var line in output.Replace("\r", "").Split('\n'))
        {
            if (line.TrimStart().StartsWith("Step", StringComparison.Ordinal)) inTable = true;
            else if (line.StartsWith("Loop time", StringComparison.Ordinal)) inTable = false;
            if (inTable && line.Trim().Length > 0 && !line.StartsWith("WARNING", StringComparison.Ordinal)) lines.Add(line);
        }
        return lines;
    }

    [Test]
    public void ColumnLineFloatIntAndNoneFormatsPrintAsLammps()
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.deck");
        File.WriteAllText(path, """
            units lj
            region box block 0 4 0 4 0 4
            create_box 1 box
            create_atoms 1 single 1 1 1
            create_atoms 1 single 2.1 1 1
            create_atoms 1 single 1 2.2 1.3
            create_atoms 1 single 3.0 3.1 2.9
            mass 1 1
            velocity all set 0.5 0.2 0.1 units lattice
            velocity all ramp vx 0 1 x 0 4
            pair_style lj/cut 2.5
            pair_coeff * * 1 1
            fix 1 all nve
            thermo_style custom step temp pe ke etotal press atoms
            thermo_modify format 1 %6i format 2 %7.2g format line "%5d %10.4f %10.4f %12.6e %g %8.3f %d"
            thermo 10
            run 30
            thermo_modify format float %14.9f format 4 %10.5g format int %4d
            run 20
            thermo_modify format none
            run 10
            thermo_style custom step pe
            run 10
            """ + "\n");
        var theirs = ThermoLines(LammpsHarness.RunLammps(lmp, path, dir));
        var ours = ThermoLines(LammpsHarness.RunDpsharp(path, dir));
        Assert.That(theirs, Has.Count.EqualTo(4 + 1 + 3 + 1 + 2 + 1 + 2 + 1));
        Assert.That(ours, Is.EqualTo(theirs));
    }

    [TestCase("thermo_modify format 9 %g\n", "Illegal thermo_modify command")]
    [TestCase("thermo_modify format int %5g\n", "Thermo_modify int format does not contain d character")]
    [TestCase("thermo_modify format float\n", "Illegal thermo_modify command")]
    [TestCase("thermo_modify lost sometimes\n", "Illegal thermo_modify command")]
    public void RefusesWithLammpsErrorText(string line, string text)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.bad");
        File.WriteAllText(path, "units lj\nregion box block 0 4 0 4 0 4\ncreate_box 1 box\nthermo_style custom step pe\n" + line);
        var lammps = LammpsHarness.RunLammps(lmp, path, dir, expectFailure: true);
        Assert.That(lammps, Does.Contain("ERROR: " + text));
        var e = Assert.Throws(Is.InstanceOf<UserInputException>(), () => LammpsHarness.RunDpsharp(path, dir));
        Assert.That(e!.Message, Does.Contain(text));
    }
}
