namespace DeepMD.Sharp.Tests.Input;

using System.Globalization;
using DeepMD.Sharp.Tests.Dynamics;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// Computes, fix ave/time and fix print against LAMMPS (Debian's lmp): a 500-atom two-type LJ liquid deck with compute
/// rdf, msd (com yes, average yes), vacf, temp, pressure, pe, and in a second run the per-atom computes (pe/atom,
/// ke/atom, stress/atom, coord/atom) reduced by compute reduce, com, ke, a group temperature and pressure variants, is
/// run by lmp and by dpsharp; every file the fixes and the dump write must be the same (same header lines and layout,
/// every number equal to 1e-8 relative, or to the last printed digit where LAMMPS prints %g's six), and so must the
/// thermo tables with c_ID, c_ID[i], c_ID[i][j] (through v_), v_ and f_ columns. fix ave/correlate (auto and upper,
/// running and one, prefactor, start) is in the first run.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class ComputeVersusLammpsTests
{
    internal const string Deck = """
        units       lj
        atom_style  atomic
        lattice     fcc 0.8442
        region      box block 0 5 0 5 0 5
        create_box  2 box
        region      left block 0 2.4 0 5 0 5
        region      right block 2.4 5 0 5 0 5
        create_atoms 1 region left
        create_atoms 2 region right
        mass        * 1.0
        velocity    all create 3.0 87287 loop geom
        pair_style  lj/cut 2.5
        pair_coeff  * * 1.0 1.0 2.5
        neighbor    0.3 bin
        neigh_modify every 1 delay 0 check yes
        compute     myRDF all rdf 50 1 1 1 2 cutoff 2.5
        compute     msd all msd com yes
        compute     msd2 all msd average yes
        compute     vacf all vacf
        compute     t all temp
        compute     p all pressure t
        compute     pe all pe
        variable    x equal c_msd[4]*2+c_t
        variable    r equal c_myRDF[22][4]
        fix         1 all nve
        fix         a1 all ave/time 2 5 20 c_myRDF[*] file rdf.txt mode vector
        fix         a2 all ave/time 1 1 10 c_msd[*] c_vacf[*] c_msd2[4] file msd.txt
        fix         a3 all ave/time 5 2 20 c_t c_p v_x file run.txt ave running format %20.15g
        fix         pr all print 50 "step $(step) x ${x} r $(c_myRDF[22][4]:%.6f)" file print.txt screen no title "# print test"
        fix         c1 all ave/correlate 2 10 40 c_p[4] c_p[5] c_p[6] type auto file corr.txt ave running
        fix         c2 all ave/correlate 5 4 20 v_x c_t c_msd[4] type upper file corr2.txt prefactor 0.5 start 10
        fix         a4 all ave/time 5 2 20 c_p[*] file win.txt ave window 3 title1 "my title"
        thermo_style custom step temp pe c_t c_pe c_p c_msd[1] c_msd[4] v_x v_r c_vacf[4] f_a3[1] f_c2[2][3]
        thermo_modify format float %20.15g
        thermo      20
        run         200
        # part 2: per-atom computes, reductions, groups
        group       g1 type 1
        compute     peatom all pe/atom
        compute     keatom all ke/atom
        compute     satom all stress/atom NULL
        compute     satom2 all stress/atom NULL virial
        compute     coord all coord/atom cutoff 1.5 1 2
        compute     coord1 g1 coord/atom cutoff 1.3 group g1
        compute     red all reduce sum c_peatom c_keatom c_satom[1] c_satom[2] c_satom[3] c_satom2[4] c_coord[2]
        compute     redmax all reduce max x vx fz c_coord1
        compute     redave g1 reduce ave c_keatom vy
        compute     com all com
        compute     com1 g1 com
        compute     ke all ke
        compute     t1 g1 temp
        compute     p2 all pressure NULL virial
        compute     p3 all pressure thermo_temp
        compute     pe2 all pe pair
        variable    psum equal -(c_red[3]+c_red[4]+c_red[5])/(3*vol)
        dump        d all custom 50 dump.txt id type c_peatom c_keatom c_satom[1] c_satom[6] c_coord[1] c_coord[2] c_coord1
        dump_modify d sort id
        fix         a5 all ave/time 10 1 10 c_red[*] c_redmax[*] c_com[*] c_ke c_t1 c_p2 c_p3[4] c_pe2 file per.txt format " %.15g"
        thermo_style custom step temp press v_psum c_red[1] c_red[2] c_redave[1] c_redave[2] c_com1[2] c_ke c_t1 c_p2 c_p3 c_thermo_press[2] c_pe2
        thermo_modify format float %20.15g
        run         100
        """;

    internal static readonly string[] Files = ["rdf.txt", "msd.txt", "run.txt", "win.txt", "corr.txt", "corr2.txt", "per.txt", "dump.txt", "print.txt"];

    [Test]
    public void LjLiquidComputeFilesAndThermoMatchLammps()
    {
        var lmp = LammpsHarness.RequireLammps();
        var theirsDir = RepoPaths.TempDir();
        var oursDir = RepoPaths.TempDir();
        File.WriteAllText(Path.Combine(theirsDir, "in.lj"), Deck);
        File.WriteAllText(Path.Combine(oursDir, "in.lj"), Deck);
        var theirs = LammpsHarness.RunLammps(lmp, Path.Combine(theirsDir, "in.lj"), theirsDir);
        var ours = LammpsHarness.RunDpsharp(Path.Combine(oursDir, "in.lj"), oursDir);
        // measured: 3.3e-12 (thermo at %20.15g over 300 steps)
        LammpsHarness.AssertSameThermo(theirs, ours, 1e-8);
        foreach (var f in Files)
        {
            var worst = AssertSameFile(Path.Combine(theirsDir, f), Path.Combine(oursDir, f));
            TestContext.Out.WriteLine($"{f}: largest relative difference {worst.Relative:E2} {worst.Where}");
        }
    }

    /// <summary>
    /// Same lines; words equal, or numbers within 1e-8 relative (values below 1e-10 count as 0), or, for numbers LAMMPS
    /// prints with six significant digits, one unit of the last printed digit apart (a value a rounding step from the
    /// boundary). Returns the largest relative difference.
    /// </summary>
    internal static (double Relative, string Where) AssertSameFile(string theirsPath, string oursPath)
    {
        Assert.That(File.Exists(oursPath), Is.True, $"dpsharp did not write {Path.GetFileName(oursPath)}");
        var a = File.ReadAllText(theirsPath).Split('\n');
        var b = File.ReadAllText(oursPath).Split('\n');
        var name = Path.GetFileName(theirsPath);
        Assert.That(b, Has.Length.EqualTo(a.Length), $"{name}: number of lines");
        (double Relative, string Where) worst = (0, "");
        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] == b[i]) continue;
            var wa = a[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var wb = b[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.That(wb, Has.Length.EqualTo(wa.Length), $"{name} line {i + 1}: '{a[i]}' vs '{b[i]}'");
            if (a[i].StartsWith('#')) Assert.That(b[i], Is.EqualTo(a[i]), $"{name} line {i + 1}");
            for (var k = 0; k < wa.Length; k++)
            {
                if (wa[k] == wb[k]) continue;
                var isA = double.TryParse(wa[k], NumberStyles.Float, CultureInfo.InvariantCulture, out var x);
                var isB = double.TryParse(wb[k], NumberStyles.Float, CultureInfo.InvariantCulture, out var y);
                Assert.That(isA && isB, Is.True, $"{name} line {i + 1}: '{wa[k]}' vs '{wb[k]}'");
                var scale = Math.Max(Math.Abs(x), Math.Abs(y));
                var rel = scale < 1e-10 ? 0 : Math.Abs(x - y) / scale;
                if (rel > worst.Relative) worst = (rel, $"{name} line {i + 1}: {wa[k]} vs {wb[k]}");
                var digits = wa[k].TrimStart('-').Split('e')[0].Replace(".", "").TrimStart('0').Length;
                var lastDigit = digits is > 0 and <= 6 ? Math.Pow(10, Math.Floor(Math.Log10(scale)) - (digits - 1)) * 1.0000001 : 0;
                Assert.That(rel <= 1e-8 || Math.Abs(x - y) <= lastDigit, Is.True,
                    $"{name} line {i + 1}: LAMMPS {wa[k]} vs dpsharp {wb[k]} (relative {rel:E2})");
            }
        }
        return worst;
    }
}
