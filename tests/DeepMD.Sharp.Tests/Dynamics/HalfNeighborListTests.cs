namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Tests.Support;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Core.Potentials;
using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Dynamics.Neighbors;
using DeepMD.Sharp.Dynamics.Potentials;

/// <summary>
/// The ghost-atom half list against brute force (every periodic image pair exactly once, triclinic and small cells,
/// non-periodic directions), and the pair styles on it against the same styles on Core's full list, for any thread count
/// and after a box change between builds.
/// </summary>
[TestFixture]
public class HalfNeighborListTests
{
    private const string CuFuncfl = "/usr/share/lammps/potentials/Cu_u3.eam";

    /// <summary>A random cloud in a cell; positions wrapped into the cell (origin 0).</summary>
    private static (double[] X, double[] Y, double[] Z, int[] Types) Cloud(Box cell, int n, int seed, double minDistance = 0)
    {
        var rng = new Random(seed);
        var x = new List<double>();
        var y = new List<double>();
        var z = new List<double>();
        var tries = 0;
        while (x.Count < n && tries++ < 100000)
        {
            var (px, py, pz) = cell.ToCartesian(rng.NextDouble(), rng.NextDouble(), rng.NextDouble());
            var ok = true;
            for (var k = 0; k < x.Count && ok && minDistance > 0; k++)
                ok = MinImageDistance(cell, px - x[k], py - y[k], pz - z[k]) >= minDistance;
            if (!ok) continue;
            x.Add(px);
            y.Add(py);
            z.Add(pz);
        }
        var types = Enumerable.Range(0, x.Count).Select(i => i % 2).ToArray();
        return (x.ToArray(), y.ToArray(), z.ToArray(), types);
    }

    private static double MinImageDistance(Box cell, double dx, double dy, double dz)
    {
        var best = double.MaxValue;
        for (var a = -2; a <= 2; a++)
            for (var b = -2; b <= 2; b++)
                for (var c = -2; c <= 2; c++)
                {
                    if ((a != 0 && !cell.IsPeriodic(0)) || (b != 0 && !cell.IsPeriodic(1)) || (c != 0 && !cell.IsPeriodic(2))) continue;
                    var (sx, sy, sz) = cell.ToCartesian(a, b, c);
                    best = Math.Min(best, Math.Sqrt((dx + sx) * (dx + sx) + (dy + sy) * (dy + sy) + (dz + sz) * (dz + sz)));
                }
        return best;
    }

    /// <summary>A pair (i ≤ k, shift of k) in one orientation: i &lt; k, or i = k with a positive shift.</summary>
    private static (int, int, int, int, int) Canonical(int i, int k, int sa, int sb, int sc)
    {
        if (i > k) return (k, i, -sa, -sb, -sc);
        if (i == k && !(sa > 0 || (sa == 0 && (sb > 0 || (sb == 0 && sc > 0))))) return (i, k, -sa, -sb, -sc);
        return (i, k, sa, sb, sc);
    }

    public static IEnumerable<TestCaseData> Cells()
    {
        yield return new TestCaseData(new Box([9, 0, 0, 0, 8, 0, 0, 0, 10]), 2.5, 120).SetName("orthorhombic");
        yield return new TestCaseData(new Box([9, 0, 0, 2.5, 8, 0, -1.5, 3, 10]), 2.5, 120).SetName("triclinic");
        yield return new TestCaseData(new Box([4, 0, 0, 1.2, 3.5, 0, 0.7, -1.1, 3.8]), 3.0, 12).SetName("cell smaller than the cutoff");
        yield return new TestCaseData(new Box([9, 0, 0, 2, 8, 0, 1, 1, 10], true, false, true), 2.5, 100).SetName("non-periodic b");
    }

    [TestCaseSource(nameof(Cells))]
    public void EveryPairWithinTheCutoffAppearsExactlyOnce(Box cell, double cutoff, int atoms)
    {
        var (x, y, z, types) = Cloud(cell, atoms, 7);
        var list = new HalfNeighborList();
        list.Build(x, y, z, types, [0, 0, 0], cell, cutoff);
        var g = list.Atoms;
        var found = new HashSet<(int, int, int, int, int)>();
        var offsets = list.Offsets;
        for (var k = 0; k < list.CenterCount; k++)
        {
            var i = list.Centers[k];
            for (var e = offsets[k]; e < offsets[k + 1]; e++)
            {
                var j = list.Neighbors[e];
                var key = Canonical(i, g.Owner[j], g.ShiftA[j], g.ShiftB[j], g.ShiftC[j]);
                Assert.That(found.Add(key), Is.True, $"pair {key} stored twice");
            }
        }
        Assert.That(list.Centers.ToArray().OrderBy(v => v), Is.EqualTo(Enumerable.Range(0, x.Length)), "every atom is a center once");

        var expected = new HashSet<(int, int, int, int, int)>();
        var range = 4;
        for (var i = 0; i < x.Length; i++)
            for (var k = i; k < x.Length; k++)
                for (var sa = -range; sa <= range; sa++)
                    for (var sb = -range; sb <= range; sb++)
                        for (var sc = -range; sc <= range; sc++)
                        {
                            if ((sa != 0 && !cell.IsPeriodic(0)) || (sb != 0 && !cell.IsPeriodic(1)) || (sc != 0 && !cell.IsPeriodic(2))) continue;
                            if (i == k && sa == 0 && sb == 0 && sc == 0) continue;
                            var (sx, sy, sz) = cell.ToCartesian(sa, sb, sc);
                            double dx = x[k] + sx - x[i], dy = y[k] + sy - y[i], dz = z[k] + sz - z[i];
                            if (dx * dx + dy * dy + dz * dz <= cutoff * cutoff) expected.Add(Canonical(i, k, sa, sb, sc));
                        }
        Assert.That(expected, Is.Not.Empty);
        Assert.That(found.Except(expected), Is.Empty, "pairs beyond the cutoff");
        Assert.That(expected.Except(found), Is.Empty, "missing pairs");
    }

    private static LennardJonesCut TwoTypeLj()
    {
        var lj = new LennardJonesCut(2, 2.5);
        lj.SetCoefficients(0, 0, 1.0, 1.0);
        lj.SetCoefficients(1, 1, 0.8, 0.9, 2.2);
        return lj;
    }

    private static EamPotential? CopperEam()
    {
        if (!File.Exists(CuFuncfl)) return null;
        var tables = EamPotential.FromFuncfl([EamFile.ReadFuncfl(CuFuncfl), EamFile.ReadFuncfl(CuFuncfl)]);
        return new EamPotential("eam", tables, [0, 1]);
    }

    private static ForceResult Full(IPotential p, Box cell, double[] x, double[] y, double[] z, int[] types)
    {
        var r = new ForceResult();
        p.Compute(new ForceRequest(x, y, z, types, cell, CellListNeighborSearch.Build(x, y, z, cell, p.Cutoff + 0.3)) { PerAtom = true }, r);
        return r;
    }

    private static ForceResult Half(IPotential p, HalfNeighborList list, int threads)
    {
        var r = new ForceResult();
        p.Compute(new ForceRequest { HalfNeighbors = list, PerAtom = true, Parallel = new ParallelOptions { MaxDegreeOfParallelism = threads } }, r);
        return r;
    }

    private static void AssertClose(ForceResult expected, ForceResult actual, double tol)
    {
        var scale = Math.Max(1, Math.Abs(expected.Energy));
        Assert.That(actual.Energy, Is.EqualTo(expected.Energy).Within(tol * scale), "energy");
        var fmax = Math.Max(1, expected.Fx.Concat(expected.Fy).Concat(expected.Fz).Max(Math.Abs));
        for (var i = 0; i < expected.Fx.Length; i++)
        {
            Assert.That(actual.Fx[i], Is.EqualTo(expected.Fx[i]).Within(tol * fmax), $"fx of atom {i}");
            Assert.That(actual.Fy[i], Is.EqualTo(expected.Fy[i]).Within(tol * fmax), $"fy of atom {i}");
            Assert.That(actual.Fz[i], Is.EqualTo(expected.Fz[i]).Within(tol * fmax), $"fz of atom {i}");
            Assert.That(actual.AtomEnergy[i], Is.EqualTo(expected.AtomEnergy[i]).Within(tol * scale), $"energy of atom {i}");
        }
        var wmax = Math.Max(1, expected.Virial.Max(Math.Abs));
        for (var q = 0; q < 9; q++) Assert.That(actual.Virial[q], Is.EqualTo(expected.Virial[q]).Within(tol * wmax), $"virial {q}");
    }

    [TestCaseSource(nameof(Cells))]
    public void LennardJonesOnTheHalfListMatchesTheFullList(Box cell, double cutoff, int atoms)
    {
        var (x, y, z, types) = Cloud(cell, atoms, 11, minDistance: 0.85);
        var lj = TwoTypeLj();
        var list = new HalfNeighborList();
        list.Build(x, y, z, types, [0, 0, 0], cell, lj.Cutoff + 0.3);
        var full = Full(lj, cell, x, y, z, types);
        Assert.That(full.Energy, Is.Not.EqualTo(0));
        AssertClose(full, Half(lj, list, 1), 1e-11);
    }

    [TestCaseSource(nameof(Cells))]
    public void EamOnTheHalfListMatchesTheFullList(Box cell, double cutoff, int atoms)
    {
        var eam = CopperEam();
        Requirement.That(eam is not null, Requirement.Lammps, $"{CuFuncfl} missing (Debian lammps-data)");
        // Copper-like spacing: scale the cell so the density is near fcc Cu's.
        var (x, y, z, types) = Cloud(cell, atoms, 13, minDistance: 2.0);
        var list = new HalfNeighborList();
        list.Build(x, y, z, types, [0, 0, 0], cell, eam!.Cutoff + 0.3);
        var full = Full(eam, cell, x, y, z, types);
        AssertClose(full, Half(eam, list, 1), 1e-11);
    }

    /// <summary>The styles on the shared pairwise base (two types, mixed and explicit pairs).</summary>
    private static IEnumerable<PairwisePotential> PairwiseStyles()
    {
        var morse = new MorsePotential(2, 2.5);
        morse.SetCoefficients(0, 0, 1.0, 2.0, 1.1);
        morse.SetCoefficients(0, 1, 0.8, 1.8, 1.2, 2.2);
        morse.SetCoefficients(1, 1, 1.2, 2.2, 1.0);
        morse.Shift = true;
        yield return morse;
        var zbl = new ZblPotential(2, 1.0, 2.0, 1.0, 1.0);
        zbl.SetCoefficients(0, 0, 2, 2);
        zbl.SetCoefficients(1, 1, 3, 3);
        yield return zbl;
        var smooth = new LennardJonesSmoothLinear(2, 2.5) { Mix = PairMixRule.Arithmetic };
        smooth.SetCoefficients(0, 0, 1.0, 1.0);
        smooth.SetCoefficients(1, 1, 0.8, 0.9, 2.2);
        yield return smooth;
    }

    [TestCaseSource(nameof(Cells))]
    public void PairwiseStylesOnTheHalfListMatchTheFullListForAnyThreadCount(Box cell, double cutoff, int atoms)
    {
        var (x, y, z, types) = Cloud(cell, atoms, 17, minDistance: 0.85);
        foreach (var p in PairwiseStyles())
        {
            var list = new HalfNeighborList();
            list.Build(x, y, z, types, [0, 0, 0], cell, p.Cutoff + 0.3);
            var full = Full(p, cell, x, y, z, types);
            Assert.That(full.Energy, Is.Not.EqualTo(0), p.Name);
            var one = Half(p, list, 1);
            AssertClose(full, one, 1e-11);
            var three = Half(p, list, 3);
            Assert.That(three.Energy, Is.EqualTo(one.Energy), $"{p.Name}: energy on 3 threads");
            Assert.That(three.Fx, Is.EqualTo(one.Fx), $"{p.Name}: forces on 3 threads");
        }
    }

    [Test]
    public void ResultsAreIdenticalForAnyThreadCount()
    {
        var cell = new Box([22, 0, 0, 3, 21, 0, -2, 1.5, 24]);
        var (x, y, z, types) = Cloud(cell, 2500, 3, minDistance: 0.8);
        var lj = TwoTypeLj();
        var list = new HalfNeighborList();
        list.Build(x, y, z, types, [0, 0, 0], cell, lj.Cutoff + 0.3);
        Assert.That(list.SlabCount, Is.GreaterThan(4), "enough slabs to run in parallel");
        var threaded = new HalfNeighborList();
        threaded.Build(x, y, z, types, [0, 0, 0], cell, lj.Cutoff + 0.3, new ParallelOptions { MaxDegreeOfParallelism = 3 });
        Assert.That(threaded.Centers.ToArray(), Is.EqualTo(list.Centers.ToArray()), "centers of a threaded build");
        Assert.That(threaded.Offsets.ToArray(), Is.EqualTo(list.Offsets.ToArray()), "offsets of a threaded build");
        Assert.That(threaded.Neighbors.ToArray(), Is.EqualTo(list.Neighbors.ToArray()), "neighbors of a threaded build");
        var one = Half(lj, list, 1);
        foreach (var threads in new[] { 2, 3, 8 })
        {
            var many = Half(lj, list, threads);
            Assert.That(many.Energy, Is.EqualTo(one.Energy), $"energy, {threads} threads");
            Assert.That(many.Fx, Is.EqualTo(one.Fx), $"fx, {threads} threads");
            Assert.That(many.Fy, Is.EqualTo(one.Fy));
            Assert.That(many.Fz, Is.EqualTo(one.Fz));
            Assert.That(many.Virial, Is.EqualTo(one.Virial));
        }
        var eam = CopperEam();
        Requirement.That(eam is not null, Requirement.Lammps, $"{CuFuncfl} missing (Debian lammps-data); the LJ part passed");
        var (cx, cy, cz, ct) = Cloud(cell, 600, 5, minDistance: 2.0);
        var elist = new HalfNeighborList();
        elist.Build(cx, cy, cz, ct, [0, 0, 0], cell, eam!.Cutoff + 0.3);
        var e1 = Half(eam, elist, 1);
        var e2 = Half(eam, elist, 2);
        Assert.That(e2.Energy, Is.EqualTo(e1.Energy));
        Assert.That(e2.Fx, Is.EqualTo(e1.Fx));
        Assert.That(e2.Virial, Is.EqualTo(e1.Virial));
    }

    [Test]
    public void AnLjRunGivesTheSameThermoAtFifteenDigitsForOneAndThreeThreads()
    {
        string Run(string threads)
        {
            Environment.SetEnvironmentVariable("DPSHARP_THREADS", threads);
            try
            {
                var screen = new StringWriter();
                using (var s = new DeepMD.Sharp.Input.DeckSession(screen, Support.RepoPaths.TempDir(), null))
                    s.Runner.RunText("d", """
                        units lj
                        lattice fcc 0.8442
                        region box block 0 8 0 8 0 8
                        create_box 2 box
                        create_atoms 1 box
                        mass * 1.0
                        velocity all create 3.0 87287 loop geom
                        pair_style lj/cut 2.5
                        pair_coeff 1 1 1.0 1.0 2.5
                        pair_coeff 2 2 0.8 0.9 2.2
                        neigh_modify every 2 delay 0 check yes
                        fix 1 all nve
                        thermo 20
                        thermo_modify format float %20.15g
                        run 100
                        """);
                return string.Join("\n", screen.ToString().Split('\n').Where(l => l.TrimStart().Length > 0 && char.IsDigit(l.TrimStart()[0]) && l.Contains('-')));
            }
            finally
            {
                Environment.SetEnvironmentVariable("DPSHARP_THREADS", null);
            }
        }
        var one = Run("1");
        Assert.That(one.Split('\n'), Has.Length.EqualTo(6), one);
        Assert.That(Run("3"), Is.EqualTo(one));
    }

    [Test]
    public void AfterABoxChangeGhostsFollowTheCurrentCell()
    {
        var cell = new Box([12, 0, 0, 1.5, 11, 0, 0.5, -1, 13]);
        var (x, y, z, types) = Cloud(cell, 260, 17, minDistance: 0.9);
        var lj = TwoTypeLj();
        var list = new HalfNeighborList();
        list.Build(x, y, z, types, [0, 0, 0], cell, lj.Cutoff + 0.3);
        // Shrink the cell by 0.5% along every lattice vector, moving atoms with it (what a barostat does).
        var strain = new double[] { -0.005, 0, 0, 0, -0.005, 0, 0, 0, -0.005 };
        var newCell = cell.Deformed(strain);
        double[] nx = new double[x.Length], ny = new double[x.Length], nz = new double[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            var (a, b, c) = cell.ToFractional(x[i], y[i], z[i]);
            (nx[i], ny[i], nz[i]) = newCell.ToCartesian(a, b, c);
        }
        list.Refresh(nx, ny, nz, newCell);
        var refreshed = Half(lj, list, 2);
        var fresh = Full(lj, newCell, nx, ny, nz, types);
        Assert.That(fresh.Energy, Is.Not.EqualTo(Full(lj, cell, x, y, z, types).Energy).Within(1e-6), "the box change matters");
        AssertClose(fresh, refreshed, 1e-11);
    }

    [Test]
    public void BoxCornersMovingEatIntoTheSkinAndARequestForcesARebuild()
    {
        var settings = new NeighborSettings { Skin = 0.4, Every = 1, Delay = 0, Check = true };
        var verlet = new VerletList(settings);
        var box = new SimulationBox(0, 10, 0, 10, 0, 10);
        double[] x = [1, 5], y = [1, 5], z = [1, 5];
        verlet.BuildHalf(x, y, z, [0, 0], box, 1.0);
        Assert.That(verlet.Decide(x, y, z, box), Is.False, "nothing moved");
        // An atom moved 0.1 (< skin/2 = 0.2). Growing the box by 0.15 moves the upper corner by 0.15·√3 ≈ 0.26 and
        // the lower one not at all; LAMMPS (orthogonal box) allows (skin − both)/2 = (0.4 − 0.26)/2 = 0.07 < 0.1.
        double[] moved = [1.1, 5], same = [1, 5];
        Assert.That(verlet.Decide(moved, same, same, box), Is.False, "0.1 < skin/2 with a fixed box");
        var grown = box.With(0, 10.15, 0, 10.15, 0, 10.15, 0, 0, 0);
        Assert.That(verlet.Decide(moved, same, same, grown), Is.True, "the box change leaves nothing of the skin");
        var slightly = box.With(0, 10.01, 0, 10.01, 0, 10.01, 0, 0, 0);
        Assert.That(verlet.Decide(moved, same, same, slightly), Is.False, "a 0.01 growth leaves (0.4 − 0.0173)/2 ≈ 0.191 > 0.1");
        double[] almost = [1.19, 5];
        Assert.That(verlet.Decide(almost, same, same, slightly), Is.False, "0.19 < 0.191 (the lower corner did not move)");
        double[] further = [1.195, 5];
        Assert.That(verlet.Decide(further, same, same, slightly), Is.True, "0.195 > 0.191");
        verlet.BuildHalf(x, y, z, [0, 0], grown, 1.0);
        verlet.RequestRebuild();
        settings.Every = 50;
        Assert.That(verlet.Decide(x, y, z, grown), Is.True, "a requested rebuild ignores every/delay/check");
        Assert.That(verlet.Decide(x, y, z, grown), Is.False, "only once");
    }
}
