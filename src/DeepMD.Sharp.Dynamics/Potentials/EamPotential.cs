namespace DeepMD.Sharp.Dynamics.Potentials;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Potentials;
using DeepMD.Sharp.Core.Neighbors;

/// <summary>
/// Embedded-atom method (<c>pair_style eam</c> and <c>eam/alloy</c>): E = Σ_i F_i(Σ_j ρ_j(r_ij)) + ½ Σ_ij φ_ij(r_ij),
/// evaluated from LAMMPS-style spline tables exactly as LAMMPS' PairEAM does (same grids, same spline, same
/// linear extension of F beyond the table). Engine types map to table elements through <see cref="ElementOfType"/>.
/// In the MD loop it runs on a <see cref="HalfNeighborList"/> like LAMMPS with <c>newton on</c>: densities summed over
/// half pairs (ghost densities folded onto owners), F'(ρ) copied to ghosts, then pair forces; slabs run on several
/// threads with the same result for any thread count.
/// </summary>
public sealed class EamPotential : IPotential
{
    private double[] _rhoExt = [], _fpExt = [], _f = [], _e = [], _slabSums = [];
    private HalfNeighborList? _list;
    private bool _perAtom;
    private Action<int>? _densityBody, _embedBody, _forceBody;
    private readonly EamTabulation _t;
    private readonly int _types;
    private readonly int[] _frhoOf;
    private readonly int[] _rhorOf;
    private readonly int[] _z2rOf;
    private readonly double _rdr, _rdrho, _cutSq;
    private double[] _rho = [], _fp = [];

    /// <summary><paramref name="elementOfType"/>[t] is the table element of engine type t (every type must map).</summary>
    public EamPotential(string name, EamTabulation tables, int[] elementOfType)
    {
        Name = name;
        _t = tables;
        _types = elementOfType.Length;
        ElementOfType = elementOfType;
        _frhoOf = new int[_types];
        _rhorOf = new int[_types * _types];
        _z2rOf = new int[_types * _types];
        for (var i = 0; i < _types; i++)
        {
            if (elementOfType[i] < 0) throw new UserInputException($"{name}: atom type {i + 1} has no EAM element; every type needs one");
            _frhoOf[i] = elementOfType[i];
            for (var j = 0; j < _types; j++)
            {
                _rhorOf[i * _types + j] = elementOfType[i];
                _z2rOf[i * _types + j] = EamTabulation.PairIndex(elementOfType[i], elementOfType[j]);
            }
        }
        _rdr = 1.0 / tables.Dr;
        _rdrho = 1.0 / tables.Drho;
        _cutSq = tables.Cutoff * tables.Cutoff;
        if (tables.FrhoSpline.Length == 0) tables.BuildSplines();
    }

    public string Name { get; }

    public double Cutoff => _t.Cutoff;

    public int[] ElementOfType { get; }

    /// <inheritdoc />
    public NeighborKind NeighborKind => NeighborKind.HalfWithGhosts;

    /// <summary>
    /// On the half list over ghosts when the request carries one (what the MD loop builds: each pair once, ghost forces
    /// folded onto their owners), otherwise on a half selection of the full periodic list (same result up to rounding).
    /// </summary>
    public void Compute(ForceRequest request, ForceResult result)
    {
        if (request.HalfNeighbors is { } half)
        {
            ComputeHalf(half, request.PerAtom, request.Parallel ?? new ParallelOptions(), result);
            return;
        }
        if (request.Neighbors is null) throw new ArgumentException("eam needs a neighbor list (half over ghosts, or full periodic)", nameof(request));
        if (request.AtomCount != request.LocalCount)
            throw new NotSupportedException("eam takes explicit ghost atoms through its half list (NeighborKind.HalfWithGhosts); a full list with ghost atoms is not supported");
        ComputeFull(request, result);
    }

    /// <summary>
    /// A full list over the local centers whose entries name local or ghost atoms (a subdomain of a decomposed run):
    /// each local atom's density is complete from its own row, F'(ρ) of the local atoms goes to the ghosts through
    /// <paramref name="forwardToGhosts"/> (the decomposition's forward communication over all
    /// <see cref="ForceRequest.AtomCount"/> values), then each center takes only its own force and half of each pair's
    /// energy and virial (LAMMPS' newton off); ghosts get no force.
    /// </summary>
    public void ComputeWithGhosts(ForceRequest request, ForceResult result, Action<double[]> forwardToGhosts)
    {
        var n = request.LocalCount;
        var nall = request.AtomCount;
        var nl = request.Neighbors ?? throw new ArgumentException("eam with ghost atoms needs a full list over the local centers", nameof(request));
        result.Resize(nall);
        if (_fpExt.Length < nall) _fpExt = new double[nall];
        var type = request.Types;
        var nr = _t.Nr;
        var nrho = _t.Nrho;
        double energy = 0;
        for (var i = 0; i < n; i++)
        {
            var it = type[i];
            var rho = 0.0;
            for (var e = nl.Offsets[i]; e < nl.Offsets[i + 1]; e++)
            {
                double dx = nl.Dx[e], dy = nl.Dy[e], dz = nl.Dz[e];
                var rsq = dx * dx + dy * dy + dz * dz;
                if (rsq >= _cutSq) continue;
                var p = Math.Sqrt(rsq) * _rdr + 1.0;
                var m = Math.Min((int)p, nr - 1);
                p -= m;
                p = Math.Min(p, 1.0);
                var c = _t.RhorSpline[_rhorOf[type[nl.Owner[e]] * _types + it]];
                var b = m * 7;
                rho += ((c[b + 3] * p + c[b + 4]) * p + c[b + 5]) * p + c[b + 6];
            }
            var q = rho * _rdrho + 1.0;
            var k = Math.Max(1, Math.Min((int)q, nrho - 1));
            q -= k;
            q = Math.Min(q, 1.0);
            var f = _t.FrhoSpline[_frhoOf[it]];
            var fb = k * 7;
            var fp = (f[fb] * q + f[fb + 1]) * q + f[fb + 2];
            var phi = ((f[fb + 3] * q + f[fb + 4]) * q + f[fb + 5]) * q + f[fb + 6];
            if (rho > _t.RhoMax) phi += fp * (rho - _t.RhoMax);
            _fpExt[i] = fp;
            energy += phi;
            if (request.PerAtom) result.AtomEnergy[i] += phi;
        }
        forwardToGhosts(_fpExt);

        double vxx = 0, vyy = 0, vzz = 0, vxy = 0, vxz = 0, vyz = 0;
        for (var i = 0; i < n; i++)
        {
            var it = type[i];
            double fix = 0, fiy = 0, fiz = 0;
            for (var e = nl.Offsets[i]; e < nl.Offsets[i + 1]; e++)
            {
                var j = nl.Owner[e];
                double dx = -nl.Dx[e], dy = -nl.Dy[e], dz = -nl.Dz[e];
                var rsq = dx * dx + dy * dy + dz * dz;
                if (rsq >= _cutSq) continue;
                var jt = type[j];
                var r = Math.Sqrt(rsq);
                var p = r * _rdr + 1.0;
                var m = Math.Min((int)p, nr - 1);
                p -= m;
                p = Math.Min(p, 1.0);
                var b = m * 7;
                var c = _t.RhorSpline[_rhorOf[it * _types + jt]];
                var rhoip = (c[b] * p + c[b + 1]) * p + c[b + 2];
                c = _t.RhorSpline[_rhorOf[jt * _types + it]];
                var rhojp = (c[b] * p + c[b + 1]) * p + c[b + 2];
                c = _t.Z2rSpline[_z2rOf[it * _types + jt]];
                var z2p = (c[b] * p + c[b + 1]) * p + c[b + 2];
                var z2 = ((c[b + 3] * p + c[b + 4]) * p + c[b + 5]) * p + c[b + 6];
                var recip = 1.0 / r;
                var phi = z2 * recip;
                var phip = z2p * recip - phi * recip;
                var psip = _fpExt[i] * rhojp + _fpExt[j] * rhoip + phip;
                var fpair = -psip * recip;
                fix += dx * fpair;
                fiy += dy * fpair;
                fiz += dz * fpair;
                energy += 0.5 * phi;
                if (request.PerAtom) result.AtomEnergy[i] += 0.5 * phi;
                vxx += 0.5 * dx * dx * fpair;
                vyy += 0.5 * dy * dy * fpair;
                vzz += 0.5 * dz * dz * fpair;
                vxy += 0.5 * dx * dy * fpair;
                vxz += 0.5 * dx * dz * fpair;
                vyz += 0.5 * dy * dz * fpair;
            }
            result.Fx[i] = fix;
            result.Fy[i] = fiy;
            result.Fz[i] = fiz;
        }
        result.Energy = energy;
        var w = result.Virial;
        w[0] = vxx;
        w[4] = vyy;
        w[8] = vzz;
        w[1] = w[3] = vxy;
        w[2] = w[6] = vxz;
        w[5] = w[7] = vyz;
    }

    private void ComputeFull(ForceRequest request, ForceResult result)
    {
        var n = request.AtomCount;
        result.Resize(n);
        if (_rho.Length != n)
        {
            _rho = new double[n];
            _fp = new double[n];
        }
        else Array.Clear(_rho);
        var nl = request.Neighbors!;
        var type = request.Types;
        var nr = _t.Nr;
        var nrho = _t.Nrho;

        // Densities: each pair once, both directions.
        for (var i = 0; i < n; i++)
        {
            var it = type[i];
            for (var e = nl.Offsets[i]; e < nl.Offsets[i + 1]; e++)
            {
                var j = nl.Owner[e];
                if (!Half(i, j, nl, e)) continue;
                double dx = nl.Dx[e], dy = nl.Dy[e], dz = nl.Dz[e];
                var rsq = dx * dx + dy * dy + dz * dz;
                if (rsq >= _cutSq) continue;
                var jt = type[j];
                var p = Math.Sqrt(rsq) * _rdr + 1.0;
                var m = Math.Min((int)p, nr - 1);
                p -= m;
                p = Math.Min(p, 1.0);
                var c = _t.RhorSpline[_rhorOf[jt * _types + it]];
                var b = m * 7;
                _rho[i] += ((c[b + 3] * p + c[b + 4]) * p + c[b + 5]) * p + c[b + 6];
                c = _t.RhorSpline[_rhorOf[it * _types + jt]];
                _rho[j] += ((c[b + 3] * p + c[b + 4]) * p + c[b + 5]) * p + c[b + 6];
            }
        }

        // Embedding energies and their derivatives.
        double energy = 0;
        for (var i = 0; i < n; i++)
        {
            var p = _rho[i] * _rdrho + 1.0;
            var m = Math.Max(1, Math.Min((int)p, nrho - 1));
            p -= m;
            p = Math.Min(p, 1.0);
            var c = _t.FrhoSpline[_frhoOf[type[i]]];
            var b = m * 7;
            _fp[i] = (c[b] * p + c[b + 1]) * p + c[b + 2];
            var phi = ((c[b + 3] * p + c[b + 4]) * p + c[b + 5]) * p + c[b + 6];
            if (_rho[i] > _t.RhoMax) phi += _fp[i] * (_rho[i] - _t.RhoMax);
            energy += phi;
            if (request.PerAtom) result.AtomEnergy[i] += phi;
        }

        // Pair forces.
        var fx = result.Fx;
        var fy = result.Fy;
        var fz = result.Fz;
        double vxx = 0, vyy = 0, vzz = 0, vxy = 0, vxz = 0, vyz = 0;
        for (var i = 0; i < n; i++)
        {
            var it = type[i];
            for (var e = nl.Offsets[i]; e < nl.Offsets[i + 1]; e++)
            {
                var j = nl.Owner[e];
                if (!Half(i, j, nl, e)) continue;
                double dx = -nl.Dx[e], dy = -nl.Dy[e], dz = -nl.Dz[e];
                var rsq = dx * dx + dy * dy + dz * dz;
                if (rsq >= _cutSq) continue;
                var jt = type[j];
                var r = Math.Sqrt(rsq);
                var p = r * _rdr + 1.0;
                var m = Math.Min((int)p, nr - 1);
                p -= m;
                p = Math.Min(p, 1.0);
                var b = m * 7;
                var c = _t.RhorSpline[_rhorOf[it * _types + jt]];
                var rhoip = (c[b] * p + c[b + 1]) * p + c[b + 2];
                c = _t.RhorSpline[_rhorOf[jt * _types + it]];
                var rhojp = (c[b] * p + c[b + 1]) * p + c[b + 2];
                c = _t.Z2rSpline[_z2rOf[it * _types + jt]];
                var z2p = (c[b] * p + c[b + 1]) * p + c[b + 2];
                var z2 = ((c[b + 3] * p + c[b + 4]) * p + c[b + 5]) * p + c[b + 6];
                var recip = 1.0 / r;
                var phi = z2 * recip;
                var phip = z2p * recip - phi * recip;
                var psip = _fp[i] * rhojp + _fp[j] * rhoip + phip;
                var fpair = -psip * recip;
                fx[i] += dx * fpair;
                fy[i] += dy * fpair;
                fz[i] += dz * fpair;
                fx[j] -= dx * fpair;
                fy[j] -= dy * fpair;
                fz[j] -= dz * fpair;
                energy += phi;
                if (request.PerAtom)
                {
                    result.AtomEnergy[i] += 0.5 * phi;
                    result.AtomEnergy[j] += 0.5 * phi;
                }
                vxx += dx * dx * fpair;
                vyy += dy * dy * fpair;
                vzz += dz * dz * fpair;
                vxy += dx * dy * fpair;
                vxz += dx * dz * fpair;
                vyz += dy * dz * fpair;
            }
        }
        result.Energy = energy;
        var w = result.Virial;
        w[0] = vxx;
        w[4] = vyy;
        w[8] = vzz;
        w[1] = w[3] = vxy;
        w[2] = w[6] = vxz;
        w[5] = w[7] = vyz;
    }

    private void ComputeHalf(HalfNeighborList list, bool perAtom, ParallelOptions parallel, ForceResult result)
    {
        var atoms = list.Atoms;
        var n = atoms.LocalCount;
        var total = atoms.TotalCount;
        result.Resize(n);
        PairBuffers.Zeroed(ref _rhoExt, total);
        if (_fpExt.Length < total) _fpExt = new double[_rhoExt.Length];
        PairBuffers.Zeroed(ref _f, 3 * total);
        if (perAtom) PairBuffers.Zeroed(ref _e, total);
        PairBuffers.Zeroed(ref _slabSums, 7 * list.SlabCount);
        _list = list;
        _perAtom = perAtom;
        list.ForEachSlab(parallel, _densityBody ??= DensitySlab);
        atoms.FoldScalars(_rhoExt);
        list.ForEachSlab(parallel, _embedBody ??= EmbedSlab);
        atoms.CopyToGhosts(_fpExt);
        list.ForEachSlab(parallel, _forceBody ??= ForceSlab);
        _list = null;
        atoms.FoldVectors(_f);
        PairBuffers.CopyForces(_f, result);
        if (perAtom)
        {
            atoms.FoldScalars(_e);
            Array.Copy(_e, result.AtomEnergy, n);
        }
        PairBuffers.SumSlabs(_slabSums, list.SlabCount, result);
    }

    /// <summary>ρ contributions of one slab's pairs, to both atoms.</summary>
    private void DensitySlab(int slab)
    {
        var list = _list!;
        var pos = list.Atoms.Positions;
        var type = list.Atoms.Types;
        var centers = list.CenterArray;
        var offsets = list.OffsetArray;
        var neighbors = list.NeighborArray;
        var start = list.SlabStartArray;
        var rho = _rhoExt;
        var nr = _t.Nr;
        for (var k = start[slab]; k < start[slab + 1]; k++)
        {
            var i = centers[k];
            var it = type[i];
            double xi = pos[3 * i], yi = pos[3 * i + 1], zi = pos[3 * i + 2];
            var rhoi = 0.0;
            for (var e = offsets[k]; e < offsets[k + 1]; e++)
            {
                var j = neighbors[e];
                double dx = xi - pos[3 * j], dy = yi - pos[3 * j + 1], dz = zi - pos[3 * j + 2];
                var rsq = dx * dx + dy * dy + dz * dz;
                if (rsq >= _cutSq) continue;
                var jt = type[j];
                var p = Math.Sqrt(rsq) * _rdr + 1.0;
                var m = Math.Min((int)p, nr - 1);
                p -= m;
                p = Math.Min(p, 1.0);
                var b = m * 7;
                var c = _t.RhorSpline[_rhorOf[jt * _types + it]];
                rhoi += ((c[b + 3] * p + c[b + 4]) * p + c[b + 5]) * p + c[b + 6];
                c = _t.RhorSpline[_rhorOf[it * _types + jt]];
                rho[j] += ((c[b + 3] * p + c[b + 4]) * p + c[b + 5]) * p + c[b + 6];
            }
            rho[i] += rhoi;
        }
    }

    /// <summary>F(ρ) and F'(ρ) of one slab's atoms.</summary>
    private void EmbedSlab(int slab)
    {
        var list = _list!;
        var type = list.Atoms.Types;
        var centers = list.CenterArray;
        var start = list.SlabStartArray;
        var nrho = _t.Nrho;
        double energy = 0;
        for (var k = start[slab]; k < start[slab + 1]; k++)
        {
            var i = centers[k];
            var rho = _rhoExt[i];
            var p = rho * _rdrho + 1.0;
            var m = Math.Max(1, Math.Min((int)p, nrho - 1));
            p -= m;
            p = Math.Min(p, 1.0);
            var c = _t.FrhoSpline[_frhoOf[type[i]]];
            var b = m * 7;
            var fp = (c[b] * p + c[b + 1]) * p + c[b + 2];
            var phi = ((c[b + 3] * p + c[b + 4]) * p + c[b + 5]) * p + c[b + 6];
            if (rho > _t.RhoMax) phi += fp * (rho - _t.RhoMax);
            _fpExt[i] = fp;
            energy += phi;
            if (_perAtom) _e[i] += phi;
        }
        PairBuffers.StoreSlab(_slabSums, slab, energy, 0, 0, 0, 0, 0, 0);
    }

    /// <summary>Pair forces of one slab, to both atoms.</summary>
    private void ForceSlab(int slab)
    {
        var list = _list!;
        var pos = list.Atoms.Positions;
        var type = list.Atoms.Types;
        var centers = list.CenterArray;
        var offsets = list.OffsetArray;
        var neighbors = list.NeighborArray;
        var start = list.SlabStartArray;
        double[] f = _f, fpExt = _fpExt, eatom = _e;
        var perAtom = _perAtom;
        var nr = _t.Nr;
        double energy = 0, vxx = 0, vyy = 0, vzz = 0, vxy = 0, vxz = 0, vyz = 0;
        for (var k = start[slab]; k < start[slab + 1]; k++)
        {
            var i = centers[k];
            var it = type[i];
            double xi = pos[3 * i], yi = pos[3 * i + 1], zi = pos[3 * i + 2];
            double fix = 0, fiy = 0, fiz = 0;
            var fpi = fpExt[i];
            for (var e = offsets[k]; e < offsets[k + 1]; e++)
            {
                var j = neighbors[e];
                var j3 = 3 * j;
                double dx = xi - pos[j3], dy = yi - pos[j3 + 1], dz = zi - pos[j3 + 2];
                var rsq = dx * dx + dy * dy + dz * dz;
                if (rsq >= _cutSq) continue;
                var jt = type[j];
                var r = Math.Sqrt(rsq);
                var p = r * _rdr + 1.0;
                var m = Math.Min((int)p, nr - 1);
                p -= m;
                p = Math.Min(p, 1.0);
                var b = m * 7;
                var c = _t.RhorSpline[_rhorOf[it * _types + jt]];
                var rhoip = (c[b] * p + c[b + 1]) * p + c[b + 2];
                c = _t.RhorSpline[_rhorOf[jt * _types + it]];
                var rhojp = (c[b] * p + c[b + 1]) * p + c[b + 2];
                c = _t.Z2rSpline[_z2rOf[it * _types + jt]];
                var z2p = (c[b] * p + c[b + 1]) * p + c[b + 2];
                var z2 = ((c[b + 3] * p + c[b + 4]) * p + c[b + 5]) * p + c[b + 6];
                var recip = 1.0 / r;
                var phi = z2 * recip;
                var phip = z2p * recip - phi * recip;
                var psip = fpi * rhojp + fpExt[j] * rhoip + phip;
                var fpair = -psip * recip;
                fix += dx * fpair;
                fiy += dy * fpair;
                fiz += dz * fpair;
                f[j3] -= dx * fpair;
                f[j3 + 1] -= dy * fpair;
                f[j3 + 2] -= dz * fpair;
                energy += phi;
                if (perAtom)
                {
                    eatom[i] += 0.5 * phi;
                    eatom[j] += 0.5 * phi;
                }
                vxx += dx * dx * fpair;
                vyy += dy * dy * fpair;
                vzz += dz * dz * fpair;
                vxy += dx * dy * fpair;
                vxz += dx * dz * fpair;
                vyz += dy * dz * fpair;
            }
            f[3 * i] += fix;
            f[3 * i + 1] += fiy;
            f[3 * i + 2] += fiz;
        }
        PairBuffers.StoreSlab(_slabSums, slab, energy, vxx, vyy, vzz, vxy, vxz, vyz);
    }

    private static bool Half(int i, int j, Core.Neighbors.NeighborList nl, int e)
    {
        if (j != i) return j > i;
        int a = nl.ShiftA[e], b = nl.ShiftB[e], c = nl.ShiftC[e];
        return a > 0 || (a == 0 && (b > 0 || (b == 0 && c > 0)));
    }

    /// <summary>Tables for <c>pair_style eam</c> from funcfl files (LAMMPS' file2array: common grid, 4-point interpolation).</summary>
    public static EamTabulation FromFuncfl(IReadOnlyList<EamFile.Funcfl> files)
    {
        const double sixth = 1.0 / 6.0;
        double dr = 0, drho = 0, rmax = 0, rhomax = 0, cut = 0;
        foreach (var f in files)
        {
            dr = Math.Max(dr, f.Dr);
            drho = Math.Max(drho, f.Drho);
            rmax = Math.Max(rmax, (f.Nr - 1) * f.Dr);
            rhomax = Math.Max(rhomax, (f.Nrho - 1) * f.Drho);
            cut = Math.Max(cut, f.Cut);
        }
        var nr = (int)(rmax / dr + 0.5);
        var nrho = (int)(rhomax / drho + 0.5);

        static double Interp(double r, double d, int n, double[] v)
        {
            var p = r / d + 1.0;
            var k = (int)p;
            k = Math.Min(k, n - 2);
            k = Math.Max(k, 2);
            p -= k;
            p = Math.Min(p, 2.0);
            var c1 = -sixth * p * (p - 1.0) * (p - 2.0);
            var c2 = 0.5 * (p * p - 1.0) * (p - 2.0);
            var c3 = -0.5 * p * (p + 1.0) * (p - 2.0);
            var c4 = sixth * p * (p * p - 1.0);
            return c1 * v[k - 1] + c2 * v[k] + c3 * v[k + 1] + c4 * v[k + 2];
        }

        var frho = new double[files.Count][];
        var rhor = new double[files.Count][];
        for (var i = 0; i < files.Count; i++)
        {
            var f = files[i];
            frho[i] = new double[nrho + 1];
            for (var m = 1; m <= nrho; m++) frho[i][m] = Interp((m - 1) * drho, f.Drho, f.Nrho, f.Frho);
            rhor[i] = new double[nr + 1];
            for (var m = 1; m <= nr; m++) rhor[i][m] = Interp((m - 1) * dr, f.Dr, f.Nr, f.Rhor);
        }
        var z2r = new double[files.Count * (files.Count + 1) / 2][];
        for (var i = 0; i < files.Count; i++)
            for (var j = 0; j <= i; j++)
            {
                var t = new double[nr + 1];
                for (var m = 1; m <= nr; m++)
                {
                    var r = (m - 1) * dr;
                    var zri = Interp(r, files[i].Dr, files[i].Nr, files[i].Zr);
                    var zrj = Interp(r, files[j].Dr, files[j].Nr, files[j].Zr);
                    t[m] = 27.2 * 0.529 * zri * zrj;
                }
                z2r[EamTabulation.PairIndex(i, j)] = t;
            }
        var tab = new EamTabulation
        {
            Nrho = nrho, Nr = nr, Drho = drho, Dr = dr, RhoMax = rhomax, Cutoff = cut, Frho = frho, Rhor = rhor, Z2r = z2r,
        };
        tab.BuildSplines();
        return tab;
    }

    /// <summary>Tables for <c>pair_style eam/alloy</c> from a setfl file (used as is).</summary>
    public static EamTabulation FromSetfl(EamFile.Setfl s)
    {
        var tab = new EamTabulation
        {
            Nrho = s.Nrho, Nr = s.Nr, Drho = s.Drho, Dr = s.Dr, RhoMax = (s.Nrho - 1) * s.Drho, Cutoff = s.Cut,
            Frho = s.Frho, Rhor = s.Rhor, Z2r = s.Z2r,
        };
        tab.BuildSplines();
        return tab;
    }
}
