#!/usr/bin/env python3
"""Loads composite models that dpsharp wrote (`dpsharp combine`) with DeePMD-kit's own NumPy backend and evaluates them.

Usage: source /work/pydeps/env.sh; /usr/bin/python3 zbl_written_check.py DIR

DIR holds zbl_written.dp and linear_written.yaml (written by `dpsharp combine`, see DIR/PROVENANCE.md) and
zbl_table.txt. DeePMD-kit loads each file with load_dp_model + BaseModel.deserialize (no check bypassed: the DP part is
DPA-1, which DeePMD-kit accepts in a linear model), and this writes DIR/expected.json: energy, per-atom energy, forces
and virial (five-point differences of DeePMD-kit's energy, step 1e-5) and the zbl switch weights; and the largest
difference between the table splines in the file and those DeePMD-kit's PairTab builds from zbl_table.txt.
Nothing here is DeePMD-kit code: it only calls it.
"""
import json
import sys

import numpy as np
from deepmd.dpmodel.model.base_model import BaseModel
from deepmd.dpmodel.utils.serialization import load_dp_model
from deepmd.utils.pair_tab import PairTab


def energy(model, coord, atype, box):
    ret = model.call(coord.reshape(1, -1), atype[None, :], None if box is None else box.reshape(1, 9))
    w = getattr(model.atomic_model, "zbl_weight", None)
    if "atom_energy" in ret:
        return float(np.asarray(ret["energy"]).reshape(-1)[0]), np.asarray(ret["atom_energy"]).reshape(-1), w
    return float(np.asarray(ret["energy_redu"]).reshape(-1)[0]), np.asarray(ret["energy"]).reshape(-1), w


def five_point(f, h):
    return (-f(2 * h) + 8 * f(h) - 8 * f(-h) + f(-2 * h)) / (12 * h)


def main(folder):
    rng = np.random.default_rng(7)
    box = np.array([[6.0, 0.0, 0.0], [0.8, 5.8, 0.0], [-0.5, 0.6, 6.2]])
    frac = np.array([[0.1, 0.1, 0.1], [0.6, 0.2, 0.3], [0.3, 0.7, 0.2], [0.8, 0.8, 0.6], [0.2, 0.4, 0.7], [0.7, 0.5, 0.9], [0.45, 0.05, 0.6]])
    pos = frac @ box + rng.normal(0, 0.05, frac.shape)
    pos = np.vstack([pos, pos[0] + [0.72, 0.0, 0.05], pos[3] + [0.2, 1.1, 0.0]])
    atype = np.array([0, 1, 2, 0, 1, 2, 0, 0, 1])
    cl = rng.uniform(0, 4.0, (5, 3))
    cl = np.vstack([cl, cl[1] + [0.0, 0.65, 0.1], cl[3] + [1.15, 0.3, 0.0]])
    structures = [("pbc", pos, atype, box), ("cluster", cl, np.array([0, 0, 2, 1, 2, 0, 1]), None)]
    results = []
    for name in ("zbl_written.dp", "linear_written.yaml"):
        d = load_dp_model(f"{folder}/{name}")
        model = BaseModel.deserialize(d["model"])
        for sname, coord, at, bx in structures:
            e, ae, w = energy(model, coord, at, bx)
            h = 1e-5
            force = np.zeros_like(coord)
            for i in range(coord.shape[0]):
                for c in range(3):
                    def shifted(dd, i=i, c=c):
                        x = coord.copy()
                        x[i, c] += dd
                        return energy(model, x, at, bx)[0]
                    force[i, c] = -five_point(shifted, h)
            virial = None
            if bx is not None:
                virial = np.zeros((3, 3))
                for a in range(3):
                    for b in range(3):
                        def strained(dd, a=a, b=b):
                            s = np.eye(3)
                            s[a, b] += dd
                            return energy(model, coord @ s, at, bx @ s)[0]
                        virial[b, a] = -five_point(strained, h)
            results.append({"name": f"{name} {sname}", "model": name, "coord": coord.reshape(-1).tolist(), "atype": at.tolist(),
                            "box": None if bx is None else bx.reshape(-1).tolist(), "energy": e, "atom_energy": ae.tolist(),
                            "force": force.reshape(-1).tolist(), "virial": None if virial is None else virial.reshape(-1).tolist(),
                            "zbl_weight": None if w is None else np.asarray(w).reshape(-1).tolist()})
            print(name, sname, e, None if w is None else np.asarray(w).reshape(-1), flush=True)
    # the table in our file against DeePMD-kit's PairTab built from the same table file for the same rcut
    d = load_dp_model(f"{folder}/zbl_written.dp")["model"]["models"][1]
    ours = d["tab"]["@variables"]
    theirs = PairTab(f"{folder}/zbl_table.txt", rcut=d["rcut"])
    tab_diff = float(np.max(np.abs(ours["tab_data"] - theirs.tab_data)))
    vdata_diff = float(np.max(np.abs(ours["vdata"] - theirs.vdata)))
    print("tab_data max diff", tab_diff, "vdata max diff", vdata_diff)
    json.dump({"provenance": "DeePMD-kit dpmodel (NumPy backend), deepmodeling/deepmd-kit commit bc902daf747d93c5d7314338d287fd2dd0a7e32c, "
               "loading the files dpsharp combine wrote (load_dp_model + BaseModel.deserialize); energy, atom_energy, zbl_weight from call; "
               "force and virial five-point differences of that energy (h = 1e-5)",
               "tab_data_max_diff": tab_diff, "vdata_max_diff": vdata_diff, "results": results}, open(f"{folder}/expected.json", "w"), indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
