#!/usr/bin/env python3
"""Writes a DPA-3 model with DeePMD-kit's water example hyper-parameters (examples/water/dpa3/input_torch.json:
repflow n_dim 128, e_dim 64, a_dim 32, 6 layers, e_sel 120, a_sel 30, fitting [240, 240, 240], float32) and DeePMD-kit's
seeded random weights, for timing only (`dpsharp bench`): the weights are not trained.

Usage: PYTHONPATH=<deepmd-kit source tree with its Python dependencies> python3 dpa3_water_bench_model.py OUT.dp
Nothing here is DeePMD-kit code: it only calls it.
"""
import sys

import numpy as np
from deepmd.dpmodel.model.model import get_model
from deepmd.dpmodel.utils.serialization import save_dp_model

REPFLOW = {
    "n_dim": 128, "e_dim": 64, "a_dim": 32, "nlayers": 6,
    "e_rcut": 6.0, "e_rcut_smth": 5.3, "e_sel": 120,
    "a_rcut": 4.0, "a_rcut_smth": 3.5, "a_sel": 30,
    "axis_neuron": 4, "fix_stat_std": 0.3,
    "a_compress_rate": 1, "a_compress_e_rate": 2, "a_compress_use_split": True,
    "update_angle": True, "smooth_edge_update": True, "edge_init_use_dist": True, "use_exp_switch": True,
    "update_style": "res_residual", "update_residual": 0.1, "update_residual_init": "const",
}
MODEL = {
    "type_map": ["O", "H"],
    "descriptor": {"type": "dpa3", "repflow": REPFLOW, "activation_function": "silut:10.0",
                   "use_tebd_bias": False, "precision": "float32", "concat_output_tebd": False, "seed": 1},
    "fitting_net": {"neuron": [240, 240, 240], "resnet_dt": True, "precision": "float32",
                    "activation_function": "silut:10.0", "seed": 1},
}


def main(out):
    model = get_model(MODEL)
    data = model.serialize()
    # the water data's per-type energies, so the totals look like water's (timing does not depend on it)
    bias = np.array(data["@variables"]["out_bias"])
    bias[0, 0, 0] = -93.57
    bias[0, 1, 0] = -187.15
    data["@variables"]["out_bias"] = bias
    save_dp_model(out, {"model": data, "software": "deepmd-kit", "version": "bench", "model_def_script": {"model": MODEL}})
    print("wrote", out)


if __name__ == "__main__":
    main(sys.argv[1])
