#!/usr/bin/env python3
"""Evaluates the DPA-1 reference cases with DeePMD-kit's own NumPy backend (dpmodel).

Usage: PYTHONPATH=<deepmd-kit source tree with its Python dependencies> python3 dpa1_reference.py DIR

DIR holds cases.json (written by the C# test `SeAttenDeePMDKitReferenceTests.WriteInputs`) and the model .yaml files it
names. For every case this writes, into DIR/expected.json: DeePMD-kit's energy and per-atom energies (dpmodel's
`call`, exact), and forces and virial as five-point central differences of DeePMD-kit's energy (dpmodel returns no
derivatives; step 1e-5, checked against twice the step; float32 models by energy only). Nothing here is DeePMD-kit code: it only calls it.
"""
import json
import sys

import numpy as np
from deepmd.dpmodel.model.base_model import BaseModel
from deepmd.dpmodel.utils.serialization import load_dp_model


def energy(model, coord, atype, box):
    ret = model.call(coord[None, :, :].reshape(1, -1), atype[None, :], None if box is None else box.reshape(1, 9))
    return float(np.asarray(ret["energy"]).reshape(-1)[0]), np.asarray(ret["atom_energy"]).reshape(-1)


def five_point(f, h):
    return (-f(2 * h) + 8 * f(h) - 8 * f(-h) + f(-2 * h)) / (12 * h)


def main(folder):
    cases = json.load(open(f"{folder}/cases.json"))
    out = []
    models = {}
    for case in cases:
        name = case["model"]
        if name not in models:
            models[name] = BaseModel.deserialize(load_dp_model(f"{folder}/{name}")["model"])
        model = models[name]
        coord = np.array(case["coord"], dtype=np.float64).reshape(-1, 3)
        atype = np.array(case["atype"], dtype=np.int64)
        box = None if case["box"] is None else np.array(case["box"], dtype=np.float64).reshape(3, 3)
        e, ae = energy(model, coord, atype, box)
        # A small step (round-off ~1e-10) keeps clear of the jumps DeePMD-kit's energy has where a neighbor crosses rcut
        # (davg != 0 with concat mode, or exclude_types). float32 models are compared by energy only: DeePMD-kit
        # computes them in float32, whose round-off makes finite differences useless.
        float32 = "float32" in name
        h = 1e-5
        force = None if float32 else np.zeros_like(coord)
        for i in range(0 if float32 else coord.shape[0]):
            for c in range(3):
                def shifted(d, i=i, c=c):
                    x = coord.copy()
                    x[i, c] += d
                    return energy(model, x, atype, box)[0]
                force[i, c] = -five_point(shifted, h)
                check = -five_point(shifted, 2 * h)
                if abs(check - force[i, c]) > 1e-7:
                    print(f"warning: {case['name']} atom {i} component {c}: steps h and 2h disagree ({force[i, c]} vs {check})")
        virial = None
        if box is not None and not float32:
            virial = np.zeros((3, 3))
            for a in range(3):
                for b in range(3):
                    def strained(d, a=a, b=b):
                        s = np.eye(3)
                        s[a, b] += d
                        return energy(model, coord @ s, atype, box @ s)[0]
                    # x' = x (1 + eps): dE/deps_ab = -W[b][a]
                    virial[b, a] = -five_point(strained, h)
        out.append({
            "name": case["name"], "model": name, "energy": e, "atom_energy": ae.tolist(), "force": None if force is None else force.reshape(-1).tolist(),
            "virial": None if virial is None else virial.reshape(-1).tolist(),
        })
        print(case["name"], e, flush=True)
    json.dump({"provenance": "DeePMD-kit dpmodel (NumPy backend), deepmodeling/deepmd-kit commit bc902daf747d93c5d7314338d287fd2dd0a7e32c; "
               "energy and atom_energy from DPModel.call, force and virial five-point central differences of that energy (h = 1e-5 Å or strain; energies only for the float32 model, which DeePMD-kit evaluates in float32)",
               "results": out}, open(f"{folder}/expected.json", "w"), indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
