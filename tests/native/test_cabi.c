/*
 * Exercises the C ABI (dpsharp.h) from C; the NUnit test CAbiTests compiles it with gcc, runs it and checks its output
 * against DeePMD-kit's reference values.
 *
 *   test_cabi MODEL STRUCTURE          evaluate, print results, ghost-list comparison, error paths
 *   test_cabi --bench MODEL STRUCTURE N   median wall time of N dpsharp_compute_v1 calls, and of a call that
 *                                         does almost nothing (dpsharp_model_info_v1: the C -> C# -> C round trip)
 *
 * STRUCTURE is plain text: the atom count; nine numbers, the cell vectors as rows (Å); then one line per atom:
 * element x y z.
 */
#define _POSIX_C_SOURCE 199309L
#include "dpsharp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NEIGHMASK 0x1FFFFFFF
#define SPECIAL_BIT (1 << 30)

static int natoms;
static double box[9];
static double *coord;
static int *types;

static void die(const char *what)
{
    printf("FAILED %s: %s\n", what, dpsharp_last_error_v1());
    exit(1);
}

static void read_structure(const char *path, dpsharp_model *model)
{
    char names[256];
    if (dpsharp_type_map_v1(model, names, sizeof names) != DPSHARP_OK) die("type map");
    FILE *f = fopen(path, "r");
    if (!f || fscanf(f, "%d", &natoms) != 1) { printf("FAILED cannot read %s\n", path); exit(1); }
    for (int k = 0; k < 9; k++)
        if (fscanf(f, "%lf", &box[k]) != 1) { printf("FAILED box\n"); exit(1); }
    coord = malloc(sizeof(double) * 3 * natoms);
    types = malloc(sizeof(int) * natoms);
    for (int i = 0; i < natoms; i++)
    {
        char element[16];
        if (fscanf(f, "%15s %lf %lf %lf", element, &coord[3 * i], &coord[3 * i + 1], &coord[3 * i + 2]) != 4) { printf("FAILED atom %d\n", i); exit(1); }
        /* The type index of the element: its position in the space-separated type map. */
        types[i] = -1;
        int t = 0;
        char copy[256];
        strcpy(copy, names);
        for (char *tok = strtok(copy, " "); tok; tok = strtok(NULL, " "), t++)
            if (strcmp(tok, element) == 0) types[i] = t;
        if (types[i] < 0) { printf("FAILED element %s not in the type map %s\n", element, names); exit(1); }
    }
    fclose(f);
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec * 1e-3;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double maxdiff(const double *a, const double *b, int n)
{
    double m = 0;
    for (int k = 0; k < n; k++) m = fmax(m, fabs(a[k] - b[k]));
    return m;
}

int main(int argc, char **argv)
{
    int bench = argc > 1 && strcmp(argv[1], "--bench") == 0;
    if (argc < (bench ? 5 : 3)) { fprintf(stderr, "usage: test_cabi [--bench] MODEL STRUCTURE [N]\n"); return 2; }
    const char *model_path = argv[bench ? 2 : 1], *structure = argv[bench ? 3 : 2];

    printf("abi %d\n", dpsharp_abi_version_v1());
    const char *version = dpsharp_version_v1();
    if (!version) die("version");
    printf("version %s\n", version);

    /* Two copies of the model: the handle holds several models (model deviation); evaluate both. */
    const char *paths[2] = {model_path, model_path};
    dpsharp_model *model = NULL;
    if (dpsharp_model_load_v1(paths, 2, "auto", &model) != DPSHARP_OK) die("load");
    int nmodels = 0, ntypes = 0;
    double cutoff = 0;
    if (dpsharp_model_info_v1(model, &nmodels, &ntypes, &cutoff) != DPSHARP_OK) die("info");
    char text[512];
    if (dpsharp_type_map_v1(model, text, sizeof text) != DPSHARP_OK) die("type map");
    printf("nmodels %d\nntypes %d\ncutoff %.17g\ntype_map %s\n", nmodels, ntypes, cutoff, text);
    if (dpsharp_backend_v1(model, text, sizeof text) != DPSHARP_OK) die("backend");
    printf("backend %s\n", text);
    read_structure(structure, model);

    double energy, virial[9];
    double *force = malloc(sizeof(double) * 3 * natoms), *ae = malloc(sizeof(double) * natoms), *av = malloc(sizeof(double) * 9 * natoms);

    if (bench)
    {
        int n = atoi(argv[4]);
        double *t = malloc(sizeof(double) * n);
        for (int k = 0; k < 20; k++) /* warm-up (JIT, tiering) */
            if (dpsharp_compute_v1(model, 0, natoms, coord, types, box, &energy, force, virial, NULL, NULL) != DPSHARP_OK) die("compute");
        for (int k = 0; k < n; k++)
        {
            double t0 = now_us();
            if (dpsharp_compute_v1(model, 0, natoms, coord, types, box, &energy, force, virial, NULL, NULL) != DPSHARP_OK) die("compute");
            t[k] = now_us() - t0;
        }
        qsort(t, n, sizeof(double), compare_doubles);
        printf("bench natoms %d calls %d median_us %.1f\n", natoms, n, t[n / 2]);
        /* The bare cost of crossing into .NET and back: a call that does almost nothing (batches of 1000). */
        int nt, nm;
        double rc;
        for (int k = 0; k < n; k++)
        {
            double t0 = now_us();
            for (int r = 0; r < 1000; r++)
                if (dpsharp_model_info_v1(model, &nm, &nt, &rc) != DPSHARP_OK) die("info");
            t[k] = (now_us() - t0) * 1e3 / 1000;
        }
        qsort(t, n, sizeof(double), compare_doubles);
        printf("bench dpsharp_model_info_v1 median_ns %.1f\n", t[n / 2]);
        dpsharp_model_free_v1(model);
        return 0;
    }

    /* 1. Periodic evaluation with the library's own neighbor search. */
    if (dpsharp_compute_v1(model, 0, natoms, coord, types, box, &energy, force, virial, ae, av) != DPSHARP_OK) die("compute");
    printf("energy %.17g\n", energy);
    for (int i = 0; i < natoms; i++) printf("force %d %.17g %.17g %.17g\n", i, force[3 * i], force[3 * i + 1], force[3 * i + 2]);
    printf("virial");
    for (int k = 0; k < 9; k++) printf(" %.17g", virial[k]);
    printf("\n");
    for (int i = 0; i < natoms; i++) printf("atom_energy %d %.17g\n", i, ae[i]);

    double e1, f1[3 * 64], v1[9];
    if (natoms <= 64)
    {
        if (dpsharp_compute_v1(model, 1, natoms, coord, types, box, &e1, f1, v1, NULL, NULL) != DPSHARP_OK) die("compute model 1");
        printf("model1_energy %.17g\n", e1);
    }

    /* 2. The same atoms as a LAMMPS rank sees them: the locals plus every image in the 26 neighboring cells as ghosts,
     * a full list over locals + ghosts (skin 1 Å beyond the cutoff), centers in reverse order, special bits set on
     * every third entry. Folded onto owners, it must give the periodic result. */
    int nall = 27 * natoms, nlocal = natoms, nghost = nall - nlocal;
    double *x = malloc(sizeof(double) * 3 * nall);
    int *t = malloc(sizeof(int) * nall), *owner = malloc(sizeof(int) * nall);
    int k = 0;
    for (int a = -1; a <= 1; a++)
        for (int b = -1; b <= 1; b++)
            for (int c = -1; c <= 1; c++)
                for (int i = 0; i < natoms; i++)
                {
                    int self = a == 0 && b == 0 && c == 0;
                    int at = self ? i : nlocal + k++;
                    for (int d = 0; d < 3; d++) x[3 * at + d] = coord[3 * i + d] + a * box[d] + b * box[3 + d] + c * box[6 + d];
                    t[at] = types[i];
                    owner[at] = i;
                }
    int *ilist = malloc(sizeof(int) * nlocal), *numneigh = calloc(nlocal, sizeof(int));
    int **firstneigh = malloc(sizeof(int *) * nlocal);
    double reach = cutoff + 1.0;
    for (int i = 0; i < nlocal; i++)
    {
        ilist[i] = nlocal - 1 - i;
        firstneigh[i] = malloc(sizeof(int) * nall);
        for (int j = 0; j < nall; j++)
        {
            if (j == i) continue;
            double dx = x[3 * j] - x[3 * i], dy = x[3 * j + 1] - x[3 * i + 1], dz = x[3 * j + 2] - x[3 * i + 2];
            if (dx * dx + dy * dy + dz * dz < reach * reach)
            {
                int n = numneigh[i]++;
                firstneigh[i][n] = n % 3 == 2 ? (j | SPECIAL_BIT) : j;
            }
        }
    }
    double ge, gv[9];
    double *gf = malloc(sizeof(double) * 3 * nall), *gae = malloc(sizeof(double) * nall), *gav = malloc(sizeof(double) * 9 * nall);
    if (dpsharp_compute_lammps_v1(model, 0, nlocal, nghost, x, t, nlocal, ilist, numneigh, (const int *const *)firstneigh,
                                  &ge, gf, gv, gae, gav) != DPSHARP_OK)
        die("compute_lammps");
    double *ff = calloc(3 * natoms, sizeof(double)), *fae = calloc(natoms, sizeof(double)), *fav = calloc(9 * natoms, sizeof(double));
    double ghost_force = 0, ghost_energy = 0;
    for (int j = 0; j < nall; j++)
    {
        for (int d = 0; d < 3; d++) ff[3 * owner[j] + d] += gf[3 * j + d];
        for (int d = 0; d < 9; d++) fav[9 * owner[j] + d] += gav[9 * j + d];
        fae[owner[j]] += gae[j];
        if (j >= nlocal)
        {
            for (int d = 0; d < 3; d++) ghost_force = fmax(ghost_force, fabs(gf[3 * j + d]));
            ghost_energy = fmax(ghost_energy, fabs(gae[j]));
        }
    }
    printf("ghost nall %d max_ghost_force %.3g max_ghost_atom_energy %.3g\n", nall, ghost_force, ghost_energy);
    printf("ghost_diff energy %.3g force %.3g virial %.3g atom_energy %.3g atom_virial %.3g\n", fabs(ge - energy),
           maxdiff(ff, force, 3 * natoms), maxdiff(gv, virial, 9), maxdiff(fae, ae, natoms), maxdiff(fav, av, 9 * natoms));

    /* 3. Error paths: each a non-zero code and a message, no crash. */
    const char *missing[1] = {"/nonexistent/missing-model.dp"};
    dpsharp_model *none = (dpsharp_model *)0x1;
    int code = dpsharp_model_load_v1(missing, 1, NULL, &none);
    printf("missing_code %d handle_null %d\nmissing_message %s\n", code, none == NULL, dpsharp_last_error_v1());
    code = dpsharp_compute_v1(model, 2, natoms, coord, types, box, &energy, force, virial, NULL, NULL);
    printf("bad_index_code %d\nbad_index_message %s\n", code, dpsharp_last_error_v1());
    ilist[0] = nall - 1;
    code = dpsharp_compute_lammps_v1(model, 0, nlocal, nghost, x, t, nlocal, ilist, numneigh, (const int *const *)firstneigh,
                                     &ge, gf, gv, NULL, NULL);
    printf("bad_list_code %d\nbad_list_message %s\n", code, dpsharp_last_error_v1());
    code = dpsharp_compute_v1(NULL, 0, natoms, coord, types, box, &energy, force, virial, NULL, NULL);
    printf("null_handle_code %d\nnull_handle_message %s\n", code, dpsharp_last_error_v1());
    code = dpsharp_type_map_v1(model, text, 2);
    printf("small_buffer_code %d\nsmall_buffer_message %s\n", code, dpsharp_last_error_v1());

    dpsharp_model_free_v1(model);
    printf("done\n");
    return 0;
}
