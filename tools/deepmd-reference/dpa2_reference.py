#!/usr/bin/env python3
"""DeePMD-kit's own numbers for the DPA-2 reference cases.

Usage: PYTHONPATH=<deepmd-kit source tree and its Python dependencies> python3 dpa2_reference.py DIR

DIR holds cases.json (written by the explicit C# test Dpa2DeePMDKitReferenceTests.WriteInputs) and the model .yaml files
it names. For each case this loads the model with DeePMD-kit's load_dp_model and BaseModel.deserialize, evaluates it with
DeePMD-kit's NumPy backend (deepmd/dpmodel, model.call) and writes energy, per-atom energy, and forces as five-point
central differences of DeePMD-kit's energy (dpmodel returns no derivatives) into DIR/expected.json. It only calls
DeePMD-kit; nothing here is DeePMD-kit code.
"""
import json
import sys

import numpy as np
from deepmd.dpmodel.model.base_model import BaseModel
from deepmd.dpmodel.utils.serialization import load_dp_model


def evaluate(model, coord, atype, box):
    out = model.call(coord.reshape(1, -1), atype.reshape(1, -1), None if box is None else box.reshape(1, 9))
    return float(np.asarray(out["energy"]).reshape(-1)[0]), np.asarray(out["atom_energy"]).reshape(-1)


def main(folder):
    cases = json.load(open(f"{folder}/cases.json"))
    models = {}
    results = []
    for case in cases:
        name = case["model"]
        if name not in models:
            models[name] = BaseModel.deserialize(load_dp_model(f"{folder}/{name}")["model"])
        model = models[name]
        coord = np.array(case["coord"], dtype=np.float64).reshape(-1, 3)
        atype = np.array(case["atype"], dtype=np.int64)
        box = None if case["box"] is None else np.array(case["box"], dtype=np.float64).reshape(3, 3)
        energy, atom_energy = evaluate(model, coord, atype, box)
        h = 1e-4
        force = np.zeros_like(coord)
        for i in range(coord.shape[0]):
            for c in range(3):
                def e(d):
                    x = coord.copy()
                    x[i, c] += d
                    return evaluate(model, x, atype, box)[0]
                force[i, c] = -(-e(2 * h) + 8 * e(h) - 8 * e(-h) + e(-2 * h)) / (12 * h)
        results.append({"name": case["name"], "energy": energy, "atom_energy": atom_energy.tolist(), "force": force.reshape(-1).tolist()})
        print(case["name"], energy, flush=True)
    json.dump(results, open(f"{folder}/expected.json", "w"), indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
