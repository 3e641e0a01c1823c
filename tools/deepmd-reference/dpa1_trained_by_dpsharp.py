#!/usr/bin/env python3
"""Evaluates a DPA-1 model written by `dpsharp train` with DeePMD-kit's own NumPy backend (dpmodel).

Usage: PYTHONPATH=<deepmd-kit source tree with its Python dependencies> python3 dpa1_trained_by_dpsharp.py MODEL SYSTEM OUT.json

MODEL is a .dp file written by dpsharp (loaded with DeePMD-kit's `load_dp_model` and `BaseModel.deserialize`, so this
also checks that DeePMD-kit accepts the file); SYSTEM a deepmd/npy folder whose type names are mapped to the model's
type_map. For frames 0 and 1 of its first set OUT.json receives DeePMD-kit's energy and per-atom energies. Nothing
here is DeePMD-kit code: it only calls it.
"""
import glob
import json
import sys

import numpy as np
from deepmd.dpmodel.model.base_model import BaseModel
from deepmd.dpmodel.utils.serialization import load_dp_model


def main(model_path, system, out):
    model = BaseModel.deserialize(load_dp_model(model_path)["model"])
    names = open(f"{system}/type_map.raw").read().split()
    types = np.loadtxt(f"{system}/type.raw", dtype=int).reshape(-1)
    atype = np.array([model.get_type_map().index(names[t]) for t in types], dtype=np.int64)
    folder = sorted(glob.glob(f"{system}/set.*"))[0]
    # float64 inputs: dpmodel returns per-atom outputs in the precision of the coordinates (these files hold float32).
    coord = np.load(f"{folder}/coord.npy").astype(np.float64)
    box = np.load(f"{folder}/box.npy").astype(np.float64) if glob.glob(f"{folder}/box.npy") else None
    frames = []
    for f in (0, 1):
        ret = model.call(coord[f:f + 1], atype[None, :], None if box is None else box[f:f + 1])
        frames.append({"frame": f, "energy": float(np.asarray(ret["energy"]).reshape(-1)[0]),
                       "atom_energy": np.asarray(ret["atom_energy"]).reshape(-1).tolist()})
    json.dump({"model": model_path.split("/")[-1], "system": system.rstrip("/").split("/")[-1],
               "deepmd_kit": "bc902daf (dpmodel)", "frames": frames}, open(out, "w"), indent=1)


if __name__ == "__main__":
    main(*sys.argv[1:4])
