#!/usr/bin/env bash
# Water, float32 compressed model (potentials/water/water-compressed.dp), examples/water replicated 4x4x4 (12,288 atoms),
# fix nvt: 2 threads x 1 process (`dpsharp run`) against 1 thread x 2 MPI ranks (`mpirun -np 2 dpsharp run`), alternating,
# REPEATS times each; prints the loop's us/atom-step of every run and the medians. The machine this was measured on is
# shared and noisy: compare medians of runs made together, never single numbers. The ranks get 512-bit vectors as the
# one-process run does (dpsharp relaunches itself for them, but not under mpirun: -x DOTNET_MaxVectorTBitWidth=512).
# Usage: tools/bench/ranks-vs-threads.sh [STEPS=30] [REPEATS=3]   (after: dotnet build src/DeepMD.Sharp.Cli -c Release)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
steps=${1:-30}
repeats=${2:-3}
dll=$root/src/DeepMD.Sharp.Cli/bin/Release/net10.0/dpsharp.dll
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/in.water" <<DECK
units           metal
boundary        p p p
atom_style      atomic
neighbor        2.0 bin
neigh_modify    every 10 delay 0 check no
read_data       $root/examples/water/water.lmp
replicate       4 4 4
mass            1 16
mass            2 2
pair_style      deepmd $root/potentials/water/water-compressed.dp
pair_coeff      * * O H
velocity        all create 330.0 23456789
fix             1 all nvt temp 330.0 330.0 0.5
timestep        0.0005
thermo          10
run             $steps
DECK
export OMPI_MCA_btl_vader_single_copy_mechanism=${OMPI_MCA_btl_vader_single_copy_mechanism:-none}
us() { grep -o '[0-9.e+-]* us/atom-step' | awk '{print $1}'; }
threads=(); ranks=()
cd "$work"
for r in $(seq "$repeats"); do
  t=$(DPSHARP_THREADS=2 dotnet "$dll" run in.water --log none --progress none | us)
  m=$(mpirun --allow-run-as-root --oversubscribe -np 2 -x DPSHARP_THREADS=1 -x DOTNET_MaxVectorTBitWidth=512 dotnet "$dll" run in.water --log none --progress none | us)
  echo "repeat $r: 2 threads x 1 rank $t us/atom-step, 1 thread x 2 ranks $m us/atom-step"
  threads+=("$t"); ranks+=("$m")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
mt=$(median "${threads[@]}"); mr=$(median "${ranks[@]}")
echo "median: threads $mt, ranks $mr us/atom-step; ranks / threads = $(awk -v a="$mr" -v b="$mt" 'BEGIN {printf "%.3f", a / b}')"
