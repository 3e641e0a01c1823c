#!/usr/bin/env python3
"""Copies deepmd/npy systems for the pretrained model (Python standard library only, no numpy).

  prepare_data.py OUT SYSTEM... [--center-energy] [--frames A:B]

Each SYSTEM folder is copied to OUT/<last two path parts joined by '-'>: type.raw, type_map.raw, nopbc and the
set.* arrays. --frames A:B keeps frames A..B-1 of the system (counted over its sets in order, written as one
set.000). --center-energy writes energy.npy minus the system's mean frame energy: the data sets come from different
electronic-structure codes whose absolute energies are not comparable (water ~-156 eV/atom, TiO2 ~-7.6 eV/atom), so
the shared model learns energy differences within each system plus forces; fine-tuning refits the per-type energy
bias to the new data's reference by least squares.
"""
import ast
import os
import shutil
import struct
import sys

FORMATS = {"<f8": "d", "<f4": "f", "<i8": "q", "<i4": "i"}


def read_npy(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY":
        raise SystemExit(f"prepare_data: error: {path} is not a .npy file")
    major = data[6]
    if major == 1:
        hlen, start = struct.unpack("<H", data[8:10])[0], 10
    else:
        hlen, start = struct.unpack("<I", data[8:12])[0], 12
    header = ast.literal_eval(data[start:start + hlen].decode("latin1"))
    if header["fortran_order"] or header["descr"] not in FORMATS:
        raise SystemExit(f"prepare_data: error: {path}: unsupported layout {header}")
    code = FORMATS[header["descr"]]
    body = data[start + hlen:]
    values = list(struct.unpack("<%d%s" % (len(body) // struct.calcsize(code), code), body))
    return tuple(header["shape"]), values


def write_npy(path, shape, values):
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': %s, }" % (repr(tuple(shape)),)
    pad = 64 - (10 + len(header) + 1) % 64
    header = header + " " * pad + "\n"
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1"))
        f.write(struct.pack("<%dd" % len(values), *values))
    os.replace(tmp, path)


def main(argv):
    center = "--center-energy" in argv
    frames = None
    args = [a for a in argv if a != "--center-energy"]
    if "--frames" in args:
        k = args.index("--frames")
        a, b = args[k + 1].split(":")
        frames = (int(a), int(b))
        del args[k:k + 2]
    if len(args) < 2:
        raise SystemExit(__doc__)
    out, systems = args[0], args[1:]
    for system in systems:
        name = "-".join(os.path.normpath(system).split(os.sep)[-2:])
        dest = os.path.join(out, name)
        os.makedirs(os.path.join(dest, "set.000"), exist_ok=True)
        for f in ("type.raw", "type_map.raw", "nopbc"):
            if os.path.exists(os.path.join(system, f)):
                shutil.copyfile(os.path.join(system, f), os.path.join(dest, f))
        sets = sorted(d for d in os.listdir(system) if d.startswith("set."))
        arrays = {}
        for s in sets:
            for f in sorted(os.listdir(os.path.join(system, s))):
                if not f.endswith(".npy"):
                    continue
                shape, values = read_npy(os.path.join(system, s, f))
                rows, width = shape[0], (len(values) // shape[0] if shape[0] else 0)
                prev = arrays.setdefault(f, [0, width, []])
                prev[0] += rows
                prev[2].extend(values)
        count = arrays["coord.npy"][0]
        lo, hi = frames if frames else (0, count)
        if not 0 <= lo < hi <= count:
            raise SystemExit(f"prepare_data: error: {system} has {count} frames, cannot keep {lo}:{hi}")
        for f, (rows, width, values) in arrays.items():
            kept = values[lo * width:hi * width]
            if f == "energy.npy" and center:
                mean = sum(kept) / len(kept)
                kept = [e - mean for e in kept]
            write_npy(os.path.join(dest, "set.000", f), (hi - lo,) if width == 1 else (hi - lo, width), kept)
        print(f"{dest}: frames {lo}:{hi} of {count}" + (" (energy centered)" if center else ""))


if __name__ == "__main__":
    main(sys.argv[1:])
