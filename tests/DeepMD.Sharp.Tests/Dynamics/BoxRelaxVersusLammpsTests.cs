namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Input;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// fix box/relax with the conjugate-gradient minimizer compared with LAMMPS, iteration by iteration (thermo every
/// step at %20.15g: energy, pressure tensor, the fix's energy f_ID, box lengths and tilts), on slightly disordered LJ
/// crystals: 2-d (sq2 lattice, tilted box, fix enforce2d) with iso, aniso and a deviatoric x/y target with nreset as
/// LAMMPS' min/in.min.box uses them, and 3-d (fcc in a prism) with tri, couple xy, a tilt target, dilate partial,
/// fixedpoint, the sd and backtrack line searches. The iteration counts stop before the runs reach the flat, noisy end
/// of the relaxation where last-bit differences of the force sums grow (2-d iso: 1e-14 for 25 iterations, 1e-10 by 35).
/// Plus a DeePMD water box relaxed to a target pressure, and LAMMPS' error texts.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class BoxRelaxVersusLammpsTests
{
    private const string Fcc3d = """
        units lj
        atom_style atomic
        lattice fcc 0.9
        region box prism 0 4 0 4 0 4 0.5 0.3 -0.2
        create_box 1 box
        create_atoms 1 box
        displace_atoms all random 0.02 0.02 0.02 4587
        """;

    private const string Sq2d = """
        units lj
        dimension 2
        atom_style atomic
        lattice sq2 0.8442
        region box prism 0 8 0 8 -0.1 0.1 1.0 0.0 0.0
        create_box 1 box
        create_atoms 1 box
        displace_atoms all random 0.02 0.02 0.0 4587
        fix 2 all enforce2d
        """;

    [TestCase("2d", "iso 1.5 vmax 1.0e-3", 20, "")]
    [TestCase("2d", "aniso 1.5 vmax 1.0e-3", 20, "")]
    [TestCase("2d", "x 1.0 y 2.0 vmax 1.0e-3 nreset 5", 20, "")]
    [TestCase("2d", "x 1.0 y 2.0 xy 0.2 vmax 2.0e-3 scalexy no", 20, "")]
    [TestCase("3d", "tri 0.5 vmax 1.0e-3", 40, "")]
    [TestCase("3d", "x 0.3 y 0.3 z 1.0 couple xy vmax 2.0e-3", 30, "")]
    [TestCase("3d", "aniso 0.5 yz 0.2 vmax 1.0e-3 nreset 7", 30, "")]
    [TestCase("3d", "iso -0.5 vmax 1.0e-3 fixedpoint 0.0 0.0 0.0 dilate partial", 30, "group half id <= 128")]
    [TestCase("3d", "aniso 0.5 vmax 1.0e-3", 30, "min_style sd")]
    [TestCase("3d", "iso 0.5 vmax 1.0e-3", 30, "min_modify line backtrack")]
    [TestCase("3d", "tri 0.5 vmax 1.0e-3", 20, "min_modify line forcezero")]
    public void MinimizationWithBoxRelaxMatchesLammps(string dim, string fix, int iterations, string extra)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.deck");
        var group = fix.Contains("partial", StringComparison.Ordinal) ? "half" : "all";
        File.WriteAllText(path, $"""
            {(dim == "2d" ? Sq2d : Fcc3d)}
            mass 1 1.0
            pair_style lj/cut 2.5
            pair_coeff 1 1 1.0 1.0 2.5
            neighbor 0.3 bin
            neigh_modify delay 0 every 1 check yes
            {extra}
            fix 3 {group} box/relax {fix}
            variable emin equal pe+f_3/atoms
            thermo_style custom step pe press pxx pyy pzz pxy pxz pyz f_3 v_emin lx ly lz xy xz yz
            thermo_modify format float %20.15g
            thermo 1
            minimize 0.0 1.0e-10 {iterations} 100000
            """);
        var lammps = LammpsHarness.RunLammps(lmp, path, dir);
        var ours = LammpsHarness.RunDpsharp(path, dir);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-8, absFloor: 1e-9);
    }

    /// <summary>
    /// The sequence of LAMMPS' min/in.min.box (iso, then aniso, then x 1.0 y 2.0, then nreset) from a 2-d crystal instead
    /// of the melt, each stage capped so the comparison stays before the chaotic tail: the box state carries from one
    /// minimization to the next (reference box reset at each minimize, fix replaced by a new one with the same id).
    /// </summary>
    [Test]
    public void MinBoxDeckSequenceMatchesLammps()
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.deck");
        File.WriteAllText(path, $"""
            {Sq2d}
            mass 1 1.0
            pair_style lj/cut 2.5
            pair_coeff 1 1 1.0 1.0 2.5
            pair_modify shift yes
            neighbor 0.3 bin
            neigh_modify delay 0 every 1 check yes
            thermo_modify format float %20.15g
            thermo 1
            fix 3 all box/relax iso 1.5 vmax 1.0e-3
            variable emin equal pe+f_3/atoms
            thermo_style custom step temp pe pxx pyy pxy f_3 v_emin lx ly xy
            thermo_modify format float %20.15g
            minimize 0.0 10.0e0 12 100000
            fix 3 all box/relax aniso 1.5 vmax 1.0e-3
            minimize 0.0 10.0 8 100000
            fix 3 all box/relax x 1.0 y 2.0 vmax 1.0e-3
            minimize 0.0 10.0 8 100000
            fix 3 all box/relax x 1.0 y 2.0 vmax 1.0e-3 nreset 3
            minimize 0.0 1.0e-4 8 100000
            """);
        var lammps = LammpsHarness.RunLammps(lmp, path, dir);
        var ours = LammpsHarness.RunDpsharp(path, dir);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-8, absFloor: 1e-9);
    }

    [TestCase("fix 3 all box/relax xy 0.0", "Can not specify Pxy/Pxz/Pyz in fix box/relax with non-triclinic box")]
    [TestCase("fix 3 all box/relax iso 1.0 z 2.0", "Invalid fix box/relax pressure settings")]
    [TestCase("fix 3 all box/relax iso 1.0 vmax 0.0", "Illegal fix box/relax command")]
    [TestCase("fix 3 all box/relax iso 1.0 foo", "Illegal fix box/relax command")]
    [TestCase("fix 3 all box/relax iso 1.0\nmin_style fire", "Cannot use a damped dynamics min style with fix box/relax")]
    public void BadSettingsStopWithLammpsText(string lines, string text)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.deck");
        File.WriteAllText(path, $"""
            units lj
            lattice fcc 0.9
            region box block 0 3 0 3 0 3
            create_box 1 box
            create_atoms 1 box
            mass 1 1.0
            pair_style lj/cut 2.5
            pair_coeff 1 1 1.0 1.0 2.5
            {lines}
            minimize 0.0 1.0e-6 10 100
            """);
        var lammps = LammpsHarness.RunLammps(lmp, path, dir, expectFailure: true);
        Assert.That(lammps, Does.Contain(text), "LAMMPS' own message (the reference)");
        var ex = Assert.Catch(() => LammpsHarness.RunDpsharp(path, dir));
        Assert.That(ex!.Message, Does.Contain(text));
    }

    /// <summary>
    /// A DeePMD water box (192 atoms) relaxed at 2 kbar with fix box/relax iso: when the minimizer stops on its force
    /// tolerance, the box force (P − P_target)·3V·s²/nktv2p is below ftol, which bounds |P − P_target|; the pressure
    /// printed at the end must be within that bound (LAMMPS' convergence criterion, here with the generalised force of
    /// the volume counted in the force norm). The virial pressure at the start is far from the target.
    /// </summary>
    [Test]
    public void DeepmdWaterCellRelaxesToTheTargetPressure()
    {
        var dir = RepoPaths.TempDir();
        var deck = Path.Combine(dir, "in.relax");
        const double target = 2000.0, ftol = 1.0e-3;
        File.WriteAllText(deck, $"""
            units metal
            atom_style atomic
            neighbor 2.0 bin
            read_data {RepoPaths.Get("examples", "water", "water.lmp")}
            mass 1 16
            mass 2 2
            pair_style deepmd {RepoPaths.Get("potentials", "water", "water-compressed.dp")}
            pair_coeff * * O H
            compute pv all pressure NULL virial
            fix 3 all box/relax iso {target} vmax 0.001
            thermo_style custom step pe c_pv vol f_3
            thermo_modify format float %20.15g
            thermo 10
            minimize 0.0 {ftol} 2000 20000
            """);
        var screen = new StringWriter { NewLine = "\n" };
        using (var session = new DeckSession(screen, dir, null)) session.RunFile(deck);
        var text = screen.ToString();
        var (header, rows) = LammpsHarness.ThermoTables(text)[0];
        int p = Array.IndexOf(header, "c_pv"), v = Array.IndexOf(header, "Volume");
        var first = rows[0];
        var last = rows[^1];
        const double nktv2p = 1.6021765e6;
        var scale = Math.Cbrt(last[v] / first[v]);
        var bound = ftol * nktv2p / (3.0 * first[v] * scale * scale);
        TestContext.Out.WriteLine($"water 192 atoms: P {first[p]:F1} -> {last[p]:F3} bar (target {target}), V {first[v]:F2} -> {last[v]:F2} Å³ in {last[0]} iterations; bound from ftol {bound:F3} bar");
        Assert.That(text, Does.Contain("force tolerance"), "the minimization should stop on its force tolerance");
        Assert.That(Math.Abs(first[p] - target), Is.GreaterThan(100 * bound), "the start should be far from the target");
        Assert.That(Math.Abs(last[p] - target), Is.LessThanOrEqualTo(bound));
    }
}
