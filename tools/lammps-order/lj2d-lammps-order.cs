// A reference, not part of dpsharp: a serial 2-d lj/cut (shift yes) NVE + enforce2d run that does every floating-point
// operation in the order LAMMPS 20220106 on one process does it (see README.md), written to find out what dpsharp must
// reproduce for the chaotic example decks (min/in.min, fire/in.*) to match lmp at printed precision.
// Usage: dotnet run lj2d-lammps-order.cs init.data STEPS   (init.data from in.init; compare with lmp -in in.ref)
using System.Globalization;
var ci = CultureInfo.InvariantCulture;
var lines = File.ReadAllLines(args[0]);
double[] lo = new double[3], hi = new double[3];
var ids = new List<int>(); var X = new List<double[]>(); var V = new Dictionary<int,double[]>();
int sec = 0;
foreach (var l in lines) {
  var w = l.Split(' ', StringSplitOptions.RemoveEmptyEntries);
  if (w.Length == 0) continue;
  if (l.Contains("xlo xhi")) { lo[0] = double.Parse(w[0], ci); hi[0] = double.Parse(w[1], ci); continue; }
  if (l.Contains("ylo yhi")) { lo[1] = double.Parse(w[0], ci); hi[1] = double.Parse(w[1], ci); continue; }
  if (l.Contains("zlo zhi")) { lo[2] = double.Parse(w[0], ci); hi[2] = double.Parse(w[1], ci); continue; }
  if (w[0] == "Atoms") { sec = 1; continue; }
  if (w[0] == "Velocities") { sec = 2; continue; }
  if (w[0] == "Masses") { sec = 3; continue; }
  if (sec == 1 && w.Length >= 5) { ids.Add(int.Parse(w[0])); X.Add([double.Parse(w[2], ci), double.Parse(w[3], ci), double.Parse(w[4], ci)]); }
  if (sec == 2 && w.Length == 4) V[int.Parse(w[0])] = [double.Parse(w[1], ci), double.Parse(w[2], ci), double.Parse(w[3], ci)];
}
int nlocal = ids.Count;
int cap = nlocal * 4;
var x = new double[cap, 3]; var v = new double[nlocal, 3]; var f = new double[cap, 3]; var tag = new int[nlocal];
for (int i = 0; i < nlocal; i++) { tag[i] = ids[i]; for (int d = 0; d < 3; d++) { x[i, d] = X[i][d]; v[i, d] = V[ids[i]][d]; } }
double[] prd = [hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]];
double cut = 2.5, skin = 0.3, cutneigh = cut + skin, cutneighsq = cutneigh * cutneigh, cutsq = cut * cut;
double lj1 = 48.0 * 1 * Math.Pow(1, 12.0), lj2 = 24.0 * 1 * Math.Pow(1, 6.0), lj3 = 4.0 * 1 * Math.Pow(1, 12.0), lj4 = 4.0 * 1 * Math.Pow(1, 6.0);
double ratio = 1.0 / cut; double offset = 4.0 * 1.0 * (Math.Pow(ratio, 12.0) - Math.Pow(ratio, 6.0));
double dt = 0.005, dtv = dt, dtf = 0.5 * dt * 1.0, mass = 1.0;
double triggersq = 0.25 * skin * skin;
int nghost = 0;
// swaps
var sendlist = new List<int>[4]; var firstrecv = new int[4]; var swapdim = new[] { 0, 0, 1, 1 }; var swappbc = new[] { 1, -1, 1, -1 };
double cutghost = cutneigh;
var xhold = new double[nlocal, 3];
long nextsort = 0; int sortfreq = 1000;
double[] virial = new double[6]; double engv = 0;

void Pbc() {
  for (int i = 0; i < nlocal; i++)
    for (int d = 0; d < 3; d++) {
      if (x[i, d] < lo[d]) x[i, d] += prd[d];
      if (x[i, d] >= hi[d]) { x[i, d] -= prd[d]; x[i, d] = Math.Max(x[i, d], lo[d]); }
    }
}
void Sort(long step) {
  nextsort = (step / sortfreq) * sortfreq + sortfreq;
  double binsize = 0.5 * cutneigh, bininv = 1.0 / binsize;
  int nbx = (int)((hi[0] - lo[0]) * bininv), nby = (int)((hi[1] - lo[1]) * bininv), nbz = 1;
  if (nbx == 0) nbx = 1; if (nby == 0) nby = 1;
  double bix = nbx / (hi[0] - lo[0]), biy = nby / (hi[1] - lo[1]), biz = nbz / (hi[2] - lo[2]);
  int nb = nbx * nby * nbz; var head = new int[nb]; Array.Fill(head, -1); var next = new int[nlocal];
  for (int i = nlocal - 1; i >= 0; i--) {
    int ix = (int)((x[i, 0] - lo[0]) * bix), iy = (int)((x[i, 1] - lo[1]) * biy), iz = (int)((x[i, 2] - lo[2]) * biz);
    ix = Math.Max(ix, 0); iy = Math.Max(iy, 0); iz = Math.Max(iz, 0); ix = Math.Min(ix, nbx - 1); iy = Math.Min(iy, nby - 1); iz = Math.Min(iz, nbz - 1);
    int b = iz * nby * nbx + iy * nbx + ix; next[i] = head[b]; head[b] = i;
  }
  var perm = new int[nlocal]; int n = 0;
  for (int m = 0; m < nb; m++) for (int i = head[m]; i >= 0; i = next[i]) perm[n++] = i;
  var nx = new double[nlocal, 3]; var nv = new double[nlocal, 3]; var nt = new int[nlocal]; var nh = new double[nlocal, 3];
  for (int k = 0; k < nlocal; k++) { int j = perm[k]; nt[k] = tag[j]; for (int d = 0; d < 3; d++) { nx[k, d] = x[j, d]; nv[k, d] = v[j, d]; nh[k, d] = xhold[j, d]; } }
  for (int k = 0; k < nlocal; k++) { tag[k] = nt[k]; for (int d = 0; d < 3; d++) { x[k, d] = nx[k, d]; v[k, d] = nv[k, d]; xhold[k, d] = nh[k, d]; } }
}
void Borders() {
  nghost = 0; int iswap = 0;
  for (int dim = 0; dim < 2; dim++) {
    int nlast = 0, nfirst = 0;
    for (int ineed = 0; ineed < 2; ineed++) {
      double slo, shi;
      if (ineed % 2 == 0) { slo = -1e20; shi = lo[dim] + cutghost; } else { slo = hi[dim] - cutghost; shi = 1e20; }
      if (ineed % 2 == 0) { nfirst = nlast; nlast = nlocal + nghost; }
      var sl = new List<int>();
      for (int i = nfirst; i < nlast; i++) if (x[i, dim] >= slo && x[i, dim] <= shi) sl.Add(i);
      sendlist[iswap] = sl; firstrecv[iswap] = nlocal + nghost;
      double[] sh = new double[3]; sh[dim] = swappbc[iswap] * prd[dim];
      for (int k = 0; k < sl.Count; k++) { int j = sl[k], g = nlocal + nghost + k; for (int d = 0; d < 3; d++) x[g, d] = x[j, d] + sh[d]; }
      nghost += sl.Count; iswap++;
    }
  }
}
void ForwardComm() {
  for (int iswap = 0; iswap < 4; iswap++) {
    var sl = sendlist[iswap]; int dim = swapdim[iswap];
    double[] sh = new double[3]; sh[dim] = swappbc[iswap] * prd[dim];
    for (int k = 0; k < sl.Count; k++) { int j = sl[k], g = firstrecv[iswap] + k; for (int d = 0; d < 3; d++) x[g, d] = x[j, d] + sh[d]; }
  }
}
// neighbor bins
int nbinx, nbiny, mbinx, mbiny, mbinxlo, mbinylo, mbins; double bininvx, bininvy, bininvz, binsizex, binsizey; int nbinz = 1;
var stencil = new List<int>();
{
  double[] bbox = [prd[0], prd[1], prd[2]];
  double bopt = 0.5 * cutneigh, binv = 1.0 / bopt;
  nbinx = (int)(bbox[0] * binv); nbiny = (int)(bbox[1] * binv);
  if (nbinx == 0) nbinx = 1; if (nbiny == 0) nbiny = 1;
  binsizex = bbox[0] / nbinx; binsizey = bbox[1] / nbiny; double binsizez = bbox[2] / nbinz;
  bininvx = 1.0 / binsizex; bininvy = 1.0 / binsizey; bininvz = 1.0 / binsizez;
  const double SMALL = 1.0e-6;
  double c = lo[0] - cutghost - SMALL * bbox[0];
  mbinxlo = (int)((c - lo[0]) * bininvx); if (c < lo[0]) mbinxlo--;
  c = hi[0] + cutghost + SMALL * bbox[0]; int mbinxhi = (int)((c - lo[0]) * bininvx);
  c = lo[1] - cutghost - SMALL * bbox[1];
  mbinylo = (int)((c - lo[1]) * bininvy); if (c < lo[1]) mbinylo--;
  c = hi[1] + cutghost + SMALL * bbox[1]; int mbinyhi = (int)((c - lo[1]) * bininvy);
  mbinxlo--; mbinxhi++; mbinx = mbinxhi - mbinxlo + 1; mbinylo--; mbinyhi++; mbiny = mbinyhi - mbinylo + 1;
  mbins = mbinx * mbiny;
  int sx = (int)(cutneigh * bininvx); if (sx * binsizex < cutneigh) sx++;
  int sy = (int)(cutneigh * bininvy); if (sy * binsizey < cutneigh) sy++;
  double Bd(int i, int j) { double dx = i > 0 ? (i - 1) * binsizex : i == 0 ? 0.0 : (i + 1) * binsizex; double dy = j > 0 ? (j - 1) * binsizey : j == 0 ? 0.0 : (j + 1) * binsizey; return dx * dx + dy * dy; }
  for (int j = 0; j <= sy; j++) for (int i = -sx; i <= sx; i++) if (j > 0 || (j == 0 && i > 0)) if (Bd(i, j) < cutneighsq) stencil.Add(j * mbinx + i);
}
int Coord2Bin(int i) {
  int ix, iy, iz;
  double xx = x[i, 0], yy = x[i, 1], zz = x[i, 2];
  if (xx >= hi[0]) ix = (int)((xx - hi[0]) * bininvx) + nbinx; else if (xx >= lo[0]) { ix = (int)((xx - lo[0]) * bininvx); ix = Math.Min(ix, nbinx - 1); } else ix = (int)((xx - lo[0]) * bininvx) - 1;
  if (yy >= hi[1]) iy = (int)((yy - hi[1]) * bininvy) + nbiny; else if (yy >= lo[1]) { iy = (int)((yy - lo[1]) * bininvy); iy = Math.Min(iy, nbiny - 1); } else iy = (int)((yy - lo[1]) * bininvy) - 1;
  if (zz >= hi[2]) iz = (int)((zz - hi[2]) * bininvz) + nbinz; else if (zz >= lo[2]) { iz = (int)((zz - lo[2]) * bininvz); iz = Math.Min(iz, nbinz - 1); } else iz = (int)((zz - lo[2]) * bininvz) - 1;
  return (iz - 0) * mbiny * mbinx + (iy - mbinylo) * mbinx + (ix - mbinxlo);
}
var neigh = new List<int>[nlocal];
void Build() {
  int nall = nlocal + nghost;
  var binhead = new int[mbins]; Array.Fill(binhead, -1); var bins = new int[nall]; var a2b = new int[nall];
  for (int i = nall - 1; i >= 0; i--) { int b = Coord2Bin(i); a2b[i] = b; bins[i] = binhead[b]; binhead[b] = i; }
  for (int i = 0; i < nlocal; i++) {
    var nl = new List<int>(); double xt = x[i, 0], yt = x[i, 1], zt = x[i, 2];
    for (int j = bins[i]; j >= 0; j = bins[j]) {
      if (j >= nlocal) { if (x[j, 2] < zt) continue; if (x[j, 2] == zt) { if (x[j, 1] < yt) continue; if (x[j, 1] == yt && x[j, 0] < xt) continue; } }
      double dx = xt - x[j, 0], dy = yt - x[j, 1], dz = zt - x[j, 2]; double rsq = dx * dx + dy * dy + dz * dz;
      if (rsq <= cutneighsq) nl.Add(j);
    }
    int ib = a2b[i];
    foreach (var s in stencil)
      for (int j = binhead[ib + s]; j >= 0; j = bins[j]) {
        double dx = xt - x[j, 0], dy = yt - x[j, 1], dz = zt - x[j, 2]; double rsq = dx * dx + dy * dy + dz * dz;
        if (rsq <= cutneighsq) nl.Add(j);
      }
    neigh[i] = nl;
  }
  for (int i = 0; i < nlocal; i++) for (int d = 0; d < 3; d++) xhold[i, d] = x[i, d];
}
void Force() {
  int nall = nlocal + nghost;
  for (int i = 0; i < nall; i++) for (int d = 0; d < 3; d++) f[i, d] = 0.0;
  engv = 0; Array.Clear(virial);
  for (int i = 0; i < nlocal; i++) {
    double xt = x[i, 0], yt = x[i, 1], zt = x[i, 2];
    foreach (var j in neigh[i]) {
      double dx = xt - x[j, 0], dy = yt - x[j, 1], dz = zt - x[j, 2]; double rsq = dx * dx + dy * dy + dz * dz;
      if (rsq < cutsq) {
        double r2inv = 1.0 / rsq, r6inv = r2inv * r2inv * r2inv;
        double forcelj = r6inv * (lj1 * r6inv - lj2);
        double fpair = 1.0 * forcelj * r2inv;
        f[i, 0] += dx * fpair; f[i, 1] += dy * fpair; f[i, 2] += dz * fpair;
        f[j, 0] -= dx * fpair; f[j, 1] -= dy * fpair; f[j, 2] -= dz * fpair;
        double evdwl = r6inv * (lj3 * r6inv - lj4) - offset; evdwl *= 1.0;
        engv += evdwl;
      }
    }
  }
  for (int i = 0; i < nall; i++) {
    virial[0] += f[i, 0] * x[i, 0]; virial[1] += f[i, 1] * x[i, 1]; virial[2] += f[i, 2] * x[i, 2];
    virial[3] += f[i, 1] * x[i, 0]; virial[4] += f[i, 2] * x[i, 0]; virial[5] += f[i, 2] * x[i, 1];
  }
  for (int iswap = 3; iswap >= 0; iswap--) {
    var sl = sendlist[iswap];
    for (int k = 0; k < sl.Count; k++) { int j = sl[k], g = firstrecv[iswap] + k; f[j, 0] += f[g, 0]; f[j, 1] += f[g, 1]; f[j, 2] += f[g, 2]; }
  }
}
void Enforce2d() { for (int i = 0; i < nlocal; i++) { v[i, 2] = 0.0; f[i, 2] = 0.0; } }
void Thermo(long step) {
  double t = 0; for (int i = 0; i < nlocal; i++) t += (v[i, 0] * v[i, 0] + v[i, 1] * v[i, 1] + v[i, 2] * v[i, 2]) * mass;
  double dof = 2.0 * nlocal - 2.0; double tfactor = 1.0 / (dof * 1.0); double temp = t * tfactor;
  double pe = (engv + 0.0) / nlocal;
  double ke = temp * 0.5 * dof * 1.0 / nlocal;
  double vir0 = 0 + virial[0], vir1 = 0 + virial[1];
  double press = (dof * 1.0 * temp + vir0 + vir1) / 2.0 * (1.0 / (prd[0] * prd[1])) * 1.0;
  Console.WriteLine(string.Format(ci, "{0,8} {1,22:R} {2,22:R} {3,22} {4,22:R} {5,22:R}", step, temp, pe, 0, pe + ke, press));
}
// setup
Pbc(); Sort(0); Borders(); Build(); Force(); Enforce2d();
Console.WriteLine("Step Temp E_pair E_mol TotEng Press");
Thermo(0);
int nsteps = int.Parse(args[1]);
for (long step = 1; step <= nsteps; step++) {
  for (int i = 0; i < nlocal; i++) { double dtfm = dtf / mass; v[i, 0] += dtfm * f[i, 0]; v[i, 1] += dtfm * f[i, 1]; v[i, 2] += dtfm * f[i, 2]; x[i, 0] += dtv * v[i, 0]; x[i, 1] += dtv * v[i, 1]; x[i, 2] += dtv * v[i, 2]; }
  bool flag = false;
  for (int i = 0; i < nlocal; i++) { double dx = x[i, 0] - xhold[i, 0], dy = x[i, 1] - xhold[i, 1], dz = x[i, 2] - xhold[i, 2]; if (dx * dx + dy * dy + dz * dz > triggersq) flag = true; }
  if (!flag) ForwardComm();
  else { Pbc(); if (step >= nextsort) Sort(step); Borders(); Build(); }
  Force(); Enforce2d();
  for (int i = 0; i < nlocal; i++) { double dtfm = dtf / mass; v[i, 0] += dtfm * f[i, 0]; v[i, 1] += dtfm * f[i, 1]; v[i, 2] += dtfm * f[i, 2]; }
  if (step % 10 == 0) Thermo(step);
}
