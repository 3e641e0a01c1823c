/*
 * libdpsharp.so: the C ABI of DeepMD.Sharp (dpsharp.h). A thin host: on first use it starts the .NET runtime through
 * the official hosting API (nethost -> hostfxr -> load_assembly_and_get_function_pointer) from
 * DeepMD.Sharp.Native.runtimeconfig.json, finds the [UnmanagedCallersOnly] entry points of DeepMD.Sharp.Native.dll
 * and forwards every call to them. Failures become error codes and a thread-local message, never a crash.
 */
#define _GNU_SOURCE
#include "dpsharp.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coreclr_delegates.h>
#include <hostfxr.h>
#include <nethost.h>

#define ERROR_CAP 4096

static _Thread_local char last_error[ERROR_CAP];

static void set_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
}

/* The managed entry points (DeepMD.Sharp.Native.Exports). */
typedef int(CORECLR_DELEGATE_CALLTYPE *version_fn)(char *buf, int cap);
typedef int(CORECLR_DELEGATE_CALLTYPE *last_error_fn)(char *buf, int cap);
typedef int(CORECLR_DELEGATE_CALLTYPE *load_fn)(const char *const *paths, int npaths, const char *backend, void **out);
typedef int(CORECLR_DELEGATE_CALLTYPE *free_fn)(void *handle);
typedef int(CORECLR_DELEGATE_CALLTYPE *info_fn)(void *handle, int *nmodels, int *ntypes, double *cutoff);
typedef int(CORECLR_DELEGATE_CALLTYPE *text_fn)(void *handle, char *buf, int64_t cap);
typedef int(CORECLR_DELEGATE_CALLTYPE *compute_fn)(void *handle, int index, int natoms, const double *coord, const int *types,
                                                  const double *box, double *energy, double *force, double *virial,
                                                  double *atom_energy, double *atom_virial);
typedef int(CORECLR_DELEGATE_CALLTYPE *compute_lammps_fn)(void *handle, int index, int nlocal, int nghost, const double *coord,
                                                         const int *types, int inum, const int *ilist, const int *numneigh,
                                                         const int *const *firstneigh, double *energy, double *force,
                                                         double *virial, double *atom_energy, double *atom_virial);

static struct
{
    version_fn version;
    last_error_fn last_error;
    load_fn load;
    free_fn free;
    info_fn info;
    text_fn type_map;
    text_fn backend;
    compute_fn compute;
    compute_lammps_fn compute_lammps;
} managed;

static pthread_once_t start_once = PTHREAD_ONCE_INIT;
static int start_code = DPSHARP_ERR_RUNTIME;
static char start_error[ERROR_CAP];

static const char *managed_dir(char *buf, size_t cap)
{
    const char *env = getenv("DPSHARP_MANAGED_DIR");
    if (env && *env)
    {
        snprintf(buf, cap, "%s", env);
        return buf;
    }
    Dl_info info;
    if (!dladdr((void *)&dpsharp_abi_version_v1, &info) || !info.dli_fname) return NULL;
    snprintf(buf, cap, "%s", info.dli_fname);
    char *slash = strrchr(buf, '/');
    if (!slash) snprintf(buf, cap, ".");
    else *slash = '\0';
    return buf;
}

static void start_runtime(void)
{
    char dir[PATH_MAX], assembly[PATH_MAX + 64], config[PATH_MAX + 64];
    if (!managed_dir(dir, sizeof dir))
    {
        snprintf(start_error, sizeof start_error, "dpsharp: cannot tell which folder libdpsharp.so is in; set DPSHARP_MANAGED_DIR to the folder of DeepMD.Sharp.Native.dll");
        return;
    }
    snprintf(assembly, sizeof assembly, "%s/DeepMD.Sharp.Native.dll", dir);
    snprintf(config, sizeof config, "%s/DeepMD.Sharp.Native.runtimeconfig.json", dir);
    FILE *probe = fopen(config, "r");
    if (!probe)
    {
        snprintf(start_error, sizeof start_error, "dpsharp: %s not found; build src/DeepMD.Sharp.Native and keep libdpsharp.so next to its output, or set DPSHARP_MANAGED_DIR", config);
        return;
    }
    fclose(probe);

    char fxr_path[PATH_MAX];
    size_t fxr_size = sizeof fxr_path;
    struct get_hostfxr_parameters params = {sizeof params, assembly, NULL};
    int rc = get_hostfxr_path(fxr_path, &fxr_size, &params);
    if (rc != 0)
    {
        snprintf(start_error, sizeof start_error, "dpsharp: the .NET runtime was not found (get_hostfxr_path: 0x%x); install .NET 10 or set DOTNET_ROOT", (unsigned)rc);
        return;
    }
    void *fxr = dlopen(fxr_path, RTLD_NOW | RTLD_LOCAL);
    if (!fxr)
    {
        snprintf(start_error, sizeof start_error, "dpsharp: cannot load %s: %s", fxr_path, dlerror());
        return;
    }
    hostfxr_initialize_for_runtime_config_fn init = (hostfxr_initialize_for_runtime_config_fn)dlsym(fxr, "hostfxr_initialize_for_runtime_config");
    hostfxr_get_runtime_delegate_fn get_delegate = (hostfxr_get_runtime_delegate_fn)dlsym(fxr, "hostfxr_get_runtime_delegate");
    hostfxr_close_fn close_fxr = (hostfxr_close_fn)dlsym(fxr, "hostfxr_close");
    if (!init || !get_delegate || !close_fxr)
    {
        snprintf(start_error, sizeof start_error, "dpsharp: %s lacks the hosting API (hostfxr_initialize_for_runtime_config)", fxr_path);
        return;
    }
    hostfxr_handle context = NULL;
    rc = init(config, NULL, &context);
    /* 0: started; 1: the runtime was already running in this process; 2: already running with other properties. */
    if ((rc != 0 && rc != 1 && rc != 2) || !context)
    {
        snprintf(start_error, sizeof start_error, "dpsharp: cannot start the .NET runtime from %s (hostfxr_initialize_for_runtime_config: 0x%x); check DOTNET_ROOT and that .NET 10 is installed", config, (unsigned)rc);
        if (context) close_fxr(context);
        return;
    }
    load_assembly_and_get_function_pointer_fn load_assembly = NULL;
    rc = get_delegate(context, hdt_load_assembly_and_get_function_pointer, (void **)&load_assembly);
    close_fxr(context);
    if (rc != 0 || !load_assembly)
    {
        snprintf(start_error, sizeof start_error, "dpsharp: cannot get the .NET loader (hostfxr_get_runtime_delegate: 0x%x)", (unsigned)rc);
        return;
    }
    struct
    {
        const char *name;
        void **slot;
    } entries[] = {
        {"Version", (void **)&managed.version},     {"LastError", (void **)&managed.last_error},
        {"Load", (void **)&managed.load},           {"Free", (void **)&managed.free},
        {"Info", (void **)&managed.info},           {"TypeMap", (void **)&managed.type_map},
        {"Backend", (void **)&managed.backend},     {"Compute", (void **)&managed.compute},
        {"ComputeLammps", (void **)&managed.compute_lammps},
    };
    for (size_t k = 0; k < sizeof entries / sizeof entries[0]; k++)
    {
        rc = load_assembly(assembly, "DeepMD.Sharp.Native.Exports, DeepMD.Sharp.Native", entries[k].name,
                           UNMANAGEDCALLERSONLY_METHOD, NULL, entries[k].slot);
        if (rc != 0 || !*entries[k].slot)
        {
            snprintf(start_error, sizeof start_error, "dpsharp: cannot find the entry point %s in %s (0x%x); rebuild src/DeepMD.Sharp.Native", entries[k].name, assembly, (unsigned)rc);
            return;
        }
    }
    start_code = DPSHARP_OK;
}

/* Starts the runtime once; on failure sets this thread's error and returns the code. */
static int ensure_started(void)
{
    pthread_once(&start_once, start_runtime);
    if (start_code != DPSHARP_OK) set_error("%s", start_error);
    return start_code;
}

/* A managed call failed: fetch its message (kept per thread on the managed side too). */
static int fail(int code)
{
    if (code != DPSHARP_OK && managed.last_error(last_error, (int)sizeof last_error) != 0)
        set_error("dpsharp: error %d (the message could not be read)", code);
    return code;
}

DPSHARP_API int dpsharp_abi_version_v1(void) { return DPSHARP_ABI_VERSION; }

DPSHARP_API const char *dpsharp_last_error_v1(void) { return last_error; }

DPSHARP_API const char *dpsharp_version_v1(void)
{
    static char version[256];
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    if (ensure_started() != DPSHARP_OK) return NULL;
    pthread_mutex_lock(&lock);
    int code = version[0] ? DPSHARP_OK : managed.version(version, (int)sizeof version);
    pthread_mutex_unlock(&lock);
    if (code != DPSHARP_OK)
    {
        fail(code);
        return NULL;
    }
    return version;
}

DPSHARP_API int dpsharp_model_load_v1(const char *const *paths, int npaths, const char *backend, dpsharp_model **out)
{
    if (!out)
    {
        set_error("dpsharp_model_load_v1: out is NULL");
        return DPSHARP_ERR_ARGUMENT;
    }
    *out = NULL;
    int code = ensure_started();
    if (code != DPSHARP_OK) return code;
    return fail(managed.load(paths, npaths, backend, (void **)out));
}

DPSHARP_API void dpsharp_model_free_v1(dpsharp_model *model)
{
    if (model && ensure_started() == DPSHARP_OK) fail(managed.free(model));
}

#define REQUIRE_MODEL(fn)                                                 \
    if (!model)                                                           \
    {                                                                     \
        set_error(fn ": the model handle is NULL");                       \
        return DPSHARP_ERR_ARGUMENT;                                      \
    }                                                                     \
    if (ensure_started() != DPSHARP_OK) return DPSHARP_ERR_RUNTIME;

DPSHARP_API int dpsharp_model_info_v1(dpsharp_model *model, int *nmodels, int *ntypes, double *cutoff)
{
    REQUIRE_MODEL("dpsharp_model_info_v1")
    return fail(managed.info(model, nmodels, ntypes, cutoff));
}

DPSHARP_API int dpsharp_type_map_v1(dpsharp_model *model, char *buf, size_t cap)
{
    REQUIRE_MODEL("dpsharp_type_map_v1")
    return fail(managed.type_map(model, buf, (int64_t)cap));
}

DPSHARP_API int dpsharp_backend_v1(dpsharp_model *model, char *buf, size_t cap)
{
    REQUIRE_MODEL("dpsharp_backend_v1")
    return fail(managed.backend(model, buf, (int64_t)cap));
}

DPSHARP_API int dpsharp_compute_v1(dpsharp_model *model, int index, int natoms, const double *coord, const int *types,
                                   const double *box, double *energy, double *force, double *virial,
                                   double *atom_energy, double *atom_virial)
{
    REQUIRE_MODEL("dpsharp_compute_v1")
    return fail(managed.compute(model, index, natoms, coord, types, box, energy, force, virial, atom_energy, atom_virial));
}

DPSHARP_API int dpsharp_compute_lammps_v1(dpsharp_model *model, int index, int nlocal, int nghost, const double *coord,
                                          const int *types, int inum, const int *ilist, const int *numneigh,
                                          const int *const *firstneigh, double *energy, double *force, double *virial,
                                          double *atom_energy, double *atom_virial)
{
    REQUIRE_MODEL("dpsharp_compute_lammps_v1")
    return fail(managed.compute_lammps(model, index, nlocal, nghost, coord, types, inum, ilist, numneigh, firstneigh,
                                       energy, force, virial, atom_energy, atom_virial));
}
