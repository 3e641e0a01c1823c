#!/usr/bin/env python3
"""Builds and evaluates the DP+ZBL (`zbl`) and `linear_ener` reference cases with DeePMD-kit's own NumPy backend (dpmodel).

Usage: source /work/pydeps/env.sh; /usr/bin/python3 zbl_reference.py DIR

Writes into DIR: `table.txt` (a pair table in DeePMD-kit's format that ends before rcut with non-zero values, so
DeePMD-kit's PairTab extrapolates it to rcut), the models (random weights and statistics, built by DeePMD-kit's own
classes and written with its `save_dp_model`: `.yaml`, and one `.dp`), and `expected.json`: for every case DeePMD-kit's
energy and per-atom energies (`call`), forces and virial as five-point central differences of DeePMD-kit's energy
(dpmodel returns no derivatives; step 1e-5, every component checked against twice the step), and the switch weight
(`zbl_weight`) of each atom for `zbl` models.

DeePMD-kit's LinearEnergyAtomicModel refuses sub-models whose descriptor is not of mixed type (se_e2_a): the `*_sea`
models are evaluated with that one check bypassed (the forward pass has the code for such sub-models:
`nlist_distinguish_types`); everything else is DeePMD-kit's code unchanged. Nothing here is DeePMD-kit code: it only
calls it.
"""
import json
import sys

import numpy as np
from deepmd.dpmodel.atomic_model.dp_atomic_model import DPAtomicModel
from deepmd.dpmodel.atomic_model.linear_atomic_model import LinearEnergyAtomicModel
from deepmd.dpmodel.model.base_model import BaseModel
from deepmd.dpmodel.model.model import get_model
from deepmd.dpmodel.utils.serialization import load_dp_model, save_dp_model

RNG = np.random.default_rng(20)
TYPE_MAP = ["O", "H"]


class MixedTypeCheckBypassed:
    """While active, DPAtomicModel claims mixed types, so LinearEnergyAtomicModel.__init__ accepts se_e2_a sub-models."""

    def __enter__(self):
        self.saved = DPAtomicModel.mixed_types
        DPAtomicModel.mixed_types = lambda self: True

    def __exit__(self, *a):
        DPAtomicModel.mixed_types = self.saved


def fix_mixed_list(model):
    am = model.atomic_model
    am.mixed_types_list = [m.mixed_types() for m in am.models]


def write_table(path):
    # Three columns (O-O, O-H, H-H) of a screened repulsion that does not reach 0 at the table end (2.5 < rcut = 4):
    # DeePMD-kit extrapolates it to zero at rcut.
    r = np.arange(0.1, 2.5 + 1e-9, 0.02)
    cols = []
    for zz in (64.0, 8.0, 1.0):
        cols.append(14.399645 * zz / r * np.exp(-3.2 * r) + 0.05 * np.exp(-r))
    np.savetxt(path, np.column_stack([r] + cols), fmt="%.12e")


def randomize(d, rng):
    """Random statistics and biases in a serialized model dict (in place)."""
    if isinstance(d, dict):
        for k, v in d.items():
            # statistics per center type and environment column, the same for every neighbor slot (as DeePMD-kit's)
            if k in ("davg",) and isinstance(v, np.ndarray):
                d[k] = np.broadcast_to(rng.normal(0, 0.1, (v.shape[0], 1, v.shape[2])), v.shape).copy()
            elif k in ("dstd",) and isinstance(v, np.ndarray):
                d[k] = np.broadcast_to(rng.uniform(0.5, 1.5, (v.shape[0], 1, v.shape[2])), v.shape).copy()
            elif k in ("bias_atom_e", "out_bias") and isinstance(v, np.ndarray):
                d[k] = rng.normal(0, 1, v.shape)
            elif k in ("w", "b", "idt", "matrix", "bias") and isinstance(v, np.ndarray) and v.dtype.kind == "f":
                d[k] = v + rng.normal(0, 0.05, v.shape)
            else:
                randomize(v, rng)
    elif isinstance(d, list):
        for v in d:
            randomize(v, rng)


def descriptor(kind):
    if kind == "sea":
        return {"type": "se_e2_a", "sel": [24, 24], "rcut": 4.0, "rcut_smth": 0.5, "neuron": [4, 8], "axis_neuron": 4, "seed": 1}
    return {"type": "se_atten", "sel": 40, "rcut": 4.0, "rcut_smth": 0.5, "neuron": [4, 8], "axis_neuron": 4,
            "attn": 8, "attn_layer": 1, "tebd_dim": 4, "seed": 1}


def build(kind, composite, table):
    data = {"type_map": TYPE_MAP, "descriptor": descriptor(kind), "fitting_net": {"neuron": [8, 8], "seed": 2}}
    if composite == "zbl":
        data.update({"use_srtab": table, "smin_alpha": 0.1, "sw_rmin": 0.8, "sw_rmax": 1.5})
        with MixedTypeCheckBypassed():
            model = get_model(data)
        d = model.serialize()
    else:
        from deepmd.dpmodel.atomic_model.pairtab_atomic_model import PairTabAtomicModel
        std = get_model(data)
        dp = std.atomic_model
        pt = PairTabAtomicModel(table, 4.0, dp.get_sel(), type_map=TYPE_MAP)
        weights = "sum" if kind == "sea" else [0.75, 1.25]
        with MixedTypeCheckBypassed():
            lin = LinearEnergyAtomicModel([dp, pt], TYPE_MAP, weights=weights)
        d = lin.serialize()
        d["type"] = "linear"  # what DeePMD-kit writes (LinearEnergyModel.serialize)
    randomize(d, RNG)
    return d


def plain_scalars(d):
    if isinstance(d, dict):
        return {k: plain_scalars(v) for k, v in d.items()}
    if isinstance(d, list):
        return [plain_scalars(v) for v in d]
    if isinstance(d, np.generic):
        return d.item()
    return d


def load(d):
    with MixedTypeCheckBypassed():
        model = BaseModel.deserialize(d)
    fix_mixed_list(model)
    return model


def energy(model, coord, atype, box):
    ret = model.call(coord.reshape(1, -1), atype[None, :], None if box is None else box.reshape(1, 9))
    w = getattr(model.atomic_model, "zbl_weight", None)
    if "atom_energy" in ret:  # DPZBLModel.call
        return float(np.asarray(ret["energy"]).reshape(-1)[0]), np.asarray(ret["atom_energy"]).reshape(-1), w
    # LinearEnergyModel has make_model's call: per-atom "energy" and the reduced "energy_redu"
    return float(np.asarray(ret["energy_redu"]).reshape(-1)[0]), np.asarray(ret["energy"]).reshape(-1), w


def five_point(f, h):
    return (-f(2 * h) + 8 * f(h) - 8 * f(-h) + f(-2 * h)) / (12 * h)


def structures():
    """A periodic triclinic cell and a cluster, each with a pair inside sw_rmin, one in the switch, the rest beyond."""
    out = []
    box = np.array([[6.2, 0.0, 0.0], [1.1, 5.9, 0.0], [-0.7, 0.9, 6.4]])
    frac = np.array([[0.1, 0.1, 0.1], [0.6, 0.2, 0.3], [0.3, 0.7, 0.2], [0.8, 0.8, 0.6], [0.2, 0.4, 0.7],
                     [0.7, 0.5, 0.9], [0.45, 0.05, 0.6], [0.9, 0.35, 0.35]])
    pos = frac @ box + RNG.normal(0, 0.05, frac.shape)
    # a close O-O pair (0.70 Å: inside sw_rmin) and an O-H pair at 1.10 Å (in the switch)
    pos = np.vstack([pos, pos[0] + [0.70, 0.0, 0.05], pos[3] + [0.2, 1.08, 0.0]])
    atype = np.array([0, 1, 1, 0, 1, 1, 0, 1, 0, 1])
    out.append(("pbc", pos, atype, box))
    cl = RNG.uniform(0, 4.5, (6, 3))
    cl = np.vstack([cl, cl[1] + [0.0, 0.62, 0.1], cl[4] + [1.2, 0.3, 0.0]])
    out.append(("cluster", cl, np.array([0, 0, 1, 1, 0, 1, 1, 0]), None))
    return out


def main(folder):
    write_table(f"{folder}/table.txt")
    results = []
    for kind in ("atten", "sea"):
        for composite in ("zbl", "linear"):
            name = f"{composite}_{kind}"
            d = build(kind, composite, f"{folder}/table.txt")
            full = {"backend": "DP", "model": d, "model_def_script": {}}
            if name == "zbl_atten":
                save_dp_model(f"{folder}/{name}.dp", full)
            # DeePMD-kit's save_dp_model cannot write a pairtab model to .yaml as it is (PairTab.serialize keeps numpy
            # scalars, which yaml.safe_dump refuses): they are made Python numbers first.
            save_dp_model(f"{folder}/{name}.yaml", plain_scalars(full))
            model = load(load_dp_model(f"{folder}/{name}.yaml")["model"])
            for sname, coord, atype, box in structures():
                e, ae, w = energy(model, coord, atype, box)
                h = 1e-5
                force = np.zeros_like(coord)
                for i in range(coord.shape[0]):
                    for c in range(3):
                        def shifted(dd, i=i, c=c):
                            x = coord.copy()
                            x[i, c] += dd
                            return energy(model, x, atype, box)[0]
                        force[i, c] = -five_point(shifted, h)
                        check = -five_point(shifted, 2 * h)
                        if abs(check - force[i, c]) > 1e-7:
                            print(f"warning: {name} {sname} atom {i} component {c}: h and 2h disagree ({force[i, c]} vs {check})")
                virial = None
                if box is not None:
                    virial = np.zeros((3, 3))
                    for a in range(3):
                        for b in range(3):
                            def strained(dd, a=a, b=b):
                                s = np.eye(3)
                                s[a, b] += dd
                                return energy(model, coord @ s, atype, box @ s)[0]
                            virial[b, a] = -five_point(strained, h)
                results.append({
                    "name": f"{name} {sname}", "model": f"{name}.yaml", "coord": coord.reshape(-1).tolist(),
                    "atype": atype.tolist(), "box": None if box is None else box.reshape(-1).tolist(),
                    "energy": e, "atom_energy": ae.tolist(), "force": force.reshape(-1).tolist(),
                    "virial": None if virial is None else virial.reshape(-1).tolist(),
                    "zbl_weight": None if w is None else np.asarray(w).reshape(-1).tolist(),
                })
                print(name, sname, e, None if w is None else np.asarray(w).reshape(-1), flush=True)
    json.dump({"provenance": "DeePMD-kit dpmodel (NumPy backend), deepmodeling/deepmd-kit commit bc902daf747d93c5d7314338d287fd2dd0a7e32c; "
               "models built by DeePMD-kit's get_model / LinearEnergyAtomicModel and written by save_dp_model; energy, atom_energy and "
               "zbl_weight from DPZBLModel/LinearEnergyModel.call; force and virial five-point central differences of that energy "
               "(h = 1e-5 Å or strain). *_sea models: LinearEnergyAtomicModel's mixed-type check bypassed (see the script)",
               "results": results}, open(f"{folder}/expected.json", "w"), indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
