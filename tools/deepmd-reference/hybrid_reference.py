#!/usr/bin/env python3
"""Writes hybrid-descriptor reference models with DeePMD-kit's own code and evaluates them with its NumPy backend.

Usage: PYTHONPATH=<deepmd-kit source tree with its Python dependencies> python3 hybrid_reference.py DIR

Each model is built by DeePMD-kit's get_model from an input dict with a "hybrid" descriptor (seeded random weights),
given random statistics for every sub-descriptor (davg != 0, so padded slots and slots beyond a sub-descriptor's own
rcut are not zero rows; for the se_e2_a part of the first model davg/dstd differ per slot, so where each neighbor lands
in the slot list matters), a random out_bias, and written by DeePMD-kit's save_dp_model as .yaml (and the first also as
HDF5 .dp). The structures are a periodic 13-atom triclinic cell whose face distances are below the largest rcut, and
a 7-atom cluster without PBC that uses types 0 and 2 of three. DIR receives the models, cases.json and expected.json:
DeePMD-kit's energy and per-atom energies (dpmodel's `call`), forces and virial as five-point central differences of
that energy (dpmodel returns no derivatives; step 1e-5, compared with twice the step). Nothing here is DeePMD-kit
code: it only calls it.
"""
import copy
import json
import sys

import numpy as np
from deepmd.dpmodel.model.base_model import BaseModel
from deepmd.dpmodel.model.model import get_model
from deepmd.dpmodel.utils.serialization import load_dp_model, save_dp_model

TYPE_MAP = ["O", "H", "C"]

SE_A = {"type": "se_e2_a", "rcut": 3.0, "rcut_smth": 2.0, "sel": [14, 14, 10], "neuron": [4, 6, 8], "axis_neuron": 3,
        "seed": 11}
SE_R = {"type": "se_e2_r", "rcut": 4.0, "rcut_smth": 1.5, "sel": [36, 36, 24], "neuron": [4, 6, 8], "seed": 12}
ATTEN = {"type": "se_atten", "rcut": 4.0, "rcut_smth": 1.0, "sel": 88, "neuron": [4, 6, 8], "axis_neuron": 3,
         "attn": 6, "attn_layer": 2, "tebd_dim": 5, "smooth_type_embedding": False, "set_davg_zero": False,
         "seed": 13}
ATTEN_V2 = {"type": "se_atten_v2", "rcut": 3.2, "rcut_smth": 1.2, "sel": 40, "neuron": [4, 6, 8], "axis_neuron": 3,
            "attn": 6, "attn_layer": 1, "tebd_dim": 4, "set_davg_zero": False, "seed": 14}

# name -> (sub-descriptor list, model changes, per-slot statistics for sub-descriptor 0)
MODELS = {
    # mixed-types hybrid: se_e2_a takes its per-type blocks out of the distance-sorted list (nlist_distinguish_types),
    # se_atten the first 88; se_e2_a's rcut (3) is below the list's (4): it also sees neighbors beyond its own rcut.
    "hybrid_sea_atten": ([SE_A, ATTEN], {}, True),
    # se_atten_v2 (rcut 3.2) inside se_e2_r's list (rcut 4): the attention sees neighbors beyond its rcut, with their
    # own type embedding; descriptor exclude_types on se_e2_r and model pair_exclude_types.
    "hybrid_ser_attenv2": ([dict(SE_R, exclude_types=[[0, 1]]), ATTEN_V2], {"pair_exclude_types": [[1, 2]]}, False),
    # two per-type sub-descriptors (a hybrid that is not mixed-types), se_e2_a with exclude_types and the larger rcut.
    "hybrid_sea_ser": ([dict(SE_A, rcut=4.0, rcut_smth=2.5, sel=[36, 36, 24], exclude_types=[[2, 2]]),
                        dict(SE_R, rcut=3.0, sel=[14, 14, 10])], {"pair_exclude_types": [[0, 2]]}, False),
}


def structures(rng):
    """A periodic triclinic 13-atom cell (face distances < 4 Å) and a 7-atom cluster without PBC of types 0 and 2."""
    box = np.array([[4.2, 0.0, 0.0], [1.1, 3.9, 0.0], [-0.7, 0.8, 3.9]])
    frac = []
    while len(frac) < 13:
        f = rng.random(3)
        ok = True
        for g in frac:
            d = f - g
            d -= np.round(d)
            if np.linalg.norm(d @ box) < 1.05:
                ok = False
        if ok:
            frac.append(f)
    pbc = (np.array(frac) @ box).reshape(-1).tolist()
    pbc_types = [0, 1, 2, 0, 1, 2, 0, 1, 0, 2, 1, 0, 1]
    cluster = []
    while len(cluster) < 7:
        x = rng.random(3) * 3.4
        if all(np.linalg.norm(x - y) > 1.1 for y in cluster):
            cluster.append(x)
    faces = [np.linalg.det(box) / np.linalg.norm(np.cross(box[(k + 1) % 3], box[(k + 2) % 3])) for k in range(3)]
    assert max(faces) < 4.0, faces
    return ((pbc, pbc_types, box.reshape(-1).tolist()),
            (np.array(cluster).reshape(-1).tolist(), [0, 2, 2, 0, 2, 0, 2], None))


def neighbor_counts(coord, atype, box, rcut, nt):
    """The largest number of neighbors of each type within rcut over all atoms (periodic images included)."""
    coord = np.asarray(coord).reshape(-1, 3)
    shifts = [np.zeros(3)] if box is None else [
        np.array([a, b, c]) @ np.asarray(box).reshape(3, 3) for a in range(-2, 3) for b in range(-2, 3) for c in range(-2, 3)]
    worst = np.zeros(nt, dtype=int)
    for i in range(len(coord)):
        n = np.zeros(nt, dtype=int)
        for j in range(len(coord)):
            for s in shifts:
                r = np.linalg.norm(coord[j] + s - coord[i])
                if 1e-9 < r <= rcut:
                    n[atype[j]] += 1
        worst = np.maximum(worst, n)
    return worst


def random_stats(sub, nt, rng, per_slot):
    davg = np.asarray(sub["davg"])
    shape, prec = davg.shape, davg.dtype
    nnei, ncomp = shape[1], shape[2]
    davg = np.zeros(shape)
    dstd = np.ones(shape)
    for t in range(nt):
        if per_slot:
            davg[t, :, 0] = rng.uniform(0.1, 0.5, nnei)
            dstd[t, :, :] = rng.uniform(0.2, 0.5, (nnei, ncomp))
            if ncomp == 4:
                davg[t, :, 1:] = rng.uniform(-0.05, 0.05, (nnei, 3))
        else:
            davg[t, :, 0] = rng.uniform(0.1, 0.5)
            dstd[t, :, 0] = rng.uniform(0.2, 0.5)
            if ncomp == 4:
                dstd[t, :, 1:] = rng.uniform(0.2, 0.5)
    sub["davg"] = davg.astype(prec)
    sub["dstd"] = dstd.astype(prec)


def build(name, rng):
    subs, m_changes, per_slot = MODELS[name]
    cfg = {
        "type_map": TYPE_MAP,
        "descriptor": {"type": "hybrid", "list": copy.deepcopy(subs)},
        "fitting_net": {"neuron": [10, 10], "resnet_dt": True, "seed": 3},
    }
    cfg.update(m_changes)
    model = get_model(copy.deepcopy(cfg))
    desc = model.atomic_model.descriptor
    for k, sub in enumerate(desc.descrpt_list):
        random_stats(getattr(sub, "se_atten", sub), len(TYPE_MAP), rng, per_slot and k == 0)
    bias = np.asarray(model.atomic_model.out_bias)
    model.atomic_model.out_bias = rng.normal(size=bias.shape).astype(bias.dtype)
    return cfg, model


def energy(model, coord, atype, box):
    ret = model.call(coord.reshape(1, -1), atype[None, :], None if box is None else box.reshape(1, 9))
    return float(np.asarray(ret["energy"]).reshape(-1)[0]), np.asarray(ret["atom_energy"]).reshape(-1)


def five_point(f, h):
    return (-f(2 * h) + 8 * f(h) - 8 * f(-h) + f(-2 * h)) / (12 * h)


def evaluate(case, model):
    coord = np.array(case["coord"], dtype=np.float64).reshape(-1, 3)
    atype = np.array(case["atype"], dtype=np.int64)
    box = None if case["box"] is None else np.array(case["box"], dtype=np.float64).reshape(3, 3)
    e, ae = energy(model, coord, atype, box)
    h = 1e-5
    worst = 0.0
    force = np.zeros_like(coord)
    for i in range(coord.shape[0]):
        for c in range(3):
            def shifted(d, i=i, c=c):
                x = coord.copy()
                x[i, c] += d
                return energy(model, x, atype, box)[0]
            force[i, c] = -five_point(shifted, h)
            worst = max(worst, abs(force[i, c] + five_point(shifted, 2 * h)))
    virial = None
    if box is not None:
        virial = np.zeros((3, 3))
        for a in range(3):
            for b in range(3):
                def strained(d, a=a, b=b):
                    s = np.eye(3)
                    s[a, b] += d
                    return energy(model, coord @ s, atype, box @ s)[0]
                # x' = x (1 + eps): dE/deps_ab = -W[b][a]
                virial[b, a] = -five_point(strained, h)
                worst = max(worst, abs(virial[b, a] + five_point(strained, 2 * h)))
    return {"name": case["name"], "model": case["model"], "energy": e, "atom_energy": ae.tolist(),
            "force": force.reshape(-1).tolist(), "virial": None if virial is None else virial.reshape(-1).tolist(),
            "fd_step_disagreement": worst}


def main(folder):
    rng = np.random.default_rng(20261207)
    (pbc, pbc_types, box), (cluster, cluster_types, _) = structures(rng)
    cases, results = [], []
    for name in MODELS:
        cfg, model = build(name, rng)
        fname = f"{name}.yaml"
        data = {"model": model.serialize(), "model_def_script": cfg, "backend": "dpmodel", "software": "deepmd-kit",
                "version": "bc902daf"}
        save_dp_model(f"{folder}/{fname}", copy.deepcopy(data))
        if name == "hybrid_sea_atten":
            # The same model as DeePMD-kit's HDF5 .dp file, to check that reader too.
            save_dp_model(f"{folder}/{name}.dp", copy.deepcopy(data))
        # Evaluate what was written, as our reader reads it.
        model = BaseModel.deserialize(load_dp_model(f"{folder}/{fname}")["model"])
        for sub in MODELS[name][0]:
            for (c, t, b) in ((pbc, pbc_types, box), (cluster, cluster_types, None)):
                worst = neighbor_counts(c, t, b, sub["rcut"], len(TYPE_MAP))
                sel = sub["sel"]
                # no sel overflow anywhere: the cases need no truncation
                print("  max neighbors", name, sub["type"], sub["rcut"], worst.tolist(), "sel", sel)
                assert (sum(worst) <= sel) if isinstance(sel, int) else all(worst <= np.array(sel)), (name, sub["type"], worst)
        for case in ({"name": f"{name} pbc", "model": fname, "coord": pbc, "atype": pbc_types, "box": box},
                     {"name": f"{name} no pbc", "model": fname, "coord": cluster, "atype": cluster_types, "box": None}):
            cases.append(case)
            r = evaluate(case, model)
            results.append(r)
            print(case["name"], r["energy"], "fd steps differ by", r["fd_step_disagreement"], flush=True)
            assert r["fd_step_disagreement"] < 1e-7, "the energy jumps inside the finite-difference stencil"
    json.dump(cases, open(f"{folder}/cases.json", "w"), indent=1)
    json.dump({"provenance": "DeePMD-kit dpmodel (NumPy backend), deepmodeling/deepmd-kit commit bc902daf747d93c5d7314338d287fd2dd0a7e32c; "
               "hybrid models built by get_model with seeded random weights, random statistics and out_bias, written by "
               "save_dp_model; energy and atom_energy from DPModel.call, force and virial five-point central differences "
               "of that energy (h = 1e-5 Å or strain)",
               "results": results}, open(f"{folder}/expected.json", "w"), indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
