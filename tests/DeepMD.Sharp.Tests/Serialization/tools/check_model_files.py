#!/usr/bin/env python3
"""Cross-check model files written by DeepMD.Sharp against h5py / PyYAML (for manual verification; the NUnit
tests do not need Python).

Usage: check_model_files.py REFERENCE CANDIDATE [CANDIDATE ...]

Each file (.dp/.hlo or .yaml/.yml) is loaded the way DeePMD-kit's load_dp_model does it (json attribute + datasets
referenced below "@variables", or yaml.safe_load + np.ndarray nodes). Every CANDIDATE must give exactly the same
dictionary as REFERENCE: same keys in the same order, same Python types, arrays with the same dtype, shape and
bit-identical values. For HDF5 candidates it also checks that the json attribute is a variable-length UTF-8 string
that h5py returns as str, that json.loads accepts it, and that datasets are variable_0000.. numbered in depth-first
order with no unreferenced datasets. Exits non-zero on the first difference.
"""
import json
import math
import struct
import sys

import h5py
import numpy as np
import yaml


def walk(obj, cb, is_var=False):
    """Depth-first like deepmd's traverse_model_dict: cb on every non-None leaf below an "@variables" key."""
    if isinstance(obj, dict):
        if obj.get("@is_variable", False):
            return cb(obj)
        for k in list(obj):
            obj[k] = walk(obj[k], cb, is_var or k == "@variables")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            obj[i] = walk(v, cb, is_var)
    elif obj is not None and is_var:
        return cb(obj)
    return obj


def load(path, strict=True):
    if path.endswith((".dp", ".hlo")):
        with h5py.File(path, "r") as f:
            raw = f.attrs["json"]
            if not strict:  # the reference may be an older file with a fixed-length bytes attribute
                raw = raw.decode() if isinstance(raw, bytes) else raw
            assert isinstance(raw, str), f"{path}: json attribute is {type(raw)}, not str"
            tid = f.attrs.get_id("json").get_type()
            assert not strict or tid.is_variable_str(), f"{path}: json attribute is not a variable-length string"
            assert not strict or tid.get_cset() == h5py.h5t.CSET_UTF8, f"{path}: json attribute is not UTF-8"
            d = json.loads(raw)
            order = []

            def read(p):
                order.append(p)
                return f[p][()].copy() if f[p].shape != () else np.asarray(f[p][()])

            d = walk(d, read)
            expected = [f"/variable_{i:04d}" for i in range(len(order))]
            assert order == expected, f"{path}: datasets not numbered in depth-first order: {order[:5]}..."
            assert sorted(f.keys()) == [p[1:] for p in expected], f"{path}: unreferenced datasets in the file"
            return d
    with open(path) as fh:
        d = yaml.safe_load(fh)

    def conv(x):
        if isinstance(x, dict) and x.get("@class") == "np.ndarray":
            return np.asarray(x["value"], dtype=np.dtype(x["dtype"]))
        return x

    return walk(d, conv)


def bits(x):
    return struct.pack("<d", x)


def diff(a, b, path=""):
    if isinstance(a, np.generic) and a.shape == ():
        a = np.asarray(a)
    if isinstance(b, np.generic) and b.shape == ():
        b = np.asarray(b)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return f"{path}: {type(a).__name__} vs {type(b).__name__}"
        if a.dtype != b.dtype or a.shape != b.shape:
            return f"{path}: {a.dtype}{a.shape} vs {b.dtype}{b.shape}"
        if a.tobytes() != b.tobytes():
            return f"{path}: values differ"
        return None
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} {a!r} vs {type(b).__name__} {b!r}"
    if isinstance(a, dict):
        if list(a) != list(b):
            return f"{path}: keys {list(a)} vs {list(b)}"
        for k in a:
            r = diff(a[k], b[k], f"{path}/{k}")
            if r:
                return r
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: length {len(a)} vs {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            r = diff(x, y, f"{path}/{i}")
            if r:
                return r
        return None
    if isinstance(a, float):
        return None if bits(a) == bits(b) else f"{path}: {a!r} vs {b!r}"
    return None if a == b else f"{path}: {a!r} vs {b!r}"


def count_arrays(d):
    n = [0, 0]

    def cb(x):
        if isinstance(x, np.ndarray):
            n[0] += 1
            n[1] += x.size
        return x

    walk(d, cb)
    return n


def main():
    ref_path, *cands = sys.argv[1:]
    ref = load(ref_path, strict=False)
    arrays, values = count_arrays(ref)
    ok = True
    for c in cands:
        r = diff(ref, load(c))
        print(f"{c}: {'OK' if r is None else 'DIFFERENT: ' + r} (reference {ref_path}: {arrays} arrays, {values} values)")
        ok = ok and r is None
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
