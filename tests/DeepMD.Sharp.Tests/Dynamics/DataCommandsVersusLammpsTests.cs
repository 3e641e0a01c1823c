namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Tests.Support;

/// <summary>
/// <c>write_data</c>, <c>replicate</c>, <c>displace_atoms</c> and <c>group</c> compared with LAMMPS: the same deck
/// gives the same thermo rows, and a data file written by dpsharp gives LAMMPS the same energy, pressure and kinetic
/// energy as the system that wrote it.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class DataCommandsVersusLammpsTests
{
    private static (string Lammps, string Ours, string Dir) RunBoth(string deck, string? dir = null)
    {
        var lmp = LammpsHarness.RequireLammps();
        dir ??= RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.deck");
        File.WriteAllText(path, deck);
        return (LammpsHarness.RunLammps(lmp, path, dir), LammpsHarness.RunDpsharp(path, dir), dir);
    }

    private const string Thermo = """
        thermo_style custom step pe ke press pxx pyy pzz pxy pxz pyz lx ly lz atoms
        thermo_modify format float %20.15g
        """;

    [Test]
    public void DisplaceRandomAndReplicateGiveLammpsEnergiesAndPressures()
    {
        var pot = MinimizeVersusLammpsTests.RequirePotentials();
        var (lammps, ours, _) = RunBoth($"""
            units       metal
            lattice     fcc 3.615
            region      box block 0 2 0 2 0 2
            create_box  1 box
            create_atoms 1 box
            mass 1 63.55
            pair_style  eam
            pair_coeff  1 1 {pot}/Cu_u3.eam
            displace_atoms all random 0.3 0.3 0.3 4321
            displace_atoms all move 0.6 -0.25 2.1
            velocity all create 300 5511 loop geom
            {Thermo}
            run 0
            replicate 2 3 2
            run 0
            """);
        var worst = LammpsHarness.AssertSameThermo(lammps, ours, 1e-12);
        Assert.That(worst, Is.LessThan(1e-12));
    }

    [Test]
    public void TriclinicReplicateMatchesLammps()
    {
        var pot = MinimizeVersusLammpsTests.RequirePotentials();
        var dir = RepoPaths.TempDir();
        // A sheared 32-atom copper cell with atoms outside the box and image flags, read by both programs.
        var lines = new List<string> { "triclinic test cell", "", "32 atoms", "1 atom types", "", "0 7.23 xlo xhi", "0 7.23 ylo yhi", "0 7.23 zlo zhi", "0.9 -0.6 0.4 xy xz yz", "", "Masses", "", "1 63.55", "", "Atoms # atomic", "" };
        var id = 1;
        double[][] basis = [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]];
        for (var k = 0; k < 2; k++)
        for (var j = 0; j < 2; j++)
        for (var i = 0; i < 2; i++)
            foreach (var b in basis)
            {
                double fa = (i + b[0]) / 2 + 0.01 * (id % 3), fb = (j + b[1]) / 2 - 0.013 * (id % 2), fc = (k + b[2]) / 2 + 0.007 * (id % 5);
                double x = fa * 7.23 + fb * 0.9 + fc * -0.6, y = fb * 7.23 + fc * 0.4, z = fc * 7.23;
                var img = id % 4 == 0 ? "1 0 -1" : id % 7 == 0 ? "0 -1 0" : "0 0 0";
                lines.Add(FormattableString.Invariant($"{id++} 1 {x:R} {y:R} {z:R} {img}"));
            }
        File.WriteAllLines(Path.Combine(dir, "tri.data"), lines);
        var (lammps, ours, _) = RunBoth($"""
            units       metal
            atom_style  atomic
            read_data   tri.data
            pair_style  eam
            pair_coeff  1 1 {pot}/Cu_u3.eam
            thermo_style custom step pe press pxx pyy pzz pxy pxz pyz xy xz yz atoms
            thermo_modify format float %20.15g
            run 0
            replicate 2 2 3
            run 0
            """, dir);
        Assert.That(LammpsHarness.AssertSameThermo(lammps, ours, 1e-11), Is.LessThan(1e-11));
    }

    [Test]
    public void ReadDataKeepsImageFlagsAndWrapsLikeLammpsSoLoopGeomVelocitiesMatch()
    {
        var dir = RepoPaths.TempDir();
        // An lj fcc crystal (256 atoms) in a box shifted off the origin; some atoms are written inside the box with
        // non-zero image flags, others outside it (one box length) with zero flags. LAMMPS keeps the positions and flags
        // as written and wraps the outside ones while reading; velocity loop geom hashes the resulting coordinates, so
        // any other position (unwrapped, or shifted by xlo and back) gives other velocities and another trajectory.
        var a = Math.Pow(4 / 0.8442, 1.0 / 3);
        var l = 4 * a;
        double[] lo = [0.37, -1.91, 2.23];
        var lines = new List<string> { "shifted lj crystal", "", "256 atoms", "1 atom types", "" };
        for (var d = 0; d < 3; d++) lines.Add(FormattableString.Invariant($"{lo[d]:R} {lo[d] + l:R} {"xyz"[d]}lo {"xyz"[d]}hi"));
        lines.AddRange(["", "Masses", "", "1 1.0", "", "Atoms # atomic", ""]);
        double[][] basis = [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]];
        var id = 1;
        for (var k = 0; k < 4; k++)
        for (var j = 0; j < 4; j++)
        for (var i = 0; i < 4; i++)
            foreach (var b in basis)
            {
                double x = lo[0] + (i + b[0] + 0.05) * a, y = lo[1] + (j + b[1] + 0.05) * a, z = lo[2] + (k + b[2] + 0.05) * a;
                var img = "0 0 0";
                if (id % 5 == 0) img = "2 -1 0";
                else if (id % 7 == 0) x += l;
                else if (id % 11 == 0) z -= l;
                lines.Add(FormattableString.Invariant($"{id++} 1 {x:R} {y:R} {z:R} {img}"));
            }
        File.WriteAllLines(Path.Combine(dir, "shifted.data"), lines);
        var (lammps, ours, _) = RunBoth("""
            units       lj
            atom_style  atomic
            read_data   shifted.data
            velocity    all create 1.5 87287 loop geom
            pair_style  lj/cut 2.5
            pair_coeff  1 1 1.0 1.0 2.5
            fix         1 all nve
            thermo_style custom step pe ke press pxx pyy pzz pxy pxz pyz
            thermo_modify format float %20.15g
            thermo      10
            run         30
            write_data  after.data
            """, dir);
        var worst = LammpsHarness.AssertSameThermo(lammps, ours, 1e-10);
        TestContext.Out.WriteLine($"largest relative thermo difference {worst:E3}");
        // The image flags read from the file were kept through the run (51 atoms were written with ix = 2).
        var back = DeepMD.Sharp.IO.LammpsDataReader.Read(Path.Combine(dir, "after.data"), ["X"]);
        Assert.That(back.ImageFlags[0].Count(f => f >= 1), Is.GreaterThanOrEqualTo(40));
    }

    [Test]
    public void WriteDataIsReadBackByLammpsWithTheSameEnergyPressureAndKineticEnergy()
    {
        var pot = MinimizeVersusLammpsTests.RequirePotentials();
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var writer = Path.Combine(dir, "in.write");
        File.WriteAllText(writer, $"""
            units       metal
            lattice     fcc 3.615
            region      box block 0 3 0 3 0 3
            create_box  1 box
            create_atoms 1 box
            mass 1 63.55
            pair_style  eam
            pair_coeff  1 1 {pot}/Cu_u3.eam
            velocity all create 900 2231 loop geom
            fix 1 all nve
            {Thermo}
            run 60
            write_data  ours.data nocoeff
            """);
        var ours = LammpsHarness.RunDpsharp(writer, dir);
        var reader = Path.Combine(dir, "in.read");
        File.WriteAllText(reader, $"""
            units       metal
            atom_style  atomic
            read_data   ours.data
            pair_style  eam
            pair_coeff  1 1 {pot}/Cu_u3.eam
            {Thermo}
            run 0
            """);
        var lammpsRead = LammpsHarness.RunLammps(lmp, reader, dir);
        var oursRead = LammpsHarness.RunDpsharp(reader, dir);
        var written = LammpsHarness.ThermoTables(ours)[0].Rows[^1];
        foreach (var (name, output) in new[] { ("LAMMPS", lammpsRead), ("dpsharp", oursRead) })
        {
            var row = LammpsHarness.ThermoTables(output)[0].Rows[0];
            double worst = 0;
            for (var c = 1; c < row.Length; c++)
            {
                worst = Math.Max(worst, Math.Abs(row[c] - written[c]) / Math.Max(1, Math.Abs(written[c])));
                Assert.That(row[c], Is.EqualTo(written[c]).Within(1e-12 * Math.Max(1, Math.Abs(written[c]))), $"{name} reading our data file, column {c}");
            }
            TestContext.Out.WriteLine($"{name} reading the data file: largest relative difference from the writer's last thermo row {worst:E3}");
        }
        // The file was renamed into place: no temporary file is left next to it.
        Assert.That(Directory.GetFiles(dir, "ours.data.tmp*"), Is.Empty);
    }

    [Test]
    public void GroupsInVelocityAndFixNveMatchLammps()
    {
        var pot = MinimizeVersusLammpsTests.RequirePotentials();
        var (lammps, ours, _) = RunBoth($"""
            units       metal
            lattice     fcc 3.56
            region      box block 0 4 0 4 0 4
            create_box  2 box
            region      left block 0 1.9 INF INF INF INF
            region      right block 1.9 4 INF INF INF INF
            create_atoms 1 region left
            create_atoms 2 region right
            pair_style  eam/alloy
            pair_coeff  * * {pot}/CuNi.eam.alloy Cu Ni
            region      slab block INF INF INF INF 0 2
            group       ni type 2
            group       low region slab
            group       mobile subtract all low
            group       few id 1 5:9 100
            group       mix union few ni
            velocity    ni create 600.0 87287 loop geom
            velocity    low create 300.0 4711 loop all mom yes rot yes dist gaussian
            velocity    mobile scale 200
            velocity    few set 0.5 0 -0.5 sum yes units box
            fix         1 mobile nve
            thermo_style custom step temp pe ke etotal press
            thermo_modify format float %20.15g
            thermo      10
            run         50
            """);
        foreach (var (name, count) in new[] { ("ni", 128), ("low", 160), ("mobile", 96), ("few", 7), ("mix", 135) })
        {
            Assert.That(lammps, Does.Contain($"{count} atoms in group {name}"), "LAMMPS group size");
            Assert.That(ours, Does.Contain($"{count} atoms in group {name}"), "dpsharp group size");
        }
        Assert.That(LammpsHarness.AssertSameThermo(lammps, ours, 1e-10), Is.LessThan(1e-10));
    }
}
