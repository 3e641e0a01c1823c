"""Writes the small molecular test systems (random-walk bead chains) as LAMMPS data files.

chains-bond.data: atom_style bond, 4 chains of 12 beads, FENE-length bonds, one bond type.
chains-full.data: atom_style full, the same beads with charges (+-0.3 alternating), 2 bond types, 1 angle type,
dihedrals along each chain (for reading and writing; dihedral_style zero). Deterministic (seeded).
"""
import math, random

random.seed(7)
L = 8.0
nchain, nbead = 4, 12
pos = []
for c in range(nchain):
    while True:
        chain = [(random.uniform(0, L), random.uniform(0, L), random.uniform(0, L))]
        ok = True
        prev_dir = None
        for b in range(1, nbead):
            for attempt in range(200):
                u = [random.gauss(0, 1) for _ in range(3)]
                n = math.sqrt(sum(v * v for v in u))
                u = [v / n for v in u]
                if prev_dir and sum(a * b for a, b in zip(u, prev_dir)) < -0.2:
                    continue
                p = tuple(chain[-1][k] + 0.97 * u[k] for k in range(3))
                good = True
                for q in pos + chain[:-1]:
                    d = [p[k] - q[k] for k in range(3)]
                    d = [v - L * round(v / L) for v in d]
                    if sum(v * v for v in d) < 1.21:
                        good = False
                        break
                if good:
                    chain.append(p)
                    prev_dir = u
                    break
            else:
                ok = False
                break
        if ok:
            break
    pos.extend(chain)

def image(v):
    return math.floor(v / L)

def write(path, style):
    n = len(pos)
    bonds = [(c * nbead + b + 1, c * nbead + b + 2) for c in range(nchain) for b in range(nbead - 1)]
    angles = [(c * nbead + b + 1, c * nbead + b + 2, c * nbead + b + 3) for c in range(nchain) for b in range(nbead - 2)]
    dihedrals = [(c * nbead + b + 1, c * nbead + b + 2, c * nbead + b + 3, c * nbead + b + 4) for c in range(nchain) for b in range(nbead - 3)]
    with open(path, "w") as f:
        f.write(f"random-walk bead chains ({style}), written by make_chains.py\n\n")
        f.write(f"{n} atoms\n2 atom types\n{len(bonds)} bonds\n{1 if style == 'bond' else 2} bond types\n")
        if style == "full":
            f.write(f"{len(angles)} angles\n1 angle types\n{len(dihedrals)} dihedrals\n1 dihedral types\n")
        f.write(f"\n0 {L} xlo xhi\n0 {L} ylo yhi\n0 {L} zlo zhi\n\nMasses\n\n1 1.0\n2 1.5\n\n")
        f.write(f"Atoms # {style}\n\n")
        for i, p in enumerate(pos):
            mol = i // nbead + 1
            typ = 1 if i % 3 else 2
            w = [p[k] - L * image(p[k]) for k in range(3)]
            im = [image(p[k]) for k in range(3)]
            q = 0.3 if i % 2 == 0 else -0.3
            qs = f" {q}" if style == "full" else ""
            f.write(f"{i + 1} {mol} {typ}{qs} {w[0]:.10f} {w[1]:.10f} {w[2]:.10f} {im[0]} {im[1]} {im[2]}\n")
        f.write("\nBonds\n\n")
        for k, (a, b) in enumerate(bonds):
            t = 1 if style == "bond" or k % 2 == 0 else 2
            f.write(f"{k + 1} {t} {a} {b}\n")
        if style == "full":
            f.write("\nAngles\n\n")
            for k, (a, b, c) in enumerate(angles):
                f.write(f"{k + 1} 1 {a} {b} {c}\n")
            f.write("\nDihedrals\n\n")
            for k, (a, b, c, d) in enumerate(dihedrals):
                f.write(f"{k + 1} 1 {a} {b} {c} {d}\n")

write("chains-bond.data", "bond")
write("chains-full.data", "full")
