#!/usr/bin/env bash
# Memory and speed of one process against system size: examples/water (192 atoms) replicated R x R x R for each R given,
# float32 compressed model (potentials/water/water-compressed.dp, DPSHARP_BACKEND=cpu-f32), fix nve, STEPS steps.
# Per size: the peak resident memory of the whole process (/usr/bin/time -v, "Maximum resident set size"), bytes per atom
# (peak RSS / atoms, and the increase over the previous size / the added atoms), and the loop's us/atom-step. Appends one
# line per size to the results file. Systems of 50,000 atoms and more are evaluated streamed, block by block (no stored
# neighbor list; docs/domain-decomposition.md, "Memory"); DPSHARP_STREAM=0 in the environment measures the stored list.
# The machine this was measured on is shared (2 cores, load from other jobs): the us/atom-step are as measured, with that
# load; the memory figures do not depend on it.
# Usage: tools/bench/memory-scaling.sh [STEPS=1] [RESULTS=memory-scaling.txt] R1 [R2 ...]
#   (after: dotnet build src/DeepMD.Sharp.Cli -c Release; R=52: 192·52³ = 26,996,736 atoms ... R=38: 10,536,000; 30: 5,184,000;
#    22: 2,044,416; 17: 943,296; 12: 331,776; 8: 98,304)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
steps=${1:-1}
results=${2:-memory-scaling.txt}
shift 2 || true
[ $# -gt 0 ] || { echo "usage: $0 [STEPS] [RESULTS] R1 [R2 ...]" >&2; exit 2; }
results=$(realpath -m "$results")
dll=${DPSHARP_DLL:-$root/src/DeepMD.Sharp.Cli/bin/Release/net10.0/dpsharp.dll}  # DPSHARP_DLL: a copy, so rebuilding does not touch a running measurement
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export DPSHARP_BACKEND=${DPSHARP_BACKEND:-cpu-f32}
export DOTNET_MaxVectorTBitWidth=${DOTNET_MaxVectorTBitWidth:-512}  # what dpsharp's relaunch would set; measured without the relaunch
cd "$work"
prev_atoms=0; prev_rss=0
for r in "$@"; do
  atoms=$((192 * r * r * r))
  cat > in.water <<DECK
units           metal
boundary        p p p
atom_style      atomic
neighbor        2.0 bin
neigh_modify    every 10 delay 0 check no
read_data       $root/examples/water/water.lmp
replicate       $r $r $r
mass            1 16
mass            2 2
pair_style      deepmd $root/potentials/water/water-compressed.dp
pair_coeff      * * O H
velocity        all create 330.0 23456789
fix             1 all nve
timestep        0.0005
thermo          1
run             $steps
DECK
  free_gb=$(free -g | awk '/^Mem:/ {print $7}')
  /usr/bin/time -v dotnet "$dll" run in.water --log none --progress none > out.txt 2> time.txt || { echo "R=$r: run failed"; tail -n 5 out.txt time.txt; exit 1; }
  rss_kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' time.txt)
  wall=$(awk '/Elapsed \(wall clock\)/ {print $NF}' time.txt)
  cpu=$(awk -F: '/User time|System time/ {s += $2} END {print s}' time.txt)
  # CPU time of the whole process (read, replicate, setup included) per atom and evaluation (steps + 1 evaluations).
  cpu_us=$(awk -v c="$cpu" -v n="$atoms" -v s="$steps" 'BEGIN {printf "%.1f", 1e6 * c / n / (s + 1)}')
  us=$(grep -o '[0-9.e+-]* us/atom-step' out.txt | awk '{print $1}'); us=${us:--}
  rss=$((rss_kb * 1024))
  per_atom=$(awk -v b="$rss" -v n="$atoms" 'BEGIN {printf "%.0f", b / n}')
  marginal=$([ "$prev_atoms" -gt 0 ] && awk -v b="$rss" -v pb="$prev_rss" -v n="$atoms" -v pn="$prev_atoms" 'BEGIN {printf "%.0f", (b - pb) / (n - pn)}' || echo "-")
  line="$(date -u +%FT%TZ) R=$r atoms=$atoms steps=$steps backend=$DPSHARP_BACKEND stream=${DPSHARP_STREAM:-auto} peak_rss=$((rss / 1048576))MiB bytes/atom=$per_atom marginal_bytes/atom=$marginal us/atom-step=$us cpu_us/atom-evaluation=$cpu_us wall=$wall available_before=${free_gb}GiB load=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)"
  echo "$line" | tee -a "$results"
  prev_atoms=$atoms; prev_rss=$rss
done
