/* pair_style deepmd for LAMMPS over DeepMD.Sharp's C ABI (native/dpsharp.h); see pair_deepmd.h and docs/lammps-plugin.md.
 *
 * Each step hands LAMMPS' full neighbor list (local centers, neighbors among local + ghost atoms) to
 * dpsharp_compute_lammps_v1, which returns forces and per-atom virials on local and ghost atoms, not folded.
 * newton_pair on: they are added to f / vatom of all atoms and LAMMPS' reverse communication folds them.
 * newton_pair off: this style folds them itself (reverse_comm_pair) and adds only the owned atoms' share.
 * Model deviation (two or more models, every out_freq steps): every model's forces are folded onto their owners,
 * the per-atom deviations and the models' virials are reduced over ranks, and rank 0 writes DeePMD-kit's layout. */
#include "pair_deepmd.h"

#include "atom.h"
#include "comm.h"
#include "error.h"
#include "force.h"
#include "memory.h"
#include "neigh_list.h"
#include "neigh_request.h"
#include "neighbor.h"
#include "update.h"
#include "utils.h"

#include "dpsharp.h"

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <cmath>
#include <cstring>
#include <limits>
#include <mpi.h>

using namespace LAMMPS_NS;

static const char USAGE[] =
    "pair_style deepmd MODEL [MODEL2 ...] [out_freq N] [out_file F] [atomic] [relative R] [relative_v R]";

PairDeepMDSharp::PairDeepMDSharp(LAMMPS *lmp) : Pair(lmp)
{
  single_enable = 0;
  restartinfo = 0;
  one_coeff = 1;
  manybody_flag = 1;
  no_virial_fdotr_compute = 1;    // the C ABI returns the virial of the local + ghost atoms
  writedata = 0;
  comm_reverse = comm_reverse_off = 3 + 9;
}

PairDeepMDSharp::~PairDeepMDSharp()
{
  release();
  if (allocated) {
    memory->destroy(setflag);
    memory->destroy(cutsq);
  }
}

void PairDeepMDSharp::release()
{
  if (model) dpsharp_model_free_v1(model);
  model = nullptr;
  if (devi_fp) fclose(devi_fp);
  devi_fp = nullptr;
}

void PairDeepMDSharp::fail_all(const std::string &what)
{
  error->all(FLERR, "pair_style deepmd: " + what);
  throw std::runtime_error(what);    // not reached: Error::all ends the run
}

void PairDeepMDSharp::fail_one(const std::string &what)
{
  error->one(FLERR, "pair_style deepmd: " + what);
  throw std::runtime_error(what);    // not reached
}

void PairDeepMDSharp::allocate()
{
  allocated = 1;
  int n = atom->ntypes;
  memory->create(setflag, n + 1, n + 1, "pair:setflag");
  memory->create(cutsq, n + 1, n + 1, "pair:cutsq");
  for (int i = 1; i <= n; i++)
    for (int j = i; j <= n; j++) setflag[i][j] = 0;
}

/* pair_style deepmd M1 [M2 ...] [out_freq N] [out_file F] [atomic] [relative R] [relative_v R] */
void PairDeepMDSharp::settings(int narg, char **arg)
{
  if (narg < 1) error->all(FLERR, std::string("Illegal pair_style command; usage: ") + USAGE);
  release();
  paths.clear();
  out_freq = 100;
  out_file = "model_devi.out";
  out_atomic = relative_f = relative_v = false;
  eps_f = eps_v = 0.0;
  last_devi_step = -1;
  for (int k = 0; k < narg; k++) {
    std::string a = arg[k];
    auto value = [&](const char *what) -> std::string {
      if (k + 1 >= narg) fail_all(a + " needs " + what + "; usage: " + USAGE);
      return arg[++k];
    };
    if (a == "out_freq") {
      out_freq = utils::inumeric(FLERR, value("a number of steps").c_str(), false, lmp);
      if (out_freq < 0) fail_all("out_freq must be 0 or positive, got " + std::to_string(out_freq));
    } else if (a == "out_file") {
      out_file = value("a file name");
    } else if (a == "atomic") {
      out_atomic = true;
    } else if (a == "relative") {
      relative_f = true;
      eps_f = utils::numeric(FLERR, value("a value (eV/A)").c_str(), false, lmp);
    } else if (a == "relative_v") {
      relative_v = true;
      eps_v = utils::numeric(FLERR, value("a value (eV)").c_str(), false, lmp);
    } else if (a == "fparam" || a == "aparam" || a == "ttm" || a == "fparam_from_compute" || a == "aparam_from_compute" ||
               a == "fparam_from_fix" || a == "charge_spin" || a == "virtual_len" || a == "spin_norm") {
      fail_all("keyword '" + a + "' is not supported by DeepMD.Sharp's pair style yet");
    } else {
      paths.push_back(a);
    }
  }
  if (paths.empty()) fail_all(std::string("needs a model file; usage: ") + USAGE);

  std::vector<const char *> cpaths;
  for (auto &p : paths) cpaths.push_back(p.c_str());
  // Every rank loads the models, so a bad model fails on every rank alike.
  if (dpsharp_model_load_v1(cpaths.data(), (int) cpaths.size(), nullptr, &model) != DPSHARP_OK)
    fail_all(dpsharp_last_error_v1());
  int ntypes = 0;
  if (dpsharp_model_info_v1(model, &nmodels, &ntypes, &rcut) != DPSHARP_OK) fail_all(dpsharp_last_error_v1());
  char buf[4096];
  if (dpsharp_type_map_v1(model, buf, sizeof buf) != DPSHARP_OK) fail_all(dpsharp_last_error_v1());
  type_names = utils::split_words(buf);
  char backend[1024];
  if (dpsharp_backend_v1(model, backend, sizeof backend) != DPSHARP_OK) fail_all(dpsharp_last_error_v1());
  const char *version = dpsharp_version_v1();
  comm_reverse = comm_reverse_off = 3 * nmodels + 9;

  if (comm->me == 0) {
    std::string msg = fmt::format("DeepMD.Sharp pair_style deepmd ({}): {} model(s), type map [{}], cutoff {} A, backend {}\n",
                                  version ? version : "?", nmodels, buf, rcut, backend);
    utils::logmesg(lmp, msg);
  }
  if (nmodels > 1 && out_freq > 0) {
    int ok = 1;
    std::string why;
    if (comm->me == 0) {
      devi_fp = fopen(out_file.c_str(), "w");
      if (!devi_fp) {
        ok = 0;
        why = std::string(strerror(errno));
      } else {
        std::string header = fmt::format("#{:>11}", "step");
        for (const char *h : {"max_devi_v", "min_devi_v", "avg_devi_v", "max_devi_f", "min_devi_f", "avg_devi_f"})
          header += fmt::format("{:>19}", h);
        if (out_atomic) header += fmt::format("{:>19}", "atm_devi_f(N)");
        fprintf(devi_fp, "%s\n", header.c_str());
        fflush(devi_fp);
      }
    }
    MPI_Bcast(&ok, 1, MPI_INT, 0, world);
    if (!ok) fail_all("cannot write the model deviation file '" + out_file + "': " + why);
  }
}

/* pair_coeff * * [El1 El2 ...]: the element of each atom type, by name in the model's type map */
void PairDeepMDSharp::coeff(int narg, char **arg)
{
  if (!model) fail_all("pair_coeff before a model was loaded");
  if (!allocated) allocate();
  int n = atom->ntypes;
  if (narg < 2 || strcmp(arg[0], "*") != 0 || strcmp(arg[1], "*") != 0)
    fail_all("Incorrect args for pair coefficients: use pair_coeff * * El1 El2 ... (one element of the model's type map per atom type)");
  std::string map;
  for (auto &t : type_names) map += (map.empty() ? "" : " ") + t;
  type_to_model.assign(n + 1, -1);
  if (narg == 2) {
    if ((int) type_names.size() < n)
      fail_all(fmt::format("the model's type map [{}] has fewer species than the {} atom types; name them with pair_coeff * * El1 El2 ...", map, n));
    for (int t = 1; t <= n; t++) type_to_model[t] = t - 1;
  } else {
    if (narg - 2 != n)
      fail_all(fmt::format("Incorrect args for pair coefficients: pair_coeff names {} elements but there are {} atom types; give one element per type", narg - 2, n));
    for (int t = 1; t <= n; t++) {
      auto it = std::find(type_names.begin(), type_names.end(), std::string(arg[t + 1]));
      if (it == type_names.end())
        fail_all(fmt::format("element '{}' (atom type {}) is not in the model's type map [{}]", arg[t + 1], t, map));
      type_to_model[t] = (int) (it - type_names.begin());
    }
  }
  for (int i = 1; i <= n; i++)
    for (int j = i; j <= n; j++) setflag[i][j] = 1;
}

void PairDeepMDSharp::init_style()
{
  if (!model) fail_all("no model loaded");
  // A full list: every local atom is a center with all its neighbors, local and ghost (as DeePMD-kit's pair style).
  int irequest = neighbor->request(this, instance_me);
  neighbor->requests[irequest]->half = 0;
  neighbor->requests[irequest]->full = 1;
}

double PairDeepMDSharp::init_one(int i, int j)
{
  if (setflag[i][j] == 0) fail_all("all pair coeffs are not set; use pair_coeff * * El1 El2 ...");
  return rcut;
}

int PairDeepMDSharp::pack_reverse_comm(int n, int first, double *buf)
{
  int m = 0, w = fold_width;
  for (int i = first; i < first + n; i++)
    for (int k = 0; k < w; k++) buf[m++] = fold[(size_t) i * w + k];
  return m;
}

void PairDeepMDSharp::unpack_reverse_comm(int n, int *list, double *buf)
{
  int m = 0, w = fold_width;
  for (int ii = 0; ii < n; ii++) {
    size_t at = (size_t) list[ii] * w;
    for (int k = 0; k < w; k++) fold[at + k] += buf[m++];
  }
}

void PairDeepMDSharp::compute(int eflag, int vflag)
{
  ev_init(eflag, vflag);
  const int nlocal = atom->nlocal, nghost = atom->nghost, nall = nlocal + nghost;
  double **x = atom->x, **f = atom->f;
  const int *type = atom->type;
  const bool newton = force->newton_pair != 0;
  const bigint step = update->ntimestep;
  const bool devi = nmodels > 1 && out_freq > 0 && step % out_freq == 0 && step != last_devi_step;
  const int nm = devi ? nmodels : 1;

  types.resize(nall);
  for (int i = 0; i < nall; i++) {
    int t = type[i] >= 1 && type[i] < (int) type_to_model.size() ? type_to_model[type[i]] : -1;
    if (t < 0) fail_one(fmt::format("atom type {} has no element; use pair_coeff * * El1 El2 ...", type[i]));
    types[i] = t;
  }
  frc.assign((size_t) 3 * nall, 0.0);
  if (eflag_atom) atom_energy.assign(nall, 0.0);
  if (vflag_atom) atom_virial.assign((size_t) 9 * nall, 0.0);
  if ((int) other_force.size() < nm) other_force.resize(nm);
  std::vector<double> virials((size_t) 9 * nm, 0.0);
  double energy = 0.0;
  if (nlocal > 0) {
    if (list->inum != nlocal) fail_one(fmt::format("the neighbor list has {} centers for {} local atoms", list->inum, nlocal));
    const int *const *firstneigh = (const int *const *) list->firstneigh;
    for (int k = 0; k < nm; k++) {
      double e = 0.0;
      double *fk = frc.data();
      if (k > 0) {
        other_force[k].assign((size_t) 3 * nall, 0.0);
        fk = other_force[k].data();
      }
      int rc = dpsharp_compute_lammps_v1(model, k, nlocal, nghost, &x[0][0], types.data(), list->inum, list->ilist,
                                         list->numneigh, firstneigh, &e, fk, &virials[(size_t) 9 * k],
                                         k == 0 && eflag_atom ? atom_energy.data() : nullptr,
                                         k == 0 && vflag_atom ? atom_virial.data() : nullptr);
      if (rc != DPSHARP_OK) fail_one(dpsharp_last_error_v1());
      if (k == 0) energy = e;
    }
  } else {
    for (int k = 1; k < nm; k++) other_force[k].assign((size_t) 3 * nall, 0.0);
  }

  // Fold what must be whole on the owners: every model's forces for the deviation, and with newton_pair off
  // model 0's forces and per-atom virials (LAMMPS folds neither then).
  const bool fold_f0 = !newton || devi;
  const int nf = devi ? nm : (fold_f0 ? 1 : 0);
  const bool fold_v = !newton && vflag_atom;
  fold_width = 3 * nf + (fold_v ? 9 : 0);
  if (fold_width > 0) {
    const int w = fold_width;
    fold.assign((size_t) w * nall, 0.0);
    for (int i = 0; i < nall; i++) {
      double *row = &fold[(size_t) i * w];
      for (int k = 0; k < nf; k++) {
        const double *fk = k == 0 ? frc.data() : other_force[k].data();
        for (int c = 0; c < 3; c++) row[3 * k + c] = fk[3 * i + c];
      }
      if (fold_v)
        for (int c = 0; c < 9; c++) row[3 * nf + c] = atom_virial[(size_t) 9 * i + c];
    }
    comm->reverse_comm_pair(this);
  }

  // Forces: newton_pair on, every atom's own share (LAMMPS folds ghosts); off, the folded share of the owned atoms.
  if (newton) {
    for (int i = 0; i < nall; i++)
      for (int c = 0; c < 3; c++) f[i][c] += frc[3 * i + c];
  } else {
    for (int i = 0; i < nlocal; i++)
      for (int c = 0; c < 3; c++) f[i][c] += fold[(size_t) i * fold_width + c];
  }
  if (eflag_global) eng_vdwl += energy;
  if (eflag_atom)
    for (int i = 0; i < nlocal; i++) eatom[i] += atom_energy[i];
  // LAMMPS' virial order xx yy zz xy xz yz; ours is W[a][b] = sum F_a x_b, row-major.
  if (vflag_global) {
    const double *v = virials.data();
    virial[0] += v[0];
    virial[1] += v[4];
    virial[2] += v[8];
    virial[3] += v[3];
    virial[4] += v[6];
    virial[5] += v[7];
  }
  if (vflag_atom) {
    const int n = newton ? nall : nlocal;
    for (int i = 0; i < n; i++) {
      const double *v = fold_v ? &fold[(size_t) i * fold_width + 3 * nf] : &atom_virial[(size_t) 9 * i];
      vatom[i][0] += v[0];
      vatom[i][1] += v[4];
      vatom[i][2] += v[8];
      vatom[i][3] += v[3];
      vatom[i][4] += v[6];
      vatom[i][5] += v[7];
    }
  }
  if (devi) write_deviation(nlocal, nall, virials);
}

/* One line of the model deviation file: virial deviations of W/N over the 9 components, force deviations over atoms. */
void PairDeepMDSharp::write_deviation(int nlocal, int /*nall*/, const std::vector<double> &virials)
{
  const int nm = nmodels, w = fold_width;
  const double natoms = (double) atom->natoms;
  std::vector<double> vsum((size_t) 9 * nm, 0.0);
  MPI_Allreduce(virials.data(), vsum.data(), 9 * nm, MPI_DOUBLE, MPI_SUM, world);
  double dv[9];
  for (int c = 0; c < 9; c++) {
    double mean = 0.0, sum = 0.0;
    for (int k = 0; k < nm; k++) mean += vsum[(size_t) 9 * k + c] / natoms;
    mean /= nm;
    for (int k = 0; k < nm; k++) {
      double d = vsum[(size_t) 9 * k + c] / natoms - mean;
      sum += d * d;
    }
    dv[c] = std::sqrt(sum / nm);
    if (relative_v) dv[c] /= std::fabs(mean) + eps_v;
  }
  double vmax = dv[0], vmin = dv[0], v2 = 0.0;
  for (double v : dv) {
    vmax = std::max(vmax, v);
    vmin = std::min(vmin, v);
    v2 += v * v;
  }

  std::vector<double> df(nlocal);
  double local[3] = {-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(), 0.0};
  for (int i = 0; i < nlocal; i++) {
    const double *row = &fold[(size_t) i * w];
    double sum = 0.0, norm2 = 0.0;
    for (int c = 0; c < 3; c++) {
      double mean = 0.0;
      for (int k = 0; k < nm; k++) mean += row[3 * k + c];
      mean /= nm;
      for (int k = 0; k < nm; k++) sum += (row[3 * k + c] - mean) * (row[3 * k + c] - mean);
      norm2 += mean * mean;
    }
    df[i] = std::sqrt(sum / nm);
    if (relative_f) df[i] /= std::sqrt(norm2) + eps_f;
    local[0] = std::max(local[0], df[i]);
    local[1] = std::min(local[1], df[i]);
    local[2] += df[i];
  }
  double fmax = 0.0, fmin = 0.0, fsum = 0.0;
  MPI_Reduce(&local[0], &fmax, 1, MPI_DOUBLE, MPI_MAX, 0, world);
  MPI_Reduce(&local[1], &fmin, 1, MPI_DOUBLE, MPI_MIN, 0, world);
  MPI_Reduce(&local[2], &fsum, 1, MPI_DOUBLE, MPI_SUM, 0, world);

  std::vector<double> by_id;
  if (out_atomic) {
    // Each atom's deviation at its id (1..N), summed onto rank 0.
    const bigint n = atom->natoms;
    std::vector<double> mine(n, 0.0);
    const tagint *tag = atom->tag;
    for (int i = 0; i < nlocal; i++)
      if (tag[i] >= 1 && tag[i] <= n) mine[tag[i] - 1] = df[i];
    if (comm->me == 0) by_id.assign(n, 0.0);
    MPI_Reduce(mine.data(), comm->me == 0 ? by_id.data() : nullptr, (int) n, MPI_DOUBLE, MPI_SUM, 0, world);
  }
  last_devi_step = update->ntimestep;
  if (comm->me != 0 || !devi_fp) return;
  if (natoms == 0) fmax = fmin = 0.0;
  double favg = natoms > 0 ? fsum / natoms : 0.0;
  fprintf(devi_fp, "%12lld", (long long) update->ntimestep);
  for (double v : {vmax, vmin, std::sqrt(v2 / 9.0), fmax, fmin, favg}) fprintf(devi_fp, " %18.6e", v);
  for (double v : by_id) fprintf(devi_fp, " %18.6e", v);
  fprintf(devi_fp, "\n");
  fflush(devi_fp);
}
