#!/usr/bin/env python3
"""Writes DPA-1 model files with DeePMD-kit's own serializer and evaluates them with DeePMD-kit's dpmodel.

Usage: PYTHONPATH=<deepmd-kit source tree with its Python dependencies> python3 dpa1_written_by_deepmd.py DIR

The hyper-parameters are those of DeePMD-kit's C++ DPA-1 test model (source/tests/infer/gen_dpa1.py: sel 30, rcut 6,
neuron [2, 4, 8], axis 4, attn 5, attn_layer 2, temperature 1.0, one-sided) and a se_atten_v2 twin; the weights are
DeePMD-kit's seeded initialisation. The structure is the 6-atom water pair of DeePMD-kit's C++ tests, in the 13 Å box
and without PBC. DIR receives the .dp files (DeePMD-kit's `save_dp_model`), cases.json and expected.json (see
dpa1_reference.py for how forces and virials are obtained).
"""
import copy
import json
import sys

from deepmd.dpmodel.model.model import get_model
from deepmd.dpmodel.utils.serialization import save_dp_model

import dpa1_reference

COORD = [12.83, 2.56, 2.18, 12.09, 2.87, 2.74, 0.25, 3.32, 1.68, 3.36, 3.00, 1.81, 3.51, 2.51, 2.60, 4.27, 3.22, 1.56]
ATYPE = [0, 1, 1, 0, 1, 1]
BOX = [13.0, 0, 0, 0, 13.0, 0, 0, 0, 13.0]


def main(folder):
    base = {
        "type_map": ["O", "H"],
        "descriptor": {"type": "se_atten", "sel": 30, "rcut_smth": 2.0, "rcut": 6.0, "neuron": [2, 4, 8], "axis_neuron": 4,
                       "attn": 5, "attn_layer": 2, "attn_dotr": True, "attn_mask": False, "activation_function": "tanh",
                       "scaling_factor": 1.0, "normalize": True, "temperature": 1.0, "type_one_side": True, "seed": 1},
        "fitting_net": {"neuron": [5, 5, 5], "resnet_dt": True, "seed": 1},
    }
    v2 = copy.deepcopy(base)
    v2["descriptor"].update({"type": "se_atten_v2", "type_one_side": False, "temperature": None, "seed": 2})
    cases = []
    for name, cfg in (("deepmd_dpa1.dp", base), ("deepmd_se_atten_v2.dp", v2)):
        model = get_model(copy.deepcopy(cfg))
        save_dp_model(f"{folder}/{name}", {"model": model.serialize(), "model_def_script": cfg, "backend": "dpmodel",
                                            "software": "deepmd-kit", "version": "bc902daf"})
        stem = name[:-3]
        cases.append({"name": f"{stem} pbc", "model": name, "coord": COORD, "atype": ATYPE, "box": BOX})
        cases.append({"name": f"{stem} no pbc", "model": name, "coord": COORD, "atype": ATYPE, "box": None})
    json.dump(cases, open(f"{folder}/cases.json", "w"), indent=1)
    dpa1_reference.main(folder)


if __name__ == "__main__":
    main(sys.argv[1])
