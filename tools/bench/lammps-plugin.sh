#!/usr/bin/env bash
# LAMMPS + our pair style (tools/lammps/build.sh) against `dpsharp run` on the same deck: water, float32 compressed model
# (potentials/water/water-compressed.dp), examples/water replicated 4x4x4 (12,288 atoms), fix nvt, on 1 rank (2 threads
# inside the one process, as dpsharp uses by default on 2 cores) and on 2 MPI ranks (1 thread each), alternating,
# REPEATS times each. Prints us/atom-step of every run (LAMMPS: its "Loop time", dpsharp: its loop's us/atom-step) and
# the medians. Both get 512-bit vectors where the CPU has them (dpsharp relaunches itself for them, but not under
# mpirun and not inside LAMMPS, so DOTNET_MaxVectorTBitWidth=512 is passed to both). The machine may be shared and
# noisy: compare medians of runs made together.
# Usage: tools/bench/lammps-plugin.sh [STEPS=30] [REPEATS=3]   (after: dotnet build src/DeepMD.Sharp.Cli -c Release)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
steps=${1:-30}
repeats=${2:-3}
dll=$root/src/DeepMD.Sharp.Cli/bin/Release/net10.0/dpsharp.dll
paths=$(bash "$root/tools/lammps/build.sh")
lmp=$(sed -n 's/^lmp=//p' <<<"$paths"); plugin=$(sed -n 's/^plugin=//p' <<<"$paths")
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
{ echo "plugin load $plugin"; cat "$work/in.water"; } > "$work/in.lammps"
export OMPI_MCA_btl_vader_single_copy_mechanism=${OMPI_MCA_btl_vader_single_copy_mechanism:-none}
wide=""; grep -q avx512f /proc/cpuinfo && wide=512
mpi="mpirun --allow-run-as-root --oversubscribe -np 2 -x DPSHARP_THREADS=1 ${wide:+-x DOTNET_MaxVectorTBitWidth=$wide}"
ours() { grep -o '[0-9.e+-]* us/atom-step' | awk '{print $1}'; }
# "Loop time of T on P procs for N steps with A atoms" -> T * 1e6 / (N * A)
theirs() { awk '/^Loop time of/ {printf "%.4g\n", $4 * 1e6 / ($9 * $12)}'; }
l1=(); d1=(); l2=(); d2=()
cd "$work"
for r in $(seq "$repeats"); do
  a=$(env DPSHARP_THREADS=2 ${wide:+DOTNET_MaxVectorTBitWidth=$wide} "$lmp" -in in.lammps -log none | theirs)
  b=$(DPSHARP_THREADS=2 dotnet "$dll" run in.water --log none --progress none | ours)
  c=$($mpi "$lmp" -in in.lammps -log none | theirs)
  d=$($mpi dotnet "$dll" run in.water --log none --progress none | ours)
  echo "repeat $r: 1 rank: LAMMPS+plugin $a, dpsharp $b; 2 ranks: LAMMPS+plugin $c, dpsharp $d us/atom-step"
  l1+=("$a"); d1+=("$b"); l2+=("$c"); d2+=("$d")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }
m1=$(median "${l1[@]}"); n1=$(median "${d1[@]}"); m2=$(median "${l2[@]}"); n2=$(median "${d2[@]}")
echo "median, 1 rank: LAMMPS+plugin $m1, dpsharp $n1 us/atom-step (LAMMPS/dpsharp $(ratio "$m1" "$n1"))"
echo "median, 2 ranks: LAMMPS+plugin $m2, dpsharp $n2 us/atom-step (LAMMPS/dpsharp $(ratio "$m2" "$n2"))"
