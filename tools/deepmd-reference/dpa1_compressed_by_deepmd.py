#!/usr/bin/env python3
"""Builds DPA-1 models with DeePMD-kit, compresses them with DeePMD-kit's own `enable_compression` (what `dp compress`
calls), writes both files with DeePMD-kit's serializer and evaluates the compressed ones with DeePMD-kit's dpmodel.

Usage: PYTHONPATH=<deepmd-kit source tree with its Python dependencies> python3 dpa1_compressed_by_deepmd.py DIR

Models (strip mode: DeePMD-kit compresses only that; resnet_dt false, as compression requires), random-weight
initialisation from DeePMD-kit's seeds, random per-type statistics (radial davg != 0) and a random out_bias:
- v2_attn0: se_atten_v2 (two-sided strip, smooth), attn_layer 0, exclude_types [0, 2] -> type-embedding and geometric
  (radial-net table) compression;
- strip_oneside_attn0: se_atten with tebd_input_mode strip, type_one_side, non-smooth, neuron [2, 4, 8] (DeePMD-kit's
  residual-doubling embedding) -> both compressions;
- v2_attn2: se_atten_v2 with 2 attention layers -> only the type embedding is compressed (DeePMD-kit's rule);
- v2_attn0_float32: v2_attn0 in float32.
Each *_compressed.dp is written by DeePMD-kit's `dp compress` entry point for .dp files from its uncompressed twin
(which stores min_nbor_dist MIN_NBOR_DIST) with DeePMD-kit's default strides (0.01 / 0.1,
extrapolate 5); the uncompressed twin is written too, so `dpsharp compress` can be checked against DeePMD-kit's tables.
The structures are those of the DPA-1 reference cases (a periodic 13-atom triclinic cell with face distances below rcut,
an 8-atom cluster without PBC of types 0 and 2). Energies are exact dpmodel outputs; forces and virials are five-point
central differences of DeePMD-kit's energy (see dpa1_reference.py). Nothing here is DeePMD-kit code: it only calls it.
"""
import copy
import json
import sys

import numpy as np
from deepmd.dpmodel.entrypoints.compress import enable_compression
from deepmd.dpmodel.model.model import get_model
from deepmd.dpmodel.utils.serialization import save_dp_model

import dpa1_reference

MIN_NBOR_DIST = 0.9
TYPE_MAP = ["O", "H", "C"]

BASE = {"type": "se_atten_v2", "sel": 24, "rcut_smth": 0.5, "rcut": 4.0, "neuron": [4, 8, 16], "axis_neuron": 4,
        "tebd_dim": 5, "attn": 6, "attn_layer": 0, "attn_dotr": True, "activation_function": "tanh", "resnet_dt": False,
        "set_davg_zero": False, "seed": 21}

MODELS = {
    "v2_attn0": dict(BASE, exclude_types=[[0, 2]]),
    "strip_oneside_attn0": dict(BASE, type="se_atten", tebd_input_mode="strip", type_one_side=True,
                                smooth_type_embedding=False, neuron=[2, 4, 8], seed=22),
    "v2_attn2": dict(BASE, attn_layer=2, seed=23),
    "v2_attn0_float32": dict(BASE, exclude_types=[[0, 2]], precision="float32", seed=24),
}


def build(name, rng):
    desc = MODELS[name]
    prec = desc.get("precision", "float64")
    cfg = {"type_map": TYPE_MAP, "descriptor": copy.deepcopy(desc),
           "fitting_net": {"neuron": [10, 10], "resnet_dt": True, "precision": prec, "seed": 3}}
    model = get_model(copy.deepcopy(cfg))
    block = model.atomic_model.descriptor.se_atten
    nt, nnei = len(TYPE_MAP), block.nnei
    davg = np.zeros((nt, nnei, 4))
    dstd = np.ones((nt, nnei, 4))
    for t in range(nt):
        davg[t, :, 0] = rng.uniform(0.1, 0.5)
        dstd[t, :, 0] = rng.uniform(0.2, 0.5)
        dstd[t, :, 1:] = rng.uniform(0.2, 0.5)
    dt = np.asarray(block["davg"]).dtype
    block["davg"] = davg.astype(dt)
    block["dstd"] = dstd.astype(dt)
    bias = np.asarray(model.atomic_model.out_bias)
    model.atomic_model.out_bias = rng.normal(size=bias.shape).astype(bias.dtype)
    return cfg, model


def main(folder):
    rng = np.random.default_rng(20261207)
    structures = json.load(open(f"{folder}/../deepmd-kit-dpa1/cases.json"))
    pbc = next(c for c in structures if c["name"] == "dpa1_concat_attn2 pbc")
    cluster = next(c for c in structures if c["name"] == "dpa1_concat_attn2 cluster")
    cases = []
    for name in MODELS:
        cfg, model = build(name, rng)
        meta = {"model_def_script": cfg, "backend": "dpmodel", "software": "deepmd-kit", "version": "bc902daf",
                "min_nbor_dist": MIN_NBOR_DIST}
        save_dp_model(f"{folder}/{name}.dp", dict(meta, model=model.serialize()))
        # DeePMD-kit's `dp compress` for native .dp files (deepmd/dpmodel/entrypoints/compress.py), default settings.
        enable_compression(f"{folder}/{name}.dp", f"{folder}/{name}_compressed.dp")
        for s, tag in ((pbc, "pbc"), (cluster, "cluster")):
            cases.append({"name": f"{name}_compressed {tag}", "model": f"{name}_compressed.dp", "coord": s["coord"],
                          "atype": s["atype"], "box": s["box"]})
    json.dump(cases, open(f"{folder}/cases.json", "w"), indent=1)
    dpa1_reference.main(folder)


if __name__ == "__main__":
    main(sys.argv[1])
