/* Registers pair_style deepmd (DeepMD.Sharp) with LAMMPS' PLUGIN package: plugin load dpsharpplugin.so */
#include "lammpsplugin.h"
#include "version.h"

#include "pair_deepmd.h"

using namespace LAMMPS_NS;

static Pair *deepmd_creator(LAMMPS *lmp)
{
  return new PairDeepMDSharp(lmp);
}

extern "C" void lammpsplugin_init(void *lmp, void *handle, void *regfunc)
{
  lammpsplugin_t plugin;
  lammpsplugin_regfunc register_plugin = (lammpsplugin_regfunc) regfunc;
  plugin.version = LAMMPS_VERSION;
  plugin.style = "pair";
  plugin.name = "deepmd";
  plugin.info = "DeePMD-kit models evaluated by DeepMD.Sharp (C ABI v1)";
  plugin.author = "DeepMD.Sharp";
  plugin.creator.v1 = (lammpsplugin_factory1 *) &deepmd_creator;
  plugin.handle = handle;
  (*register_plugin)(&plugin, lmp);
}
