#!/usr/bin/env python3
"""Writes a DPA-2 model with DeePMD-kit's water example hyper-parameters (examples/water/dpa2/input_torch_medium.json:
repinit rcut 6 Å, nsel 120, neuron [25, 50, 100], axis 12, tebd 8, three-body block (rcut 4 Å, sel 48); repformer
rcut 4 Å, nsel 48, 6 layers, g1 128, g2 32, conv + grrg + drrd, g2 attention with gate (attn2 hidden 32, 4 heads),
res_residual; fitting [240, 240, 240], float64) and DeePMD-kit's seeded random weights, for timing only
(`dpsharp bench`): the weights are not trained.

Usage: PYTHONPATH=<deepmd-kit source tree with its Python dependencies> python3 dpa2_water_bench_model.py OUT.dp
Nothing here is DeePMD-kit code: it only calls it.
"""
import json
import os
import sys

import numpy as np
from deepmd.dpmodel.model.model import get_model
from deepmd.dpmodel.utils.serialization import save_dp_model

EXAMPLE = os.path.join(os.path.dirname(__import__("deepmd").__file__), "..", "examples", "water", "dpa2", "input_torch_medium.json")


def model_params():
    with open(EXAMPLE) as f:
        model = json.load(f)["model"]
    # the example's keys, minus the training-only ones the model builder does not take
    for key in [k for k in model if k.startswith("_")]:
        del model[key]
    for key in [k for k in model["descriptor"] if k.startswith("_")]:
        del model["descriptor"][key]
    for key in [k for k in model["fitting_net"] if k.startswith("_")]:
        del model["fitting_net"][key]
    return model


def main(out):
    params = model_params()
    model = get_model(params)
    data = model.serialize()
    # the water data's per-type energies, so the totals look like water's (timing does not depend on it)
    bias = np.array(data["@variables"]["out_bias"])
    bias[0, 0, 0] = -93.57
    bias[0, 1, 0] = -187.15
    data["@variables"]["out_bias"] = bias
    save_dp_model(out, {"model": data, "software": "deepmd-kit", "version": "bench", "model_def_script": {"model": params}})
    print("wrote", out)


if __name__ == "__main__":
    main(sys.argv[1])
