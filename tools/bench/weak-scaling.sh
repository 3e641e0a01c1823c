#!/usr/bin/env bash
# Weak scaling, simulated on one machine: water (examples/water, 192 atoms, replicated to 32 copies = 6,144 atoms per rank),
# float32 compressed model (potentials/water/water-compressed.dp, DPSHARP_BACKEND=cpu-f32), fix nve, STEPS steps (neighbor
# every 10), on 1, 2, 4 and 8 MPI ranks oversubscribed (`mpirun --oversubscribe`), one thread per rank. Each run prints,
# per rank (DPSHARP_COMM_REPORT=1), the bytes it sent per step: ghost positions forwarded, ghost forces reversed, borders
# and migration of the reneighboring steps (averaged per step), and the communicator's point-to-point bytes and messages
# to other ranks (the network's share) and to itself (copies), and its collectives. From the busiest rank the script
# estimates the time per step on a cluster:
#   t_step = t_atom * atoms_per_rank + messages * latency + bytes / bandwidth + collectives * log2(P) * latency
# with t_atom the CPU time per atom-step of one core (argument T_ATOM_US, default 22 us: float32 compressed water,
# docs/cpu-backend.md) and two networks: InfiniBand HDR (1.5 us latency, 12.5 GB/s) and 10 Gb Ethernet (20 us, 1.25 GB/s).
# Messages are blocking MPI_Sendrecv swaps; each counts one latency. The wall times of the oversubscribed runs on this
# 2-core shared machine say nothing about a cluster and are printed only for completeness.
# Usage: tools/bench/weak-scaling.sh [STEPS=20] [T_ATOM_US=22] [RESULTS=weak-scaling.txt]   (after: dotnet build src/DeepMD.Sharp.Cli -c Release)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
steps=${1:-20}
t_atom=${2:-22}
results=$(realpath -m "${3:-weak-scaling.txt}")
dll=${DPSHARP_DLL:-$root/src/DeepMD.Sharp.Cli/bin/Release/net10.0/dpsharp.dll}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_MCA_btl_vader_single_copy_mechanism=${OMPI_MCA_btl_vader_single_copy_mechanism:-none}
root_flag=$([ "$(id -u)" = 0 ] && echo --allow-run-as-root || true)
cd "$work"
for p in 1 2 4 8; do
  # 32 copies of the 192-atom box per rank: 2x4x4, 4x4x4, 4x4x8, 8x4x8 (then the default grid: smallest surface).
  case $p in 1) rep="2 4 4";; 2) rep="4 4 4";; 4) rep="4 4 8";; 8) rep="8 4 8";; esac
  cat > in.water <<DECK
units           metal
boundary        p p p
atom_style      atomic
neighbor        2.0 bin
neigh_modify    every 10 delay 0 check no
read_data       $root/examples/water/water.lmp
replicate       $rep
mass            1 16
mass            2 2
pair_style      deepmd $root/potentials/water/water-compressed.dp
pair_coeff      * * O H
velocity        all create 330.0 23456789
fix             1 all nve
timestep        0.0005
thermo          10
run             $steps
DECK
  mpirun $root_flag --oversubscribe -np $p -x DPSHARP_THREADS=1 -x DPSHARP_BACKEND=cpu-f32 -x DPSHARP_COMM_REPORT=1 \
    -x DOTNET_MaxVectorTBitWidth=512 dotnet "$dll" run in.water --log none --progress none > out.txt 2>&1 \
    || { echo "P=$p: run failed"; tail -20 out.txt; exit 1; }
  {
    echo "== $p rank(s), replicate $rep, $(grep -o 'Decomposed over .*' out.txt || echo 'one rank')"
    sed -n '/^Communication per step/,/^[^ C]/p' out.txt | grep -E '^(Communication|  )'
    grep -o 'Loop time of .*' out.txt
    # The busiest rank by bytes to others (columns: rank owned ghosts forward reverse borders+exchange p2p-others msgs p2p-self msgs coll calls).
    awk -v t="$t_atom" -v p="$p" '/^  +[0-9]+ +[0-9]+ +[0-9]+ / {
        if ($7 >= b) { b = $7; m = $8; own = $2; c = $12 }
      }
      END {
        lg = (p > 1) ? log(p) / log(2) : 0
        comp = t * own
        ib = m * 1.5 + b / 12500 + c * lg * 1.5
        eth = m * 20 + b / 1250 + c * lg * 20
        printf "estimate (busiest rank: %d owned atoms, %d B and %d messages to other ranks per step, %d collectives): compute %.0f us; network: InfiniBand HDR %.0f us (%.2f%%), 10 GbE %.0f us (%.1f%%)\n", own, b, m, c, comp, ib, 100 * ib / comp, eth, 100 * eth / comp
      }' out.txt
  } | tee -a "$results"
done
