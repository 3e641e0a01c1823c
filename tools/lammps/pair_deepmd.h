/* pair_style deepmd for LAMMPS, evaluated by DeepMD.Sharp through its C ABI (native/dpsharp.h).
 * Syntax as DeePMD-kit's pair style: pair_style deepmd M1.dp [M2.dp ...] [out_freq N] [out_file F] [atomic]
 * [relative R] [relative_v R]; pair_coeff * * El1 El2 ... (docs/lammps-plugin.md). */
#ifndef DPSHARP_PAIR_DEEPMD_H
#define DPSHARP_PAIR_DEEPMD_H

#include "pair.h"

#include <cstdio>
#include <string>
#include <vector>

struct dpsharp_model;

namespace LAMMPS_NS {

class PairDeepMDSharp : public Pair {
 public:
  PairDeepMDSharp(class LAMMPS *);
  ~PairDeepMDSharp() override;
  void compute(int, int) override;
  void settings(int, char **) override;
  void coeff(int, char **) override;
  void init_style() override;
  double init_one(int, int) override;
  int pack_reverse_comm(int, int, double *) override;
  void unpack_reverse_comm(int, int *, double *) override;

 private:
  dpsharp_model *model = nullptr;
  std::vector<std::string> paths;
  std::vector<std::string> type_names;    // the model's type map
  int nmodels = 0;
  double rcut = 0.0;
  std::vector<int> type_to_model;         // LAMMPS type (1..ntypes) -> model type index
  // model deviation (two or more models)
  int out_freq = 100;
  std::string out_file = "model_devi.out";
  bool out_atomic = false;
  bool relative_f = false, relative_v = false;
  double eps_f = 0.0, eps_v = 0.0;
  FILE *devi_fp = nullptr;
  bigint last_devi_step = -1;
  // per-step buffers
  std::vector<int> types;
  std::vector<double> frc, atom_energy, atom_virial, fold;
  std::vector<std::vector<double>> other_force;
  int fold_width = 0;

  void allocate();
  void release();
  [[noreturn]] void fail_all(const std::string &what);
  [[noreturn]] void fail_one(const std::string &what);
  void write_deviation(int nlocal, int nall, const std::vector<double> &virials);
};

}    // namespace LAMMPS_NS

#endif
