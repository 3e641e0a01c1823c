"""Checks the ASE calculator (python/dpsharp) on one structure; run by the NUnit test AseCalculatorTests.

    python3 ase_check.py MODEL STRUCTURE.xyz

Prints one JSON object: the calculator's energy, forces and stress; ASE's own central finite differences of the
energy for the forces of a few atoms and for the stress; and the error a missing model gives.
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))

import numpy as np  # noqa: E402
from ase.calculators.test import numeric_force  # noqa: E402
from ase.io import read  # noqa: E402

from dpsharp import DPSharpError  # noqa: E402
from dpsharp.calculator import DPSharp  # noqa: E402

model, structure = sys.argv[1], sys.argv[2]
atoms = read(structure)
atoms.calc = DPSharp(model)
energy = atoms.get_potential_energy()
forces = atoms.get_forces()
stress = atoms.get_stress()

# ASE's finite differences (central, step d) of the same calculator's energy.
checked = [0, 1, 2, 7, 100]
numeric = [[numeric_force(atoms, a, i, d=1e-4) for i in range(3)] for a in checked]
numeric_stress = atoms.calc.calculate_numerical_stress(atoms, d=1e-5)

try:
    DPSharp(os.path.join(os.path.dirname(structure), "missing-model.dp"))
    missing = None
except DPSharpError as e:
    missing = str(e)

print(json.dumps({
    "backend": atoms.calc.model.backend,
    "energy": energy,
    "forces": forces.tolist(),
    "stress": stress.tolist(),
    "volume": atoms.get_volume(),
    "fd_atoms": checked,
    "fd_forces": numeric,
    "fd_stress": np.asarray(numeric_stress).tolist(),
    "missing_error": missing,
}))
