namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// dihedral_style harmonic, create_bonds, fix wall/reflect/stochastic and compute momentum: forces of the dihedral
/// style against finite differences of the energy at two step sizes and its virial against a strain derivative (no
/// LAMMPS needed), and small decks run in LAMMPS (Debian's lmp) and in dpsharp with the same thermo rows to 1e-9
/// (the dihedral energy in thermo edihed, bonds made by create_bonds many/single, the three stochastic reflections
/// with LAMMPS' random stream, the momentum of a driven group), and LAMMPS' error texts where it refuses.
/// </summary>
[TestFixture]
public class DihedralBondsWallMomentumTests
{
    private static readonly string Molecular = RepoPaths.Get("tests", "reference-cases", "molecular");

    private static string Folder()
    {
        var dir = RepoPaths.TempDir();
        File.Copy(Path.Combine(Molecular, "chains-full.data"), Path.Combine(dir, "chains-full.data"));
        return dir;
    }

    private static (string Lammps, string Ours) RunBoth(string deck)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = Folder();
        var path = Path.Combine(dir, "in.deck");
        File.WriteAllText(path, deck);
        return (LammpsHarness.RunLammps(lmp, path, dir), LammpsHarness.RunDpsharp(path, dir));
    }

    // Random-walk bead chains with 36 dihedrals; shifted pair energies so that no finite-difference step crosses a jump.
    private static string Chains(string dihedralCoeff) => $"""
        units           lj
        atom_style      full
        bond_style      harmonic
        angle_style     harmonic
        dihedral_style  harmonic
        special_bonds   lj 0.0 0.5 0.75 coul 0.0 0.25 0.8
        read_data       chains-full.data
        bond_coeff      1 100.0 0.97
        bond_coeff      2 80.0 1.0
        angle_coeff     1 10.0 120.0
        dihedral_coeff  1 {dihedralCoeff}
        pair_style      lj/cut/coul/cut 2.5 3.0
        pair_coeff      * * 1.0 1.0
        pair_coeff      2 2 0.8 1.1
        pair_modify     shift yes

        """;

    [TestCase("3.0 -1 2")]
    [TestCase("2.0 1 3")]
    [TestCase("1.5 1 1")]
    [TestCase("0.7 -1 0")]
    [Category("Lammps")]
    public void DihedralHarmonicThermoMatchesLammps(string coeff)
    {
        var (lammps, ours) = RunBoth(Chains(coeff) + """
            velocity        all create 1.0 4928459 loop geom
            neighbor        0.4 bin
            neigh_modify    every 1 delay 0 check yes
            fix             1 all nve
            timestep        0.002
            compute         pd all pe dihedral
            thermo_style    custom step temp pe ke etotal edihed emol eangle ebond c_pd press pxx pyy pzz pxy pxz pyz
            thermo_modify   format float %20.15g
            thermo          20
            run             200
            """);
        Assert.That(ours, Does.Contain("E_dihed"));
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    private static DeckSession Session(string deck)
    {
        var dir = Folder();
        File.WriteAllText(Path.Combine(dir, "in.test"), deck);
        var s = new DeckSession(new StringWriter { NewLine = "\n" }, dir, logFile: null);
        s.RunFile(Path.Combine(dir, "in.test"));
        return s;
    }

    private static double Energy(Simulation sim)
    {
        sim.RebuildNeighbors();
        sim.ComputeForces();
        return sim.PotentialEnergy;
    }

    [TestCase("3.0 -1 2")]
    [TestCase("2.0 1 3")]
    public void DihedralForcesAreMinusTheEnergyGradient(string coeff)
    {
        using var s = Session(Chains(coeff) + "displace_atoms all random 0.05 0.05 0.05 1234\nrun 0\n");
        var sim = s.Simulation!;
        var a = sim.Atoms;
        Energy(sim);
        Assert.That(sim.DihedralEnergy, Is.GreaterThan(0), "the dihedrals add energy");
        var f = new[] { a.Fx[..a.Count], a.Fy[..a.Count], a.Fz[..a.Count] };
        var coords = new[] { a.X, a.Y, a.Z };
        double worstCoarse = 0, worstFine = 0;
        foreach (var i in new[] { 0, 1, 2, 5, 11, 12, 23, 30, 47 })
            for (var d = 0; d < 3; d++)
            {
                double Diff(double h)
                {
                    var x0 = coords[d][i];
                    coords[d][i] = x0 + h;
                    var ep = Energy(sim);
                    coords[d][i] = x0 - h;
                    var em = Energy(sim);
                    coords[d][i] = x0;
                    return Math.Abs(-(ep - em) / (2 * h) - f[d][i]);
                }
                worstCoarse = Math.Max(worstCoarse, Diff(1e-3));
                worstFine = Math.Max(worstFine, Diff(1e-5));
            }
        TestContext.Out.WriteLine($"max |F + dE/dx|: h=1e-3 {worstCoarse:E2}, h=1e-5 {worstFine:E2}");
        Assert.That(worstFine, Is.LessThan(1e-6), "forces equal −dE/dx");
        Assert.That(worstFine, Is.LessThan(worstCoarse / 100), "the difference shrinks with the step (O(h²))");
    }

    [Test]
    public void DihedralVirialIsMinusTheStrainDerivative()
    {
        using var s = Session(Chains("3.0 -1 2") + "displace_atoms all random 0.05 0.05 0.05 1234\nrun 0\n");
        var sim = s.Simulation!;
        var a = sim.Atoms;
        Energy(sim);
        var virial = (double[])sim.Virial.Clone();
        var box = sim.Box!;
        var (lo, hi) = ((double[])box.Lo.Clone(), (double[])box.Hi.Clone());
        var x0 = new[] { a.X[..a.Count], a.Y[..a.Count], a.Z[..a.Count] };
        var coords = new[] { a.X, a.Y, a.Z };
        for (var d = 0; d < 3; d++)
        {
            double Strained(double e)
            {
                var h = (double[])hi.Clone();
                h[d] = lo[d] + (hi[d] - lo[d]) * (1 + e);
                box.Reshape(lo[0], h[0], lo[1], h[1], lo[2], h[2], 0, 0, 0);
                for (var k = 0; k < a.Count; k++) coords[d][k] = lo[d] + (x0[d][k] - lo[d]) * (1 + e);
                var energy = Energy(sim);
                for (var k = 0; k < a.Count; k++) coords[d][k] = x0[d][k];
                box.Reshape(lo[0], hi[0], lo[1], hi[1], lo[2], hi[2], 0, 0, 0);
                return energy;
            }
            const double eps = 1e-5;
            var dEde = (Strained(eps) - Strained(-eps)) / (2 * eps);
            Assert.That(-dEde, Is.EqualTo(virial[4 * d]).Within(1e-6 * Math.Max(1, Math.Abs(virial[4 * d]))), $"W[{d}][{d}]");
        }
    }

    // Debian's lmp has neither fix wall/reflect/stochastic (EXTRA-FIX) nor compute momentum (EXTRA-COMPUTE): the
    // references are LAMMPS' specular fix wall/reflect (the zero-accommodation limit), the wall temperature a gas
    // relaxes to, and LAMMPS' compute reduce sum of m·v.
    private const string Gas = """
        units           metal
        boundary        p f p
        atom_style      atomic
        neighbor        2.0 bin
        lattice         sc 6
        region          box block 0 5 0 4 0 5
        create_box      1 box
        create_atoms    1 box
        mass            1 39.95
        pair_style      lj/cut 8.5
        pair_coeff      * * 0.01 3.4 8.5
        velocity        all create 1500 482748
        fix             1 all nve

        """;

    [TestCase("maxwell 345533 ylo EDGE 300 0 0 0 0.0 yhi EDGE 300 0 0 0 0.0")]
    [TestCase("ccl 345533 ylo EDGE 300 0 0 0 0 0 0 yhi EDGE 300 0 0 0 0 0 0")]
    [Category("Lammps")]
    public void ZeroAccommodationIsLammpsSpecularWall(string walls)
    {
        const string Tail = """
            thermo_style    custom step temp pe ke etotal press pxx pyy pzz pxy
            thermo_modify   format float %20.15g
            thermo          100
            run             1500
            """;
        var lmp = LammpsHarness.RequireLammps();
        var dir = Folder();
        File.WriteAllText(Path.Combine(dir, "in.specular"), Gas + "fix 2 all wall/reflect ylo EDGE yhi EDGE\n" + Tail);
        File.WriteAllText(Path.Combine(dir, "in.stochastic"), Gas + $"fix 2 all wall/reflect/stochastic {walls}\n" + Tail);
        var lammps = LammpsHarness.RunLammps(lmp, Path.Combine(dir, "in.specular"), dir);
        var ours = LammpsHarness.RunDpsharp(Path.Combine(dir, "in.stochastic"), dir);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    [TestCase("maxwell 345533 ylo EDGE 300 0 0 0 1.0 yhi EDGE 300 0 0 0 1.0")]
    [TestCase("ccl 345533 ylo EDGE 300 0 0 0 1 1 1 yhi EDGE 300 0 0 0 1 1 1")]
    public void FullyAccommodatingWallsBringTheGasToTheWallTemperature(string walls)
    {
        var dir = Folder();
        var path = Path.Combine(dir, "in.gas");
        File.WriteAllText(path, Gas + $"""
            fix             2 all wall/reflect/stochastic {walls}
            timestep        0.01
            thermo_style    custom step temp
            thermo          10
            run             4000
            """);
        var rows = LammpsHarness.ThermoTables(LammpsHarness.RunDpsharp(path, dir))[0].Rows;
        Assert.That(rows[0][1], Is.EqualTo(1500).Within(1e-6), "the gas starts at 1500 K");
        var late = rows.Where(r => r[0] > 2000).Select(r => r[1]).ToList();
        var mean = late.Average();
        TestContext.Out.WriteLine($"mean temperature over steps 2000-4000: {mean:F1} K over {late.Count} samples (start 1500 K, walls 300 K)");
        // 100 nearly free argon atoms (ε = 0.01 eV, 6 Å apart) at 10 fs steps, each crossing the 24 Å gap several times
        // by step 2000 (20 ps); a 100-atom temperature fluctuates by ~8 %, the mean of 200 correlated samples by ~12 K.
        Assert.That(mean, Is.EqualTo(300).Within(30));
    }

    [TestCase("yes")]
    [TestCase("no")]
    [Category("Lammps")]
    public void ComputeMomentumIsLammpsReduceSumOfMassTimesVelocity(string norm)
    {
        string Deck(string compute) => $"""
            units           lj
            lattice         fcc 0.8
            region          box block 0 4 0 4 0 4
            create_box      2 box
            create_atoms    1 box
            mass            * 1.0
            region          low block INF INF INF 1.0 INF INF
            group           low region low
            set             group low type 2
            mass            2 3.0
            pair_style      lj/cut 2.5
            pair_coeff      * * 1.0 1.0
            velocity        all create 1.0 100
            fix             1 all nve
            fix             2 low addforce 0.1 0.05 0.0
            variable        mx atom mass*vx
            variable        my atom mass*vy
            variable        mz atom mass*vz
            {compute}
            variable        p1 equal c_p[1]
            variable        p2 equal c_p[2]
            variable        p3 equal c_p[3]
            thermo_style    custom step v_p1 v_p2 v_p3 temp
            thermo_modify   norm {norm} format float %20.15g
            thermo          50
            run             200
            """;
        var lmp = LammpsHarness.RequireLammps();
        var dir = Folder();
        File.WriteAllText(Path.Combine(dir, "in.reduce"), Deck("compute p low reduce sum v_mx v_my v_mz"));
        File.WriteAllText(Path.Combine(dir, "in.momentum"), Deck("compute p low momentum"));
        var lammps = LammpsHarness.RunLammps(lmp, Path.Combine(dir, "in.reduce"), dir);
        var ours = LammpsHarness.RunDpsharp(Path.Combine(dir, "in.momentum"), dir);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    [TestCase("nnn 12 degrees 5 4 6 8 10 12 wl yes wl/hat yes", 15)]
    [TestCase("nnn NULL cutoff 1.3 degrees 3 3 6 7 wl/hat yes components 6", 6 + 26)]
    [TestCase("nnn 8 degrees 2 2 4 wl yes", 4)]
    [Category("Lammps")]
    public void OrientOrderAtomMatchesLammps(string options, int columns)
    {
        var cols = string.Join(" ", Enumerable.Range(1, columns).Select(c => $"c_q[{c}]"));
        var (lammps, ours) = RunBoth($"""
            units           lj
            lattice         fcc 1.0
            region          box block 0 3 0 3 0 3
            create_box      1 box
            create_atoms    1 box
            mass            1 1.0
            displace_atoms  all random 0.08 0.08 0.08 4321
            pair_style      lj/cut 2.0
            pair_coeff      * * 1.0 1.0
            compute         q all orientorder/atom {options}
            compute         avq all reduce ave {cols}
            compute         maxq all reduce max {cols}
            thermo_style    custom step pe c_avq[*] c_maxq[*]
            thermo_modify   format float %20.15g
            run             0
            """);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }

    private const string MolBox = "units lj\natom_style molecular\nboundary p f p\nlattice sc 0.8\nregion box block 0 3 0 3 0 3\ncreate_box 1 box bond/types 1 dihedral/types 1 extra/bond/per/atom 4\ncreate_atoms 1 box\nmass * 1.0\n";

    [TestCase(MolBox + "dihedral_style harmonic\ndihedral_coeff 1 1.0 2 3\n", "Incorrect sign arg for dihedral coefficients")]
    [TestCase(MolBox + "dihedral_style harmonic\ndihedral_coeff 1 1.0 1 -1\n", "Incorrect multiplicity arg for dihedral coefficients")]
    [TestCase(MolBox + "create_bonds single/bond 2 1 2\n", "Invalid bond type in create_bonds command")]
    [TestCase("units lj\nboundary p p p\nlattice sc 0.8\nregion box block 0 3 0 3 0 3\ncreate_box 1 box\ncreate_atoms 1 box\nmass * 1.0\ncreate_bonds single/bond 1 1 2\n", "Cannot use create_bonds with non-molecular system")]
    [Category("Lammps")]
    public void RefusesWithLammpsErrorText(string deck, string text)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.bad");
        File.WriteAllText(path, deck);
        var psi = new System.Diagnostics.ProcessStartInfo(lmp, ["-in", path, "-log", "none", "-echo", "none"])
        {
            WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using (var p = System.Diagnostics.Process.Start(psi)!)
        {
            var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.That(output, Does.Contain("ERROR").And.Contain(text), "LAMMPS' own error for this deck");
        }
        var e = Assert.Throws<UserInputException>(() => LammpsHarness.RunDpsharp(path, dir));
        Assert.That(e!.Message, Does.Contain(text));
    }
}
