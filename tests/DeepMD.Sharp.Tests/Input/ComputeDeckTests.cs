namespace DeepMD.Sharp.Tests.Input;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// Computes, fix ave/time and fix print in decks, without LAMMPS: the computes equal what thermo prints, per-atom
/// terms add up to the global ones, displacements and velocities set by hand give the msd and vacf they must, a
/// perfect lattice gives its coordination numbers, fix ave/time averages the steps the LAMMPS manual says it does,
/// and the misuses LAMMPS refuses are refused with its messages.
/// </summary>
[TestFixture]
public class ComputeDeckTests
{
    private const string Liquid = """
        units       real
        lattice     fcc 5.0
        region      box block 0 4 0 4 0 4
        create_box  2 box
        region      left block 0 1.9 0 4 0 4
        region      right block 1.9 4 0 4 0 4
        create_atoms 1 region left
        create_atoms 2 region right
        mass        1 39.95
        mass        2 20.18
        velocity    all create 300.0 4928459 loop geom
        pair_style  lj/cut 8.0
        pair_coeff  1 1 0.238 3.405
        pair_coeff  2 2 0.0721 2.79
        pair_coeff  1 2 0.13 3.1
        fix         1 all nve
        timestep    2.0
        thermo      10
        """;

    private static DeckSession Run(string deck, out string output, string? dir = null)
    {
        dir ??= RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.deck");
        File.WriteAllText(path, deck);
        var screen = new StringWriter { NewLine = "\n" };
        var session = new DeckSession(screen, dir, logFile: null);
        try
        {
            session.RunFile(path);
        }
        finally
        {
            output = screen.ToString();
        }
        return session;
    }

    [Test]
    public void TempPePressureComputesEqualThermoKeywords()
    {
        using var session = Run(Liquid + "\n" + """
            compute     t all temp
            compute     p all pressure t
            compute     pe all pe
            compute     ke all ke
            thermo_style custom step temp pe press ke c_t c_pe c_p c_thermo_temp c_thermo_press c_thermo_pe c_ke c_p[1] pxx c_p[6] pyz
            run         30
            """, out _);
        var last = session.Context.Thermo.Last;
        Assert.That(last["c_t"], Is.EqualTo(last["temp"]).Within(1e-12).Percent);
        Assert.That(last["c_thermo_temp"], Is.EqualTo(last["temp"]).Within(1e-12).Percent);
        Assert.That(last["c_pe"], Is.EqualTo(last["pe"]).Within(1e-12).Percent);
        Assert.That(last["c_thermo_pe"], Is.EqualTo(last["pe"]).Within(1e-12).Percent);
        Assert.That(last["c_p"], Is.EqualTo(last["press"]).Within(1e-10).Percent);
        Assert.That(last["c_thermo_press"], Is.EqualTo(last["press"]).Within(1e-10).Percent);
        Assert.That(last["c_p[1]"], Is.EqualTo(last["pxx"]).Within(1e-10).Percent);
        Assert.That(last["c_p[6]"], Is.EqualTo(last["pyz"]).Within(1e-9).Percent);
        // thermo ke is ½·dof·kB·T with T = Σmv²/(dof·kB): the same ½Σmv² as compute ke.
        Assert.That(last["c_ke"], Is.EqualTo(last["ke"]).Within(1e-10).Percent);
    }

    [Test]
    public void PerAtomEnergyAndStressAddUpToTheGlobalOnes()
    {
        using var session = Run(Liquid + "\n" + """
            compute     peatom all pe/atom
            compute     keatom all ke/atom
            compute     s all stress/atom NULL
            compute     sv all stress/atom NULL virial
            compute     ke all ke
            compute     red all reduce sum c_peatom c_keatom c_s[1] c_s[2] c_s[3] c_sv[4] c_s[5] c_s[6]
            compute     pv all pressure NULL virial
            compute     p all pressure thermo_temp
            variable    p equal -(c_red[3]+c_red[4]+c_red[5])/(3*vol)
            variable    pxy equal -c_red[6]/vol
            variable    pxz equal -c_red[7]/vol
            thermo_style custom step pe c_red[1] c_ke c_red[2] press v_p pxy v_pxy c_pv[4] pxz v_pxz
            thermo_modify norm no
            run         20
            """, out _);
        var last = session.Context.Thermo.Last;
        Assert.That(last["c_red[1]"], Is.EqualTo(last["pe"]).Within(1e-10).Percent, "Σ pe/atom = pe");
        Assert.That(last["c_red[2]"], Is.EqualTo(last["c_ke"]).Within(1e-10).Percent, "Σ ke/atom = ke");
        Assert.That(last["v_p"], Is.EqualTo(last["press"]).Within(1e-9).Percent, "−Σ tr(stress/atom)/3V = pressure");
        Assert.That(last["v_pxy"], Is.EqualTo(last["c_pv[4]"]).Within(1e-9).Percent, "stress/atom virial only = pressure virial only");
        Assert.That(last["v_pxz"], Is.EqualTo(last["pxz"]).Within(1e-9).Percent);
    }

    [Test]
    public void DeepmdPerAtomTermsAddUpToTheGlobalOnes()
    {
        // pair_style deepmd: pe/atom from the model's atomic energies, stress/atom from its per-atom virials.
        using var session = Run($"""
            units metal
            atom_style atomic
            neighbor 2.0 bin
            read_data {RepoPaths.Get("examples", "water", "water.lmp")}
            mass 1 16
            mass 2 2
            pair_style deepmd {RepoPaths.TestModel("deeppot_sea.yaml")}
            pair_coeff * * O H
            velocity all create 330.0 23456789
            fix 1 all nve
            timestep 0.0005
            compute peatom all pe/atom
            compute s all stress/atom NULL
            compute red all reduce sum c_peatom c_s[1] c_s[2] c_s[3] c_s[4]
            variable p equal -(c_red[2]+c_red[3]+c_red[4])/(3*vol)
            variable pxy equal -c_red[5]/vol
            thermo_style custom step pe c_red[1] press v_p pxy v_pxy
            thermo 5
            run 10
            """, out _);
        var last = session.Context.Thermo.Last;
        Assert.That(last["c_red[1]"], Is.EqualTo(last["pe"]).Within(1e-10).Percent, "Σ pe/atom = pe");
        Assert.That(last["v_p"], Is.EqualTo(last["press"]).Within(1e-8).Percent, "−Σ tr(stress/atom)/3V = pressure");
        Assert.That(last["v_pxy"], Is.EqualTo(last["pxy"]).Within(1e-7).Percent);
    }

    [Test]
    public void MsdOfAKnownDisplacementAcrossTheBoxIsItsSquare()
    {
        // Every atom moves by (7.5, -4, 0) Å, more than a box length (20 Å) in no direction but across faces in x and
        // y: unwrapped displacements are what msd measures.
        using var session = Run(Liquid + "\n" + """
            compute     msd all msd
            compute     msdc all msd com yes
            group       left region left
            compute     msdl left msd
            displace_atoms all move 7.5 -4.0 0.0 units box
            displace_atoms all move 7.5 0.0 0.0 units box
            velocity    all set 0.0 0.0 0.0
            thermo_style custom step c_msd[1] c_msd[2] c_msd[3] c_msd[4] c_msdc[4] c_msdl[4]
            run         0
            """, out _);
        var last = session.Context.Thermo.Last;
        Assert.That(last["c_msd[1]"], Is.EqualTo(225.0).Within(1e-9).Percent);
        Assert.That(last["c_msd[2]"], Is.EqualTo(16.0).Within(1e-9).Percent);
        Assert.That(last["c_msd[3]"], Is.EqualTo(0.0).Within(1e-20));
        Assert.That(last["c_msd[4]"], Is.EqualTo(241.0).Within(1e-9).Percent);
        Assert.That(last["c_msdc[4]"], Is.EqualTo(0.0).Within(1e-18), "a uniform shift does not move atoms relative to the centre of mass");
        Assert.That(last["c_msdl[4]"], Is.EqualTo(241.0).Within(1e-9).Percent);
    }

    [Test]
    public void VacfOfVelocitiesSetByHandIsTheirProduct()
    {
        using var session = Run(Liquid + "\n" + """
            velocity    all set 1.0 -2.0 0.5 units box
            compute     vacf all vacf
            velocity    all set 2.0 1.0 0.0 units box
            thermo_style custom step c_vacf[1] c_vacf[2] c_vacf[3] c_vacf[4]
            run         0
            """, out _);
        var last = session.Context.Thermo.Last;
        Assert.That(last["c_vacf[1]"], Is.EqualTo(2.0).Within(1e-12));
        Assert.That(last["c_vacf[2]"], Is.EqualTo(-2.0).Within(1e-12));
        Assert.That(last["c_vacf[3]"], Is.EqualTo(0.0).Within(1e-12));
        Assert.That(last["c_vacf[4]"], Is.EqualTo(0.0).Within(1e-12));
    }

    [Test]
    public void CoordinationOnAPerfectFccLatticeIsTwelveThenEighteen()
    {
        using var session = Run("""
            units       lj
            lattice     fcc 0.8442
            region      box block 0 4 0 4 0 4
            create_box  2 box
            create_atoms 1 box
            mass        * 1.0
            pair_style  lj/cut 2.5
            pair_coeff  * * 1.0 1.0
            fix         1 all nve
            compute     c1 all coord/atom cutoff 1.3
            compute     c2 all coord/atom cutoff 1.8 1 2
            compute     r all reduce min c_c1 c_c2[1] c_c2[2]
            compute     rmax all reduce max c_c1 c_c2[1]
            compute     rdf all rdf 100 cutoff 2.0
            variable    n1 equal c_rdf[100][3]
            thermo_style custom step c_r[1] c_rmax[1] c_r[2] c_rmax[2] c_r[3] v_n1
            run         0
            """, out _);
        var last = session.Context.Thermo.Last;
        Assert.That(last["c_r[1]"], Is.EqualTo(12.0));
        Assert.That(last["c_rmax[1]"], Is.EqualTo(12.0));
        Assert.That(last["c_r[2]"], Is.EqualTo(18.0));
        Assert.That(last["c_rmax[2]"], Is.EqualTo(18.0));
        Assert.That(last["c_r[3]"], Is.EqualTo(0.0), "no atoms of type 2");
        // The rdf's coordination number at 2.0 (12 first + 6 second neighbours) is the same count.
        Assert.That(last["v_n1"], Is.EqualTo(18.0).Within(1e-9).Percent);
    }

    [Test]
    public void AveTimeAveragesTheStepsTheManualNames()
    {
        // LAMMPS manual: Nevery 2, Nrepeat 6, Nfreq 100 samples steps 90..100; here Nevery 2, Nrepeat 3, Nfreq 10
        // samples steps 6, 8, 10 (mean 8), then 16, 18, 20 (mean 18), ...
        var dir = RepoPaths.TempDir();
        using var session = Run(Liquid + "\n" + """
            variable    s equal step
            variable    s2 equal step*step
            fix         a all ave/time 2 3 10 v_s v_s2 file one.txt
            fix         b all ave/time 2 3 10 v_s file running.txt ave running
            fix         c all ave/time 2 3 10 v_s file window.txt ave window 2
            fix         d all ave/time 5 1 5 v_s v_s2 file off.txt off 2 start 10 ave running
            thermo_style custom step f_a[1] f_b f_c
            run         30
            """, out _, dir);
        string[] Lines(string f) => File.ReadAllLines(Path.Combine(dir, f));
        Assert.That(Lines("one.txt"), Is.EqualTo(new[]
        {
            "# Time-averaged data for fix a", "# TimeStep v_s v_s2",
            "10 8 " + ((36 + 64 + 100) / 3.0).ToString("G6", CultureInfo.InvariantCulture),
            "20 18 " + ((256 + 324 + 400) / 3.0).ToString("G6", CultureInfo.InvariantCulture),
            "30 28 " + ((676 + 784 + 900) / 3.0).ToString("G6", CultureInfo.InvariantCulture),
        }));
        Assert.That(Lines("running.txt")[2..], Is.EqualTo(new[] { "10 8", "20 13", "30 18" }));
        Assert.That(Lines("window.txt")[2..], Is.EqualTo(new[] { "10 8", "20 13", "30 23" }));
        // off 2: the second value is not averaged (its last sample is kept); start 10: nothing before step 10.
        Assert.That(Lines("off.txt")[2..], Is.EqualTo(new[] { "10 10 100", "15 12.5 225", "20 15 400", "25 17.5 625", "30 20 900" }));
        var last = session.Context.Thermo.Last;
        Assert.That(last["f_a[1]"], Is.EqualTo(28.0));
        Assert.That(last["f_b"], Is.EqualTo(18.0));
        Assert.That(last["f_c"], Is.EqualTo(23.0));
    }

    [Test]
    public void AveCorrelateCountsAndAveragesTheProductsOfEachLag()
    {
        // v_s = step: samples at steps 0, 1, 2, 3 (Nevery 1, window of 3 lags); at step 3 lag 0 has 4 samples
        // (⟨s²⟩ = (0 + 1 + 4 + 9)/4), lag 1 has 3 ((0·1 + 1·2 + 2·3)/3), lag 2 has 2 ((0·2 + 1·3)/2).
        var dir = RepoPaths.TempDir();
        using var session = Run(Liquid + "\n" + """
            variable    s equal step
            variable    c equal 2
            fix         k all ave/correlate 1 3 3 v_s v_c type full file k.txt ave running prefactor 2.0
            thermo_style custom step f_k[2][3]
            thermo      3
            run         3
            """, out _, dir);
        string G(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
        var lines = File.ReadAllLines(Path.Combine(dir, "k.txt"));
        Assert.That(lines[..3], Is.EqualTo(new[]
        {
            "# Time-correlated data for fix k", "# Timestep Number-of-time-windows", "# Index TimeDelta Ncount v_s*v_s v_s*v_c v_c*v_s v_c*v_c",
        }));
        Assert.That(lines[3..8], Is.EqualTo(new[] { "0 3", "1 0 1 0 0 0 8", "2 1 0 0.0 0.0 0.0 0.0", "3 2 0 0.0 0.0 0.0 0.0", "3 3" }));
        // pairs (i, j) multiply the older sample's i by the newer one's j; prefactor 2
        Assert.That(lines[8], Is.EqualTo($"1 0 4 {G(2 * 14 / 4.0)} {G(2 * 2 * 6 / 4.0)} {G(2 * 2 * 6 / 4.0)} 8"));
        Assert.That(lines[9], Is.EqualTo($"2 1 3 {G(2 * 8 / 3.0)} {G(2 * 2 * 3 / 3.0)} {G(2 * 2 * 6 / 3.0)} 8"));
        Assert.That(lines[10], Is.EqualTo($"3 2 2 {G(2 * 3 / 2.0)} {G(2 * 2 * 1 / 2.0)} {G(2 * 2 * 5 / 2.0)} 8"));
        Assert.That(session.Context.Thermo.Last["f_k[2][3]"], Is.EqualTo(2 * 8 / 3.0).Within(1e-12));
    }

    [Test]
    public void AveTimeVectorModeWritesRowsOfTheRdf()
    {
        var dir = RepoPaths.TempDir();
        using var session = Run(Liquid + "\n" + """
            compute     rdf all rdf 20 1 1 1 2 2 2
            fix         r all ave/time 5 2 10 c_rdf[*] mode vector file rdf.txt title3 "# bins"
            run         20
            """, out _, dir);
        var lines = File.ReadAllLines(Path.Combine(dir, "rdf.txt"));
        Assert.That(lines[0], Is.EqualTo("# Time-averaged data for fix r"));
        Assert.That(lines[1], Is.EqualTo("# TimeStep Number-of-rows"));
        Assert.That(lines[2], Is.EqualTo("# bins"));
        Assert.That(lines[3], Is.EqualTo("10 20"));
        Assert.That(lines[24], Is.EqualTo("20 20"));
        Assert.That(lines, Has.Length.EqualTo(3 + 2 * 21));
        var row = lines[4].Split(' ');
        Assert.That(row, Has.Length.EqualTo(1 + 7), "row number, bin centre, then g and coordination for 3 pairs");
        Assert.That(row[0], Is.EqualTo("1"));
        Assert.That(double.Parse(row[1], CultureInfo.InvariantCulture), Is.EqualTo(0.2).Within(1e-9), "bin centre of 20 bins over the 8 Å pair cutoff");
    }

    [Test]
    public void FixPrintWritesItsTitleAndSubstitutesAtEachPrint()
    {
        var dir = RepoPaths.TempDir();
        using var session = Run(Liquid + "\n" + """
            variable    s equal step*2
            fix         p all print 4 "step $(step) twice ${s}" file p.txt screen no
            run         10
            run         2
            """, out _, dir);
        Assert.That(File.ReadAllLines(Path.Combine(dir, "p.txt")), Is.EqualTo(new[]
        {
            "# Fix print output for fix p", "step 0 twice 0", "step 4 twice 8", "step 8 twice 16", "step 12 twice 24",
        }));
    }

    [Test]
    public void DumpCustomWritesPerAtomComputes()
    {
        var dir = RepoPaths.TempDir();
        using var session = Run(Liquid + "\n" + """
            compute     ke all ke/atom
            compute     s all stress/atom NULL ke
            dump        d all custom 10 d.txt id vx vy vz c_ke c_s[1] c_s[4]
            run         10
            """, out _, dir);
        var lines = File.ReadAllLines(Path.Combine(dir, "d.txt"));
        Assert.That(lines[8], Is.EqualTo("ITEM: ATOMS id vx vy vz c_ke c_s[1] c_s[4]"));
        var sim = session.Simulation!;
        var units = sim.Units;
        foreach (var line in lines.Skip(9).Take(20))
        {
            var w = line.Split(' ').Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            var type = sim.Atoms.Type[Array.IndexOf(sim.Atoms.Id, (int)w[0])];
            var m = sim.Masses[type];
            var ke = 0.5 * units.Mvv2e * m * (w[1] * w[1] + w[2] * w[2] + w[3] * w[3]);
            Assert.That(w[4], Is.EqualTo(ke).Within(2e-3).Percent, "ke/atom = ½mv² (dump %g: 6 digits)");
            Assert.That(w[5], Is.EqualTo(-units.Nktv2p * units.Mvv2e * m * w[1] * w[1]).Within(2e-3).Percent, "stress/atom ke term, xx");
            Assert.That(w[6], Is.EqualTo(-units.Nktv2p * units.Mvv2e * m * w[1] * w[2]).Within(2e-3).Percent, "stress/atom ke term, xy");
        }
    }

    [Test]
    public void AComputeReadBetweenRunsMustBeCurrent()
    {
        // Evaluated by thermo on the run's last step: readable after the run, as in LAMMPS.
        using (var ok = Run(Liquid + "\n" + """
            compute     t all temp
            thermo_style custom step c_t
            run         10
            variable    tt equal c_t
            print       "T = ${tt}"
            """, out var output))
            Assert.That(output, Does.Contain("T = "));
        var e = Assert.Throws<UserInputException>(() => Run(Liquid + "\n" + """
            compute     t all temp
            run         10
            variable    tt equal c_t
            print       "T = ${tt}"
            """, out _))!;
        Assert.That(e.Message, Does.Contain("Compute used in variable between runs is not current"));
    }

    [TestCase("compute t all temp\ncompute t all ke", "Reuse of compute ID 't'")]
    [TestCase("compute t all tmp", "unknown compute style 'tmp'; did you mean 'temp'?")]
    [TestCase("compute p all pe/atom\nthermo_style custom step c_p\nrun 0", "Thermo compute does not compute scalar")]
    [TestCase("compute m all msd\nthermo_style custom step c_m[5]\nrun 0", "Thermo compute vector is accessed out-of-range")]
    [TestCase("thermo_style custom step c_nope\nrun 0", "Could not find thermo custom compute ID 'nope'")]
    [TestCase("compute m all msd\nvariable x equal c_m\nrun 0", "")]
    [TestCase("compute m all msd\nvariable x equal c_m\nthermo_style custom step v_x\nrun 0", "Mismatched compute in variable formula")]
    [TestCase("compute t all temp\nfix a all ave/time 3 2 5 c_t", "Nfreq (5) must be a multiple of Nevery (3)")]
    [TestCase("compute r all rdf 10\nfix a all ave/time 1 1 5 c_r", "Fix ave/time compute does not calculate a scalar")]
    [TestCase("compute r all ke/atom\ncompute s all reduce sum c_r[1]", "does not calculate a per-atom array")]
    [TestCase("compute p all pe/atom\ndump d all custom 1 d.txt id c_q\nrun 0", "Could not find dump custom compute ID 'q'")]
    [TestCase("compute p g pressure thermo_temp", "group 'g' does not exist")]
    [TestCase("uncompute nope", "Could not find uncompute ID 'nope'")]
    [TestCase("compute t all temp\nfix a all ave/time 1 1 20 c_t\nthermo_style custom step f_a\nrun 0", "Thermo and fix not computed at compatible times")]
    public void MisusesAreRefusedAsLammpsRefusesThem(string lines, string message)
    {
        if (message.Length == 0)
        {
            // Defining a mismatched variable is fine until something evaluates it.
            using var fine = Run(Liquid + "\n" + lines, out _);
            return;
        }
        var e = Assert.Throws<UserInputException>(() => Run(Liquid + "\n" + lines, out _))!;
        Assert.That(e.Message, Does.Contain(message));
    }

    [Test]
    public void UncomputeAndUnfixRemoveThem()
    {
        var dir = RepoPaths.TempDir();
        using var session = Run(Liquid + "\n" + """
            compute     t all temp
            fix         a all ave/time 1 1 5 c_t file t.txt
            run         5
            unfix       a
            uncompute   t
            compute     t all ke
            run         5
            """, out _, dir);
        Assert.That(session.Simulation!.Computes.Single(c => c.Id == "t").Style, Is.EqualTo("ke"));
        Assert.That(File.ReadAllLines(Path.Combine(dir, "t.txt")), Has.Length.EqualTo(2 + 2), "steps 0 and 5, then the fix is gone");
    }

    [Test]
    public void ComputesAndAveragingFixesAreRefusedWithSeveralRanks()
    {
        var e = Assert.Throws<UserInputException>(() => DeepMD.Sharp.Dynamics.Domains.DecomposedCommands.Check("compute", ["compute", "r", "all", "rdf", "50"], 4))!;
        Assert.That(e.Message, Does.Contain("compute is not supported with 4 ranks"));
        e = Assert.Throws<UserInputException>(() => DeepMD.Sharp.Dynamics.Domains.DecomposedCommands.Check("fix", ["fix", "a", "all", "ave/time", "1", "1", "1", "c_t"], 2))!;
        Assert.That(e.Message, Does.Contain("fix ave/time is not supported with 2 ranks"));
        Assert.DoesNotThrow(() => DeepMD.Sharp.Dynamics.Domains.DecomposedCommands.Check("fix", ["fix", "1", "all", "nve"], 2));
    }
}
