namespace DeepMD.Sharp.Benchmarks;

using BenchmarkDotNet.Attributes;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Core.Potentials;
using DeepMD.Sharp.Dynamics.Neighbors;
using DeepMD.Sharp.Dynamics.Potentials;

/// <summary>
/// The MD engine's classical pair styles on LAMMPS' melt system enlarged to 32,000 atoms (fcc, ρ* = 0.8442, lj/cut 2.5,
/// skin 0.3, atoms jittered by up to 0.1σ) and on 32,000 fcc copper atoms (Cu_u3.eam, skin 1.0): half-list build with
/// ghosts, one force evaluation on the half list (1 thread and all cores), and the old full-list evaluation for scale.
/// Divide by 32,000 for µs per atom.
/// </summary>
[MemoryDiagnoser]
public class PairBenchmarks
{
    private const string CuFuncfl = "/usr/share/lammps/potentials/Cu_u3.eam";
    private readonly ForceResult _result = new();
    private LennardJonesCut _lj = null!;
    private EamPotential? _eam;
    private Lattice _melt = null!, _copper = null!;
    private HalfNeighborList _meltList = null!, _copperList = null!;
    private NeighborList _meltFull = null!;
    private ParallelOptions _one = null!, _all = null!;

    /// <summary>An fcc lattice of n³ cells, jittered, with its cell.</summary>
    private sealed record Lattice(double[] X, double[] Y, double[] Z, int[] Types, Box Cell);

    private static Lattice Fcc(int n, double a, double jitter, int seed)
    {
        var rng = new Random(seed);
        var basis = new[] { (0.0, 0.0, 0.0), (0.5, 0.5, 0.0), (0.5, 0.0, 0.5), (0.0, 0.5, 0.5) };
        var count = 4 * n * n * n;
        double[] x = new double[count], y = new double[count], z = new double[count];
        var k = 0;
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
                for (var l = 0; l < n; l++)
                    foreach (var (bx, by, bz) in basis)
                    {
                        x[k] = (i + bx) * a + jitter * (rng.NextDouble() - 0.5);
                        y[k] = (j + by) * a + jitter * (rng.NextDouble() - 0.5);
                        z[k] = (l + bz) * a + jitter * (rng.NextDouble() - 0.5);
                        k++;
                    }
        var cell = Box.Orthorhombic(n * a, n * a, n * a);
        for (var i = 0; i < count; i++) (x[i], y[i], z[i]) = cell.Wrap(x[i], y[i], z[i]);
        return new Lattice(x, y, z, new int[count], cell);
    }

    [GlobalSetup]
    public void Setup()
    {
        _one = new ParallelOptions { MaxDegreeOfParallelism = 1 };
        _all = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        _lj = new LennardJonesCut(1, 2.5);
        _lj.SetCoefficients(0, 0, 1.0, 1.0);
        _melt = Fcc(20, Math.Cbrt(4 / 0.8442), 0.2, 1);
        _meltList = new HalfNeighborList();
        _meltList.Build(_melt.X, _melt.Y, _melt.Z, _melt.Types, [0, 0, 0], _melt.Cell, 2.8);
        _meltFull = CellListNeighborSearch.Build(_melt.X, _melt.Y, _melt.Z, _melt.Cell, 2.8);
        if (File.Exists(CuFuncfl))
        {
            _eam = new EamPotential("eam", EamPotential.FromFuncfl([Dynamics.Potentials.EamFile.ReadFuncfl(CuFuncfl)]), [0]);
            _copper = Fcc(20, 3.615, 0.1, 2);
            _copperList = new HalfNeighborList();
            _copperList.Build(_copper.X, _copper.Y, _copper.Z, _copper.Types, [0, 0, 0], _copper.Cell, _eam.Cutoff + 1.0);
        }
    }

    [Benchmark(Description = "lj/cut half list build (32k melt, cutoff 2.8)")]
    public int LjHalfListBuild()
    {
        _meltList.Build(_melt.X, _melt.Y, _melt.Z, _melt.Types, [0, 0, 0], _melt.Cell, 2.8);
        return _meltList.PairCount;
    }

    [Benchmark(Description = "ghost refresh (32k melt)")]
    public void GhostRefresh() => _meltList.Refresh(_melt.X, _melt.Y, _melt.Z, _melt.Cell);

    [Benchmark(Description = "lj/cut forces, half list, 1 thread (32k melt)")]
    public double LjHalfOneThread()
    {
        _lj.Compute(new ForceRequest { HalfNeighbors = _meltList, Parallel = _one }, _result);
        return _result.Energy;
    }

    [Benchmark(Description = "lj/cut forces, half list, all cores (32k melt)")]
    public double LjHalfAllCores()
    {
        _lj.Compute(new ForceRequest { HalfNeighbors = _meltList, Parallel = _all }, _result);
        return _result.Energy;
    }

    [Benchmark(Description = "lj/cut forces, full list (32k melt; the pre-ghost path)")]
    public double LjFullList()
    {
        _lj.Compute(new ForceRequest(_melt.X, _melt.Y, _melt.Z, _melt.Types, _melt.Cell, _meltFull), _result);
        return _result.Energy;
    }

    /// <summary>
    /// The alternative to slab colouring for threads: a full list where every atom sums only its own force (each pair
    /// computed twice, no writes to neighbors), atoms split over all cores. Forces only; for the comparison in the docs.
    /// </summary>
    [Benchmark(Description = "lj/cut forces, full list, own-force only, all cores (32k melt; alternative design)")]
    public double LjFullListOwnForceAllCores()
    {
        var nl = _meltFull;
        var n = _melt.X.Length;
        if (_result.Fx.Length != n) _result.Resize(n);
        var fx = _result.Fx;
        var fy = _result.Fy;
        var fz = _result.Fz;
        Parallel.For(0, (n + 1023) / 1024, _all, chunk =>
        {
            for (var i = chunk * 1024; i < Math.Min(n, chunk * 1024 + 1024); i++)
            {
                double sx = 0, sy = 0, sz = 0;
                for (var e = nl.Offsets[i]; e < nl.Offsets[i + 1]; e++)
                {
                    double dx = -nl.Dx[e], dy = -nl.Dy[e], dz = -nl.Dz[e];
                    var rsq = dx * dx + dy * dy + dz * dz;
                    if (rsq >= 6.25) continue;
                    var r2inv = 1.0 / rsq;
                    var r6inv = r2inv * r2inv * r2inv;
                    var fpair = r6inv * (48.0 * r6inv - 24.0) * r2inv;
                    sx += dx * fpair;
                    sy += dy * fpair;
                    sz += dz * fpair;
                }
                fx[i] = sx;
                fy[i] = sy;
                fz[i] = sz;
            }
        });
        return fx[0];
    }

    [Benchmark(Description = "eam forces, half list, 1 thread (32k Cu)")]
    public double EamHalfOneThread()
    {
        if (_eam is null) return 0;
        _eam.Compute(new ForceRequest { HalfNeighbors = _copperList, Parallel = _one }, _result);
        return _result.Energy;
    }

    [Benchmark(Description = "eam forces, half list, all cores (32k Cu)")]
    public double EamHalfAllCores()
    {
        if (_eam is null) return 0;
        _eam.Compute(new ForceRequest { HalfNeighbors = _copperList, Parallel = _all }, _result);
        return _result.Energy;
    }
}
