"""An ASE calculator over DeepMD.Sharp's C ABI: energy, forces and stress of a DeePMD-kit model.

    from dpsharp.calculator import DPSharp
    atoms.calc = DPSharp("water.dp")           # or DPSharp("water.dp", backend="reference")
    atoms.get_potential_energy(); atoms.get_forces(); atoms.get_stress()
"""

import numpy as np
from ase.calculators.calculator import Calculator, all_changes
from ase.stress import full_3x3_to_voigt_6_stress

from ._native import DPSharpError, Model


class DPSharp(Calculator):
    """ASE calculator for a DeePMD-kit model (.dp / .yaml) evaluated by DeepMD.Sharp.

    Atoms are mapped to model types by their chemical symbols and the model's type map. A cell periodic in all three
    directions is evaluated periodically; a cell with no periodic direction as an isolated cluster. The stress is
    -virial / volume (eV/Å³, ASE's sign and Voigt order), symmetrised.
    """

    implemented_properties = ["energy", "free_energy", "energies", "forces", "stress"]

    def __init__(self, model, backend="auto", **kwargs):
        Calculator.__init__(self, **kwargs)
        self.model = model if isinstance(model, Model) else Model(model, backend=backend)

    def calculate(self, atoms=None, properties=("energy", "forces"), system_changes=all_changes):
        Calculator.calculate(self, atoms, properties, system_changes)
        atoms = self.atoms
        symbols = atoms.get_chemical_symbols()
        index = {name: k for k, name in enumerate(self.model.type_map)}
        unknown = sorted(set(symbols) - set(index))
        if unknown:
            raise DPSharpError(f"element(s) {', '.join(unknown)} are not in the model's type map {' '.join(self.model.type_map)}")
        types = np.array([index[s] for s in symbols], dtype=np.intc)
        pbc = atoms.get_pbc()
        if pbc.all():
            cell = np.array(atoms.get_cell())
        elif not pbc.any():
            cell = None
        else:
            raise DPSharpError(f"periodic in some directions only (pbc = {pbc.tolist()}); use pbc all True or all False")
        e, f, v, ae, _ = self.model.compute(atoms.get_positions(), types, cell, atomic=True)
        self.results["energy"] = e
        self.results["free_energy"] = e
        self.results["energies"] = ae
        self.results["forces"] = f
        if cell is not None:
            stress = -0.5 * (v + v.T) / atoms.get_volume()
            self.results["stress"] = full_3x3_to_voigt_6_stress(stress)
        elif "stress" in properties:
            from ase.calculators.calculator import PropertyNotImplementedError
            raise PropertyNotImplementedError("stress needs a periodic cell")
