"""Reads a dpsharp `dump h5md` file with h5py and MDAnalysis (Debian: python3-h5py, python3-mdanalysis).

Checks the H5MD layout with h5py, loads the trajectory in MDAnalysis and prints, as JSON, MDAnalysis' InterRDF of
species A with species B (bins, g(r)), the frame count and the first frame's positions, for the C# test to compare.
Usage: h5md_check.py FILE TYPE_A TYPE_B RMAX NBINS
"""
import json
import sys

import h5py
import numpy as np
import MDAnalysis as mda
from MDAnalysis.analysis.rdf import InterRDF

path, ta, tb, rmax, nbins = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
with h5py.File(path, "r") as f:
    assert list(f["h5md"].attrs["version"]) == [1, 1], f["h5md"].attrs["version"]
    p = f["particles/all"]
    pos = p["position/value"]
    t, n, d = pos.shape
    assert d == 3 and p["position/step"].shape == (t,) and p["position/time"].shape == (t,)
    assert p["image/value"].shape == (t, n, 3)
    assert p["box/edges/value"].shape == (t, 3, 3)
    assert p["box"].attrs["dimension"] == 3
    assert [b.decode() if isinstance(b, bytes) else b for b in p["box"].attrs["boundary"]] == ["periodic"] * 3
    assert pos.attrs["unit"] in ("Angstrom", b"Angstrom")
    species = p["species"][()]
    assert species.shape == (n,)
    first = pos[0].tolist()
    steps = p["position/step"][()].tolist()

u = mda.Universe.empty(n, trajectory=True)
u.add_TopologyAttr("type", [str(s) for s in species])
u.load_new(path, format="H5MD")
assert u.trajectory.n_frames == t
rdf = InterRDF(u.select_atoms(f"type {ta}"), u.select_atoms(f"type {tb}"), nbins=nbins, range=(0.0, rmax)).run()
u.trajectory[0]
print(json.dumps({
    "frames": int(u.trajectory.n_frames),
    "steps": steps,
    "bins": rdf.results.bins.tolist(),
    "rdf": rdf.results.rdf.tolist(),
    "first": u.atoms.positions.astype(float).tolist(),
    "h5py_first": first,
}))
