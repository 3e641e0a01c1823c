namespace DeepMD.Sharp.Tests.Input;

using System.Globalization;
using DeepMD.Sharp.Tests.Dynamics;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// <c>write_dump</c> against LAMMPS' own (Debian's lmp) on the same deck: the same lines, atom lines text-identical; the
/// box bounds (LAMMPS' <c>%-1.16e</c>, 17 significant digits) equal to 1e-15 relative, since .NET prints the 17th
/// digit of a double's exact decimal value differently from glibc (as for <c>dump</c>).
/// </summary>
[TestFixture]
public class WriteDumpVersusLammpsTests
{
    [Test]
    public void WriteDump_CustomAndAtom_AreLammpsFrames()
    {
        var lmp = LammpsHarness.RequireLammps();
        const string deck = """
            units lj
            atom_style atomic
            lattice fcc 0.8442
            region box block 0 3 0 4 0 3
            create_box 1 box
            create_atoms 1 box
            mass 1 1.0
            velocity all create 3.0 87287 loop geom
            write_dump all custom wd.*.dump id type x y z vx vy vz modify sort id
            write_dump all atom wda.dump modify sort id

            """;
        var lammpsDir = RepoPaths.TempDir();
        var oursDir = RepoPaths.TempDir();
        File.WriteAllText(Path.Combine(lammpsDir, "in.wd"), deck);
        File.WriteAllText(Path.Combine(oursDir, "in.wd"), deck);
        LammpsHarness.RunLammps(lmp, "in.wd", lammpsDir);
        LammpsHarness.RunDpsharp(Path.Combine(oursDir, "in.wd"), oursDir);
        foreach (var file in new[] { "wd.0.dump", "wda.dump" })
        {
            var expected = File.ReadAllLines(Path.Combine(lammpsDir, file));
            var actual = File.ReadAllLines(Path.Combine(oursDir, file));
            Assert.That(actual, Has.Length.EqualTo(expected.Length), file);
            Assert.That(expected, Has.Length.EqualTo(9 + 144));
            for (var k = 0; k < expected.Length; k++)
            {
                if (k is >= 5 and <= 7)
                {
                    var (e, a) = (expected[k].Split(' '), actual[k].Split(' '));
                    for (var c = 0; c < 2; c++)
                    {
                        var ev = double.Parse(e[c], CultureInfo.InvariantCulture);
                        Assert.That(double.Parse(a[c], CultureInfo.InvariantCulture), Is.EqualTo(ev).Within(1e-15 * Math.Abs(ev)), $"{file} line {k + 1}");
                    }
                }
                else
                    Assert.That(actual[k], Is.EqualTo(expected[k]), $"{file} line {k + 1}");
            }
        }
    }
}
