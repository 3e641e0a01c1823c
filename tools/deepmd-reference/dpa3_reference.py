#!/usr/bin/env python3
"""Writes DPA-3 reference models with DeePMD-kit's own code and evaluates them with DeePMD-kit's NumPy backend.

Usage: PYTHONPATH=<deepmd-kit source tree with its Python dependencies> python3 dpa3_reference.py DIR

Each model is built by DeePMD-kit's get_model from an input dict (its seeded random initialisation), given random
per-type statistics (radial davg != 0 so padded slots are not zero rows; the angular davg stays 0 as DeePMD-kit's
statistics leave it), a random out_bias, and written by DeePMD-kit's save_dp_model as .yaml. The structures are a
periodic triclinic cell whose face distances are below e_rcut and a cluster without PBC that uses types 0 and 2 of
three. DIR receives the models, cases.json and expected.json: DeePMD-kit's energy and per-atom energies (dpmodel's
`call`), forces and virial as five-point central differences of that energy (dpmodel returns no derivatives;
step 1e-5, checked against twice the step). Nothing here is DeePMD-kit code: it only calls it.
"""
import copy
import json
import sys

import numpy as np
from deepmd.dpmodel.model.model import get_model
from deepmd.dpmodel.utils.serialization import save_dp_model

TYPE_MAP = ["O", "H", "C"]

BASE_REPFLOW = {
    "n_dim": 10, "e_dim": 8, "a_dim": 8, "nlayers": 2,
    "e_rcut": 4.0, "e_rcut_smth": 3.0, "e_sel": 48,
    "a_rcut": 3.0, "a_rcut_smth": 2.2, "a_sel": 24,
    "axis_neuron": 3, "update_residual": 0.3,
}

# name -> (repflow changes, descriptor changes, model changes)
MODELS = {
    "dpa3_default": ({}, {}, {}),
    "dpa3_resavg_compress": (
        {"update_style": "res_avg", "a_compress_rate": 1, "a_compress_e_rate": 2, "optim_update": False,
         "smooth_edge_update": True, "edge_init_use_dist": True, "n_multi_edge_message": 2},
        {"concat_output_tebd": True, "use_tebd_bias": True, "activation_function": "tanh", "exclude_types": [[0, 1]],
         "env_protection": 0.05},
        {"pair_exclude_types": [[1, 2]]}),
    "dpa3_resincr_split_exp": (
        {"update_style": "res_incr", "a_compress_rate": 2, "a_compress_use_split": True, "use_exp_switch": True,
         "e_rcut_smth": 3.2, "a_rcut_smth": 2.4, "fix_stat_std": 0.2},
        {"activation_function": "gelu", "use_loc_mapping": False}, {}),
    "dpa3_dynamic": (
        {"use_dynamic_sel": True, "smooth_edge_update": True, "sel_reduce_factor": 4.0, "update_residual_init": "norm",
         "n_multi_edge_message": 2},
        {}, {}),
    "dpa3_sequential": ({"sequential_update": True, "smooth_edge_update": True}, {}, {}),
    "dpa3_noangle_float32": ({"update_angle": False}, {"precision": "float32"}, {}),
    "dpa3_sel_trunc": ({"e_sel": 14, "a_sel": 5}, {}, {}),
}


def structures(rng):
    """A periodic triclinic cell (face distances < e_rcut) and a cluster without PBC of types 0 and 2."""
    box = np.array([[4.0, 0.0, 0.0], [0.85, 3.8, 0.0], [-0.55, 0.65, 3.9]])
    frac = []
    while len(frac) < 7:
        f = rng.random(3)
        ok = True
        for g in frac:
            d = f - g
            d -= np.round(d)
            if np.linalg.norm(d @ box) < 1.1:
                ok = False
        if ok:
            frac.append(f)
    pbc = (np.array(frac) @ box).reshape(-1).tolist()
    pbc_types = [0, 1, 2, 0, 1, 2, 0]
    cluster = []
    while len(cluster) < 7:
        x = rng.random(3) * 3.2
        if all(np.linalg.norm(x - y) > 1.1 for y in cluster):
            cluster.append(x)
    faces = [np.linalg.det(box) / np.linalg.norm(np.cross(box[(k + 1) % 3], box[(k + 2) % 3])) for k in range(3)]
    assert max(faces) < BASE_REPFLOW["e_rcut"], faces
    return ((pbc, pbc_types, box.reshape(-1).tolist()),
            (np.array(cluster).reshape(-1).tolist(), [0, 2, 2, 0, 2, 0, 2], None))


def build(name, rng):
    rf_changes, d_changes, m_changes = MODELS[name]
    repflow = dict(BASE_REPFLOW, **rf_changes)
    cfg = {
        "type_map": TYPE_MAP,
        "descriptor": dict({"type": "dpa3", "repflow": repflow, "seed": 7}, **d_changes),
        "fitting_net": {"neuron": [10, 10], "resnet_dt": True, "seed": 3},
    }
    cfg.update(m_changes)
    model = get_model(copy.deepcopy(cfg))
    desc = model.atomic_model.descriptor
    block = desc.repflows
    nt, nnei = len(TYPE_MAP), block.nnei
    davg = np.zeros((nt, nnei, 4))
    dstd = np.ones((nt, nnei, 4))
    for t in range(nt):
        davg[t, :, 0] = rng.uniform(0.1, 0.5)
        dstd[t, :, 0] = rng.uniform(0.2, 0.5)
        dstd[t, :, 1:] = rng.uniform(0.2, 0.5)
    prec = block.mean.dtype
    block["davg"] = davg.astype(prec)
    block["dstd"] = dstd.astype(prec)
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
    float32 = "float32" in case["model"]
    h = 1e-5
    worst = 0.0
    force = None if float32 else np.zeros_like(coord)
    for i in range(0 if float32 else coord.shape[0]):
        for c in range(3):
            def shifted(d, i=i, c=c):
                x = coord.copy()
                x[i, c] += d
                return energy(model, x, atype, box)[0]
            force[i, c] = -five_point(shifted, h)
            worst = max(worst, abs(force[i, c] + five_point(shifted, 2 * h)))
    virial = None
    if box is not None and not float32:
        virial = np.zeros((3, 3))
        for a in range(3):
            for b in range(3):
                def strained(d, a=a, b=b):
                    s = np.eye(3)
                    s[a, b] += d
                    return energy(model, coord @ s, atype, box @ s)[0]
                virial[b, a] = -five_point(strained, h)
                worst = max(worst, abs(virial[b, a] + five_point(strained, 2 * h)))
    # worst: the largest difference between the finite differences at steps h and 2h (forces and virial): a jump of the
    # energy inside the stencil (a neighbor crossing a cutoff of the exponential switch, which is not 0 there) shows here.
    return {"name": case["name"], "model": case["model"], "energy": e, "atom_energy": ae.tolist(),
            "force": None if force is None else force.reshape(-1).tolist(),
            "virial": None if virial is None else virial.reshape(-1).tolist(),
            "fd_step_disagreement": worst}


def main(folder):
    rng = np.random.default_rng(20261207)
    (pbc, pbc_types, box), (cluster, cluster_types, _) = structures(rng)
    cases, results = [], []
    for name in MODELS:
        cfg, model = build(name, rng)
        fname = f"{name}.yaml"
        save_dp_model(f"{folder}/{fname}", {"model": model.serialize(), "model_def_script": cfg, "backend": "dpmodel",
                                             "software": "deepmd-kit", "version": "bc902daf"})
        if name == "dpa3_default":
            # The same model as DeePMD-kit's HDF5 .dp file, to check that reader too.
            save_dp_model(f"{folder}/{name}.dp", {"model": model.serialize(), "model_def_script": cfg, "backend": "dpmodel",
                                                   "software": "deepmd-kit", "version": "bc902daf"})
        # Read back what was written, as our reader will.
        from deepmd.dpmodel.model.base_model import BaseModel
        from deepmd.dpmodel.utils.serialization import load_dp_model
        model = BaseModel.deserialize(load_dp_model(f"{folder}/{fname}")["model"])
        for case in ({"name": f"{name} pbc", "model": fname, "coord": pbc, "atype": pbc_types, "box": box},
                     {"name": f"{name} no pbc", "model": fname, "coord": cluster, "atype": cluster_types, "box": None}):
            # The sel_trunc model has fewer slots than neighbors: DeePMD-kit keeps the nearest (our --allow-sel-truncation).
            case["truncate"] = name == "dpa3_sel_trunc"
            cases.append(case)
            r = evaluate(case, model)
            results.append(r)
            print(case["name"], r["energy"], "fd steps differ by", r["fd_step_disagreement"], flush=True)
    json.dump(cases, open(f"{folder}/cases.json", "w"), indent=1)
    json.dump({"provenance": "DeePMD-kit dpmodel (NumPy backend), deepmodeling/deepmd-kit commit bc902daf747d93c5d7314338d287fd2dd0a7e32c; "
               "models built by get_model with seeded random weights and written by save_dp_model; energy and atom_energy from "
               "DPModel.call, force and virial five-point central differences of that energy (h = 1e-5 Å or strain; "
               "energies only for the float32 model, which DeePMD-kit evaluates in float32)",
               "results": results}, open(f"{folder}/expected.json", "w"), indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
