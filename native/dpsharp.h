/*
 * dpsharp.h: the C ABI of DeepMD.Sharp, version 1 (docs/c-api.md).
 *
 * Load DeePMD-kit models (.dp / .yaml) and evaluate them from C, C++, Fortran or Python (ctypes) on
 *   - N atoms in a periodic box, with the library's own neighbor search (dpsharp_compute_v1), or
 *   - local + ghost atoms with an external neighbor list in LAMMPS' shape (dpsharp_compute_lammps_v1),
 *     as a LAMMPS pair style or a domain of a decomposed run hands them over.
 *
 * Conventions: every function returns DPSHARP_OK (0) or a non-zero error code; the message of the last failure on
 * the calling thread is dpsharp_last_error_v1(). No C++ exception, .NET exception or abort crosses this boundary.
 * Units are DeePMD-kit's: Å, eV, eV/Å; the virial W[a][b] = sum_k F_k,a x_k,b (eV) is row-major [9].
 * Arrays of vectors are atom-major: coord[3*i + c]. Types are model type indices 0 .. ntypes-1 (see
 * dpsharp_type_map_v1). The .NET runtime starts on the first call that needs it (DOTNET_ROOT may name the
 * installation); DPSHARP_MANAGED_DIR may name the folder holding DeepMD.Sharp.Native.dll (default: this library's folder).
 * A handle may be used from several threads; calls on one handle are serialised.
 */
#ifndef DPSHARP_H
#define DPSHARP_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define DPSHARP_API __attribute__((visibility("default")))
#else
#define DPSHARP_API
#endif

/* The ABI version of this header; dpsharp_abi_version_v1() returns the library's. */
#define DPSHARP_ABI_VERSION 1

/* Error codes. */
#define DPSHARP_OK 0
#define DPSHARP_ERR_INPUT 1    /* bad input: a missing or broken model file, an unknown backend, a bad neighbor list, sel overflow ... */
#define DPSHARP_ERR_ARGUMENT 2 /* a NULL handle or pointer, a negative count, a buffer too small */
#define DPSHARP_ERR_RUNTIME 3  /* the .NET runtime or DeepMD.Sharp.Native.dll could not be loaded */
#define DPSHARP_ERR_INTERNAL 4 /* any other failure inside the library (the message says what) */

/* Several models loaded together (model deviation); the first is the one an MD engine takes forces from. */
typedef struct dpsharp_model dpsharp_model;

/* The ABI version this library implements (1). Never starts the runtime. */
DPSHARP_API int dpsharp_abi_version_v1(void);

/* The library's version string ("DeepMD.Sharp x.y.z"), or NULL (then see dpsharp_last_error_v1). Starts the runtime. */
DPSHARP_API const char *dpsharp_version_v1(void);

/* The message of the last failed call on this thread ("" if none). Valid until the next failing call on this thread. */
DPSHARP_API const char *dpsharp_last_error_v1(void);

/*
 * Loads npaths >= 1 models (all with the same type map and cutoff) into *out. backend: "auto" (or NULL) picks the
 * fastest backend that supports the models (or DPSHARP_BACKEND), else "reference", "cpu", "cpu-f32", "gpu", "gpu-f32".
 */
DPSHARP_API int dpsharp_model_load_v1(const char *const *paths, int npaths, const char *backend, dpsharp_model **out);

/* Frees the models (NULL is fine). */
DPSHARP_API void dpsharp_model_free_v1(dpsharp_model *model);

/* Number of models, number of types, cutoff radius (Å). Any output pointer may be NULL. */
DPSHARP_API int dpsharp_model_info_v1(dpsharp_model *model, int *nmodels, int *ntypes, double *cutoff);

/* The type map as element names separated by single spaces ("O H"), NUL-terminated, into buf (capacity cap bytes). */
DPSHARP_API int dpsharp_type_map_v1(dpsharp_model *model, char *buf, size_t cap);

/* What runs model 0 and why ("cpu-f64 (automatic: ...)"), NUL-terminated, into buf. */
DPSHARP_API int dpsharp_backend_v1(dpsharp_model *model, char *buf, size_t cap);

/*
 * Evaluates model `index` on natoms atoms: coord[natoms*3] (Å), types[natoms]; box[9] = the three cell vectors as
 * rows (row-major, Å), periodic in all three directions, or NULL for no periodicity. Outputs: *energy, force[natoms*3],
 * virial[9]; atom_energy[natoms] and atom_virial[natoms*9] may be NULL.
 */
DPSHARP_API int dpsharp_compute_v1(dpsharp_model *model, int index, int natoms, const double *coord, const int *types,
                                   const double *box, double *energy, double *force, double *virial,
                                   double *atom_energy, double *atom_virial);

/*
 * Evaluates model `index` on nlocal local atoms followed by nghost ghost atoms (nall = nlocal + nghost; coord[nall*3],
 * types[nall]) with a full neighbor list as LAMMPS holds it: inum (must equal nlocal) centers ilist[0 .. inum-1], each
 * a local atom; center i = ilist[ii] has numneigh[i] neighbors firstneigh[i][0 .. numneigh[i]-1] (indexed by the atom,
 * as in LAMMPS' NeighList), each naming any of the nall atoms; LAMMPS' special-bond bits (NEIGHMASK) are masked off.
 * Entries beyond the cutoff are ignored. Outputs, not folded onto owners: *energy (of the local atoms),
 * force[nall*3], virial[9] (sum over all nall atoms); atom_energy[nall] (ghosts 0) and atom_virial[nall*9] may be NULL.
 * Outputs are written, not added: a LAMMPS pair style adds them to its f, eatom and vatom itself.
 */
DPSHARP_API int dpsharp_compute_lammps_v1(dpsharp_model *model, int index, int nlocal, int nghost, const double *coord,
                                          const int *types, int inum, const int *ilist, const int *numneigh,
                                          const int *const *firstneigh, double *energy, double *force, double *virial,
                                          double *atom_energy, double *atom_virial);

#ifdef __cplusplus
}
#endif

#endif /* DPSHARP_H */
